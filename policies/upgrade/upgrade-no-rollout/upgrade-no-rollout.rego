# METADATA
# title: Pods roll when the configuration they read changes
# description: >-
#   With `lint --previous`: when a ConfigMap or Secret of the release changes its data, every
#   Deployment, StatefulSet and DaemonSet whose pods read it (env, envFrom, volumes) also
#   changes its pod template, so its pods restart with the new configuration.
# custom:
#   id: upgrade-no-rollout
#   severity: warning
#   profiles: [dev, prod]
#   scope: upgrade
#   tags: [upgrades, configuration]
#   why: >-
#     Kubernetes rolls a workload's pods only when its pod template changes. `helm upgrade`
#     updates the ConfigMap or Secret, but pods that read it through environment variables
#     keep the old values until they restart, and volumes follow only eventually (never
#     with subPath). The upgrade reports success while the pods run the old configuration,
#     and the next unrelated restart changes behaviour.
#   fix: >-
#     Add a checksum of the configuration to the pod template's annotations, so a change of
#     data is a change of the template: `checksum/config: {{ include (print $.Template.BasePath
#     "/configmap.yaml") . | sha256sum }}`. Or run a reloader (Stakater Reloader's
#     `reloader.stakater.com/auto: "true"`).
#   references:
#     - https://helm.sh/docs/howto/charts_tips_and_tricks/#automatically-roll-deployments
#     - https://github.com/stakater/Reloader
package chartguard.rules.upgrade["upgrade-no-rollout"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel
import data.chartguard.lib.upgrade_lib as up

_workloads := {"Deployment", "StatefulSet", "DaemonSet"}

_data := {"data", "stringData", "binaryData"}

report contains lib.violation_related(pod.resource, array.concat(tpl, ["metadata"]), msg, related) if {
	some p in input.previous.pairs
	cfg := up.after(p)
	cfg.kind in {"ConfigMap", "Secret"}
	cfg.hook == null
	keys := {c[1] | some c in p.changed; c[0] in _data; count(c) > 1} | {c[0] | some c in p.changed; c[0] in _data; count(c) == 1}
	count(keys) > 0
	not _only_certificates(keys)
	some t, pod in input.pods
	w := input.resources[pod.resource]
	w.kind in _workloads
	w.hook == null
	up.same_namespace(w, cfg)
	some ref in rel.pod_refs(t)
	ref.kind == cfg.kind
	ref.name == cfg.name
	tpl := array.slice(pod.path, 0, count(pod.path) - 1)
	q := up.pair_of(pod.resource)
	not up.changed_under(q, tpl)
	msg := sprintf(
		"%s reads %s, whose data changes (%s), but its pod template does not: `helm upgrade` updates the %s and the running pods keep the old configuration until they restart. Add a `checksum/config` annotation of it to the pod template",
		[lib.describe(pod.resource), lib.describe(p.current), concat(", ", sort(keys)), cfg.kind],
	)
	related := [{"resource": p.current, "path": ["data"], "message": sprintf("%s changes here", [cfg.kind])}]
}

# Certificates and keys a chart generates at render time (genCA, genSelfSignedCert) and keeps
# across upgrades with `lookup`, which an offline render cannot do: they differ between any two
# renders without changing on the real upgrade, so they say nothing here.
_only_certificates(keys) if {
	every k in keys {
		is_string(k)
		regex.match(`(^|[._-])(crt|cert|key|pem|ca)$`, lower(k))
	}
}
