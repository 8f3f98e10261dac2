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
# With no constraint entries only an anti-affinity term can spread the pods, so the cheap
# test of the constraints comes first and settles the constrained pods (they are the third
# report's) before any selector is matched.
report contains {"resource": p.resource, "path": p.path, "message": msg, "severity": "note"} if {
	some [q, n] in _replicated_pods
	p := input.pods[q]
	not _constrained(p.spec)
	not _anti_affine(p)
	msg := sprintf(
		"%s runs %s with no topologySpreadConstraints or podAntiAffinity on its own pods: the scheduler's default spreading is best effort, so all replicas may share one node",
		[lib.describe(p.resource), _count_text(n)],
	)
}

# Invalid constraints: the API server rejects the object. (_unrejected first: the reason is
# worded only for the few that are not.)
report contains {"resource": p.resource, "path": array.concat(p.path, ["topologySpreadConstraints", n]), "message": msg, "severity": "error"} if {
	some p in input.pods
	constraints := p.spec.topologySpreadConstraints
	is_array(constraints)
	some n, c in constraints
	not _unrejected(c)
	problem := _invalid(c)
	msg := sprintf("%s: topologySpreadConstraints[%d] %s: the API server rejects the object", [lib.describe(p.resource), n, problem])
}

# Constraints and anti-affinity terms that do not select the workload's own pods. Most
# constraints select them: that test comes first, so validity is checked only for the rest.
report contains {"resource": p.resource, "path": array.concat(p.path, ["topologySpreadConstraints", n, "labelSelector"]), "message": msg} if {
	some [q, _] in _replicated_pods
	p := input.pods[q]
	constraints := p.spec.topologySpreadConstraints
	is_array(constraints)
	some n, c in constraints
	not _selects_own(c.labelSelector, p)
	_unrejected(c)
	msg := sprintf(
		"%s: topologySpreadConstraints[%d] (%v) does not select the workload's own pods, so it does not spread them",
		[lib.describe(p.resource), n, object.get(c, "topologyKey", "?")],
	)
}

# The pod templates (indexes into input.pods) of Deployments and StatefulSets (hooks skipped)
# that run two or more replicas or are scaled by an autoscaler, each with its count as the
# note words it, found in one pass over the pods that both of their reports then share.
# The count is read here, once, from the object this pass already holds: before, a pass over
# the workloads per way of writing spec.replicas (a number, a quoted count) found them, and
# the note read the count again through lib.replicas for each finding.
_replicated_pods contains [q, n] if {
	some q, p in input.pods
	i := p.resource
	r := input.resources[i]
	r.kind in _kinds
	r.hook == null
	is_object(p.spec)
	n := _spread_count(object.get(r.object.spec, "replicas", null), i)
}

# spec.replicas (null when absent) when it is two or more, as lib.replicas reads it (a number,
# or a string of digits: lib.replica_count), else "under an autoscaler" for an HPA's target;
# undefined for the rest. A number first, without the call: most counts are written so.
_spread_count(n, i) := n if {
	is_number(n)
	n >= 2
} else := m if {
	m := lib.replica_count(n)
	m >= 2
} else := "under an autoscaler" if {
	_autoscaled[i]
}

# Autoscaled: the targets the index resolved for each HPA (ordinary objects, as the HPAs
# rel.hpas_for finds are) rather than rel.hpas_for(i) for every workload, which cost most of
# this set's time in a release without HPAs.
_autoscaled contains i if {
	some h in rel.of_kind("HorizontalPodAutoscaler")
	some i in rel.selects(h).targets
}

_count_text(n) := sprintf("%v replicas", [n]) if is_number(n)
else := n

# Some topologySpreadConstraints entry: the constraints' reports judge those pods.
_constrained(spec) if {
	constraints := spec.topologySpreadConstraints
	is_array(constraints)
	count(constraints) > 0
}

_anti_affine(p) if {
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

# Exactly when _invalid(c) is undefined, in one call for the valid majority.
_unrejected(c) if {
	is_object(c)
	is_number(c.maxSkew)
	c.maxSkew >= 1
	is_string(c.topologyKey)
	c.topologyKey != ""
	c.whenUnsatisfiable in {"DoNotSchedule", "ScheduleAnyway"}
}

_invalid(c) := "is not an object" if not is_object(c)
else := "has no maxSkew (it is required, 1 or more)" if {
	not "maxSkew" in object.keys(c)
} else := sprintf("has maxSkew %v (must be 1 or more)", [c.maxSkew]) if {
	is_number(c.maxSkew)
	c.maxSkew < 1
} else := sprintf("has maxSkew %s (must be a number, 1 or more)", [json.marshal(c.maxSkew)]) if {
	not is_number(c.maxSkew)
} else := "has no topologyKey" if {
	not _non_empty_string(c.topologyKey)
} else := sprintf("has whenUnsatisfiable %v (DoNotSchedule or ScheduleAnyway)", [object.get(c, "whenUnsatisfiable", "unset")]) if {
	not c.whenUnsatisfiable in {"DoNotSchedule", "ScheduleAnyway"}
}

_non_empty_string(x) if {
	is_string(x)
	x != ""
}

_arr(x) := x if is_array(x)
else := []
