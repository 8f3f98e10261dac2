package chartguard.rules.workloads["rolling-update-invalid_test"]

import data.chartguard.rules.workloads["rolling-update-invalid"] as rule
import data.chartguard.lib.testing as t

_deploy(strategy) := {"resources": [{"kind": "Deployment", "name": "api", "namespace": null, "hook": null, "object": {"spec": {"replicas": 3, "strategy": strategy}}}]}

_daemonset(strategy) := {"resources": [{"kind": "DaemonSet", "name": "agent", "namespace": null, "hook": null, "object": {"spec": {"updateStrategy": strategy}}}]}

test_both_zero_fires_at_max_unavailable if {
	v := t.only(rule.report) with input as _deploy({"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}})
	v.path == ["spec", "strategy", "rollingUpdate", "maxUnavailable"]
	contains(v.message, "Deployment api sets spec.strategy.rollingUpdate.maxUnavailable to 0 with maxSurge 0")
	contains(v.message, "rejects")
}

test_every_spelling_of_zero if {
	count(rule.report) == 1 with input as _deploy({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "0%", "maxUnavailable": "0"}})
	count(rule.report) == 1 with input as _deploy({"rollingUpdate": {"maxSurge": "0", "maxUnavailable": "0%"}})
}

test_deployment_defaults_are_non_zero if {
	count(rule.report) == 0 with input as _deploy({"rollingUpdate": {"maxSurge": 0}})
	count(rule.report) == 0 with input as _deploy({"rollingUpdate": {"maxUnavailable": 0}})
	count(rule.report) == 0 with input as _deploy({"rollingUpdate": {"maxUnavailable": 0, "maxSurge": null}})
	count(rule.report) == 0 with input as _deploy(null)
}

test_valid_combinations_pass if {
	count(rule.report) == 0 with input as _deploy({"rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}})
	count(rule.report) == 0 with input as _deploy({"rollingUpdate": {"maxSurge": 0, "maxUnavailable": "25%"}})
}

test_recreate_not_judged if {
	count(rule.report) == 0 with input as _deploy({"type": "Recreate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}})
}

test_daemonset_surge_defaults_to_zero if {
	some v in rule.report with input as _daemonset({"rollingUpdate": {"maxUnavailable": 0}})
	v.path == ["spec", "updateStrategy", "rollingUpdate", "maxUnavailable"]
	contains(v.message, "DaemonSet agent sets spec.updateStrategy.rollingUpdate.maxUnavailable to 0 with maxSurge unset (0 by default)")
	count(rule.report) == 0 with input as _daemonset({"rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}})
	count(rule.report) == 0 with input as _daemonset({"type": "OnDelete", "rollingUpdate": {"maxUnavailable": 0}})
	count(rule.report) == 0 with input as _daemonset(null)
}

test_hooks_judged_too if {
	inp := {"resources": [{"kind": "Deployment", "name": "api", "namespace": null, "hook": {"events": ["pre-install"]}, "object": {"spec": {"strategy": {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}}}}}]}
	count(rule.report) == 1 with input as inp
}
