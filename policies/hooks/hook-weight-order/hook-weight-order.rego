# METADATA
# title: Backup hooks run before migration hooks, and hook weights are integers
# description: >-
#   When a backup hook and a migration hook (Jobs or Pods) run on the same event
#   (pre-upgrade, pre-install, …), Helm's order – weight ascending, then name ascending – runs
#   the backup first. Every helm.sh/hook-weight is an integer (Helm silently reads anything
#   else as 0).
# custom:
#   id: hook-weight-order
#   severity: error
#   profiles: [dev, prod]
#   scope: release
#   tags: [hooks, upgrades, data-safety]
#   why: >-
#     Helm runs the hooks of one event one at a time, sorted by helm.sh/hook-weight and then by
#     name, never in file order. A migration that runs before the backup changes the schema
#     (or loses data) before the dump that would let you roll back is taken. A weight that is
#     not an integer (`"five"`, `"1.5"`) is read as 0 without a warning, which silently
#     reorders hooks.
#   fix: >-
#     Give the backup a lower weight than the migration (e.g. backup "-10", migration "-5"),
#     both quoted integers. Roles are detected from names, images and commands; set the
#     annotation `chartguard.io/hook-role: backup` or `migration` when detection is wrong
#     (`none` to opt out).
#   references:
#     - https://helm.sh/docs/topics/charts_hooks/#the-hook-weight
#     - https://helm.sh/docs/topics/charts_hooks/#the-available-hooks
package chartguard.rules.hooks["hook-weight-order"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

_weight_path := ["metadata", "annotations", "helm.sh/hook-weight"]

# A migration that Helm runs before a backup on an event they share. Only migrations that some
# backup of one of their events follows are paired with the backups (no backups × migrations
# loop when the order is right, as it is in most releases).
report contains lib.violation_related(m, _weight_path, msg, related) if {
	some m in _migrations
	some event in input.resources[m].hook.events
	_last_backup[event] >= _order(m)
	some b in _backups
	b != m
	not lib.hook_runs_before(b, m)
	events := lib.shared_hook_events(b, m)
	count(events) > 0
	msg := sprintf(
		"%s hook %s (migration, weight %v) runs before %s (backup, weight %v)%s: the schema changes before the backup is taken; give the backup a lower weight",
		[concat(", ", sort([e | some e in events])), _name(m), _weight(m), _name(b), _weight(b), _tie(b, m)],
	)
	related := [{
		"resource": b,
		"path": _weight_path,
		"message": sprintf("%s (backup, weight %v) runs after %s", [_name(b), _weight(b), _name(m)]),
	}]
}

# A weight Helm cannot parse (strconv.Atoi): it is read as 0.
report contains lib.violation(i, _weight_path, msg) if {
	some i in rel.hooks(0)
	r := input.resources[i]
	r.hook.weight_valid == false
	msg := sprintf(
		"%s has helm.sh/hook-weight %q, which is not an integer: Helm treats it as 0",
		[lib.describe(i), r.hook.weight_raw],
	)
}

_hook_kinds := {"Job", "Pod"}

_hooks contains i if {
	some kind in _hook_kinds
	some i in rel.of_kind(kind)
	input.resources[i].hook != null
}

# The hooks of each role, each hook's role worked out once (a partial set keyed by role: one
# pass over the hooks, where a {hook: role} object read by _backups and _migrations was three).
_by_role[role] contains i if {
	some i in _hooks
	role := lib.hook_role(i)
}

_backups := object.get(_by_role, "backup", set())

_migrations := object.get(_by_role, "migration", set())

# Helm's order within an event: weight, then name.
_order(i) := [input.resources[i].hook.weight, input.resources[i].name]

# The _order of the backups of each event, gathered in one pass over the backups (a pass per
# event, calling _order on each backup, cost 9 ms at 1,666 hooks).
_backup_orders[e] contains [r.hook.weight, r.name] if {
	some b in _backups
	r := input.resources[b]
	some e in r.hook.events
}

# The backup Helm runs last on each event, as its _order.
_last_backup[e] := max(orders) if {
	some e, orders in _backup_orders
}

_name(i) := sprintf("%s %s", [input.resources[i].kind, input.resources[i].name])

_weight(i) := input.resources[i].hook.weight

_tie(b, m) := sprintf(" (equal weights: Helm then sorts by name, and %q comes first)", [input.resources[m].name]) if {
	_weight(b) == _weight(m)
} else := ""
