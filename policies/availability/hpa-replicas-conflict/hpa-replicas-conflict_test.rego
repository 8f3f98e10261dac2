package chartguard.rules.availability["hpa-replicas-conflict_test"]

import data.chartguard.rules.availability["hpa-replicas-conflict"] as rule
import data.chartguard.lib.testing as t

_deploy(replicas) := {"kind": "Deployment", "name": "web", "namespace": null, "hook": null, "object": {"spec": {"replicas": replicas}}}

_hpa(kind, name, min, max) := {
	"kind": "HorizontalPodAutoscaler", "name": "web-hpa", "namespace": null, "hook": null,
	"object": {"spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": kind, "name": name}, "minReplicas": min, "maxReplicas": max}},
}

test_replicas_with_hpa_fires_on_workload if {
	v := t.only(rule.report) with input as {"resources": [_deploy(3), _hpa("Deployment", "web", 2, 10)]}
	v.resource == 0
	v.path == ["spec", "replicas"]
	contains(v.message, "Deployment web sets spec.replicas (3) while HorizontalPodAutoscaler web-hpa scales it")
	v.related[0].resource == 1
}

test_no_replicas_passes if {
	count(rule.report) == 0 with input as {"resources": [_deploy(null), _hpa("Deployment", "web", 2, 10)]}
	count(rule.report) == 0 with input as {"resources": [{"kind": "Deployment", "name": "web", "namespace": null, "hook": null, "object": {"spec": {}}}, _hpa("Deployment", "web", 2, 10)]}
}

test_missing_target_fires if {
	some v in rule.report with input as {"resources": [_deploy(null), _hpa("Deployment", "web-api", 2, 10)]}
	v.resource == 1
	v.path == ["spec", "scaleTargetRef", "name"]
	contains(v.message, "names Deployment \"web-api\", which is not in the release")
	count(rule.report) == 1 with input as {"resources": [_deploy(null), _hpa("StatefulSet", "web", 2, 10)]}
	count(rule.report) == 1 with input as {"resources": [_hpa("Rollout", "web", 2, 10)]}
}

test_min_above_max_is_an_error if {
	v := t.only(rule.report) with input as {"resources": [_deploy(null), _hpa("Deployment", "web", 5, 3)]}
	v.severity == "error"
	v.path == ["spec", "minReplicas"]
	contains(v.message, "spec.minReplicas 5 greater than spec.maxReplicas 3")
}

test_hook_hpa_ignored if {
	hook := object.union(_hpa("Deployment", "nope", 5, 3), {"hook": {"events": ["post-install"]}})
	count(rule.report) == 0 with input as {"resources": [hook]}
}
