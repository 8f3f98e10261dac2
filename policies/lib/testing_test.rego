package chartguard.lib.testing_test

import data.chartguard.lib.testing as t

test_containers_are_numbered_within_their_list if {
	x := t.deployment_input({"securityContext": {"runAsNonRoot": true}}, [
		["init", {"name": "wait"}],
		["container", {"name": "app"}],
		["container", {"name": "sidecar"}],
	])
	x.resources[0].object == {"spec": {"template": {"spec": {
		"securityContext": {"runAsNonRoot": true},
		"initContainers": [{"name": "wait"}],
		"containers": [{"name": "app"}, {"name": "sidecar"}],
	}}}}
	x.pods[0].spec == x.resources[0].object.spec.template.spec
	paths := {c.container.name: c.path | some c in x.containers}
	paths == {
		"wait": ["spec", "template", "spec", "initContainers", 0],
		"app": ["spec", "template", "spec", "containers", 0],
		"sidecar": ["spec", "template", "spec", "containers", 1],
	}
}

test_other_kinds_and_paths if {
	x := t.workload_input("Pod", "probe", {"events": ["test"], "test": true}, ["spec"], null, [["ephemeral", {"name": "debug"}]])
	x.resources[0].object == {"spec": {"ephemeralContainers": [{"name": "debug"}]}}
	x.resources[0].hook.test == true
	x.containers == [{"resource": 0, "pod_path": ["spec"], "path": ["spec", "ephemeralContainers", 0], "type": "ephemeral", "container": {"name": "debug"}}]
}

test_combine_points_views_at_their_resources if {
	x := t.combine([
		t.deployment_input({}, [["container", {"name": "web"}]]),
		t.workload_input("Job", "migrate", null, t.template_pod_path, {}, [["container", {"name": "flyway"}]]),
	])
	[r.name | some r in x.resources] == ["web", "migrate"]
	[r.index | some r in x.resources] == [0, 1]
	{[c.resource, c.container.name] | some c in x.containers} == {[0, "web"], [1, "flyway"]}
	{p.resource | some p in x.pods} == {0, 1}
}

test_only if {
	t.only({{"path": ["spec"]}}) == {"path": ["spec"]}
	not t.only(set())
	not t.only({1, 2})
}
