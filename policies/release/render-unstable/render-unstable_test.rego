package chartguard.rules.release["render-unstable_test"]

import data.chartguard.lib.testing as t
import data.chartguard.rules.release["render-unstable"] as rule

_secret := {
	"kind": "Secret", "name": "db", "namespace": "default", "hook": null,
	"object": {"data": {"password": "eHl6"}},
}

_deploy := {
	"kind": "Deployment", "name": "web", "namespace": null, "hook": null,
	"object": {"spec": {"template": {"metadata": {"labels": {"app": "web"}, "annotations": {"rollme": "x"}}, "spec": {}}}},
}

_test_pod := {
	"kind": "Pod", "name": "web-test-abcde", "namespace": null, "hook": {"test": true, "events": ["test"]},
	"object": {"spec": {}},
}

_input(resource, generated) := object.union(t.release([resource]), {"generated": generated})

test_generated_password_is_a_warning if {
	v := t.only(rule.report) with input as _input(_secret, [{
		"resource": 0, "path": ["data", "password"], "function": "randAlphaNum",
		"template": "app/templates/secret.yaml", "line": 7, "guarded": false,
	}])
	v.severity == "warning"
	contains(v.message, "`randAlphaNum` (app/templates/secret.yaml:7)")
	v.path == ["data", "password"]
}

test_lookup_guard_is_a_note if {
	v := t.only(rule.report) with input as _input(_secret, [{
		"resource": 0, "path": ["data", "password"], "function": "randAlphaNum",
		"template": "app/templates/secret.yaml", "line": 7, "guarded": true,
	}])
	v.severity == "note"
	contains(v.message, "helm template")
}

test_nothing_generated_nothing_reported if {
	count(rule.report) == 0 with input as _input(_secret, [])
}

test_rollme_annotation_is_a_note if {
	v := t.only(rule.report) with input as _input(_deploy, [{
		"resource": 0, "path": ["spec", "template", "metadata", "annotations", "rollme"],
		"function": "randAlphaNum", "template": "app/templates/deploy.yaml", "line": 9, "guarded": false,
	}])
	v.severity == "note"
	contains(v.message, "deliberate rollout")
}

test_helm_test_pods_are_left_alone if {
	count(rule.report) == 0 with input as _input(_test_pod, [{
		"resource": 0, "path": ["metadata", "name"], "function": "randAlphaNum",
		"template": "app/templates/tests/t.yaml", "line": 4, "guarded": false,
	}])
}
