package chartguard.rules.workloads["capabilities-not-dropped_test"]

import data.chartguard.rules.workloads["capabilities-not-dropped"] as rule
import data.chartguard.lib.testing as t

test_no_drop_fires_at_drop_path if {
	v := t.only(rule.report) with input as t.deployment_input({}, [["container", {"name": "app", "securityContext": {"runAsNonRoot": true}}]])
	v.path == ["spec", "template", "spec", "containers", 0, "securityContext", "capabilities", "drop"]
	contains(v.message, "container \"app\" of Deployment web does not drop ALL capabilities")
}

test_partial_drop_fires if {
	count(rule.report) == 1 with input as t.deployment_input({}, [["init", {"name": "i", "securityContext": {"capabilities": {"drop": ["NET_RAW", "SYS_ADMIN"]}}}]])
}

test_drop_all_any_case_passes if {
	count(rule.report) == 0 with input as t.deployment_input({}, [
		["container", {"name": "a", "securityContext": {"capabilities": {"drop": ["ALL"]}}}],
		["container", {"name": "b", "securityContext": {"capabilities": {"drop": ["all"], "add": ["NET_BIND_SERVICE"]}}}],
		["init", {"name": "c", "securityContext": {"capabilities": {"drop": ["NET_RAW", "All"]}}}],
	])
}

test_malformed_drop_fires_without_error if {
	count(rule.report) == 2 with input as t.deployment_input({}, [
		["container", {"name": "a", "securityContext": {"capabilities": {"drop": "ALL"}}}],
		["container", {"name": "b", "securityContext": {"capabilities": null}}],
	])
}

test_skips_ephemeral_privileged_and_windows if {
	count(rule.report) == 0 with input as t.deployment_input({}, [["ephemeral", {"name": "debug"}]])
	count(rule.report) == 0 with input as t.deployment_input({}, [["container", {"name": "csi", "securityContext": {"privileged": true}}]])
	count(rule.report) == 0 with input as t.deployment_input({"os": {"name": "windows"}}, [["container", {"name": "iis"}]])
}

# A securityContext that is not a mapping drops nothing (and does not fail the evaluation).
test_security_context_not_an_object_fires if {
	count(rule.report) == 3 with input as t.deployment_input({}, [
		["container", {"name": "a", "securityContext": "capabilities"}],
		["container", {"name": "b", "securityContext": ["ALL"]}],
		["container", {"name": "c", "securityContext": null}],
	])
}
