package chartguard.rules.traffic["ingress-backend-missing_test"]

import data.chartguard.rules.traffic["ingress-backend-missing"] as rule

_svc := {"kind": "Service", "api_version": "v1", "name": "web", "namespace": null, "hook": null, "object": {"spec": {"ports": [{"name": "http", "port": 80}]}}}

_ing(backend) := {"kind": "Ingress", "api_version": "networking.k8s.io/v1", "name": "web", "namespace": null, "hook": null, "object": {"spec": {"rules": [{"host": "a.example.com", "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": backend}]}}]}}}

_input(resources) := {"release": {"name": "web", "namespace": "apps"}, "resources": resources, "pods": []}

test_renamed_service_fires_at_the_backend if {
	report := rule.report with input as _input([_svc, _ing({"service": {"name": "web-frontend", "port": {"name": "http"}}})])
	count(report) == 1
	some v in report
	v.path == ["spec", "rules", 0, "http", "paths", 0, "backend"]
	contains(v.message, "Ingress web routes to Service web-frontend, which is not in the release")
}

test_unknown_port_fires if {
	report := rule.report with input as _input([_svc, _ing({"service": {"name": "web", "port": {"number": 8080}}})])
	some v in report
	contains(v.message, "routes to port 8080 of Service web, which declares 80 (http)")
	count(rule.report) == 1 with input as _input([_svc, _ing({"service": {"name": "web", "port": {"name": "https"}}})])
}

test_matching_backend_passes if {
	count(rule.report) == 0 with input as _input([_svc, _ing({"service": {"name": "web", "port": {"name": "http"}}})])
	count(rule.report) == 0 with input as _input([_svc, _ing({"service": {"name": "web", "port": {"number": 80}}})])
}

test_actions_resources_and_operator_releases_are_skipped if {
	count(rule.report) == 0 with input as _input([_ing({"service": {"name": "ssl-redirect", "port": {"name": "use-annotation"}}})])
	count(rule.report) == 0 with input as _input([_ing({"resource": {"kind": "StorageBucket", "name": "static"}})])
	op := {"kind": "Grafana", "api_version": "grafana.integreatly.org/v1beta1", "name": "g", "namespace": null, "hook": null, "object": {}}
	count(rule.report) == 0 with input as _input([op, _ing({"service": {"name": "grafana-service", "port": {"number": 3000}}})])
}
