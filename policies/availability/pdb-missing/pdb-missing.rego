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

# A budget first: in a release that has them it settles every workload. Then the count read
# once with lib.replica_count (a number, or a string of digits, as lib.replicas reads it) from
# the object this body already holds: one pass over the workloads, where a report for numbers
# and one for quoted counts each made theirs and the second read the count again through
# lib.replicas (speed at 10,000 objects). lib.describe written out (a call per finding):
# `{true: …, false: …}[test]` writes the namespace before the name when the object has one,
# as lib.describe does.
report contains {"resource": i, "path": ["spec", "replicas"], "message": msg} if {
	some kind in _kinds
	some i in rel.of_kind(kind)
	not _protected[i]
	r := input.resources[i]
	r.hook == null
	n := lib.replica_count(r.object.spec.replicas)
	n > 1
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
	r := input.resources[i]
	r.kind in _kinds
	r.hook == null
	not lib.replicas(i) > 1
	max := object.get(input.resources[h].object.spec, "maxReplicas", "unknown")
	not max == 1
	msg := sprintf(
		"%s is scaled by %s (up to %v replicas) and no PodDisruptionBudget selects its pods: a node drain may evict all of them at once",
		[lib.describe(i), lib.describe(h), max],
	)
	related := [{"resource": h, "path": ["spec", "scaleTargetRef"], "message": sprintf("%s targets %s", [lib.describe(h), lib.describe(i)])}]
}

# The objects whose pods a PodDisruptionBudget selects: built once from the budgets rather
# than scanning each workload's selected_by (the same relation, src/evaluate/index.rs).
_protected contains input.pods[p].resource if {
	some b in rel.of_kind("PodDisruptionBudget")
	some p in rel.selects(b).pods
}
