package chartguard.rules.upgrade["upgrade-data-loss_test"]

import data.chartguard.rules.upgrade["upgrade-data-loss"] as rule

_res(kind, name, obj) := {"kind": kind, "name": name, "namespace": null, "object": obj, "hook": null, "origin": {"template": "app/templates/x.yaml"}}

_removed(r, added) := {
	"resources": added,
	"previous": {"offset": count(added), "resources": [r], "pairs": [], "added": [i | some i, _ in added], "removed": [0]},
}

test_removed_claim_fires_at_the_previous_object if {
	vs := rule.report with input as _removed(_res("PersistentVolumeClaim", "data", {}), [])
	some v in vs
	v.resource == 0
	contains(v.message, "PersistentVolumeClaim data is gone")
}

test_kept_claim_passes if {
	kept := _res("PersistentVolumeClaim", "data", {"metadata": {"annotations": {"helm.sh/resource-policy": "keep"}}})
	count(rule.report) == 0 with input as _removed(kept, [])
}

test_rename_is_hinted if {
	vs := rule.report with input as _removed(_res("PersistentVolumeClaim", "data", {}), [_res("PersistentVolumeClaim", "data-v2", {})])
	some v in vs
	v.resource == 1
	contains(v.message, "renamed to data-v2?")
}

test_statefulset_retain_is_a_warning if {
	sts := _res("StatefulSet", "db", {"spec": {"volumeClaimTemplates": [{"metadata": {"name": "data"}}]}})
	vs := rule.report with input as _removed(sts, [])
	some v in vs
	v.severity == "warning"
}

test_crd_storage_version_removed if {
	before := _res("CustomResourceDefinition", "widgets.example.com", {"spec": {"versions": [{"name": "v1alpha1", "served": true, "storage": true}]}})
	after := _res("CustomResourceDefinition", "widgets.example.com", {"spec": {"versions": [{"name": "v1", "served": true, "storage": true}]}})
	inp := {"resources": [after], "previous": {"offset": 1, "resources": [before], "pairs": [{"current": 0, "previous": 0, "changed": []}], "added": [], "removed": []}}
	vs := rule.report with input as inp
	some v in vs
	contains(v.message, "removed from spec.versions")
}
