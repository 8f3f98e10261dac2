# METADATA
# title: NetworkPolicies select pods of the release
# description: >-
#   The `spec.podSelector` of every NetworkPolicy of the release, when it is not empty,
#   selects the pods of at least one workload of the release in its namespace. Releases with
#   custom resources that may run pods of their own (operators) are not judged, nor are the
#   policies' peer selectors (they may name other applications' pods on purpose).
# custom:
#   id: networkpolicy-selector-mismatch
#   severity: warning
#   profiles: [dev, prod]
#   scope: release
#   tags: [security, traffic]
#   security-severity: 5.0
#   why: >-
#     A NetworkPolicy whose podSelector matches nothing isolates nothing: the workload it was
#     written for accepts traffic from everywhere, while the chart, its values and the review
#     all say it is locked down. It happens when selector labels change (a fullnameOverride,
#     a renamed component label) in the workload's helper but not in the policy's.
#   fix: >-
#     Build the policy's podSelector from the same selector-labels helper as the workload's
#     pod template (`{{- include "mychart.selectorLabels" . | nindent 6 }}`), with the same
#     component label when the chart has several workloads.
#   references:
#     - https://kubernetes.io/docs/concepts/services-networking/network-policies/
package chartguard.rules.traffic["networkpolicy-selector-mismatch"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

report contains lib.violation(i, ["spec", "podSelector"], msg) if {
	some i in rel.of_kind("NetworkPolicy")
	r := input.resources[i]
	startswith(r.api_version, "networking.k8s.io/")
	r.hook == null
	sel := r.object.spec.podSelector
	is_object(sel)
	_non_empty(sel)
	# The index resolved the selector (rel.pods_matching_selector's result, computed in Rust).
	count(rel.selects(i).pods) == 0
	not rel.custom_workloads_present(i)
	msg := sprintf(
		"%s selects no pod of the release (podSelector %s): it isolates nothing, and the workload it was meant for accepts traffic from everywhere",
		[lib.describe(i), json.marshal(sel)],
	)
}

_non_empty(sel) if {
	ml := sel.matchLabels
	is_object(ml)
	count(ml) > 0
}

_non_empty(sel) if {
	me := sel.matchExpressions
	is_array(me)
	count(me) > 0
}
