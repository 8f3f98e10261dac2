# METADATA
# title: Roles grant no more than a workload can be trusted with
# description: >-
#   Roles and ClusterRoles of the release grant no wildcard verbs, resources or apiGroups
#   (all three in a ClusterRole is an error: that is cluster-admin), no `bind`, `escalate`
#   or `impersonate`, no `pods/exec` or `pods/attach`, and no read of Secrets across the
#   cluster (a ClusterRole with get/list/watch on secrets that a ClusterRoleBinding of the
#   release binds); no binding of the release grants `cluster-admin` (an error). Write access
#   to webhook configurations is a note: controllers that patch their own caBundle need it.
# custom:
#   id: rbac-overreach
#   severity: warning
#   profiles: [dev, prod]
#   scope: release
#   tags: [security, rbac]
#   security-severity: 7.0
#   why: >-
#     Every permission of a ServiceAccount is a permission of whoever compromises its pod.
#     Wildcards grow with every API the cluster adds (CRDs included); bind and escalate let
#     it grant itself any role, impersonate lets it act as any user; pods/exec runs commands
#     in other pods, with their Secrets and identities; reading Secrets cluster-wide yields
#     every credential in the cluster, other ServiceAccounts' tokens included. cluster-admin is
#     all of these at once.
#   fix: >-
#     List the verbs, resources and apiGroups the controller uses (its documentation or
#     `kubectl auth can-i --list --as=system:serviceaccount:NS:NAME` while it runs), bind
#     ClusterRoles with RoleBindings in the namespaces it manages instead of a
#     ClusterRoleBinding, and narrow Secret access with `resourceNames`. A controller whose
#     purpose needs the grant (a secrets syncer, a GitOps controller) keeps it: suppress the
#     finding on that role with the reason, so a reviewer sees it was decided.
#   references:
#     - https://kubernetes.io/docs/concepts/security/rbac-good-practices/
#     - https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping
package chartguard.rules.access["rbac-overreach"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

# [resource, rule index, rule] for the rules of Roles and ClusterRoles that hold anything this
# rule judges: a wildcard, an escalation verb or a sensitive resource. Most rules hold none,
# and filtering them once keeps the report clauses below cheap on large releases.
_rules contains [i, n, rule] if {
	some kind in ["Role", "ClusterRole"]
	some i in rel.of_kind(kind)
	r := input.resources[i]
	rules := r.object.rules
	is_array(rules)
	some n, rule in rules
	is_object(rule)
	_suspicious(rule)
}

_suspicious(rule) if {
	some field in ["verbs", "resources", "apiGroups"]
	is_array(rule[field])
	"*" in rule[field]
}

_suspicious(rule) if {
	is_array(rule.verbs)
	some v in rule.verbs
	v in {"bind", "escalate", "impersonate"}
}

_suspicious(rule) if {
	is_array(rule.resources)
	some x in rule.resources
	x in {"secrets", "pods/exec", "pods/attach", "validatingwebhookconfigurations", "mutatingwebhookconfigurations"}
}

_list(rule, field) := {x | some x in rule[field]; is_string(x)} if is_array(rule[field])
else := set()

_star(rule, field) if "*" in _list(rule, field)

# All three wildcards: cluster-admin (ClusterRole) or namespace admin (Role).
report contains lib.violation_with_severity(i, ["rules", n], msg, severity) if {
	some [i, n, rule] in _rules
	_star(rule, "verbs")
	_star(rule, "resources")
	_star(rule, "apiGroups")
	[severity, scope] := _all_scope(input.resources[i].kind)
	msg := sprintf("%s rules[%d] grants every verb on every resource of every API group: %s", [lib.describe(i), n, scope])
}

_all_scope("ClusterRole") := ["error", "that is cluster-admin"]

_all_scope("Role") := ["warning", "that is admin of its namespace"]

# Some wildcards (not all three), one finding per rule entry. Rules of nonResourceURLs only
# (/metrics, /healthz) are left out, and so are read-only wildcards that cannot reach Secrets
# (get/list/watch on every resource of a named group outside the core one).
report contains lib.violation(i, ["rules", n, fields[0]], msg) if {
	some [i, n, rule] in _rules
	not _all_stars(rule)
	count(_list(rule, "resources")) > 0
	fields := [f | some f in ["verbs", "resources", "apiGroups"]; _star(rule, f)]
	count(fields) > 0
	not _harmless_read(rule)
	msg := sprintf(
		"%s rules[%d] grants %s (%s): a wildcard grows with every API the cluster adds, CRDs included%s",
		[lib.describe(i), n, concat(" and ", [_star_text[f] | some f in fields]), _rule_text(rule), _secrets_too(rule)],
	)
}

_all_stars(rule) if {
	_star(rule, "verbs")
	_star(rule, "resources")
	_star(rule, "apiGroups")
}

_star_text := {"verbs": "every verb", "resources": "every resource", "apiGroups": "every API group"}

_read_only(rule) if {
	verbs := _list(rule, "verbs")
	count(verbs) > 0
	count(verbs - {"get", "list", "watch"}) == 0
}

_reaches_secrets(rule) if {
	count(_list(rule, "apiGroups") & {"", "*"}) > 0
	count(_list(rule, "resources") & {"secrets", "*"}) > 0
}

_harmless_read(rule) if {
	_read_only(rule)
	not _star(rule, "verbs")
	not _reaches_secrets(rule)
}

_secrets_too(rule) := "; Secrets included" if {
	_star(rule, "resources")
	_reaches_secrets(rule)
	count(_list(rule, "verbs") & {"get", "list", "watch", "*"}) > 0
} else := ""

# bind / escalate / impersonate.
report contains lib.violation(i, ["rules", n, "verbs"], msg) if {
	some [i, n, rule] in _rules
	some verb in _list(rule, "verbs") & {"bind", "escalate", "impersonate"}
	msg := sprintf("%s rules[%d] grants %s (%s): %s", [lib.describe(i), n, verb, _rule_text(rule), _escalation[verb]])
}

_escalation := {
	"bind": "it can bind itself any role, beyond what it holds",
	"escalate": "it can write roles with permissions it does not hold",
	"impersonate": "it can act as any user, group or ServiceAccount it names",
}

# pods/exec, pods/attach.
report contains lib.violation(i, ["rules", n, "resources"], msg) if {
	some [i, n, rule] in _rules
	some sub in _list(rule, "resources") & {"pods/exec", "pods/attach"}
	count(_list(rule, "verbs") & {"create", "get", "*"}) > 0
	msg := sprintf(
		"%s rules[%d] grants %s: it can run commands in %s, with their Secrets and identities",
		[lib.describe(i), n, sub, _pods_scope(input.resources[i].kind)],
	)
}

_pods_scope("ClusterRole") := "pods it is bound to reach (every pod, under a ClusterRoleBinding)"

_pods_scope("Role") := "every pod of its namespace"

# Secrets read across the cluster.
report contains lib.violation_related(i, ["rules", n, "resources"], msg, related) if {
	some [i, n, rule] in _rules
	input.resources[i].kind == "ClusterRole"
	"secrets" in _list(rule, "resources")
	"" in _list(rule, "apiGroups")
	count(_list(rule, "verbs") & {"get", "list", "watch", "*"}) > 0
	not rule.resourceNames
	bindings := _cluster_bindings[input.resources[i].name]
	verbs := concat(", ", sort([v | some v in _list(rule, "verbs") & {"get", "list", "watch", "*"}]))
	msg := sprintf(
		"%s rules[%d] lets it read (%s) every Secret in the cluster, bound cluster-wide by %s: every credential and token of every namespace",
		[lib.describe(i), n, verbs, concat(", ", sort([lib.describe(b) | some b in bindings]))],
	)
	related := [{"resource": b, "path": ["roleRef", "name"], "message": "binds it cluster-wide"} | some b in bindings]
}

# ClusterRole name -> ClusterRoleBindings of the release that bind it.
_cluster_bindings[name] contains b if {
	some b in rel.of_kind("ClusterRoleBinding")
	r := input.resources[b]
	r.object.roleRef.kind == "ClusterRole"
	name := r.object.roleRef.name
}

# Webhook configuration writes: a note, controllers need it for their caBundle.
report contains lib.violation_with_severity(i, ["rules", n, "resources"], msg, "note") if {
	some [i, n, rule] in _rules
	some res in _list(rule, "resources") & {"validatingwebhookconfigurations", "mutatingwebhookconfigurations"}
	count(_list(rule, "verbs") & {"create", "update", "patch", "delete", "*"}) > 0
	not _star(rule, "resources")
	msg := sprintf(
		"%s rules[%d] can change %s: controllers that inject their own caBundle need it, but it can also disable or redirect admission for the whole cluster; limit it with resourceNames",
		[lib.describe(i), n, res],
	)
}

# Bindings to cluster-admin.
report contains lib.violation_with_severity(i, ["roleRef", "name"], msg, "error") if {
	some kind in ["ClusterRoleBinding", "RoleBinding"]
	some i in rel.of_kind(kind)
	r := input.resources[i]
	r.object.roleRef.kind == "ClusterRole"
	r.object.roleRef.name == "cluster-admin"
	msg := sprintf("%s grants cluster-admin%s: every permission there is", [lib.describe(i), _binding_scope(r.kind)])
}

_binding_scope("ClusterRoleBinding") := " across the cluster"

_binding_scope("RoleBinding") := " in its namespace"

_rule_text(rule) := sprintf("verbs %v on %v in apiGroups %v", [
	sort(_list(rule, "verbs")), sort(_list(rule, "resources")),
	sort([_group_name(g) | some g in _list(rule, "apiGroups")]),
])

_group_name(g) := "core" if g == ""
else := g
