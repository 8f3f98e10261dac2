package chartguard.rules.availability["replica-spread_test"]

import data.chartguard.rules.availability["replica-spread"] as rule
import data.chartguard.lib.testing as t

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

_deploy(replicas, spec) := {"kind": "Deployment", "name": "web", "namespace": null, "hook": null, "object": {"spec": {"replicas": replicas, "template": {"metadata": {"labels": _labels}, "spec": spec}}}}

_hpa := {"kind": "HorizontalPodAutoscaler", "name": "web", "namespace": null, "hook": null, "object": {"spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "maxReplicas": 5}}}

test_quoted_replicas_count if {
	v := t.only(rule.report) with input as t.release([_deploy("3", {})])
	contains(v.message, "Deployment web runs 3 replicas with no")
	count(rule.report) == 0 with input as t.release([_deploy("1", {})])
}

test_autoscaled_single_replica_is_judged if {
	v := t.only(rule.report) with input as t.release([_deploy(1, {}), _hpa])
	contains(v.message, "Deployment web runs under an autoscaler with no")
	w := t.only(rule.report) with input as t.release([_deploy(4, {}), _hpa])
	contains(w.message, "Deployment web runs 4 replicas with no")
	count(rule.report) == 0 with input as t.release([_deploy(1, {}), object.union(_hpa, {"hook": {"events": ["pre-install"]}})])
}

test_hooks_are_skipped if {
	count(rule.report) == 0 with input as t.release([object.union(_deploy(3, {}), {"hook": {"events": ["pre-install"]}})])
}

test_empty_constraints_are_no_spread if {
	v := t.only(rule.report) with input as _input(3, {"topologySpreadConstraints": []})
	v.severity == "note"
}

# maxSkew is required: the API server rejects a constraint without it, or with a quoted one.
test_constraint_without_max_skew_is_an_error if {
	c := object.remove(_tsc({"labelSelector": {"matchLabels": {"app": "db"}}}).topologySpreadConstraints[0], ["maxSkew"])
	v := t.only(rule.report) with input as _input(3, {"topologySpreadConstraints": [c]})
	v.path == ["spec", "template", "spec", "topologySpreadConstraints", 0]
	v.severity == "error"
	contains(v.message, "topologySpreadConstraints[0] has no maxSkew (it is required, 1 or more)")
	w := t.only(rule.report) with input as _input(3, _tsc({"maxSkew": "1"}))
	contains(w.message, `topologySpreadConstraints[0] has maxSkew "1" (must be a number, 1 or more)`)
}

test_invalid_constraint_is_not_also_a_warning if {
	v := t.only(rule.report) with input as _input(3, _tsc({"topologyKey": "", "labelSelector": {"matchLabels": {"app": "db"}}}))
	v.severity == "error"
	contains(v.message, "has no topologyKey")
}

test_required_anti_affinity_passes if {
	anti := {"affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": _labels}}]}}}
	count(rule.report) == 0 with input as _input(2, anti)
	other := {"affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": {"app": "db"}}}]}}}
	count(rule.report) == 1 with input as _input(2, other)
}
