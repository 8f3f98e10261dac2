package chartguard.rules.workloads["env-duplicate_test"]

import data.chartguard.rules.workloads["env-duplicate"] as rule

_input(env) := {
	"resources": [{"kind": "Deployment", "name": "api", "namespace": null, "hook": null}],
	"containers": [{
		"resource": 0, "pod_path": ["spec", "template", "spec"],
		"path": ["spec", "template", "spec", "containers", 0],
		"type": "container", "container": {"name": "api", "env": env},
	}],
}

test_second_definition_fires_naming_the_first if {
	report := rule.report with input as _input([
		{"name": "LOG_LEVEL", "value": "info"},
		{"name": "PORT", "value": "8080"},
		{"name": "LOG_LEVEL", "value": "debug"},
	])
	count(report) == 1
	some v in report
	v.path == ["spec", "template", "spec", "containers", 0, "env", 2, "name"]
	contains(v.message, "container \"api\" of Deployment api defines env LOG_LEVEL again (env[2], first at env[0])")
}

test_each_repeat_fires_once if {
	report := rule.report with input as _input([{"name": "A"}, {"name": "A"}, {"name": "A"}])
	{v.path[6] | some v in report} == {1, 2}
}

test_distinct_names_pass if {
	count(rule.report) == 0 with input as _input([{"name": "A", "value": "1"}, {"name": "a", "value": "2"}, {"valueFrom": {}}])
	count(rule.report) == 0 with input as _input(null)
}
