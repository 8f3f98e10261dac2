# METADATA
# title: An upgrade deletes no stored data
# description: >-
#   With `lint --previous`: no PersistentVolumeClaim, Namespace, CustomResourceDefinition or
#   StatefulSet with volumeClaimTemplates that the previous release has is missing from the
#   new one (unless it carries `helm.sh/resource-policy: keep`), and no CRD version that
#   stored objects is removed or stops being served.
# custom:
#   id: upgrade-data-loss
#   severity: error
#   profiles: [dev, prod]
#   scope: upgrade
#   tags: [upgrades, data-safety]
#   why: >-
#     `helm upgrade` deletes every object of the previous release that the new one does not
#     render. For a PersistentVolumeClaim that is the volume's data (with the usual Delete
#     reclaim policy); for a Namespace everything in it; for a CRD every custom resource of
#     that kind. A rename, a values flag turned off or a template moved behind a condition is
#     enough, and the diff shows only a removed object.
#   fix: >-
#     Keep rendering the object; or annotate it `helm.sh/resource-policy: keep` in the
#     release before (Helm then leaves it in the cluster, unmanaged); or move the data first.
#     For a renamed object, keep the old name. For a CRD, keep every version that objects
#     were stored in listed and served until they are migrated.
#   references:
#     - https://helm.sh/docs/howto/charts_tips_and_tricks/#tell-helm-not-to-uninstall-a-resource
#     - https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definition-versioning/
package chartguard.rules.upgrade["upgrade-data-loss"]

import data.chartguard.lib
import data.chartguard.lib.upgrade_lib as up

_what := {
	"PersistentVolumeClaim": "the claim's volume and its data (deleted with it under the usual Delete reclaim policy)",
	"Namespace": "everything in the namespace",
	"CustomResourceDefinition": "every custom resource of this kind in the cluster",
}

# Removed objects that hold data, that Helm will delete.
report contains up.previous_violation(j, ["metadata", "name"], msg) if {
	some j in input.previous.removed
	r := input.previous.resources[j]
	r.hook == null
	_what[r.kind]
	not up.kept(r)
	not up.from_crds_folder(r)
	msg := sprintf(
		"%s is gone from the new release: `helm upgrade` deletes it, and with it %s%s. Keep rendering it, or annotate it `helm.sh/resource-policy: keep` before the upgrade",
		[up.describe_previous(j), _what[r.kind], _renamed(j)],
	)
}

# A removed StatefulSet: with a Delete retention policy its claims go too (data loss); with
# the default Retain they stay but nothing mounts them (an outage, a warning).
report contains up.previous_violation_with_severity(j, ["spec", "volumeClaimTemplates"], msg, severity) if {
	some j in input.previous.removed
	r := input.previous.resources[j]
	r.hook == null
	r.kind == "StatefulSet"
	count(object.get(r.object, ["spec", "volumeClaimTemplates"], [])) > 0
	not up.kept(r)
	deleted := object.get(r.object, ["spec", "persistentVolumeClaimRetentionPolicy", "whenDeleted"], "Retain") == "Delete"
	[severity, fate] := _statefulset_fate(deleted)
	msg := sprintf(
		"%s is gone from the new release: `helm upgrade` deletes it and its pods; %s%s",
		[up.describe_previous(j), fate, _renamed(j)],
	)
}

_statefulset_fate(true) := ["error", "its persistentVolumeClaimRetentionPolicy.whenDeleted is Delete, so the claims of its volumeClaimTemplates and their data are deleted too"]

_statefulset_fate(false) := ["warning", "the claims of its volumeClaimTemplates stay (retention Retain) but nothing mounts them any more"]

# A rename is a removal and an addition to Helm.
_renamed(j) := sprintf(" (renamed to %s? Helm deletes the old object and creates an empty new one)", [concat(" or ", names)]) if {
	r := input.previous.resources[j]
	names := sort([a.name | some i in input.previous.added; a := input.resources[i]; a.kind == r.kind])
	count(names) > 0
} else := ""

# CRD versions that stored objects: removed, or no longer served.
report contains lib.violation(p.current, ["spec", "versions"], msg) if {
	some p in input.previous.pairs
	a := up.after(p)
	a.kind == "CustomResourceDefinition"
	a.hook == null
	not up.from_crds_folder(a)
	b := up.before(p)
	some old in b.object.spec.versions
	old.storage == true
	not _served(a, old.name)
	msg := sprintf(
		"%s: version %s was the storage version and is %s: objects stored as %s can no longer be read (and the API server refuses a CRD whose status.storedVersions lists a version missing from spec.versions). Keep %s served until every object is migrated to the new version, then drop it in a later release",
		[lib.describe(p.current), old.name, _gone(a, old.name), old.name, old.name],
	)
}

_served(crd, name) if {
	some v in crd.object.spec.versions
	v.name == name
	v.served == true
}

_gone(crd, name) := "no longer served" if {
	some v in crd.object.spec.versions
	v.name == name
} else := "removed from spec.versions"
