package chartguard.rules.workloads["graceful-shutdown_test"]

import data.chartguard.rules.workloads["graceful-shutdown"] as rule

_pod_path := ["spec", "template", "spec"]

_input(kind, spec, ctr) := {
	"profile": "prod",
	"resources": [{"kind": kind, "name": "web", "namespace": null, "hook": null, "object": {"spec": {"template": {"spec": spec}}}}],
	"pods": [{"resource": 0, "path": _pod_path, "spec": spec, "labels": {}, "labels_path": []}],
	"containers": [{"resource": 0, "pod_path": _pod_path, "path": array.concat(_pod_path, ["containers", 0]), "type": "container", "container": ctr}],
}

_sleep(cmd) := {"name": "web", "lifecycle": {"preStop": {"exec": {"command": cmd}}}}

test_zero_grace_fires if {
	report := rule.report with input as _input("Deployment", {"terminationGracePeriodSeconds": 0}, {"name": "web"})
	count(report) == 1
	some v in report
	v.path == ["spec", "template", "spec", "terminationGracePeriodSeconds"]
	contains(v.message, "Deployment web sets terminationGracePeriodSeconds: 0")
}

test_sleep_as_long_as_default_grace_fires if {
	report := rule.report with input as _input("Deployment", {}, _sleep(["/bin/sh", "-c", "sleep 30"]))
	count(report) == 1
	some v in report
	v.path == ["spec", "template", "spec", "containers", 0, "lifecycle", "preStop", "exec", "command"]
	contains(v.message, "container \"web\" of Deployment web sleeps 30s in preStop, but the pod's grace period is 30s (unset)")
}

test_sleep_action_longer_than_grace_fires if {
	ctr := {"name": "web", "lifecycle": {"preStop": {"sleep": {"seconds": 20}}}}
	report := rule.report with input as _input("StatefulSet", {"terminationGracePeriodSeconds": 15}, ctr)
	some v in report
	v.path == ["spec", "template", "spec", "containers", 0, "lifecycle", "preStop", "sleep", "seconds"]
}

test_room_left_passes if {
	count(rule.report) == 0 with input as _input("Deployment", {"terminationGracePeriodSeconds": 45}, _sleep(["sleep", "10"]))
	count(rule.report) == 0 with input as _input("Deployment", {}, _sleep(["/bin/sh", "-c", "nginx -s quit; while pgrep nginx; do sleep 1; done"]))
	count(rule.report) == 0 with input as _input("Job", {"terminationGracePeriodSeconds": 0}, {"name": "web"})
}
