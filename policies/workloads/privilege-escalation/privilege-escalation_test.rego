package chartguard.rules.workloads["privilege-escalation_test"]

import data.chartguard.rules.workloads["privilege-escalation"] as rule
import data.chartguard.lib.testing as t

test_unset_fires_at_field if {
	v := t.only(rule.report) with input as t.deployment_input({}, [["container", {"name": "app", "securityContext": {"runAsNonRoot": true}}]])
	v.path == ["spec", "template", "spec", "containers", 0, "securityContext", "allowPrivilegeEscalation"]
	contains(v.message, "container \"app\" of Deployment web does not set securityContext.allowPrivilegeEscalation: false (it defaults to true)")
}

test_explicit_true_fires_on_init_container if {
	some v in rule.report with input as t.deployment_input({}, [["init", {"name": "wait", "securityContext": {"allowPrivilegeEscalation": true}}]])
	contains(v.message, "init container \"wait\" of Deployment web sets securityContext.allowPrivilegeEscalation: true")
}

test_string_false_is_not_false if {
	some v in rule.report with input as t.deployment_input({}, [["container", {"name": "app", "securityContext": {"allowPrivilegeEscalation": "false"}}]])
	contains(v.message, "the string \"false\"")
}

test_false_passes if {
	count(rule.report) == 0 with input as t.deployment_input({}, [
		["container", {"name": "app", "securityContext": {"allowPrivilegeEscalation": false}}],
		["init", {"name": "init", "securityContext": {"allowPrivilegeEscalation": false}}],
	])
}

test_no_container_security_context_fires if {
	count(rule.report) == 2 with input as t.deployment_input({}, [["container", {"name": "a"}], ["container", {"name": "b", "securityContext": null}]])
}

test_skips_ephemeral_privileged_and_windows if {
	count(rule.report) == 0 with input as t.deployment_input({}, [["ephemeral", {"name": "debug"}]])
	count(rule.report) == 0 with input as t.deployment_input({}, [["container", {"name": "csi", "securityContext": {"privileged": true}}]])
	count(rule.report) == 0 with input as t.deployment_input({"os": {"name": "windows"}}, [["container", {"name": "iis"}]])
}
