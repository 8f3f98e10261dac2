package chartguard.rules.traffic["service-selector-mismatch_test"]

import data.chartguard.rules.traffic["service-selector-mismatch"] as rule
import data.chartguard.lib.testing as t

_deploy(name, labels, hook) := {
	"api_version": "apps/v1", "kind": "Deployment", "name": name, "namespace": null, "hook": hook,
	"object": {"spec": {"template": {"metadata": {"labels": labels}}}},
}

_svc(spec) := {"api_version": "v1", "kind": "Service", "name": "web", "namespace": null, "hook": null, "object": {"spec": spec}}

_input(resources) := {"resources": resources, "pods": [{"resource": i, "labels": r.object.spec.template.metadata.labels} |
	some i, r in resources
	r.kind == "Deployment"
]}

_slots := [_deploy("web-blue", {"app": "web", "slot": "blue"}, null), _deploy("web-green", {"app": "web", "slot": "green"}, null)]

test_slot_typo_fires_with_closest_hint if {
	v := t.only(rule.report) with input as _input(array.concat([_svc({"selector": {"app": "web", "slot": "gren"}})], _slots))
	v.resource == 0
	v.path == ["spec", "selector"]
	contains(v.message, "Service web: spec.selector (app=web, slot=gren) matches no pod template of the release")
	contains(v.message, "whose pods have slot=")
}

test_idle_slot_still_matches if {
	count(rule.report) == 0 with input as _input(array.concat([_svc({"selector": {"app": "web", "slot": "green"}})], _slots))
}

test_no_selector_or_external_name_passes if {
	count(rule.report) == 0 with input as _input([_svc({"ports": [{"port": 80}]})])
	count(rule.report) == 0 with input as _input([_svc({"selector": {}})])
	count(rule.report) == 0 with input as _input([_svc({"type": "ExternalName", "selector": {"app": "x"}})])
}

test_hook_and_test_pods_do_not_count if {
	count(rule.report) == 1 with input as _input([_svc({"selector": {"app": "web"}}), _deploy("t", {"app": "web"}, {"events": ["test"], "test": true})])
}

test_controller_labels_ignored if {
	count(rule.report) == 0 with input as _input([_svc({"selector": {"app": "web", "slot": "blue", "statefulset.kubernetes.io/pod-name": "web-blue-0"}}), _slots[0]])
	count(rule.report) == 0 with input as _input([_svc({"selector": {"statefulset.kubernetes.io/pod-name": "web-0"}})])
}

test_other_namespace_does_not_match if {
	svc := object.union(_svc({"selector": {"app": "web"}}), {"namespace": "a"})
	dep := object.union(_deploy("web", {"app": "web"}, null), {"namespace": "b"})
	count(rule.report) == 1 with input as _input([svc, dep])
}
