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

report contains lib.violation(c.resource, path, msg) if {
	some c in input.containers
	not _complete(c.container.resources)
	c.type != "ephemeral"
	missing := [sprintf("%s.%s", field) | some field in _required; not _has(c.container, field)]
	count(missing) > 0
	path := array.concat(c.path, ["resources"])
	msg := sprintf("%s of %s sets no %s", [lib.container_label(c), lib.describe(c.resource), concat(", ", [sprintf("resources.%s", [m]) | some m in missing])])
}

_has(container, field) if {
	value := container.resources[field[0]][field[1]]
	value != null
	value != ""
}

# All three set: most containers, settled here without building the list above (speed at
# 10,000 objects). The same test as _has, field by field.
_complete(res) if {
	cpu := res.requests.cpu
	cpu != null
	cpu != ""
	memory := res.requests.memory
	memory != null
	memory != ""
	limit := res.limits.memory
	limit != null
	limit != ""
}
