# METADATA
# title: Pods without API permissions do not mount an API token
# description: >-
#   A pod template (hooks and helm tests skipped) whose ServiceAccount no RoleBinding or
#   ClusterRoleBinding of the release names sets `automountServiceAccountToken: false`, on the
#   pod or on its ServiceAccount (when the release creates it).
# custom:
#   id: service-account-token
#   severity: note
#   profiles: [prod]
#   scope: release
#   tags: [security, rbac]
#   security-severity: 3.5
#   why: >-
#     Kubernetes mounts a token for the pod's ServiceAccount into every container unless told
#     not to. A process that never calls the Kubernetes API does not need it, but whoever
#     compromises the container gets it: an identity to probe the API with, and every
#     permission someone later grants that account (or `default`). The release binding no role
#     to the account is a strong hint the application does not use the API; it is a hint, not
#     proof (Vault's Kubernetes auth, for one, logs in with this token).
#   fix: >-
#     Set `automountServiceAccountToken: false` in the pod spec (or on the chart's
#     ServiceAccount). A container that does need a token, for an external audience such as
#     Vault, can mount a projected token with that audience and a short expiry instead.
#   references:
#     - https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting
#     - https://kubernetes.io/docs/concepts/security/service-accounts/#bound-service-account-tokens
package chartguard.rules.access["service-account-token"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

report contains {"resource": p.resource, "path": array.concat(p.path, ["automountServiceAccountToken"]), "message": msg} if {
	some p in input.pods
	is_object(p.spec)
	input.resources[p.resource].hook == null
	not p.spec.automountServiceAccountToken == false
	name := _account(p.spec)
	not _bound[name]
	not _opts_out(name, p.resource)
	msg := sprintf(
		"%s mounts the API token of ServiceAccount %s%s, which no RoleBinding or ClusterRoleBinding of the release names: if it does not call the Kubernetes API, set automountServiceAccountToken: false",
		[lib.describe(p.resource), name, _explicit(p.spec)],
	)
}

_account(spec) := spec.serviceAccountName if {
	is_string(spec.serviceAccountName)
	spec.serviceAccountName != ""
} else := spec.serviceAccount if {
	is_string(spec.serviceAccount)
	spec.serviceAccount != ""
} else := "default"

# ServiceAccount names that some binding of the release names as a subject.
_bound[name] if {
	some kind in ["RoleBinding", "ClusterRoleBinding"]
	some i in rel.of_kind(kind)
	r := input.resources[i]
	subjects := r.object.subjects
	is_array(subjects)
	some s in subjects
	s.kind == "ServiceAccount"
	name := s.name
}

# The ServiceAccounts of the release named `name`, in its namespace or one it may share with
# object r, all set automountServiceAccountToken: false (and there is one). When every
# ServiceAccount of that name opts out (the usual case), only whether one shares r's namespace
# is left to ask, without building rel.named's set per pod.
_opts_out(name, r) if {
	name in _quiet_names
	rel.any_same_namespace(_accounts_by_name[name], r)
} else := true if {
	not name in _quiet_names
	_account_opts_out(rel.named("ServiceAccount", name, r))
}

_accounts_by_name := object.get(rel.names_by_kind(0), "ServiceAccount", {})

# Names whose every ServiceAccount opts out.
_quiet_names := {name |
	some name, accounts in _accounts_by_name
	every a in accounts {
		input.resources[a].object.automountServiceAccountToken == false
	}
}

_account_opts_out(accounts) if {
	count(accounts) > 0
	every a in accounts {
		input.resources[a].object.automountServiceAccountToken == false
	}
}

_explicit(spec) := " (automountServiceAccountToken: true)" if spec.automountServiceAccountToken == true
else := ""
