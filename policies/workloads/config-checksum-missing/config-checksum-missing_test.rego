package chartguard.rules.workloads["config-checksum-missing_test"]

import data.chartguard.rules.workloads["config-checksum-missing"] as rule

_spec := {"containers": [{"name": "a", "volumes": [], "envFrom": [{"secretRef": {"name": "creds"}}]}]}

_input(annotations, creates) := {
	"resources": array.concat(
		[{"kind": "Deployment", "name": "web", "namespace": null, "object": {"spec": {"template": {"metadata": {"annotations": annotations}, "spec": _spec}}}, "hook": null}],
		[{"kind": "Secret", "name": "creds", "namespace": null, "object": {}, "hook": null} | creates],
	),
	"pods": [{"resource": 0, "path": ["spec", "template", "spec"], "spec": _spec}],
}

test_reads_a_secret_of_the_release_without_checksum if {
	vs := rule.report with input as _input({}, true)
	some v in vs
	v.path == ["spec", "template", "metadata"]
	contains(v.message, "reads Secret creds of the release")
}

test_checksum_annotation_passes if {
	count(rule.report) == 0 with input as _input({"checksum/secret": "abc"}, true)
}

test_secret_from_elsewhere_passes if {
	count(rule.report) == 0 with input as _input({}, false)
}

_reloader_input(annotations) := object.union(_input({}, true), {"resources": [
	{"kind": "Deployment", "name": "web", "namespace": null, "object": {"metadata": {"annotations": annotations}, "spec": {"template": {"spec": _spec}}}, "hook": null},
	{"kind": "Secret", "name": "creds", "namespace": null, "object": {}, "hook": null},
]})

test_reloader_or_any_hash_annotation_passes if {
	count(rule.report) == 0 with input as _reloader_input({"secret.reloader.stakater.com/reload": "creds"})
	count(rule.report) == 1 with input as _reloader_input({"example.com/reloader": "true"})
	count(rule.report) == 0 with input as _input({"ConfigHash": "abc"}, true)
	count(rule.report) == 1 with input as _input({"check-sum": "abc"}, true)
}

test_hook_or_other_namespace_secret_is_not_the_release_s if {
	hook := {"resources": [
		{"kind": "Deployment", "name": "web", "namespace": null, "object": {"spec": {"template": {"spec": _spec}}}, "hook": null},
		{"kind": "Secret", "name": "creds", "namespace": null, "object": {}, "hook": {"events": ["pre-install"]}},
	], "pods": [{"resource": 0, "path": ["spec", "template", "spec"], "spec": _spec}]}
	count(rule.report) == 0 with input as hook
	elsewhere := {"resources": [
		{"kind": "Deployment", "name": "web", "namespace": "a", "object": {"spec": {"template": {"spec": _spec}}}, "hook": null},
		{"kind": "Secret", "name": "creds", "namespace": "b", "object": {}, "hook": null},
		{"kind": "Secret", "name": "creds", "namespace": null, "object": {}, "hook": null},
	], "pods": [{"resource": 0, "path": ["spec", "template", "spec"], "spec": _spec}]}
	count(rule.report) == 1 with input as elsewhere
}
