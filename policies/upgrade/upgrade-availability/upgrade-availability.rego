# METADATA
# title: An upgrade keeps the workload as available as before
# description: >-
#   With `lint --previous`: the change does not cut a replicated workload to one replica,
#   remove or loosen a PodDisruptionBudget, raise a rolling update's maxUnavailable (or
#   switch to Recreate), or remove a container's readiness probe.
# custom:
#   id: upgrade-availability
#   severity: warning
#   profiles: [prod]
#   scope: upgrade
#   tags: [upgrades, availability]
#   why: >-
#     Each of these quietly lowers how much of the service survives a rollout or a node
#     drain, and the upgrade that makes the change is itself a rollout: fewer replicas, a
#     looser budget or more pods down at once take capacity away exactly then, and without
#     a readiness probe new pods receive traffic before they can serve it. In a diff they
#     look like tidying.
#   fix: >-
#     Keep the previous value unless the lower availability is intended (then say so with
#     a suppression and a reason). Scale down in a separate change after the upgrade, keep
#     the PodDisruptionBudget, keep maxUnavailable at 0 with maxSurge for capacity, and keep
#     the readiness probe.
#   references:
#     - https://kubernetes.io/docs/tasks/run-application/configure-pdb/
#     - https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#rolling-update-deployment
package chartguard.rules.upgrade["upgrade-availability"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel
import data.chartguard.lib.upgrade_lib as up

_scaled := {"Deployment", "StatefulSet", "ReplicaSet"}

_pairs contains [p, b, a] if {
	some p in input.previous.pairs
	a := up.after(p)
	a.hook == null
	b := up.before(p)
	b.hook == null
}

# Replicas cut to one (not by an autoscaler taking over).
report contains lib.violation(p.current, ["spec", "replicas"], msg) if {
	some [p, b, a] in _pairs
	a.kind in _scaled
	old := b.object.spec.replicas
	is_number(old)
	old >= 2
	new := object.get(a.object, ["spec", "replicas"], 1)
	is_number(new)
	new <= 1
	not _autoscaled(a)
	msg := sprintf(
		"%s: spec.replicas goes from %v to %v: one pod left, so every rollout, eviction or crash is an outage",
		[lib.describe(p.current), old, new],
	)
}

_autoscaled(a) if {
	some j in rel.of_kind("HorizontalPodAutoscaler")
	h := input.resources[j]
	h.object.spec.scaleTargetRef.name == a.name
}

# A PodDisruptionBudget removed (not replaced by another one).
report contains up.previous_violation(j, ["spec"], msg) if {
	some j in input.previous.removed
	r := input.previous.resources[j]
	r.kind == "PodDisruptionBudget"
	r.hook == null
	not "PodDisruptionBudget" in _added_kinds
	msg := sprintf(
		"%s is gone from the new release: nothing stops a node drain from evicting all the pods it protected at once",
		[up.describe_previous(j)],
	)
}

# Kinds of the objects this release adds (built once, not per removed object).
_added_kinds contains input.resources[i].kind if some i in input.previous.added

# A PodDisruptionBudget loosened.
report contains lib.violation(p.current, ["spec", field], msg) if {
	some [p, b, a] in _pairs
	a.kind == "PodDisruptionBudget"
	some field, looser in {"minAvailable": "lower", "maxUnavailable": "higher"}
	old := b.object.spec[field]
	new := a.object.spec[field]
	_looser(field, _amount(old), _amount(new))
	msg := sprintf(
		"%s: spec.%s goes from %v to %v, a looser budget: a drain may take more of its pods at once",
		[lib.describe(p.current), field, old, new],
	)
}

# Rolling updates that take more pods down at once, or Recreate.
report contains lib.violation(p.current, path, msg) if {
	some [p, b, a] in _pairs
	some kind, dflt in {"Deployment": "25%", "DaemonSet": 1}
	a.kind == kind
	path := ["spec", _strategy_key(kind), "rollingUpdate", "maxUnavailable"]
	_strategy(b, kind) == "RollingUpdate"
	_strategy(a, kind) == "RollingUpdate"
	old := object.get(b.object, path, dflt)
	new := object.get(a.object, path, dflt)
	_looser("maxUnavailable", _amount(old), _amount(new))
	msg := sprintf(
		"%s: maxUnavailable goes from %v to %v: a rollout (this upgrade's too) takes more pods out of service at once",
		[lib.describe(p.current), old, new],
	)
}

report contains lib.violation(p.current, ["spec", "strategy", "type"], msg) if {
	some [p, b, a] in _pairs
	a.kind == "Deployment"
	_strategy(b, "Deployment") == "RollingUpdate"
	_strategy(a, "Deployment") == "Recreate"
	msg := sprintf(
		"%s: the strategy changes from RollingUpdate to Recreate: every rollout, this upgrade's included, stops all pods before starting new ones",
		[lib.describe(p.current)],
	)
}

_strategy_key("Deployment") := "strategy"

_strategy_key("DaemonSet") := "updateStrategy"

_strategy(r, kind) := object.get(r.object, ["spec", _strategy_key(kind), "type"], "RollingUpdate")

# [number, "%" or ""]: percentages and counts are only compared with their own kind.
_amount(v) := [v, ""] if is_number(v)

_amount(v) := [lib.decimal(trim_suffix(v, "%")), "%"] if {
	is_string(v)
	endswith(v, "%")
	regex.match(`^[0-9]+%$`, v)
}

_amount(v) := [lib.decimal(v), ""] if {
	is_string(v)
	regex.match(`^[0-9]+$`, v)
}

_looser("minAvailable", [old, u], [new, u]) if new < old

_looser("maxUnavailable", [old, u], [new, u]) if new > old

# A readiness probe removed from a container both releases have.
report contains lib.violation(p.current, array.concat(pod.path, ["containers", n]), msg) if {
	some [p, b, a] in _pairs
	some pod in _pods_of[p.current]
	some n, c in pod.spec.containers
	not c.readinessProbe
	some old in object.get(b.object, array.concat(pod.path, ["containers"]), [])
	old.name == c.name
	old.readinessProbe
	msg := sprintf(
		"%s: container %q loses its readiness probe: its pods get traffic as soon as they start, before they can serve it",
		[lib.describe(p.current), c.name],
	)
}

# Pod templates by object, built once (pairs × pods was quadratic: 70 s at 10,000 objects).
_pods_of[i] contains pod if {
	some pod in input.pods
	i := pod.resource
}
