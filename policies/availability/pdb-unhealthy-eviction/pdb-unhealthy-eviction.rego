# METADATA
# title: Disruption budgets of stateless workloads let unhealthy pods be evicted
# description: >-
#   A policy/v1 PodDisruptionBudget of the release that selects the pods of a Deployment (and
#   of no StatefulSet) sets `unhealthyPodEvictionPolicy: AlwaysAllow`.
# custom:
#   id: pdb-unhealthy-eviction
#   severity: note
#   profiles: [prod]
#   scope: release
#   tags: [availability, operations]
#   why: >-
#     With the default policy (IfHealthyBudget) a pod that is running but not ready may only
#     be evicted while the budget is met. When a bad rollout or a missing dependency leaves
#     enough replicas unready, the budget is never met, and every node drain, cluster upgrade
#     or autoscaler scale-down stalls on pods that serve nothing anyway. For stateless pods,
#     evicting an unready pod loses nothing. (StatefulSets are left out: an unready member of a
#     quorum may still be catching up, and keeping it can be the safer choice.)
#   fix: >-
#     Add `unhealthyPodEvictionPolicy: AlwaysAllow` to the PodDisruptionBudget (policy/v1,
#     Kubernetes 1.27 and later; GA in 1.31).
#   references:
#     - https://kubernetes.io/docs/tasks/run-application/configure-pdb/#unhealthy-pod-eviction-policy
package chartguard.rules.availability["pdb-unhealthy-eviction"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

report contains lib.violation(i, ["spec"], msg) if {
	some i in rel.of_kind("PodDisruptionBudget")
	r := input.resources[i]
	r.hook == null
	startswith(r.api_version, "policy/v1")
	not r.api_version == "policy/v1beta1"
	spec := r.object.spec
	is_object(spec)
	not spec.unhealthyPodEvictionPolicy == "AlwaysAllow"
	not _too_old
	pods := _pods(i, spec.selector)
	kinds := {input.resources[input.pods[p].resource].kind | some p in pods}
	"Deployment" in kinds
	not "StatefulSet" in kinds
	workloads := sort({lib.describe(input.pods[p].resource) | some p in pods})
	msg := sprintf(
		"%s protects %s with the default unhealthyPodEvictionPolicy (IfHealthyBudget): when enough pods are unready, node drains stall on pods that serve nothing; set AlwaysAllow",
		[lib.describe(i), concat(", ", workloads)],
	)
}

# The pod templates the selector selects: as the index resolved them, except for an apiVersion
# such as policy/v1beta1x, whose empty selector the index reads as policy/v1beta1's (none).
_pods(i, selector) := rel.selects(i).pods if {
	not startswith(input.resources[i].api_version, "policy/v1beta1")
} else := rel.pods_matching_selector(selector, i)

# The field is honoured from Kubernetes 1.27 (beta, on by default).
_too_old if {
	is_string(input.kube_version)
	not rel.version_at_least(input.kube_version, "1.27")
}
