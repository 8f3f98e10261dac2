# METADATA
# title: Services are not exposed outside the cluster by accident
# description: >-
#   Services of the release of type NodePort or LoadBalancer, and Services with
#   `externalIPs`, are reported as notes so that every way into the cluster is a decision
#   someone made. A LoadBalancer restricted by `loadBalancerSourceRanges` or annotated as
#   internal (AWS, GCP, Azure) is not reported, nor are the types and addresses a platform
#   allows (parameters `allowed_types`, `allowed_external_ips`).
# custom:
#   id: service-exposed
#   severity: note
#   profiles: [dev, prod]
#   scope: object
#   tags: [security, traffic]
#   security-severity: 5.0
#   why: >-
#     A NodePort opens the port on every node of the cluster, a LoadBalancer gives the Service
#     a public address by default on most clouds, and externalIPs route traffic for an
#     address to the Service (CVE-2020-8554 let anyone who can create such a Service intercept
#     traffic to that address). Charts often default to ClusterIP and expose by values, but
#     some (ingress controllers, databases with a `service.type` value) ship exposed, and a
#     copied values file can expose an internal service to the internet.
#   fix: >-
#     Use ClusterIP behind an Ingress or Gateway for HTTP, an internal load balancer
#     annotation (`service.beta.kubernetes.io/aws-load-balancer-internal: "true"`,
#     `networking.gke.io/load-balancer-type: Internal`,
#     `service.beta.kubernetes.io/azure-load-balancer-internal: "true"`) or
#     `loadBalancerSourceRanges` for private traffic. An edge component that must be public (an
#     ingress controller) keeps its LoadBalancer: suppress the note with the reason.
#   params:
#     allowed_types:
#       description: >-
#         Service types that are not reported (e.g. [LoadBalancer] on a platform whose load
#         balancers are private by default).
#       default: []
#       schema: {type: array, items: {enum: [NodePort, LoadBalancer]}, uniqueItems: true}
#     allowed_external_ips:
#       description: >-
#         externalIPs the platform owns, as addresses or CIDR ranges; a Service whose
#         externalIPs all fall in them is not reported.
#       default: []
#       schema: {type: array, items: {type: string, minLength: 1}}
#   references:
#     - https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types
#     - https://github.com/kubernetes/kubernetes/issues/97076
package chartguard.rules.traffic["service-exposed"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

_internal := {
	"service.beta.kubernetes.io/aws-load-balancer-internal": "true",
	"service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
	"networking.gke.io/load-balancer-type": "Internal",
	"cloud.google.com/load-balancer-type": "Internal",
	"service.beta.kubernetes.io/azure-load-balancer-internal": "true",
}

_params := data.params["service-exposed"]

report contains lib.violation(i, ["spec", "type"], msg) if {
	some i in rel.of_kind("Service")
	r := input.resources[i]
	r.hook == null
	r.object.spec.type == "NodePort"
	not "NodePort" in _params.allowed_types
	msg := sprintf("%s is a NodePort Service: %s open on every node of the cluster", [lib.describe(i), _ports(r)])
}

report contains lib.violation(i, ["spec", "type"], msg) if {
	some i in rel.of_kind("Service")
	r := input.resources[i]
	r.hook == null
	r.object.spec.type == "LoadBalancer"
	not "LoadBalancer" in _params.allowed_types
	not _restricted(r)
	msg := sprintf(
		"%s is a LoadBalancer Service with no source ranges and no internal annotation: on most clouds %s reachable from the internet",
		[lib.describe(i), _ports(r)],
	)
}

report contains lib.violation(i, ["spec", "externalIPs"], msg) if {
	some i in rel.of_kind("Service")
	r := input.resources[i]
	r.hook == null
	ips := r.object.spec.externalIPs
	is_array(ips)
	foreign := [ip | some ip in ips; not _owned(ip)]
	count(foreign) > 0
	msg := sprintf("%s routes traffic for externalIPs %s to itself: make sure these addresses are yours", [lib.describe(i), concat(", ", [sprintf("%v", [ip]) | some ip in foreign])])
}

# An externalIP inside the allowed addresses or ranges (a bare address is its own range).
_owned(ip) if {
	is_string(ip)
	some allowed in _params.allowed_external_ips
	_within(ip, allowed)
}

_within(ip, allowed) if ip == allowed

_within(ip, allowed) if {
	contains(allowed, "/")
	net.cidr_is_valid(allowed)
	net.cidr_contains(allowed, ip)
}

_restricted(r) if count(_arr(r.object.spec.loadBalancerSourceRanges)) > 0

_restricted(r) if {
	some k, v in _obj(r.object.metadata.annotations)
	lower(sprintf("%v", [v])) == lower(_internal[k])
}

_ports(r) := sprintf("port %v is", [ports[0]]) if {
	ports := [p.port | some p in _arr(r.object.spec.ports)]
	count(ports) == 1
} else := sprintf("ports %s are", [concat(", ", [sprintf("%v", [p]) | some p in ports])]) if {
	ports := [p.port | some p in _arr(r.object.spec.ports)]
	count(ports) > 1
} else := "it is"

_arr(x) := x if is_array(x)
else := []

_obj(x) := x if is_object(x)
else := {}
