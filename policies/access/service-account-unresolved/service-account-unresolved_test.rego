package chartguard.rules.access["service-account-unresolved_test"]

import data.chartguard.rules.access["service-account-unresolved"] as rule

_input(profile, hook, spec, extra) := {
	"profile": profile,
	"resources": array.concat([{"kind": "Deployment", "name": "web", "namespace": null, "hook": hook}], extra),
	"pods": [{"resource": 0, "path": ["spec", "template", "spec"], "spec": spec, "labels": {}, "labels_path": []}],
}

_sa(name) := {"kind": "ServiceAccount", "name": name, "namespace": null, "hook": null}

test_account_not_in_release_is_noted if {
	report := rule.report with input as _input("dev", null, {"serviceAccountName": "app-irsa"}, [])
	count(report) == 1
	some v in report
	v.path == ["spec", "template", "spec", "serviceAccountName"]
	contains(v.message, "Deployment web runs as ServiceAccount \"app-irsa\", which the release does not create")
}

test_account_in_release_passes if {
	count(rule.report) == 0 with input as _input("prod", null, {"serviceAccountName": "web"}, [_sa("web")])
}

test_default_in_prod_only_and_not_for_hooks if {
	report := rule.report with input as _input("prod", null, {"containers": []}, [])
	some v in report
	contains(v.message, "default ServiceAccount (no serviceAccountName, which means default)")
	count(rule.report) == 1 with input as _input("prod", null, {"serviceAccountName": "default"}, [])
	count(rule.report) == 0 with input as _input("dev", null, {"serviceAccountName": "default"}, [])
	count(rule.report) == 0 with input as _input("prod", {"events": ["test"]}, {}, [])
}

test_deprecated_field if {
	report := rule.report with input as _input("dev", null, {"serviceAccount": "web"}, [_sa("web")])
	count(report) == 1
	some v in report
	v.path == ["spec", "template", "spec", "serviceAccount"]
	contains(v.message, "deprecated")
}

test_external_accounts_are_not_noted_but_default_still_is if {
	count(rule.report) == 0 with input as _input("dev", null, {"serviceAccountName": "app-irsa"}, [])
		with data.params["service-account-unresolved"].external as ["app-irsa"]
	count(rule.report) == 1 with input as _input("prod", null, {"serviceAccountName": "default"}, [])
		with data.params["service-account-unresolved"].external as ["default"]
}

_sa_in(name, ns) := object.union(_sa(name), {"namespace": ns})

# x with its first object (the Deployment) in namespace ns.
_namespaced(x, ns) := object.union(x, {"resources": array.concat(
	[object.union(x.resources[0], {"namespace": ns})],
	array.slice(x.resources, 1, count(x.resources)),
)})

test_an_account_counts_in_the_pods_namespace_or_when_either_names_none if {
	spec := {"serviceAccountName": "web"}
	count(rule.report) == 0 with input as _namespaced(_input("dev", null, spec, [_sa_in("web", "a")]), "a")
	count(rule.report) == 0 with input as _namespaced(_input("dev", null, spec, [_sa_in("web", null)]), "a")
	count(rule.report) == 0 with input as _input("dev", null, spec, [_sa_in("web", "a")])
	count(rule.report) == 1 with input as _namespaced(_input("dev", null, spec, [_sa_in("web", "b")]), "a")
	count(rule.report) == 0 with input as _namespaced(_input("dev", null, spec, [_sa_in("web", "b"), _sa_in("web", "a")]), "a")
}

test_the_deprecated_alias_is_resolved_the_same_way if {
	spec := {"serviceAccount": "web"}
	count(rule.report) == 1 with input as _namespaced(_input("dev", null, spec, [_sa_in("web", "a")]), "a")
	report := rule.report with input as _namespaced(_input("dev", null, spec, [_sa_in("web", "b")]), "a")
	count(report) == 2
	some v in report
	contains(v.message, "runs as ServiceAccount \"web\", which the release does not create")
	v.path == ["spec", "template", "spec", "serviceAccount"]
}
