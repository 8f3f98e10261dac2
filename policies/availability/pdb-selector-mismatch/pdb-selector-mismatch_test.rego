package chartguard.rules.availability["pdb-selector-mismatch_test"]

import data.chartguard.rules.availability["pdb-selector-mismatch"] as rule
import data.chartguard.lib.testing as t

_deploy(name, labels, hook) := {
	"api_version": "apps/v1", "kind": "Deployment", "name": name, "namespace": null, "hook": hook,
	"object": {"spec": {"template": {"metadata": {"labels": labels}}}},
}

_pdb(api, selector) := {"api_version": api, "kind": "PodDisruptionBudget", "name": "web", "namespace": null, "hook": null, "object": {"spec": {"minAvailable": 1, "selector": selector}}}

_input(resources) := {"resources": resources, "pods": [{"resource": i, "labels": r.object.spec.template.metadata.labels} |
	some i, r in resources
	r.kind == "Deployment"
]}

test_renamed_label_fires_at_selector if {
	v := t.only(rule.report) with input as _input([_pdb("policy/v1", {"matchLabels": {"app.kubernetes.io/name": "web"}}), _deploy("web", {"app": "web"}, null)])
	v.resource == 0
	v.path == ["spec", "selector"]
	contains(v.message, "PodDisruptionBudget web: spec.selector (app.kubernetes.io/name=web) matches no pod template of the release")
}

test_matching_selector_passes if {
	count(rule.report) == 0 with input as _input([_pdb("policy/v1", {"matchLabels": {"app": "web"}}), _deploy("web", {"app": "web", "x": "y"}, null)])
	count(rule.report) == 0 with input as _input([_pdb("policy/v1", {"matchExpressions": [{"key": "app", "operator": "In", "values": ["web"]}]}), _deploy("web", {"app": "web"}, null)])
}

test_hook_pods_do_not_count if {
	count(rule.report) == 1 with input as _input([_pdb("policy/v1", {"matchLabels": {"app": "web"}}), _deploy("migrate", {"app": "web"}, {"events": ["pre-upgrade"]})])
}

test_empty_and_missing_selectors if {
	# policy/v1: {} selects every pod of the namespace.
	count(rule.report) == 0 with input as _input([_pdb("policy/v1", {})])
	some v in rule.report with input as _input([_pdb("policy/v1beta1", {}), _deploy("web", {"app": "web"}, null)])
	contains(v.message, "empty, which in policy/v1beta1 selects no pod")
	some w in rule.report with input as _input([_pdb("policy/v1", null), _deploy("web", {"app": "web"}, null)])
	contains(w.message, "spec.selector is missing")
}

test_custom_workloads_silence if {
	prom := {"api_version": "monitoring.coreos.com/v1", "kind": "Prometheus", "name": "k8s", "namespace": null, "hook": null, "object": {}}
	count(rule.report) == 0 with input as _input([_pdb("policy/v1", {"matchLabels": {"app": "prometheus"}}), prom])
}
