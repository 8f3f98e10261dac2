# METADATA
# title: A chart with values ships a values.schema.json
# description: >-
#   A chart whose values.yaml has user-facing keys (any besides `global`) and no
#   values.schema.json beside it: one note per lint, at its values.yaml. Computed by
#   chartguard from the chart directory.
# custom:
#   id: values-schema-missing
#   severity: note
#   profiles: [prod]
#   scope: release
#   tags: [correctness, helm, values]
#   why: >-
#     Without a schema a typo'd key or a wrong type in a values file is accepted silently
#     (Helm ignores what no template reads, and a string where a number belongs fails only in
#     the cluster). A values.schema.json makes `helm install`/`upgrade`/`template` refuse such
#     values with a message.
#   fix: >-
#     Add a values.schema.json beside values.yaml (tools such as helm-schema or
#     helm-values-schema-json generate one from values.yaml), with `additionalProperties:
#     false` where the keys are fixed.
#   references:
#     - https://helm.sh/docs/topics/charts/#schema-files
package chartguard.rules.values["values-schema-missing"]

# Computed in Rust (src/lint/values_schema.rs) from the chart directory; this rule carries the
# metadata, so that `chartguard rules`, `--disable`, profiles and SARIF know it.
report := set()
