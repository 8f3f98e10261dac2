package chartguard.rules.values["values-key-unknown_test"]

import data.chartguard.rules.values["values-key-unknown"] as rule

test_unknown_keys_are_reported if {
	some v in rule.report with input as {"values_keys_unknown": [{"resource": 0, "path": ["replicaCont"], "message": "`replicaCont` is set in values-prod.yaml but no template reads it"}]}
	v.path == ["replicaCont"]
}

test_a_release_input_reports_nothing if {
	count(rule.report) == 0 with input as {"resources": []}
}
