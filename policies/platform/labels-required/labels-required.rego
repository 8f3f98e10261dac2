# METADATA
# title: Workloads carry the labels and annotations the platform requires
# description: >-
#   Every workload of the release (the kinds in the parameter `kinds`; hooks and helm tests
#   included) has each label of `labels` and each annotation of `annotations` in its own
#   metadata, and each label of `pod_labels` on its pod template, with a non-empty value. One
#   finding per object and place, naming every key missing there. With the defaults (all lists
#   empty) the rule reports nothing: which keys a platform requires is its own convention.
# custom:
#   id: labels-required
#   severity: warning
#   profiles: [dev, prod]
#   scope: object
#   tags: [operations, platform]
#   why: >-
#     Platforms hang ownership, cost allocation, alert routing and policy exceptions on labels
#     and annotations (`team`, `cost-center`, `app.kubernetes.io/part-of`). A workload without
#     them is nobody's on the bill, pages nobody when it breaks and falls outside the
#     selectors that apply the platform's defaults. Pod labels matter apart from the
#     workload's: cost tools and NetworkPolicies see pods, not Deployments.
#   fix: >-
#     Add the keys in the chart's labels helper (`_helpers.tpl`, the `<chart>.labels`
#     template most charts include in every object) or through values the chart offers
#     (`commonLabels`, `podLabels`, `podAnnotations`), set per environment in its values file.
#   params:
#     labels:
#       description: Label keys every workload's metadata.labels must have.
#       default: []
#       schema: {type: array, items: {type: string, minLength: 1}, uniqueItems: true}
#     annotations:
#       description: Annotation keys every workload's metadata.annotations must have.
#       default: []
#       schema: {type: array, items: {type: string, minLength: 1}, uniqueItems: true}
#     pod_labels:
#       description: Label keys every pod template's metadata.labels must have (a bare Pod's own labels).
#       default: []
#       schema: {type: array, items: {type: string, minLength: 1}, uniqueItems: true}
#     kinds:
#       description: The kinds judged.
#       default: [Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod]
#       schema: {type: array, items: {type: string, minLength: 1}, uniqueItems: true}
#   references:
#     - https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/
#     - https://open-policy-agent.github.io/gatekeeper-library/website/validation/requiredlabels/
package chartguard.rules.platform["labels-required"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

_params := data.params["labels-required"]

# The workload's own labels and annotations.
report contains lib.violation(i, ["metadata", field], msg) if {
	some pair in [["labels", _params.labels], ["annotations", _params.annotations]]
	field := pair[0]
	keys := pair[1]
	count(keys) > 0
	some kind in _params.kinds
	some i in rel.of_kind(kind)
	r := input.resources[i]
	missing := [k | some k in keys; not _has(object.get(r.object, ["metadata", field], {}), k)]
	count(missing) > 0
	msg := sprintf("%s has no %s %s", [lib.describe(i), _noun(field, missing), _list(missing)])
}

# The pod template's labels (a bare Pod's are its own, judged above under `labels`).
report contains lib.violation(pod.resource, pod.labels_path, msg) if {
	count(_params.pod_labels) > 0
	some pod in input.pods
	r := input.resources[pod.resource]
	r.kind in _params.kinds
	r.kind != "Pod"
	missing := [k | some k in _params.pod_labels; not _has(pod.labels, k)]
	count(missing) > 0
	msg := sprintf("the pod template of %s has no %s %s", [lib.describe(pod.resource), _noun("labels", missing), _list(missing)])
}

# A bare Pod: pod_labels apply to its own metadata.
report contains lib.violation(i, ["metadata", "labels"], msg) if {
	count(_params.pod_labels) > 0
	some i in rel.of_kind("Pod")
	r := input.resources[i]
	"Pod" in _params.kinds
	missing := [k | some k in _params.pod_labels; not k in _params.labels; not _has(object.get(r.object, ["metadata", "labels"], {}), k)]
	count(missing) > 0
	msg := sprintf("%s has no %s %s", [lib.describe(i), _noun("labels", missing), _list(missing)])
}

_has(m, k) if {
	is_object(m)
	m[k] != ""
}

_noun("labels", missing) := "label" if count(missing) == 1
else := "labels"

_noun("annotations", missing) := "annotation" if count(missing) == 1
else := "annotations"

_list(keys) := concat(", ", [sprintf("%q", [k]) | some k in keys])
