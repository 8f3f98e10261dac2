# Helpers for the hook rules (policies/hooks/*): Helm's reading of the hook annotations,
# its hook order, and what a pod spec needs to exist before it can start.
# Tested in hooks_lib_test.rego.
package chartguard.lib.hooks_lib

import data.chartguard.lib

# Events Helm 3 and 4 know (pkg/releaseutil/manifest_sorter.go), after lower-casing and
# trimming each comma-separated item. "test-success" is Helm 2's name for "test".
known_events := {
	"pre-install", "post-install", "pre-delete", "post-delete",
	"pre-upgrade", "post-upgrade", "pre-rollback", "post-rollback",
	"test", "test-success",
}

known_delete_policies := {"before-hook-creation", "hook-succeeded", "hook-failed"}

# The helm.sh/hook annotation as Helm splits it: strings.Split(v, ","), then TrimSpace and
# ToLower on each item. Empty items stay (Helm keeps them too, and rejects them as events).
# Undefined when the object has no such annotation (or it is not a string).
annotation_items(i, name) := [lower(trim_space(item)) | some item in split(raw, ",")] if {
	raw := input.resources[i].object.metadata.annotations[name]
	is_string(raw)
}

hook_items(i) := annotation_items(i, "helm.sh/hook")

delete_policy_items(i) := annotation_items(i, "helm.sh/hook-delete-policy")

# A did-you-mean for an event Helm does not know: Helm 2's events, or a known event that is
# the same once hyphens and spaces are dropped, the same letters in another order, or one
# letter more or less. Undefined when nothing is close.
suggest_event(e) := "it is Helm 2's CRD hook: Helm 3 and 4 install CRDs from the chart's crds/ folder" if {
	e == "crd-install"
} else := "it is Helm 2's failure-test event: Helm 3 and 4 only have \"test\"" if {
	e == "test-failure"
} else := sprintf("did you mean %q?", [k]) if {
	some k in sort([x | some x in known_events; x != "test-success"])
	close(e, k)
}

suggest_delete_policy(p) := sprintf("did you mean %q?", [k]) if {
	some k in sort(known_delete_policies)
	close(p, k)
}

# Two words are close: equal without separators, anagrams, or one letter apart (added/removed).
close(a, b) if _letters(a) == _letters(b)

close(a, b) if {
	la := _letters(a)
	lb := _letters(b)
	count(la) == count(lb)
	count(la) > 3
	sort(split(la, "")) == sort(split(lb, ""))
}

close(a, b) if _one_deleted(_letters(a), _letters(b))

close(a, b) if _one_deleted(_letters(b), _letters(a))

_letters(s) := replace(replace(replace(lower(s), "-", ""), "_", ""), " ", "")

# short is long with one character removed.
_one_deleted(long, short) if {
	count(long) == count(short) + 1
	count(short) > 3
	some p in numbers.range(0, count(short))
	concat("", [substring(long, 0, p), substring(long, p + 1, count(long) - p - 1)]) == short
}

# ---- Helm's hook order -------------------------------------------------------------------------

# Helm pre-sorts hooks by kind (its install order, unknown kinds last, alphabetically), then
# stable-sorts one event's hooks by weight and name. So for equal weight and equal name the
# kind decides: ServiceAccount before Job.
runs_before(a, b) if lib.hook_runs_before(a, b)

runs_before(a, b) if {
	ra := input.resources[a]
	rb := input.resources[b]
	ra.hook.weight == rb.hook.weight
	ra.name == rb.name
	_kind_rank(ra.kind) < _kind_rank(rb.kind)
}

_kind_rank(kind) := [n, ""] if {
	some n, k in _install_order
	k == kind
} else := [count(_install_order), kind]

# helm/pkg/releaseutil/kind_sorter.go InstallOrder (Helm 3.17 / 4.1).
_install_order := [
	"PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange",
	"PodSecurityPolicy", "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList",
	"ConfigMap", "StorageClass", "PersistentVolume", "PersistentVolumeClaim",
	"CustomResourceDefinition", "ClusterRole", "ClusterRoleList", "ClusterRoleBinding",
	"ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList", "Service",
	"DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
	"HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress",
	"APIService", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
]

# ---- what a pod needs before it can start ------------------------------------------------------

