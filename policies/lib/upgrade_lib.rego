# Helpers for the upgrade rules (policies/upgrade/*, METADATA `scope: upgrade`): the previous
# release beside the new one, `input.previous` (given by `lint --previous`; absent otherwise,
# so every rule built on these reports nothing). Tested in upgrade_lib_test.rego.
package chartguard.lib.upgrade_lib

import data.chartguard.lib

# The previous release's object of a pair, and the new one.
before(p) := input.previous.resources[p.previous]

after(p) := input.resources[p.current]

# A violation on an object only the previous release has (input.previous.resources[j]):
# its index is offset past the new release's, which the engine locates in the previous one.
previous_violation(j, path, message) := lib.violation(input.previous.offset + j, path, message)

previous_violation_with_severity(j, path, message, severity) := lib.violation_with_severity(
	input.previous.offset + j, path, message, severity,
)

# A related place in the previous release.
previous_related(j, path, message) := {"resource": input.previous.offset + j, "path": path, "message": message}

# "PersistentVolumeClaim data" (or "… ns/data"), for the previous release's objects.
describe_previous(j) := sprintf("%s %s/%s", [r.kind, r.namespace, r.name]) if {
	r := input.previous.resources[j]
	is_string(r.namespace)
} else := sprintf("%s %s", [r.kind, r.name]) if {
	r := input.previous.resources[j]
}

# The pair whose new object is input.resources[i], if both releases have it.
pair_of(i) := p if {
	some p in _pairs_by_current[i]
}

# Pairs by their current object, built once: pair_of is called per object, and scanning every
# pair each time made upgrade rules quadratic (70 s at 10,000 objects).
_pairs_by_current[i] contains p if {
	some p in input.previous.pairs
	i := p.current
}

# A path under `prefix` changed between the two releases.
changed_under(p, prefix) if {
	some c in p.changed
	count(c) >= count(prefix)
	array.slice(c, 0, count(prefix)) == prefix
}

# Helm leaves the object in the cluster when it leaves the release.
kept(r) if r.object.metadata.annotations["helm.sh/resource-policy"] == "keep"

# A CRD from the chart's crds/ folder: Helm installs those once and never upgrades or
# deletes them.
from_crds_folder(r) if {
	is_string(r.origin.template)
	contains(r.origin.template, "/crds/")
}

from_crds_folder(r) if {
	is_string(r.origin.template)
	startswith(r.origin.template, "crds/")
}

# Two objects of the two releases in the same namespace (null: the release's).
same_namespace(a, b) if a.namespace == b.namespace

# `helm upgrade`'s error for a rejected patch, as it prints it.
patch_error(r, detail) := sprintf(
	"Error: UPGRADE FAILED: cannot patch %q with kind %s: %s",
	[r.name, r.kind, detail],
)
