# METADATA
# title: Containers run with a seccomp profile
# description: >-
#   Every container and init container (hooks and helm tests included; ephemeral and
#   privileged containers and Windows pods skipped) runs with seccompProfile.type
#   RuntimeDefault or Localhost, set on the container or inherited from the pod's
#   securityContext. Unset or Unconfined is reported, once per pod when the pod-level
#   setting is what is missing.
# custom:
#   id: seccomp-profile
#   severity: warning
#   profiles: [dev, prod]
#   scope: object
#   tags: [security, pod-security]
#   security-severity: 4.0
#   why: >-
#     Without a seccomp profile (the kubelet's default is Unconfined) a container can make
#     every system call the kernel offers, including the rarely-used ones most container
#     escapes go through. The runtime's default profile blocks them at no cost to ordinary
#     applications. The Pod Security "restricted" standard requires RuntimeDefault or
#     Localhost.
#   fix: >-
#     Set `securityContext: {seccompProfile: {type: RuntimeDefault}}` on the pod (so every
#     container inherits it), and remove any `Unconfined` from the containers.
#   references:
#     - https://kubernetes.io/docs/tutorials/security/seccomp/
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
package chartguard.rules.workloads["seccomp-profile"]

import data.chartguard.lib
import data.chartguard.lib.workloads_lib as wl

_confined := {"RuntimeDefault", "Localhost"}

# A container that sets its own profile, to something else than a confining one.
report contains {"resource": c.resource, "path": array.concat(c.path, ["securityContext", "seccompProfile", "type"]), "message": msg} if {
	some c in input.containers
	# Most containers set no profile of their own: tested first (speed at 10,000 objects).
	t := c.container.securityContext.seccompProfile.type
	t != null
	not t in _confined
	wl.hardening_target(c)
	not wl.privileged(c)
	msg := sprintf(
		"%s of %s sets securityContext.seccompProfile.type: %v: it may make any system call",
		[lib.container_label(c), lib.describe(c.resource), t],
	)
}

# Containers that set no profile, by pod ([resource, pod_path]): they inherit the pod's. Those
# of a pod that confines them are left out here already, so most containers cost no label and
# no key (the report below checks the same pod context; speed at 10,000 objects).
_inheriting[key] contains lib.container_label(c) if {
	some c in input.containers
	not c.container.securityContext.seccompProfile.type != null
	# The pod's context read in place settles most containers (their pod confines them) without
	# a call; wl.pod_sc's fallback still decides when the input carries no pod context.
	not c.pod_security_context.seccompProfile.type in _confined
	not _type(wl.pod_sc(c)) in _confined
	wl.hardening_target(c)
	not wl.privileged(c)
	key := [c.resource, c.pod_path]
}

report contains {"resource": i, "path": array.concat(pod_path, ["securityContext", "seccompProfile", "type"]), "message": msg} if {
	some key, labels in _inheriting
	[i, pod_path] := key
	pod_sc := wl.pod_security_context(i, pod_path)
	not _type(pod_sc) in _confined
	msg := sprintf(
		"%s: %s %s no securityContext.seccompProfile.type and the pod %s, so %s unconfined and may make any system call",
		[lib.describe(i), concat(", ", sort(labels)), _set_or_sets(labels), _pod_state(pod_sc), _runs_or_run(labels)],
	)
}

_type(sc) := t if {
	t := sc.seccompProfile.type
	t != null
}

_pod_state(sc) := sprintf("sets %v", [_type(sc)]) if {
	_type(sc)
} else := "sets none either (the default is Unconfined)"

_set_or_sets(labels) := "sets" if count(labels) == 1
else := "set"

_runs_or_run(labels) := "it runs" if count(labels) == 1
else := "they run"
