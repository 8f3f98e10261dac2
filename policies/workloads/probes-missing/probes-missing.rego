# METADATA
# title: Long-running containers have readiness and liveness probes
# description: >-
#   Every regular container of a Deployment, StatefulSet or DaemonSet (not init, native
#   sidecar or ephemeral containers; never Jobs, CronJobs, bare Pods, hooks or helm tests)
#   declares a readinessProbe and a livenessProbe. A pod with no readiness probe at all is
#   a warning in prod (a container without one, next to a container that has one, is a
#   sidecar and is skipped); a container with a readiness but no liveness probe is a note.
#   In the dev profile every finding is a note.
# custom:
#   id: probes-missing
#   severity: warning
#   profiles: [dev, prod]
#   scope: object
#   tags: [reliability, rollout]
#   why: >-
#     Without a readiness probe a pod counts as ready the moment its process starts: the
#     Service sends it traffic before it can answer, and a rolling update replaces healthy
#     pods with ones that are still starting (or crash a second later), so a bad release
#     rolls out completely instead of stalling. Without a liveness probe a deadlocked process
#     keeps its pod Running forever. In development a rollout that goes wrong costs little,
#     so there the finding is a note.
#   fix: >-
#     Add a `readinessProbe` that checks the process can serve (an HTTP /readyz on the
#     container port, or a TCP/exec/gRPC check for other protocols) and a `livenessProbe` that
#     checks only that it is not stuck (a cheaper endpoint, longer period; never one that
#     depends on the database). Use a `startupProbe` for slow starters rather than a long
#     initialDelaySeconds.
#   references:
#     - https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/
#     - https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
package chartguard.rules.workloads["probes-missing"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

_kinds := {"Deployment", "StatefulSet", "DaemonSet"}

# No readiness probe (and perhaps no liveness probe either): the rollout cannot tell.
# Each rule below tests the probes first, which settles most containers, then whether the
# container is judged (a regular container of an ordinary Deployment, StatefulSet or
# DaemonSet), written out in each: collecting the judged containers in a set first (whole
# container views) cost more than every test here, and a function call per container more
# than the tests it makes (speed at 10,000 objects). `is_object(c.container.x)` is _has.
report contains _violation(c, msg) if {
	some c in input.containers
	not is_object(c.container.readinessProbe)
	r := input.resources[c.resource]
	r.kind in _kinds
	r.hook == null
	c.type == "container"
	not [c.resource, c.pod_path] in _gated_pods
	missing := [p | some p in ["readinessProbe", "livenessProbe"]; not _has(c.container, p)]
	msg := sprintf(
		"%s of %s has no %s: %s as soon as its process starts, so a broken version rolls out anyway",
		[lib.container_label(c), lib.describe(c.resource), concat(" and no ", missing), _effect(c)],
	)
}

# A readiness probe but no liveness probe: a hung process is never restarted.
report contains lib.violation_with_severity(c.resource, c.path, msg, "note") if {
	some c in input.containers
	not is_object(c.container.livenessProbe)
	is_object(c.container.readinessProbe)
	r := input.resources[c.resource]
	r.kind in _kinds
	r.hook == null
	c.type == "container"
	msg := sprintf(
		"%s of %s has a readinessProbe but no livenessProbe: a deadlocked process is taken out of the Service but never restarted",
		[lib.container_label(c), lib.describe(c.resource)],
	)
}

# Pods that some container's readiness probe gates: a container next to it (a sidecar such as
# a config reloader) does not decide when the pod serves.
_gated_pods contains key if {
	some c in input.containers
	is_object(c.container.readinessProbe)
	r := input.resources[c.resource]
	r.kind in _kinds
	r.hook == null
	c.type == "container"
	key := [c.resource, c.pod_path]
}

# "Receives traffic" only when a Service of the release routes to the pod.
_effect(c) := sprintf("%s sends it traffic and it counts as ready", [lib.describe(min(svcs))]) if {
	svcs := _services_of[[c.resource, c.pod_path]]
	count(svcs) > 0
} else := "it counts as ready"

# [resource, pod path] -> Services of the release whose selector picks that pod template.
_services_of[key] contains svc if {
	some svc in rel.of_kind("Service")
	r := input.resources[svc]
	r.hook == null
	some p in rel.pods_matching_map(r.object.spec.selector, svc)
	key := [input.pods[p].resource, input.pods[p].path]
}

_has(container, probe) if {
	p := container[probe]
	is_object(p)
}

# The rule's severity (a warning) in prod; a note in dev, where a bad rollout costs little.
_violation(c, msg) := lib.violation_with_severity(c.resource, c.path, msg, "note") if {
	input.profile == "dev"
} else := lib.violation(c.resource, c.path, msg)
