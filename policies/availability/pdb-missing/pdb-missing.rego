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
	r := input.resources[i]
	some h in _hpas_by_target[concat("/", [r.kind, r.name])]
	_targets(h, i)
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
	some i, r in input.resources
	r.kind in _kinds
	r.hook == null
}

_hpas contains i if {
	some i, r in input.resources
	r.kind == "HorizontalPodAutoscaler"
	r.hook == null
}

# HPAs indexed by the kind/name they scale: a workload looks its own up (no workloads ×
# HPAs loop at 10,000 objects).
_hpas_by_target[key] contains h if {
	some h in _hpas
	ref := input.resources[h].object.spec.scaleTargetRef
	key := concat("/", [ref.kind, ref.name])
}

_pdbs contains i if {
	some i, r in input.resources
	r.kind == "PodDisruptionBudget"
	r.hook == null
}

_targets(h, i) if {
	ref := input.resources[h].object.spec.scaleTargetRef
	ref.kind == input.resources[i].kind
	ref.name == input.resources[i].name
	rel.same_namespace(h, i)
}

# Some PDB selects the workload's pod template labels. A PDB can only select labels that
# contain all of its matchLabels, so each PDB is indexed under its rarest pair and a
# workload looks up its own pairs: no workloads × PDBs loop, even at 10,000 objects.
_protected(i) if {
	labels := _template_labels(i)
	some k, v in labels
	some p in _pdbs_by_key[[k, v]]
	_selects(p, i, labels)
}

_protected(i) if {
	labels := _template_labels(i)
	some p in _pdbs_without_match_labels
	_selects(p, i, labels)
}

_template_labels(i) := labels if {
	labels := object.get(input.resources[i].object, _labels_path, {})
	is_object(labels)
} else := {}

_selects(p, i, labels) if {
	rel.same_namespace(p, i)
	selector := input.resources[p].object.spec.selector
	is_object(selector)
	lib.selector_matches(selector, labels)
}

_pdbs_by_label[pair] contains p if {
	some p in _pdbs
	some k, v in _match_labels(p)
	pair := [k, v]
}

_pdbs_by_key[pair] contains p if {
	some p in _pdbs
	ml := _match_labels(p)
	count(ml) > 0
	pair := min([[count(_pdbs_by_label[[k, v]]), [k, v]] | some k, v in ml])[1]
}

_pdbs_without_match_labels contains p if {
	some p in _pdbs
	count(_match_labels(p)) == 0
}

_match_labels(p) := ml if {
	ml := input.resources[p].object.spec.selector.matchLabels
	is_object(ml)
} else := {}
