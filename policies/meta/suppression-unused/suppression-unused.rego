# METADATA
# title: Inline suppressions still suppress something
# description: >-
#   A `chartguard.io/ignore` annotation naming a rule that ran on the object and found
#   nothing there suppresses nothing: it is reported, like ruff's unused `noqa`. A rule that
#   did not run (disabled, not selected, not in the profile) leaves its suppressions alone,
#   and with --all-environments a suppression is unused only when it is unused in every
#   environment that renders the object.
# custom:
#   id: suppression-unused
#   severity: note
#   profiles: [dev, prod]
#   scope: release
#   tags: [suppression]
#   why: >-
#     A suppression outlives the problem it was written for: once the finding is fixed it
#     silently hides the next real one of that rule on the object, and readers take it for a
#     decision that still matters.
#   fix: >-
#     Remove the rule from the annotation (the whole annotation when it names no other
#     rule). When the finding only appears with other values, keep it and lint with
#     --all-environments, which reports it only when no environment needs it.
package chartguard.rules.meta["suppression-unused"]

import data.chartguard.lib

# Whether a suppression matched is known only after every other rule ran, so chartguard
# computes the unused ones in Rust after the evaluation (suppress::unused_inline) and
# reports them under this rule, with the message and place this rule would give them; a
# first-pass input has no `unused_suppressions`.
report contains lib.violation(p.resource, p.path, p.message) if {
	some p in input.unused_suppressions
}
