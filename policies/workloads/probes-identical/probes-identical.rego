# METADATA
# title: Liveness probes do not restart containers for not being ready
# description: >-
#   No container's livenessProbe calls a readiness endpoint (an httpGet path with "ready" in
#   it: /ready, /readyz, /-/ready, /health/ready), in particular not as an exact copy of its
#   readinessProbe with no more patience (failureThreshold × periodSeconds no longer).
#   Identical probes on a plain health endpoint are not reported: they are harmless when the
#   endpoint only says "the process answers".
# custom:
#   id: probes-identical
#   severity: warning
#   profiles: [dev, prod]
#   scope: object
#   tags: [reliability]
#   why: >-
#     Readiness answers "should this pod get traffic now?", liveness "is this process beyond
#     repair?". A liveness probe on the readiness endpoint restarts the container whenever it
#     is merely not ready: while it warms up, while a dependency the readiness check includes
#     is slow, under a burst of load. As a copy of the readiness probe it fires at the moment
#     the pod would only have left the Service, so a slow database becomes a restart of every
#     replica at once.
#   fix: >-
#     Point liveness at a check of the process alone (`/livez`, `/healthz` without dependency
#     checks) and keep the readiness endpoint for readinessProbe; if the application has no
#     such endpoint, a tcpSocket liveness probe on its port is a better proxy, or at least give
#     liveness a much larger failureThreshold so a pod leaves the Service well before it is
#     restarted.
#   references:
#     - https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/
package chartguard.rules.workloads["probes-identical"]

import data.chartguard.lib

report contains lib.violation(c.resource, array.concat(c.path, ["livenessProbe", "httpGet", "path"]), msg) if {
	some c in input.containers
	c.type == "container"
	live := c.container.livenessProbe
	is_object(live)
	path := live.httpGet.path
	_readiness_path(path)
	msg := sprintf("%s of %s: livenessProbe calls the readiness endpoint %s%s", [lib.container_label(c), lib.describe(c.resource), path, _how(c.container)])
}

_readiness_path(path) if {
	is_string(path)
	contains(lower(path), "ready")
}

_how(ctr) := sprintf(
	", exactly like readinessProbe and with no more patience (%ds against %ds): the container is restarted at the moment it should only leave the Service",
	[_window(ctr.livenessProbe), _window(ctr.readinessProbe)],
) if {
	ready := ctr.readinessProbe
	is_object(ready)
	_normal(ctr.livenessProbe.httpGet) == _normal(object.get(ready, "httpGet", null))
	_window(ctr.livenessProbe) <= _window(ready)
} else := ": the container is restarted whenever it is not ready (warming up, a slow dependency), not only when it is stuck"

# The handler without fields that do not change what is checked (null httpHeaders, defaults).
_normal(h) := {k: v | some k, v in h; v != null; not _default(k, v)} if is_object(h)

_default(k, v) if [k, v] in {["scheme", "HTTP"], ["path", "/"], ["httpHeaders", []]}

# How long a probe tolerates failure before acting: failureThreshold × periodSeconds.
_window(p) := _num(p, "failureThreshold", 3) * _num(p, "periodSeconds", 10)

_num(p, k, d) := p[k] if is_number(p[k])
else := d
