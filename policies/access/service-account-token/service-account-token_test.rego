package chartguard.rules.access["service-account-token_test"]

import data.chartguard.rules.access["service-account-token"] as rule

_input(spec, extra) := {
	"profile": "prod",
	"resources": array.concat([{"kind": "Deployment", "name": "web", "namespace": null, "hook": null}], extra),
	"pods": [{"resource": 0, "path": ["spec", "template", "spec"], "spec": spec, "labels": {}, "labels_path": []}],
}

_sa(name, automount) := {"kind": "ServiceAccount", "name": name, "namespace": null, "hook": null, "object": {"automountServiceAccountToken": automount}}

_binding(sa) := {"kind": "RoleBinding", "name": "b", "namespace": null, "hook": null, "object": {"subjects": [{"kind": "ServiceAccount", "name": sa}]}}

test_unbound_account_with_token_is_noted if {
	report := rule.report with input as _input({"serviceAccountName": "web"}, [_sa("web", null)])
	count(report) == 1
	some v in report
	v.path == ["spec", "template", "spec", "automountServiceAccountToken"]
	contains(v.message, "Deployment web mounts the API token of ServiceAccount web, which no RoleBinding or ClusterRoleBinding of the release names")
}

test_default_account_and_explicit_true if {
	report := rule.report with input as _input({"automountServiceAccountToken": true}, [])
	some v in report
	contains(v.message, "ServiceAccount default (automountServiceAccountToken: true)")
}

test_opt_outs_and_bound_accounts_pass if {
	count(rule.report) == 0 with input as _input({"serviceAccountName": "web", "automountServiceAccountToken": false}, [])
	count(rule.report) == 0 with input as _input({"serviceAccountName": "web"}, [_sa("web", false)])
	count(rule.report) == 0 with input as _input({"serviceAccountName": "web"}, [_sa("web", null), _binding("web")])
}
