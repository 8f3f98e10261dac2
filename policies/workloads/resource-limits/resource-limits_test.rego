package chartguard.rules.workloads["resource-limits_test"]

import data.chartguard.rules.workloads["resource-limits"] as rule
import data.chartguard.lib.testing as t

# Deployment web with one container `app` whose resources are `resources`.
_input(resources) := t.deployment_input({}, [["container", {"name": "app", "image": "nginx:1.27", "resources": resources}]])


test_complete_resources_pass if {
	count(rule.report) == 0 with input as _input({"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}})
}

test_missing_memory_limit_fires_at_resources if {
	some v in rule.report with input as _input({"requests": {"cpu": "100m", "memory": "64Mi"}})
	v.resource == 0
	v.path == ["spec", "template", "spec", "containers", 0, "resources"]
	contains(v.message, "resources.limits.memory")
	not contains(v.message, "requests.cpu")
}

test_no_resources_lists_all_three if {
	some v in rule.report with input as _input(null)
	contains(v.message, "resources.requests.cpu, resources.requests.memory, resources.limits.memory")
}
