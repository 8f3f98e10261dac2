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
