# METADATA
# title: Ingress backends are Services and ports of the release
# description: >-
#   Every backend of an Ingress of the release (spec.defaultBackend and each rule path;
#   networking.k8s.io/v1 and the old serviceName/servicePort form) names a Service of the
#   release in the Ingress's namespace and a port that Service declares (by name or number).
#   Not judged: resource backends, AWS Load Balancer Controller actions (`port.name:
#   use-annotation`), and releases with custom resources that may create Services of their
#   own.
# custom:
#   id: ingress-backend-missing
#   severity: warning
#   profiles: [dev, prod]
#   scope: release
#   tags: [traffic, correctness]
#   why: >-
#     The ingress controller answers requests for a backend it cannot resolve with 503 (or
#     404), and the API server accepts such an Ingress without complaint, so the mistake shows
#     only in production traffic. It happens when the Service is renamed (fullnameOverride,
#     a subchart's name), when its port is renamed or renumbered, or when the Ingress template
#     hard-codes a port the values changed.
#   fix: >-
#     Render the backend's service name from the same helper as the Service
#     (`{{ include "mychart.fullname" . }}`) and refer to the port by the name the Service
#     declares (`port: {name: http}`), so renumbering the port does not break the Ingress.
#   references:
#     - https://kubernetes.io/docs/concepts/services-networking/ingress/#the-ingress-resource
package chartguard.rules.traffic["ingress-backend-missing"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

report contains lib.violation(i, path, msg) if {
	some i in rel.of_kind("Ingress")
	r := input.resources[i]
	r.hook == null
	some [path, backend] in _backends(r.object.spec)
	[svc_name, port] := _target(backend)
	msg := _problem(i, svc_name, port)
}

# [path of the backend's service name, backend] for the default backend and every rule path.
_backends(spec) := {[p, b] |
	some [p, b] in array.concat(
		[[["spec", "defaultBackend"], spec.defaultBackend] | is_object(spec.defaultBackend)],
		array.concat(
			[[["spec", "backend"], spec.backend] | is_object(spec.backend)],
			[[["spec", "rules", n, "http", "paths", k, "backend"], path.backend] |
				some n, rule in _arr(spec.rules)
				some k, path in _arr(rule.http.paths)
				is_object(path.backend)
			],
		),
	)
}

# [service name, port] of a backend (port: {"name": …} or {"number": …}); undefined for
# resource backends and AWS Load Balancer Controller actions.
_target(b) := [b.service.name, b.service.port] if {
	is_string(b.service.name)
	not b.service.port.name == "use-annotation"
} else := [b.serviceName, _old_port(b.servicePort)] if {
	is_string(b.serviceName)
	not b.servicePort == "use-annotation"
}

_old_port(p) := {"number": p} if is_number(p)
else := {"name": p}

_problem(i, name, _) := msg if {
	count(rel.named("Service", name, i)) == 0
	not rel.custom_workloads_present(i)
	msg := sprintf("%s routes to Service %s, which is not in the release: the ingress controller answers 503", [lib.describe(i), name])
}

_problem(i, name, port) := msg if {
	svcs := rel.named("Service", name, i)
	count(svcs) > 0
	every s in svcs {
		not _has_port(s, port)
	}
	some s in svcs
	msg := sprintf(
		"%s routes to port %s of %s, which declares %s: the ingress controller answers 503",
		[lib.describe(i), _port_text(port), lib.describe(s), _ports(s)],
	)
}

_has_port(s, port) if {
	some p in _arr(input.resources[s].object.spec.ports)
	p.name == port.name
}

_has_port(s, port) if {
	some p in _arr(input.resources[s].object.spec.ports)
	p.port == port.number
}

# A backend with no port at all is the API server's problem (it rejects it), not ours.
_has_port(_, port) if {
	not port.name
	not port.number
}

_port_text(port) := sprintf("%q", [port.name]) if is_string(port.name)
else := sprintf("%v", [port.number])

_ports(s) := concat(", ", [_one(p) | some p in _arr(input.resources[s].object.spec.ports)]) if {
	count(_arr(input.resources[s].object.spec.ports)) > 0
} else := "no ports"

_one(p) := sprintf("%v (%s)", [p.port, p.name]) if is_string(p.name)
else := sprintf("%v", [p.port])

_arr(x) := x if is_array(x)
else := []

_obj(x) := x if is_object(x)
else := {}
