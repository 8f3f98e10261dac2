# METADATA
# title: Containers cannot run as root
# description: >-
#   Every container and init container (hooks and helm tests included; ephemeral containers
#   skipped) is guaranteed to run as a non-root user: runAsNonRoot true or a non-zero
#   runAsUser in its effective securityContext (the container's, else the pod's), and never
#   an explicit runAsUser 0.
# custom:
#   id: run-as-non-root
#   severity: warning
#   profiles: [dev, prod]
#   scope: object
#   tags: [security, pod-security]
#   security-severity: 6.0
#   why: >-
#     A process running as UID 0 owns the container's filesystem and is root on the node as
#     soon as any isolation bug, hostPath mount or added capability lets it out. Without
#     runAsNonRoot the image decides, and many images default to root. The Pod Security
#     "restricted" standard rejects such pods.
#   fix: >-
#     Set `securityContext.runAsNonRoot: true` and a non-zero `runAsUser` (e.g. 10001) on the
#     pod, and keep containers from overriding them; remove `runAsUser: 0`. If an init step
#     really needs root (chown of a volume), prefer `fsGroup` on the pod instead.
#   references:
#     - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
package chartguard.rules.workloads["run-as-non-root"]

import data.chartguard.lib
import data.chartguard.lib.workloads_lib as wl

# An explicit runAsUser: 0 in effect for the container (its own, or the pod's not overridden):
# not a missing guarantee but a decision to run as root, so an error.
report contains lib.violation_with_severity(c.resource, path, msg, "error") if {
	some c in input.containers
	_root_user(c)
	path := _uid_path(c)
	c.type != "ephemeral"
	not wl.windows_pod(c)
	msg := sprintf("%s of %s runs as root (runAsUser: 0)", [lib.container_label(c), lib.describe(c.resource)])
}

# Nothing guarantees a non-root user: the image decides.
report contains lib.violation(c.resource, path, msg) if {
	some c in input.containers
	not _non_root_guaranteed(c)
	c.type != "ephemeral"
	not wl.windows_pod(c)
	not _root_user(c)
	path := _container_sc_path(c)
	msg := sprintf(
		"%s of %s may run as root: neither it nor its pod sets securityContext.runAsNonRoot: true or a non-zero runAsUser",
		[lib.container_label(c), lib.describe(c.resource)],
	)
}

_set(sc, field) if {
	v := sc[field]
	v != null
}

# A runAsUser: 0 applies to c; _uid_path(c) is where it is set: the container's, else its pod's.
_root_user(c) if c.effective_security_context.runAsUser == 0

_root_user(c) if {
	not is_object(c.effective_security_context)
	wl.effective_sc(c).runAsUser == 0
}

_uid_path(c) := array.concat(c.path, ["securityContext", "runAsUser"]) if _set(wl.container_sc(c), "runAsUser")
else := array.concat(c.pod_path, ["securityContext", "runAsUser"])

# The effective securityContext's fields read directly (wl.effective_sc's value for input
# entries, which carry it): this is asked of every container (speed at 10,000 objects).
_non_root_guaranteed(c) if c.effective_security_context.runAsNonRoot == true

_non_root_guaranteed(c) if {
	uid := c.effective_security_context.runAsUser
	is_number(uid)
	uid > 0
}

_non_root_guaranteed(c) if {
	not is_object(c.effective_security_context)
	wl.effective_sc(c).runAsNonRoot == true
}

_non_root_guaranteed(c) if {
	not is_object(c.effective_security_context)
	uid := wl.effective_sc(c).runAsUser
	is_number(uid)
	uid > 0
}

_container_sc_path(c) := array.concat(c.path, ["securityContext"]) if is_object(c.container.securityContext)
else := c.path
