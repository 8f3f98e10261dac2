# METADATA
# title: Services select pods of the release
# description: >-
#   Every Service with a non-empty spec.selector selects the pod template of at least one
#   workload of the release in its namespace (a scaled-to-zero blue-green slot counts; hooks'
#   and helm tests' pods do not; labels controllers add, such as
#   statefulset.kubernetes.io/pod-name, are ignored). Quiet when the release holds custom resources that may
#   run pods of their own.
# custom:
#   id: service-selector-mismatch
#   severity: warning
#   profiles: [dev, prod]
#   scope: release
#   tags: [traffic, labels, blue-green]
#   why: >-
#     A Service whose selector matches no pod has no endpoints: every request to it fails
#     with connection refused or 503, while the chart installs cleanly. In a blue-green setup
#     it is the active-slot value that names a slot no Deployment has (`slot: gren`); elsewhere
#     a selector label renamed in one template and not the other.
#   fix: >-
#     Build the Service selector and the pod template labels from the same helper
#     (`{{- include "mychart.selectorLabels" . | nindent 4 }}`); for blue-green, validate the
#     active slot in the template (`{{- if not (has .Values.blueGreen.activeSlot (list "blue" "green")) }}{{ fail … }}`).
#   references:
#     - https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service
package chartguard.rules.traffic["service-selector-mismatch"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

report contains lib.violation(i, ["spec", "selector"], msg) if {
	some i in rel.of_kind("Service")
	r := input.resources[i]
	r.hook == null
	# The selector resolved in Rust (controller labels left out, as below). Tested first: most
	# Services select pods (speed at 10,000 objects).
	count(rel.selects(i).pods) == 0
	spec := r.object.spec
	object.get(spec, "type", "ClusterIP") != "ExternalName"
	is_object(spec.selector)
	selector := {k: v | some k, v in spec.selector; not _controller_labels[k]}
	count(selector) > 0
	not rel.custom_workloads_present(i)
	msg := sprintf(
		"%s: spec.selector (%s) matches no pod template of the release, so the Service has no endpoints%s",
		[lib.describe(i), _show(spec.selector), _closest(selector, i)],
	)
}

# Labels controllers add to the pods they create, never in a pod template: a selector using
# them (one Service per StatefulSet pod) is judged on its other labels.
_controller_labels := {
	"statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index", "controller-revision-hash",
	"pod-template-hash", "pod-template-generation", "job-name", "batch.kubernetes.io/job-name",
	"controller-uid", "batch.kubernetes.io/controller-uid", "batch.kubernetes.io/job-completion-index",
}

_show(selector) := concat(", ", sort([sprintf("%s=%v", [k, v]) | some k, v in selector]))

# The pod template that differs from the selector in the fewest labels, as a hint
# (a slot or component typo): only computed for Services already known to match nothing.
_closest(selector, i) := sprintf(" (closest: %s, whose pods have %s)", [lib.describe(best[2]), best[3]]) if {
	candidates := {p |
		some k, v in selector
		some p in rel.pods_with_label(k, v)
		rel.same_namespace(input.pods[p].resource, i)
	}
	count(candidates) > 0
	scored := [[count(diff), input.pods[p].resource, input.pods[p].resource, concat(", ", diff)] |
		some p in candidates
		labels := rel.pod_labels(p)
		diff := sort([_label_text(k, labels) | some k, v in selector; not labels[k] == v])
	]
	best := min(scored)
} else := ""

_label_text(k, labels) := sprintf("%s=%v", [k, labels[k]]) if {
	_ = labels[k]
} else := sprintf("no %s label", [k])
