# METADATA
# title: Production workloads run more than one replica
# description: >-
#   A Deployment or StatefulSet (hooks skipped) runs at least two replicas, or is scaled by a
#   HorizontalPodAutoscaler (or a KEDA ScaledObject) in the release. `replicas: 1` and an
#   unset replicas (which means 1) are reported; `replicas: 0` (a scaled-down blue-green
#   slot) is not. A single-replica Deployment is a warning; a single-replica StatefulSet is
#   a note, since making a stateful application redundant takes its clustered mode, not a
#   bigger replica count.
# custom:
#   id: replicas-single
#   severity: warning
#   profiles: [prod]
#   scope: release
#   tags: [availability]
#   why: >-
#     With a single replica every routine event is an outage: a node drain or cluster
#     upgrade, a spot reclaim, an OOM kill, a pod rescheduled by the autoscaler. Nothing
#     serves while the one pod is replaced, and a PodDisruptionBudget cannot help (it would
#     only block the drain).
#   fix: >-
#     Set `replicas` to 2 or more in values-prod.yaml (with a PodDisruptionBudget and a
#     topology spread so the replicas do not share a node), or enable the chart's
#     HorizontalPodAutoscaler with `minReplicas: 2`. For a StatefulSet, enable the
#     application's replicated or clustered mode (more replicas of a standalone database are
#     independent databases). A workload that must run alone (a controller without leader
#     election) is a deliberate choice: suppress the finding on it with the reason.
#   references:
#     - https://kubernetes.io/docs/concepts/workloads/controllers/deployment/
#     - https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/
package chartguard.rules.workloads["replicas-single"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

report contains lib.violation(i, ["spec", "replicas"], msg) if {
	some i in _single("Deployment")
	msg := sprintf(
		"%s runs a single replica (%s) and no HorizontalPodAutoscaler scales it: every node drain, eviction or crash is an outage",
		[lib.describe(i), _written(i)],
	)
}

report contains lib.violation_with_severity(i, ["spec", "replicas"], msg, "note") if {
	some i in _single("StatefulSet")
	msg := sprintf(
		"%s runs a single replica (%s): it is down during every node drain, eviction or crash; run the application's replicated mode if it has one",
		[lib.describe(i), _written(i)],
	)
}

_single(kind) := {i |
	some i in rel.of_kind(kind)
	r := input.resources[i]
	r.hook == null
	_replicas(i) == 1
	not _autoscaled(i)
}

# spec.replicas as a number; 1 when absent or null (the API's default). Undefined otherwise.
_replicas(i) := n if {
	n := lib.replicas(i)
} else := 1 if {
	object.get(input.resources[i].object, ["spec", "replicas"], null) == null
}

_written(i) := "spec.replicas: 1" if {
	lib.replicas(i)
} else := "spec.replicas unset, which means 1"

# Autoscalers in the release, indexed by [target kind, target name].
_scalers[key] contains h if {
	some scaler in ["HorizontalPodAutoscaler", "ScaledObject"]
	some h in rel.of_kind(scaler)
	r := input.resources[h]
	r.hook == null
	ref := r.object.spec.scaleTargetRef
	name := ref.name
	kind := object.get(ref, "kind", "Deployment")
	key := [kind, name]
}

_autoscaled(i) if {
	some h in _scalers[[input.resources[i].kind, input.resources[i].name]]
	rel.same_namespace(h, i)
}
