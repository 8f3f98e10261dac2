# METADATA
# title: Probes name ports their container declares
# description: >-
#   Every liveness, readiness and startup probe (httpGet, tcpSocket) of a container or init
#   container that gives its port by name names one of that container's `ports[].name`, and a
#   port given as a string is a name, not a quoted number.
# custom:
#   id: probe-port-unknown
#   severity: error
#   profiles: [dev, prod]
#   scope: object
#   tags: [reliability, correctness]
#   why: >-
#     The kubelet resolves a named probe port against the ports of the same container only.
#     When the name is missing (renamed in `ports` but not in the probe, or declared on another
#     container of the pod) every probe fails: a readiness probe keeps the pod out of its
#     Service forever and a liveness or startup probe restarts the container in a loop, so a
#     rollout never completes. A quoted number ("8080") is not a name at all and the API server
#     rejects the object.
#   fix: >-
#     Use the name of a port the container declares (`ports: [{name: http, containerPort:
#     8080}]` and `port: http`), or the number itself, unquoted (`port: 8080`, `{{ .Values.port
#     | int }}` rather than `| quote`).
#   references:
#     - https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/#use-a-named-port
package chartguard.rules.workloads["probe-port-unknown"]

import data.chartguard.lib

_probes := ["livenessProbe", "readinessProbe", "startupProbe"]

_handlers := ["httpGet", "tcpSocket"]

report contains lib.violation(c.resource, path, msg) if {
	some c in input.containers
	# Only the probes a container sets, not every probe looked up (speed at 10,000 objects);
	# then both handlers looked up, which costs less than filtering the probe again (a probe
	# that is no mapping has neither).
	some probe, p in object.filter(c.container, _probes)
	some handler in _handlers
	port := p[handler].port
	is_string(port)
	c.type != "ephemeral"
	# Most probes name the first port: settled without a call. (Object keys are strings in
	# the input, so `[0]` reads only a list.)
	not c.container.ports[0].name == port
	not _declared(c.container.ports, port)
	path := array.concat(c.path, [probe, handler, "port"])
	msg := sprintf("%s of %s: %s.%s.port %s", [lib.container_label(c), lib.describe(c.resource), probe, handler, _problem(c.container, port)])
}

# Given the ports rather than the container, and testing the list itself, so that no second
# call (_arr) is made per named probe.
_declared(ports, name) if {
	is_array(ports)
	some p in ports
	p.name == name
}

_problem(ctr, port) := sprintf("is the quoted number %q, which the API server rejects as a port name; write it unquoted", [port]) if {
	lib.all_digits(port)
} else := sprintf("names port %q, which the container does not declare (it has %s): the probe can never succeed", [port, _names(ctr)])

_names(ctr) := concat(", ", names) if {
	names := [sprintf("%q", [p.name]) | some p in _arr(ctr.ports); is_string(p.name)]
	count(names) > 0
} else := "no named ports"

_arr(x) := x if is_array(x)
else := []

_obj(x) := x if is_object(x)
else := {}
