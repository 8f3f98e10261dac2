package chartguard.rules.workloads["host-port_test"]

import data.chartguard.rules.workloads["host-port"] as rule

_pod_path := ["spec", "template", "spec"]

_input(pod_spec, ports) := _input_kind("Deployment", pod_spec, ports)

_input_kind(kind, pod_spec, ports) := {
	"profile": "prod",
	"resources": [{
		"kind": kind, "name": "proxy", "namespace": null, "hook": null,
		"object": {"spec": {"template": {"spec": pod_spec}}},
	}],
	"containers": [{
		"resource": 0, "pod_path": _pod_path, "path": array.concat(_pod_path, ["containers", 0]),
		"type": "container", "container": {"name": "envoy", "ports": ports},
	}],
}

test_host_port_fires_at_the_field if {
	report := rule.report with input as _input({}, [{"containerPort": 8080}, {"containerPort": 443, "hostPort": 443}])
	count(report) == 1
	some v in report
	v.path == ["spec", "template", "spec", "containers", 0, "ports", 1, "hostPort"]
	v.severity == "warning"
	contains(v.message, "container \"envoy\" of Deployment proxy binds host port(s) 443 on the node")
	contains(v.message, "cannot share a node")
}

test_one_finding_per_container_and_daemonsets_are_notes if {
	inp := _input_kind("DaemonSet", {}, [{"containerPort": 4317, "hostPort": 4317}, {"containerPort": 4318, "hostPort": 4318}])
	report := rule.report with input as inp
	count(report) == 1
	some v in report
	v.severity == "note"
	v.path == ["spec", "template", "spec", "containers", 0, "ports", 0, "hostPort"]
	contains(v.message, "binds host port(s) 4317, 4318 on the node")
}

test_zero_or_absent_passes if {
	count(rule.report) == 0 with input as _input({}, [{"containerPort": 80, "hostPort": 0}, {"containerPort": 81}])
	count(rule.report) == 0 with input as _input({}, "80")
}

test_host_network_pods_are_left_to_host_namespaces if {
	count(rule.report) == 0 with input as _input({"hostNetwork": true}, [{"containerPort": 9100, "hostPort": 9100}])
}
