package chartguard.rules.upgrade["upgrade-hook-safety_test"]

import data.chartguard.rules.upgrade["upgrade-hook-safety"] as rule

_job(name, weight, image, spec) := {
	"kind": "Job", "name": name, "namespace": null,
	"hook": {"events": ["pre-upgrade"], "weight": weight},
	"object": {"metadata": {"name": name}, "spec": object.union(spec, {"template": {"spec": {"containers": [{"name": "c", "image": image}]}}})},
}

_input(resources, before) := {
	"resources": resources,
	"previous": {
		"offset": count(resources), "helm_timeout_seconds": 300,
		"resources": [before],
		"pairs": [{"current": 0, "previous": 0, "changed": []}], "added": [], "removed": [],
	},
}

test_changed_migration_without_backup if {
	inp := _input([_job("app-migrate", 0, "app:2", {"activeDeadlineSeconds": 120})], _job("app-migrate", 0, "app:1", {}))
	vs := rule.report with input as inp
	some v in vs
	contains(v.message, "no backup hook runs before it")
}

test_backup_first_passes if {
	inp := _input([_job("app-migrate", 0, "app:2", {"activeDeadlineSeconds": 120}), _job("app-backup", -5, "pg:16", {"activeDeadlineSeconds": 120})], _job("app-migrate", 0, "app:1", {}))
	count(rule.report) == 0 with input as inp
}

test_unchanged_migration_passes if {
	inp := _input([_job("app-migrate", 0, "app:1", {"activeDeadlineSeconds": 120})], _job("app-migrate", 0, "app:1", {}))
	count(rule.report) == 0 with input as inp
}

test_deadline_longer_than_timeout if {
	inp := _input([_job("app-migrate", 0, "app:1", {"activeDeadlineSeconds": 900})], _job("app-migrate", 0, "app:1", {}))
	vs := rule.report with input as inp
	some v in vs
	contains(v.message, "900s")
}

test_default_backoff_outlasts_five_minutes if {
	inp := _input([_job("app-migrate", 0, "app:1", {})], _job("app-migrate", 0, "app:1", {}))
	vs := rule.report with input as inp
	some v in vs
	contains(v.message, "backoffLimit 6: its retries alone wait 630s")
	count(rule.report) == 0 with input as _input([_job("app-migrate", 0, "app:1", {"backoffLimit": 2})], _job("app-migrate", 0, "app:1", {}))
}

test_new_migration_fires_only_when_the_previous_release_shows_hooks if {
	migrate := _job("app-migrate", 0, "app:2", {"activeDeadlineSeconds": 120})
	with_hooks := {"resources": [migrate], "previous": {"offset": 1, "helm_timeout_seconds": 300, "resources": [_job("other", 0, "x:1", {})], "pairs": [], "added": [0], "removed": [0]}}
	vs := rule.report with input as with_hooks
	some v in vs
	contains(v.message, "new in this release")
	no_hooks := {"resources": [migrate], "previous": {"offset": 1, "helm_timeout_seconds": 300, "resources": [{"kind": "Service", "name": "s", "hook": null}], "pairs": [], "added": [0], "removed": [0]}}
	count(rule.report) == 0 with input as no_hooks
}
