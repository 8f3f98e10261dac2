package chartguard.rules.schema["unknown-field_test"]

import data.chartguard.rules.schema["unknown-field"] as rule
import data.chartguard.lib.testing as t

_input := {
	"resources": [{"kind": "Deployment", "name": "web", "namespace": null}],
	"schema_issues": [
		{"resource": 0, "kind": "invalid", "path": ["spec", "replicas"], "message": "spec.replicas: expected an integer"},
		{"resource": 0, "kind": "unknown-field", "path": ["spec", "template", "spec", "securityContext", "runAsNonroot"], "message": "spec.template.spec.securityContext.runAsNonroot: unknown field"},
	],
}

test_reports_unknown_fields_only if {
	v := t.only(rule.report) with input as _input
	v.resource == 0
	v.path == ["spec", "template", "spec", "securityContext", "runAsNonroot"]
	v.message == "Deployment web: spec.template.spec.securityContext.runAsNonroot: unknown field"
}

test_no_issues_no_findings if {
	count(rule.report) == 0 with input as {"resources": [], "schema_issues": []}
}
