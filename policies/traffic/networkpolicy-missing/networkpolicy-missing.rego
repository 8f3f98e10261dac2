# METADATA
# title: Workloads are isolated by a NetworkPolicy of the release
# description: >-
#   In prod, the pods of every Deployment, StatefulSet and DaemonSet of the release (hooks
#   skipped) are selected by a NetworkPolicy of the release (an empty podSelector selects all
#   pods of its namespace). A note: many platforms apply namespace-wide policies outside the
#   chart (say so with the parameter `namespace_default_policy`).
# custom:
#   id: networkpolicy-missing
#   severity: note
#   profiles: [prod]
#   scope: release
#   tags: [security, traffic]
#   security-severity: 4.0
#   why: >-
#     Without a NetworkPolicy selecting it, a pod accepts connections from every pod in the
#     cluster and can open connections anywhere: one compromised workload in any namespace
#     can reach this one's admin ports and databases. Charts that ship a policy
#     (`networkPolicy.enabled`) carry the knowledge of which ports and peers the application
#     needs; the platform team usually does not have it.
#   fix: >-
#     Enable the chart's NetworkPolicy in the prod values (`networkPolicy.enabled: true`, as
#     bitnami and argo charts offer), or rely on the namespace's default-deny policy and
#     suppress the note with that reason.
#   params:
#     namespace_default_policy:
#       description: >-
#         true when the platform gives every namespace a default NetworkPolicy (a default-deny
#         made outside the charts): the release's pods are isolated without a policy of their
#         own, and the rule reports nothing. Says why in the config, where `rules.disable`
#         would not.
#       default: false
#       schema: {type: boolean}
#   references:
#     - https://kubernetes.io/docs/concepts/services-networking/network-policies/
package chartguard.rules.traffic["networkpolicy-missing"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

_kinds := {"Deployment", "StatefulSet", "DaemonSet"}

# A release with no NetworkPolicy at all: one note, on its first workload, naming them all.
report contains lib.violation(first.resource, first.labels_path, msg) if {
	count(_policies) == 0
	not data.params["networkpolicy-missing"].namespace_default_policy
	pods := [pod | some pod in input.pods; _judged(pod)]
	count(pods) > 0
	first := pods[0]
	names := sort({lib.describe(pod.resource) | some pod in pods})
	msg := sprintf(
		"the release has no NetworkPolicy: the pods of %s accept traffic from every pod of the cluster",
		[concat(", ", names)],
	)
}

# Otherwise each workload its policies leave out. The parameter is read once, not per pod;
# the set lookup comes first (it settles every pod in a release whose policies cover it),
# then _judged and lib.describe written out (a call each per pod cost more than the rest of
# the rule at 10,000 objects). `{true: …, false: …}[test]` writes the namespace before the
# name when the object has one, as lib.describe does.
report contains {"resource": pod.resource, "path": pod.labels_path, "message": msg} if {
	count(_policies) > 0
	not data.params["networkpolicy-missing"].namespace_default_policy
	some p, pod in input.pods
	not _covered[p]
	r := input.resources[pod.resource]
	r.kind in _kinds
	r.hook == null
	msg := sprintf(
		"%s %s%s is selected by none of the release's NetworkPolicies: its pods accept traffic from every pod of the cluster",
		[r.kind, {true: sprintf("%s/", [r.namespace]), false: ""}[is_string(r.namespace)], r.name],
	)
}

_judged(pod) if {
	r := input.resources[pod.resource]
	r.kind in _kinds
	r.hook == null
}

_policies contains i if {
	some i in rel.of_kind("NetworkPolicy")
	r := input.resources[i]
	r.hook == null
	is_object(r.object.spec.podSelector)
}

# Pods some policy selects, as the index resolved them (rel.pods_matching_selector's result;
# resolving each selector in Rego cost ~60 µs).
_covered contains p if {
	some i in _policies
	some p in rel.selects(i).pods
}
