# Test-input builders for the rules' *_test.rego files: inputs shaped like the document
# src/evaluate/input.rs builds (policies/README.md), so a test states only what it is about.
# No rule calls these; they live beside the libraries because `chartguard policy test` loads
# each test file on its own, over the libraries. Tested in testing_test.rego.
package chartguard.lib.testing

# Where Deployments, StatefulSets, DaemonSets, ReplicaSets and Jobs keep their PodSpec.
template_pod_path := ["spec", "template", "spec"]

# The input for one workload `kind` named `name` (`hook`: null, or an input hook object) whose
# PodSpec, at `pod_path` in the object, is `pod_spec` plus the containers `ctrs`, given as
# [type, container] pairs (type: "container", "init" or "ephemeral"). Each container is put
# in its list of the pod spec, numbered within that list as Kubernetes does, and listed in
# input.containers (with its input.pods entry), as the Rust side does.
workload_input(kind, name, hook, pod_path, pod_spec, ctrs) := {
	"profile": "prod",
	"release": null,
	"resources": [{
		"index": 0, "kind": kind, "name": name, "namespace": null, "hook": hook,
		"object": _nest(pod_path, spec),
	}],
	"pods": [{"resource": 0, "path": pod_path, "spec": spec, "labels": {}, "labels_path": []}],
	"containers": [c |
		some type, field in _fields
		some n, container in _of_type(ctrs, type)
		c := {
			"resource": 0,
			"pod_path": pod_path,
			"path": array.concat(pod_path, [field, n]),
			"type": type,
			"container": container,
		}
	],
} if {
	lists := {field: list |
		some type, field in _fields
		list := _of_type(ctrs, type)
		count(list) > 0
	}
	spec := object.union(_object_or_empty(pod_spec), lists)
}

# The usual subject: Deployment "web", not a hook.
deployment_input(pod_spec, ctrs) := workload_input("Deployment", "web", null, template_pod_path, pod_spec, ctrs)

# Single-workload inputs (from workload_input) as one release: their resources in order, their
# pods and containers pointing at them.
combine(inputs) := {
	"profile": "prod",
	"release": null,
	"resources": [object.union(x.resources[0], {"index": i}) | some i, x in inputs],
	"pods": [object.union(p, {"resource": i}) | some i, x in inputs; some p in x.pods],
	"containers": [object.union(c, {"resource": i}) | some i, x in inputs; some c in x.containers],
}

# Hand-written resources as one release, with the input.pods entry of each whose kind bears
# pods (as src/evaluate/views.rs builds them; no containers): for cross-object rules, whose
# input.index (built from this input by the same Rust code) resolves selectors to pods.
release(resources) := {
	"profile": "prod",
	"release": null,
	"resources": [object.union(r, {"index": i}) | some i, r in resources],
	"pods": [p |
		some i, r in resources
		path := _pod_paths[r.kind]
		spec := object.get(r.object, path, null)
		is_object(spec)
		labels_path := array.concat(array.slice(path, 0, count(path) - 1), ["metadata", "labels"])
		p := {"resource": i, "path": path, "spec": spec, "labels": _labels(object.get(r.object, labels_path, {})), "labels_path": labels_path}
	],
	"containers": [],
}

_pod_paths := {
	"Pod": ["spec"],
	"Deployment": template_pod_path, "StatefulSet": template_pod_path, "DaemonSet": template_pod_path,
	"ReplicaSet": template_pod_path, "ReplicationController": template_pod_path, "Job": template_pod_path,
	"CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
}

_labels(l) := l if is_object(l)
else := {}

_fields := {"container": "containers", "init": "initContainers", "ephemeral": "ephemeralContainers"}

_of_type(ctrs, type) := [c | some t in ctrs; t[0] == type; c := t[1]]

_object_or_empty(x) := x if is_object(x)
else := {}

# {"spec": {"template": {"spec": v}}} for ["spec", "template", "spec"] (the PodSpec paths are
# one, three or five keys long).
_nest([a], v) := {a: v}

_nest([a, b, c], v) := {a: {b: {c: v}}}

_nest([a, b, c, d, e], v) := {a: {b: {c: {d: {e: v}}}}}

# The one violation of a rule's report: `v := t.only(rule.report) with input as …` (undefined,
# so the test fails, when the report holds none or several).
only(report) := v if {
	count(report) == 1
	some v in report
}
