package chartguard.rules.traffic["service-exposed_test"]

import data.chartguard.rules.traffic["service-exposed"] as rule

_input(meta, spec) := {"resources": [{"kind": "Service", "name": "db", "namespace": null, "hook": null, "object": {"metadata": meta, "spec": object.union({"ports": [{"port": 5432}]}, spec)}}]}

test_node_port_is_noted if {
	report := rule.report with input as _input({}, {"type": "NodePort"})
	count(report) == 1
	some v in report
	v.path == ["spec", "type"]
	contains(v.message, "Service db is a NodePort Service: port 5432 is open on every node")
}

test_public_load_balancer_is_noted if {
	report := rule.report with input as _input({}, {"type": "LoadBalancer"})
	some v in report
	contains(v.message, "reachable from the internet")
}

test_restricted_load_balancers_pass if {
	count(rule.report) == 0 with input as _input({}, {"type": "LoadBalancer", "loadBalancerSourceRanges": ["10.0.0.0/8"]})
	count(rule.report) == 0 with input as _input({"annotations": {"service.beta.kubernetes.io/aws-load-balancer-internal": "true"}}, {"type": "LoadBalancer"})
	count(rule.report) == 0 with input as _input({"annotations": {"networking.gke.io/load-balancer-type": "Internal"}}, {"type": "LoadBalancer"})
}

test_external_ips if {
	report := rule.report with input as _input({}, {"externalIPs": ["203.0.113.7"]})
	some v in report
	v.path == ["spec", "externalIPs"]
	contains(v.message, "externalIPs 203.0.113.7")
}

test_cluster_ip_passes if {
	count(rule.report) == 0 with input as _input({}, {"type": "ClusterIP"})
	count(rule.report) == 0 with input as _input({}, {})
}

test_allowed_types_and_external_ips_are_not_noted if {
	count(rule.report) == 0 with input as _input({}, {"type": "LoadBalancer"})
		with data.params["service-exposed"].allowed_types as ["LoadBalancer"]
	count(rule.report) == 0 with input as _input({}, {"externalIPs": ["203.0.113.7", "198.51.100.1"]})
		with data.params["service-exposed"].allowed_external_ips as ["203.0.113.0/24", "198.51.100.1"]
	report := rule.report with input as _input({}, {"type": "NodePort", "externalIPs": ["203.0.113.7", "192.0.2.9"]})
		with data.params["service-exposed"].allowed_types as ["LoadBalancer"]
		with data.params["service-exposed"].allowed_external_ips as ["203.0.113.0/24", "not-an-address"]
	count(report) == 2
	some v in report
	v.path == ["spec", "externalIPs"]
	contains(v.message, "externalIPs 192.0.2.9 to itself")
}
