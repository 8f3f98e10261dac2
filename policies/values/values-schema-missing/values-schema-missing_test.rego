package chartguard.rules.values["values-schema-missing_test"]

import data.chartguard.lib.testing as t
import data.chartguard.rules.values["values-schema-missing"] as rule

# The findings are made in Rust (tests/values_schema.rs and the chart fixtures test them);
# the Rego rule never reports on the rendered objects.
test_reports_nothing_from_the_objects if {
	count(rule.report) == 0 with input as t.release([])
}
