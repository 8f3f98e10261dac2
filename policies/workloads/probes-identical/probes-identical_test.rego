package chartguard.rules.workloads["probes-identical_test"]

import data.chartguard.rules.workloads["probes-identical"] as rule

_input(ctr) := {
	"resources": [{"kind": "Deployment", "name": "api", "namespace": null, "hook": null}],
	"containers": [{
		"resource": 0, "pod_path": ["spec", "template", "spec"],
		"path": ["spec", "template", "spec", "containers", 0],
		"type": "container", "container": object.union({"name": "api"}, ctr),
	}],
}

test_copy_of_readiness_on_ready_endpoint_fires if {
	p := {"httpGet": {"path": "/readyz", "port": "http"}, "periodSeconds": 10}
	report := rule.report with input as _input({"livenessProbe": p, "readinessProbe": p})
	count(report) == 1
	some v in report
	v.path == ["spec", "template", "spec", "containers", 0, "livenessProbe", "httpGet", "path"]
	contains(v.message, "container \"api\" of Deployment api: livenessProbe calls the readiness endpoint /readyz, exactly like readinessProbe and with no more patience (30s against 30s)")
}

test_default_fields_do_not_hide_a_copy if {
	live := {"httpGet": {"path": "/health/ready", "port": 8080, "scheme": "HTTP", "httpHeaders": null}}
	ready := {"httpGet": {"port": 8080, "path": "/health/ready"}, "failureThreshold": 6}
	report := rule.report with input as _input({"livenessProbe": live, "readinessProbe": ready})
	some v in report
	contains(v.message, "exactly like readinessProbe")
}

test_ready_endpoint_with_other_readiness_still_fires if {
	report := rule.report with input as _input({
		"livenessProbe": {"httpGet": {"path": "/-/ready", "port": 80}, "failureThreshold": 10},
		"readinessProbe": {"httpGet": {"path": "/-/ready", "port": 80}},
	})
	some v in report
	contains(v.message, "restarted whenever it is not ready")
}

test_plain_health_copies_and_liveness_endpoints_pass if {
	p := {"httpGet": {"path": "/healthz", "port": 80}}
	count(rule.report) == 0 with input as _input({"livenessProbe": p, "readinessProbe": p})
	count(rule.report) == 0 with input as _input({
		"livenessProbe": {"httpGet": {"path": "/livez", "port": 80}},
		"readinessProbe": {"httpGet": {"path": "/readyz", "port": 80}},
	})
	count(rule.report) == 0 with input as _input({"livenessProbe": {"tcpSocket": {"port": 80}}})
}
