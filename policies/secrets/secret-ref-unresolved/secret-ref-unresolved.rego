# METADATA
# title: Secrets and ConfigMaps that pods read exist in the release
# description: >-
#   Every Secret and ConfigMap a pod template reads without `optional: true` – env
#   valueFrom.secretKeyRef / configMapKeyRef, envFrom secretRef / configMapRef, secret and
#   configMap volumes, projected volume sources – is created by the release: a Secret or
#   ConfigMap, an ExternalSecret's target (spec.target.name, default its name), a
#   SealedSecret, a cert-manager Certificate's secretName, a Vault Secrets Operator
#   destination. Reported once per object and name. Quiet for Secrets (ConfigMaps) when a
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
		"%s reads %s %q (%s%s), which nothing in the release creates: its pods cannot start unless it exists beforehand",
		[lib.describe(i), kind, name, first[1], more],
	)
}

# A note by default: charts reference pre-existing Secrets on purpose (`existingSecret`
# values). A warning when the release manages its Secrets itself (ExternalSecret,
# SealedSecret…): then a Secret none of them produces is most likely a name mismatch.
_severity(kind) := "warning" if {
	kind == "Secret"
	_manages_secrets
} else := "note"

_manages_secrets if {
	some r in input.resources
	r.kind in _secret_managers
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

_unresolved(ref) if {
	not _ignored[[ref.kind, ref.name]]
	not rel.rbac_creates(_resources[ref.kind])
	count(rel.creators(ref.kind, ref.name, ref.resource)) == 0
}

_resources := {"Secret": "secrets", "ConfigMap": "configmaps"}

# Present in every namespace.
_ignored := {["ConfigMap", "kube-root-ca.crt"]}

_refs contains ref if {
	some ref in _all_refs
	_unresolved(ref)
}

# env[].valueFrom.secretKeyRef / configMapKeyRef
_all_refs contains {"resource": c.resource, "kind": kind, "name": src.name, "path": path, "where": where} if {
	some c in input.containers
	c.type != "ephemeral"
	env := c.container.env
	is_array(env)
	some k, e in env
	some field, kind in {"secretKeyRef": "Secret", "configMapKeyRef": "ConfigMap"}
	src := e.valueFrom[field]
	_required(src)
	path := array.concat(c.path, ["env", k, "valueFrom", field, "name"])
	where := sprintf("%s env %v", [lib.container_label(c), object.get(e, "name", k)])
}

# envFrom[].secretRef / configMapRef
_all_refs contains {"resource": c.resource, "kind": kind, "name": src.name, "path": path, "where": where} if {
	some c in input.containers
	c.type != "ephemeral"
	env_from := c.container.envFrom
	is_array(env_from)
	some k, e in env_from
	some field, kind in {"secretRef": "Secret", "configMapRef": "ConfigMap"}
	src := e[field]
	_required(src)
	path := array.concat(c.path, ["envFrom", k, field, "name"])
	where := sprintf("%s envFrom", [lib.container_label(c)])
}

# volumes[].secret.secretName / configMap.name
_all_refs contains {"resource": pod.resource, "kind": kind, "name": name, "path": path, "where": where} if {
	some pod in input.pods
	volumes := pod.spec.volumes
	is_array(volumes)
	some k, v in volumes
	some field, spec in {"secret": ["Secret", "secretName"], "configMap": ["ConfigMap", "name"]}
	src := v[field]
	is_object(src)
	not src.optional == true
	kind := spec[0]
	name := src[spec[1]]
	_valid_name(name)
	path := array.concat(pod.path, ["volumes", k, field, spec[1]])
	where := sprintf("volume %v", [object.get(v, "name", k)])
}

# volumes[].projected.sources[].secret / configMap
_all_refs contains {"resource": pod.resource, "kind": kind, "name": src.name, "path": path, "where": where} if {
	some pod in input.pods
	volumes := pod.spec.volumes
	is_array(volumes)
	some k, v in volumes
	sources := v.projected.sources
	is_array(sources)
	some m, s in sources
	some field, kind in {"secret": "Secret", "configMap": "ConfigMap"}
	src := s[field]
	_required(src)
	path := array.concat(pod.path, ["volumes", k, "projected", "sources", m, field, "name"])
	where := sprintf("projected volume %v", [object.get(v, "name", k)])
}

_required(src) if {
	is_object(src)
	not src.optional == true
	_valid_name(src.name)
}

_valid_name(name) if {
	is_string(name)
	name != ""
}
