# METADATA
# title: Containers forbid privilege escalation
# description: >-
#   Every container and init container (hooks and helm tests included; ephemeral containers
#   and Windows pods skipped) sets securityContext.allowPrivilegeEscalation: false
#   explicitly. Privileged containers are left to privileged-container, since the API
#   rejects allowPrivilegeEscalation false on them.
# custom:
#   id: privilege-escalation
#   severity: warning
#   profiles: [dev, prod]
#   scope: object
#   tags: [security, pod-security]
#   security-severity: 6.0
#   why: >-
#     allowPrivilegeEscalation defaults to true: a process in the container can gain more
#     privileges than its parent through setuid/setgid binaries or file capabilities (the
#     kernel's no_new_privs flag is not set), so a compromised non-root process can become
#     root inside the container, one step from the node. The Pod Security "restricted"
#     standard requires it to be false.
#   fix: >-
#     Set `allowPrivilegeEscalation: false` in every container's securityContext (there is no
#     pod-level field), e.g. from a shared `containerSecurityContext` value rendered with
#     `toYaml` into each container, init containers included.
#   references:
#     - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
package chartguard.rules.workloads["privilege-escalation"]

import data.chartguard.lib
import data.chartguard.lib.workloads_lib as wl

report contains lib.violation(c.resource, path, msg) if {
	some c in input.containers
	value := object.get(wl.container_sc(c), "allowPrivilegeEscalation", null)
	value != false
	wl.hardening_target(c)
	not wl.privileged(c)
	path := array.concat(c.path, ["securityContext", "allowPrivilegeEscalation"])
	msg := sprintf("%s of %s %s: setuid binaries can make its processes root", [lib.container_label(c), lib.describe(c.resource), _state(value)])
}

_state(null) := "does not set securityContext.allowPrivilegeEscalation: false (it defaults to true)"

_state(value) := sprintf("sets securityContext.allowPrivilegeEscalation to the string %q, not the boolean false", [value]) if is_string(value)

_state(value) := sprintf("sets securityContext.allowPrivilegeEscalation: %v", [value]) if {
	value != null
	not is_string(value)
}
