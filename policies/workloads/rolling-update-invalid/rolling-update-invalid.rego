# METADATA
# title: Rolling updates can make progress
# description: >-
#   A Deployment (strategy RollingUpdate, the default) or DaemonSet (updateStrategy
#   RollingUpdate, the default) does not set maxSurge and maxUnavailable both to zero (0,
#   "0" or "0%"), counting the defaults (25%/25% for a Deployment; maxSurge 0 and
#   maxUnavailable 1 for a DaemonSet). Hooks included: the API rejects them too.
# custom:
#   id: rolling-update-invalid
#   severity: error
#   profiles: [dev, prod]
#   scope: object
#   tags: [correctness, rollout]
#   why: >-
#     With no surge and no unavailability a rollout could never replace a single pod, so the
#     API server rejects the object ("may not be 0 when maxSurge is 0") and `helm install`
#     or `helm upgrade` fails. It typically appears when values-prod.yaml sets
#     `maxUnavailable: 0` for safety and the chart's default maxSurge is 0 too (or a
#     DaemonSet, whose maxSurge defaults to 0, gets `maxUnavailable: 0`).
#   fix: >-
#     Keep `maxUnavailable: 0` and set `maxSurge: 1` (or a percentage): old pods keep serving
#     until their replacements are ready. For a DaemonSet that cannot surge (it uses host
#     ports), use `maxUnavailable: 1` instead.
#   references:
#     - https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#rolling-update-deployment
#     - https://kubernetes.io/docs/tasks/manage-daemon/update-daemon-set/
package chartguard.rules.workloads["rolling-update-invalid"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

# Where each kind keeps its strategy, and its defaults for the two fields.
_kinds := {
	"Deployment": {"path": ["spec", "strategy"], "maxSurge": "25%", "maxUnavailable": "25%"},
	"DaemonSet": {"path": ["spec", "updateStrategy"], "maxSurge": 0, "maxUnavailable": 1},
}

report contains lib.violation(i, array.concat(ru_path, ["maxUnavailable"]), msg) if {
	some kind, k in _kinds
	some i in rel.of_kind(kind)
	r := input.resources[i]
	strategy := object.get(r.object, k.path, null)
	# Neither default maxUnavailable (25%, 1) is zero, so only an explicit zero can be
	# invalid: tested first, in place, it settles nearly every workload without a call
	# (speed at 10,000 objects). The same test as _zero(unavailable) below.
	strategy.rollingUpdate.maxUnavailable in {0, "0", "0%"}
	# And a maxSurge that is set must be zero (maxUnavailable 0 usually comes with maxSurge 1).
	object.get(strategy.rollingUpdate, "maxSurge", 0) in {0, "0", "0%", null}
	_rolling(strategy)
	ru := _rolling_update(strategy)
	surge := _value(ru, "maxSurge", k)
	unavailable := _value(ru, "maxUnavailable", k)
	_zero(surge)
	_zero(unavailable)
	ru_path := array.concat(k.path, ["rollingUpdate"])
	msg := sprintf(
		"%s sets %s.rollingUpdate.maxUnavailable to %v with maxSurge %v: a rollout could never replace a pod, so the API server rejects it",
		[lib.describe(i), concat(".", k.path), unavailable, _surge_text(ru, surge)],
	)
}

_rolling(strategy) if strategy == null

_rolling(strategy) if {
	is_object(strategy)
	object.get(strategy, "type", null) in {null, "RollingUpdate"}
}

_rolling_update(strategy) := ru if {
	ru := strategy.rollingUpdate
	is_object(ru)
} else := {}

# The field as written, else the kind's default.
_value(ru, field, k) := v if {
	v := ru[field]
	v != null
} else := k[field]

_surge_text(ru, surge) := sprintf("%v", [surge]) if {
	v := ru.maxSurge
	v != null
} else := sprintf("unset (%v by default)", [surge])

_zero(v) if v in {0, "0", "0%"}
