# METADATA
# title: Aggregated APIs are reached over verified TLS
# description: >-
#   No APIService of the release sets `spec.insecureSkipTLSVerify: true`; one backed by a
#   Service carries a `caBundle` (or a cert-manager CA injection annotation) instead.
# custom:
#   id: apiservice-insecure
#   severity: warning
#   profiles: [dev, prod]
#   scope: object
#   tags: [security]
#   security-severity: 6.5
#   why: >-
#     The API server forwards every request for the aggregated API group (metrics.k8s.io,
#     custom.metrics.k8s.io, …) to the Service behind the APIService, with the caller's
#     identity in headers. With insecureSkipTLSVerify the API server accepts any certificate,
#     so whoever can answer for that Service's address (a pod that takes over its endpoints or
#     its name, a compromised network path) receives those requests and serves the answers the
#     autoscalers and `kubectl top` act on.
#   fix: >-
#     Serve a certificate the API server can verify and put its CA in `spec.caBundle`: most
#     charts can generate one (metrics-server: `tls.type: helm`), take it from cert-manager
#     (`cert-manager.io/inject-ca-from` annotation) or from an existing Secret. Then remove
#     `insecureSkipTLSVerify`.
#   references:
#     - https://kubernetes.io/docs/tasks/extend-kubernetes/configure-aggregation-layer/
#     - https://kubernetes.io/docs/reference/kubernetes-api/cluster-resources/api-service-v1/
package chartguard.rules.access["apiservice-insecure"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

report contains lib.violation(i, ["spec", "insecureSkipTLSVerify"], msg) if {
	some i in rel.of_kind("APIService")
	r := input.resources[i]
	r.object.spec.insecureSkipTLSVerify == true
	msg := sprintf(
		"%s sets insecureSkipTLSVerify: true: the API server forwards %s requests to %s without checking its certificate",
		[lib.describe(i), _group(r), _backend(r)],
	)
}

_group(r) := sprintf("%s/%s", [r.object.spec.group, r.object.spec.version]) if {
	is_string(r.object.spec.group)
	is_string(r.object.spec.version)
} else := "the group's"

_backend(r) := sprintf("Service %s/%s", [object.get(svc, "namespace", "?"), object.get(svc, "name", "?")]) if {
	svc := r.object.spec.service
	is_object(svc)
} else := "its backend"
