package chartguard.lib.secrets_lib_test

import data.chartguard.lib.secrets_lib as sec

# The patterns themselves are tested in Rust (src/credentials.rs); here, that each place is
# classified and reaches Rego with its reason and never its value.

_res(kind, object) := {"kind": kind, "name": "app", "namespace": null, "hook": null, "object": object}

_input := {
	"resources": [
		_res("Secret", {"stringData": {"DB_PASSWORD": "hunter2-x", "username": "admin"}}),
		_res("ConfigMap", {"metadata": {"annotations": {"db": "postgresql://app:pw-123@db/app"}}, "data": {"API_TOKEN": "abc-123-def", "LOG": "debug"}}),
		_res("Deployment", {}),
	],
	"containers": [{
		"resource": 2,
		"type": "container",
		"path": ["spec", "template", "spec", "containers", 0],
		"container": {"name": "api", "env": [{"name": "API_TOKEN", "value": "abc-123-def"}, {"name": "URL", "value": "$(X)"}], "args": ["--password", "pw-1"]},
	}],
}

test_each_place_is_classified if {
	[c] := sec.found("secret") with input as _input
	c.path == ["stringData", "DB_PASSWORD"]
	c.reason == "the key names a credential"
	[m] := sec.found("configmap") with input as _input
	m.key == "API_TOKEN"
	[a] := sec.found("annotation") with input as _input
	a.reason == "a connection string with a password in it"
	[e] := sec.found("env") with input as _input
	e.path == ["spec", "template", "spec", "containers", 0, "env", 0, "value"]
	e.container == 0
	[g] := sec.found("arg") with input as _input
	g.reason == "a credential flag followed by its value"
	g.index == 0
}

test_reasons_never_hold_the_value if {
	found := sec.found("secret") with input as _input
	count(found) == 1
	not contains(json.marshal(found), "hunter2")
}
