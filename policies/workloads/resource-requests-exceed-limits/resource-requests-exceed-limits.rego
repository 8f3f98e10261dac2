# METADATA
# title: Resource requests do not exceed their limits
# description: >-
#   No container (init and ephemeral containers, hooks and helm tests included) requests more
#   CPU, memory or ephemeral storage than its limit for the same resource.
# custom:
#   id: resource-requests-exceed-limits
#   severity: error
#   profiles: [dev, prod]
#   scope: object
#   tags: [correctness, resources]
#   why: >-
#     The API server rejects a pod whose request is above its limit ("must be less than or
#     equal to … limit"), so the Deployment's ReplicaSet never creates a pod (or `helm
#     install` fails on a bare Pod or Job): the release looks installed while nothing runs.
#     It usually happens when values-prod.yaml raises the requests and the limits stay at the
#     chart's defaults.
#   fix: >-
#     Raise the limit to at least the request (or lower the request). Set requests and limits
#     together in the same values file so that an override of one cannot leave the other
#     behind.
#   references:
#     - https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#requests-and-limits
package chartguard.rules.workloads["resource-requests-exceed-limits"]

import data.chartguard.lib

_resources := ["cpu", "memory", "ephemeral-storage"]

# Containers (indexes into input.containers) by [resource, request, limit], for each resource
# with both: a release's containers share a few such pairs, and parsing a quantity is the
# costly step, done here once per pair instead of once per container (speed at 10,000 objects).
_pairs[key] contains n if {
	some n, c in input.containers
	res := c.container.resources
	is_object(res)
	is_object(res.requests)
	is_object(res.limits)
	some name in _resources
	request := res.requests[name]
	limit := res.limits[name]
	key := [name, request, limit]
}

report contains lib.violation_related(c.resource, array.concat(c.path, ["resources", "requests", name]), msg, related) if {
	some key, containers in _pairs
	lib.quantity(key[1]) > lib.quantity(key[2])
	name := key[0]
	some n in containers
	c := input.containers[n]
	# The container's own values for the message: 1 and 1.0 are one key but print differently.
	request := c.container.resources.requests[name]
	limit := c.container.resources.limits[name]
	msg := sprintf(
		"%s of %s requests %s %v but limits it to %v: the API server rejects a request above its limit, so no pod is created",
		[lib.container_label(c), lib.describe(c.resource), name, request, limit],
	)
	related := [{
		"resource": c.resource,
		"path": array.concat(c.path, ["resources", "limits", name]),
		"message": sprintf("the %s limit (%v)", [name, limit]),
	}]
}
