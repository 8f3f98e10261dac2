# METADATA
# title: No deprecated or removed API versions
# description: >-
#   Every object uses an apiVersion that the target Kubernetes version (--kube-version)
#   still serves: an error when the version is removed there (or, for External Secrets
#   v1beta1, no longer served by current operators), a warning when it is only deprecated.
#   The message names the replacement.
# custom:
#   id: api-deprecated
#   severity: warning
#   profiles: [dev, prod]
#   scope: object
#   tags: [upgrades, api]
#   why: >-
#     The API server refuses objects of an API version it no longer serves, so the release
#     fails to install – or, worse, fails to upgrade after the cluster was upgraded under it,
#     with the release stuck until the chart is fixed (helm mapkubeapis). A deprecated version
#     still works today but is the next cluster upgrade's outage.
#   fix: >-
#     Move the template to the replacement apiVersion named in the message (adapting fields
#     that changed, e.g. Ingress backend.service.name), or select it with
#     `.Capabilities.APIVersions.Has` when the chart must support old clusters too. When the
#     message says the template already does, the chart needs no change: lint with the
#     `--kube-version` (and `--api-versions`) of the cluster it deploys to.
#   references:
#     - https://kubernetes.io/docs/reference/using-api/deprecation-guide/
#     - https://external-secrets.io/latest/introduction/deprecation-policy/
package chartguard.rules.schema["api-deprecated"]

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

# apiVersion -> kind ("*": every kind) -> when it was deprecated / removed (Kubernetes
# "major.minor"; "always" for versions current operators no longer serve) and its replacement.
deprecations := {
	"extensions/v1beta1": {
		"Deployment": {"deprecated": "1.9", "removed": "1.16", "replacement": "apps/v1"},
		"DaemonSet": {"deprecated": "1.9", "removed": "1.16", "replacement": "apps/v1"},
		"ReplicaSet": {"deprecated": "1.9", "removed": "1.16", "replacement": "apps/v1"},
		"NetworkPolicy": {"deprecated": "1.9", "removed": "1.16", "replacement": "networking.k8s.io/v1"},
		"PodSecurityPolicy": {"deprecated": "1.10", "removed": "1.16", "replacement": "none (Pod Security Admission)"},
		"Ingress": {"deprecated": "1.14", "removed": "1.22", "replacement": "networking.k8s.io/v1"},
	},
	"apps/v1beta1": {"*": {"deprecated": "1.9", "removed": "1.16", "replacement": "apps/v1"}},
	"apps/v1beta2": {"*": {"deprecated": "1.9", "removed": "1.16", "replacement": "apps/v1"}},
	"networking.k8s.io/v1beta1": {
		"Ingress": {"deprecated": "1.19", "removed": "1.22", "replacement": "networking.k8s.io/v1"},
		"IngressClass": {"deprecated": "1.19", "removed": "1.22", "replacement": "networking.k8s.io/v1"},
	},
	"policy/v1beta1": {
		"PodDisruptionBudget": {"deprecated": "1.21", "removed": "1.25", "replacement": "policy/v1"},
		"PodSecurityPolicy": {"deprecated": "1.21", "removed": "1.25", "replacement": "none (Pod Security Admission)"},
	},
	"batch/v1beta1": {"CronJob": {"deprecated": "1.21", "removed": "1.25", "replacement": "batch/v1"}},
	"autoscaling/v2beta1": {"HorizontalPodAutoscaler": {"deprecated": "1.22", "removed": "1.25", "replacement": "autoscaling/v2"}},
	"autoscaling/v2beta2": {"HorizontalPodAutoscaler": {"deprecated": "1.23", "removed": "1.26", "replacement": "autoscaling/v2"}},
	"flowcontrol.apiserver.k8s.io/v1beta1": {"*": {"deprecated": "1.23", "removed": "1.26", "replacement": "flowcontrol.apiserver.k8s.io/v1"}},
	"flowcontrol.apiserver.k8s.io/v1beta2": {"*": {"deprecated": "1.26", "removed": "1.29", "replacement": "flowcontrol.apiserver.k8s.io/v1"}},
	"flowcontrol.apiserver.k8s.io/v1beta3": {"*": {"deprecated": "1.29", "removed": "1.32", "replacement": "flowcontrol.apiserver.k8s.io/v1"}},
	"rbac.authorization.k8s.io/v1beta1": {"*": {"deprecated": "1.17", "removed": "1.22", "replacement": "rbac.authorization.k8s.io/v1"}},
	"rbac.authorization.k8s.io/v1alpha1": {"*": {"deprecated": "1.17", "removed": "1.22", "replacement": "rbac.authorization.k8s.io/v1"}},
	"apiextensions.k8s.io/v1beta1": {"*": {"deprecated": "1.16", "removed": "1.22", "replacement": "apiextensions.k8s.io/v1"}},
	"admissionregistration.k8s.io/v1beta1": {"*": {"deprecated": "1.16", "removed": "1.22", "replacement": "admissionregistration.k8s.io/v1"}},
	"apiregistration.k8s.io/v1beta1": {"*": {"deprecated": "1.19", "removed": "1.22", "replacement": "apiregistration.k8s.io/v1"}},
	"scheduling.k8s.io/v1beta1": {"*": {"deprecated": "1.14", "removed": "1.22", "replacement": "scheduling.k8s.io/v1"}},
	"coordination.k8s.io/v1beta1": {"*": {"deprecated": "1.19", "removed": "1.22", "replacement": "coordination.k8s.io/v1"}},
	"certificates.k8s.io/v1beta1": {"*": {"deprecated": "1.19", "removed": "1.22", "replacement": "certificates.k8s.io/v1"}},
	"storage.k8s.io/v1beta1": {
		"CSIDriver": {"deprecated": "1.19", "removed": "1.22", "replacement": "storage.k8s.io/v1"},
		"CSINode": {"deprecated": "1.17", "removed": "1.22", "replacement": "storage.k8s.io/v1"},
		"StorageClass": {"deprecated": "1.19", "removed": "1.22", "replacement": "storage.k8s.io/v1"},
		"VolumeAttachment": {"deprecated": "1.19", "removed": "1.22", "replacement": "storage.k8s.io/v1"},
		"CSIStorageCapacity": {"deprecated": "1.24", "removed": "1.27", "replacement": "storage.k8s.io/v1"},
	},
	"discovery.k8s.io/v1beta1": {"EndpointSlice": {"deprecated": "1.21", "removed": "1.25", "replacement": "discovery.k8s.io/v1"}},
	"events.k8s.io/v1beta1": {"Event": {"deprecated": "1.19", "removed": "1.25", "replacement": "events.k8s.io/v1"}},
	"node.k8s.io/v1beta1": {"RuntimeClass": {"deprecated": "1.20", "removed": "1.25", "replacement": "node.k8s.io/v1"}},
	# Custom resources: External Secrets Operator stopped serving v1beta1 in 0.17.
	"external-secrets.io/v1beta1": {"*": {"deprecated": "always", "removed": "always", "replacement": "external-secrets.io/v1", "where": "External Secrets 0.17 and later"}},
}

