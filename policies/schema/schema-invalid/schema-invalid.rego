# METADATA
# title: Objects match their Kubernetes schema
# description: >-
#   Fields of built-in kinds have the type the Kubernetes API expects (an integer where it
#   wants an integer, a list where it wants a list, …), as found by chartguard's typed parse.
# custom:
#   id: schema-invalid
#   severity: error
#   profiles: [dev, prod]
#   scope: object
#   tags: [correctness, schema]
#   why: >-
#     The API server rejects an object whose fields have the wrong type, so `helm install` /
#     `helm upgrade` fails half-way through the release (and an `--atomic` upgrade rolls back).
#     A common cause is a value piped through `quote` (`replicas: "3"`) or a number where a
#     string is expected.
#   fix: >-
#     Render the field with the type the API expects: drop `| quote` for integers and booleans,
#     add it for strings that look like numbers, and use `toYaml` with the right `nindent`
#     for lists and maps. `kubectl apply --dry-run=server -f` on the rendered output confirms.
#   references:
#     - https://kubernetes.io/docs/reference/kubernetes-api/
#     - https://helm.sh/docs/chart_template_guide/data_types/
package chartguard.rules.schema["schema-invalid"]

import data.chartguard.lib

report contains lib.violation(s.resource, s.path, sprintf("%s: %s", [lib.describe(s.resource), s.message])) if {
	some s in input.schema_issues
	s.kind == "invalid"
}
