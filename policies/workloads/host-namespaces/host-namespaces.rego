# METADATA
# title: Pods do not share the node's namespaces
# description: >-
#   No pod template (hooks and helm tests included) sets hostNetwork, hostPID or hostIPC to
#   true.
# custom:
#   id: host-namespaces
#   severity: error
#   profiles: [dev, prod]
#   scope: object
#   tags: [security, pod-security]
#   security-severity: 8.0
#   why: >-
#     hostNetwork puts the pod on the node's network stack (it can listen on any node port,
#     reach services bound to localhost, and bypass NetworkPolicies); hostPID lets it see and
#     signal every process on the node and read their environments; hostIPC lets it read
#     other processes' shared memory. Each removes an isolation boundary between the pod and
#     the node. The Pod Security "baseline" standard rejects all three.
#   fix: >-
#     Remove the field. Node agents that need it by design (node exporters, CNI plugins, log
#     collectors) should run in a dedicated namespace with a Pod Security exception, and the
#     finding can be suppressed on that object with a reason.
#   references:
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
package chartguard.rules.workloads["host-namespaces"]

import data.chartguard.lib

_effects := {
	"hostNetwork": "it uses the node's network stack (binds node ports, reaches node-local services, bypasses NetworkPolicies)",
	"hostPID": "it sees and can signal every process on the node",
	"hostIPC": "it shares the node's IPC namespace (other processes' shared memory)",
}

report contains lib.violation(p.resource, array.concat(p.path, [field]), msg) if {
	some p in input.pods
	is_object(p.spec)
	some field, effect in _effects
	p.spec[field] == true
	msg := sprintf(
		"%s sets %s: true: %s; only node agents that need it by design should, with a Pod Security exception",
		[lib.describe(p.resource), field, effect],
	)
}
