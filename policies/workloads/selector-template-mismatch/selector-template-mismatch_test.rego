package chartguard.rules.workloads["selector-template-mismatch_test"]

import data.chartguard.rules.workloads["selector-template-mismatch"] as rule

_input(kind, spec) := {"resources": [{
	"kind": kind, "api_version": "apps/v1", "name": "web", "namespace": null, "hook": null,
	"object": {"spec": spec},
}]}

_spec(selector, labels) := {"selector": selector, "template": {"metadata": {"labels": labels}}}

test_missing_slot_label_fires_at_the_selector_key if {
	report := rule.report with input as _input("Deployment", _spec({"matchLabels": {"app": "web", "slot": "blue"}}, {"app": "web"}))
	count(report) == 1
	some v in report
	v.path == ["spec", "selector", "matchLabels", "slot"]
	contains(v.message, "Deployment web: selector label slot=blue is not on its pod template (it has no slot label)")
}

test_different_value_fires if {
	report := rule.report with input as _input("StatefulSet", _spec({"matchLabels": {"app": "db"}}, {"app": "web"}))
	some v in report
	contains(v.message, "it has app=web")
}

test_expression_that_does_not_hold_fires if {
	sel := {"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "In", "values": ["front"]}]}
	report := rule.report with input as _input("DaemonSet", _spec(sel, {"app": "web", "tier": "back"}))
	some v in report
	v.path == ["spec", "selector", "matchExpressions", 0]
}

test_empty_selector_fires if {
	report := rule.report with input as _input("Deployment", _spec({}, {"app": "web"}))
	some v in report
	v.path == ["spec", "selector"]
	contains(v.message, "empty")
}

test_matching_selector_passes if {
	sel := {"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "Exists"}]}
	count(rule.report) == 0 with input as _input("Deployment", _spec(sel, {"app": "web", "tier": "x", "extra": "y"}))
}

test_jobs_only_with_manual_selector if {
	count(rule.report) == 0 with input as {"resources": [{"kind": "Job", "api_version": "batch/v1", "name": "j", "namespace": null, "hook": null, "object": {"spec": _spec({"matchLabels": {"a": "b"}}, {})}}]}
	count(rule.report) == 1 with input as {"resources": [{"kind": "Job", "api_version": "batch/v1", "name": "j", "namespace": null, "hook": null, "object": {"spec": object.union(_spec({"matchLabels": {"a": "b"}}, {}), {"manualSelector": true})}}]}
}
