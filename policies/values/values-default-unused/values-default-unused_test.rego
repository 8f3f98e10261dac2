package chartguard.rules.values["values-default-unused_test"]

import data.chartguard.rules.values["values-default-unused"] as rule

test_unused_defaults_are_reported if {
	some v in rule.report with input as {"values_defaults_unused": [{"resource": 0, "path": ["legacyMode"], "message": "`legacyMode` in values.yaml is read by no template"}]}
	v.path == ["legacyMode"]
}

test_a_release_input_reports_nothing if {
	count(rule.report) == 0 with input as {"resources": []}
}
