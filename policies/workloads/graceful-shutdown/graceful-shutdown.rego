# METADATA
# title: Pods get time to shut down gracefully
# description: >-
#   In prod, the pods of Deployments, StatefulSets and DaemonSets (hooks skipped) do not set
#   `terminationGracePeriodSeconds: 0`, and the grace period (30 s when unset) is longer than
#   any container's preStop hook sleep (`sleep N` in an exec command, or the `sleep` action).
# custom:
#   id: graceful-shutdown
#   severity: warning
#   profiles: [prod]
#   scope: object
#   tags: [availability, reliability]
#   why: >-
#     On every rollout, scale-down and node drain the kubelet runs the preStop hook, then sends
#     SIGTERM, and kills the container when the grace period ends, counted from the start of
#     preStop. A grace period of 0 kills at once: in-flight requests fail and a StatefulSet's
#     member leaves without handing over. A preStop sleep as long as the grace period (the
#     usual trick to let endpoints and load balancers forget the pod) uses up all of it, so
#     the application is killed right after SIGTERM, or before it, without ever draining.
#   fix: >-
#     Leave terminationGracePeriodSeconds unset or set it above the preStop sleep plus the time
#     the application needs to drain after SIGTERM (e.g. preStop `sleep 10` and
#     `terminationGracePeriodSeconds: 45`).
#   references:
#     - https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination
#     - https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/#hook-handler-execution
package chartguard.rules.workloads["graceful-shutdown"]

import data.chartguard.lib

_kinds := {"Deployment", "StatefulSet", "DaemonSet"}

report contains lib.violation(p.resource, array.concat(p.path, ["terminationGracePeriodSeconds"]), msg) if {
	some p in input.pods
	_judged(p)
	p.spec.terminationGracePeriodSeconds == 0
	msg := sprintf(
		"%s sets terminationGracePeriodSeconds: 0: every rollout, scale-down and drain kills its containers at once, failing in-flight work",
		[lib.describe(p.resource)],
	)
}

report contains lib.violation(c.resource, path, msg) if {
	some c in input.containers
	c.type == "container"
	[sub, seconds] := _prestop_sleep(c.container.lifecycle.preStop)
	r := input.resources[c.resource]
	r.kind in _kinds
	r.hook == null
	spec := object.get(r.object, c.pod_path, null)
	is_object(spec)
	grace := _grace(spec)
	grace > 0
	seconds >= grace
	path := array.concat(c.path, array.concat(["lifecycle", "preStop"], sub))
	msg := sprintf(
		"%s of %s sleeps %ds in preStop, but the pod's grace period is %s: it is killed before or right after SIGTERM, without draining",
		[lib.container_label(c), lib.describe(c.resource), seconds, _grace_text(spec, grace)],
	)
}

_judged(p) if {
	r := input.resources[p.resource]
	r.kind in _kinds
	r.hook == null
	is_object(p.spec)
}

_grace(spec) := spec.terminationGracePeriodSeconds if is_number(spec.terminationGracePeriodSeconds)
else := 30

_grace_text(spec, grace) := sprintf("%ds", [grace]) if is_number(spec.terminationGracePeriodSeconds)
else := "30s (unset)"

# [path below preStop, seconds] of a preStop sleep: the sleep action, or `sleep N` in a command.
_prestop_sleep(h) := [["sleep", "seconds"], h.sleep.seconds] if {
	is_number(h.sleep.seconds)
} else := [["exec", "command"], lib.decimal(m[1])] if {
	cmd := h.exec.command
	is_array(cmd)
	text := concat(" ", [s | some s in cmd; is_string(s)])
	m := regex.find_all_string_submatch_n(`(?:^|[\s;&|/])sleep\s+([0-9]+)(?:s\b|\b)`, text, 1)[0]
}
