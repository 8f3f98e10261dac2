# METADATA
# title: An upgrade changes no field the API server refuses to update
# description: >-
#   With `lint --previous`: between the previous release and the new one, no object that both
#   have changes a field the API server will not let `helm upgrade` patch — a workload's
#   `spec.selector`, a StatefulSet's spec other than replicas, template, update strategy,
#   ordinals, minReadySeconds and PVC retention, a Job's pod template, a bound
#   PersistentVolumeClaim's spec other than a storage increase, a Service's allocated
#   `clusterIP` (or a headless Service turned NodePort or LoadBalancer), a binding's
#   `roleRef`, or the data of a ConfigMap or Secret marked `immutable: true`.
# custom:
#   id: upgrade-immutable-field
#   severity: error
#   profiles: [dev, prod]
#   scope: upgrade
#   tags: [upgrades, correctness]
#   why: >-
#     `helm upgrade` patches every object the two releases share. The API server rejects a
#     patch to an immutable field, so the upgrade fails part-way ("UPGRADE FAILED: cannot patch
#     … field is immutable"), with `--atomic` rolls back, and fails the same way every time
#     until someone changes the cluster by hand. `helm template`, `helm install` and a diff
#     all look fine, which is why it reaches production.
#   fix: >-
#     Keep the field as it was; or give the object a new name (Helm then creates the new one
#     and deletes the old); or, for a workload, delete the old object before the upgrade with
#     `kubectl delete <kind> <name> --cascade=orphan` (its pods keep running and the new object
#     adopts them). A PersistentVolumeClaim cannot be changed: create a new claim and move the
#     data. A one-off Job belongs in a hook with `before-hook-creation`, which Helm recreates.
#   references:
#     - https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#label-selector-updates
#     - https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/
#     - https://kubernetes.io/docs/concepts/storage/persistent-volumes/#expanding-persistent-volumes-claims
#     - https://kubernetes.io/docs/concepts/configuration/configmap/#configmap-immutable
package chartguard.rules.upgrade["upgrade-immutable-field"]

import data.chartguard.lib
import data.chartguard.lib.upgrade_lib as up

_selector_kinds := {"Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job"}

# Fields of a StatefulSet's spec an update may change (apps/v1 validation, Kubernetes 1.33).
_statefulset_mutable := {
	"replicas", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy",
	"minReadySeconds", "ordinals", "revisionHistoryLimit",
}

# Objects both releases have, neither a hook (Helm recreates hooks rather than patching them).
_pairs contains [p, b, a] if {
	some p in input.previous.pairs
	a := up.after(p)
	a.hook == null
	b := up.before(p)
	b.hook == null
}

_changed(b, a, path) if object.get(b.object, path, null) != object.get(a.object, path, null)

# A field written out at the value the API server gives it anyway changes nothing in the
# cluster: the patch sets what the live object already holds.
_defaults := {
	"StatefulSet": {"podManagementPolicy": "OrderedReady"},
	"PersistentVolumeClaim": {"volumeMode": "Filesystem"},
}

_spec_changed(b, a, k) if {
	dflt := object.get(_defaults, [a.kind, k], null)
	object.get(b.object, ["spec", k], dflt) != object.get(a.object, ["spec", k], dflt)
}

# spec.selector of workloads.
report contains lib.violation(p.current, ["spec", "selector"], msg) if {
	some [p, b, a] in _pairs
	a.kind in _selector_kinds
	_changed(b, a, ["spec", "selector"])
	msg := sprintf(
		"%s: spec.selector changes; `helm upgrade` will fail with `%s`. A selector cannot change: rename the %s, or delete it first with `kubectl delete %s %s --cascade=orphan`",
		[lib.describe(p.current), up.patch_error(a, sprintf("%s %q is invalid: spec.selector: Invalid value: …: field is immutable", [a.kind, a.name])), a.kind, lower(a.kind), a.name],
	)
}

# A StatefulSet's spec beyond what an update may change (volumeClaimTemplates, serviceName,
# podManagementPolicy …).
report contains lib.violation(p.current, ["spec", k], msg) if {
	some [p, b, a] in _pairs
	a.kind == "StatefulSet"
	keys := {k | some k, _ in object.get(a.object, "spec", {})} | {k | some k, _ in object.get(b.object, "spec", {})}
	some k in keys
	k != "selector"
	not k in _statefulset_mutable
	_spec_changed(b, a, k)
	msg := sprintf(
		"%s: spec.%s changes; `helm upgrade` will fail with `%s`. Keep spec.%s as it was, or delete the StatefulSet first with `kubectl delete statefulset %s --cascade=orphan` (pods and volumes stay; the new StatefulSet adopts them)",
		[lib.describe(p.current), k, up.patch_error(a, sprintf("StatefulSet.apps %q is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden", [a.name])), k, a.name],
	)
}

