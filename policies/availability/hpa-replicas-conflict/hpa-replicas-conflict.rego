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

# The workload sets spec.replicas while an HPA scales it.
report contains lib.violation_related(w, ["spec", "replicas"], msg, related) if {
	some kind in ["Deployment", "StatefulSet"]
	some w in rel.of_kind(kind)
	r := input.resources[w]
	r.hook == null
	r.object.spec.replicas != null
	hpas := rel.hpas_for(w)
	count(hpas) > 0
	msg := sprintf(
		"%s sets spec.replicas (%v) while %s scales it: every helm upgrade resets the scale the autoscaler chose",
		[lib.describe(w), r.object.spec.replicas, concat(", ", sort([lib.describe(h) | some h in hpas]))],
	)
	related := [{"resource": h, "path": ["spec", "scaleTargetRef"], "message": sprintf("%s scales %s", [lib.describe(h), lib.describe(w)])} | some h in hpas]
}

# The target is not in the release.
report contains lib.violation(h, ["spec", "scaleTargetRef", "name"], msg) if {
	some h in _hpas
	ref := input.resources[h].object.spec.scaleTargetRef
	is_object(ref)
	count(rel.named(ref.kind, ref.name, h)) == 0
	msg := sprintf(
		"%s: spec.scaleTargetRef names %v %q, which is not in the release: the autoscaler scales nothing",
		[lib.describe(h), ref.kind, ref.name],
	)
}

# minReplicas > maxReplicas: the API rejects it.
report contains lib.violation_with_severity(h, ["spec", "minReplicas"], msg, "error") if {
	some h in _hpas
	spec := input.resources[h].object.spec
	is_number(spec.minReplicas)
	is_number(spec.maxReplicas)
	spec.minReplicas > spec.maxReplicas
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
