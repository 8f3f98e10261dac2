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

# More than one replica, written in the object.
report contains lib.violation(i, ["spec", "replicas"], msg) if {
	some i in _workloads
	n := lib.replicas(i)
	n > 1
	not _protected(i)
	msg := sprintf(
		"%s runs %v replicas and no PodDisruptionBudget selects its pods: a node drain may evict all of them at once",
		[lib.describe(i), n],
	)
}

# Scaled by an HPA (the object itself has 0/1/no replicas).
report contains lib.violation_related(i, _labels_path, msg, related) if {
	some i in _workloads
	not lib.replicas(i) > 1
	some h in rel.hpas_for(i)
	max := object.get(input.resources[h].object.spec, "maxReplicas", "unknown")
	not max == 1
	not _protected(i)
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

# Some PodDisruptionBudget selects the workload's pod template: the selectors are resolved in
# Rust (rel.selected_by), so there is no workloads × PDBs loop, even at 10,000 objects.
_protected(i) if {
	some p in rel.selected_by(i)
	input.resources[p].kind == "PodDisruptionBudget"
}
