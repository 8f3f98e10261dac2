package chartguard.lib.upgrade_lib_test

import data.chartguard.lib.upgrade_lib as up

_input := {
	"resources": [{"kind": "Deployment", "name": "web", "namespace": null}],
	"previous": {
		"offset": 1,
		"resources": [
			{"kind": "Deployment", "name": "web", "namespace": null},
			{"kind": "PersistentVolumeClaim", "name": "data", "namespace": "db", "object": {"metadata": {"annotations": {"helm.sh/resource-policy": "keep"}}}, "origin": {"template": "app/templates/pvc.yaml"}},
		],
		"pairs": [{"current": 0, "previous": 0, "changed": [["spec", "template", "spec", "containers", 0, "image"]]}],
		"added": [],
		"removed": [1],
	},
}

test_previous_objects_are_offset_past_the_new_release if {
	up.previous_violation(1, ["spec"], "m") == {"resource": 2, "path": ["spec"], "message": "m"} with input as _input
	up.describe_previous(1) == "PersistentVolumeClaim db/data" with input as _input
	up.describe_previous(0) == "Deployment web" with input as _input
}

test_pairs_and_changed_paths if {
	p := up.pair_of(0) with input as _input
	up.changed_under(p, ["spec", "template"])
	not up.changed_under(p, ["spec", "selector"])
	up.before(p).kind == "Deployment" with input as _input
}

test_kept_and_crds_folder if {
	up.kept(_input.previous.resources[1])
	not up.from_crds_folder(_input.previous.resources[1])
	up.from_crds_folder({"origin": {"template": "app/crds/crd.yaml"}})
	not up.from_crds_folder({"origin": {"template": null}})
}

test_nothing_without_a_previous_release if {
	not up.pair_of(0) with input as {"resources": [{}]}
}
