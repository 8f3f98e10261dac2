# METADATA
# title: Every object in a release is unique
# description: >-
#   No two objects of the release share API group, kind, namespace and name (hooks and helm
#   tests included: a hook that has the identity of an ordinary object collides with it).
#   Two hooks with the same identity are left alone when both have the before-hook-creation
#   delete policy (Helm's default): Helm replaces one with the other. Plain manifests are
#   compared within each file.
# custom:
#   id: duplicate-resource
#   severity: error
#   profiles: [dev, prod]
#   scope: release
#   tags: [correctness, helm]
#   why: >-
#     Helm creates each object of a release once: the second copy fails `helm install` with
#     "already exists" (or, for a hook colliding with an ordinary object, fails the hook or
#     the install), and on upgrade one copy silently wins. It comes from two templates (or a
#     chart and its subchart) producing the same name, often because both use the release
#     name alone.
#   fix: >-
#     Give each object its own name (suffix the component: `{{ include "mychart.fullname" .
#     }}-worker`), or render only one of them: guard the subchart's copy with a condition, or
#     drop the duplicate template.
#   references:
#     - https://helm.sh/docs/chart_best_practices/templates/#names
#     - https://helm.sh/docs/topics/charts_hooks/#hook-resources-are-not-managed-with-corresponding-releases
package chartguard.rules.release["duplicate-resource"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel
import data.chartguard.lib.workloads_lib as wl

# Every object by its identity. Plain manifests (no release) are compared per file: files
# linted together may be overlays of the same objects, not one release. Copies share kind and
# name: the full identity (API group, namespace, file) is only computed for the objects of the
# index's kind/name groups of two or more (speed at 10,000 objects).
_by_identity[key] contains i if {
	some names in rel.names_by_kind(0)
	some name, group in names
	name != ""
	count(group) > 1
	some i in group
	r := input.resources[i]
	key := [_scope(r), wl.api_group(r.api_version), r.kind, _namespace(i), r.name]
}


# The namespace the object lands in; for plain manifests without metadata.namespace, the one
# `kubectl apply` is given, the same for all of them (an explicit one may or may not equal it:
# those are kept apart).
_namespace(i) := ns if {
	ns := wl.effective_namespace(i)
} else := {"unset": true}

_scope(r) := "" if input.release != null
else := r.origin.file

# Every copy after the first is reported, pointing at the first. A hook colliding with a hook
# is skipped when both are deleted before re-creation (before-hook-creation, Helm's default
# when no delete policy is set): Helm replaces the first with the second.
report contains lib.violation_related(j, ["metadata", "name"], msg, related) if {
	some key, copies in _by_identity
	count(copies) > 1
	first := min(copies)
	some j in copies
	j > first
	not _both_replaced_hooks(first, j)
	msg := sprintf(
		"%s appears more than once in the release (first copy at %s): Helm cannot create it twice (\"already exists\"); rename one or render only one",
		[wl.describe_with_group(j), _where(first)],
	)
	related := [{"resource": first, "path": ["metadata", "name"], "message": sprintf("the first %s", [wl.describe_with_group(first)])}]
}

_both_replaced_hooks(a, b) if {
	_replaced_before_creation(a)
	_replaced_before_creation(b)
}

_replaced_before_creation(i) if {
	lib.is_hook(i)
	"before-hook-creation" in _delete_policies(i)
}

_replaced_before_creation(i) if {
	lib.is_hook(i)
	count(_delete_policies(i)) == 0
}

_delete_policies(i) := p if {
	p := input.resources[i].hook.delete_policies
	is_array(p)
} else := []

_where(i) := input.resources[i].origin.template if is_string(input.resources[i].origin.template)
else := sprintf("%s:%v", [input.resources[i].origin.file, input.resources[i].origin.line])
