# METADATA
# title: No unknown fields in built-in kinds
# description: >-
#   Every key of a built-in kind is a field its schema knows; a misspelt key
#   (`runAsNonroot`, `imagePullpolicy`) or one at the wrong level is reported.
# custom:
#   id: unknown-field
#   severity: warning
#   profiles: [dev, prod]
#   scope: object
#   tags: [correctness, schema]
#   why: >-
#     Kubernetes silently drops keys it does not know (unless the client asks for strict field
#     validation), so the setting you wrote never takes effect: a misspelt `runAsNonRoot`
#     leaves the pod free to run as root while the chart reads as hardened.
#   fix: >-
#     Fix the key's spelling or indentation (compare with `kubectl explain <kind>.<path>`).
#     `kubectl apply --dry-run=server --validate=strict -f` on the rendered output rejects
#     unknown fields.
#   references:
#     - https://kubernetes.io/docs/reference/using-api/api-concepts/#field-validation
package chartguard.rules.schema["unknown-field"]

import data.chartguard.lib

report contains lib.violation(s.resource, s.path, sprintf("%s: %s", [lib.describe(s.resource), s.message])) if {
	some s in input.schema_issues
	s.kind == "unknown-field"
}
