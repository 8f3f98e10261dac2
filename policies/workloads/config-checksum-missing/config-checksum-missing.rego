# METADATA
# title: Pods roll when the release's configuration changes
# description: >-
#   A Deployment, StatefulSet or DaemonSet whose pods read a ConfigMap or Secret that the
#   release creates carries a checksum of its configuration in the pod template's annotations
#   (`checksum/config`), or is watched by a reloader, so an upgrade that changes only the
#   configuration restarts its pods.
# custom:
#   id: config-checksum-missing
#   severity: note
#   profiles: [prod]
#   scope: release
#   tags: [upgrades, configuration]
#   why: >-
#     Kubernetes rolls pods only when the pod template changes. When an upgrade changes only
#     a ConfigMap or Secret, `helm upgrade` succeeds and the pods keep the old configuration
#     (environment variables until they restart; mounted files eventually, never with
#     subPath), so a configuration change takes effect at some later, unrelated restart.
#     `lint --previous` shows when a given upgrade does this (upgrade-no-rollout).
#   fix: >-
#     Add `checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") . |
#     sha256sum }}` (one per ConfigMap or Secret template) to the pod template's annotations,
#     or annotate the workload for a reloader (`reloader.stakater.com/auto: "true"`).
#   references:
#     - https://helm.sh/docs/howto/charts_tips_and_tricks/#automatically-roll-deployments
#     - https://github.com/stakater/Reloader
package chartguard.rules.workloads["config-checksum-missing"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

_workloads := {"Deployment", "StatefulSet", "DaemonSet"}

report contains {"resource": pod.resource, "path": array.concat(tpl, ["metadata"]), "message": msg} if {
	some p, pod in input.pods
	w := input.resources[pod.resource]
	w.kind in _workloads
	w.hook == null
	tpl := array.slice(pod.path, 0, count(pod.path) - 1)
	not _rolls(w.object, tpl)
	read := {sprintf("%s %s", [ref.kind, ref.name]) |
		some ref in rel.pod_refs(p)
		ref.kind in {"ConfigMap", "Secret"}
		same_name := _by_name[ref.kind][ref.name]
		_created(same_name, pod.resource, w.namespace)
	}
	count(read) > 0
	msg := sprintf(
		"%s reads %s of the release, and its pod template carries no checksum of them: an upgrade that changes only their data leaves its pods running with the old configuration",
		[lib.describe(pod.resource), concat(", ", sort(read))],
	)
}

# Objects by kind and name, read once: _created looks up every reference of every pod.
_by_name := rel.names_by_kind(0)

# The release creates it, not as a hook: rel.named(ref.kind, ref.name, w) without its set
# and calls per reference (same_name: the objects of the reference's kind and name, looked up
# by the caller, so a name the release does not create costs no call), the hook (one field)
# tested before the namespaces. Mostly the object is in the workload's own namespace (both
# written alike, or both the release's), which rel.same_namespace holds for: only the rest go
# through it.
_created(same_name, w, ns) := true if {
	some i in same_name
	r := input.resources[i]
	r.hook == null
	r.namespace == ns
} else := true if {
	some i in same_name
	input.resources[i].hook == null
	rel.same_namespace(i, w)
}

# Any checksum/hash annotation of the pod template (charts name them checksum/config,
# checksum/secret, configHash …), or a reloader watching the workload. Each key is lowered
# once, not once per word; fields are read directly (absent: no annotation); the reloader
# body is an else, skipped when the template already has a checksum.
_rolls(obj, tpl) := true if {
	template := object.get(obj, tpl, null)
	annotations := template.metadata.annotations
	is_object(annotations)
	some k, _ in annotations
	is_string(k)
	key := lower(k)
	some word in ["checksum", "hash", "rollme"]
	contains(key, word)
} else := true if {
	annotations := obj.metadata.annotations
	is_object(annotations)
	some k, _ in annotations
	is_string(k)
	some prefix in ["reloader.stakater.com/", "configmap.reloader.stakater.com/", "secret.reloader.stakater.com/", "wave.pusher.com/"]
	startswith(k, prefix)
}
