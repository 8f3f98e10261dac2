# METADATA
# title: Every helm.sh/hook event is one Helm knows
# description: >-
#   Each comma-separated item of helm.sh/hook is one of pre-install, post-install, pre-delete,
#   post-delete, pre-upgrade, post-upgrade, pre-rollback, post-rollback or test (test-success
#   is the deprecated Helm 2 spelling of test). Items are compared as Helm does: trimmed and
#   lower-cased.
# custom:
#   id: hook-unknown-event
#   severity: error
#   profiles: [dev, prod]
#   scope: object
#   tags: [hooks]
#   why: >-
#     When any item of helm.sh/hook is not an event Helm knows (a typo such as `pre-instal`,
#     Helm 2's `crd-install` or `test-failure`, an empty item from a trailing comma), Helm 3
#     and 4 skip the whole document: it is neither run as a hook nor installed as a normal
#     resource, and `helm template` leaves it out too. Helm says so only in an info-level log
#     line ("skipping unknown hook") and exits successfully, so the Job, Secret or migration
#     silently never happens.
#   fix: >-
#     Spell every event as Helm does (`pre-install,pre-upgrade`, no trailing comma). For CRDs,
#     use the chart's crds/ folder instead of a crd-install hook; for a failing test, use a
#     `test` hook whose command fails.
#   references:
#     - https://helm.sh/docs/topics/charts_hooks/#the-available-hooks
#     - https://helm.sh/docs/topics/charts/#custom-resource-definitions-crds
package chartguard.rules.hooks["hook-unknown-event"]

import data.chartguard.lib
import data.chartguard.lib.hooks_lib
import data.chartguard.lib.relations_lib as rel

report contains lib.violation(i, ["metadata", "annotations", "helm.sh/hook"], msg) if {
	some i in rel.hook_annotated(0)
	r := input.resources[i]
	# Most hooks name one known event exactly as Helm reads it ("pre-upgrade": no comma, space
	# or capital, so Helm's split, trim and lower-case leave it as it is): a set lookup settles
	# them before hook_items splits the annotation.
	not r.object.metadata.annotations["helm.sh/hook"] in _known
	is_object(r.object.metadata.annotations)
	items := hooks_lib.hook_items(i)
	unknown := [e | some e in items; not e in _known]
	count(unknown) > 0
	msg := sprintf(
		"%s has helm.sh/hook %q with %s: Helm skips the whole document (not a hook, not installed, left out of `helm template`), logging only \"skipping unknown hook\"%s",
		[lib.describe(i), r.object.metadata.annotations["helm.sh/hook"], _describe_unknown(unknown), _hints(unknown)],
	)
}

# hooks_lib's known events, read once per evaluation rather than by a call per hook.
_known := {e | some e in hooks_lib.known_event_list(0)}

_describe_unknown(unknown) := "an empty event (a stray comma)" if {
	unknown == [""]
} else := sprintf("the unknown event %s", [_quoted(unknown)]) if {
	count(unknown) == 1
} else := sprintf("the unknown events %s", [_quoted(unknown)])

_quoted(list) := concat(", ", [sprintf("%q", [e]) | some e in list])

_hints(unknown) := concat("", [sprintf("; %q: %s", [e, hint]) |
	some e in unknown
	e != ""
	hint := hooks_lib.suggest_event(e)
])
