package chartguard.rules.workloads["read-only-root-fs_test"]

import data.chartguard.rules.workloads["read-only-root-fs"] as rule
import data.chartguard.lib.testing as t

test_unset_fires_at_field if {
	v := t.only(rule.report) with input as t.deployment_input({}, [["container", {"name": "app"}]])
	v.path == ["spec", "template", "spec", "containers", 0, "securityContext", "readOnlyRootFilesystem"]
	contains(v.message, "container \"app\" of Deployment web does not set securityContext.readOnlyRootFilesystem: true")
}

test_explicit_false_fires if {
	some v in rule.report with input as t.deployment_input({}, [["init", {"name": "init", "securityContext": {"readOnlyRootFilesystem": false}}]])
	contains(v.message, "init container \"init\" of Deployment web sets securityContext.readOnlyRootFilesystem: false")
}

test_true_passes if {
	count(rule.report) == 0 with input as t.deployment_input({}, [["container", {"name": "app", "securityContext": {"readOnlyRootFilesystem": true}}]])
}

test_skips_ephemeral_and_windows if {
	count(rule.report) == 0 with input as t.deployment_input({}, [["ephemeral", {"name": "debug"}]])
	count(rule.report) == 0 with input as t.deployment_input({"os": {"name": "windows"}}, [["container", {"name": "iis"}]])
}
