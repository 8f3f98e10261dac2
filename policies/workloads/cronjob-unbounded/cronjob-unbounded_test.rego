package chartguard.rules.workloads["cronjob-unbounded_test"]

import data.chartguard.rules.workloads["cronjob-unbounded"] as rule

_input(spec) := {"resources": [{"kind": "CronJob", "name": "backup", "namespace": null, "hook": null, "object": {"spec": spec}}]}

_bounded := {"concurrencyPolicy": "Forbid", "startingDeadlineSeconds": 300}

test_six_fields_is_an_error if {
	report := rule.report with input as _input(object.union(_bounded, {"schedule": "0 0 3 * * *"}))
	count(report) == 1
	some v in report
	v.severity == "error"
	v.path == ["spec", "schedule"]
	contains(v.message, "CronJob backup: schedule \"0 0 3 * * *\" has 6 fields, not 5")
}

test_time_zone_prefix_is_an_error if {
	report := rule.report with input as _input(object.union(_bounded, {"schedule": "CRON_TZ=Europe/Berlin 0 3 * * *"}))
	some v in report
	contains(v.message, "spec.timeZone")
}

test_unbounded_settings_are_notes if {
	report := rule.report with input as _input({"schedule": "@daily"})
	count(report) == 2
	{v.path | some v in report} == {["spec", "concurrencyPolicy"], ["spec", "startingDeadlineSeconds"]}
}

test_bounded_cronjob_passes if {
	count(rule.report) == 0 with input as _input(object.union(_bounded, {"schedule": "*/15 1-5 * * MON-FRI"}))
	count(rule.report) == 0 with input as _input(object.union(_bounded, {"schedule": "@hourly"}))
}
