package chartguard.rules.custom["team-label_test"]

import data.chartguard.rules.custom["team-label"] as rule

_input(labels) := {"resources": [{
	"index": 0,
	"kind": "Deployment",
	"name": "web",
	"namespace": null,
	"object": {"metadata": {"name": "web", "labels": labels}},
}]}

test_missing_team_label_fires if {
	some v in rule.report with input as _input({"app": "web"})
	v.path == ["metadata", "labels"]
	v.message == "Deployment web has no `team` label"
}

test_team_label_passes if {
	count(rule.report) == 0 with input as _input({"app": "web", "team": "payments"})
}
