package chartguard.rules.meta["suppression-unused_test"]

import data.chartguard.rules.meta["suppression-unused"] as rule

test_unused_suppressions_are_reported_at_the_annotation if {
	path := ["metadata", "annotations", "chartguard.io/ignore"]
	some v in rule.report with input as {"unused_suppressions": [{"resource": 1, "path": path, "message": "ConfigMap settings: the suppression of `pdb-missing` matched no finding"}]}
	v.resource == 1
	v.path == path
	contains(v.message, "matched no finding")
}

test_nothing_unused_nothing_reported if {
	count(rule.report) == 0 with input as {}
}
