# METADATA
# title: Pre-install hooks only need objects that exist before they run
# description: >-
#   A pre-install hook Job or Pod does not read a Secret or ConfigMap (env, envFrom, volumes),
#   mount a PersistentVolumeClaim, run as a ServiceAccount or pull with an imagePullSecret that
#   the same release creates as a normal resource – directly, or through an ExternalSecret or
#   SealedSecret – nor one that is a hook Helm creates after it.
# custom:
#   id: hook-depends-on-release-resource
#   severity: error
#   profiles: [dev, prod]
#   scope: release
#   tags: [hooks, install]
#   why: >-
#     On `helm install` Helm runs every pre-install hook to completion before it creates a
#     single normal resource of the release. A hook pod that needs a Secret, ConfigMap,
#     ServiceAccount or PVC the release only creates later cannot start
#     (CreateContainerConfigError, pod creation rejected, or Pending), so the first install
#     hangs until --timeout (5m by default) and fails – while every upgrade works, because by
#     then the object exists. Hooks of one event are created one at a time in order of weight,
#     then name (then kind), and Helm waits only for Jobs and Pods to finish: a dependency
#     that is itself a hook must come earlier in that order, and a Secret made by an
#     ExternalSecret hook appears as soon as the operator syncs it.
#   fix: >-
#     Make the dependency a hook of the same event with a lower weight, e.g.
#     `helm.sh/hook: pre-install,pre-upgrade`, `helm.sh/hook-weight: "-20"` and
#     `helm.sh/hook-delete-policy: before-hook-creation` on the SecretStore/ExternalSecret (or
#     Secret, ServiceAccount) the migration Job needs; or run the Job as a post-install hook;
#     or reference an object that exists before the release (and say so in the values).
#   references:
#     - https://helm.sh/docs/topics/charts_hooks/#the-available-hooks
#     - https://helm.sh/docs/topics/charts_hooks/#hooks-and-the-release-lifecycle
#     - https://helm.sh/docs/topics/charts_hooks/#the-hook-weight
package chartguard.rules.hooks["hook-depends-on-release-resource"]

import data.chartguard.lib
import data.chartguard.lib.hooks_lib
import data.chartguard.lib.relations_lib as rel

report contains lib.violation_related(h, path, msg, related) if {
	some pod in input.pods
	h := pod.resource
	r := input.resources[h]
	# hook.events (null for an object that is no hook) holds the items of hooks_lib.hook_items
	# that are not empty, so it settles "pre-install" without splitting every pod's annotation.
	"pre-install" in r.hook.events
	r.kind in {"Job", "Pod"}
	refs := hooks_lib.pod_references(pod.path, pod.spec)
	some ref in refs
	provs := {p | some p in hooks_lib.providers_of(ref.kind, ref.name); p != h; rel.same_namespace(p, h)}
	count(provs) > 0
	not _hd_ready(provs, h)
	some p in provs
	problem := _hd_problem(p, h, ref)
	path := ref.path
	msg := sprintf("pre-install hook %s needs %s %s (%s), but %s", [lib.describe(h), ref.kind, ref.name, ref.via, problem])
	related := [{"resource": p, "path": ["metadata", "name"], "message": sprintf("%s, needed by pre-install hook %s", [_hd_what(p, ref), lib.describe(h)])}]
}

# The provider exists before the hook runs: a pre-install hook that Helm creates earlier.
_hd_ready(candidates, h) if {
	some p in candidates
	input.resources[p].hook != null
	"pre-install" in hooks_lib.hook_items(p)
	hooks_lib.runs_before(p, h)
}

_hd_problem(p, h, ref) := sprintf(
	"%s is a normal resource of the release: on first install Helm creates normal resources only after every pre-install hook has finished, so the hook cannot start and the install hangs until --timeout; make it a pre-install hook with a lower weight",
	[_hd_name(p, ref)],
) if {
	input.resources[p].hook == null
} else := sprintf(
	"%s is a hook that does not run on pre-install (%s): it does not exist on first install, so the hook cannot start and the install hangs until --timeout",
	[_hd_name(p, ref), concat(",", hooks_lib.hook_items(p))],
) if {
	not "pre-install" in hooks_lib.hook_items(p)
} else := sprintf(
	"%s is a pre-install hook that Helm creates after it (weight %v, this hook %v%s): Helm creates hooks one at a time in weight order and waits for this one to finish first, so it never starts; give %s a lower weight",
	[_hd_name(p, ref), input.resources[p].hook.weight, input.resources[h].hook.weight, _hd_tie(p, h), input.resources[p].name],
)

_hd_tie(p, h) := "; equal weights: Helm then sorts by name" if {
	input.resources[p].hook.weight == input.resources[h].hook.weight
} else := ""

_hd_name(p, ref) := sprintf("%s %s, which creates it,", [input.resources[p].kind, input.resources[p].name]) if {
	input.resources[p].kind != ref.kind
} else := sprintf("%s %s", [input.resources[p].kind, input.resources[p].name])

_hd_what(p, ref) := sprintf("%s creates Secret %s", [lib.describe(p), ref.name]) if {
	input.resources[p].kind != ref.kind
} else := lib.describe(p)
