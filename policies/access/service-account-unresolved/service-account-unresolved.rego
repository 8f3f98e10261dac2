# METADATA
# title: Pods run as a ServiceAccount the release creates
# description: >-
#   Every pod template names, in `serviceAccountName`, a ServiceAccount of the release. A
#   name the release does not create must exist before the install (a note, unless the
#   parameter `external` lists it); in prod a
#   workload (hooks and helm tests skipped) that runs as the namespace's `default`
#   ServiceAccount, named or by omission, is a note; the deprecated `serviceAccount` field is
#   a note.
# custom:
#   id: service-account-unresolved
#   severity: note
#   profiles: [dev, prod]
#   scope: release
#   tags: [security, rbac]
#   security-severity: 3.0
#   why: >-
#     A pod whose ServiceAccount does not exist is never created: the ReplicaSet or
#     StatefulSet reports "error looking up service account" and the rollout waits until
#     `helm --wait` times out. Charts that can take an existing account (`serviceAccount.create:
#     false`, `serviceAccount.name: …`) depend on someone creating it first, often a cloud IAM
#     binding made outside Helm. The namespace's `default` ServiceAccount is shared by every
#     pod that names none, so whatever RBAC or cloud identity anyone grants it, every such pod
#     gets.
#   fix: >-
#     Let the chart create its ServiceAccount (`serviceAccount.create: true`) or make sure the
#     named one exists in the target namespace before installing (and suppress the note with
#     where it comes from). Give each workload its own ServiceAccount rather than `default`,
#     and write `serviceAccountName`, not the deprecated `serviceAccount`.
#   params:
#     external:
#       description: >-
#         ServiceAccounts that exist outside the release (made by the platform, e.g. with a
#         cloud IAM binding); naming one is not reported. Does not exempt `default`.
#       default: []
#       schema: {type: array, items: {type: string, minLength: 1}, uniqueItems: true}
#   references:
#     - https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/
#     - https://kubernetes.io/docs/concepts/security/service-accounts/
package chartguard.rules.access["service-account-unresolved"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

# A ServiceAccount the release does not create, named in serviceAccountName (most pods).
# Fields read directly and the account looked up in _accounts: an _account call and a
# rel.named set (two calls per account for its namespace) for every pod were most of this
# rule's time (speed at 10,000 objects). An object literal rather than lib.violation.
report contains {"resource": p.resource, "path": array.concat(p.path, ["serviceAccountName"]), "message": _unknown_message(p, name)} if {
	some p in input.pods
	name := p.spec.serviceAccountName
	is_string(name)
	name != ""
	name != "default"
	not _accounts_in[[name, input.resources[p.resource].namespace]]
	not rel.any_same_namespace(object.get(_accounts, name, []), p.resource)
	not name in data.params["service-account-unresolved"].external
}

# ... or in the deprecated alias, when serviceAccountName names none.
report contains {"resource": p.resource, "path": array.concat(p.path, ["serviceAccount"]), "message": _unknown_message(p, name)} if {
	some p in _alias
	["serviceAccount", name] := _account(p.spec)
	name != "default"
	not name in data.params["service-account-unresolved"].external
	not rel.any_same_namespace(object.get(_accounts, name, []), p.resource)
}

_unknown_message(p, name) := sprintf(
	"%s runs as ServiceAccount %q, which the release does not create: it must exist in the namespace before the install, or the pods are never created",
	[lib.describe(p.resource), name],
)

# The default ServiceAccount, in prod, for workloads (not hooks or tests).
report contains lib.violation(p.resource, array.concat(p.path, [field]), msg) if {
	input.profile == "prod"
	some p in input.pods
	not _names_own_account(p.spec)
	is_object(p.spec)
	input.resources[p.resource].hook == null
	[field, name] := _default_account(p.spec)
	msg := sprintf(
		"%s runs as the namespace's default ServiceAccount (%s): it shares that identity, and any RBAC or cloud role granted to it, with every pod that names no account",
		[lib.describe(p.resource), name],
	)
}

# The deprecated alias.
report contains lib.violation(p.resource, array.concat(p.path, ["serviceAccount"]), msg) if {
	some p in _alias
	not is_string(p.spec.serviceAccountName)
	msg := sprintf("%s sets the deprecated serviceAccount field; write serviceAccountName", [lib.describe(p.resource)])
}

# The pods that set the deprecated alias, found in one pass for the two reports about it
# (few do).
_alias contains p if {
	some p in input.pods
	is_string(p.spec.serviceAccount)
}

# The release's ServiceAccounts by name (what rel.named looks in), read once.
_accounts := object.get(rel.names_by_kind(0), "ServiceAccount", {})

# [name, namespace] of each of them (rel.name_namespaces): the accounts created in the pod's
# own namespace, most of them, are settled by one lookup.
_accounts_in := rel.name_namespaces(_accounts)

# [field, name] of the account a pod spec names: serviceAccountName, else the deprecated alias.
_account(spec) := ["serviceAccountName", spec.serviceAccountName] if {
	is_string(spec.serviceAccountName)
	spec.serviceAccountName != ""
} else := ["serviceAccount", spec.serviceAccount] if {
	is_string(spec.serviceAccount)
	spec.serviceAccount != ""
}

# Most pods name their own account: settled with one test instead of _default_account's two
# _account calls (speed at 10,000 objects).
_names_own_account(spec) if {
	name := spec.serviceAccountName
	is_string(name)
	not name in {"", "default"}
}

_default_account(spec) := [field, "serviceAccountName: default"] if {
	[field, "default"] := _account(spec)
} else := ["serviceAccountName", "no serviceAccountName, which means default"] if {
	not _account(spec)
}
