package chartguard.rules.workloads["rolling-update-unavailable_test"]

import data.chartguard.rules.workloads["rolling-update-unavailable"] as rule
import data.chartguard.lib.testing as t

_deploy(spec) := {"kind": "Deployment", "name": "web", "namespace": null, "hook": null, "object": {"spec": spec}}

_input(spec) := {"profile": "prod", "resources": [_deploy(spec)]}

_strategy(replicas, ru) := {"replicas": replicas, "strategy": {"type": "RollingUpdate", "rollingUpdate": ru}}

_hpa(max) := {"kind": "HorizontalPodAutoscaler", "name": "web", "namespace": null, "hook": null, "object": {"spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "maxReplicas": max}}}

test_conservative_settings_pass if {
	count(rule.report) == 0 with input as _input(_strategy(4, {"maxSurge": 1, "maxUnavailable": 0}))
	count(rule.report) == 0 with input as _input(_strategy(4, {"maxSurge": "25%", "maxUnavailable": "0%"}))
	count(rule.report) == 0 with input as _input(_strategy(4, {"maxUnavailable": 0}))
}

test_percentage_rounds_down_against_replicas if {
	# 25% of 1, 2 or 3 replicas is 0 pods: nothing to report.
	count(rule.report) == 0 with input as _input(_strategy(3, {"maxSurge": "25%", "maxUnavailable": "25%"}))
	count(rule.report) == 0 with input as _input({"replicas": 2})
	count(rule.report) == 0 with input as _input({})
	count(rule.report) == 0 with input as _input(_strategy(1, {"maxUnavailable": "50%"}))
}

test_percentage_fires_with_its_meaning if {
	v := t.only(rule.report) with input as _input(_strategy(4, {"maxSurge": "25%", "maxUnavailable": "25%"}))
	v.path == ["spec", "strategy", "rollingUpdate", "maxUnavailable"]
	contains(v.message, "Deployment web sets strategy.rollingUpdate.maxUnavailable to 25%: 25% of 4 replicas = 1 pod may be unavailable")
}

test_default_fires_from_four_replicas if {
	v := t.only(rule.report) with input as _input({"replicas": "8"})
	contains(v.message, "unset, so Kubernetes uses 25%: 25% of 8 replicas = 2 pods may be unavailable")
}

test_hpa_max_replicas_counts if {
	some v in rule.report with input as {"resources": [_deploy({}), _hpa(10)]}
	contains(v.message, "25% of 10 replicas (the HPA's maxReplicas) = 2 pods")
	count(rule.report) == 0 with input as {"resources": [_deploy({"replicas": 8}), _hpa(3)]}
}

test_integer_fires if {
	some v in rule.report with input as _input(_strategy(1, {"maxSurge": 1, "maxUnavailable": 1}))
	contains(v.message, "maxUnavailable to 1: 1 pod may be unavailable")
}

test_zero_surge_fires_at_max_surge if {
	v := t.only(rule.report) with input as _input(_strategy(3, {"maxSurge": "0%", "maxUnavailable": 0}))
	v.path == ["spec", "strategy", "rollingUpdate", "maxSurge"]
	contains(v.message, "maxSurge to 0%")
}

test_one_replica_without_surge_is_recreate if {
	count(rule.report) == 0 with input as _input(_strategy(1, {"maxSurge": 0, "maxUnavailable": 1}))
	count(rule.report) == 0 with input as _input(_strategy(null, {"maxSurge": "0%", "maxUnavailable": "100%"}))
}

test_zero_surge_and_unavailable_is_one_finding if {
	v := t.only(rule.report) with input as _input(_strategy(3, {"maxSurge": 0, "maxUnavailable": 1}))
	v.path == ["spec", "strategy", "rollingUpdate", "maxUnavailable"]
	contains(v.message, "and maxSurge 0 adds no pod first")
}

test_recreate_skipped if {
	count(rule.report) == 0 with input as _input({"replicas": 8, "strategy": {"type": "Recreate"}})
}

test_scaled_to_zero_standby_skipped if {
	count(rule.report) == 0 with input as _input({"replicas": 0, "strategy": {"rollingUpdate": {"maxUnavailable": "50%"}}})
	count(rule.report) == 0 with input as _input({"replicas": "0"})
}

test_hooks_and_other_kinds_skipped if {
	hook := object.union(_deploy({"replicas": 8}), {"hook": {"events": ["pre-install"], "weight": 0}})
	count(rule.report) == 0 with input as {"resources": [hook]}
	sts := object.union(_deploy({"replicas": 8}), {"kind": "StatefulSet"})
	count(rule.report) == 0 with input as {"resources": [sts]}
}

test_null_or_malformed_rolling_update_is_the_default if {
	v := t.only(rule.report) with input as _input(_strategy(8, {"maxUnavailable": null}))
	contains(v.message, "unset, so Kubernetes uses 25%: 25% of 8 replicas = 2 pods")
	w := t.only(rule.report) with input as _input(_strategy(8, "fast"))
	contains(w.message, "unset, so Kubernetes uses 25%: 25% of 8 replicas = 2 pods")
}

test_unreadable_percentage_is_not_judged if {
	count(rule.report) == 0 with input as _input(_strategy(8, {"maxUnavailable": "x%"}))
	count(rule.report) == 0 with input as _input(_strategy(8, {"maxUnavailable": "25"}))
	v := t.only(rule.report) with input as _input(_strategy(8, {"maxUnavailable": "x%", "maxSurge": "0"}))
	v.path == ["spec", "strategy", "rollingUpdate", "maxSurge"]
}

test_other_strategy_types_skipped if {
	count(rule.report) == 0 with input as _input({"replicas": 8, "strategy": {"type": "Blue"}})
	count(rule.report) == 1 with input as _input({"replicas": 8, "strategy": {"type": null}})
}

test_one_quoted_replica_without_surge_is_recreate_unless_autoscaled if {
	count(rule.report) == 0 with input as _input(_strategy("1", {"maxSurge": 0, "maxUnavailable": 1}))
	v := t.only(rule.report) with input as {"resources": [_deploy(_strategy(1, {"maxSurge": 0, "maxUnavailable": 1})), _hpa(10)]}
	contains(v.message, "maxUnavailable to 1: 1 pod may be unavailable during a rollout, before their replacements are ready, and maxSurge 0 adds no pod first")
}
