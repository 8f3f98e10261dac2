# METADATA
# title: Hooks are deleted before Helm creates them again
# description: >-
#   A hook that sets helm.sh/hook-delete-policy includes before-hook-creation in it, and every
#   item is a policy Helm knows (before-hook-creation, hook-succeeded, hook-failed). Without the
#   annotation Helm applies before-hook-creation itself, so that is fine; a list of
#   hook-succeeded and hook-failed together also always removes the hook.
# custom:
#   id: hook-delete-policy
#   severity: warning
#   profiles: [dev, prod]
#   scope: object
#   tags: [hooks, upgrades]
#   why: >-
#     Helm applies its default, before-hook-creation, only when the annotation is absent or
#     empty of items. An explicit list without it (`hook-succeeded` alone, a misspelt
#     `hook-succeded`) leaves the hook object in the cluster whenever that list does not delete
#     it – after a failed run for `hook-succeeded`, after a successful one for `hook-failed` –
#     and the next operation that runs the hook (install, upgrade, rollback, uninstall for
#     delete hooks, or `helm test`) then fails creating it again: `<kind> "<name>" already
#     exists`, until someone deletes it by hand. Helm ignores policy values it
#     does not know without a warning.
#   fix: >-
#     Use `helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded` (keep failed hooks
#     for their logs until the next run), or remove the annotation to get Helm's default.
#   references:
#     - https://helm.sh/docs/topics/charts_hooks/#hook-deletion-policies
package chartguard.rules.hooks["hook-delete-policy"]

import data.chartguard.lib
import data.chartguard.lib.hooks_lib
import data.chartguard.lib.relations_lib as rel

_path := ["metadata", "annotations", "helm.sh/hook-delete-policy"]

# An explicit list that does not delete the hook before it is created again.
report contains {"resource": i, "path": _path, "message": msg} if {
	some i, items in _items
	not "before-hook-creation" in items
	r := input.resources[i]
	left := _left_behind(items)
	msg := sprintf(
		"%s sets helm.sh/hook-delete-policy %q without before-hook-creation: %s, and the next %s then fails with %s %q already exists",
		[lib.describe(i), r.object.metadata.annotations["helm.sh/hook-delete-policy"], left, _next_run(r), r.kind, r.name],
	)
}

# A value Helm does not know (it is ignored).
report contains {"resource": i, "path": _path, "message": msg} if {
	some i, items in _items
	some p in items
	not p in _known
	p != ""
	msg := sprintf(
		"%s has helm.sh/hook-delete-policy %q, which Helm does not know and ignores without a warning%s",
		[lib.describe(i), p, _hint(p)],
	)
}

# Each hook's delete-policy items (those with the annotation), read once for both reports.
# A hook whose list (hook.delete_policies: the annotation split at commas and trimmed, empty
# items dropped, as hooks_lib reads it but not lower-cased) is in _settled_lists is left out
# by a set lookup: neither report judges it, and splitting its annotation again cost 17 ms at
# 1,666 hooks.
_items := {i: items |
	some i in rel.hooks(0)
	not input.resources[i].hook.delete_policies in _settled_lists
	items := hooks_lib.delete_policy_items(i)
}

# The lists that are before-hook-creation and other known values, each once, in any order.
_settled_lists contains ["before-hook-creation"]

_settled_lists contains [a, b] if {
	some a in _known
	some b in _known
	a != b
	"before-hook-creation" in {a, b}
}

_settled_lists contains [a, b, c] if {
	some a in _known
	some b in _known
	some c in _known
	count({a, b, c}) == 3
	"before-hook-creation" in {a, b, c}
}

# hooks_lib's known values, read once per evaluation rather than by a call per item.
_known := {p | some p in hooks_lib.known_delete_policy_list(0)}

_left_behind(items) := "a failed run leaves the hook in the cluster" if {
	"hook-succeeded" in items
	not "hook-failed" in items
} else := "a successful run leaves the hook in the cluster" if {
	"hook-failed" in items
	not "hook-succeeded" in items
} else := "Helm never deletes the hook" if {
	not "hook-failed" in items
	not "hook-succeeded" in items
}

# The Helm operations that create the hook again: a post-delete hook is created by the next
# uninstall (of a later install of the release), not by an install or upgrade.
_next_run(r) := "`helm test`" if r.hook.test == true
else := concat(" or ", [op | some op in _op_order; op in _ops(r)]) if count(_ops(r)) > 0
else := "install or upgrade"

_ops(r) := {_event_op[e] | some e in r.hook.events; _event_op[e]}

_op_order := ["install", "upgrade", "rollback", "uninstall"]

_event_op := {
	"pre-install": "install", "post-install": "install",
	"pre-upgrade": "upgrade", "post-upgrade": "upgrade",
	"pre-rollback": "rollback", "post-rollback": "rollback",
	"pre-delete": "uninstall", "post-delete": "uninstall",
}

_hint(p) := sprintf("; %s", [hooks_lib.suggest_delete_policy(p)]) if {
	hooks_lib.suggest_delete_policy(p)
} else := sprintf("; known values: %s", [concat(", ", hooks_lib.known_delete_policy_list(0))])
