package chartguard.rules.hooks["helm-test-missing_test"]

import data.chartguard.rules.hooks["helm-test-missing"] as rule
import data.chartguard.lib.testing as t

_r(kind, name, hook) := {"kind": kind, "name": name, "namespace": null, "origin": {"template": "app/templates/x.yaml"}, "object": {}, "hook": hook}

test_workloads_without_test_fire_on_first if {
	v := t.only(rule.report) with input as {"release": {"name": "app"}, "resources": [_r("ConfigMap", "c", null), _r("Deployment", "web", null), _r("StatefulSet", "db", null)]}
	v.resource == 1
	v.path == ["metadata", "name"]
	contains(v.message, "the release runs Deployment web and 1 other workloads but ships no helm test")
}

test_a_test_pod_or_job_passes if {
	count(rule.report) == 0 with input as {"release": {"name": "app"}, "resources": [_r("Deployment", "web", null), _r("Pod", "t", {"events": ["test"], "test": true})]}
	count(rule.report) == 0 with input as {"release": {"name": "app"}, "resources": [_r("Deployment", "web", null), _r("Job", "t", {"events": ["test-success"], "test": true})]}
}

test_hand_written_manifests_and_no_workloads_pass if {
	plain := object.union(_r("Deployment", "web", null), {"origin": {"template": null}})
	count(rule.report) == 0 with input as {"release": null, "resources": [plain]}
	count(rule.report) == 0 with input as {"release": {"name": "app"}, "resources": [_r("ConfigMap", "c", null)]}
	# A test ConfigMap is not a test.
	some v in rule.report with input as {"release": null, "resources": [_r("DaemonSet", "agent", null), _r("ConfigMap", "t", {"events": ["test"], "test": true})]}
	contains(v.message, "DaemonSet agent but")
}

# helm template output is recognised by any object's origin.template, not only the first's.
test_template_on_a_later_object_is_helm_output if {
	plain := object.union(_r("Deployment", "web", null), {"origin": {"template": null}})
	some v in rule.report with input as {"release": null, "resources": [plain, _r("ConfigMap", "c", null)]}
	contains(v.message, "Deployment web but")
}
