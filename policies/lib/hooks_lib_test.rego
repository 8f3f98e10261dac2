package chartguard.lib.hooks_lib_test

import data.chartguard.lib.hooks_lib

_res(kind, name, annotations, hook) := {"kind": kind, "name": name, "namespace": null, "api_version": "v1", "object": {"metadata": {"name": name, "annotations": annotations}}, "hook": hook}

test_hook_items_split_trim_lower if {
	hooks_lib.hook_items(0) == ["pre-install", "post-upgrade", ""] with input as {"resources": [_res("Job", "a", {"helm.sh/hook": " Pre-Install ,post-upgrade,"}, null)]}
	not hooks_lib.hook_items(0) with input as {"resources": [_res("Job", "a", {}, null)]}
}

test_suggest_event if {
	hooks_lib.suggest_event("pre-instal") == "did you mean \"pre-install\"?"
	hooks_lib.suggest_event("preinstall") == "did you mean \"pre-install\"?"
	hooks_lib.suggest_event("post-upgarde") == "did you mean \"post-upgrade\"?"
	hooks_lib.suggest_event("pre-installl") == "did you mean \"pre-install\"?"
	contains(hooks_lib.suggest_event("crd-install"), "crds/")
	not hooks_lib.suggest_event("deploy")
	hooks_lib.suggest_delete_policy("hook-succeded") == "did you mean \"hook-succeeded\"?"
}

test_runs_before_weight_name_kind if {
	inp := {"resources": [
		object.union(_res("ServiceAccount", "init", {}, null), {"hook": {"weight": 0}}),
		object.union(_res("Job", "init", {}, null), {"hook": {"weight": 0}}),
		object.union(_res("ExternalSecret", "a", {}, null), {"hook": {"weight": 0}}),
		object.union(_res("Secret", "z", {}, null), {"hook": {"weight": -1}}),
	]}
	hooks_lib.runs_before(0, 1) with input as inp
	not hooks_lib.runs_before(1, 0) with input as inp
	hooks_lib.runs_before(2, 1) with input as inp
	hooks_lib.runs_before(3, 2) with input as inp
}

test_pod_references if {
	spec := {
		"serviceAccountName": "sa",
		"imagePullSecrets": [{"name": "regcred"}],
		"containers": [{"name": "c", "env": [
			{"name": "A", "valueFrom": {"secretKeyRef": {"name": "s1", "key": "k"}}},
			{"name": "B", "valueFrom": {"configMapKeyRef": {"name": "c1", "key": "k", "optional": true}}},
		], "envFrom": [{"configMapRef": {"name": "c2"}}]}],
		"volumes": [
			{"name": "v", "persistentVolumeClaim": {"claimName": "data"}},
			{"name": "p", "projected": {"sources": [{"secret": {"name": "s2"}}]}},
		],
	}
	refs := {[r.kind, r.name] | some r in hooks_lib.pod_references(["spec"], spec)}
	refs == {["ServiceAccount", "sa"], ["Secret", "regcred"], ["Secret", "s1"], ["ConfigMap", "c2"], ["PersistentVolumeClaim", "data"], ["Secret", "s2"]}
	not "default" in {r.name | some r in hooks_lib.pod_references(["spec"], {"serviceAccountName": "default"})}
}

test_providers_external_secret_target if {
	es := {"kind": "ExternalSecret", "api_version": "external-secrets.io/v1", "name": "es", "namespace": null, "object": {"spec": {"target": {"name": "app-secrets"}}}, "hook": null}
	es2 := {"kind": "ExternalSecret", "api_version": "external-secrets.io/v1beta1", "name": "own", "namespace": null, "object": {"spec": {}}, "hook": null}
	hooks_lib.providers_of("Secret", "app-secrets") == {0} with input as {"resources": [es, es2]}
	hooks_lib.providers_of("Secret", "own") == {1} with input as {"resources": [es, es2]}
	hooks_lib.providers_of("Secret", "es") == set() with input as {"resources": [es, es2]}
}

_object(kind, name, ns) := {"kind": kind, "api_version": "v1", "name": name, "namespace": ns, "object": {}, "hook": null}

test_providers_of_objects_by_kind_and_name if {
	inp := {"resources": [
		_object("Secret", "s", null),
		_object("Secret", "s", "other"),
		_object("ConfigMap", "s", null),
		_object("ServiceAccount", "sa", null),
		_object("PersistentVolumeClaim", "data", null),
		_object("Service", "svc", null),
		{"kind": "SealedSecret", "api_version": "bitnami.com/v1alpha1", "name": "sealed", "namespace": null, "object": {"spec": {"template": {"metadata": {"name": "s"}}}}, "hook": null},
		{"kind": "SealedSecret", "api_version": "example.com/v1", "name": "s", "namespace": null, "object": {}, "hook": null},
	]}
	hooks_lib.providers_of("Secret", "s") == {0, 1, 6} with input as inp
	hooks_lib.providers_of("ConfigMap", "s") == {2} with input as inp
	hooks_lib.providers_of("ServiceAccount", "sa") == {3} with input as inp
	hooks_lib.providers_of("PersistentVolumeClaim", "data") == {4} with input as inp
	hooks_lib.providers_of("Service", "svc") == set() with input as inp
	hooks_lib.providers_of("Secret", "none") == set() with input as inp
}

test_known_event_list_is_the_known_events if {
	hooks_lib.known_event_list(0) == sort(hooks_lib.known_events)
	"test-success" in hooks_lib.known_event_list(0)
}
