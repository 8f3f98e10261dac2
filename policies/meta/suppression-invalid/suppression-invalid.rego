# METADATA
# title: Suppressions carry a reason, name real rules and have not expired
# description: >-
#   A `chartguard.io/ignore` annotation must read "<rule-id>[,<rule-id>] [until=YYYY-MM-DD] -- <reason>".
#   One without a reason, naming an unknown rule, with a malformed date or past its date
#   suppresses nothing and is reported itself.
# custom:
#   id: suppression-invalid
#   severity: warning
#   profiles: [dev, prod]
#   scope: object
#   tags: [suppression]
#   why: >-
#     A suppression is a decision someone must be able to review: without a reason nobody
#     knows why a finding was accepted, and an expired one was meant to be revisited. A typo
#     in a rule id silently suppresses nothing.
#   fix: >-
#     Write the annotation as `chartguard.io/ignore: "resource-limits -- sized by the
#     operator, see JIRA-123"` (optionally `until=2027-01-31` before the ` -- `), with rule
#     ids from `chartguard rules`; renew or remove expired ones.
package chartguard.rules.meta["suppression-invalid"]

import data.chartguard.lib

# The suppressions are read in Rust (they decide which findings are suppressed); this rule
# reports the ones that are broken, so they are findings like any other.
report contains lib.violation(p.resource, p.path, p.message) if {
	some p in input.suppression_issues
}
