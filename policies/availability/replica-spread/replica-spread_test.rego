package chartguard.rules.availability["replica-spread_test"]

import data.chartguard.rules.availability["replica-spread"] as rule

_labels := {"app": "web"}

_input(replicas, spec) := {
	"profile": "prod",
	"resources": [{"kind": "Deployment", "name": "web", "namespace": null, "hook": null, "object": {"spec": {"replicas": replicas}}}],
	"pods": [{"resource": 0, "path": ["spec", "template", "spec"], "spec": spec, "labels": _labels, "labels_path": []}],
}

_tsc(c) := {"topologySpreadConstraints": [object.union({"maxSkew": 1, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": {"matchLabels": _labels}}, c)]}

test_no_spread_is_a_note if {
	report := rule.report with input as _input(3, {})
	count(report) == 1
	some v in report
	v.severity == "note"
	v.path == ["spec", "template", "spec"]
	contains(v.message, "Deployment web runs 3 replicas with no topologySpreadConstraints or podAntiAffinity")
}

test_constraint_on_other_pods_is_a_warning if {
	report := rule.report with input as _input(3, _tsc({"labelSelector": {"matchLabels": {"app": "db"}}}))
	count(report) == 1
	some v in report
	v.path == ["spec", "template", "spec", "topologySpreadConstraints", 0, "labelSelector"]
	contains(v.message, "does not select the workload's own pods")
}

test_invalid_constraint_is_an_error if {
	report := rule.report with input as _input(3, _tsc({"maxSkew": 0}))
	some v in report
	v.severity == "error"
	contains(v.message, "has maxSkew 0 (must be 1 or more)")
	count(rule.report) > 0 with input as _input(3, _tsc({"whenUnsatisfiable": "Never"}))
}

test_spread_passes if {
	count(rule.report) == 0 with input as _input(3, _tsc({}))
}

test_anti_affinity_passes if {
	anti := {"affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100, "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": _labels}}}]}}}
	count(rule.report) == 0 with input as _input(2, anti)
}

test_single_replica_passes if {
	count(rule.report) == 0 with input as _input(1, {})
}
