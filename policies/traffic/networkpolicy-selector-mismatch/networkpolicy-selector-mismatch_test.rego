package chartguard.rules.traffic["networkpolicy-selector-mismatch_test"]

import data.chartguard.rules.traffic["networkpolicy-selector-mismatch"] as rule

_input(selector) := {
	"release": {"name": "web", "namespace": "apps"},
	"resources": [
		{"kind": "Deployment", "api_version": "apps/v1", "name": "web", "namespace": null, "hook": null, "object": {}},
		{"kind": "NetworkPolicy", "api_version": "networking.k8s.io/v1", "name": "web", "namespace": null, "hook": null, "object": {"spec": {"podSelector": selector}}},
	],
	"pods": [{"resource": 0, "path": ["spec", "template", "spec"], "spec": {}, "labels": {"app.kubernetes.io/name": "web"}, "labels_path": []}],
}

test_renamed_label_fires if {
	report := rule.report with input as _input({"matchLabels": {"app.kubernetes.io/name": "web-server"}})
	count(report) == 1
	some v in report
	v.resource == 1
	v.path == ["spec", "podSelector"]
	contains(v.message, "NetworkPolicy web selects no pod of the release")
}

test_matching_and_empty_selectors_pass if {
	count(rule.report) == 0 with input as _input({"matchLabels": {"app.kubernetes.io/name": "web"}})
	count(rule.report) == 0 with input as _input({})
	count(rule.report) == 0 with input as _input({"matchLabels": null})
}
