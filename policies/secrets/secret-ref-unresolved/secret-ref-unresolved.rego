# METADATA
# title: Secrets and ConfigMaps that pods read exist in the release
# description: >-
#   Every Secret and ConfigMap a pod template reads without `optional: true` – env
#   valueFrom.secretKeyRef / configMapKeyRef, envFrom secretRef / configMapRef, secret and
#   configMap volumes, projected volume sources – is created by the release: a Secret or
#   ConfigMap, an ExternalSecret's target (spec.target.name, default its name), a
#   SealedSecret, a cert-manager Certificate's secretName, a Vault Secrets Operator
#   destination, the Secrets CloudNativePG generates for a Cluster (`<name>-app`,
#   `-superuser`, `-ca`, `-server`, `-replication`), a Crossplane-style
#   writeConnectionSecretToRef. Reported once per object and name. Quiet for Secrets (ConfigMaps) when a
#   Role or ClusterRole of the release may create Secrets (ConfigMaps): a hook Job or a
#   controller of the release then creates them at run time. A warning (rather than a note)
#   for Secrets when the release manages its Secrets itself (ExternalSecret, SealedSecret,
#   Vault Secrets Operator).
# custom:
#   id: secret-ref-unresolved
#   severity: note
#   profiles: [dev, prod]
#   scope: release
#   tags: [secrets, configuration]
#   why: >-
#     A pod that reads a Secret or ConfigMap that does not exist never starts
#     (CreateContainerConfigError, or ContainerCreating for volumes) and the rollout hangs,
#     although `helm install` succeeded. It is usually a name built from a helper that
#     changed, or an ExternalSecret whose target name differs from what the pods read.
#   fix: >-
#     Build the reference from the same helper as the object that creates it (the
#     ExternalSecret's `target.name`). When the Secret is meant to exist beforehand
#     (`existingSecret` values), document it, or mark the reference `optional: true` if the
#     pod can run without it.
#   references:
#     - https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-environment-variables
#     - https://external-secrets.io/latest/api/externalsecret/
package chartguard.rules.secrets["secret-ref-unresolved"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

report contains lib.violation_with_severity(i, first[0], msg, _severity(kind)) if {
	some key, refs in _missing
	[i, kind, name] := key
	first := min(refs)
	more := _more(count(refs) - 1)
	msg := sprintf(
		"%s reads %s %q (%s%s), which nothing in the release creates: %s unless it exists beforehand",
		[lib.describe(i), kind, name, first[1], more, _consequence(i)],
	)
}

# A helm test runs after the install, when objects made outside the chart may exist; say what
# fails in its own terms.
_consequence(i) := "the helm test cannot start" if lib.is_test(i)
else := "its pods cannot start"

# A note by default: charts reference pre-existing Secrets on purpose (`existingSecret`
# values). A warning when the release manages its Secrets itself (ExternalSecret,
# SealedSecret…): then a Secret none of them produces is most likely a name mismatch.
_severity(kind) := "warning" if {
	kind == "Secret"
	_manages_secrets
} else := "note"

_manages_secrets if {
	some kind in _secret_managers
	count(rel.of_kind(kind)) > 0
}

_secret_managers := {"ExternalSecret", "SealedSecret", "VaultStaticSecret", "VaultDynamicSecret", "VaultPKISecret"}

_more(0) := ""

_more(n) := sprintf(", and %v more reference(s)", [n]) if n > 0

# [resource, kind, name] -> {[path, where]} of the references nothing creates.
_missing[key] contains entry if {
	some ref in _refs
	key := [ref.resource, ref.kind, ref.name]
	entry := [ref.path, ref.where]
}

_resources := {"Secret": "secrets", "ConfigMap": "configmaps"}

# Present in every namespace.
_ignored := {["ConfigMap", "kube-root-ca.crt"]}

# The Secrets and ConfigMaps pod specs read through env, envFrom and volumes
# (relations_lib.pod_spec_refs; not imagePullSecrets or service accounts) that nothing
# creates. Where each sits (two sprintf calls) is only worked out for those: most references
# resolve (speed at 10,000 objects).
_refs contains {"resource": r, "kind": ref.kind, "name": ref.name, "path": ref.path, "where": _where(ref.source)} if {
	some p, refs in rel.all_pod_refs(0)
	some ref in refs
	_resources[ref.kind]
	ref.source.type != "pod"
	r := input.pods[p].resource
	not _created_in[[ref.kind, ref.name, input.resources[r].namespace]]
	not rel.any_same_namespace(object.get(_created, [ref.kind, ref.name], []), r)
	not _ignored[[ref.kind, ref.name]]
	not _rbac_creates[ref.kind]
}

# Who creates each Secret and ConfigMap, read once: a rel.creators call for each reference,
# with two more calls for each creator's namespace, was two thirds of this rule's time
# (speed at 10,000 objects).
_created := rel.all_created(0)

# [kind, name, namespace] of each creator (rel.name_namespaces): the references created in the
# pod's own namespace, most of them, are settled by one lookup.
_created_in contains [kind, name, ns] if {
	some kind, names in _created
	some [name, ns] in rel.name_namespaces(names)
}

# Whether a Role of the release may create Secrets (ConfigMaps), asked once per kind rather
# than for each reference.
_rbac_creates contains kind if {
	some kind, res in _resources
	rel.rbac_creates(res)
}

_where(s) := sprintf("%s env %v", [lib.container_label(s.container), object.get(s.entry, "name", s.index)]) if s.type == "env"

_where(s) := sprintf("%s envFrom", [lib.container_label(s.container)]) if s.type == "envFrom"

_where(s) := sprintf("volume %v", [object.get(s.entry, "name", s.index)]) if s.type == "volume"

_where(s) := sprintf("projected volume %v", [object.get(s.entry, "name", s.index)]) if s.type == "projected"
