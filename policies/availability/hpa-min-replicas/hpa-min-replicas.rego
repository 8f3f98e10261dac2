# METADATA
# title: Autoscalers keep two replicas and room to scale
# description: >-
#   In prod, every HorizontalPodAutoscaler of the release (hooks skipped) has `minReplicas`
#   of at least 2 (unset means 1) and a `maxReplicas` above its `minReplicas`. An autoscaler
#   that targets a StatefulSet with minReplicas 1 is a note, as in replicas-single.
# custom:
#   id: hpa-min-replicas
#   severity: warning
#   profiles: [prod]
#   scope: object
#   tags: [availability]
#   why: >-
#     replicas-single trusts an autoscaled workload to be redundant, but an autoscaler with
#     minReplicas 1 scales it to a single pod every quiet night, and then a node drain,
#     an eviction or a crash is an outage; its PodDisruptionBudget either blocks the drain or
#     allows it. With maxReplicas equal to minReplicas the autoscaler can never scale: it only
#     pins the replica count, and anyone reading the chart thinks the workload scales.
#   fix: >-
#     Set `minReplicas: 2` (or more) in the prod values and `maxReplicas` above it, sized for
#     peak load; if the workload must not scale, drop the autoscaler and set `replicas`.
#   references:
#     - https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/
package chartguard.rules.availability["hpa-min-replicas"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

report contains lib.violation_with_severity(i, ["spec", "minReplicas"], msg, severity) if {
	some i in rel.of_kind("HorizontalPodAutoscaler")
	r := input.resources[i]
	_hpa(r)
	min := _min(r)
	min < 2
	target := _obj(r.object.spec.scaleTargetRef)
	severity := _severity(target)
	msg := sprintf(
		"%s lets %s %s scale down to %s: at that size a node drain, eviction or crash is an outage",
		[lib.describe(i), object.get(target, "kind", "?"), object.get(target, "name", "?"), _written(r, min)],
	)
}

report contains lib.violation(i, ["spec", "maxReplicas"], msg) if {
	some i in rel.of_kind("HorizontalPodAutoscaler")
	r := input.resources[i]
	_hpa(r)
	max := r.object.spec.maxReplicas
	is_number(max)
	min := _min(r)
	max <= min
	msg := sprintf(
		"%s has maxReplicas %v, not above minReplicas %v: it can never scale, only pin the replica count",
		[lib.describe(i), max, min],
	)
}

_hpa(r) if {
	r.kind == "HorizontalPodAutoscaler"
	r.hook == null
	is_object(r.object.spec)
}

# spec.minReplicas; 1 when absent or null (the API's default).
_min(r) := n if {
	n := r.object.spec.minReplicas
	is_number(n)
} else := 1 if {
	object.get(r.object.spec, "minReplicas", null) == null
}

_written(r, min) := "one replica (minReplicas: 1)" if {
	r.object.spec.minReplicas == 1
} else := sprintf("%v replicas (minReplicas: %v)", [min, min]) if {
	is_number(r.object.spec.minReplicas)
} else := "one replica (minReplicas unset, which means 1)"

_severity(target) := "note" if target.kind == "StatefulSet"
else := "warning"

_obj(x) := x if is_object(x)
else := {}
