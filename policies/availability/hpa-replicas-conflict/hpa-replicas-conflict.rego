# METADATA
# title: HorizontalPodAutoscalers and their targets agree
# description: >-
#   A Deployment or StatefulSet scaled by a HorizontalPodAutoscaler does not set
#   spec.replicas; every HPA's scaleTargetRef (kind and name) is an object of the release;
#   minReplicas is not greater than maxReplicas.
# custom:
#   id: hpa-replicas-conflict
#   severity: warning
#   profiles: [dev, prod]
#   scope: release
#   tags: [availability, autoscaling, upgrades]
#   why: >-
#     When the chart renders spec.replicas for an autoscaled workload, every `helm upgrade`
#     patches the replica count back to the chart's value: a workload the HPA scaled to 12
#     pods under load drops to 3 in the middle of the rollout. An HPA whose target is not in
#     the release scales nothing (a renamed Deployment); minReplicas above maxReplicas is
#     rejected by the API.
#   fix: >-
#     Omit replicas when autoscaling is on (`{{- if not .Values.autoscaling.enabled }}
#     replicas: {{ .Values.replicaCount }}{{- end }}`), build scaleTargetRef.name from the same
#     fullname helper as the workload, and keep minReplicas ≤ maxReplicas.
#   references:
#     - https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#migrating-deployments-and-statefulsets-to-horizontal-autoscaling
package chartguard.rules.availability["hpa-replicas-conflict"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

# The workload sets spec.replicas while an HPA scales it. Workloads are reached from the HPAs'
# resolved targets (one pass over the HPAs) rather than by asking every workload for its
# HPAs; titles are looked up once per HPA and only for findings.
report contains {"resource": w, "path": ["spec", "replicas"], "message": msg, "related": related} if {
	some w, hpas in _hpas_by_target
	r := input.resources[w]
	r.kind in {"Deployment", "StatefulSet"}
	r.hook == null
	replicas := r.object.spec.replicas
	replicas != null
	title := lib.describe(w)
	scalers := [[h, lib.describe(h)] | some h in hpas]
	msg := sprintf(
		"%s sets spec.replicas (%v) while %s scales it: every helm upgrade resets the scale the autoscaler chose",
		[title, replicas, concat(", ", sort([t | some [_, t] in scalers]))],
	)
	related := [{"resource": h, "path": ["spec", "scaleTargetRef"], "message": sprintf("%s scales %s", [t, title])} | some [h, t] in scalers]
}

# The HPAs scaling each object: the index's `targets` are exactly the objects whose
# selected_by holds an HPA (rel.hpas_for), so this is that relation built once.
_hpas_by_target[w] contains h if {
	some h in rel.of_kind("HorizontalPodAutoscaler")
	some w in rel.selects(h).targets
}

# The target is not in the release. A resolved target settles most HPAs without building
# rel.named's set (targets are the same lookup, minus hooks).
report contains {"resource": h, "path": ["spec", "scaleTargetRef", "name"], "message": msg} if {
	some h in _hpas
	count(rel.selects(h).targets) == 0
	ref := input.resources[h].object.spec.scaleTargetRef
	is_object(ref)
	count(rel.named(ref.kind, ref.name, h)) == 0
	msg := sprintf(
		"%s: spec.scaleTargetRef names %v %q, which is not in the release: the autoscaler scales nothing",
		[lib.describe(h), ref.kind, ref.name],
	)
}

# minReplicas > maxReplicas: the API rejects it. The comparison, false for most HPAs, goes
# before the type tests.
report contains {"resource": h, "path": ["spec", "minReplicas"], "message": msg, "severity": "error"} if {
	some h in _hpas
	spec := input.resources[h].object.spec
	spec.minReplicas > spec.maxReplicas
	is_number(spec.minReplicas)
	is_number(spec.maxReplicas)
	msg := sprintf(
		"%s has spec.minReplicas %v greater than spec.maxReplicas %v: the API rejects it",
		[lib.describe(h), spec.minReplicas, spec.maxReplicas],
	)
}

_hpas contains h if {
	some h in rel.of_kind("HorizontalPodAutoscaler")
	r := input.resources[h]
	r.hook == null
	is_object(r.object.spec)
}
