# METADATA
# title: Replicas are spread over nodes
# description: >-
#   In prod, a Deployment or StatefulSet (hooks skipped) that runs two or more replicas, or
#   is scaled by an autoscaler, has a topologySpreadConstraints entry or a podAntiAffinity
#   term whose label selector matches its own pods (a note when it has neither: the
#   scheduler's default spreading is only best effort). Every topologySpreadConstraints entry has
#   maxSkew ≥ 1, a topologyKey and a valid whenUnsatisfiable (errors: the API server rejects
#   them), and selects the workload's own pods (a warning: otherwise it spreads nothing).
# custom:
#   id: replica-spread
#   severity: warning
#   profiles: [prod]
#   scope: object
#   tags: [availability]
#   why: >-
#     Replicas protect against a node failure only if they run on different nodes (and
#     against a zone outage only in different zones). The scheduler's default spreading is a
#     preference that yields to resources: after a drain or a scale-up on a busy cluster,
#     all replicas can end up on one node, and its loss takes the whole workload down. A
#     constraint whose selector does not match the workload's own pods (a copied label, a
#     missing component label) spreads nothing while looking as if it did.
#   fix: >-
#     Add `topologySpreadConstraints: [{maxSkew: 1, topologyKey: kubernetes.io/hostname,
#     whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: <the pod's selector
#     labels>}}]` (and the same with `topology.kubernetes.io/zone` on multi-zone clusters), or
#     a preferred podAntiAffinity term on kubernetes.io/hostname with the same selector.
#   references:
#     - https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/
#     - https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#inter-pod-affinity-and-anti-affinity
package chartguard.rules.availability["replica-spread"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

_kinds := {"Deployment", "StatefulSet"}

# No spreading at all: a note, the default scheduler spreads on a best-effort basis.
report contains lib.violation_with_severity(p.resource, p.path, msg, "note") if {
	some p in input.pods
	_replicated_workloads[p.resource]
	is_object(p.spec)
	not _spread(p)
	count(_arr(object.get(p.spec, "topologySpreadConstraints", null))) == 0
	msg := sprintf(
		"%s runs %s with no topologySpreadConstraints or podAntiAffinity on its own pods: the scheduler's default spreading is best effort, so all replicas may share one node",
		[lib.describe(p.resource), _count_text(p.resource)],
	)
}

# Invalid constraints: the API server rejects the object.
report contains lib.violation_with_severity(p.resource, array.concat(p.path, ["topologySpreadConstraints", n]), msg, "error") if {
	some p in input.pods
	constraints := p.spec.topologySpreadConstraints
	is_array(constraints)
	some n, c in constraints
	problem := _invalid(c)
	msg := sprintf("%s: topologySpreadConstraints[%d] %s: the API server rejects the object", [lib.describe(p.resource), n, problem])
}

# Constraints and anti-affinity terms that do not select the workload's own pods.
report contains lib.violation(p.resource, array.concat(p.path, ["topologySpreadConstraints", n, "labelSelector"]), msg) if {
	some p in input.pods
	_replicated_workloads[p.resource]
	is_object(p.spec)
	some n, c in _arr(p.spec.topologySpreadConstraints)
	is_object(c)
	not _invalid(c)
	not _selects_own(c.labelSelector, p)
	msg := sprintf(
		"%s: topologySpreadConstraints[%d] (%v) does not select the workload's own pods, so it does not spread them",
		[lib.describe(p.resource), n, object.get(c, "topologyKey", "?")],
	)
}

# The workloads _replicated holds for, found once: the reports ask it of every pod template.
_replicated_workloads contains i if {
	some kind in _kinds
	some i in rel.of_kind(kind)
	_replicated(i)
}

_replicated(i) if {
	r := input.resources[i]
	r.kind in _kinds
	r.hook == null
	lib.replicas(i) >= 2
}

_replicated(i) if {
	r := input.resources[i]
	r.kind in _kinds
	r.hook == null
	count(rel.hpas_for(i)) > 0
}

_count_text(i) := sprintf("%v replicas", [lib.replicas(i)]) if lib.replicas(i) >= 2
else := "under an autoscaler"

_spread(p) if {
	some c in _arr(p.spec.topologySpreadConstraints)
	is_object(c)
	_selects_own(c.labelSelector, p)
}

_spread(p) if {
	anti := p.spec.affinity.podAntiAffinity
	is_object(anti)
	some term in array.concat(
		_arr(object.get(anti, "requiredDuringSchedulingIgnoredDuringExecution", null)),
		[t.podAffinityTerm | some t in _arr(object.get(anti, "preferredDuringSchedulingIgnoredDuringExecution", null)); is_object(t)],
	)
	is_object(term)
	_selects_own(term.labelSelector, p)
}

# A selector that selects something: an empty or absent one selects no pod here.
_selects_own(sel, p) if {
	is_object(sel)
	count(object.keys(sel)) > 0
	lib.selector_matches(sel, _labels(p))
}

_labels(p) := p.labels if is_object(p.labels)
else := {}

_invalid(c) := "is not an object" if not is_object(c)
else := sprintf("has maxSkew %v (must be 1 or more)", [c.maxSkew]) if {
	not _positive(c.maxSkew)
} else := "has no topologyKey" if {
	not _non_empty_string(c.topologyKey)
} else := sprintf("has whenUnsatisfiable %v (DoNotSchedule or ScheduleAnyway)", [object.get(c, "whenUnsatisfiable", "unset")]) if {
	not c.whenUnsatisfiable in {"DoNotSchedule", "ScheduleAnyway"}
}

_positive(x) if {
	is_number(x)
	x >= 1
}

_non_empty_string(x) if {
	is_string(x)
	x != ""
}

_arr(x) := x if is_array(x)
else := []
