package chartguard.rules.hooks["hook-unknown-event_test"]

import data.chartguard.rules.hooks["hook-unknown-event"] as rule
import data.chartguard.lib.testing as t

_in(hook) := {"resources": [{"kind": "Job", "name": "app", "namespace": null, "object": {"metadata": {"annotations": {"helm.sh/hook": hook}}}, "hook": null}]}

test_typo_fires_with_suggestion if {
	v := t.only(rule.report) with input as _in("pre-instal")
	v.path == ["metadata", "annotations", "helm.sh/hook"]
	contains(v.message, "Job app has helm.sh/hook \"pre-instal\" with the unknown event \"pre-instal\": Helm skips the whole document")
	contains(v.message, "did you mean \"pre-install\"?")
}

test_one_bad_item_drops_everything if {
	some v in rule.report with input as _in("pre-install,post-upgarde")
	contains(v.message, "\"post-upgarde\": did you mean \"post-upgrade\"?")
}

test_helm2_events_and_stray_comma if {
	some v in rule.report with input as _in("crd-install")
	contains(v.message, "crds/ folder")
	some w in rule.report with input as _in("pre-install,")
	contains(w.message, "an empty event (a stray comma)")
	some x in rule.report with input as _in("deploy")
	not contains(x.message, "did you mean")
}

test_known_events_pass if {
	count(rule.report) == 0 with input as _in("pre-install,pre-upgrade")
	count(rule.report) == 0 with input as _in(" Pre-Install , post-install ")
	count(rule.report) == 0 with input as _in("test-success")
	count(rule.report) == 0 with input as _in("test")
	count(rule.report) == 0 with input as {"resources": [{"kind": "Job", "name": "app", "namespace": null, "object": {"metadata": {}}, "hook": null}]}
}
