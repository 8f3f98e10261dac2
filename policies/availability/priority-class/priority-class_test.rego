package chartguard.rules.availability["priority-class_test"]

import data.chartguard.rules.availability["priority-class"] as rule

_input(specs, extra) := {
	"profile": "prod",
	"resources": array.concat([{"kind": "Deployment", "name": sprintf("w%d", [n]), "namespace": null, "hook": null} | some n, _ in specs], extra),
	"pods": [{"resource": n, "path": ["spec", "template", "spec"], "spec": s, "labels": {}, "labels_path": []} | some n, s in specs],
}

_pc(name) := {"kind": "PriorityClass", "name": name, "namespace": null, "hook": null}

test_none_set_is_one_note if {
	report := rule.report with input as _input([{}, {}], [])
	count(report) == 1
	some v in report
	v.resource == 0
	v.path == ["spec", "template", "spec", "priorityClassName"]
	contains(v.message, "no workload of the release sets priorityClassName (Deployment w0, Deployment w1)")
}

test_the_one_left_out_is_noted if {
	report := rule.report with input as _input([{"priorityClassName": "prod-service"}, {}], [_pc("prod-service")])
	count(report) == 1
	some v in report
	v.resource == 1
	contains(v.message, "Deployment w1 sets no priorityClassName, unlike other workloads")
}

test_unknown_class_is_noted if {
	report := rule.report with input as _input([{"priorityClassName": "prod-service"}], [])
	some v in report
	contains(v.message, "uses PriorityClass \"prod-service\", which the release does not create")
}

test_known_classes_pass if {
	count(rule.report) == 0 with input as _input([{"priorityClassName": "prod-service"}, {"priorityClassName": "system-cluster-critical"}], [_pc("prod-service")])
}

test_allowed_classes_exist_outside_the_release if {
	count(rule.report) == 0 with input as _input([{"priorityClassName": "platform-high"}], [])
		with data.params["priority-class"].allowed as ["platform-high"]
	report := rule.report with input as _input([{"priorityClassName": "platform-hihg"}], [])
		with data.params["priority-class"].allowed as ["platform-high"]
	count(report) == 1
}
