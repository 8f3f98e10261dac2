# METADATA
# title: Rolling updates never take serving pods away first
# description: >-
#   A Deployment that rolls (strategy RollingUpdate, the default) lets no serving pod go
#   before its replacement is ready: its effective maxUnavailable – an integer, or a
#   percentage (25% when unset) of its replicas rounded down, counting the HPA's maxReplicas
#   when one scales it – is 0, and maxSurge is not 0. Scaled-to-zero Deployments (a
#   blue-green standby slot) and hooks are skipped.
# custom:
#   id: rolling-update-unavailable
#   severity: warning
#   profiles: [prod]
#   scope: object
#   tags: [availability, rollout]
#   why: >-
#     maxUnavailable defaults to 25%, and Kubernetes rounds a percentage down against the
#     replica count: from 4 replicas on (or when an HPA may scale to 4), every upgrade may stop
#     pods before their replacements pass readiness, so capacity drops exactly when a
#     new version (and its cold caches) is going live; a replacement that never becomes ready
#     leaves the Deployment degraded until someone rolls back. With maxUnavailable 0 and
#     maxSurge ≥ 1 a bad rollout only stalls.
#   fix: >-
#     Set `strategy.rollingUpdate.maxUnavailable: 0` and `maxSurge: 1` (or a percentage) in
#     the production values, e.g. `rollingUpdate: {maxSurge: 1, maxUnavailable: 0}` in
#     values-prod.yaml, and make sure the namespace quota leaves room for the surge pods.
#   references:
#     - https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#rolling-update-deployment
package chartguard.rules.workloads["rolling-update-unavailable"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

_ru_path := ["spec", "strategy", "rollingUpdate"]

# maxUnavailable: the value as configured (or the 25% default) and what it means today.
# One finding per Deployment: at maxUnavailable when it takes pods away (mentioning a zero
# maxSurge too), else at a zero maxSurge.
report contains lib.violation(i, array.concat(_ru_path, ["maxUnavailable"]), msg) if {
	some i in _rolling
	raw := _max_unavailable(i)
	pods := _unavailable_pods(raw, i)
	pods > 0
	msg := sprintf(
		"%s %s: %s may be unavailable during a rollout, before their replacements are ready%s; set it to 0 (with maxSurge 1)",
		[lib.describe(i), _configured(i, raw), _meaning(raw, i, pods), _surge_too(i)],
	)
}

report contains lib.violation(i, array.concat(_ru_path, ["maxSurge"]), msg) if {
	some i in _rolling
	value := _rolling_update(i).maxSurge
	_zero(value)
	not _unavailable_pods(_max_unavailable(i), i) > 0
	msg := sprintf(
		"%s sets strategy.rollingUpdate.maxSurge to %v: with no surge a rollout can only proceed by stopping pods first; set it to 1 or more",
		[lib.describe(i), value],
	)
}

# Deployments that roll: strategy RollingUpdate or unset, not scaled to zero, not hooks.
_rolling contains i if {
	some i in rel.of_kind("Deployment")
	r := input.resources[i]
	r.hook == null
	not lib.replicas(i) == 0
	_strategy_type(r.object) == "RollingUpdate"
	not _effectively_recreate(i)
}

# One replica and no surge: the rollout stops the pod, then starts its replacement, which is
# what Recreate does (and Recreate is not judged). The single replica is replicas-single's.
_effectively_recreate(i) if {
	_one_replica(i)
	not _autoscaled_names[input.resources[i].name]
	_zero(_rolling_update(i).maxSurge)
}

_one_replica(i) if lib.replicas(i) == 1

_one_replica(i) if object.get(input.resources[i].object, ["spec", "replicas"], null) == null

# Names of Deployments an HPA targets (independent of _rolling, which depends on this).
_autoscaled_names contains name if {
	some h in rel.of_kind("HorizontalPodAutoscaler")
	r := input.resources[h]
	r.hook == null
	r.object.spec.scaleTargetRef.kind == "Deployment"
	name := r.object.spec.scaleTargetRef.name
}

_surge_too(i) := sprintf(", and maxSurge %v adds no pod first", [_rolling_update(i).maxSurge]) if {
	_zero(_rolling_update(i).maxSurge)
} else := ""

_strategy_type(obj) := t if {
	t := obj.spec.strategy.type
	t != null
} else := "RollingUpdate"

_rolling_update(i) := ru if {
	ru := input.resources[i].object.spec.strategy.rollingUpdate
	is_object(ru)
} else := {}

_max_unavailable(i) := v if {
	v := _rolling_update(i).maxUnavailable
	v != null
} else := "25%"

_configured(i, raw) := sprintf("sets strategy.rollingUpdate.maxUnavailable to %v", [raw]) if {
	_rolling_update(i).maxUnavailable != null
} else := "leaves strategy.rollingUpdate.maxUnavailable unset, so Kubernetes uses 25%"

# Pods a rollout may take down: an integer as is; a percentage of the replicas, rounded down
# (Kubernetes rounds maxUnavailable down and maxSurge up).
_unavailable_pods(raw, i) := raw if is_number(raw)

_unavailable_pods(raw, i) := floor((p * _replicas(i)) / 100) if p := _percent(raw)

_percent(raw) := to_number(digits) if {
	is_string(raw)
	digits := trim_suffix(raw, "%")
	digits != raw
	lib.all_digits(digits)
}

_meaning(raw, i, pods) := _pods(pods) if {
	is_number(raw)
} else := sprintf("%v of %v replicas%s = %s", [raw, _replicas(i), _replicas_source(i), _pods(pods)])

_pods(1) := "1 pod"

_pods(n) := sprintf("%v pods", [n]) if n != 1

# Replicas the rollout may run at: the HPA's maxReplicas when an HPA scales the Deployment,
# else spec.replicas (1 when unset).
_replicas(i) := max(_hpa_max[i]) if {
	count(_hpa_max[i]) > 0
} else := n if {
	n := lib.replicas(i)
} else := 1

_replicas_source(i) := " (the HPA's maxReplicas)" if {
	count(_hpa_max[i]) > 0
} else := ""

_hpa_max[i] contains n if {
	some h in rel.of_kind("HorizontalPodAutoscaler")
	r := input.resources[h]
	r.hook == null
	ref := r.object.spec.scaleTargetRef
	ref.kind == "Deployment"
	some i in _rolling_by_name[ref.name]
	n := r.object.spec.maxReplicas
	is_number(n)
}

_rolling_by_name[name] contains i if {
	some i in _rolling
	name := input.resources[i].name
}

_zero(v) if v in {0, "0%", "0"}
