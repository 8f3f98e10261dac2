package chartguard.rules.traffic["ingress-tls-missing_test"]

import data.chartguard.rules.traffic["ingress-tls-missing"] as rule

_input(meta, spec) := {"profile": "prod", "resources": [{"kind": "Ingress", "name": "web", "namespace": null, "hook": null, "object": {"metadata": meta, "spec": spec}}]}

_rules(hosts) := [{"host": h, "http": {"paths": []}} | some h in hosts]

test_no_tls_fires_per_host if {
	report := rule.report with input as _input({}, {"rules": _rules(["a.example.com", "b.example.com"])})
	count(report) == 2
	some v in report
	v.path == ["spec", "rules", 0, "host"]
	contains(v.message, "Ingress web serves host a.example.com without TLS: it has no spec.tls")
}

test_host_missing_from_tls_fires if {
	report := rule.report with input as _input({}, {"tls": [{"hosts": ["a.example.com"], "secretName": "s"}], "rules": _rules(["a.example.com", "b.example.com"])})
	count(report) == 1
	some v in report
	contains(v.message, "host b.example.com without TLS: no spec.tls entry lists that host")
}

test_wildcards_hostless_entries_and_lb_certs_pass if {
	count(rule.report) == 0 with input as _input({}, {"tls": [{"hosts": ["*.example.com"]}], "rules": _rules(["a.example.com"])})
	count(rule.report) == 1 with input as _input({}, {"tls": [{"hosts": ["*.example.com"]}], "rules": _rules(["x.a.example.com"])})
	count(rule.report) == 0 with input as _input({}, {"tls": [{"secretName": "default"}], "rules": _rules(["a.example.com"])})
	count(rule.report) == 0 with input as _input({"annotations": {"alb.ingress.kubernetes.io/certificate-arn": "arn:aws:acm:x"}}, {"rules": _rules(["a.example.com"])})
}
