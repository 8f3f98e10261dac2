# METADATA
# title: ExternalSecrets use a SecretStore of the release
# description: >-
#   An ExternalSecret (external-secrets.io) names in spec.secretStoreRef, and in every
#   data[] / dataFrom[] sourceRef.storeRef, a SecretStore the release creates in its
#   namespace (kind SecretStore when unset). A ClusterSecretStore not in the release is only a
#   note: it is usually the platform team's.
# custom:
#   id: external-secret-store-missing
#   severity: warning
#   profiles: [dev, prod]
#   scope: release
#   tags: [secrets, external-secrets]
#   why: >-
#     An ExternalSecret whose store does not exist never syncs: the target Secret is not
#     created and every pod that reads it stays in CreateContainerConfigError, while the
#     release itself installs cleanly. It is usually a store name built from a helper that
#     changed, or a SecretStore left out of the release.
#   fix: >-
#     Render the SecretStore in the chart (before the ExternalSecret, e.g. as a hook with a
#     lower weight) and build secretStoreRef.name from the same helper; or reference a
#     ClusterSecretStore with `kind: ClusterSecretStore` when the platform provides one.
#   references:
#     - https://external-secrets.io/latest/api/externalsecret/
#     - https://external-secrets.io/latest/api/secretstore/
package chartguard.rules.secrets["external-secret-store-missing"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

report contains lib.violation(i, path, msg) if {
	some ref in _refs
	ref.kind == "SecretStore"
	[i, path] := [ref.i, ref.path]
	not rel.any_same_namespace(object.get(_stores, ref.name, []), i)
	msg := sprintf(
		"%s: %s names SecretStore %q, which is not in the release: the secret never syncs",
		[lib.describe(i), _field(path), ref.name],
	)
}

report contains lib.violation_with_severity(i, path, msg, "note") if {
	some ref in _refs
	ref.kind == "ClusterSecretStore"
	[i, path] := [ref.i, ref.path]
	count(rel.named_anywhere("ClusterSecretStore", ref.name)) == 0
	msg := sprintf(
		"%s: %s names ClusterSecretStore %q, which is not in the release: make sure the cluster provides it",
		[lib.describe(i), _field(path), ref.name],
	)
}

# The SecretStores by name, read once: rel.any_same_namespace on the few of one name answers
# what count(rel.named(…)) == 0 did without building a set per reference (5 ms at 833
# ExternalSecrets).
_stores := object.get(rel.names_by_kind(0), "SecretStore", {})

_external_secrets contains i if {
	some i in rel.of_kind("ExternalSecret")
	r := input.resources[i]
	startswith(r.api_version, "external-secrets.io/")
	is_object(r.object.spec)
}

_refs contains {"i": i, "path": ["spec", "secretStoreRef"], "kind": _kind(ref), "name": ref.name} if {
	some i in _external_secrets
	ref := input.resources[i].object.spec.secretStoreRef
	is_object(ref)
	is_string(ref.name)
}

_refs contains {"i": i, "path": ["spec", field, k, "sourceRef", "storeRef"], "kind": _kind(ref), "name": ref.name} if {
	some i in _external_secrets
	some field in ["data", "dataFrom"]
	list := input.resources[i].object.spec[field]
	is_array(list)
	some k, entry in list
	ref := entry.sourceRef.storeRef
	is_object(ref)
	is_string(ref.name)
}

_kind(ref) := k if {
	k := ref.kind
	is_string(k)
	k != ""
} else := "SecretStore"

# ["spec", "dataFrom", 0, …] → spec.dataFrom[0].sourceRef.storeRef
_field(path) := concat("", [_segment(n, s) | some n, s in path])

_segment(n, s) := sprintf("[%v]", [s]) if is_number(s)
else := s if n == 0
else := sprintf(".%v", [s])
