# METADATA
# title: Templates do not hard-code a namespace
# description: >-
#   When chartguard renders a chart, no namespaced object carries a metadata.namespace other
#   than the release namespace (`{{ .Release.Namespace }}` renders equal to it and is fine).
#   Cluster-scoped kinds and the cluster's own namespaces (kube-system, kube-public,
#   kube-node-lease: an object put there is put there on purpose) are skipped; plain
#   manifests (no release) are not judged.
# custom:
#   id: namespace-hardcoded
#   severity: warning
#   profiles: [dev, prod]
#   scope: release
#   tags: [correctness, helm]
#   why: >-
#     `helm install -n team-a` installs every object without a namespace into team-a, but an
#     object whose template says `namespace: myapp` goes to myapp whatever the user asked:
#     the release is split across namespaces, a second installation in another namespace
#     collides with the first (same name, same hard-coded namespace), and `helm uninstall`
#     of one removes objects the other still uses.
#   fix: >-
#     Remove `metadata.namespace` from the template, or write `namespace: {{
#     .Release.Namespace }}` (or a `namespaceOverride` value that defaults to it). An object
#     that must live elsewhere by design (a RoleBinding in kube-system) can be suppressed
#     with the reason.
#   references:
#     - https://helm.sh/docs/chart_best_practices/templates/
#     - https://helm.sh/docs/helm/helm_install/
package chartguard.rules.release["namespace-hardcoded"]

import data.chartguard.lib
import data.chartguard.lib.workloads_lib as wl

# Objects a chart places in the cluster's own namespaces (a RoleBinding to kube-system's
# extension-apiserver-authentication-reader Role, a kube-public ConfigMap) are there by design.
_system_namespaces := {"kube-system", "kube-public", "kube-node-lease"}

report contains lib.violation(i, ["metadata", "namespace"], msg) if {
	release_ns := input.release.namespace
	is_string(release_ns)
	some i, r in input.resources
	ns := r.namespace
	is_string(ns)
	ns != ""
	ns != release_ns
	not ns in _system_namespaces
	not wl.maybe_cluster_scoped(i)
	msg := sprintf(
		"%s is pinned to namespace %q by metadata.namespace, while the release installs into %q: `helm install -n` does not move it; use {{ .Release.Namespace }}",
		[lib.describe(i), ns, release_ns],
	)
}
