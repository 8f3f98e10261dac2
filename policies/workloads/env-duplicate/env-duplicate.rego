# METADATA
# title: Containers define each environment variable once
# description: >-
#   No container or init container (hooks and helm tests included) lists the same name twice
#   in `env`.
# custom:
#   id: env-duplicate
#   severity: warning
#   profiles: [dev, prod]
#   scope: object
#   tags: [correctness, upgrades]
#   why: >-
#     The container sees only the last definition, so the earlier one (often the chart's own
#     default, overridden by an `extraEnv` value) silently does nothing. Worse, `env` is a
#     list merged by name: a three-way merge patch (`helm upgrade`, `kubectl apply`) on a
#     list with duplicate keys either fails to build or, once the duplicate is removed, deletes
#     the variable altogether (kubernetes/kubernetes#58477), so the fix itself breaks the next
#     upgrade.
#   fix: >-
#     Define each name once: let the chart's default give way to the user's value in the
#     template (e.g. skip a default when `.Values.extraEnv` sets the same name, or build env
#     from a dict keyed by name). When a release already has duplicates, remove them with a
#     replace (`kubectl replace`, or `helm upgrade` twice) rather than a single patch.
#   references:
#     - https://github.com/kubernetes/kubernetes/issues/58477
#     - https://github.com/kubernetes/kubernetes/issues/86163
package chartguard.rules.workloads["env-duplicate"]

import data.chartguard.lib

report contains lib.violation(c.resource, array.concat(c.path, ["env", j, "name"]), msg) if {
	some c in input.containers
	env := c.container.env
	is_array(env)
	_has_duplicates(env)
	some j, e in env
	is_object(e)
	name := e.name
	is_string(name)
	first := min([k | some k, other in env; k < j; is_object(other); other.name == name])
	msg := sprintf(
		"%s of %s defines env %s again (env[%d], first at env[%d]): only the last one counts, and a patch on duplicate names can drop the variable on upgrade",
		[lib.container_label(c), lib.describe(c.resource), name, j, first],
	)
}

# A linear check first: the pairwise search below runs only for lists that need it.
_has_duplicates(env) if {
	names := [n | some e in env; is_object(e); n := e.name; is_string(n)]
	count(names) != count({n | some n in names})
}
