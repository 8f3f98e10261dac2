package chartguard.rules.workloads["rolling-update-unavailable_test"]

import data.chartguard.rules.workloads["rolling-update-unavailable"] as rule

_deploy(spec) := {"kind": "Deployment", "name": "web", "namespace": null, "hook": null, "object": {"spec": spec}}

_input(spec) := {"profile": "prod", "resources": [_deploy(spec)]}

_strategy(ru) := {"replicas": 3, "strategy": {"type": "RollingUpdate", "rollingUpdate": ru}}

test_conservative_settings_pass if {
	count(rule.report) == 0 with input as _input(_strategy({"maxSurge": 1, "maxUnavailable": 0}))
	count(rule.report) == 0 with input as _input(_strategy({"maxSurge": "25%", "maxUnavailable": "0%"}))
	count(rule.report) == 0 with input as _input(_strategy({"maxUnavailable": 0}))
}

test_percentage_fires_at_max_unavailable if {
	some v in rule.report with input as _input(_strategy({"maxSurge": "25%", "maxUnavailable": "25%"}))
	v.path == ["spec", "strategy", "rollingUpdate", "maxUnavailable"]
	contains(v.message, "Deployment web sets strategy.rollingUpdate.maxUnavailable to 25%")
}

test_integer_fires if {
	some v in rule.report with input as _input(_strategy({"maxSurge": 1, "maxUnavailable": 1}))
	contains(v.message, "maxUnavailable to 1:")
}

test_no_strategy_fires_with_default if {
	report := rule.report with input as _input({"replicas": 3})
	count(report) == 1
	some v in report
	v.path == ["spec", "strategy", "rollingUpdate", "maxUnavailable"]
	contains(v.message, "unset, so Kubernetes uses 25%")
}

test_zero_surge_fires_at_max_surge if {
	report := rule.report with input as _input(_strategy({"maxSurge": "0%", "maxUnavailable": 0}))
	count(report) == 1
	some v in report
	v.path == ["spec", "strategy", "rollingUpdate", "maxSurge"]
	contains(v.message, "maxSurge to 0%")
}

test_recreate_skipped if {
	count(rule.report) == 0 with input as _input({"replicas": 3, "strategy": {"type": "Recreate"}})
}

test_scaled_to_zero_standby_skipped if {
	count(rule.report) == 0 with input as _input({"replicas": 0, "strategy": {"rollingUpdate": {"maxUnavailable": "50%"}}})
	count(rule.report) == 0 with input as _input({"replicas": "0"})
}

test_hooks_and_other_kinds_skipped if {
	hook := object.union(_deploy({}), {"hook": {"events": ["pre-install"], "weight": 0}})
	count(rule.report) == 0 with input as {"resources": [hook]}
	sts := object.union(_deploy({}), {"kind": "StatefulSet"})
	count(rule.report) == 0 with input as {"resources": [sts]}
}
