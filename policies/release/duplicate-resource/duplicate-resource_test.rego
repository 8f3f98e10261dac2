package chartguard.rules.release["duplicate-resource_test"]

import data.chartguard.rules.release["duplicate-resource"] as rule
import data.chartguard.lib.testing as t

_res(kind, api_version, ns, name) := {
	"kind": kind, "api_version": api_version, "name": name, "namespace": ns, "hook": null, "object": {},
	"origin": {"file": "rendered.yaml", "line": 1, "template": "app/templates/x.yaml"},
}

_hook(r, policies) := object.union(r, {"hook": {"events": ["pre-install"], "delete_policies": policies, "test": false}})

_release(resources) := {"release": {"name": "app", "namespace": "team-a"}, "resources": resources}

test_second_copy_fires_with_related_first if {
	v := t.only(rule.report) with input as _release([_res("ConfigMap", "v1", null, "app"), _res("Secret", "v1", null, "app"), _res("ConfigMap", "v1", null, "app")])
	v.resource == 2
	v.path == ["metadata", "name"]
	contains(v.message, "ConfigMap app appears more than once in the release (first copy at app/templates/x.yaml)")
	v.related[0].resource == 0
}

test_release_namespace_equals_unset if {
	count(rule.report) == 1 with input as _release([_res("ConfigMap", "v1", "team-a", "app"), _res("ConfigMap", "v1", null, "app")])
	count(rule.report) == 0 with input as _release([_res("ConfigMap", "v1", "other", "app"), _res("ConfigMap", "v1", null, "app")])
}

test_api_group_is_part_of_identity if {
	count(rule.report) == 0 with input as _release([_res("Deployment", "apps/v1", null, "app"), _res("Deployment", "argoproj.io/v1alpha1", null, "app")])
	some v in rule.report with input as _release([_res("Deployment", "apps/v1", null, "app"), _res("Deployment", "apps/v1beta2", null, "app")])
	contains(v.message, "Deployment.apps app")
}

test_cluster_scoped_ignore_namespace if {
	count(rule.report) == 1 with input as _release([
		_res("ClusterRole", "rbac.authorization.k8s.io/v1", "a", "app"),
		_res("ClusterRole", "rbac.authorization.k8s.io/v1", null, "app"),
	])
}

test_three_copies_report_two if {
	count(rule.report) == 2 with input as _release([_res("Service", "v1", null, "app"), _res("Service", "v1", null, "app"), _res("Service", "v1", null, "app")])
}

test_hook_colliding_with_object_fires if {
	count(rule.report) == 1 with input as _release([_res("ServiceAccount", "v1", null, "app"), _hook(_res("ServiceAccount", "v1", null, "app"), [])])
}

test_hooks_replaced_before_creation_pass if {
	count(rule.report) == 0 with input as _release([
		_hook(_res("Job", "batch/v1", null, "setup"), []),
		_hook(_res("Job", "batch/v1", null, "setup"), ["before-hook-creation", "hook-succeeded"]),
	])
	count(rule.report) == 1 with input as _release([
		_hook(_res("Job", "batch/v1", null, "setup"), ["hook-succeeded"]),
		_hook(_res("Job", "batch/v1", null, "setup"), ["before-hook-creation"]),
	])
}

test_nameless_objects_skipped if {
	count(rule.report) == 0 with input as _release([_res("Job", "batch/v1", null, ""), _res("Job", "batch/v1", null, "")])
}

test_plain_manifests_compared_per_file if {
	a := _res("ConfigMap", "v1", null, "app")
	b := object.union(a, {"origin": {"file": "other.yaml", "line": 1, "template": null}})
	count(rule.report) == 0 with input as {"release": null, "resources": [a, b]}
	some v in rule.report with input as {"release": null, "resources": [b, b]}
	contains(v.message, "first copy at other.yaml:1")

	# without a release, an explicit namespace may or may not be the one applied to
	count(rule.report) == 0 with input as {"release": null, "resources": [a, _res("ConfigMap", "v1", "default", "app")]}
}
