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
report contains {"resource": c.resource, "path": _uid_path(c), "message": msg, "severity": "error"} if {
	some k, esc in _judged
	esc.runAsUser == 0
	c := input.containers[k]
	msg := sprintf("%s of %s runs as root (runAsUser: 0)", [lib.container_label(c), lib.describe(c.resource)])
}

# Nothing guarantees a non-root user: the image decides. (Object literals rather than
# lib.violation: a release may hold a finding for most of its containers.)
report contains {"resource": c.resource, "path": _container_sc_path(c), "message": msg} if {
	some k, esc in _judged
	not esc.runAsUser == 0
	c := input.containers[k]
	msg := sprintf(
		"%s of %s may run as root: neither it nor its pod sets securityContext.runAsNonRoot: true or a non-zero runAsUser",
		[lib.container_label(c), lib.describe(c.resource)],
	)
}

# Container -> its effective securityContext (its own fields, else its pod's), for the
# containers either report above is about: runAsUser: 0 in effect, or nothing keeping them from
# root. One pass that settles most containers with one call: each report's own pass, with its
# helpers of two to four bodies, cost more than the checks (speed at 10,000 objects). Entries
# of input.containers carry the effective securityContext; the second body is for those a
# test writes by hand (reading it directly spares the other containers a wl.effective_sc call).
_judged[k] := esc if {
	some k, c in input.containers
	esc := c.effective_security_context
	is_object(esc)
	not _non_root(esc)
	c.type != "ephemeral"
	not wl.windows_pod(c)
}

_judged[k] := esc if {
	some k, c in input.containers
	not is_object(c.effective_security_context)
	esc := wl.effective_sc(c)
	not _non_root(esc)
	c.type != "ephemeral"
	not wl.windows_pod(c)
}

# Neither report applies: a positive runAsUser, or runAsNonRoot true without runAsUser: 0.
_non_root(esc) if {
	is_number(esc.runAsUser)
	esc.runAsUser > 0
} else := true if {
	esc.runAsNonRoot == true
	not esc.runAsUser == 0
}

# Where the runAsUser in effect is set: the container's securityContext, else its pod's (read
# directly: wl.container_sc and a helper were two calls per finding).
_uid_path(c) := array.concat(c.path, ["securityContext", "runAsUser"]) if c.container.securityContext.runAsUser != null
else := array.concat(c.pod_path, ["securityContext", "runAsUser"])

_container_sc_path(c) := array.concat(c.path, ["securityContext"]) if is_object(c.container.securityContext)
else := c.path
