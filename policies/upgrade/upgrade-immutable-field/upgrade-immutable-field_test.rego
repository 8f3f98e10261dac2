package chartguard.rules.upgrade["upgrade-immutable-field_test"]

import data.chartguard.rules.upgrade["upgrade-immutable-field"] as rule

_res(kind, name, obj) := {"kind": kind, "name": name, "namespace": null, "object": obj, "hook": null}

_upgrade(kind, before, after) := {
	"resources": [_res(kind, "x", after)],
	"previous": {"offset": 1, "resources": [_res(kind, "x", before)], "pairs": [{"current": 0, "previous": 0, "changed": []}], "added": [], "removed": []},
}

test_selector_change_fires if {
	inp := _upgrade("Deployment", {"spec": {"selector": {"matchLabels": {"app": "a"}}}}, {"spec": {"selector": {"matchLabels": {"app": "b"}}}})
	vs := rule.report with input as inp
	some v in vs
	v.path == ["spec", "selector"]
	contains(v.message, "field is immutable")
	contains(v.message, "--cascade=orphan")
}

test_statefulset_replicas_and_template_may_change if {
	inp := _upgrade("StatefulSet", {"spec": {"replicas": 1, "template": {"a": 1}, "serviceName": "s"}}, {"spec": {"replicas": 3, "template": {"a": 2}, "serviceName": "s"}})
	count(rule.report) == 0 with input as inp
}

test_statefulset_service_name_fires if {
	inp := _upgrade("StatefulSet", {"spec": {"serviceName": "a"}}, {"spec": {"serviceName": "b"}})
	vs := rule.report with input as inp
	some v in vs
	v.path == ["spec", "serviceName"]
}

test_claim_grows_but_never_shrinks if {
	grow := _upgrade("PersistentVolumeClaim", {"spec": {"resources": {"requests": {"storage": "1Gi"}}}}, {"spec": {"resources": {"requests": {"storage": "2Gi"}}}})
	count(rule.report) == 0 with input as grow
	shrink := _upgrade("PersistentVolumeClaim", {"spec": {"resources": {"requests": {"storage": "2Gi"}}}}, {"spec": {"resources": {"requests": {"storage": "1Gi"}}}})
	vs := rule.report with input as shrink
	some v in vs
	contains(v.message, "shrinks from 2Gi to 1Gi")
}

test_hooks_are_recreated_not_patched if {
	inp := _upgrade("Job", {"spec": {"template": {"a": 1}}}, {"spec": {"template": {"a": 2}}})
	hook := {"events": ["pre-upgrade"]}
	hooked := {
		"resources": [object.union(inp.resources[0], {"hook": hook})],
		"previous": object.union(inp.previous, {"resources": [object.union(inp.previous.resources[0], {"hook": hook})]}),
	}
	count(rule.report) == 1 with input as inp
	count(rule.report) == 0 with input as hooked
}

test_nothing_without_previous if {
	count(rule.report) == 0 with input as {"resources": [_res("Deployment", "x", {})]}
}

test_jobs_deleted_after_they_finish_are_created_again if {
	inp := _upgrade("Job", {"spec": {"ttlSecondsAfterFinished": 600, "template": {"a": 1}}}, {"spec": {"ttlSecondsAfterFinished": 600, "template": {"a": 2}}})
	count(rule.report) == 0 with input as inp
}

test_a_default_written_out_changes_nothing if {
	count(rule.report) == 0 with input as _upgrade("PersistentVolumeClaim", {"spec": {}}, {"spec": {"volumeMode": "Filesystem"}})
	count(rule.report) == 1 with input as _upgrade("PersistentVolumeClaim", {"spec": {}}, {"spec": {"volumeMode": "Block"}})
	count(rule.report) == 0 with input as _upgrade("StatefulSet", {"spec": {}}, {"spec": {"podManagementPolicy": "OrderedReady"}})
}
