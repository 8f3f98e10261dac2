package chartguard.rules.hooks["hook-job-unbounded_test"]

import data.chartguard.rules.hooks["hook-job-unbounded"] as rule
import data.chartguard.lib.testing as t

_in(kind, spec, hook) := {"resources": [{"kind": kind, "name": "app", "namespace": null, "object": {"spec": spec}, "hook": hook}]}

_hook := {"events": ["pre-upgrade"], "weight": 0, "test": false}

test_job_missing_both_fires_at_spec if {
	v := t.only(rule.report) with input as _in("Job", {"template": {}}, _hook)
	v.path == ["spec"]
	contains(v.message, "hook Job app sets no activeDeadlineSeconds and no backoffLimit")
	not v.severity
}

test_job_missing_one if {
	some v in rule.report with input as _in("Job", {"backoffLimit": 0}, _hook)
	contains(v.message, "sets no activeDeadlineSeconds: a hanging run")
	some w in rule.report with input as _in("Job", {"activeDeadlineSeconds": 600}, _hook)
	contains(w.message, "sets no backoffLimit: a failing run is retried")
}

test_bounded_job_and_non_hooks_pass if {
	count(rule.report) == 0 with input as _in("Job", {"activeDeadlineSeconds": 600, "backoffLimit": 0}, _hook)
	count(rule.report) == 0 with input as _in("Job", {}, null)
	count(rule.report) == 0 with input as _in("Pod", {}, null)
}

test_hook_pod_restart_always_is_an_error if {
	some v in rule.report with input as _in("Pod", {"containers": []}, {"events": ["test"], "weight": 0, "test": true})
	v.severity == "error"
	v.path == ["spec", "restartPolicy"]
	contains(v.message, "restartPolicy unset (Always)")
	count(rule.report) == 0 with input as _in("Pod", {"restartPolicy": "Never"}, _hook)
	count(rule.report) == 0 with input as _in("Pod", {"restartPolicy": "OnFailure"}, _hook)
}
