# METADATA
# title: CronJobs have a valid schedule and bounded runs
# description: >-
#   Every CronJob of the release has a schedule the API server accepts (five fields or an @
#   macro, no `TZ=` prefix: an error), and sets `concurrencyPolicy` (Forbid or Replace, or
#   Allow written out) and `startingDeadlineSeconds` (notes when unset).
# custom:
#   id: cronjob-unbounded
#   severity: note
#   profiles: [dev, prod]
#   scope: object
#   tags: [reliability, operations]
#   why: >-
#     An invalid schedule (six fields copied from another cron, a `CRON_TZ=` prefix) is
#     rejected, so the install fails. With the default concurrencyPolicy Allow, a run that
#     takes longer than the interval overlaps the next one: two backups or two billing runs at
#     once, piling up when the job is stuck. Without startingDeadlineSeconds, a controller
#     that missed more than 100 schedules (after an outage, or a suspended CronJob) stops
#     scheduling the CronJob altogether with "too many missed start times".
#   fix: >-
#     Write a five-field schedule (use `spec.timeZone` for the time zone), set
#     `concurrencyPolicy: Forbid` (or Replace) unless runs may overlap, and
#     `startingDeadlineSeconds` to how late a run may still start (e.g. 300).
#   references:
#     - https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/
package chartguard.rules.workloads["cronjob-unbounded"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

_macros := {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}

report contains lib.violation_with_severity(i, ["spec", "schedule"], msg, "error") if {
	some i in rel.of_kind("CronJob")
	r := input.resources[i]
	schedule := r.object.spec.schedule
	problem := _schedule_problem(schedule)
	msg := sprintf("%s: schedule %q %s: the API server rejects it", [lib.describe(i), sprintf("%v", [schedule]), problem])
}

report contains lib.violation(i, ["spec", "concurrencyPolicy"], msg) if {
	some i in rel.of_kind("CronJob")
	r := input.resources[i]
	is_object(r.object.spec)
	not r.object.spec.concurrencyPolicy
	msg := sprintf("%s sets no concurrencyPolicy (default Allow): a run longer than the interval overlaps the next one", [lib.describe(i)])
}

report contains lib.violation(i, ["spec", "startingDeadlineSeconds"], msg) if {
	some i in rel.of_kind("CronJob")
	r := input.resources[i]
	is_object(r.object.spec)
	not is_number(r.object.spec.startingDeadlineSeconds)
	msg := sprintf("%s sets no startingDeadlineSeconds: after more than 100 missed schedules the controller stops starting it", [lib.describe(i)])
}

_schedule_problem(s) := "is not a string" if not is_string(s)
else := "sets a time zone in the schedule (use spec.timeZone)" if {
	regex.match(`^\s*(CRON_)?TZ=`, s)
} else := sprintf("has %d fields, not 5", [count(fields)]) if {
	not trim_space(s) in _macros
	fields := [f | some f in split(trim_space(s), " "); f != ""]
	count(fields) != 5
} else := "has a field that is not a cron expression" if {
	not trim_space(s) in _macros
	some f in split(trim_space(s), " ")
	f != ""
	not regex.match(`^[0-9*/,?A-Za-z-]+$`, f)
}
