package chartguard.rules.workloads["run-as-non-root_test"]

import data.chartguard.rules.workloads["run-as-non-root"] as rule
import data.chartguard.lib.testing as t

# Deployment web whose pod has securityContext `pod_sc` and the given [type, container]s.
_input(pod_sc, ctrs) := t.deployment_input({"securityContext": pod_sc}, ctrs)


test_pod_level_non_root_passes if {
	count(rule.report) == 0 with input as _input({"runAsNonRoot": true, "runAsUser": 10001}, [["container", {"name": "app"}], ["init", {"name": "wait"}]])
}

test_container_level_uid_passes if {
	count(rule.report) == 0 with input as _input(null, [["container", {"name": "app", "securityContext": {"runAsUser": 1000}}]])
}

test_nothing_set_fires_at_container_security_context if {
	some v in rule.report with input as _input(null, [["container", {"name": "worker", "securityContext": {"readOnlyRootFilesystem": true}}]])
	v.path == ["spec", "template", "spec", "containers", 0, "securityContext"]
	contains(v.message, "container \"worker\" of Deployment web may run as root")
}

test_nothing_set_no_container_sc_fires_at_container if {
	some v in rule.report with input as _input({"fsGroup": 1000}, [["container", {"name": "app"}]])
	v.path == ["spec", "template", "spec", "containers", 0]
}

test_init_container_run_as_user_zero_fires_at_field if {
	report := rule.report with input as _input({"runAsNonRoot": false, "runAsUser": 10001}, [
		["init", {"name": "wait-for-db", "securityContext": {"runAsUser": 0}}],
		["container", {"name": "app", "securityContext": {"runAsNonRoot": true}}],
	])
	count(report) == 1
	some v in report
	v.path == ["spec", "template", "spec", "initContainers", 0, "securityContext", "runAsUser"]
	contains(v.message, "init container \"wait-for-db\" of Deployment web runs as root (runAsUser: 0)")
}

test_pod_run_as_user_zero_fires_at_pod_field if {
	some v in rule.report with input as _input({"runAsUser": 0}, [["container", {"name": "app"}]])
	v.path == ["spec", "template", "spec", "securityContext", "runAsUser"]
	contains(v.message, "runs as root (runAsUser: 0)")
}

test_container_overrides_pod_root_user if {
	count(rule.report) == 0 with input as _input({"runAsUser": 0}, [["container", {"name": "app", "securityContext": {"runAsUser": 1000}}]])
}

test_container_run_as_non_root_false_overrides_pod if {
	some v in rule.report with input as _input({"runAsNonRoot": true}, [["container", {"name": "app", "securityContext": {"runAsNonRoot": false}}]])
	contains(v.message, "may run as root")
}

test_run_as_user_zero_even_with_run_as_non_root if {
	some v in rule.report with input as _input({"runAsNonRoot": true}, [["container", {"name": "app", "securityContext": {"runAsUser": 0}}]])
	contains(v.message, "runAsUser: 0")
}

test_ephemeral_containers_skipped if {
	count(rule.report) == 0 with input as _input({"runAsNonRoot": true}, [["ephemeral", {"name": "debug", "securityContext": {"runAsUser": 0}}]])
}

test_string_uid_is_no_guarantee if {
	count(rule.report) == 1 with input as _input(null, [["container", {"name": "app", "securityContext": {"runAsUser": "1000"}}]])
}

test_run_as_user_zero_is_an_error_and_a_missing_guarantee_a_warning if {
	some root in rule.report with input as _input({"runAsUser": 0}, [["container", {"name": "app"}]])
	root.severity == "error"
	some missing in rule.report with input as _input({}, [["container", {"name": "app"}]])
	not missing.severity
}
