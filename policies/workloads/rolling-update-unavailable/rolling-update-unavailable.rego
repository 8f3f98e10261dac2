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

_max_unavailable_path := ["spec", "strategy", "rollingUpdate", "maxUnavailable"]

_max_surge_path := ["spec", "strategy", "rollingUpdate", "maxSurge"]

# maxUnavailable: the value as configured (or the 25% default) and what it means today.
# One finding per Deployment: at maxUnavailable when it takes pods away (mentioning a zero
# maxSurge too), else at a zero maxSurge.
# An integer first, read as a field (absent or not a number: the next report): most
# Deployments are settled there without a call, and the message is worded only for findings.
report contains {"resource": i, "path": _max_unavailable_path, "message": msg} if {
	some [i, pods, surge, _] in _rolling
	is_number(pods)
	pods > 0
	msg := sprintf(
		"%s sets strategy.rollingUpdate.maxUnavailable to %v: %s may be unavailable during a rollout, before their replacements are ready%s; set it to 0 (with maxSurge 1)",
		[lib.describe(i), pods, _pods(pods), _surge_too(surge)],
	)
}

# A percentage, or unset (25%): of the replicas, computed once for the count and the message
# (set: maxUnavailable as read; null when absent, null, or when rollingUpdate is no mapping,
# all of which mean the default). The same pods as _unavailable_pods.
report contains {"resource": i, "path": _max_unavailable_path, "message": msg} if {
	some [i, set, surge, replicas] in _rolling
	not is_number(set)
	p := _percent(set)
	[n, source] := _replicas(i, replicas)
	pods := floor((p * n) / 100)
	pods > 0
	msg := sprintf(
		"%s %s: %v of %v replicas%s = %s may be unavailable during a rollout, before their replacements are ready%s; set it to 0 (with maxSurge 1)",
		[lib.describe(i), _configured(set), _shown(set), n, source, _pods(pods), _surge_too(surge)],
	)
}

report contains {"resource": i, "path": _max_surge_path, "message": msg} if {
	some [i, set, value, replicas] in _rolling
	value in {0, "0%", "0"} # _zero(value), without the call: asked of every Deployment
	not _unavailable_pods(set, i, replicas) > 0
	msg := sprintf(
		"%s sets strategy.rollingUpdate.maxSurge to %v: with no surge a rollout can only proceed by stopping pods first; set it to 1 or more",
		[lib.describe(i), value],
	)
}

# Deployments that roll: strategy RollingUpdate or unset, not scaled to zero, not hooks, as
# [index, maxUnavailable, maxSurge, spec.replicas] (each null when absent or null, and the
# first two when rollingUpdate is no mapping). Fields are compared here directly (`not x == 0`
# holds for null), not through lib.replicas or helpers: a call costs more than the rest of this
# body. A quoted count and the rare zero maxSurge go to _skipped. The values are read here once,
# for the three reports and _skipped: before, this was an object of the Deployments' objects
# (regorus inserts into a partial object more slowly than into a set), each report read the
# values from the object again, and lib.replicas read the count again for each finding.
_rolling contains [i, unavailable, surge, replicas] if {
	some i in rel.of_kind("Deployment")
	r := input.resources[i]
	r.hook == null
	replicas := object.get(r.object, ["spec", "replicas"], null)
	not replicas == 0
	object.get(r.object, ["spec", "strategy", "type"], null) in {null, "RollingUpdate"}
	unavailable := object.get(r.object, _max_unavailable_path, null)
	surge := object.get(r.object, _max_surge_path, null)
	not _skipped(replicas, surge, i)
}

# Scaled to zero by a quoted count (n: spec.replicas as _rolling read it): a string
# lib.replica_count reads as 0 starts with "0", which spares the others the call.
_skipped(n, _, _) if {
	is_string(n)
	startswith(n, "0")
	lib.replica_count(n) == 0
}

# One replica and no surge: the rollout stops the pod, then starts its replacement, which is
# what Recreate does (and Recreate is not judged). The single replica is replicas-single's.
_skipped(n, surge, i) if {
	surge in {0, "0%", "0"} # _zero, without the call
	_one_replica(n)
	not _autoscaled_names[input.resources[i].name]
}

# spec.replicas 1, or absent or null (1 by default).
_one_replica(n) if lib.replica_count(n) == 1

_one_replica(null) := true

# Names of Deployments an HPA targets (independent of _rolling, which depends on this).
_autoscaled_names contains name if {
	some h in rel.of_kind("HorizontalPodAutoscaler")
	r := input.resources[h]
	r.hook == null
	r.object.spec.scaleTargetRef.kind == "Deployment"
	name := r.object.spec.scaleTargetRef.name
}

_surge_too(v) := sprintf(", and maxSurge %v adds no pod first", [v]) if {
	_zero(v)
} else := ""

# (set: maxUnavailable as read, null when unset.)
_configured(set) := sprintf("sets strategy.rollingUpdate.maxUnavailable to %v", [set]) if {
	set != null
} else := "leaves strategy.rollingUpdate.maxUnavailable unset, so Kubernetes uses 25%"

# Pods a rollout may take down: an integer as is; a percentage of the replicas, rounded down
# (Kubernetes rounds maxUnavailable down and maxSurge up); unset is 25%.
_unavailable_pods(set, _, _) := set if is_number(set)

_unavailable_pods(set, i, replicas) := floor((p * _replicas(i, replicas)[0]) / 100) if p := _percent(set)

_percent(null) := 25

_percent(raw) := lib.decimal(digits) if {
	is_string(raw)
	digits := trim_suffix(raw, "%")
	digits != raw
	lib.all_digits(digits)
}

_shown(null) := "25%"

_shown(set) := set if set != null

_pods(1) := "1 pod"

_pods(n) := sprintf("%v pods", [n]) if n != 1

# Replicas the rollout may run at, and what the message says of them: the HPA's maxReplicas
# when an HPA scales the Deployment, else spec.replicas (1 when unset), which _rolling read.
_replicas(i, replicas) := [max(hpa), " (the HPA's maxReplicas)"] if {
	hpa := _hpa_max[input.resources[i].name]
	count(hpa) > 0
} else := [n, ""] if {
	n := lib.replica_count(replicas)
} else := [1, ""]

# Deployment name -> the numeric maxReplicas of the HPAs (not hooks) that target it, looked up
# by the name of a Deployment that rolls (_replicas is asked only of those). Keyed by name
# rather than by the Deployments of _rolling, which took a second object of them by name to
# pair the HPAs with (speed at 10,000 objects).
_hpa_max[name] contains n if {
	some h in rel.of_kind("HorizontalPodAutoscaler")
	r := input.resources[h]
	r.hook == null
	ref := r.object.spec.scaleTargetRef
	ref.kind == "Deployment"
	name := ref.name
	n := r.object.spec.maxReplicas
	is_number(n)
}

_zero(v) if v in {0, "0%", "0"}
