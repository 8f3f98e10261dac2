# METADATA
# title: Upgrade migrations run after a backup and within the release timeout
# description: >-
#   With `lint --previous`: a pre-upgrade migration hook whose image, command or arguments
#   change (or that is new) has a backup hook that Helm runs before it on pre-upgrade; and a
#   migration Job that runs on upgrade cannot outlast the timeout the release is upgraded
#   with (`--helm-timeout`, default Helm's 5m): its activeDeadlineSeconds, or without one,
#   the retry back-off of its backoffLimit alone.
# custom:
#   id: upgrade-hook-safety
#   severity: warning
#   profiles: [dev, prod]
#   scope: upgrade
#   tags: [hooks, upgrades, data-safety]
#   why: >-
#     A changed migration is the one that changes the schema on this upgrade; without a
#     backup taken just before it, a failed or wrong migration has nothing to roll back to.
#     And `helm upgrade --timeout` (5m unless given) bounds the hooks too: a migration Job
#     still running when it expires fails the upgrade, and `--atomic` then rolls the release
#     back while the migration may still be changing the database.
#   fix: >-
#     Add a pre-upgrade backup hook with a lower helm.sh/hook-weight than the migration (or
#     annotate the hook that is one `chartguard.io/hook-role: backup`). Give the migration Job
#     an activeDeadlineSeconds below the timeout and a small backoffLimit, or upgrade with a
#     longer `--timeout` (and lint with the same `--helm-timeout`).
#   references:
#     - https://helm.sh/docs/topics/charts_hooks/
#     - https://kubernetes.io/docs/concepts/workloads/controllers/job/#job-termination-and-cleanup
package chartguard.rules.upgrade["upgrade-hook-safety"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel
import data.chartguard.lib.upgrade_lib as up

_upgrade_events := {"pre-upgrade", "post-upgrade"}

_migrations contains i if {
	some kind in ["Job", "Pod"]
	some i in rel.of_kind(kind)
	r := input.resources[i]
	some e in r.hook.events
	e in _upgrade_events
	lib.hook_role(i) == "migration"
}

# What a migration runs: each container's image, command and args.
_runs(r) := [[c.name, object.get(c, "image", ""), object.get(c, "command", []), object.get(c, "args", [])] |
	some c in object.get(r.object, array.concat(_pod_path(r.kind), ["containers"]), [])
]

_pod_path("Pod") := ["spec"]

_pod_path("Job") := ["spec", "template", "spec"]

_changed(i) if {
	p := up.pair_of(i)
	_runs(up.before(p)) != _runs(input.resources[i])
}

# New in this release: only known when the previous release shows its hooks (`helm get
# manifest` leaves hooks out; `helm get hooks` has them).
_changed(i) if {
	not up.pair_of(i)
	_previous_has_hooks
}

_previous_has_hooks if {
	some r in input.previous.resources
	r.hook != null
}

report contains lib.violation(i, array.concat(_pod_path(r.kind), ["containers"]), msg) if {
	some i in _migrations
	r := input.resources[i]
	"pre-upgrade" in r.hook.events
	input.previous
	_changed(i)
	not _backed_up(i)
	msg := sprintf(
		"pre-upgrade migration %s %s (%s) and no backup hook runs before it on pre-upgrade: if it fails or is wrong, there is nothing to restore",
		[r.kind, r.name, _what_changed(i)],
	)
}

_what_changed(i) := "new in this release" if {
	not up.pair_of(i)
} else := "its image, command or arguments change"

# Some pre-upgrade backup runs before migration m: Helm orders hooks by weight, then name
# (lib.hook_runs_before), so the first backup in that order does if any does. Found once, not
# once per migration (backups × migrations was quadratic).
_backed_up(m) if lib.hook_runs_before(_first_backup, m)

_first_backup := min({[r.hook.weight, r.name, b] |
	some kind in ["Job", "Pod"]
	some b in rel.of_kind(kind)
	r := input.resources[b]
	"pre-upgrade" in r.hook.events
	lib.hook_role(b) == "backup"
})[2]

# Kubernetes' Job back-off before each retry: 10 s, doubled each time, at most 6 min.
_backoff(limit) := sum(array.slice([10, 20, 40, 80, 160, 320], 0, limit)) if {
	limit <= 6
} else := 630 + (360 * (limit - 6))

report contains lib.violation(i, ["spec", "activeDeadlineSeconds"], msg) if {
	some i in _migrations
	r := input.resources[i]
	r.kind == "Job"
	timeout := input.previous.helm_timeout_seconds
	deadline := r.object.spec.activeDeadlineSeconds
	is_number(deadline)
	deadline > timeout
	msg := sprintf(
		"%s %s may run for %vs (activeDeadlineSeconds), longer than the release timeout of %vs: `helm upgrade` gives up first and `--atomic` rolls back while the migration may still run",
		[r.kind, r.name, deadline, timeout],
	)
}

report contains lib.violation(i, ["spec"], msg) if {
	some i in _migrations
	r := input.resources[i]
	r.kind == "Job"
	timeout := input.previous.helm_timeout_seconds
	not r.object.spec.activeDeadlineSeconds
	limit := object.get(r.object, ["spec", "backoffLimit"], 6)
	is_number(limit)
	wait := _backoff(limit)
	wait > timeout
	msg := sprintf(
		"%s %s has no activeDeadlineSeconds and backoffLimit %v: its retries alone wait %vs, longer than the release timeout of %vs, so `helm upgrade` can give up (and `--atomic` roll back) mid-migration",
		[r.kind, r.name, limit, wait, timeout],
	)
}
