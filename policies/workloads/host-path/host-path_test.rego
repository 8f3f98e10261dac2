package chartguard.rules.workloads["host-path_test"]

import data.chartguard.rules.workloads["host-path"] as rule

# A DaemonSet with one hostPath volume `path`, mounted by one container with `mount` fields.
_input(path, mount) := {
	"profile": "prod",
	"resources": [{"kind": "DaemonSet", "name": "agent", "namespace": "ops", "hook": null}],
	"pods": [{
		"resource": 0,
		"path": ["spec", "template", "spec"],
		"spec": {
			"volumes": [{"name": "cfg", "configMap": {"name": "x"}}, {"name": "host", "hostPath": {"path": path}}],
			"containers": [{"name": "a", "volumeMounts": [object.union({"name": "host", "mountPath": "/host"}, mount)]}],
		},
	}],
}

test_runtime_socket_is_an_error_at_the_path if {
	report := rule.report with input as _input("/var/run/docker.sock", {})
	count(report) == 1
	some v in report
	v.severity == "error"
	v.path == ["spec", "template", "spec", "volumes", 1, "hostPath", "path"]
	contains(v.message, "DaemonSet ops/agent mounts the node's /var/run/docker.sock (hostPath volume \"host\"): writable")
}

test_read_only_root_proc_sys_are_still_errors if {
	every path in ["/", "/proc", "/sys/", "/etc", "/var/lib/kubelet/pods/x", "/var"] {
		report := rule.report with input as _input(path, {"readOnly": true})
		some v in report
		v.severity == "error"
		contains(v.message, "read-only, which still exposes the node")
	}
}

test_writable_ordinary_path_is_a_warning if {
	report := rule.report with input as _input("/run/promtail", {"readOnly": false})
	some v in report
	v.severity == "warning"
	contains(v.message, "writable by a container; mount it read-only")
}

test_read_only_ordinary_path_passes if {
	count(rule.report) == 0 with input as _input("/var/log/pods", {"readOnly": true})
	count(rule.report) == 0 with input as _input("/var/lib/docker-logs", {"readOnly": true})
}

test_no_hostpath_passes if {
	count(rule.report) == 0 with input as {"resources": [{"kind": "Pod", "name": "p", "namespace": null, "hook": null}], "pods": [{"resource": 0, "path": ["spec"], "spec": {"volumes": [{"name": "e", "emptyDir": {}}]}}]}
	count(rule.report) == 0 with input as {"resources": [{"kind": "Pod", "name": "p", "namespace": null, "hook": null}], "pods": [{"resource": 0, "path": ["spec"], "spec": null}]}
}
