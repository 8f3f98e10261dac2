# METADATA
# title: Fail-closed admission webhooks are served by redundant pods
# description: >-
#   Every webhook of a ValidatingWebhookConfiguration or MutatingWebhookConfiguration of the
#   release whose failurePolicy is Fail (the default of admissionregistration.k8s.io/v1) and
#   whose Service is in the release is served by at least two replicas (a Deployment's or
#   StatefulSet's replicas, or its autoscaler's minReplicas; DaemonSets count as redundant)
#   that a PodDisruptionBudget protects. A warning when the webhook intercepts built-in
#   resources, a note when it intercepts only custom resources.
# custom:
#   id: webhook-single-point
#   severity: warning
#   profiles: [dev, prod]
#   scope: release
#   tags: [availability]
#   why: >-
#     With failurePolicy Fail the API server rejects every request the webhook matches while
#     no pod answers. One replica is down on every node drain, eviction, crash or rollout of
#     the webhook itself, and without a PodDisruptionBudget a drain may take all replicas at
#     once: for that time nobody can create or change what the webhook matches, across the
#     whole cluster (for pods, that includes the replacement webhook pod; for Ingresses, every
#     team's deploys). The more the webhook matches, the bigger the outage.
#   fix: >-
#     Run the webhook's Deployment with `replicas: 2` or more (spread over nodes) and a
#     PodDisruptionBudget (`maxUnavailable: 1`); narrow what it matches with `rules`,
#     `namespaceSelector` and `objectSelector` (exclude kube-system and its own namespace). If
#     a short gap in admission is acceptable, set `failurePolicy: Ignore`.
#   references:
#     - https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#failure-policy
#     - https://kubernetes.io/docs/concepts/cluster-administration/admission-webhooks-good-practices/
package chartguard.rules.availability["webhook-single-point"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

_builtin_groups := {
	"", "*", "apps", "batch", "policy", "autoscaling", "networking.k8s.io", "rbac.authorization.k8s.io",
	"apiextensions.k8s.io", "admissionregistration.k8s.io", "storage.k8s.io", "scheduling.k8s.io",
	"coordination.k8s.io", "discovery.k8s.io", "node.k8s.io", "certificates.k8s.io", "extensions",
}

# One finding per configuration and backing Service, at the first fail-closed webhook.
report contains lib.violation_with_severity(i, ["webhooks", first, "failurePolicy"], msg, severity) if {
	some pair in _fail_closed_services
	[i, svc] := pair
	hooks := [[n, hook] | some n, hook in input.resources[i].object.webhooks; _fail_closed(hook); _service(hook) == svc]
	first := hooks[0][0]
	workloads := {input.pods[p].resource | some p in rel.pods_matching_map(input.resources[svc].object.spec.selector, svc)}
	count(workloads) > 0
	not _daemonset_backed(workloads)
	problem := _weakness(workloads)
	[severity, scope] := _scope([h[1] | some h in hooks])
	msg := sprintf(
		"%s fails closed (failurePolicy Fail in %s) and is served by %s through %s: %s; while it is down the API server rejects %s",
		[
			lib.describe(i), concat(", ", [sprintf("%v", [object.get(h[1], "name", h[0])]) | some h in hooks]),
			concat(", ", sort([lib.describe(w) | some w in workloads])), lib.describe(svc), problem, scope,
		],
	)
}

# [configuration, Service] pairs: fail-closed webhooks backed by a Service of the release.
_fail_closed_services contains [i, svc] if {
	some kind in ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"]
	some i in rel.of_kind(kind)
	r := input.resources[i]
	hooks := r.object.webhooks
	is_array(hooks)
	some hook in hooks
	_fail_closed(hook)
	svc := _service(hook)
}

# failurePolicy Fail, written or by default (admissionregistration.k8s.io/v1).
_fail_closed(hook) if {
	is_object(hook)
	object.get(hook, "failurePolicy", "Fail") == "Fail"
}

# The Service of the release that clientConfig.service names.
_service(hook) := svc if {
	ref := hook.clientConfig.service
	is_object(ref)
	some svc in rel.named_anywhere("Service", ref.name)
	input.resources[svc].hook == null
	_namespace_ok(svc, object.get(ref, "namespace", null))
}

_namespace_ok(svc, ns) if not is_string(ns)

_namespace_ok(svc, ns) if ns in rel.own_namespaces(svc)

_namespace_ok(svc, _) if {
	not is_string(input.resources[svc].namespace)
	not is_string(input.release.namespace)
}

_daemonset_backed(workloads) if {
	some w in workloads
	input.resources[w].kind == "DaemonSet"
}

# What makes the backing pods a single point of failure; undefined when they are redundant.
_weakness(workloads) := "a single replica" if {
	sum([_replicas(w) | some w in workloads]) == 1
} else := "no replicas (scaled to 0)" if {
	sum([_replicas(w) | some w in workloads]) == 0
} else := "no PodDisruptionBudget protects them, so a node drain may evict them all at once" if {
	some w in workloads
	not _protected(w)
}

# Replicas a workload keeps: its autoscaler's minReplicas when it has one, else spec.replicas.
_replicas(w) := n if {
	some h in rel.hpas_for(w)
	n := _min(input.resources[h].object.spec.minReplicas)
} else := n if {
	n := lib.replicas(w)
} else := 1

_protected(w) if {
	labels := object.get(input.resources[w].object, ["spec", "template", "metadata", "labels"], {})
	some b in rel.of_kind("PodDisruptionBudget")
	pdb := input.resources[b]
	pdb.hook == null
	rel.same_namespace(b, w)
	sel := pdb.object.spec.selector
	is_object(sel)
	lib.selector_matches(sel, labels)
}

# ["warning", what] when a rule matches built-in API groups, ["note", what] for custom ones only.
_scope(hooks) := ["warning", sprintf("every matching request for %s, cluster-wide unless its selectors narrow it", [_resources(hooks)])] if {
	some hook in hooks
	some rule in _arr(hook.rules)
	some g in _arr(rule.apiGroups)
	g in _builtin_groups
} else := ["note", sprintf("changes to %s (custom resources only)", [_resources(hooks)])]

_resources(hooks) := concat(", ", sort({res | some hook in hooks; some rule in _arr(hook.rules); some res in _arr(rule.resources)})) if {
	count([1 | some hook in hooks; some rule in _arr(hook.rules); some _ in _arr(rule.resources)]) > 0
} else := "what it matches"

_arr(x) := x if is_array(x)
else := []

_obj(x) := x if is_object(x)
else := {}

_min(n) := n if is_number(n)
else := 1
