package chartguard.rules.workloads["host-namespaces_test"]

import data.chartguard.rules.workloads["host-namespaces"] as rule
import data.chartguard.lib.testing as t

_input(kind, path, spec) := {
	"profile": "prod",
	"resources": [{"kind": kind, "name": "agent", "namespace": "monitoring", "hook": null}],
	"pods": [{"resource": 0, "path": path, "spec": spec, "labels": {}, "labels_path": []}],
	"containers": [],
}

test_host_network_fires_at_field if {
	v := t.only(rule.report) with input as _input("DaemonSet", ["spec", "template", "spec"], {"hostNetwork": true, "containers": []})
	v.resource == 0
	v.path == ["spec", "template", "spec", "hostNetwork"]
	contains(v.message, "DaemonSet monitoring/agent sets hostNetwork: true")
	contains(v.message, "node agents")
}

test_each_namespace_reported if {
	report := rule.report with input as _input("Pod", ["spec"], {"hostNetwork": true, "hostPID": true, "hostIPC": true})
	count(report) == 3
	paths := {v.path | some v in report}
	paths == {["spec", "hostNetwork"], ["spec", "hostPID"], ["spec", "hostIPC"]}
}

test_false_or_unset_passes if {
	count(rule.report) == 0 with input as _input("Deployment", ["spec", "template", "spec"], {"hostNetwork": false, "hostPID": false})
	count(rule.report) == 0 with input as _input("Deployment", ["spec", "template", "spec"], {})
	count(rule.report) == 0 with input as _input("Deployment", ["spec", "template", "spec"], null)
}

test_string_true_is_not_true if {
	count(rule.report) == 0 with input as _input("Deployment", ["spec", "template", "spec"], {"hostNetwork": "true"})
}
