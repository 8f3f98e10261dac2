package chartguard.rules.availability["pdb-missing_test"]

import data.chartguard.rules.availability["pdb-missing"] as rule
import data.chartguard.lib.testing as t

_labels := {"app": "web", "component": "api"}

_deploy(name, ns, replicas) := {
	"kind": "Deployment", "name": name, "namespace": ns, "hook": null,
	"object": {"spec": {"replicas": replicas, "template": {"metadata": {"labels": _labels}, "spec": {}}}},
}

_pdb(ns, selector) := {
	"kind": "PodDisruptionBudget", "name": "web", "namespace": ns, "hook": null,
	"object": {"spec": {"minAvailable": 1, "selector": selector}},
}

_hpa(target, max) := {
	"kind": "HorizontalPodAutoscaler", "name": "web-hpa", "namespace": null, "hook": null,
	"object": {"spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": target}, "minReplicas": 2, "maxReplicas": max}},
}

test_replicated_without_pdb_fires_at_replicas if {
	some v in rule.report with input as t.release([_deploy("web", null, 3)])
	v.resource == 0
	v.path == ["spec", "replicas"]
	contains(v.message, "Deployment web runs 3 replicas and no PodDisruptionBudget")
}

test_quoted_replicas_read_as_number if {
	some v in rule.report with input as t.release([_deploy("web", null, "3")])
	contains(v.message, "runs 3 replicas")
}

test_matching_pdb_passes if {
	count(rule.report) == 0 with input as t.release([_deploy("web", null, 3), _pdb(null, {"matchLabels": {"app": "web"}})])
	count(rule.report) == 0 with input as t.release([_pdb(null, {"matchExpressions": [{"key": "component", "operator": "In", "values": ["api"]}]}), _deploy("web", null, 3)])
}

test_pdb_for_other_pods_fires if {
	count(rule.report) == 1 with input as t.release([_deploy("web", null, 3), _pdb(null, {"matchLabels": {"app": "worker"}})])
}

test_pdb_in_other_namespace_fires if {
	count(rule.report) == 1 with input as t.release([_deploy("web", "prod", 3), _pdb("staging", {"matchLabels": {"app": "web"}})])
}

test_release_namespace_matches_explicit if {
	count(rule.report) == 0 with input as t.release([_deploy("web", null, 3), _pdb("prod", {"matchLabels": {"app": "web"}})])
}

test_single_replica_and_unset_pass if {
	count(rule.report) == 0 with input as t.release([_deploy("web", null, 1)])
	count(rule.report) == 0 with input as t.release([_deploy("web", null, null)])
	count(rule.report) == 0 with input as t.release([_deploy("web", null, "many")])
}

test_hpa_target_fires_with_related_hpa if {
	v := t.only(rule.report) with input as t.release([_deploy("web", null, null), _hpa("web", 10)])
	v.path == ["spec", "template", "metadata", "labels"]
	contains(v.message, "Deployment web is scaled by HorizontalPodAutoscaler web-hpa (up to 10 replicas)")
	v.related[0].resource == 1
}

test_hpa_other_target_or_max_one_passes if {
	count(rule.report) == 0 with input as t.release([_deploy("web", null, null), _hpa("api", 10)])
	count(rule.report) == 0 with input as t.release([_deploy("web", null, null), _hpa("web", 1)])
}

test_hpa_and_replicas_report_once if {
	count(rule.report) == 1 with input as t.release([_deploy("web", null, 3), _hpa("web", 10)])
}

test_hooks_skipped if {
	hook := object.union(_deploy("web", null, 3), {"hook": {"events": ["pre-install"]}})
	count(rule.report) == 0 with input as t.release([hook])
}

test_pdb_with_only_expressions_or_empty_selector if {
	count(rule.report) == 0 with input as t.release([_deploy("web", null, 3), _pdb(null, {"matchExpressions": [{"key": "app", "operator": "Exists"}]})])
	count(rule.report) == 0 with input as t.release([_deploy("web", null, 3), _pdb(null, {})])
	count(rule.report) == 1 with input as t.release([_deploy("web", null, 3), _pdb(null, null)])
}

test_pdb_label_value_must_match_exactly if {
	count(rule.report) == 1 with input as t.release([_deploy("web", null, 3), _pdb(null, {"matchLabels": {"app": "web", "component": "worker"}})])
}

test_pdbs_sharing_a_common_label_are_told_apart if {
	api := object.union(_pdb(null, {"matchLabels": {"app": "web", "component": "api"}}), {"name": "api"})
	worker := object.union(_pdb(null, {"matchLabels": {"app": "web", "component": "worker"}}), {"name": "worker"})
	count(rule.report) == 0 with input as t.release([worker, _deploy("web", null, 3), api])
	count(rule.report) == 1 with input as t.release([worker, _deploy("web", null, 3)])
}
