# METADATA
# title: Values meet every chart's values.schema.json
# description: >-
#   The values a chart is linted with (its values.yaml, each `-f` file, `--set`) checked
#   against the `values.schema.json` of the chart and of each subchart, every violation
#   reported at the line of the values file that set the key (the `--set` flag named, a
#   missing required key where it was removed, else the mapping that lacks it or the schema's
#   line). Computed by chartguard before rendering (with either renderer), which then renders
#   without Helm's own check, so every other rule still runs.
# custom:
#   id: values-schema-invalid
#   severity: error
#   profiles: [dev, prod]
#   scope: release
#   tags: [correctness, helm, values]
#   why: >-
#     Helm refuses to install or upgrade a release whose values break the chart's
#     values.schema.json: the deploy fails at the last step, and Helm's message names no file
#     or line.
#   fix: >-
#     Change the value at this line so that it meets the chart's values.schema.json (or, when
#     the schema is wrong, fix the schema).
#   references:
#     - https://helm.sh/docs/topics/charts/#schema-files
package chartguard.rules.values["values-schema-invalid"]

# Computed in Rust (src/lint/values_schema.rs) from the chart and its values files, which the
# rules' input (the rendered objects) does not hold; this rule carries the metadata, so that
# `chartguard rules`, `--disable`, profiles and SARIF know it.
report := set()
