package chartguard.rules.release["namespace-hardcoded_test"]

import data.chartguard.rules.release["namespace-hardcoded"] as rule
import data.chartguard.lib.testing as t

_res(kind, api_version, ns) := {"kind": kind, "api_version": api_version, "name": "app", "namespace": ns, "object": {}, "hook": null}

_input(resources) := {"release": {"name": "app", "namespace": "team-a"}, "resources": resources}

test_other_namespace_fires_at_metadata_namespace if {
	v := t.only(rule.report) with input as _input([_res("ConfigMap", "v1", "myapp")])
	v.resource == 0
	v.path == ["metadata", "namespace"]
	contains(v.message, "ConfigMap myapp/app is pinned to namespace \"myapp\" by metadata.namespace, while the release installs into \"team-a\"")
}

test_release_namespace_or_none_passes if {
	count(rule.report) == 0 with input as _input([_res("ConfigMap", "v1", "team-a"), _res("Deployment", "apps/v1", null)])
}

test_plain_manifests_not_judged if {
	count(rule.report) == 0 with input as {"release": null, "resources": [_res("ConfigMap", "v1", "myapp")]}
	count(rule.report) == 0 with input as {"resources": [_res("ConfigMap", "v1", "myapp")]}
}

test_cluster_scoped_kinds_skipped if {
	crd := {
		"kind": "CustomResourceDefinition", "api_version": "apiextensions.k8s.io/v1", "name": "widgets.example.com", "namespace": null, "hook": null,
		"object": {"spec": {"group": "example.com", "scope": "Cluster", "names": {"kind": "Widget"}}},
	}
	count(rule.report) == 0 with input as _input([
		_res("ClusterRole", "rbac.authorization.k8s.io/v1", "myapp"),
		_res("Namespace", "v1", "myapp"),
		_res("ClusterIssuer", "cert-manager.io/v1", "myapp"),
		_res("Widget", "example.com/v1", "myapp"),
		crd,
	])
}

test_namespaced_custom_kind_fires if {
	count(rule.report) == 1 with input as _input([_res("ServiceMonitor", "monitoring.coreos.com/v1", "monitoring")])
}

test_system_namespaces_skipped if {
	count(rule.report) == 0 with input as _input([
		_res("RoleBinding", "rbac.authorization.k8s.io/v1", "kube-system"),
		_res("ConfigMap", "v1", "kube-public"),
	])
}

test_hooks_judged_too if {
	hook := object.union(_res("Job", "batch/v1", "myapp"), {"hook": {"events": ["pre-install"]}})
	count(rule.report) == 1 with input as _input([hook])
}
