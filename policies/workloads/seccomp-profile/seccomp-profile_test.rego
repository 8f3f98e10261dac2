package chartguard.rules.workloads["seccomp-profile_test"]

import data.chartguard.rules.workloads["seccomp-profile"] as rule
import data.chartguard.lib.testing as t

test_pod_level_runtime_default_passes if {
	count(rule.report) == 0 with input as t.deployment_input({"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}}, [
		["container", {"name": "app"}],
		["init", {"name": "init", "securityContext": {"runAsNonRoot": true}}],
	])
}

test_container_level_profiles_pass if {
	count(rule.report) == 0 with input as t.deployment_input({}, [
		["container", {"name": "app", "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}}],
		["container", {"name": "b", "securityContext": {"seccompProfile": {"type": "Localhost", "localhostProfile": "p.json"}}}],
	])
}

test_nothing_set_fires_once_per_pod_at_pod_field if {
	report := rule.report with input as t.deployment_input({"securityContext": {"runAsNonRoot": true}}, [
		["container", {"name": "app"}],
		["init", {"name": "init"}],
	])
	count(report) == 1
	some v in report
	v.path == ["spec", "template", "spec", "securityContext", "seccompProfile", "type"]
	contains(v.message, "Deployment web: container \"app\", init container \"init\" set no securityContext.seccompProfile.type and the pod sets none either")
}

test_container_unconfined_fires_at_container if {
	report := rule.report with input as t.deployment_input({"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}}, [
		["container", {"name": "app"}],
		["container", {"name": "prof", "securityContext": {"seccompProfile": {"type": "Unconfined"}}}],
	])
	count(report) == 1
	some v in report
	v.path == ["spec", "template", "spec", "containers", 1, "securityContext", "seccompProfile", "type"]
	contains(v.message, "container \"prof\" of Deployment web sets securityContext.seccompProfile.type: Unconfined")
}

test_pod_unconfined_fires_unless_overridden if {
	some v in rule.report with input as t.deployment_input({"securityContext": {"seccompProfile": {"type": "Unconfined"}}}, [["container", {"name": "app"}]])
	contains(v.message, "the pod sets Unconfined")
	count(rule.report) == 0 with input as t.deployment_input({"securityContext": {"seccompProfile": {"type": "Unconfined"}}}, [["container", {"name": "app", "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}}]])
}

test_only_uncovered_containers_named if {
	some v in rule.report with input as t.deployment_input({}, [
		["container", {"name": "app", "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}}],
		["container", {"name": "sidecar"}],
	])
	contains(v.message, "container \"sidecar\" sets no")
	not contains(v.message, "\"app\"")
}

test_skips_ephemeral_privileged_and_windows if {
	count(rule.report) == 0 with input as t.deployment_input({}, [["ephemeral", {"name": "debug"}]])
	count(rule.report) == 0 with input as t.deployment_input({}, [["container", {"name": "csi", "securityContext": {"privileged": true}}]])
	count(rule.report) == 0 with input as t.deployment_input({"os": {"name": "windows"}}, [["container", {"name": "iis"}]])
}