# Objects a pod spec cannot start without, as {"kind", "name", "path", "via"}: env valueFrom and
# envFrom (secret / configMap, unless optional), volumes (secret, configMap, projected,
# persistentVolumeClaim), serviceAccountName (not "default") and imagePullSecrets.
pod_references(path, spec) := {ref |
	some ref in array.concat(_container_refs(path, spec), _pod_refs(path, spec))
	is_string(ref.name)
	ref.name != ""
}

_container_refs(path, spec) := [ref |
	some field in ["initContainers", "containers"]
	ctrs := spec[field]
	is_array(ctrs)
	some n, ctr in ctrs
	is_object(ctr)
	some ref in _one_container_refs(array.concat(path, [field, n]), ctr)
]

_one_container_refs(cpath, ctr) := array.concat(
	[ref |
		is_array(ctr.env)
		some e, env in ctr.env
		some src, kind in {"secretKeyRef": "Secret", "configMapKeyRef": "ConfigMap"}
		sel := env.valueFrom[src]
		is_object(sel)
		not sel.optional == true
		ref := {
			"kind": kind, "name": sel.name,
			"path": array.concat(cpath, ["env", e, "valueFrom", src, "name"]),
			"via": sprintf("env %v (%s)", [env.name, src]),
		}
	],
	[ref |
		is_array(ctr.envFrom)
		some e, from in ctr.envFrom
		some src, kind in {"secretRef": "Secret", "configMapRef": "ConfigMap"}
		sel := from[src]
		is_object(sel)
		not sel.optional == true
		ref := {"kind": kind, "name": sel.name, "path": array.concat(cpath, ["envFrom", e, src, "name"]), "via": sprintf("envFrom %s", [src])}
	],
)

_pod_refs(path, spec) := array.concat(array.concat(_volume_refs(path, spec), _projected_refs(path, spec)), array.concat(
	[ref |
		some field in ["serviceAccountName", "serviceAccount"]
		name := spec[field]
		name != "default"
		ref := {"kind": "ServiceAccount", "name": name, "path": array.concat(path, [field]), "via": field}
	],
	[ref |
		is_array(spec.imagePullSecrets)
		some n, s in spec.imagePullSecrets
		ref := {"kind": "Secret", "name": s.name, "path": array.concat(path, ["imagePullSecrets", n, "name"]), "via": "imagePullSecrets"}
	],
))

_volume_sources := {
	"secret": ["Secret", "secretName"],
	"configMap": ["ConfigMap", "name"],
	"persistentVolumeClaim": ["PersistentVolumeClaim", "claimName"],
}

_volume_refs(path, spec) := [ref |
	is_array(spec.volumes)
	some n, vol in spec.volumes
	some src, kn in _volume_sources
	v := vol[src]
	is_object(v)
	not v.optional == true
	ref := {"kind": kn[0], "name": v[kn[1]], "path": array.concat(path, ["volumes", n, src, kn[1]]), "via": sprintf("volume %v (%s)", [vol.name, src])}
]

_projected_refs(path, spec) := [ref |
	is_array(spec.volumes)
	some n, vol in spec.volumes
	is_array(vol.projected.sources)
	some s, source in vol.projected.sources
	some src, kind in {"secret": "Secret", "configMap": "ConfigMap"}
	v := source[src]
	is_object(v)
	not v.optional == true
	ref := {"kind": kind, "name": v.name, "path": array.concat(path, ["volumes", n, "projected", "sources", s, src, "name"]), "via": sprintf("volume %v (projected %s)", [vol.name, src])}
]

# ---- what the release creates ------------------------------------------------------------------

# "kind/name" → indexes of the release's objects that create it: the object itself, or, for a
# Secret, an ExternalSecret (spec.target.name, default its own name) or a SealedSecret
# (spec.template.metadata.name, default its own name) that makes it.
providers[key] contains i if {
	some i, r in input.resources
	r.kind in {"Secret", "ConfigMap", "ServiceAccount", "PersistentVolumeClaim"}
	key := concat("/", [r.kind, r.name])
}

providers[key] contains i if {
	some i, r in input.resources
	r.kind == "ExternalSecret"
	startswith(r.api_version, "external-secrets.io/")
	key := concat("/", ["Secret", _target(object.get(r.object, ["spec", "target", "name"], null), r.name)])
}

providers[key] contains i if {
	some i, r in input.resources
	r.kind == "SealedSecret"
	startswith(r.api_version, "bitnami.com/")
	key := concat("/", ["Secret", _target(object.get(r.object, ["spec", "template", "metadata", "name"], null), r.name)])
}

_target(name, default_name) := name if {
	is_string(name)
	name != ""
} else := default_name
