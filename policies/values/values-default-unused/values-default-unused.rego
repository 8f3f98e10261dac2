# METADATA
# title: Every default in values.yaml is read by some template
# description: >-
#   A key of the chart's own values.yaml that no template can read on any branch (every
#   template and helper parsed, not one render): a dead default that documents a setting
#   which does nothing. Keys for subcharts and `global` are left alone.
# custom:
#   id: values-default-unused
#   severity: note
#   profiles: [dev]
#   scope: release
#   tags: [values]
#   why: >-
#     values.yaml is the chart's documentation of what can be configured: a default no
#     template reads (left behind by a refactor, or misspelled in the template) tells users
#     they can set something that changes nothing, and their values files copy it.
#   fix: >-
#     Remove the key from values.yaml, or read it in the template it was meant for (check
#     the spelling of the `.Values` reference).
package chartguard.rules.values["values-default-unused"]

import data.chartguard.lib

# Judged per chart in Rust (src/values.rs) from a static analysis of every template and
# helper, on every branch, plus what each render read; reported under this rule. A
# release's input has no `values_defaults_unused`.
report contains lib.violation(k.resource, k.path, k.message) if {
	some k in input.values_defaults_unused
}
