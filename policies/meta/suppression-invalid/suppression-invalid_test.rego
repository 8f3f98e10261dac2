package chartguard.rules.meta["suppression-invalid_test"]

import data.chartguard.rules.meta["suppression-invalid"] as rule

test_problems_are_reported_at_the_annotation if {
	path := ["metadata", "annotations", "chartguard.io/ignore"]
	some v in rule.report with input as {"suppression_issues": [{"resource": 2, "path": path, "message": "Deployment web: suppression of `resource-limits` has no reason"}]}
	v.resource == 2
	v.path == path
	contains(v.message, "has no reason")
}

test_no_problems_no_findings if {
	count(rule.report) == 0 with input as {"suppression_issues": []}
}
