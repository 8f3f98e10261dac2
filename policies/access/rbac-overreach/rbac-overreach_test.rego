package chartguard.rules.access["rbac-overreach_test"]

import data.chartguard.rules.access["rbac-overreach"] as rule

_role(kind, name, rules) := {"kind": kind, "name": name, "namespace": null, "hook": null, "object": {"rules": rules}}

_crb(name, role) := {"kind": "ClusterRoleBinding", "name": name, "namespace": null, "hook": null, "object": {"roleRef": {"kind": "ClusterRole", "name": role}}}

test_all_wildcards_in_cluster_role_is_cluster_admin if {
	report := rule.report with input as {"resources": [_role("ClusterRole", "ctl", [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}])]}
	count(report) == 1
	some v in report
	v.severity == "error"
	v.path == ["rules", 0]
	contains(v.message, "ClusterRole ctl rules[0] grants every verb on every resource of every API group: that is cluster-admin")
}

test_all_wildcards_in_role_is_a_warning if {
	report := rule.report with input as {"resources": [_role("Role", "ctl", [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}])]}
	{v.severity | some v in report} == {"warning"}
}

test_partial_wildcards_are_one_finding_at_the_first_field if {
	report := rule.report with input as {"resources": [_role("ClusterRole", "ctl", [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["get", "patch", "delete"]}])]}
	count(report) == 1
	some v in report
	v.path == ["rules", 0, "resources"]
	contains(v.message, "grants every resource and every API group (verbs [\"delete\", \"get\", \"patch\"] on [\"*\"] in apiGroups [\"*\"])")
	contains(v.message, "Secrets included")
}

test_read_only_wildcards_away_from_secrets_pass if {
	count(rule.report) == 0 with input as {"resources": [_role("ClusterRole", "m", [
		{"apiGroups": ["external.metrics.k8s.io"], "resources": ["*"], "verbs": ["get", "list", "watch"]},
		{"nonResourceURLs": ["*"], "verbs": ["*"]},
	])]}
	count(rule.report) == 1 with input as {"resources": [_role("ClusterRole", "m", [{"apiGroups": [""], "resources": ["*"], "verbs": ["list"]}])]}
}

test_escalation_verbs_and_exec if {
	report := rule.report with input as {"resources": [_role("Role", "r", [
		{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles"], "verbs": ["bind", "escalate"]},
		{"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create"]},
	])]}
	count(report) == 3
	msgs := concat("\n", [v.message | some v in report])
	contains(msgs, "grants bind")
	contains(msgs, "grants escalate")
	contains(msgs, "grants pods/exec: it can run commands in every pod of its namespace")
}

test_cluster_wide_secret_read_needs_a_cluster_role_binding if {
	r := _role("ClusterRole", "reader", [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list", "watch"]}])
	count(rule.report) == 0 with input as {"resources": [r]}
	report := rule.report with input as {"resources": [r, _crb("reader", "reader")]}
	count(report) == 1
	some v in report
	v.path == ["rules", 0, "resources"]
	contains(v.message, "lets it read (get, list, watch) every Secret in the cluster, bound cluster-wide by ClusterRoleBinding reader")
	v.related[0].resource == 1
}

test_secret_read_limited_by_name_passes if {
	r := _role("ClusterRole", "reader", [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"], "resourceNames": ["webhook-tls"]}])
	count(rule.report) == 0 with input as {"resources": [r, _crb("reader", "reader")]}
}

test_webhook_write_is_a_note if {
	report := rule.report with input as {"resources": [_role("ClusterRole", "certs", [{"apiGroups": ["admissionregistration.k8s.io"], "resources": ["validatingwebhookconfigurations"], "verbs": ["get", "update"]}])]}
	{v.severity | some v in report} == {"note"}
}

test_cluster_admin_binding_is_an_error if {
	report := rule.report with input as {"resources": [_crb("root", "cluster-admin")]}
	some v in report
	v.severity == "error"
	v.path == ["roleRef", "name"]
	contains(v.message, "ClusterRoleBinding root grants cluster-admin across the cluster")
}

test_narrow_roles_pass if {
	count(rule.report) == 0 with input as {"resources": [
		_role("Role", "r", [{"apiGroups": [""], "resources": ["configmaps", "secrets"], "verbs": ["get", "list", "watch"]}]),
		_role("ClusterRole", "c", [{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list", "watch"]}]),
		_crb("c", "c"),
	]}
}
