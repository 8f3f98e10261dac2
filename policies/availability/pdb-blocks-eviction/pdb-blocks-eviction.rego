# METADATA
# title: PodDisruptionBudgets leave room for at least one eviction
# description: >-
#   A PodDisruptionBudget does not set maxUnavailable to 0 / "0%", and its minAvailable is
#   lower than the replicas of the Deployments, StatefulSets and ReplicaSets it covers
#   (their summed spec.replicas, or an HPA's minReplicas; 1 when unset).
# custom:
#   id: pdb-blocks-eviction
#   severity: warning
#   profiles: [dev, prod]
#   scope: release
#   tags: [availability, disruption, operations]
#   why: >-
#     A budget that allows zero disruptions makes every eviction fail: `kubectl drain`, cluster
#     upgrades and the cluster autoscaler retry forever and node maintenance hangs until
#     someone deletes the PDB by hand. minAvailable equal to the replica count (a single
#     replica with minAvailable 1, or "100%") is the same as maxUnavailable 0.
#   fix: >-
#     Use `maxUnavailable: 1` (or a percentage that rounds to at least one pod), or keep
#     minAvailable below the replica count – e.g. run 3 replicas with `minAvailable: 2`. Do not
#     enable the PDB for single-replica installs.
#   references:
#     - https://kubernetes.io/docs/tasks/run-application/configure-pdb/#think-about-how-your-application-reacts-to-disruptions
#     - https://kubernetes.io/docs/concepts/workloads/pods/disruptions/
package chartguard.rules.availability["pdb-blocks-eviction"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

_workload_kinds := {"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"}

# maxUnavailable 0: no eviction is ever allowed, whatever the replica count.
report contains lib.violation(i, ["spec", "maxUnavailable"], msg) if {
	some i in _pdbs
	v := input.resources[i].object.spec.maxUnavailable
	v in {0, "0", "0%"}
	not _has(input.resources[i].object.spec, "minAvailable")
	msg := sprintf(
		"%s sets spec.maxUnavailable to %v: no pod may ever be evicted, so node drains and cluster upgrades hang",
		[lib.describe(i), v],
	)
}

# minAvailable ≥ the pods of the workloads it covers. The covered workloads are read in place
# (the selector resolved in Rust: an empty one selects nothing in policy/v1beta1); the workloads
# are not hooks, tests, DaemonSets or bare Pods.
report contains {"resource": i, "path": ["spec", "minAvailable"], "message": msg, "related": related} if {
	some i in _pdbs
	spec := input.resources[i].object.spec
	not spec.maxUnavailable != null
	min_available := spec.minAvailable
	covered := {w |
		some p in rel.selects(i).pods
		w := input.pods[p].resource
		input.resources[w].kind in _workload_kinds
	}
	count(covered) > 0
	counts := [n | some w in covered; n := _replicas(w)]
	count(counts) == count(covered)
	total := sum(counts)
	total > 0
	needed := _needed(min_available, total)
	needed >= total
	names := concat(", ", sort([lib.describe(w) | some w in covered]))
	msg := sprintf(
		"%s requires minAvailable %v of the %v pod(s) of %s: no pod may ever be evicted, so node drains and cluster upgrades hang",
		[lib.describe(i), min_available, total, names],
	)
	related := [{"resource": w, "path": ["spec", "replicas"], "message": sprintf("%s runs %v pod(s)", [lib.describe(w), _replicas(w)])} | some w in covered]
}

_pdbs contains i if {
	some i in rel.of_kind("PodDisruptionBudget")
	r := input.resources[i]
	r.hook == null
	is_object(r.object.spec)
}

_has(obj, key) if obj[key] != null

# The fewest pods the workload runs: an HPA's minReplicas, else spec.replicas (1 when unset).
# Undefined when the count is unreadable.
_replicas(w) := min([m | some h in _hpas_by_target[w]; m := _hpa_min(h)]) if {
	_hpas_by_target[w]
} else := lib.replicas(w) if {
	input.resources[w].object.spec.replicas != null
} else := 1 if {
	not _has(input.resources[w].object.spec, "replicas")
}

# The HPAs scaling each object, from the HPAs' resolved targets in one pass: the relation
# rel.hpas_for builds per object from selected_by.
_hpas_by_target[w] contains h if {
	some h in rel.of_kind("HorizontalPodAutoscaler")
	some w in rel.selects(h).targets
}

_hpa_min(h) := m if {
	m := input.resources[h].object.spec.minReplicas
	is_number(m)
} else := 1

# Pods minAvailable keeps: an integer, or a percentage rounded up (as the disruption controller does).
# One definition with else branches (the cases exclude each other): regorus evaluates every
# definition of a function otherwise.
_needed(v, total) := v if {
	is_number(v)
} else := lib.decimal(v) if {
	is_string(v)
	regex.match(`^[0-9]+$`, v)
} else := ceil((lib.decimal(trim_suffix(v, "%")) * total) / 100) if {
	is_string(v)
	regex.match(`^[0-9]+(\.[0-9]+)?%$`, v)
}
