# METADATA
# title: Containers drop all Linux capabilities
# description: >-
#   Every container and init container (hooks and helm tests included; ephemeral containers,
#   privileged containers and Windows pods skipped) lists `ALL` in
#   securityContext.capabilities.drop, adding back only what it needs.
# custom:
#   id: capabilities-not-dropped
#   severity: warning
#   profiles: [dev, prod]
#   scope: object
#   tags: [security, pod-security]
#   security-severity: 5.0
#   why: >-
#     Container runtimes grant a default set of capabilities (CHOWN, DAC_OVERRIDE, FOWNER,
#     SETUID, SETGID, NET_RAW, …): enough for a compromised process to bypass file
#     permissions, change users, or forge packets on the pod network. Almost no application
#     needs them. The Pod Security "restricted" standard requires dropping ALL.
#   fix: >-
#     Set `capabilities: {drop: [ALL]}` in the container's securityContext and add back only
#     what the process needs (e.g. `add: [NET_BIND_SERVICE]` to bind a port below 1024).
#   references:
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
#     - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container
package chartguard.rules.workloads["capabilities-not-dropped"]

import data.chartguard.lib
import data.chartguard.lib.workloads_lib as wl

report contains lib.violation(c.resource, path, msg) if {
	some c in input.containers
	not _drops_all(c)
	wl.hardening_target(c)
	not wl.privileged(c)
	path := array.concat(c.path, ["securityContext", "capabilities", "drop"])
	msg := sprintf(
		"%s of %s does not drop ALL capabilities (securityContext.capabilities.drop): it keeps the runtime's default set",
		[lib.container_label(c), lib.describe(c.resource)],
	)
}

# The field read directly (undefined when securityContext is not an object, as through
# wl.container_sc): a call per container cost a quarter of the rule at 2,500 containers.
_drops_all(c) if {
	drop := c.container.securityContext.capabilities.drop
	is_array(drop)
	some cap in drop
	is_string(cap)
	upper(cap) == "ALL"
}
