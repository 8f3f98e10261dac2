# METADATA
# title: ServiceMonitors select a Service of the release and name its ports
# description: >-
#   A ServiceMonitor (monitoring.coreos.com/v1) whose namespaceSelector is its own namespace
#   selects at least one Service of the release by labels, and every endpoints[].port is the
#   name of a port of a selected Service. Quiet when it selects other namespaces.
# custom:
#   id: servicemonitor-port-mismatch
#   severity: warning
#   profiles: [dev, prod]
#   scope: release
#   tags: [traffic, monitoring, labels]
#   why: >-
#     Prometheus discovers nothing for a ServiceMonitor that selects no Service, and drops
#     endpoints whose port name the Service does not have: no target, no error, just missing
#     metrics and alerts that never fire. endpoints[].port is the Service port's *name*
#     (targetPort is the container port).
#   fix: >-
#     Select the Service with the same labels the Service carries (its metadata.labels, not the
#     pod selector) and name the Service port (`- name: metrics`), then scrape `port: metrics`.
#   references:
#     - https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.Endpoint
#     - https://prometheus-operator.dev/docs/developer/getting-started/#using-servicemonitors
package chartguard.rules.traffic["servicemonitor-port-mismatch"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

# Selects no Service of the release.
report contains {"resource": i, "path": ["spec", "selector"], "message": msg} if {
	some i in _monitors
	count(rel.selects(i).services) == 0
	msg := sprintf(
		"%s: spec.selector (%s) matches the labels of no Service of the release: Prometheus scrapes nothing",
		[lib.describe(i), _show(_selector(i))],
	)
}

# A scraped port that no selected Service names. The selected Services' port names are
# gathered once per monitor, not once per endpoint; titles only for findings.
report contains {"resource": i, "path": ["spec", "endpoints", k, "port"], "message": msg, "related": related} if {
	some i in _monitors
	services := rel.selects(i).services
	count(services) > 0
	endpoints := input.resources[i].object.spec.endpoints
	is_array(endpoints)
	names := {n |
		some s in services
		ports := input.resources[s].object.spec.ports
		is_array(ports)
		some p in ports
		n := p.name
		is_string(n)
	}
	some k, ep in endpoints
	port := ep.port
	is_string(port)
	not port in names
	matched := {s | some s in services}
	title := lib.describe(i)
	msg := sprintf(
		"%s: spec.endpoints[%v].port %q is not the name of a port of %s (ports: %s)",
		[title, k, port, concat(", ", sort([lib.describe(s) | some s in matched])), _list(names)],
	)
	related := [{"resource": s, "path": ["spec", "ports"], "message": sprintf("%s, selected by %s", [lib.describe(s), title])} | some s in matched]
}

# ServiceMonitors that look only in their own namespace (no namespaceSelector, an empty one,
# or matchNames naming only it): a Service elsewhere may be the one they mean.
# (Their selectors are resolved in Rust: rel.selects, the Services of their own namespace.)
_monitors contains i if {
	some i in rel.of_kind("ServiceMonitor")
	r := input.resources[i]
	startswith(r.api_version, "monitoring.coreos.com/")
	r.hook == null
	is_object(r.object.spec)
	_own_namespace_only(i, object.get(r.object.spec, "namespaceSelector", null))
}

# One definition with else branches (the cases exclude each other): regorus evaluates every
# definition of a function otherwise, for every monitor.
_own_namespace_only(i, ns_selector) if {
	ns_selector == null
} else := true if {
	is_object(ns_selector)
	not ns_selector.any == true
	names := object.get(ns_selector, "matchNames", [])
	is_array(names)
	count(names) == 0
} else := true if {
	is_object(ns_selector)
	not ns_selector.any == true
	names := ns_selector.matchNames
	is_array(names)
	count(names) > 0
	own := rel.own_namespaces(i)
	every n in names {
		n in own
	}
}

_list(names) := concat(", ", sort([sprintf("%q", [n]) | some n in names])) if count(names) > 0
else := "none named"

_show(selector) := concat(", ", array.concat(
	sort([sprintf("%s=%v", [k, v]) | some k, v in object.get(selector, "matchLabels", {})]),
	[sprintf("%s %s", [e.key, e.operator]) | some e in _exprs(selector)],
)) if {
	count(selector) > 0
} else := "empty"

_exprs(selector) := e if {
	e := selector.matchExpressions
	is_array(e)
} else := []

_selector(i) := s if {
	s := input.resources[i].object.spec.selector
	is_object(s)
} else := {}
