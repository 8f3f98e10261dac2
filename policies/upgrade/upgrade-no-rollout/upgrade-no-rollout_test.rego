package chartguard.rules.upgrade["upgrade-no-rollout_test"]

import data.chartguard.rules.upgrade["upgrade-no-rollout"] as rule

_spec := {"containers": [{"name": "a", "envFrom": [{"configMapRef": {"name": "cfg"}}]}]}

_input(template_changed) := _input_changes([["data", "k"]], template_changed)

_input_changes(config_changed, template_changed) := {
	"resources": [
		{"kind": "ConfigMap", "name": "cfg", "namespace": null, "object": {"data": {"k": "2"}}, "hook": null},
		{"kind": "Deployment", "name": "web", "namespace": null, "object": {"spec": {"template": {"spec": _spec}}}, "hook": null},
	],
	"pods": [{"resource": 1, "path": ["spec", "template", "spec"], "spec": _spec}],
	"previous": {
		"offset": 2,
		"resources": [],
		"pairs": [
			{"current": 0, "previous": 0, "changed": config_changed},
			{"current": 1, "previous": 1, "changed": template_changed},
		],
		"added": [], "removed": [],
	},
}

test_config_change_without_rollout_fires if {
	vs := rule.report with input as _input([])
	some v in vs
	v.resource == 1
	v.path == ["spec", "template", "metadata"]
	contains(v.message, "whose data changes (k)")
}

test_rollout_passes if {
	count(rule.report) == 0 with input as _input([["spec", "template", "metadata", "annotations", "checksum/config"]])
}

test_generated_certificates_say_nothing if {
	certs := _input_changes([["data", "tls.crt"], ["data", "ca.crt"], ["data", "tls.key"]], [])
	count(rule.report) == 0 with input as certs
	password := _input_changes([["data", "tls.crt"], ["data", "password"]], [])
	count(rule.report) == 1 with input as password
}
