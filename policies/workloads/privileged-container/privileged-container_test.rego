package chartguard.rules.workloads["privileged-container_test"]

import data.chartguard.rules.workloads["privileged-container"] as rule
import data.chartguard.lib.testing as t

test_privileged_fires_at_field if {
	v := t.only(rule.report) with input as t.deployment_input({}, [["init", {"name": "sysctl", "securityContext": {"privileged": true}}]])
	v.path == ["spec", "template", "spec", "initContainers", 0, "securityContext", "privileged"]
	contains(v.message, "init container \"sysctl\" of Deployment web runs privileged (securityContext.privileged: true)")
}

test_unset_or_false_passes if {
	count(rule.report) == 0 with input as t.deployment_input({}, [
		["container", {"name": "a"}],
		["container", {"name": "b", "securityContext": {"privileged": false}}],
		["container", {"name": "c", "securityContext": null}],
	])
}

test_ephemeral_privileged_fires if {
	count(rule.report) == 1 with input as t.deployment_input({}, [["ephemeral", {"name": "debug", "securityContext": {"privileged": true}}]])
}

test_windows_skipped if {
	count(rule.report) == 0 with input as t.deployment_input({"os": {"name": "windows"}}, [["container", {"name": "x", "securityContext": {"privileged": true}}]])
}
