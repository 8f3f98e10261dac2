# METADATA
# title: Replicated workloads have a PodDisruptionBudget
# description: >-
#   A Deployment or StatefulSet that runs more than one replica, or that a
#   HorizontalPodAutoscaler scales, has a PodDisruptionBudget in the release, in its
#   namespace, whose selector matches its pod template's labels.
# custom:
#   id: pdb-missing
#   severity: warning
#   profiles: [prod]
#   scope: release
#   tags: [availability, disruption]
#   why: >-
#     Node drains (cluster upgrades, autoscaler scale-down, spot reclaims) evict pods without
#     asking the workload. Without a PodDisruptionBudget a drain may evict every replica at
#     once, so the redundancy the replica count was meant to give disappears during routine
#     maintenance.
#   fix: >-
#     Add a policy/v1 PodDisruptionBudget to the chart (`minAvailable: 1` or
#     `maxUnavailable: 1`) whose `selector.matchLabels` are the workload's selector labels,
#     e.g. `{{- include "mychart.selectorLabels" . | nindent 6 }}`, enabled in
#     values-prod.yaml.
#   references:
#     - https://kubernetes.io/docs/concepts/workloads/pods/disruptions/
#     - https://kubernetes.io/docs/tasks/run-application/configure-pdb/
package chartguard.rules.availability["pdb-missing"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

_kinds := {"Deployment", "StatefulSet"}

_labels_path := ["spec", "template", "metadata", "labels"]

# A budget first: in a release that has them it settles every workload. Then lib.replicas and
# lib.describe written out (a call each per workload cost more than the rest of the rule at
# 10,000 objects): a number here, a string of digits in the next rule.
# `{true: …, false: …}[test]` writes the namespace before the name when the object has one,
# as lib.describe does.
report contains {"resource": i, "path": ["spec", "replicas"], "message": msg} if {
	some i in _workloads
	not _protected[i]
	r := input.resources[i]
	n := r.object.spec.replicas
	is_number(n)
	n > 1
	msg := sprintf(
		"%s %s%s runs %v replicas and no PodDisruptionBudget selects its pods: a node drain may evict all of them at once",
		[r.kind, {true: sprintf("%s/", [r.namespace]), false: ""}[is_string(r.namespace)], r.name, n],
	)
}

report contains {"resource": i, "path": ["spec", "replicas"], "message": msg} if {
	some i in _workloads
	r := input.resources[i]
	is_string(r.object.spec.replicas)
	# Before the budget test, as before: lib.replicas fails the whole rule on some strings
	# of digits (regorus's to_number rejects "03"), and must fail it for the same releases.
	n := lib.replicas(i)
	n > 1
	not _protected[i]
	msg := sprintf(
		"%s %s%s runs %v replicas and no PodDisruptionBudget selects its pods: a node drain may evict all of them at once",
		[r.kind, {true: sprintf("%s/", [r.namespace]), false: ""}[is_string(r.namespace)], r.name, n],
	)
}

# Per HPA, from what it targets, rather than rel.hpas_for per workload: most workloads have
# none. selects(h).targets is the inverse of the HPAs in selected_by (src/evaluate/index.rs).
report contains lib.violation_related(i, _labels_path, msg, related) if {
	some h in rel.of_kind("HorizontalPodAutoscaler")
	some i in rel.selects(h).targets
	not _protected[i]
	_workloads[i]
	not lib.replicas(i) > 1
	max := object.get(input.resources[h].object.spec, "maxReplicas", "unknown")
	not max == 1
	msg := sprintf(
		"%s is scaled by %s (up to %v replicas) and no PodDisruptionBudget selects its pods: a node drain may evict all of them at once",
		[lib.describe(i), lib.describe(h), max],
	)
	related := [{"resource": h, "path": ["spec", "scaleTargetRef"], "message": sprintf("%s targets %s", [lib.describe(h), lib.describe(i)])}]
}

_workloads contains i if {
	some kind in _kinds
	some i in rel.of_kind(kind)
	input.resources[i].hook == null
}

# The objects whose pods a PodDisruptionBudget selects: built once from the budgets rather
# than scanning each workload's selected_by (the same relation, src/evaluate/index.rs).
_protected contains input.pods[p].resource if {
	some b in rel.of_kind("PodDisruptionBudget")
	some p in rel.selects(b).pods
}