# A Job's pod template (and completion mode) are fixed once it exists.
report contains lib.violation(p.current, ["spec", k], msg) if {
	some [p, b, a] in _pairs
	a.kind == "Job"
	# A Job with ttlSecondsAfterFinished is deleted once it finishes, so the upgrade usually
	# creates it afresh instead of patching it.
	not is_number(b.object.spec.ttlSecondsAfterFinished)
	some k in ["template", "completionMode"]
	_changed(b, a, ["spec", k])
	msg := sprintf(
		"%s: spec.%s changes (a new image or command?); `helm upgrade` will fail with `%s`. Run it as a hook with `helm.sh/hook-delete-policy: before-hook-creation` (Helm recreates hooks), or put the version in its name so each release creates a new Job",
		[lib.describe(p.current), k, up.patch_error(a, sprintf("Job.batch %q is invalid: spec.%s: Invalid value: …: field is immutable", [a.name, k]))],
	)
}

# A bound claim's spec is fixed but for resources.requests (grow only) and
# volumeAttributesClassName.
report contains lib.violation(p.current, ["spec", k], msg) if {
	some [p, b, a] in _pairs
	a.kind == "PersistentVolumeClaim"
	keys := {k | some k, _ in object.get(a.object, "spec", {})} | {k | some k, _ in object.get(b.object, "spec", {})}
	some k in keys
	not k in {"resources", "volumeAttributesClassName"}
	_spec_changed(b, a, k)
	msg := sprintf(
		"%s: spec.%s changes; `helm upgrade` will fail with `%s`. A claim cannot be changed once bound: keep spec.%s, or create a new claim (a new name) and move the data",
		[lib.describe(p.current), k, up.patch_error(a, sprintf("PersistentVolumeClaim %q is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims", [a.name])), k],
	)
}

report contains lib.violation(p.current, ["spec", "resources", "requests", "storage"], msg) if {
	some [p, b, a] in _pairs
	a.kind == "PersistentVolumeClaim"
	old := b.object.spec.resources.requests.storage
	new := a.object.spec.resources.requests.storage
	lib.quantity(new) < lib.quantity(old)
	msg := sprintf(
		"%s: spec.resources.requests.storage shrinks from %v to %v; `helm upgrade` will fail with `%s`. Volumes only grow: keep %v",
		[lib.describe(p.current), old, new, up.patch_error(a, sprintf("PersistentVolumeClaim %q is invalid: spec.resources.requests.storage: Forbidden: field can not be less than previous value", [a.name])), old],
	)
}

# A Service's cluster IP, once allocated, stays (an explicit address or "None" for headless).
report contains lib.violation(p.current, ["spec", "clusterIP"], msg) if {
	some [p, b, a] in _pairs
	a.kind == "Service"
	old := b.object.spec.clusterIP
	new := a.object.spec.clusterIP
	is_string(old)
	is_string(new)
	old != ""
	new != ""
	old != new
	msg := sprintf(
		"%s: spec.clusterIP changes from %q to %q; `helm upgrade` will fail with `%s`. Keep the address, or delete the Service before the upgrade (its address changes for every client)",
		[lib.describe(p.current), old, new, up.patch_error(a, sprintf("Service %q is invalid: spec.clusterIPs[0]: Invalid value: []string{%q}: may not change once set", [a.name, new]))],
	)
}

# A headless Service turned NodePort or LoadBalancer: when the template stops writing
# `clusterIP: None`, the API server carries the allocated value over the update, and "None" is
# refused for those types.
report contains lib.violation(p.current, ["spec", "type"], msg) if {
	some [p, b, a] in _pairs
	a.kind == "Service"
	b.object.spec.clusterIP == "None"
	a.object.spec.type in {"NodePort", "LoadBalancer"}
	object.get(a.object.spec, "clusterIP", "") in {"", "None"}
	msg := sprintf(
		"%s: a headless Service (spec.clusterIP: None) becomes type %s; `helm upgrade` will fail with `%s`. A headless Service cannot take node ports or a load balancer: expose the pods through a Service with a new name and keep the headless one",
		[lib.describe(p.current), a.object.spec.type, up.patch_error(a, sprintf("Service %q is invalid: spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for %s services", [a.name, a.object.spec.type]))],
	)
}

report contains lib.violation(p.current, ["roleRef"], msg) if {
	some [p, b, a] in _pairs
	a.kind in {"RoleBinding", "ClusterRoleBinding"}
	_changed(b, a, ["roleRef"])
	msg := sprintf(
		"%s: roleRef changes; `helm upgrade` will fail with `%s`. Give the binding a new name (Helm creates it and deletes the old one)",
		[lib.describe(p.current), up.patch_error(a, sprintf("%s.rbac.authorization.k8s.io %q is invalid: roleRef: Invalid value: …: cannot change roleRef", [a.kind, a.name]))],
	)
}

# ConfigMaps and Secrets marked immutable: their data stays what it was.
report contains lib.violation(p.current, [k], msg) if {
	some [p, b, a] in _pairs
	a.kind in {"ConfigMap", "Secret"}
	b.object.immutable == true
	some k in ["data", "binaryData", "stringData", "immutable"]
	_changed(b, a, [k])
	msg := sprintf(
		"%s is `immutable: true` and its %s changes; `helm upgrade` will fail with `%s`. Give it a new name whenever its content changes (e.g. a hash of the content as a suffix, and the pods pointing at the new name)",
		[lib.describe(p.current), k, up.patch_error(a, sprintf("%s %q is invalid: %s: Forbidden: field is immutable when `immutable` is set", [a.kind, a.name, k]))],
	)
}
