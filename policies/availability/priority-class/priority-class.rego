# METADATA
# title: Long-running workloads declare their scheduling priority
# description: >-
#   In prod, the Deployments, StatefulSets and DaemonSets of the release (hooks skipped) set
#   `priorityClassName` (one note per release when none does, else one per workload that
#   does not), and a name that is neither a PriorityClass of the release nor a built-in one
#   (system-cluster-critical, system-node-critical) nor allowed by the parameter `allowed`
#   is noted as one that must exist in the cluster.
# custom:
#   id: priority-class
#   severity: note
#   profiles: [prod]
#   scope: release
#   tags: [availability]
#   why: >-
#     Without a priority class every pod gets the cluster's default priority (usually 0):
#     when nodes fill up, the scheduler cannot preempt batch work for it, and under node
#     pressure the kubelet evicts it as readily as anything else. A priorityClassName that
#     does not exist is worse: the API server rejects the pods ("no PriorityClass with name …
#     was found"), so the workload never starts.
#   fix: >-
#     Set `priorityClassName` in the prod values to the class your platform defines for
#     production services (the chart's `priorityClassName` value), or ship a PriorityClass with
#     the release. Suppress the note when the cluster's global default class is the right one.
#   params:
#     allowed:
#       description: >-
#         PriorityClasses the cluster has outside the release (the platform's own); naming one
#         is not reported. system-cluster-critical and system-node-critical are always known.
#       default: []
#       schema: {type: array, items: {type: string, minLength: 1}, uniqueItems: true}
#   references:
#     - https://kubernetes.io/docs/concepts/scheduling-eviction/pod-priority-preemption/
package chartguard.rules.availability["priority-class"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

_kinds := {"Deployment", "StatefulSet", "DaemonSet"}

_builtin := {"system-cluster-critical", "system-node-critical"}

_judged contains p if {
	some p, pod in input.pods
	r := input.resources[pod.resource]
	r.kind in _kinds
	r.hook == null
	is_object(pod.spec)
}

# The judged pod templates that name a class (a non-empty string), found once: the reports
# below look them up instead of calling a helper on each pod (speed at 10,000 objects). A set,
# not an object of names: regorus inserts into a partial object far more slowly (~1.5 µs an
# entry), and reading the name again costs less.
_named contains p if {
	some p in _judged
	name := input.pods[p].spec.priorityClassName
	is_string(name)
	name != ""
}

# No workload sets one: a single note for the release.
report contains {"resource": input.pods[first].resource, "path": array.concat(input.pods[first].path, ["priorityClassName"]), "message": msg} if {
	count(_named) == 0
	judged := sort(_judged)
	count(judged) > 0
	first := judged[0]
	msg := sprintf(
		"no workload of the release sets priorityClassName (%s): they run at the cluster's default priority and are preempted and evicted like batch work",
		[concat(", ", sort({lib.describe(input.pods[p].resource) | some p in judged}))],
	)
}

# Some do: each one that does not. (An object literal rather than lib.violation, and the pod
# read once: this reports most workloads of a release where only a few set one.)
report contains {"resource": pod.resource, "path": array.concat(pod.path, ["priorityClassName"]), "message": msg} if {
	count(_named) > 0
	some p in _judged
	not _named[p]
	pod := input.pods[p]
	msg := sprintf("%s sets no priorityClassName, unlike other workloads of the release: it runs at the cluster's default priority", [lib.describe(pod.resource)])
}

# A class that is neither in the release nor built in.
report contains {"resource": pod.resource, "path": array.concat(pod.path, ["priorityClassName"]), "message": msg} if {
	some p in _named
	pod := input.pods[p]
	name := pod.spec.priorityClassName
	not name in _builtin
	not name in data.params["priority-class"].allowed
	count(object.get(_classes, name, [])) == 0
	msg := sprintf(
		"%s uses PriorityClass %q, which the release does not create: it must exist in the cluster, or the API server rejects the pods",
		[lib.describe(pod.resource), name],
	)
}

# The release's PriorityClasses by name, read once: rel.named_anywhere for each workload cost
# a function call and a set per name (speed at 10,000 objects).
_classes := object.get(rel.names_by_kind(0), "PriorityClass", {})
