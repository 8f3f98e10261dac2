# METADATA
# title: Every key a values file sets is one the chart reads
# description: >-
#   A key set in a values file the user passes (-f, an environment's values file, the
#   config's values) or by --set that no template of the chart reads, in any render and on
#   any branch, and that the chart's values.yaml does not declare: Helm ignores it without a
#   word. Subchart scopes (aliases too), `global`, whole-subtree reads (toYaml, range, tpl,
#   index with a computed key) count as reads; needs the built-in renderer.
# custom:
#   id: values-key-unknown
#   severity: warning
#   profiles: [dev, prod]
#   scope: release
#   tags: [values]
#   why: >-
#     Helm renders whatever keys the templates read and silently drops the rest: a typo
#     such as `replicaCont: 3` in values-prod.yaml ships the default (one replica) and
#     nobody is told, and a key left behind after a chart upgrade renamed it keeps looking
#     like configuration.
#   fix: >-
#     Use the key the chart reads (see its values.yaml and templates), or remove the key.
#     For a subchart, nest the key under the subchart's name (its alias when it has one);
#     for every chart at once, under `global`.
package chartguard.rules.values["values-key-unknown"]

import data.chartguard.lib

# A key is unknown only when no render of any environment reads it and no template
# references it on any branch: chartguard judges that per chart in Rust (src/values.rs),
# after every environment rendered, from the paths the built-in renderer recorded and a
# static analysis of the templates, and reports it under this rule with this metadata. A
# release's input has no `values_keys_unknown`.
report contains lib.violation(k.resource, k.path, k.message) if {
	some k in input.values_keys_unknown
}
