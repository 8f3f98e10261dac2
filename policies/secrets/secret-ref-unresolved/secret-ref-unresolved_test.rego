package chartguard.rules.secrets["secret-ref-unresolved_test"]

import data.chartguard.rules.secrets["secret-ref-unresolved"] as rule
import data.chartguard.lib.testing as t

_obj(api, kind, name, obj) := {"api_version": api, "kind": kind, "name": name, "namespace": null, "hook": null, "object": obj}

# Deployment web (container "app" with `env` and `env_from`, pod `volumes`), then `others`.
_input(others, env, env_from, volumes) := object.union(w, {"resources": array.concat(w.resources, others)}) if {
	w := t.deployment_input({"volumes": volumes}, [["container", {"name": "app", "env": env, "envFrom": env_from}]])
}

_secret_env := [{"name": "DB_URL", "valueFrom": {"secretKeyRef": {"name": "app-secrets", "key": "url"}}}]

test_missing_secret_is_a_note_at_the_reference if {
	v := t.only(rule.report) with input as _input([], _secret_env, [], [])
	v.severity == "note"
	v.path == ["spec", "template", "spec", "containers", 0, "env", 0, "valueFrom", "secretKeyRef", "name"]
	contains(v.message, "Deployment web reads Secret \"app-secrets\" (container \"app\" env DB_URL), which nothing in the release creates")
}

test_created_secret_passes if {
	count(rule.report) == 0 with input as _input([_obj("v1", "Secret", "app-secrets", {})], _secret_env, [], [])
	es := _obj("external-secrets.io/v1", "ExternalSecret", "app", {"spec": {"target": {"name": "app-secrets"}}})
	count(rule.report) == 0 with input as _input([es], _secret_env, [], [])
}

test_operator_generated_secrets_pass if {
	env := [{"name": "DB_URI", "valueFrom": {"secretKeyRef": {"name": "db-app", "key": "uri"}}}]
	cluster := _obj("postgresql.cnpg.io/v1", "Cluster", "db", {"spec": {"instances": 3}})
	count(rule.report) == 0 with input as _input([cluster], env, [], [])
	count(rule.report) == 1 with input as _input([], env, [], [])
	claim := _obj("database.example.org/v1alpha1", "PostgreSQLInstance", "db", {"spec": {"writeConnectionSecretToRef": {"name": "db-conn"}}})
	conn := [{"name": "DB", "valueFrom": {"secretKeyRef": {"name": "db-conn", "key": "endpoint"}}}]
	count(rule.report) == 0 with input as _input([claim], conn, [], [])
}

test_helm_test_message if {
	w := t.workload_input("Pod", "web-test", {"events": ["test"], "test": true, "weight": 0}, ["spec"], {}, [["container", {"name": "t", "env": _secret_env}]])
	v := t.only(rule.report) with input as w
	contains(v.message, "the helm test cannot start unless it exists beforehand")
}

test_external_secret_mismatch_is_a_warning if {
	es := _obj("external-secrets.io/v1", "ExternalSecret", "app", {"spec": {"target": {"name": "app-secret"}}})
	some v in rule.report with input as _input([es], _secret_env, [], [])
	v.severity == "warning"
}

test_optional_references_pass if {
	env := [{"name": "X", "valueFrom": {"secretKeyRef": {"name": "nope", "key": "k", "optional": true}}}]
	count(rule.report) == 0 with input as _input([], env, [{"configMapRef": {"name": "nope", "optional": true}}], [{"name": "v", "secret": {"secretName": "nope", "optional": true}}])
}

test_env_from_volumes_and_projected_fire_once_per_name if {
	volumes := [
		{"name": "cfg", "configMap": {"name": "settings"}},
		{"name": "all", "projected": {"sources": [{"configMap": {"name": "settings"}}, {"secret": {"name": "tls"}}]}},
	]
	report := rule.report with input as _input([], [], [{"configMapRef": {"name": "settings"}}], volumes)
	count(report) == 2
	some v in report
	contains(v.message, "ConfigMap \"settings\"")
	contains(v.message, "and 2 more reference(s)")
}

test_root_ca_and_rbac_created_secrets_pass if {
	volumes := [{"name": "ca", "configMap": {"name": "kube-root-ca.crt"}}]
	count(rule.report) == 0 with input as _input([], [], [], volumes)
	role := _obj("rbac.authorization.k8s.io/v1", "Role", "certgen", {"rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "create"]}]})
	count(rule.report) == 0 with input as _input([role], _secret_env, [], [])
}

_secret_in(ns) := object.union(_obj("v1", "Secret", "app-secrets", {}), {"namespace": ns})

# x with its first object (the Deployment) in namespace ns.
_namespaced(x, ns) := object.union(x, {"resources": array.concat(
	[object.union(x.resources[0], {"namespace": ns})],
	array.slice(x.resources, 1, count(x.resources)),
)})

test_a_creator_counts_in_the_pods_namespace_or_when_either_names_none if {
	count(rule.report) == 0 with input as _namespaced(_input([_secret_in("a")], _secret_env, [], []), "a")
	count(rule.report) == 0 with input as _namespaced(_input([_secret_in(null)], _secret_env, [], []), "a")
	count(rule.report) == 0 with input as _input([_secret_in("a")], _secret_env, [], [])
	count(rule.report) == 1 with input as _namespaced(_input([_secret_in("b")], _secret_env, [], []), "a")
	count(rule.report) == 0 with input as _namespaced(_input([_secret_in("b"), _secret_in("a")], _secret_env, [], []), "a")
}
