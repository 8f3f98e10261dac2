package chartguard.rules.workloads["pod-security-baseline_test"]

import data.chartguard.lib.testing as t
import data.chartguard.rules.workloads["pod-security-baseline"] as rule

_pod_path := ["spec", "template", "spec"]

_input(annotations, pod_sc, ctr_sc) := {
	"resources": [{"kind": "Deployment", "name": "web", "namespace": null, "hook": null, "object": {"spec": {"template": {"metadata": {"annotations": annotations}, "spec": {}}}}}],
	"pods": [{"resource": 0, "path": _pod_path, "spec": {"securityContext": pod_sc}, "labels": {}, "labels_path": []}],
	"containers": [{"resource": 0, "pod_path": _pod_path, "path": array.concat(_pod_path, ["containers", 0]), "type": "container", "container": {"name": "web", "securityContext": ctr_sc}}],
}

test_proc_mount_is_an_error_at_the_field if {
	report := rule.report with input as _input({}, {}, {"procMount": "Unmasked"})
	count(report) == 1
	some v in report
	v.severity == "error"
	v.path == ["spec", "template", "spec", "containers", 0, "securityContext", "procMount"]
	contains(v.message, "container \"web\" of Deployment web sets procMount: Unmasked (an unmasked /proc): Pod Security baseline rejects it")
}

test_unsafe_sysctl_only if {
	report := rule.report with input as _input({}, {"sysctls": [{"name": "net.ipv4.tcp_syncookies", "value": "1"}, {"name": "net.core.somaxconn", "value": "1024"}]}, {})
	count(report) == 1
	some v in report
	v.path == ["spec", "template", "spec", "securityContext", "sysctls", 1, "name"]
	contains(v.message, "unsafe sysctl net.core.somaxconn")
}

test_selinux_apparmor_and_host_process if {
	report := rule.report with input as _input(
		{"container.apparmor.security.beta.kubernetes.io/web": "unconfined"},
		{"seLinuxOptions": {"type": "spc_t"}, "appArmorProfile": {"type": "Unconfined"}},
		{"windowsOptions": {"hostProcess": true}, "seLinuxOptions": {"type": "container_t", "user": "system_u"}},
	)
	count(report) == 5
	{v.severity | some v in report} == {"error"}
}

test_pod_groups_zero_are_warnings if {
	report := rule.report with input as _input({}, {"fsGroup": 0, "runAsGroup": 0}, {})
	count(report) == 2
	every v in report {
		not v.severity # the rule's own severity, warning
	}
}

test_supplemental_group_zero_is_a_warning if {
	report := rule.report with input as _input({}, {"supplementalGroups": [1000, 0]}, {})
	some v in report
	v.path == ["spec", "template", "spec", "securityContext", "supplementalGroups", 1]
}

test_container_group_zero_is_a_warning if {
	report := rule.report with input as _input({}, {}, {"runAsGroup": 0})
	some v in report
	v.path == ["spec", "template", "spec", "containers", 0, "securityContext", "runAsGroup"]
}

test_defaults_pass if {
	count(rule.report) == 0 with input as _input({"container.apparmor.security.beta.kubernetes.io/web": "runtime/default"}, {"fsGroup": 1000, "sysctls": [{"name": "net.ipv4.ip_local_port_range", "value": "1024 65535"}], "seLinuxOptions": {"level": "s0:c123,c456"}}, {"procMount": "Default", "appArmorProfile": {"type": "RuntimeDefault"}})
	count(rule.report) == 0 with input as _input(null, null, null)
}

# Non-zero group ids alone give nothing to judge; a zero one, or another field, beside them does.
test_one_group_zero_beside_non_zero_ones if {
	count(rule.report) == 0 with input as _input({}, {"fsGroup": 1000, "runAsGroup": 1000}, {"runAsGroup": 1000})
	v := t.only(rule.report) with input as _input({}, {"fsGroup": 0, "runAsGroup": 1000}, {"runAsGroup": 1000})
	v.path == ["spec", "template", "spec", "securityContext", "fsGroup"]
	w := t.only(rule.report) with input as _input({}, {"runAsGroup": 1000}, {"runAsGroup": 1000, "procMount": "Unmasked"})
	w.path == ["spec", "template", "spec", "containers", 0, "securityContext", "procMount"]
}
