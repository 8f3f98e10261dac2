package chartguard.lib_test

import data.chartguard.lib
import data.chartguard.lib.testing as t

test_describe_with_and_without_namespace if {
	lib.describe(0) == "Deployment web" with input as {"resources": [{"kind": "Deployment", "name": "web", "namespace": null}]}
	lib.describe(0) == "Deployment prod/web" with input as {"resources": [{"kind": "Deployment", "name": "web", "namespace": "prod"}]}
	# The title the Rust side writes, when there is one.
	lib.describe(0) == "Deployment prod/web" with input as {"resources": [{"kind": "Deployment", "name": "web", "namespace": "prod", "title": "Deployment prod/web"}]}
}

test_selector_match_labels_and_expressions if {
	lib.selector_matches({"matchLabels": {"app": "web"}}, {"app": "web", "tier": "fe"})
	not lib.selector_matches({"matchLabels": {"app": "web"}}, {"app": "api"})
	lib.selector_matches({"matchExpressions": [{"key": "app", "operator": "In", "values": ["web", "api"]}]}, {"app": "api"})
	not lib.selector_matches({"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["api"]}]}, {"app": "api"})
	lib.selector_matches({"matchExpressions": [{"key": "app", "operator": "Exists"}]}, {"app": "x"})
	lib.selector_matches({"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]}, {"x": "y"})
	lib.selector_matches({}, {"any": "thing"})
}

test_map_selector if {
	lib.map_selector_matches({"app": "web"}, {"app": "web", "slot": "blue"})
	not lib.map_selector_matches({"app": "web", "slot": "green"}, {"app": "web", "slot": "blue"})
	not lib.map_selector_matches({}, {"app": "web"})
}

test_quantities if {
	lib.quantity("500m") == 0.5
	lib.quantity("2") == 2
	lib.quantity(2) == 2
	lib.quantity("128Mi") == 134217728
	lib.quantity("1G") == 1000000000
	lib.quantity("1.5Gi") == 1610612736
	not lib.quantity("lots")
}

test_container_label if {
	lib.container_label({"type": "init", "container": {"name": "wait"}}) == "init container \"wait\""
	lib.container_label({"type": "container", "container": {"name": "app"}}) == "container \"app\""
	lib.container_label({"type": "container", "container": {}}) == "container \"(unnamed)\""
	lib.container_label({"type": "init", "container": {"name": 5}}) == "init container \"(unnamed)\""
}

test_replicas_number_and_numeric_string if {
	lib.replicas(0) == 3 with input as {"resources": [{"object": {"spec": {"replicas": 3}}}]}
	lib.replicas(0) == 3 with input as {"resources": [{"object": {"spec": {"replicas": "3"}}}]}
	lib.replicas(0) == 7 with input as {"resources": [{"object": {"spec": {"replicas": "007"}}}]}
	lib.replicas(0) == 0 with input as {"resources": [{"object": {"spec": {"replicas": "00"}}}]}
}

test_replica_count_reads_the_value_as_replicas_does if {
	lib.replica_count(3) == 3
	lib.replica_count(2.5) == 2.5
	lib.replica_count("3") == 3
	lib.replica_count("007") == 7
	lib.replica_count("00") == 0
	not lib.replica_count("three")
	not lib.replica_count("")
	not lib.replica_count(" 3")
	not lib.replica_count("3.0")
	not lib.replica_count(null)
	not lib.replica_count(true)
	not lib.replica_count({})
	lib.replicas(0) == 2.5 with input as {"resources": [{"object": {"spec": {"replicas": 2.5}}}]}
	not lib.replicas(0) with input as {"resources": [{"object": {"spec": {"replicas": " 3"}}}]}
	not lib.replicas(0) with input as {"resources": [{"object": {"spec": {"replicas": "3.0"}}}]}
	not lib.replicas(0) with input as {"resources": [{"object": {"spec": {"replicas": true}}}]}
}

test_decimal_reads_leading_zeros if {
	lib.decimal("007") == 7
	lib.decimal("10") == 10
	lib.decimal("0") == 0
	lib.decimal("000") == 0
	lib.decimal("0.5") == 0.5
	lib.decimal("007.5") == 7.5
	not lib.replicas(0) with input as {"resources": [{"object": {"spec": {"replicas": "three"}}}]}
	not lib.replicas(0) with input as {"resources": [{"object": {"spec": {}}}]}
	not lib.replicas(0) with input as {"resources": [{"object": {"spec": {"replicas": null}}}]}
}

_hook(name, annotations, events, weight) := {
	"kind": "Job", "name": name, "namespace": null,
	"object": {"metadata": {"name": name, "annotations": annotations}},
	"hook": {"events": events, "weight": weight, "weight_valid": true},
}

# A hook Job whose pod runs the given containers (a single-workload input, see t.combine).
_job(name, ctrs) := t.workload_input("Job", name, _hook(name, {}, ["pre-upgrade"], 0).hook, t.template_pod_path, {}, [["container", c] | some c in ctrs])

test_hook_role_from_name if {
	lib.hook_role(0) == "backup" with input as {"resources": [_hook("app-backup", {}, ["pre-upgrade"], 0)] }
	lib.hook_role(0) == "migration" with input as {"resources": [_hook("app-db-migrate", {}, ["pre-upgrade"], 0)] }
	lib.hook_role(0) == "migration" with input as {"resources": [_hook("app-migration", {}, ["pre-upgrade"], 0)] }
}

test_hook_role_from_containers if {
	inp := t.combine([
		_job("app-pre", [{"name": "dump", "image": "postgres:16", "command": ["sh", "-c", "pg_dump --dbname=$URL"]}]),
		_job("app-pre2", [{"name": "db", "image": "flyway/flyway:10", "args": ["up"]}]),
		_job("app-pre3", [{"name": "snap", "image": "velero/velero:1.14", "command": ["velero", "backup", "create"]}]),
	])
	lib.hook_role(0) == "backup" with input as inp
	lib.hook_role(1) == "migration" with input as inp
	lib.hook_role(2) == "backup" with input as inp
}

test_hook_role_none_and_ambiguous if {
	inp := t.combine([
		_job("app-notify", [{"name": "notify", "image": "curlimages/curl:8", "command": ["curl", "http://x"]}]),
		_job("app-job", [{"name": "both", "image": "tool:1", "command": ["sh", "-c", "pg_dump x && ./migrate"]}]),
	])
	not lib.hook_role(0) with input as inp
	not lib.hook_role(1) with input as inp
}

test_hook_role_annotation_overrides if {
	inp := {
		"resources": [
			_hook("app-backup", {"chartguard.io/hook-role": "migration"}, ["pre-upgrade"], 0),
			_hook("app-migrate", {"chartguard.io/hook-role": "none"}, ["pre-upgrade"], 0),
		],
	}
	lib.hook_role(0) == "migration" with input as inp
	lib.hook_role(1) == "none" with input as inp
}

test_shared_hook_events if {
	inp := {"resources": [
		_hook("a", {}, ["pre-install", "pre-upgrade"], 0),
		_hook("b", {}, ["pre-upgrade"], 0),
		_hook("c", {}, ["post-install"], 0),
	]}
	lib.shared_hook_events(0, 1) == {"pre-upgrade"} with input as inp
	lib.shared_hook_events(0, 2) == set() with input as inp
}

test_hook_runs_before_weight_then_name if {
	inp := {"resources": [
		_hook("x-migration", {}, ["pre-upgrade"], -10),
		_hook("x-backup", {}, ["pre-upgrade"], -5),
		_hook("a-first", {}, ["pre-upgrade"], -5),
	]}
	lib.hook_runs_before(0, 1) with input as inp
	not lib.hook_runs_before(1, 0) with input as inp
	lib.hook_runs_before(2, 1) with input as inp
	not lib.hook_runs_before(1, 2) with input as inp
}

test_selector_null_fields_do_not_error if {
	lib.selector_matches({"matchLabels": null, "matchExpressions": null}, {"app": "web"})
}

test_hook_role_tolerates_null_command if {
	inp := t.combine([_job("app-pre", [{"name": "x", "image": "flyway/flyway:10", "command": null}])])
	lib.hook_role(0) == "migration" with input as inp
}

test_violation_with_severity if {
	lib.violation_with_severity(0, ["spec"], "m", "error") == {"resource": 0, "path": ["spec"], "message": "m", "severity": "error"}
}

test_all_digits if {
	lib.all_digits("0")
	lib.all_digits("8080")
	not lib.all_digits("")
	not lib.all_digits("80a")
	not lib.all_digits("a80")
	not lib.all_digits("8 0")
	not lib.all_digits("80\n")
	not lib.all_digits("-1")
	not lib.all_digits("1.5")
	not lib.all_digits("٣")
	not lib.all_digits(80)
	every s in ["0", "8080", "", "80a", "a80", "8 0", "80\n", "-1", "1.5", "٣", "http"] {
		_digits_agree(s)
	}
}

_digits_agree(s) if {
	lib.all_digits(s)
	regex.match(`^[0-9]+$`, s)
}

_digits_agree(s) if {
	not lib.all_digits(s)
	not regex.match(`^[0-9]+$`, s)
}

# _roles_in matches each role's words as one pattern: it finds the words anywhere in the text,
# both roles when both occur, none otherwise (what a `contains` per word found).
test_roles_in_words_anywhere if {
	lib._roles_in("x-velero backup-y") == {"backup"}
	lib._roles_in("velero-backup") == {"backup"}
	lib._roles_in("mysqldump\nalembic upgrade") == {"backup", "migration"}
	lib._roles_in("pg.dump migrat") == set()
	lib._roles_in("") == set()
}

# An annotation that is not a string still settles the role: none.
test_hook_role_annotation_not_a_string if {
	inp := {"resources": [
		_hook("app-backup", {"chartguard.io/hook-role": 1}, ["pre-upgrade"], 0),
		_hook("app-backup", {"chartguard.io/hook-role": null}, ["pre-upgrade"], 0),
	]}
	lib.hook_role(0) == "none" with input as inp
	lib.hook_role(1) == "none" with input as inp
}
