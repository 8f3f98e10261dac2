package chartguard.rules.hooks["hook-delete-policy_test"]

import data.chartguard.rules.hooks["hook-delete-policy"] as rule
import data.chartguard.lib.testing as t

_in(kind, ann, test) := {"resources": [{"kind": kind, "name": "app-migration", "namespace": null, "object": {"metadata": {"annotations": ann}}, "hook": {"events": ["pre-upgrade"], "weight": 0, "test": test}}]}

_policy(p) := _in("Job", {"helm.sh/hook": "pre-upgrade", "helm.sh/hook-delete-policy": p}, false)

test_succeeded_only_fires if {
	v := t.only(rule.report) with input as _policy("hook-succeeded")
	v.path == ["metadata", "annotations", "helm.sh/hook-delete-policy"]
	contains(v.message, "Job app-migration sets helm.sh/hook-delete-policy \"hook-succeeded\" without before-hook-creation: a failed run leaves the hook in the cluster")
	contains(v.message, "Job \"app-migration\" already exists")
}

test_failed_only_and_test_pod if {
	some v in rule.report with input as _policy("hook-failed")
	contains(v.message, "a successful run leaves")
	some w in rule.report with input as _in("Pod", {"helm.sh/hook": "test", "helm.sh/hook-delete-policy": "hook-succeeded"}, true)
	contains(w.message, "the next `helm test` then fails")
}

test_next_run_names_the_hook_events if {
	v := t.only(rule.report) with input as _policy("hook-succeeded")
	contains(v.message, "the next upgrade then fails")
	post_delete := {"resources": [{"kind": "Job", "name": "cleanup", "namespace": null, "object": {"metadata": {"annotations": {"helm.sh/hook-delete-policy": "hook-succeeded"}}}, "hook": {"events": ["post-delete"], "weight": 0, "test": false}}]}
	w := t.only(rule.report) with input as post_delete
	contains(w.message, "the next uninstall then fails")
	both := {"resources": [{"kind": "Job", "name": "m", "namespace": null, "object": {"metadata": {"annotations": {"helm.sh/hook-delete-policy": "hook-failed"}}}, "hook": {"events": ["pre-upgrade", "pre-install"], "weight": 0, "test": false}}]}
	x := t.only(rule.report) with input as both
	contains(x.message, "the next install or upgrade then fails")
}

test_unknown_value_fires_twice if {
	report := rule.report with input as _policy("hook-succeded")
	count(report) == 2
	some v in report
	contains(v.message, "\"hook-succeded\", which Helm does not know and ignores without a warning; did you mean \"hook-succeeded\"?")
	some w in report
	contains(w.message, "Helm never deletes the hook")
}

test_good_policies_pass if {
	count(rule.report) == 0 with input as _policy("before-hook-creation,hook-succeeded")
	count(rule.report) == 0 with input as _policy(" Before-Hook-Creation ")
	count(rule.report) == 0 with input as _policy("hook-succeeded,hook-failed")
	count(rule.report) == 0 with input as _in("Job", {"helm.sh/hook": "pre-upgrade"}, false)
}

test_unknown_value_alongside_before_hook_creation if {
	v := t.only(rule.report) with input as _policy("before-hook-creation,delete-always")
	contains(v.message, "known values: before-hook-creation, hook-failed, hook-succeeded")
}

# The lists left out without splitting the annotation: known values, each once, with
# before-hook-creation.
test_settled_lists if {
	count(rule._settled_lists) == 11
	["hook-failed", "before-hook-creation", "hook-succeeded"] in rule._settled_lists
	not ["hook-succeeded", "hook-failed"] in rule._settled_lists
	not ["before-hook-creation", "before-hook-creation"] in rule._settled_lists
}

# With hook.delete_policies as the engine writes it: a settled list passes, others are judged.
_engine(raw, dp) := {"resources": [{
	"kind": "Job", "name": "m", "namespace": null,
	"object": {"metadata": {"annotations": {"helm.sh/hook": "pre-upgrade", "helm.sh/hook-delete-policy": raw}}},
	"hook": {"events": ["pre-upgrade"], "weight": 0, "test": false, "delete_policies": dp},
}]}

test_with_engine_delete_policies if {
	count(rule.report) == 0 with input as _engine(" before-hook-creation ,, hook-succeeded", ["before-hook-creation", "hook-succeeded"])
	some v in rule.report with input as _engine("Hook-Succeeded", ["Hook-Succeeded"])
	contains(v.message, "without before-hook-creation: a failed run leaves the hook")
	count(rule.report) == 0 with input as _engine("Before-Hook-Creation", ["Before-Hook-Creation"])
	some w in rule.report with input as _engine("before-hook-creation,hook-faild", ["before-hook-creation", "hook-faild"])
	contains(w.message, "which Helm does not know")
}
