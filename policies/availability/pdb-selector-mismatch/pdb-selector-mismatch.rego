# METADATA
# title: PodDisruptionBudgets select pods of the release
# description: >-
#   Every PodDisruptionBudget (policy/v1 or v1beta1) selects the pod template of at least one
#   workload of the release in its namespace (hooks' and helm tests' pods do not count).
#   Quiet when the release holds custom resources that may run pods of their own.
# custom:
#   id: pdb-selector-mismatch
#   severity: warning
#   profiles: [dev, prod]
#   scope: release
#   tags: [availability, disruption, labels]
#   why: >-
#     A budget whose selector matches no pod protects nothing: the workload it was written for
#     is evicted all at once during drains, while the PDB looks fine in review. It is usually a
#     renamed label (a selectorLabels helper that changed, a component name typo).
#   fix: >-
#     Build the PDB's `selector.matchLabels` from the same helper as the workload's
#     `spec.selector` and pod template labels (`{{- include "mychart.selectorLabels" . | nindent 6 }}`).
#   references:
#     - https://kubernetes.io/docs/tasks/run-application/configure-pdb/#specifying-a-poddisruptionbudget
package chartguard.rules.availability["pdb-selector-mismatch"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

report contains lib.violation(i, ["spec", "selector"], msg) if {
	some i in rel.of_kind("PodDisruptionBudget")
	r := input.resources[i]
	r.hook == null
	# Resolved in Rust: no pod for a missing selector, or an empty one in policy/v1beta1.
	# Tested first: most budgets select pods (speed at 10,000 objects).
	count(rel.selects(i).pods) == 0
	not rel.custom_workloads_present(i)
	selector := object.get(r.object, ["spec", "selector"], null)
	not _selects_whole_namespace(i, selector)
	msg := sprintf("%s: %s", [lib.describe(i), _why(i, selector)])
}

_why(i, selector) := "spec.selector is missing, so the budget selects no pod" if {
	not is_object(selector)
} else := "spec.selector is empty, which in policy/v1beta1 selects no pod" if {
	startswith(input.resources[i].api_version, "policy/v1beta1")
	count(selector) == 0
} else := sprintf("spec.selector (%s) matches no pod template of the release: the budget protects nothing (a renamed label?)", [_show(selector)])

_show(selector) := concat(", ", array.concat(
	sort([sprintf("%s=%v", [k, v]) | some k, v in object.get(selector, "matchLabels", {})]),
	[sprintf("%s %s", [e.key, e.operator]) | some e in _exprs(selector)],
))

_exprs(selector) := e if {
	e := selector.matchExpressions
	is_array(e)
} else := []

# policy/v1: an empty selector selects every pod of the namespace (maybe other releases' pods).
_selects_whole_namespace(i, selector) if {
	is_object(selector)
	count(selector) == 0
	not startswith(input.resources[i].api_version, "policy/v1beta1")
}
