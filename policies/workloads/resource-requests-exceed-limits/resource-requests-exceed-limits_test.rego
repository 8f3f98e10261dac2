package chartguard.rules.workloads["resource-requests-exceed-limits_test"]

import data.chartguard.rules.workloads["resource-requests-exceed-limits"] as rule
import data.chartguard.lib.testing as t

# Deployment api with one container `api` whose resources are `resources`.
_input(resources) := t.workload_input("Deployment", "api", null, t.template_pod_path, {}, [["container", {"name": "api", "image": "api:1", "resources": resources}]])


test_cpu_request_above_limit_fires_at_request_with_related_limit if {
	v := t.only(rule.report) with input as _input({"requests": {"cpu": "2", "memory": "1Gi"}, "limits": {"cpu": "1500m", "memory": "2Gi"}})
	v.path == ["spec", "template", "spec", "containers", 0, "resources", "requests", "cpu"]
	contains(v.message, "container \"api\" of Deployment api requests cpu 2 but limits it to 1500m")
	v.related[0].path == ["spec", "template", "spec", "containers", 0, "resources", "limits", "cpu"]
}

test_memory_units_are_compared_as_quantities if {
	# 1Gi = 1073741824 > 1G = 1000000000
	count(rule.report) == 1 with input as _input({"requests": {"memory": "1Gi"}, "limits": {"memory": "1G"}})
	count(rule.report) == 0 with input as _input({"requests": {"memory": "1G"}, "limits": {"memory": "1Gi"}})
	count(rule.report) == 0 with input as _input({"requests": {"memory": "1024Mi"}, "limits": {"memory": "1Gi"}})
}

test_equal_values_in_other_units_pass if {
	count(rule.report) == 0 with input as _input({"requests": {"cpu": "1"}, "limits": {"cpu": "1000m"}})
	count(rule.report) == 0 with input as _input({"requests": {"cpu": 0.5}, "limits": {"cpu": "500m"}})
}

test_both_resources_reported if {
	count(rule.report) == 2 with input as _input({"requests": {"cpu": "2", "memory": "2Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}})
}

test_ephemeral_storage_judged if {
	some v in rule.report with input as _input({"requests": {"ephemeral-storage": "2Gi"}, "limits": {"ephemeral-storage": "1Gi"}})
	contains(v.message, "ephemeral-storage")
}

test_missing_or_malformed_values_pass if {
	count(rule.report) == 0 with input as _input({"requests": {"cpu": "2"}})
	count(rule.report) == 0 with input as _input({"limits": {"cpu": "1"}})
	count(rule.report) == 0 with input as _input({"requests": {"cpu": "lots"}, "limits": {"cpu": "1"}})
	count(rule.report) == 0 with input as _input({"requests": null, "limits": {"cpu": "1"}})
	count(rule.report) == 0 with input as _input(null)
}
