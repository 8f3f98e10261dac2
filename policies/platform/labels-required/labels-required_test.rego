package chartguard.rules.platform["labels-required_test"]

import data.chartguard.rules.platform["labels-required"] as rule

_input(kind, meta, pod_labels) := {
	"profile": "prod",
	"resources": [{"kind": kind, "name": "web", "namespace": null, "hook": null, "object": {"metadata": meta}}],
	"pods": [{"resource": 0, "path": ["spec", "template", "spec"], "spec": {}, "labels": pod_labels, "labels_path": ["spec", "template", "metadata", "labels"]}],
}

_defaults := {"labels": [], "annotations": [], "pod_labels": [], "kinds": ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod"]}

test_off_by_default if {
	count(rule.report) == 0 with input as _input("Deployment", {}, {})
}

test_missing_labels_and_annotations_one_finding_each if {
	report := rule.report with input as _input("Deployment", {"labels": {"team": "payments", "tier": ""}}, {})
		with data.params["labels-required"] as object.union(_defaults, {"labels": ["team", "tier", "cost-center"], "annotations": ["owner"]})
	count(report) == 2
	some v in report
	v.path == ["metadata", "labels"]
	v.message == "Deployment web has no labels \"tier\", \"cost-center\""
	some w in report
	w.path == ["metadata", "annotations"]
	w.message == "Deployment web has no annotation \"owner\""
}

test_pod_labels if {
	report := rule.report with input as _input("Deployment", {}, {"app": "web"})
		with data.params["labels-required"] as object.union(_defaults, {"pod_labels": ["team", "app"]})
	count(report) == 1
	some v in report
	v.path == ["spec", "template", "metadata", "labels"]
	v.message == "the pod template of Deployment web has no label \"team\""
}

test_other_kinds_are_not_judged if {
	count(rule.report) == 0 with input as _input("Service", {}, {})
		with data.params["labels-required"] as object.union(_defaults, {"labels": ["team"]})
}

test_a_bare_pod_has_its_pod_labels_in_its_own_metadata if {
	report := rule.report with input as _input("Pod", {"labels": {"team": "a"}}, {"team": "a"})
		with data.params["labels-required"] as object.union(_defaults, {"labels": ["team"], "pod_labels": ["team", "app"]})
	count(report) == 1
	some v in report
	v.path == ["metadata", "labels"]
	v.message == "Pod web has no label \"app\""
}
