# METADATA
# title: Containers have a read-only root filesystem
# description: >-
#   Every container and init container (hooks and helm tests included; ephemeral containers
#   and Windows pods skipped) sets securityContext.readOnlyRootFilesystem: true.
# custom:
#   id: read-only-root-fs
#   severity: note
#   profiles: [dev, prod]
#   scope: object
#   tags: [security, hardening]
#   security-severity: 3.0
#   why: >-
#     With a writable root filesystem an attacker who gets code execution can drop tools and
#     binaries into the container, or modify the application in place, and the change lives
#     as long as the pod. A read-only root makes the image the only code that runs. It is a
#     note, not a warning: many images write to their root filesystem (caches, pid files)
#     and need emptyDir mounts before they can comply.
#   fix: >-
#     Set `readOnlyRootFilesystem: true` in the container's securityContext and mount an
#     `emptyDir` on every path the process writes to (`/tmp`, cache directories).
#   references:
#     - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
#     - https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#security-context-1
package chartguard.rules.workloads["read-only-root-fs"]

import data.chartguard.lib
import data.chartguard.lib.workloads_lib as wl

report contains lib.violation(c.resource, path, msg) if {
	some c in input.containers
	value := object.get(wl.container_sc(c), "readOnlyRootFilesystem", null)
	value != true
	wl.hardening_target(c)
	path := array.concat(c.path, ["securityContext", "readOnlyRootFilesystem"])
	msg := sprintf(
		"%s of %s %s: its root filesystem is writable",
		[lib.container_label(c), lib.describe(c.resource), _state(value)],
	)
}

_state(null) := "does not set securityContext.readOnlyRootFilesystem: true"

_state(value) := sprintf("sets securityContext.readOnlyRootFilesystem: %v", [value]) if value != null
