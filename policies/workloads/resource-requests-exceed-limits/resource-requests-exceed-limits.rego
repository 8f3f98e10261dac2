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

report contains lib.violation_related(c.resource, array.concat(c.path, ["resources", "requests", name]), msg, related) if {
	some c in input.containers
	res := c.container.resources
	is_object(res)
	is_object(res.requests)
	is_object(res.limits)
	some name in _resources
	request := res.requests[name]
	limit := res.limits[name]
	lib.quantity(request) > lib.quantity(limit)
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
