package chartguard.rules.workloads["probes-missing_test"]

import data.chartguard.rules.workloads["probes-missing"] as rule
import data.chartguard.lib.testing as t

_ready := {"httpGet": {"path": "/readyz", "port": 8080}}

_live := {"httpGet": {"path": "/healthz", "port": 8080}}

# One object of `kind` named api (a hook when `hook` is not null) with the given [type, container]s.
_input(kind, hook, ctrs) := t.workload_input(kind, "api", hook, t.template_pod_path, {}, ctrs)


test_no_probes_warns_at_container if {
	v := t.only(rule.report) with input as _input("Deployment", null, [["container", {"name": "api"}]])
	v.path == ["spec", "template", "spec", "containers", 0]
	not v.severity
	contains(v.message, "container \"api\" of Deployment api has no readinessProbe and no livenessProbe")
}

test_liveness_only_warns_about_readiness if {
	some v in rule.report with input as _input("DaemonSet", null, [["container", {"name": "api", "livenessProbe": _live}]])
	not v.severity
	contains(v.message, "has no readinessProbe:")
}

test_readiness_without_liveness_is_a_note if {
	some v in rule.report with input as _input("StatefulSet", null, [["container", {"name": "api", "readinessProbe": _ready}]])
	v.severity == "note"
	contains(v.message, "has a readinessProbe but no livenessProbe")
}

test_both_probes_pass if {
	count(rule.report) == 0 with input as _input("Deployment", null, [["container", {"name": "api", "readinessProbe": _ready, "livenessProbe": _live}]])
}

test_init_and_ephemeral_containers_skipped if {
	count(rule.report) == 0 with input as _input("Deployment", null, [
		["init", {"name": "wait"}],
		["ephemeral", {"name": "debug"}],
		["container", {"name": "api", "readinessProbe": _ready, "livenessProbe": _live}],
	])
}

test_sidecar_next_to_a_gated_container_skipped if {
	count(rule.report) == 0 with input as _input("Deployment", null, [
		["container", {"name": "api", "readinessProbe": _ready, "livenessProbe": _live}],
		["container", {"name": "config-reload"}],
	])
}

test_batch_kinds_bare_pods_and_hooks_skipped if {
	count(rule.report) == 0 with input as _input("Job", null, [["container", {"name": "api"}]])
	count(rule.report) == 0 with input as _input("CronJob", null, [["container", {"name": "api"}]])
	count(rule.report) == 0 with input as _input("Pod", null, [["container", {"name": "api"}]])
	count(rule.report) == 0 with input as _input("Deployment", {"events": ["post-install"], "test": false}, [["container", {"name": "api"}]])
	count(rule.report) == 0 with input as _input("Pod", {"events": ["test"], "test": true}, [["container", {"name": "api"}]])
}

test_dev_profile_lowers_to_note if {
	inp := object.union(_input("Deployment", null, [["container", {"name": "api"}]]), {"profile": "dev"})
	some v in rule.report with input as inp
	v.severity == "note"
}

test_null_probe_is_missing if {
	count(rule.report) == 1 with input as _input("Deployment", null, [["container", {"name": "api", "readinessProbe": null, "livenessProbe": _live}]])
}

test_traffic_is_mentioned_only_when_a_service_routes_to_the_pod if {
	w := _input("Deployment", null, [["container", {"name": "api"}]])
	v := t.only(rule.report) with input as w
	contains(v.message, "it counts as ready as soon as its process starts")
	svc := {"index": 1, "kind": "Service", "api_version": "v1", "name": "api", "namespace": null, "hook": null, "object": {"spec": {"selector": {"app": "api"}}}}
	served := object.union(w, {
		"resources": array.concat(w.resources, [svc]),
		"pods": [object.union(w.pods[0], {"labels": {"app": "api"}})],
	})
	u := t.only(rule.report) with input as served
	contains(u.message, "Service api sends it traffic and it counts as ready")
}
