package chartguard.rules.secrets["external-secret-store-missing_test"]

import data.chartguard.rules.secrets["external-secret-store-missing"] as rule
import data.chartguard.lib.testing as t

_store(kind, name) := {"api_version": "external-secrets.io/v1", "kind": kind, "name": name, "namespace": null, "hook": null, "object": {}}

_es(spec) := {"api_version": "external-secrets.io/v1", "kind": "ExternalSecret", "name": "app", "namespace": null, "hook": null, "object": {"spec": spec}}

test_store_in_release_passes if {
	count(rule.report) == 0 with input as {"resources": [_es({"secretStoreRef": {"name": "vault", "kind": "SecretStore"}}), _store("SecretStore", "vault")]}
	count(rule.report) == 0 with input as {"resources": [_es({"secretStoreRef": {"name": "vault"}}), _store("SecretStore", "vault")]}
}

test_missing_store_fires if {
	v := t.only(rule.report) with input as {"resources": [_es({"secretStoreRef": {"name": "vault-backend"}}), _store("SecretStore", "vault")]}
	v.resource == 0
	v.path == ["spec", "secretStoreRef"]
	not v.severity
	contains(v.message, "ExternalSecret app: spec.secretStoreRef names SecretStore \"vault-backend\", which is not in the release")
}

test_cluster_store_is_a_note if {
	some v in rule.report with input as {"resources": [_es({"secretStoreRef": {"name": "vault", "kind": "ClusterSecretStore"}}), _store("SecretStore", "vault")]}
	v.severity == "note"
	contains(v.message, "ClusterSecretStore \"vault\"")
	count(rule.report) == 0 with input as {"resources": [_es({"secretStoreRef": {"name": "vault", "kind": "ClusterSecretStore"}}), _store("ClusterSecretStore", "vault")]}
}

test_data_from_store_refs_checked if {
	spec := {"secretStoreRef": {"name": "vault"}, "dataFrom": [{"extract": {"key": "a"}}, {"sourceRef": {"storeRef": {"name": "aws", "kind": "SecretStore"}}}]}
	some v in rule.report with input as {"resources": [_es(spec), _store("SecretStore", "vault")]}
	v.path == ["spec", "dataFrom", 1, "sourceRef", "storeRef"]
	contains(v.message, "spec.dataFrom[1].sourceRef.storeRef names SecretStore \"aws\"")
}
