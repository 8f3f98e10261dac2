# METADATA
# title: Rolling updates never take serving pods away first
# description: >-
#   A Deployment that rolls (strategy RollingUpdate, the default) sets
#   strategy.rollingUpdate.maxUnavailable to 0 and a non-zero maxSurge, so every old pod
#   keeps serving until its replacement is ready. Scaled-to-zero Deployments (a blue-green
#   standby slot) and hooks are skipped.
# custom:
#   id: rolling-update-unavailable
#   severity: warning
#   profiles: [prod]
#   scope: object
#   tags: [availability, rollout]
#   why: >-
#     maxUnavailable defaults to 25%: during every upgrade Kubernetes may stop up to a quarter
#     of the pods before their replacements pass readiness, so capacity drops exactly when a
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

_ru_path := ["spec", "strategy", "rollingUpdate"]

report contains lib.violation(i, array.concat(_ru_path, ["maxUnavailable"]), msg) if {
	some i in _rolling
	ru := _rolling_update(i)
	not _set(ru, "maxUnavailable")
	msg := sprintf(
		"%s leaves strategy.rollingUpdate.maxUnavailable unset, so Kubernetes uses 25%%: a rollout may stop serving pods before their replacements are ready; set it to 0",
		[lib.describe(i)],
	)
}

report contains lib.violation(i, array.concat(_ru_path, ["maxUnavailable"]), msg) if {
	some i in _rolling
	value := _rolling_update(i).maxUnavailable
	value != null
	not _zero(value)
	msg := sprintf(
		"%s sets strategy.rollingUpdate.maxUnavailable to %v: a rollout may stop serving pods before their replacements are ready; set it to 0",
		[lib.describe(i), value],
	)
}

report contains lib.violation(i, array.concat(_ru_path, ["maxSurge"]), msg) if {
	some i in _rolling
	value := _rolling_update(i).maxSurge
	_zero(value)
	msg := sprintf(
		"%s sets strategy.rollingUpdate.maxSurge to %v: with no surge a rollout can only proceed by stopping pods first; set it to 1 or more",
		[lib.describe(i), value],
	)
}

# Deployments that roll: strategy RollingUpdate or unset, not scaled to zero, not hooks.
_rolling contains i if {
	some i, r in input.resources
	r.kind == "Deployment"
	r.hook == null
	not lib.replicas(i) == 0
	_strategy_type(r.object) == "RollingUpdate"
}

_strategy_type(obj) := t if {
	t := obj.spec.strategy.type
	t != null
} else := "RollingUpdate"

_rolling_update(i) := ru if {
	ru := input.resources[i].object.spec.strategy.rollingUpdate
	is_object(ru)
} else := {}

_set(obj, field) if {
	v := obj[field]
	v != null
}

_zero(v) if v in {0, "0%", "0"}
