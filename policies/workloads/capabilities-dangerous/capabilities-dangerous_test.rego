package chartguard.rules.workloads["capabilities-dangerous_test"]

import data.chartguard.rules.workloads["capabilities-dangerous"] as rule

_pod_path := ["spec", "template", "spec"]

# One Deployment with the given pod spec and containers ([type, container]).
_input(pod_spec, ctrs) := {
	"profile": "prod",
	"resources": [{
		"kind": "Deployment", "name": "web", "namespace": null, "hook": null,
		"object": {"spec": {"template": {"spec": pod_spec}}},
	}],
	"containers": [{
		"resource": 0,
		"pod_path": _pod_path,
		"path": array.concat(_pod_path, [_field[t[0]], n]),
		"type": t[0],
		"container": t[1],
	} |
		some n, t in ctrs
	],
}

_field := {"container": "containers", "init": "initContainers", "ephemeral": "ephemeralContainers"}

_adds(caps) := {"name": "app", "securityContext": {"capabilities": {"drop": ["ALL"], "add": caps}}}

test_sys_admin_after_drop_all_is_an_error_at_the_entry if {
	report := rule.report with input as _input({}, [["container", _adds(["NET_BIND_SERVICE", "SYS_ADMIN"])]])
	count(report) == 1
	some v in report
	v.severity == "error"
	v.path == ["spec", "template", "spec", "containers", 0, "securityContext", "capabilities", "add", 1]
	contains(v.message, "container \"app\" of Deployment web adds capability SYS_ADMIN")
	contains(v.message, "baseline")
}

test_prefixed_and_lower_case_names_are_recognised if {
	report := rule.report with input as _input({}, [["init", _adds(["cap_net_admin", "all"])]])
	{v.severity | some v in report} == {"error"}
	count(report) == 2
}

test_baseline_default_is_a_restricted_warning if {
	report := rule.report with input as _input({}, [["container", _adds(["CHOWN"])]])
	some v in report
	v.severity == "warning"
	contains(v.message, "restricted allows adding only NET_BIND_SERVICE")
}

test_non_baseline_capability_is_a_baseline_warning if {
	report := rule.report with input as _input({}, [["container", _adds(["NET_RAW"])]])
	some v in report
	v.severity == "warning"
	contains(v.message, "outside what Pod Security baseline allows")
}

test_net_bind_service_only_passes if {
	count(rule.report) == 0 with input as _input({}, [["container", _adds(["NET_BIND_SERVICE"])]])
}

test_privileged_windows_and_ephemeral_are_skipped if {
	priv := {"name": "p", "securityContext": {"privileged": true, "capabilities": {"add": ["SYS_ADMIN"]}}}
	count(rule.report) == 0 with input as _input({}, [["container", priv], ["ephemeral", _adds(["SYS_PTRACE"])]])
	count(rule.report) == 0 with input as _input({"os": {"name": "windows"}}, [["container", _adds(["SYS_ADMIN"])]])
}

test_malformed_add_is_ignored if {
	count(rule.report) == 0 with input as _input({}, [["container", _adds("SYS_ADMIN")]])
	count(rule.report) == 0 with input as _input({}, [["container", _adds([1, null])]])
}

test_the_allowed_parameter_replaces_the_default if {
	ctrs := [["container", _adds(["NET_BIND_SERVICE", "NET_ADMIN"])]]
	count(rule.report) == 0 with input as _input({}, ctrs)
		with data.params["capabilities-dangerous"].allowed as ["NET_BIND_SERVICE", "cap_net_admin"]
	report := rule.report with input as _input({}, ctrs)
		with data.params["capabilities-dangerous"].allowed as []
	count(report) == 2
}
