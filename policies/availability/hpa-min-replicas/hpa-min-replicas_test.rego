package chartguard.rules.availability["hpa-min-replicas_test"]

import data.chartguard.rules.availability["hpa-min-replicas"] as rule

_input(spec) := {"resources": [{
	"kind": "HorizontalPodAutoscaler", "name": "web", "namespace": null, "hook": null,
	"object": {"spec": object.union({"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}}, spec)},
}]}

test_unset_min_fires_at_min_replicas if {
	report := rule.report with input as _input({"maxReplicas": 5})
	count(report) == 1
	some v in report
	v.path == ["spec", "minReplicas"]
	v.severity == "warning"
	contains(v.message, "HorizontalPodAutoscaler web lets Deployment web scale down to one replica (minReplicas unset, which means 1)")
}

test_min_one_fires if {
	report := rule.report with input as _input({"minReplicas": 1, "maxReplicas": 10})
	some v in report
	contains(v.message, "one replica (minReplicas: 1)")
}

test_statefulset_target_is_a_note if {
	report := rule.report with input as _input({"minReplicas": 1, "maxReplicas": 3, "scaleTargetRef": {"kind": "StatefulSet", "name": "db"}})
	{v.severity | some v in report} == {"note"}
}

test_max_not_above_min_fires if {
	report := rule.report with input as _input({"minReplicas": 3, "maxReplicas": 3})
	count(report) == 1
	some v in report
	v.path == ["spec", "maxReplicas"]
	contains(v.message, "maxReplicas 3, not above minReplicas 3")
}

test_two_to_ten_passes if {
	count(rule.report) == 0 with input as _input({"minReplicas": 2, "maxReplicas": 10})
}
