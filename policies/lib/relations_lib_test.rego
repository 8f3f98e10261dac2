package chartguard.lib.relations_lib_test

import data.chartguard.lib.relations_lib as rel

_res(kind, name, ns, obj, hook) := {"api_version": "v1", "kind": kind, "name": name, "namespace": ns, "object": obj, "hook": hook}

_input := {
	"release": {"name": "r", "namespace": "team"},
	"resources": [
		_res("Deployment", "web", null, {}, null),
		_res("Job", "migrate", null, {}, {"events": ["pre-upgrade"], "test": false}),
		_res("Deployment", "api", "other", {}, null),
		_res("Service", "web", null, {"metadata": {"labels": {"app": "web", "tier": "fe"}}}, null),
		_res("Secret", "creds", null, {}, null),
		object.union(_res("ExternalSecret", "es", null, {"spec": {"target": {"name": "from-vault"}}}, null), {"api_version": "external-secrets.io/v1"}),
		object.union(_res("ExternalSecret", "es-default", null, {"spec": {}}, null), {"api_version": "external-secrets.io/v1"}),
		_res("ConfigMap", "settings", null, {}, null),
		object.union(_res("HorizontalPodAutoscaler", "web", null, {"spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}}}, null), {"api_version": "autoscaling/v2"}),
	],
	"pods": [
		{"resource": 0, "labels": {"app": "web", "slot": "blue"}},
		{"resource": 1, "labels": {"app": "web", "slot": "blue"}},
		{"resource": 2, "labels": {"app": "api"}},
	],
}

test_target_pods_skip_hooks if {
	rel.target_pods == {0, 2} with input as _input
}

test_hooks_and_names_by_kind if {
	skipped := _res("ConfigMap", "stray", null, {"metadata": {"annotations": {"helm.sh/hook": ","}}}, null)
	inp := object.union(_input, {"resources": array.concat(_input.resources, [skipped])})
	rel.hooks(0) == [1] with input as inp
	rel.hook_annotated(0) == [1, 9] with input as inp
	rel.names_by_kind(0).Deployment == {"web": [0], "api": [2]} with input as inp
}

test_map_selector_lookup if {
	rel.pods_matching_map({"app": "web", "slot": "blue"}, 3) == {0} with input as _input
	rel.pods_matching_map({"app": "web", "slot": "green"}, 3) == set() with input as _input
	rel.pods_matching_map({}, 3) == set() with input as _input
	rel.pods_matching_map({"app": "api"}, 3) == {2} with input as _input
}

test_namespaces_differ_only_when_both_explicit if {
	rel.same_namespace(0, 2) with input as _input
	not rel.same_namespace(2, 10) with input as {"resources": array.concat(_input.resources, [_res("Service", "x", "x", {}, null), _res("Service", "y", "y", {}, null)])}
	rel.own_namespaces(0) == {"team"} with input as _input
	rel.any_same_namespace([2], 0) with input as _input
	rel.any_same_namespace([0], 2) with input as _input
	not rel.any_same_namespace([], 0) with input as _input
	not rel.any_same_namespace([9], 10) with input as {"resources": array.concat(_input.resources, [_res("Service", "x", "x", {}, null), _res("Service", "y", "y", {}, null)])}
	rel.own_namespaces(2) == {"other"} with input as _input
}

test_label_selector_lookup if {
	rel.pods_matching_selector({"matchLabels": {"app": "web"}}, 0) == {0} with input as _input
	rel.pods_matching_selector({"matchExpressions": [{"key": "app", "operator": "Exists"}]}, 0) == {0, 2} with input as _input
	rel.pods_matching_selector({}, 0) == {0, 2} with input as _input
	rel.pods_matching_selector(null, 0) == set() with input as _input
	rel.services_matching_selector({"matchLabels": {"tier": "fe"}}, 0) == {3} with input as _input
	rel.services_matching_selector({"matchLabels": {"tier": "be"}}, 0) == set() with input as _input
}

test_named_and_hpas if {
	rel.named("Deployment", "web", 3) == {0} with input as _input
	rel.named("Deployment", "nope", 3) == set() with input as _input
	rel.hpas_for(0) == {8} with input as _input
	rel.hpas_for(2) == set() with input as _input
}

test_created_secrets_and_configmaps if {
	rel.creators("Secret", "creds", 0) == {4} with input as _input
	rel.creators("Secret", "from-vault", 0) == {5} with input as _input
	rel.creators("Secret", "es-default", 0) == {6} with input as _input
	rel.creators("Secret", "es", 0) == set() with input as _input
	rel.creators("ConfigMap", "settings", 0) == {7} with input as _input
}

test_custom_workloads if {
	not rel.has_custom_workloads with input as _input
	rel.has_custom_workloads with input as {"resources": [{"api_version": "monitoring.coreos.com/v1", "kind": "Prometheus"}]}
	not rel.has_custom_workloads with input as {"resources": [{"api_version": "monitoring.coreos.com/v1", "kind": "ServiceMonitor"}]}
}

# Each kind is judged with its own apiVersions (index.api_versions): a custom group on a passive
# kind and a workload kind in a built-in group are no custom workload, a kind in two groups is.
test_custom_workloads_pair_kind_and_api_version if {
	mixed := {"resources": [
		{"api_version": "apps/v1", "kind": "Deployment"},
		{"api_version": "monitoring.coreos.com/v1", "kind": "ServiceMonitor"},
		{"api_version": "v1", "kind": "Prometheus"},
	]}
	rel.index.api_versions == {"Deployment": ["apps/v1"], "Prometheus": ["v1"], "ServiceMonitor": ["monitoring.coreos.com/v1"]} with input as mixed
	not rel.has_custom_workloads with input as mixed
	two := {"resources": [
		{"api_version": "apps/v1", "kind": "Rollout"},
		{"api_version": "argoproj.io/v1alpha1", "kind": "Rollout"},
	]}
	rel.index.api_versions == {"Rollout": ["apps/v1", "argoproj.io/v1alpha1"]} with input as two
	rel.has_custom_workloads with input as two
}

test_custom_workloads_present_and_pods_with_label if {
	not rel.custom_workloads_present(0) with input as _input
	rel.custom_workloads_present(0) with input as {"resources": [{"api_version": "monitoring.coreos.com/v1", "kind": "Prometheus"}]}
	rel.pods_with_label("no-such-label", "x") == set() with input as _input
}

test_versions if {
	rel.version_pair("1.33") == [1, 33]
	rel.version_pair("v1.9.3") == [1, 9]
	not rel.version_pair("latest")
	rel.version_at_least("1.33", "1.25")
	rel.version_at_least("1.25", "1.25")
	not rel.version_at_least("1.9", "1.16")
	rel.version_at_least("2.0", "1.40")
	rel.api_group("apps/v1") == "apps"
	rel.api_group("v1") == ""
}

test_rbac_creates if {
	role := {"kind": "Role", "object": {"rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "create"]}]}}
	rel.rbac_creates("secrets") with input as {"resources": [role]}
	not rel.rbac_creates("configmaps") with input as {"resources": [role]}
	star := {"kind": "ClusterRole", "object": {"rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]}}
	rel.rbac_creates("configmaps") with input as {"resources": [star]}
	read_only := {"kind": "Role", "object": {"rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]}}
	not rel.rbac_creates("secrets") with input as {"resources": [read_only]}
}

test_pod_spec_refs_say_where_each_reference_sits if {
	spec := {
		"serviceAccountName": "default",
		"initContainers": [{"name": "wait", "envFrom": [{"secretRef": {"name": "s1"}}, {"configMapRef": {"name": "c0", "optional": true}}]}],
		"containers": [{"name": "app", "env": [{"name": "A", "valueFrom": {"configMapKeyRef": {"name": "c1", "key": "k"}}}, {"name": "B", "value": "x"}]}],
		"volumes": [{"name": "v", "secret": {"secretName": ""}}, {"name": "p", "projected": {"sources": [{"secret": {"name": "s2"}}]}}],
	}
	refs := {[r.kind, r.name, r.source.type, r.path] | some r in rel.pod_spec_refs(["spec"], spec)}
	refs == {
		["Secret", "s1", "envFrom", ["spec", "initContainers", 0, "envFrom", 0, "secretRef", "name"]],
		["ConfigMap", "c1", "env", ["spec", "containers", 0, "env", 0, "valueFrom", "configMapKeyRef", "name"]],
		["Secret", "s2", "projected", ["spec", "volumes", 1, "projected", "sources", 0, "secret", "name"]],
	}
	some r in rel.pod_spec_refs(["spec"], spec)
	r.name == "s1"
	r.source.container == {"type": "init", "container": spec.initContainers[0]}
}

test_pod_spec_refs_tolerate_malformed_entries if {
	spec := {"containers": [
		"not-a-container",
		{"name": "app", "env": ["x", {"name": "A", "valueFrom": "oops"}, {"name": "B", "valueFrom": {"secretKeyRef": "s"}}], "envFrom": [null, {"secretRef": {"name": 3}}]},
	], "volumes": ["v", {"name": "p", "projected": {"sources": "none"}}], "imagePullSecrets": ["regcred"]}
	rel.pod_spec_refs(["spec"], spec) == set()
}

# index.pod_refs (Rust) holds exactly what pod_spec_refs (Rego) derives, malformed entries included.
test_index_pod_refs_are_pod_spec_refs if {
	specs := [
		{
			"serviceAccountName": "default", "serviceAccount": "robot",
			"imagePullSecrets": [{"name": "regcred"}, {"name": ""}, "bare"],
			"initContainers": [{"name": "wait", "envFrom": [{"secretRef": {"name": "s1"}}, {"configMapRef": {"name": "c0", "optional": true}}, {"configMapRef": {"name": "c2", "optional": false}}]}],
			"containers": [
				{"name": "app", "env": [{"name": "A", "valueFrom": {"configMapKeyRef": {"name": "c1", "key": "k"}}}, {"name": "B", "value": "x"}, {"name": "C", "valueFrom": {"secretKeyRef": {"name": "s3", "key": "k"}, "configMapKeyRef": {"name": "c3"}}}]},
				"not-a-container",
				{"name": "side", "env": ["x", {"name": "A", "valueFrom": "oops"}, {"name": "B", "valueFrom": {"secretKeyRef": "s"}}], "envFrom": [null, {"secretRef": {"name": 3}}]},
			],
			"ephemeralContainers": [{"name": "debug", "envFrom": [{"secretRef": {"name": "never"}}]}],
			"volumes": [
				{"name": "v", "secret": {"secretName": ""}},
				{"name": "w", "secret": {"secretName": "s4", "optional": true}},
				{"name": "x", "configMap": {"name": "c4"}, "persistentVolumeClaim": {"claimName": "data"}},
				{"name": "p", "projected": {"sources": [{"secret": {"name": "s2"}}, {"configMap": {"name": "c5", "optional": true}}, "odd", {"configMap": {"name": "c6"}}]}},
				{"name": "q", "projected": {"sources": "none"}},
				"v",
			],
		},
		{"containers": "none", "volumes": {"a": 1}, "serviceAccountName": 7},
		{},
	]
	inp := {"resources": [{"index": i, "kind": "Pod", "name": sprintf("p%d", [i]), "namespace": null, "hook": null, "object": {"spec": s}} | some i, s in specs], "pods": [{"resource": i, "path": ["spec"], "spec": s, "labels": {}, "labels_path": []} | some i, s in specs]}
	every i, s in specs {
		{r | some r in rel.pod_refs(i)} == rel.pod_spec_refs(["spec"], s) with input as inp
	}
	count(rel.pod_refs(0)) == 11 with input as inp
}

test_operator_generated_secrets if {
	inp := {"resources": [
		{"kind": "Cluster", "api_version": "postgresql.cnpg.io/v1", "name": "db", "namespace": null, "hook": null, "object": {}},
		{"kind": "Bucket", "api_version": "s3.aws.upbound.io/v1beta1", "name": "b", "namespace": null, "hook": null, "object": {"spec": {"writeConnectionSecretToRef": {"name": "b-conn"}}}},
		{"kind": "Cluster", "api_version": "cluster.x-k8s.io/v1beta1", "name": "k", "namespace": null, "hook": null, "object": {}},
	]}
	names := {n | some n, _ in rel.created_secrets} with input as inp
	names == {"db-app", "db-superuser", "db-ca", "db-server", "db-replication", "b-conn"}
}

# The index (Rust) and lib.selector_matches (Rego) resolve a LabelSelector alike, malformed
# requirements included (In/NotIn whose values is no array: the API rejects them; both read
# them as holding for no pod carrying the key), so rules may read rel.selects instead.
_malformed_selectors := [
	{"matchExpressions": [{"key": "app", "operator": "In", "values": ["api"]}]},
	{"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["api"]}]},
	{"matchExpressions": [{"key": "app", "operator": "In", "values": {"a": "api"}}]},
	{"matchExpressions": [{"key": "app", "operator": "In", "values": "api"}]},
	{"matchExpressions": [{"key": "app", "operator": "In"}]},
	{"matchExpressions": [{"key": "app", "operator": "NotIn", "values": {"a": "api"}}]},
	{"matchExpressions": [{"key": "app", "operator": "NotIn", "values": "api"}]},
	{"matchExpressions": [{"key": "app", "operator": "NotIn", "values": "web"}]},
	{"matchExpressions": [{"key": "app", "operator": "NotIn", "values": null}]},
	{"matchExpressions": [{"key": "app", "operator": "NotIn"}]},
	{"matchExpressions": [{"key": "app", "operator": "Exists", "values": ["x"]}]},
	{"matchExpressions": [{"operator": "DoesNotExist"}]},
	{"matchExpressions": [{"key": "app", "operator": "in", "values": ["api"]}]},
	{"matchExpressions": ["app"]},
	{"matchExpressions": {"key": "app", "operator": "Exists"}, "matchLabels": "app"},
]

_selector_input := {
	"release": null,
	"resources": array.concat(
		[
			_res("Deployment", "api", null, {}, null),
			_res("Deployment", "worker", null, {}, null),
		],
		[_res("NetworkPolicy", sprintf("np-%d", [k]), null, {"spec": {"podSelector": sel}}, null) | some k, sel in _malformed_selectors],
	),
	"pods": [
		{"resource": 0, "labels": {"app": "api"}},
		{"resource": 1, "labels": {"tier": "x"}},
	],
}

test_index_and_rego_selectors_agree if {
	# Bound outside the `with` expressions: regorus leaves this package's rules undefined there.
	sels := _malformed_selectors
	inp := _selector_input
	expected := [[0], [1], [], [], [], [1], [1], [1], [1], [1], [0], [0, 1], [], [], [0, 1]]
	[rel.selects(k + 2).pods | some k, _ in sels] == expected with input as inp
	[sort(rel.pods_matching_selector(sel, k + 2)) | some k, sel in sels] == expected with input as inp
}

test_name_namespaces_pairs_each_object_with_its_namespace_as_written if {
	inp := {"resources": [
		{"kind": "Secret", "name": "s", "namespace": null},
		{"kind": "Secret", "name": "s", "namespace": "prod"},
		{"kind": "Secret", "name": "t", "namespace": "prod"},
		{"kind": "Secret", "name": "u"},
	]}
	rel.name_namespaces({"s": [0, 1], "t": [2], "u": [3]}) == {["s", null], ["s", "prod"], ["t", "prod"]} with input as inp
	rel.name_namespaces({}) == set() with input as inp
}
