# METADATA
# title: Containers are not privileged
# description: >-
#   No container (init and ephemeral containers, hooks and helm tests included) sets
#   securityContext.privileged: true. Windows pods are skipped (they have no privileged mode).
# custom:
#   id: privileged-container
#   severity: error
#   profiles: [dev, prod]
#   scope: object
#   tags: [security, pod-security]
#   security-severity: 9.0
#   why: >-
#     A privileged container has every Linux capability, sees all of the node's devices and
#     runs without seccomp or AppArmor confinement: whoever controls its process controls the
#     node (load kernel modules, mount the host disk, read every other pod's secrets). The
#     Pod Security "baseline" standard rejects it.
#   fix: >-
#     Remove `privileged: true` and add only the capabilities the workload needs
#     (`capabilities: {drop: [ALL], add: [NET_ADMIN]}`). Node agents that truly need it (CNI,
#     CSI and storage drivers) should run in their own namespace with a Pod Security
#     exception, and the finding can be suppressed on that object with a reason.
#   references:
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
#     - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
package chartguard.rules.workloads["privileged-container"]

import data.chartguard.lib
import data.chartguard.lib.workloads_lib as wl

report contains lib.violation(c.resource, path, msg) if {
	some c in input.containers
	wl.privileged(c)
	not wl.windows_pod(c)
	path := array.concat(c.path, ["securityContext", "privileged"])
	msg := sprintf(
		"%s of %s runs privileged (securityContext.privileged: true): it has every capability and the node's devices, so a compromise of it is a compromise of the node",
		[lib.container_label(c), lib.describe(c.resource)],
	)
}
