package chartguard.rules.availability["pdb-invalid_test"]

import data.chartguard.rules.availability["pdb-invalid"] as rule

_pdb(spec) := {"kind": "PodDisruptionBudget", "name": "web", "namespace": null, "hook": null, "object": {"spec": spec}}

_report(spec) := r if {
	r := rule.report with input as {"resources": [_pdb(spec)]}
}

test_both_fields_fire_at_max_unavailable if {
	report := _report({"minAvailable": 1, "maxUnavailable": 1, "selector": {}})
	count(report) == 1
	some v in report
	v.path == ["spec", "maxUnavailable"]
	contains(v.message, "PodDisruptionBudget web sets both spec.minAvailable (1) and spec.maxUnavailable (1)")
}

test_one_field_passes if {
	count(_report({"minAvailable": 1})) == 0
	count(_report({"maxUnavailable": "25%"})) == 0
	count(_report({"minAvailable": "100%"})) == 0
	count(_report({"minAvailable": 0})) == 0
	count(_report({"minAvailable": 1, "maxUnavailable": null})) == 0
}

test_quoted_number_fires if {
	some v in _report({"minAvailable": "2"})
	v.path == ["spec", "minAvailable"]
	contains(v.message, "spec.minAvailable \"2\": a quoted number")
}

test_bad_values_fire if {
	some v1 in _report({"maxUnavailable": -1})
	contains(v1.message, "negative")
	some v2 in _report({"maxUnavailable": "150%"})
	contains(v2.message, "more than 100%")
	some v3 in _report({"minAvailable": "half"})
	contains(v3.message, "neither an integer nor a percentage")
	some v4 in _report({"minAvailable": 1.5})
	contains(v4.message, "not an integer")
}