# The objects whose apiVersion the table lists, found in one pass for both reports (most
# objects: no call to _entry).
_listed contains i if {
	some i, r in input.resources
	deprecations[r.api_version]
}

report contains lib.violation_with_severity(i, ["apiVersion"], msg, "error") if {
	some i in _listed
	r := input.resources[i]
	entry := _entry(r)
	_removed(entry)
	msg := sprintf(
		"%s uses apiVersion %s, which %s no longer serves%s: %s",
		[lib.describe(i), r.api_version, _where(entry), _since(entry), _advice(r, entry)],
	)
}

report contains lib.violation(i, ["apiVersion"], msg) if {
	some i in _listed
	r := input.resources[i]
	entry := _entry(r)
	not _removed(entry)
	rel.version_at_least(input.kube_version, entry.deprecated)
	msg := sprintf(
		"%s uses apiVersion %s, deprecated since Kubernetes %s and removed in %s: %s",
		[lib.describe(i), r.api_version, entry.deprecated, entry.removed, _advice(r, entry)],
	)
}

# What to do. A template that already switches to the replacement on
# .Capabilities.APIVersions.Has (input.capability_checks) needs no change: this render was
# for a cluster that does not serve the replacement (or the condition is wrong).
_advice(r, entry) := sprintf(
	"the template already switches to %s when .Capabilities.APIVersions.Has %q, but this render (Kubernetes %s) took the other branch: lint with the --kube-version and --api-versions of the cluster you deploy to, and if that cluster serves %s, check the condition",
	[entry.replacement, check, input.kube_version, entry.replacement],
) if {
	check := _branch(r, entry)
} else := sprintf("use %s", [entry.replacement])

# The first check of the object's template that names the replacement (or one of its kinds).
_branch(r, entry) := matching[0] if {
	template := object.get(r, ["origin", "template"], null)
	is_string(template)
	checks := object.get(input, ["capability_checks", template], [])
	matching := [c | some c in checks; _names(c, entry.replacement)]
	count(matching) > 0
}

_names(check, replacement) if check == replacement

_names(check, replacement) if startswith(check, concat("", [replacement, "/"]))

_entry(r) := e if {
	e := deprecations[r.api_version][r.kind]
} else := e if {
	e := deprecations[r.api_version]["*"]
}

_removed(entry) if entry.removed == "always"

_removed(entry) if rel.version_at_least(input.kube_version, entry.removed)

_where(entry) := entry.where if entry.where
else := sprintf("Kubernetes %s", [input.kube_version])

_since(entry) := "" if entry.removed == "always"
else := sprintf(" (removed in %s)", [entry.removed])
