package chartguard.rules.traffic["canary-analysis-invalid_test"]

import data.chartguard.rules.traffic["canary-analysis-invalid"] as rule

_good := {"interval": "30s", "threshold": 5, "maxWeight": 50, "stepWeight": 10, "metrics": [{"name": "request-success-rate"}]}

_report(analysis) := r if {
	r := rule.report with input as {"resources": [{"api_version": "flagger.app/v1beta1", "kind": "Canary", "name": "web", "namespace": null, "hook": null, "object": {"spec": {"analysis": analysis}}}]}
}

test_good_analysis_passes if {
	count(_report(_good)) == 0
	count(_report(object.union(_good, {"interval": "1m30s", "metrics": [], "webhooks": [{"name": "load-test"}]}))) == 0
}

test_step_weight_above_max_fires if {
	report := _report(object.union(_good, {"stepWeight": 60}))
	count(report) == 1
	some v in report
	v.path == ["spec", "analysis", "stepWeight"]
	contains(v.message, "Canary web: spec.analysis.stepWeight 60 is greater than maxWeight 50")
}

test_step_weights_list_is_fine if {
	count(_report(object.union(_good, {"stepWeight": 60, "stepWeights": [1, 10, 50]}))) == 0
}

test_threshold_below_one_fires if {
	some v in _report(object.union(_good, {"threshold": 0}))
	v.path == ["spec", "analysis", "threshold"]
}

test_interval_missing_or_invalid if {
	some v in _report(object.remove(_good, ["interval"]))
	v.path == ["spec", "analysis"]
	contains(v.message, "interval is missing")
	some w in _report(object.union(_good, {"interval": "30 seconds"}))
	w.severity == "error"
	w.path == ["spec", "analysis", "interval"]
	contains(w.message, "\"30 seconds\" is not a Go duration")
	some x in _report(object.union(_good, {"interval": 30}))
	contains(x.message, "interval 30 is not a Go duration")
}

test_no_checks_fires if {
	some v in _report(object.remove(_good, ["metrics"]))
	contains(v.message, "no metrics and no webhooks")
}
