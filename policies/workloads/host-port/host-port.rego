# METADATA
# title: Containers do not bind ports on the node
# description: >-
#   No container (hooks and helm tests included) sets `ports[].hostPort`, except in pods that
#   use the node's network (hostNetwork, reported by host-namespaces), where every port is a
#   node port anyway. On a DaemonSet (one pod per node: the node-local agent pattern) it is a
#   note.
# custom:
#   id: host-port
#   severity: warning
#   profiles: [dev, prod]
#   scope: object
#   tags: [security, reliability, pod-security]
#   security-severity: 4.0
#   why: >-
#     A hostPort opens the port on the node's address for the pod, around Services and
#     NetworkPolicies. It also limits scheduling: two pods with the same hostPort cannot run on
#     one node, so a rolling update with maxSurge or a second replica stays Pending when nodes
#     run out, and a pod that moves changes address. The Pod Security "baseline" standard
#     rejects host ports.
#   fix: >-
#     Remove `hostPort` and reach the pod through a Service (ClusterIP, or NodePort /
#     LoadBalancer when it must be reachable from outside). Node agents that must own a node
#     port by design can use it with a Pod Security exception; suppress the finding on that
#     object with a reason.
#   references:
#     - https://kubernetes.io/docs/concepts/configuration/overview/#services
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
package chartguard.rules.workloads["host-port"]

import data.chartguard.lib

# One finding per container, at its first hostPort, naming them all.
report contains lib.violation_with_severity(c.resource, path, msg, severity) if {
	some c in input.containers
	c.type != "ephemeral"
	ports := c.container.ports
	is_array(ports)
	bound := [[k, port.hostPort] | some k, port in ports; is_object(port); _bound(port.hostPort)]
	count(bound) > 0
	not _host_network(c)
	path := array.concat(c.path, ["ports", bound[0][0], "hostPort"])
	listed := concat(", ", [sprintf("%v", [b[1]]) | some b in bound])
	[severity, effect] := _effect(input.resources[c.resource].kind)
	msg := sprintf("%s of %s binds host port(s) %s on the node: %s", [lib.container_label(c), lib.describe(c.resource), listed, effect])
}

_bound(hp) if {
	hp != 0
	hp != null
}

# A DaemonSet runs one pod per node, so the port never blocks scheduling: the node-local agent
# pattern (apps send to status.hostIP). What remains is the exposure.
_effect(kind) := ["note", "reachable on every node's address, around Services and NetworkPolicies (the node-agent pattern); make sure the nodes' firewall limits who can reach it"] if {
	kind == "DaemonSet"
} else := ["warning", "it bypasses Services and NetworkPolicies, and two such pods cannot share a node (a surge or second replica stays Pending)"]

_host_network(c) if object.get(input.resources[c.resource].object, array.concat(c.pod_path, ["hostNetwork"]), false) == true
