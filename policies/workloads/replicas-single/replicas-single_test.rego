package chartguard.rules.workloads["replicas-single_test"]

import data.chartguard.rules.workloads["replicas-single"] as rule
import data.chartguard.lib.testing as t

_workload(kind, name, spec) := {"kind": kind, "name": name, "namespace": null, "hook": null, "object": {"spec": spec}}

_hpa(kind, target, ns) := {
	"kind": "HorizontalPodAutoscaler", "name": "hpa", "namespace": ns, "hook": null,
	"object": {"spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": kind, "name": target}, "minReplicas": 2, "maxReplicas": 5}},
}

test_one_replica_deployment_warns_at_replicas if {
	v := t.only(rule.report) with input as {"resources": [_workload("Deployment", "web", {"replicas": 1})]}
	v.resource == 0
	v.path == ["spec", "replicas"]
	not v.severity
	contains(v.message, "Deployment web runs a single replica (spec.replicas: 1) and no HorizontalPodAutoscaler scales it")
}

test_unset_and_null_mean_one if {
	some v in rule.report with input as {"resources": [_workload("Deployment", "web", {})]}
	contains(v.message, "spec.replicas unset, which means 1")
	count(rule.report) == 1 with input as {"resources": [_workload("Deployment", "web", {"replicas": null})]}
	count(rule.report) == 1 with input as {"resources": [_workload("Deployment", "web", {"replicas": "1"})]}
}

test_statefulset_is_a_note if {
	some v in rule.report with input as {"resources": [_workload("StatefulSet", "db", {"replicas": 1})]}
	v.severity == "note"
	contains(v.message, "StatefulSet db runs a single replica")
}

test_zero_many_and_unreadable_pass if {
	count(rule.report) == 0 with input as {"resources": [_workload("Deployment", "green", {"replicas": 0})]}
	count(rule.report) == 0 with input as {"resources": [_workload("Deployment", "web", {"replicas": 3})]}
	count(rule.report) == 0 with input as {"resources": [_workload("Deployment", "web", {"replicas": "many"})]}
}

test_hpa_target_passes if {
	count(rule.report) == 0 with input as {"resources": [_workload("Deployment", "web", {}), _hpa("Deployment", "web", null)]}
	count(rule.report) == 0 with input as {"resources": [_workload("StatefulSet", "db", {"replicas": 1}), _hpa("StatefulSet", "db", null)]}
}

test_hpa_for_other_object_does_not_count if {
	count(rule.report) == 1 with input as {"resources": [_workload("Deployment", "web", {}), _hpa("Deployment", "api", null)]}
	count(rule.report) == 1 with input as {"resources": [_workload("Deployment", "web", {}), _hpa("StatefulSet", "web", null)]}
	other_ns := object.union(_workload("Deployment", "web", {}), {"namespace": "prod"})
	count(rule.report) == 1 with input as {"resources": [other_ns, _hpa("Deployment", "web", "staging")]}
}

test_keda_scaled_object_counts if {
	so := {
		"kind": "ScaledObject", "name": "web", "namespace": null, "hook": null,
		"object": {"spec": {"scaleTargetRef": {"name": "web"}, "minReplicaCount": 2}},
	}
	count(rule.report) == 0 with input as {"resources": [_workload("Deployment", "web", {}), so]}
}

test_hooks_and_other_kinds_skipped if {
	hook := object.union(_workload("Deployment", "warmup", {"replicas": 1}), {"hook": {"events": ["post-install"]}})
	count(rule.report) == 0 with input as {"resources": [hook]}
	count(rule.report) == 0 with input as {"resources": [_workload("DaemonSet", "agent", {})]}
}
