# Helpers for the hook rules (policies/hooks/*): Helm's reading of the hook annotations,
# its hook order, and what a pod spec needs to exist before it can start.
# Tested in hooks_lib_test.rego.
package chartguard.lib.hooks_lib

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

# Events Helm 3 and 4 know (pkg/releaseutil/manifest_sorter.go), after lower-casing and
# trimming each comma-separated item. "test-success" is Helm 2's name for "test".
known_events := {
	"pre-install", "post-install", "pre-delete", "post-delete",
	"pre-upgrade", "post-upgrade", "pre-rollback", "post-rollback",
	"test", "test-success",
}

known_delete_policies := {"before-hook-creation", "hook-succeeded", "hook-failed"}

# The sets above for rules in other packages: a rule of this package read from another costs
# that rule about 100 ms at 10,000 objects (regorus evaluates this package's other rules too,
# among them a providers rule it then held), a function of this package reading it does not.
# Call these. (The argument of known_event_list and known_delete_policy_list is unused.)
known_event(e) if e in known_events

known_event_list(_) := sort(known_events)

known_delete_policy(p) if p in known_delete_policies

known_delete_policy_list(_) := sort(known_delete_policies)

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

# Objects a pod spec cannot start without (relations_lib.pod_spec_refs), as
# {"kind", "name", "path", "via"}: `via` says where the pod names it, for messages.
pod_references(path, spec) := {ref |
	some r in rel.pod_spec_refs(path, spec)
	ref := {"kind": r.kind, "name": r.name, "path": r.path, "via": _via(r.source)}
}

_via(s) := sprintf("env %v (%s)", [s.entry.name, s.field]) if s.type == "env"

_via(s) := sprintf("envFrom %s", [s.field]) if s.type == "envFrom"

_via(s) := sprintf("volume %v (%s)", [s.entry.name, s.field]) if s.type == "volume"

_via(s) := sprintf("volume %v (projected %s)", [s.entry.name, s.field]) if s.type == "projected"

_via(s) := s.field if s.type == "pod"

# ---- what the release creates ------------------------------------------------------------------

# The objects of the release that create `kind` `name` (indexes into input.resources, as a set):
# the object itself (a Secret, ConfigMap, ServiceAccount or PersistentVolumeClaim), or, for a
# Secret, an ExternalSecret (spec.target.name, default its own name) or a SealedSecret
# (spec.template.metadata.name, default its own name) that makes it. Looked up by name in the
# index per call: building the answer for every Secret, ConfigMap, … of the release first cost
# hook-depends-on-release-resource 15 ms at 5,000 of them, for the two references it asked about.
providers_of(kind, name) := {i |
	kind in _provider_kinds
	some i in object.get(rel.names_by_kind(0), [kind, name], [])
} | {i |
	kind == "Secret"
	some i in _secret_makers[name]
}

_provider_kinds := {"Secret", "ConfigMap", "ServiceAccount", "PersistentVolumeClaim"}

# The Secret names ExternalSecrets and SealedSecrets make → their indexes.
_secret_makers[name] contains i if {
	some i in rel.of_kind("ExternalSecret")
	r := input.resources[i]
	startswith(r.api_version, "external-secrets.io/")
	name := _target(object.get(r.object, ["spec", "target", "name"], null), r.name)
}

_secret_makers[name] contains i if {
	some i in rel.of_kind("SealedSecret")
	r := input.resources[i]
	startswith(r.api_version, "bitnami.com/")
	name := _target(object.get(r.object, ["spec", "template", "metadata", "name"], null), r.name)
}

_target(name, default_name) := name if {
	is_string(name)
	name != ""
} else := default_name
