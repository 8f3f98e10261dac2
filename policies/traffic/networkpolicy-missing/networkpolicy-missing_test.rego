package chartguard.rules.traffic["networkpolicy-missing_test"]

import data.chartguard.rules.traffic["networkpolicy-missing"] as rule

_input(policies) := {
	"profile": "prod",
	"resources": array.concat(
		[{"kind": "Deployment", "api_version": "apps/v1", "name": "web", "namespace": null, "hook": null, "object": {}}],
		[{"kind": "NetworkPolicy", "api_version": "networking.k8s.io/v1", "name": "p", "namespace": null, "hook": null, "object": {"spec": {"podSelector": sel}}} | some sel in policies],
	),
	"pods": [{"resource": 0, "path": ["spec", "template", "spec"], "spec": {}, "labels": {"app": "web"}, "labels_path": ["spec", "template", "metadata", "labels"]}],
}

test_no_policy_is_noted if {
	report := rule.report with input as _input([])
	count(report) == 1
	some v in report
	v.path == ["spec", "template", "metadata", "labels"]
	contains(v.message, "the release has no NetworkPolicy: the pods of Deployment web accept traffic from every pod of the cluster")
}

test_policy_for_other_pods_is_noted if {
	report := rule.report with input as _input([{"matchLabels": {"app": "db"}}])
	some v in report
	contains(v.message, "Deployment web is selected by none of the release's NetworkPolicies")
}

test_selected_or_namespace_wide_passes if {
	count(rule.report) == 0 with input as _input([{"matchLabels": {"app": "web"}}])
	count(rule.report) == 0 with input as _input([{}])
}

test_a_namespace_default_policy_covers_every_pod if {
	count(rule.report) == 0 with input as _input([]) with data.params["networkpolicy-missing"].namespace_default_policy as true
	count(rule.report) == 0 with input as _input([{"matchLabels": {"app": "db"}}])
		with data.params["networkpolicy-missing"].namespace_default_policy as true
}
