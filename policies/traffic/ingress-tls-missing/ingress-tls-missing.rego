# METADATA
# title: Production Ingresses serve TLS for their hosts
# description: >-
#   In prod, every Ingress of the release (hooks skipped) has a `spec.tls` entry covering each
#   host of its rules (an entry without hosts, or a wildcard `*.example.com`, covers them),
#   unless the load balancer terminates TLS by annotation (AWS `certificate-arn`, GKE
#   pre-shared or managed certificates).
# custom:
#   id: ingress-tls-missing
#   severity: warning
#   profiles: [prod]
#   scope: object
#   tags: [security, traffic]
#   security-severity: 5.0
#   why: >-
#     Without a tls entry the ingress controller serves the host over plain HTTP (or, on
#     443, with its default self-signed certificate, which clients reject), and cert-manager's
#     ingress-shim issues no certificate for it. Passwords, session cookies and API tokens
#     then cross the network in clear text. A host missing from an otherwise present tls list
#     is the same problem for that host.
#   fix: >-
#     Add `tls: [{hosts: [<host>], secretName: <name>-tls}]` to the Ingress (with the
#     `cert-manager.io/cluster-issuer` annotation for an automatic certificate), or enable
#     the chart's `ingress.tls` value in the prod values.
#   references:
#     - https://kubernetes.io/docs/concepts/services-networking/ingress/#tls
#     - https://cert-manager.io/docs/usage/ingress/
package chartguard.rules.traffic["ingress-tls-missing"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

_lb_tls_annotations := {
	"alb.ingress.kubernetes.io/certificate-arn",
	"ingress.gcp.kubernetes.io/pre-shared-cert",
	"networking.gke.io/managed-certificates",
	"service.beta.kubernetes.io/aws-load-balancer-ssl-cert",
}

report contains lib.violation(i, ["spec", "rules", n, "host"], msg) if {
	some i in rel.of_kind("Ingress")
	r := input.resources[i]
	r.hook == null
	not _lb_terminates(r)
	some n, rule in _arr(r.object.spec.rules)
	is_object(rule)
	host := object.get(rule, "host", "")
	not _covered(r.object.spec, host)
	msg := sprintf("%s serves %s without TLS: %s", [lib.describe(i), _host_text(host), _state(r.object.spec)])
}

_lb_terminates(r) if {
	some a, _ in _obj(r.object.metadata.annotations)
	a in _lb_tls_annotations
}

_tls(spec) := [t | some t in spec.tls; is_object(t)] if is_array(spec.tls)
else := []

# An entry without hosts covers every host (the controller's default); else exact or wildcard.
_covered(spec, _) if {
	some t in _tls(spec)
	count(_arr(object.get(t, "hosts", []))) == 0
}

_covered(spec, host) if {
	some t in _tls(spec)
	some h in _arr(t.hosts)
	_host_matches(h, host)
}

_host_matches(h, host) if h == host

_host_matches(h, host) if {
	startswith(h, "*.")
	suffix := substring(h, 1, -1)
	endswith(host, suffix)
	not contains(trim_suffix(host, suffix), ".")
}

_host_text(host) := "every host (the rule has no host)" if host == ""
else := sprintf("host %s", [host])

_state(spec) := "it has no spec.tls, so the controller serves plain HTTP (and cert-manager issues no certificate)" if {
	count(_tls(spec)) == 0
} else := "no spec.tls entry lists that host"

_arr(x) := x if is_array(x)
else := []

_obj(x) := x if is_object(x)
else := {}
