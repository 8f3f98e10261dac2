# METADATA
# title: PodDisruptionBudgets are accepted by the API
# description: >-
#   A PodDisruptionBudget sets exactly one of minAvailable and maxUnavailable, each an
#   integer ≥ 0 or a percentage string ("50%") no greater than 100%.
# custom:
#   id: pdb-invalid
#   severity: error
#   profiles: [dev, prod]
#   scope: object
#   tags: [availability, disruption]
#   why: >-
#     The API server rejects a PodDisruptionBudget with both minAvailable and maxUnavailable,
#     with a quoted number ("2": IntOrString strings must be percentages) or with a negative
#     value, so `helm install` / `helm upgrade` fails half-way through the release.
#   fix: >-
#     Render only one of the two fields (`{{- if .Values.pdb.minAvailable }}…{{- else }}…`),
#     without `| quote` on integers, e.g. `minAvailable: 1` or `maxUnavailable: "25%"`.
#   references:
#     - https://kubernetes.io/docs/tasks/run-application/configure-pdb/#specifying-a-poddisruptionbudget
package chartguard.rules.availability["pdb-invalid"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

_fields := ["minAvailable", "maxUnavailable"]

report contains lib.violation(i, ["spec", "maxUnavailable"], msg) if {
	some i in _pdbs
	spec := input.resources[i].object.spec
	spec.minAvailable != null
	spec.maxUnavailable != null
	msg := sprintf(
		"%s sets both spec.minAvailable (%v) and spec.maxUnavailable (%v): the API accepts only one",
		[lib.describe(i), spec.minAvailable, spec.maxUnavailable],
	)
}

report contains lib.violation(i, ["spec", field], msg) if {
	some i in _pdbs
	some field in _fields
	value := input.resources[i].object.spec[field]
	value != null
	problem := _problem(value)
	msg := sprintf("%s has spec.%s %s: %s", [lib.describe(i), field, _show(value), problem])
}

_pdbs contains i if {
	some i in rel.of_kind("PodDisruptionBudget")
	r := input.resources[i]
	is_object(r.object.spec)
}

_problem(v) := "a negative number" if {
	is_number(v)
	v < 0
} else := "not an integer" if {
	is_number(v)
	v != floor(v)
} else := "a quoted number, which the API reads as an invalid percentage (drop the quotes)" if {
	is_string(v)
	regex.match(`^[0-9]+$`, v)
} else := "more than 100%" if {
	is_string(v)
	regex.match(`^[0-9]+%$`, v)
	lib.decimal(trim_suffix(v, "%")) > 100
} else := "neither an integer nor a percentage" if {
	is_string(v)
	not regex.match(`^[0-9]+%$`, v)
} else := "neither an integer nor a percentage" if {
	not is_string(v)
	not is_number(v)
}

_show(v) := sprintf("%q", [v]) if is_string(v)
else := sprintf("%v", [v])
