# METADATA
# title: Immutable fields carry no chart or app version
# description: >-
#   Fields the API server never lets an update change hold nothing that changes with every
#   chart release: no `helm.sh/chart` or `app.kubernetes.io/version` label, and no label value
#   containing the chart or app version, in the `spec.selector` of a Deployment, StatefulSet,
#   DaemonSet or ReplicaSet, in a StatefulSet's `volumeClaimTemplates`, or in the pod template
#   of a Job that is not a hook. The versions are read from the object's own `helm.sh/chart`
#   and `app.kubernetes.io/version` labels.
# custom:
#   id: immutable-field-unstable
#   severity: error
#   profiles: [dev, prod]
#   scope: object
#   tags: [upgrades, correctness]
#   why: >-
#     `helm upgrade` patches the live objects; a patch that changes an immutable field is
#     rejected ("field is immutable", "updates to statefulset spec for fields other than …
#     are forbidden"), so the first upgrade to a new chart or app version fails, and with
#     `--atomic` rolls back, every time. Installs and `helm template` work, which is why it
#     ships: the label comes from a shared `labels` helper (with helm.sh/chart in it) used
#     where the `selectorLabels` helper belongs. Getting out requires deleting the object
#     (for a StatefulSet, `kubectl delete --cascade=orphan`) outside Helm.
#   fix: >-
#     Use the stable selector labels (`app.kubernetes.io/name`, `app.kubernetes.io/instance`;
#     the `selectorLabels` helper of `helm create`) in selectors and volumeClaimTemplates, and
#     keep `helm.sh/chart` and `app.kubernetes.io/version` in metadata.labels and the pod
#     template's labels of Deployments and StatefulSets. Run one-off Jobs as hooks
#     (`helm.sh/hook` with `before-hook-creation`), which Helm recreates instead of patching.
#   references:
#     - https://helm.sh/docs/chart_best_practices/labels/
#     - https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#label-selector-updates
#     - https://kubernetes.io/docs/concepts/workloads/controllers/job/
package chartguard.rules.release["immutable-field-unstable"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

_selector_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"}

# Labels in a workload's selector.
report contains {"resource": i, "path": ["spec", "selector", "matchLabels", k], "message": msg} if {
	some kind in _selector_kinds
	some i in rel.of_kind(kind)
	r := input.resources[i]
	startswith(r.api_version, "apps/")
	labels := r.object.spec.selector.matchLabels
	is_object(labels)
	some k, why in _unstable_labels(i, labels)
	msg := sprintf(
		"%s: spec.selector.matchLabels %s=%v %s; a selector is immutable, so the first upgrade to another version fails with \"field is immutable\"",
		[lib.describe(i), k, labels[k], why],
	)
}

# Labels and annotations of a StatefulSet's volumeClaimTemplates.
report contains {"resource": i, "path": ["spec", "volumeClaimTemplates", n, "metadata", field, k], "message": msg} if {
	some i in rel.of_kind("StatefulSet")
	r := input.resources[i]
	vcts := r.object.spec.volumeClaimTemplates
	is_array(vcts)
	some n, vct in vcts
	some field in ["labels", "annotations"]
	meta := vct.metadata[field]
	is_object(meta)
	some k, why in _unstable_labels(i, meta)
	msg := sprintf(
		"%s: volumeClaimTemplates[%d] (%v) %s %s=%v %s; volumeClaimTemplates cannot be updated, so the first upgrade to another version fails (\"updates to statefulset spec for fields other than ... are forbidden\")",
		[lib.describe(i), n, object.get(vct.metadata, "name", "?"), trim_suffix(field, "s"), k, meta[k], why],
	)
}

# Pod template labels of a Job that Helm patches on upgrade (not a hook: those are recreated).
report contains {"resource": i, "path": ["spec", "template", "metadata", "labels", k], "message": msg} if {
	some i in rel.of_kind("Job")
	r := input.resources[i]
	r.hook == null
	labels := r.object.spec.template.metadata.labels
	is_object(labels)
	some k, why in _unstable_labels(i, labels)
	msg := sprintf(
		"%s: pod template label %s=%v %s; a Job's template is immutable, so the first upgrade to another version fails with \"field is immutable\" (make it a hook, which Helm recreates)",
		[lib.describe(i), k, labels[k], why],
	)
}

# k -> _unstable(versions, k, v) for the entries k=v of `labels` (a mapping in object i) that
# change with every release. Only a value with a dot can carry a version (the chart version
# and every token _versions keeps have one), or any app.kubernetes.io/version: the labels
# without are settled with one sprintf, and _versions, which costs several regexes, is
# computed only for an object that has such a label (most selectors have none).
_unstable_labels(i, labels) := {k: why |
	candidates := {key | some key, v in labels; contains(sprintf("%v", [v]), ".")} | {key |
		key := "app.kubernetes.io/version"
		_ = labels[key]
	}
	count(candidates) > 0
	versions := _versions(i)
	some k in candidates
	why := _unstable(versions, k, labels[k])
}

# Why label k=v changes with every release, undefined when it does not.
# (versions: _versions of the object, computed once per mapping by _unstable_labels.)
_unstable(versions, k, v) := "carries the chart version" if {
	k == "helm.sh/chart"
	regex.match(`[0-9]+\.[0-9]+`, sprintf("%v", [v]))
} else := "is the app version" if {
	k == "app.kubernetes.io/version"
	sprintf("%v", [v]) != ""
} else := sprintf("contains the %s %s", [found[0][0], found[0][1]]) if {
	text := sprintf("%v", [v])
	# The first in order when the chart and app versions are the same (one reason, not two).
	found := [[what, token] |
		some [what, token] in versions
		contains(text, token)
		_contains_version(text, token)
	]
	count(found) > 0
}

# The version as a whole word: "0.1" is not in "10.1.1", "1.2" not in "1.2.3". Compared as
# text, not as a pattern: a version may hold `+` or `(`.
_contains_version(s, token) if {
	some at in indexof_n(s, token)
	not _version_char(_char_before(s, at))
	not _version_char(substring(s, at + count(token), 1))
}

_char_before(s, at) := substring(s, at - 1, 1) if at > 0

else := ""

_version_char(c) if c in {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "."}

# ["chart version", "3.13.1"] / ["app version", "0.8.1"], from object i's own labels. Only
# dotted versions: a bare "1" or "v2" would match unrelated label values.
_versions(i) := {[what, token] |
	labels := _own_labels(i)
	some what, token in {
		"chart version": _chart_version(object.get(labels, "helm.sh/chart", "")),
		"app version": sprintf("%v", [object.get(labels, "app.kubernetes.io/version", "")]),
	}
	regex.match(`^v?[0-9]+\.[0-9]+`, token)
}

_own_labels(i) := l if {
	l := input.resources[i].object.metadata.labels
	is_object(l)
} else := {}

# "metrics-server-3.13.1" -> "3.13.1" (chart names contain dashes; the version starts at the
# last dash followed by a digit).
_chart_version(chart) := m[1] if {
	is_string(chart)
	m := regex.find_all_string_submatch_n(`-(v?[0-9]+\.[0-9]+[^-]*(-.*)?)$`, chart, 1)[0]
} else := ""
