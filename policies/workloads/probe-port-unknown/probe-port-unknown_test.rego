package chartguard.rules.workloads["probe-port-unknown_test"]

import data.chartguard.rules.workloads["probe-port-unknown"] as rule

_input(ctr) := {
	"resources": [{"kind": "Deployment", "name": "web", "namespace": null, "hook": null}],
	"containers": [{
		"resource": 0, "pod_path": ["spec", "template", "spec"],
		"path": ["spec", "template", "spec", "containers", 0],
		"type": "container", "container": object.union({"name": "web"}, ctr),
	}],
}

test_renamed_port_fires_at_the_probe_port if {
	report := rule.report with input as _input({
		"ports": [{"name": "web", "containerPort": 8080}],
		"readinessProbe": {"httpGet": {"path": "/ready", "port": "http"}},
	})
	count(report) == 1
	some v in report
	v.path == ["spec", "template", "spec", "containers", 0, "readinessProbe", "httpGet", "port"]
	contains(v.message, "container \"web\" of Deployment web: readinessProbe.httpGet.port names port \"http\", which the container does not declare (it has \"web\")")
}

test_no_ports_at_all if {
	report := rule.report with input as _input({"livenessProbe": {"tcpSocket": {"port": "grpc"}}})
	some v in report
	contains(v.message, "(it has no named ports)")
}

test_quoted_number_fires if {
	report := rule.report with input as _input({"startupProbe": {"httpGet": {"port": "8080"}}})
	some v in report
	contains(v.message, "quoted number \"8080\"")
}

test_declared_name_and_numbers_pass if {
	count(rule.report) == 0 with input as _input({
		"ports": [{"name": "http", "containerPort": 8080}],
		"livenessProbe": {"httpGet": {"port": "http"}},
		"readinessProbe": {"tcpSocket": {"port": 8080}},
		"startupProbe": {"exec": {"command": ["true"]}},
	})
}
