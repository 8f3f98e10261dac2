# METADATA
# title: Workload selectors match their own pod template
# description: >-
#   The `spec.selector` of every Deployment, StatefulSet, DaemonSet and ReplicaSet (and of a
#   Job with `manualSelector: true`) is non-empty and selects the labels of its own pod
#   template.
# custom:
#   id: selector-template-mismatch
#   severity: error
#   profiles: [dev, prod]
#   scope: object
#   tags: [correctness]
#   why: >-
#     The API server rejects such an object ("selector does not match template labels", or
#     "empty selector is invalid"), so `helm install` / `helm upgrade` fails at that object,
#     after the objects before it were applied. It happens when a selector label is added or
#     renamed in one place only (a slot: blue/green label, a selectorLabels helper edited
#     without the pod labels helper).
#   fix: >-
#     Render the selector and the pod template labels from the same helper
#     (`{{ include "mychart.selectorLabels" . }}` in both) and add any extra selector label
#     to the template's labels too. Remember that a Deployment's selector cannot change after
#     creation: a new selector needs a new object name.
#   references:
#     - https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#selector
package chartguard.rules.workloads["selector-template-mismatch"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"}

# The workloads whose selector the API checks against the template: resource → its spec,
# read here once rather than again in each rule below. A spec that is no mapping has no
# selector, and is left out: regorus fails the rules below ("not an object") when a value
# of this object is a string or a number and another is a mapping.
_judged[i] := r.object.spec if {
	some kind in _kinds
	some i in rel.of_kind(kind)
	r := input.resources[i]
	startswith(r.api_version, "apps/")
	is_object(r.object.spec)
}

_judged[i] := r.object.spec if {
	some i in rel.of_kind("Job")
	r := input.resources[i]
	r.object.spec.manualSelector == true
}

# A matchLabels pair the template lacks or sets to another value.
report contains lib.violation(i, ["spec", "selector", "matchLabels", k], msg) if {
	some i, spec in _judged
	ml := spec.selector.matchLabels
	is_object(ml)
	some k, v in ml
	# Read in place: a template without labels, or with labels that are no mapping, fails
	# this as _template_labels's {} does, and the call is made only for a finding.
	not spec.template.metadata.labels[k] == v
	labels := _template_labels(i)
	msg := sprintf(
		"%s: selector label %s=%v is not on its pod template (%s): the API server rejects the object (\"selector does not match template labels\")",
		[lib.describe(i), k, v, _has(labels, k)],
	)
}

# A matchExpressions requirement the template labels do not satisfy.
report contains lib.violation(i, ["spec", "selector", "matchExpressions", n], msg) if {
	some i, spec in _judged
	exprs := spec.selector.matchExpressions
	is_array(exprs)
	labels := _template_labels(i)
	some n, expr in exprs
	is_object(expr)
	not lib.selector_matches({"matchExpressions": [expr]}, labels)
	msg := sprintf(
		"%s: selector requirement %s %s %v does not hold for its pod template's labels: the API server rejects the object",
		[lib.describe(i), expr.key, expr.operator, object.get(expr, "values", [])],
	)
}

# An empty selector ({} or no requirement at all) is invalid for apps/v1 workloads.
# matchLabels that are absent, no mapping or an empty mapping, in one expression that fails
# for nearly every workload (a non-empty mapping gives {true, false}; absent leaves the set
# undefined, so `not` holds), where wrapping matchLabels in a function call cost a call per
# workload (speed at 10,000 objects).
report contains lib.violation(i, ["spec", "selector"], msg) if {
	some i, spec in _judged
	sel := spec.selector
	not {is_object(sel.matchLabels), sel.matchLabels == {}} == {true, false}
	is_object(sel)
	count(_arr(object.get(sel, "matchExpressions", null))) == 0
	msg := sprintf("%s: spec.selector is empty: the API server rejects it (\"empty selector is invalid\"); select the pod template's labels", [lib.describe(i)])
}

_template_labels(i) := l if {
	l := input.resources[i].object.spec.template.metadata.labels
	is_object(l)
} else := {}

_has(labels, k) := sprintf("it has %s=%v", [k, labels[k]]) if {
	_ = labels[k]
} else := sprintf("it has no %s label", [k])

_arr(x) := x if is_array(x)
else := []
