package chartguard.rules.availability["webhook-single-point_test"]

import data.chartguard.rules.availability["webhook-single-point"] as rule

_labels := {"app": "hook"}

_deploy(replicas) := {
	"kind": "Deployment", "name": "hook", "namespace": null, "hook": null,
	"object": {"spec": {"replicas": replicas, "template": {"metadata": {"labels": _labels}}}},
}

_svc := {"kind": "Service", "name": "hook-svc", "namespace": null, "hook": null, "object": {"spec": {"selector": _labels}}}

_pdb := {"kind": "PodDisruptionBudget", "name": "hook", "namespace": null, "hook": null, "object": {"spec": {"maxUnavailable": 1, "selector": {"matchLabels": _labels}}}}

_vwc(policy, groups) := {
	"kind": "ValidatingWebhookConfiguration", "name": "hook", "namespace": null, "hook": null,
	"object": {"webhooks": [object.union(
		{"name": "validate.example.com", "clientConfig": {"service": {"name": "hook-svc", "namespace": "ops"}}, "rules": [{"apiGroups": groups, "resources": ["ingresses"], "operations": ["CREATE"]}]},
		policy,
	)]},
}

_input(resources) := {
	"release": {"name": "hook", "namespace": "ops"},
	"resources": resources,
	"pods": [{"resource": 0, "path": ["spec", "template", "spec"], "spec": {}, "labels": _labels, "labels_path": []}],
}

test_single_replica_fail_closed_on_builtin_is_a_warning if {
	report := rule.report with input as _input([_deploy(1), _svc, _vwc({"failurePolicy": "Fail"}, ["networking.k8s.io"]), _pdb])
	count(report) == 1
	some v in report
	v.severity == "warning"
	v.resource == 2
	v.path == ["webhooks", 0, "failurePolicy"]
	contains(v.message, "ValidatingWebhookConfiguration hook fails closed (failurePolicy Fail in validate.example.com) and is served by Deployment hook through Service hook-svc: a single replica")
	contains(v.message, "every matching request for ingresses")
}

test_default_policy_is_fail if {
	count(rule.report) == 1 with input as _input([_deploy(1), _svc, _vwc({}, ["networking.k8s.io"])])
}

test_custom_resources_only_is_a_note if {
	report := rule.report with input as _input([_deploy(1), _svc, _vwc({}, ["example.com"])])
	{v.severity | some v in report} == {"note"}
}

test_replicas_without_pdb_fire if {
	report := rule.report with input as _input([_deploy(3), _svc, _vwc({}, [""])])
	some v in report
	contains(v.message, "no PodDisruptionBudget protects them")
}

test_redundant_protected_or_ignore_passes if {
	count(rule.report) == 0 with input as _input([_deploy(2), _svc, _vwc({}, [""]), _pdb])
	count(rule.report) == 0 with input as _input([_deploy(1), _svc, _vwc({"failurePolicy": "Ignore"}, [""])])
}

test_service_elsewhere_is_not_judged if {
	count(rule.report) == 0 with input as _input([_deploy(1), _svc, _vwc({"clientConfig": {"service": {"name": "other"}}}, [""])])
	count(rule.report) == 0 with input as _input([_deploy(1), _svc, _vwc({"clientConfig": {"service": {"name": "hook-svc", "namespace": "elsewhere"}}}, [""])])
}
