package chartguard.rules.traffic["servicemonitor-port-mismatch_test"]

import data.chartguard.rules.traffic["servicemonitor-port-mismatch"] as rule
import data.chartguard.lib.testing as t

_svc(labels, ports) := {"api_version": "v1", "kind": "Service", "name": "web", "namespace": null, "hook": null, "object": {"metadata": {"labels": labels}, "spec": {"ports": ports}}}

_sm(spec) := {"api_version": "monitoring.coreos.com/v1", "kind": "ServiceMonitor", "name": "web", "namespace": null, "hook": null, "object": {"spec": spec}}

_web := _svc({"app": "web"}, [{"name": "http", "port": 80}, {"name": "metrics", "port": 9090}])

test_matching_port_passes if {
	count(rule.report) == 0 with input as {"resources": [_web, _sm({"selector": {"matchLabels": {"app": "web"}}, "endpoints": [{"port": "metrics"}]})]}
}

test_unknown_port_fires_at_endpoint if {
	v := t.only(rule.report) with input as {"resources": [_web, _sm({"selector": {"matchLabels": {"app": "web"}}, "endpoints": [{"port": "metrics"}, {"port": "http-metrics"}]})]}
	v.resource == 1
	v.path == ["spec", "endpoints", 1, "port"]
	contains(v.message, "spec.endpoints[1].port \"http-metrics\" is not the name of a port of Service web (ports: \"http\", \"metrics\")")
	v.related[0].resource == 0
}

test_target_port_not_checked if {
	count(rule.report) == 0 with input as {"resources": [_web, _sm({"selector": {"matchLabels": {"app": "web"}}, "endpoints": [{"targetPort": 9091}]})]}
}

test_no_service_fires_at_selector if {
	some v in rule.report with input as {"resources": [_web, _sm({"selector": {"matchLabels": {"app": "api"}}, "endpoints": [{"port": "metrics"}]})]}
	v.path == ["spec", "selector"]
	contains(v.message, "spec.selector (app=api) matches the labels of no Service of the release")
}

test_other_namespaces_stay_quiet if {
	count(rule.report) == 0 with input as {"resources": [_sm({"selector": {"matchLabels": {"app": "api"}}, "namespaceSelector": {"any": true}})]}
	count(rule.report) == 0 with input as {"resources": [_sm({"selector": {"matchLabels": {"app": "api"}}, "namespaceSelector": {"matchNames": ["kube-system"]}})]}
}

test_own_namespace_in_match_names_is_checked if {
	count(rule.report) == 1 with input as {"release": {"namespace": "team"}, "resources": [_sm({"selector": {"matchLabels": {"app": "api"}}, "namespaceSelector": {"matchNames": ["team"]}})]}
}
