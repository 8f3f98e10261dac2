package chartguard.rules.access["apiservice-insecure_test"]

import data.chartguard.rules.access["apiservice-insecure"] as rule

_input(spec) := {"resources": [{
	"kind": "APIService", "name": "v1beta1.metrics.k8s.io", "namespace": null, "hook": null,
	"object": {"spec": object.union({"group": "metrics.k8s.io", "version": "v1beta1", "service": {"name": "metrics-server", "namespace": "kube-system"}}, spec)},
}]}

test_skip_verify_fires_at_the_field if {
	report := rule.report with input as _input({"insecureSkipTLSVerify": true})
	count(report) == 1
	some v in report
	v.path == ["spec", "insecureSkipTLSVerify"]
	contains(v.message, "APIService v1beta1.metrics.k8s.io sets insecureSkipTLSVerify: true: the API server forwards metrics.k8s.io/v1beta1 requests to Service kube-system/metrics-server")
}

test_ca_bundle_passes if {
	count(rule.report) == 0 with input as _input({"caBundle": "LS0tLS1CRUdJTi..."})
	count(rule.report) == 0 with input as _input({"insecureSkipTLSVerify": false})
	count(rule.report) == 0 with input as _input({"insecureSkipTLSVerify": "true"})
}
