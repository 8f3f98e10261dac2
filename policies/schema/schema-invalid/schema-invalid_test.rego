package chartguard.rules.schema["schema-invalid_test"]

import data.chartguard.rules.schema["schema-invalid"] as rule

_input := {
	"resources": [{"kind": "Deployment", "name": "web", "namespace": null}, {"kind": "Service", "name": "web", "namespace": "prod"}],
	"schema_issues": [
		{"resource": 0, "kind": "invalid", "path": ["spec", "replicas"], "message": "spec.replicas: expected an integer (i32), found the string \"3\""},
		{"resource": 0, "kind": "unknown-field", "path": ["spec", "template", "spec", "securityContext", "runAsNonroot"], "message": "unknown field"},
		{"resource": 1, "kind": "invalid", "path": ["spec", "ports", 0, "port"], "message": "spec.ports[0].port: expected an integer"},
	],
}

test_reports_invalid_issues_only if {
	report := rule.report with input as _input
	count(report) == 2
	some v in report
	v.resource == 0
	v.path == ["spec", "replicas"]
	v.message == "Deployment web: spec.replicas: expected an integer (i32), found the string \"3\""
}

test_message_names_namespace if {
	some v in rule.report with input as _input
	v.resource == 1
	startswith(v.message, "Service prod/web: spec.ports[0].port")
}

test_no_issues_no_findings if {
	count(rule.report) == 0 with input as {"resources": [], "schema_issues": []}
}
