# METADATA
# title: Flagger canary analysis is well-formed
# description: >-
#   A Flagger Canary's spec.analysis has an interval that is a Go duration (`30s`, `1m`), a
#   threshold of at least 1, a stepWeight no greater than maxWeight (unless it uses a
#   stepWeights list), and at least one metric or webhook to judge the canary by.
# custom:
#   id: canary-analysis-invalid
#   severity: warning
#   profiles: [dev, prod]
#   scope: object
#   tags: [traffic, canary, progressive-delivery]
#   why: >-
#     The analysis is what makes a canary safe. Without metrics or webhooks Flagger promotes
#     whatever it deploys once the steps have elapsed; a stepWeight above maxWeight jumps
#     straight to the maximum (values swapped); a threshold below 1 rolls back on nothing or
#     everything; an interval that is not a duration is rejected by the Canary CRD.
#   fix: >-
#     Set `interval: 1m`, `threshold: 5`, `maxWeight: 50`, `stepWeight: 10` and at least the
#     built-in `request-success-rate` and `request-duration` metrics (or a load-test /
#     acceptance webhook).
#   references:
#     - https://docs.flagger.app/usage/how-it-works#canary-analysis
#     - https://docs.flagger.app/usage/metrics
package chartguard.rules.traffic["canary-analysis-invalid"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

_duration := `^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`

report contains lib.violation(i, path, msg) if {
	some c in _canaries
	[i, path, a] := [c.i, c.path, c.analysis]
	not _has(a, "interval")
	msg := sprintf("%s: %s.interval is missing: set how often the canary is checked (e.g. 1m)", [lib.describe(i), _field(path)])
}

report contains lib.violation_with_severity(i, array.concat(path, ["interval"]), msg, "error") if {
	some c in _canaries
	[i, path, a] := [c.i, c.path, c.analysis]
	_has(a, "interval")
	not _is_duration(a.interval)
	msg := sprintf("%s: %s.interval %v is not a Go duration (e.g. 30s, 1m)", [lib.describe(i), _field(path), _show(a.interval)])
}

report contains lib.violation(i, array.concat(path, ["threshold"]), msg) if {
	some c in _canaries
	[i, path, a] := [c.i, c.path, c.analysis]
	is_number(a.threshold)
	a.threshold < 1
	msg := sprintf("%s: %s.threshold is %v: it must be at least 1 failed check before rollback", [lib.describe(i), _field(path), a.threshold])
}

report contains lib.violation(i, array.concat(path, ["stepWeight"]), msg) if {
	some c in _canaries
	[i, path, a] := [c.i, c.path, c.analysis]
	not _has(a, "stepWeights")
	is_number(a.stepWeight)
	is_number(a.maxWeight)
	a.stepWeight > a.maxWeight
	msg := sprintf("%s: %s.stepWeight %v is greater than maxWeight %v (swapped?)", [lib.describe(i), _field(path), a.stepWeight, a.maxWeight])
}

report contains lib.violation(i, path, msg) if {
	some c in _canaries
	[i, path, a] := [c.i, c.path, c.analysis]
	not _non_empty(a, "metrics")
	not _non_empty(a, "webhooks")
	msg := sprintf("%s: %s has no metrics and no webhooks: Flagger promotes the canary without checking anything", [lib.describe(i), _field(path)])
}

# spec.analysis (spec.canaryAnalysis in older Canaries).
_canaries contains {"i": i, "path": ["spec", field], "analysis": a} if {
	some i in rel.of_kind("Canary")
	r := input.resources[i]
	startswith(r.api_version, "flagger.app/")
	some field in ["analysis", "canaryAnalysis"]
	a := r.object.spec[field]
	is_object(a)
}

_field(path) := concat(".", path)

_has(obj, key) if obj[key] != null

_non_empty(obj, key) if {
	list := obj[key]
	is_array(list)
	count(list) > 0
}

_is_duration(v) if {
	is_string(v)
	regex.match(_duration, v)
}

_show(v) := sprintf("%q", [v]) if is_string(v)
else := sprintf("%v", [v])
