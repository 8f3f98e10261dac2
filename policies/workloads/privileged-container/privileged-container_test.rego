package chartguard.rules.workloads["privileged-container_test"]

import data.chartguard.rules.workloads["privileged-container"] as rule

_pod_path := ["spec", "template", "spec"]

# One Deployment whose pod spec is `pod_spec` plus the given containers ([type, container]).
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

test_privileged_fires_at_field if {
	report := rule.report with input as _input({}, [["init", {"name": "sysctl", "securityContext": {"privileged": true}}]])
	count(report) == 1
	some v in report
	v.path == ["spec", "template", "spec", "initContainers", 0, "securityContext", "privileged"]
	contains(v.message, "init container \"sysctl\" of Deployment web runs privileged (securityContext.privileged: true)")
}

test_unset_or_false_passes if {
	count(rule.report) == 0 with input as _input({}, [
		["container", {"name": "a"}],
		["container", {"name": "b", "securityContext": {"privileged": false}}],
		["container", {"name": "c", "securityContext": null}],
	])
}

test_ephemeral_privileged_fires if {
	count(rule.report) == 1 with input as _input({}, [["ephemeral", {"name": "debug", "securityContext": {"privileged": true}}]])
}

test_windows_skipped if {
	count(rule.report) == 0 with input as _input({"os": {"name": "windows"}}, [["container", {"name": "x", "securityContext": {"privileged": true}}]])
}
