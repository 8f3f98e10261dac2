# METADATA
# title: Containers declare CPU and memory requests and a memory limit
# description: >-
#   Every container of every workload (init and ephemeral containers, hooks and helm tests
#   included) sets resources.requests.cpu, resources.requests.memory and
#   resources.limits.memory.
# custom:
#   id: resource-limits
#   severity: warning
#   profiles: [dev, prod]
#   scope: object
#   tags: [reliability, resources]
#   why: >-
#     Without requests the scheduler packs pods blindly and they are the first evicted under
#     pressure; without a memory limit one leaking container can take the whole node down
#     with it (the kernel OOM-kills neighbours).
#   fix: >-
#     Set resources.requests.cpu, resources.requests.memory and resources.limits.memory on
#     the container, usually from values (`resources: {{ toYaml .Values.resources | nindent 12 }}`).
#     A CPU limit is optional (it throttles); a memory limit is not.
#   references:
#     - https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
package chartguard.rules.workloads["resource-limits"]

import data.chartguard.lib

_required := [["requests", "cpu"], ["requests", "memory"], ["limits", "memory"]]

# What a message names as missing, by the positions in _required that are set: a lookup
# instead of building the list with a sprintf per field (speed at 10,000 objects, where half
# the containers can be findings). All three set has no entry.
_missing := {
	set(): "resources.requests.cpu, resources.requests.memory, resources.limits.memory",
	{0}: "resources.requests.memory, resources.limits.memory",
	{1}: "resources.requests.cpu, resources.limits.memory",
	{2}: "resources.requests.cpu, resources.requests.memory",
	{0, 1}: "resources.limits.memory",
	{0, 2}: "resources.requests.memory",
	{1, 2}: "resources.requests.cpu",
}

report contains {"resource": c.resource, "path": array.concat(c.path, ["resources"]), "message": msg} if {
	some c in input.containers
	# All three set (not null, not ""): most containers, settled in one expression, without
	# the call a `not _complete(…)` costs per container (speed at 10,000 objects). A field
	# that is absent leaves the set literal undefined, so `not` holds as it should.
	not {null, ""} & {c.container.resources.requests.cpu, c.container.resources.requests.memory, c.container.resources.limits.memory} == set()
	c.type != "ephemeral"
	present := {n | some n, field in _required; value := c.container.resources[field[0]][field[1]]; value != null; value != ""}
	msg := sprintf("%s of %s sets no %s", [lib.container_label(c), lib.describe(c.resource), _missing[present]])
}
