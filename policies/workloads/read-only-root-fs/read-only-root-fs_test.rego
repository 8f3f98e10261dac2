package chartguard.rules.workloads["read-only-root-fs_test"]

import data.chartguard.rules.workloads["read-only-root-fs"] as rule

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

test_unset_fires_at_field if {
	report := rule.report with input as _input({}, [["container", {"name": "app"}]])
	count(report) == 1
	some v in report
	v.path == ["spec", "template", "spec", "containers", 0, "securityContext", "readOnlyRootFilesystem"]
	contains(v.message, "container \"app\" of Deployment web does not set securityContext.readOnlyRootFilesystem: true")
}

test_explicit_false_fires if {
	some v in rule.report with input as _input({}, [["init", {"name": "init", "securityContext": {"readOnlyRootFilesystem": false}}]])
	contains(v.message, "init container \"init\" of Deployment web sets securityContext.readOnlyRootFilesystem: false")
}

test_true_passes if {
	count(rule.report) == 0 with input as _input({}, [["container", {"name": "app", "securityContext": {"readOnlyRootFilesystem": true}}]])
}

test_skips_ephemeral_and_windows if {
	count(rule.report) == 0 with input as _input({}, [["ephemeral", {"name": "debug"}]])
	count(rule.report) == 0 with input as _input({"os": {"name": "windows"}}, [["container", {"name": "iis"}]])
}
