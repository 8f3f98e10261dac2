package chartguard.rules.availability["pdb-unhealthy-eviction_test"]

import data.chartguard.rules.availability["pdb-unhealthy-eviction"] as rule

_labels := {"app": "web"}

_input(kind, pdb_spec) := {
	"profile": "prod",
	"resources": [
		{"kind": kind, "api_version": "apps/v1", "name": "web", "namespace": null, "hook": null, "object": {}},
		{"kind": "PodDisruptionBudget", "api_version": "policy/v1", "name": "web", "namespace": null, "hook": null, "object": {"spec": object.union({"selector": {"matchLabels": _labels}, "maxUnavailable": 1}, pdb_spec)}},
	],
	"pods": [{"resource": 0, "path": ["spec", "template", "spec"], "spec": {}, "labels": _labels, "labels_path": []}],
}

test_default_policy_on_deployment_is_noted if {
	report := rule.report with input as _input("Deployment", {})
	count(report) == 1
	some v in report
	v.resource == 1
	v.path == ["spec"]
	contains(v.message, "PodDisruptionBudget web protects Deployment web with the default unhealthyPodEvictionPolicy")
}

test_always_allow_and_statefulsets_pass if {
	count(rule.report) == 0 with input as _input("Deployment", {"unhealthyPodEvictionPolicy": "AlwaysAllow"})
	count(rule.report) == 0 with input as _input("StatefulSet", {})
	count(rule.report) == 0 with input as object.union(_input("Deployment", {}), {"kube_version": "1.26"})
	count(rule.report) == 1 with input as object.union(_input("Deployment", {}), {"kube_version": "1.33"})
}
