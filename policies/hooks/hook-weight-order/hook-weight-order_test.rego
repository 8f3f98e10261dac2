package chartguard.rules.hooks["hook-weight-order_test"]

import data.chartguard.rules.hooks["hook-weight-order"] as rule
import data.chartguard.lib.testing as t

_job(name, events, weight) := {
	"kind": "Job", "name": name, "namespace": null,
	"object": {"metadata": {"name": name, "annotations": {}}},
	"hook": {"events": events, "weight": weight, "weight_raw": sprintf("%v", [weight]), "weight_valid": true},
}

_input(resources) := {"resources": resources, "containers": []}

test_migration_before_backup_fires_on_migration_with_related_backup if {
	report := rule.report with input as _input([
		_job("app-backup", ["pre-upgrade"], -5),
		_job("app-migration", ["pre-upgrade"], -10),
	])
	count(report) == 1
	some v in report
	v.resource == 1
	v.path == ["metadata", "annotations", "helm.sh/hook-weight"]
	contains(v.message, "pre-upgrade hook Job app-migration (migration, weight -10) runs before Job app-backup (backup, weight -5)")
	v.related[0].resource == 0
	v.related[0].path == ["metadata", "annotations", "helm.sh/hook-weight"]
}

test_backup_first_passes if {
	count(rule.report) == 0 with input as _input([
		_job("app-migration", ["pre-install", "pre-upgrade"], -5),
		_job("app-backup", ["pre-install", "pre-upgrade"], -10),
	])
}

test_equal_weights_break_ties_by_name if {
	# "app-backup" < "app-migration": the backup runs first.
	count(rule.report) == 0 with input as _input([_job("app-backup", ["pre-upgrade"], 0), _job("app-migration", ["pre-upgrade"], 0)])

	# "db-migrate" < "nightly-backup": the migration runs first.
	v := t.only(rule.report) with input as _input([_job("nightly-backup", ["pre-upgrade"], 0), _job("db-migrate", ["pre-upgrade"], 0)])
	contains(v.message, "equal weights: Helm then sorts by name, and \"db-migrate\" comes first")
}

test_no_shared_event_passes if {
	count(rule.report) == 0 with input as _input([
		_job("app-backup", ["pre-upgrade"], 5),
		_job("app-migration", ["pre-install"], -5),
	])
}

test_shared_events_listed if {
	some v in rule.report with input as _input([
		_job("app-backup", ["pre-install", "pre-upgrade"], 5),
		_job("app-migration", ["pre-upgrade", "pre-install", "post-install"], -5),
	])
	startswith(v.message, "pre-install, pre-upgrade hook")
}

test_role_annotation_overrides_detection if {
	backup := object.union(_job("app-snapshot-tool", ["pre-upgrade"], 5), {"object": {"metadata": {"annotations": {"chartguard.io/hook-role": "backup"}}}})
	count(rule.report) == 1 with input as _input([backup, _job("app-migration", ["pre-upgrade"], 0)])

	opted_out := object.union(_job("app-backup", ["pre-upgrade"], 5), {"object": {"metadata": {"annotations": {"chartguard.io/hook-role": "none"}}}})
	count(rule.report) == 0 with input as _input([opted_out, _job("app-migration", ["pre-upgrade"], 0)])
}

test_non_job_hooks_ignored_for_order if {
	cm := object.union(_job("app-backup", ["pre-upgrade"], 5), {"kind": "ConfigMap"})
	count(rule.report) == 0 with input as _input([cm, _job("app-migration", ["pre-upgrade"], 0)])
}

test_invalid_weight_fires_with_raw_text if {
	notify := object.union(_job("app-notify", ["post-upgrade"], 0), {"hook": {"weight_raw": "five", "weight_valid": false}})
	v := t.only(rule.report) with input as _input([notify])
	v.path == ["metadata", "annotations", "helm.sh/hook-weight"]
	contains(v.message, "Job app-notify has helm.sh/hook-weight \"five\", which is not an integer: Helm treats it as 0")
}

test_missing_weight_is_fine if {
	job := object.union(_job("app-notify", ["post-upgrade"], 0), {"hook": {"weight_raw": null, "weight_valid": true}})
	count(rule.report) == 0 with input as _input([job])
}
