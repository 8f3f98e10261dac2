package chartguard.rules.release["immutable-field-unstable_test"]

import data.chartguard.rules.release["immutable-field-unstable"] as rule
import data.chartguard.lib.testing as t

_labels := {
	"helm.sh/chart": "shop-1.4.2",
	"app.kubernetes.io/name": "shop",
	"app.kubernetes.io/instance": "shop",
	"app.kubernetes.io/version": "2.7.0",
}

_input(kind, hook, spec) := {"resources": [{
	"kind": kind, "api_version": _api[kind], "name": "shop", "namespace": null, "hook": hook,
	"object": {"metadata": {"labels": _labels}, "spec": spec},
}]}

_api := {"Deployment": "apps/v1", "StatefulSet": "apps/v1", "Job": "batch/v1"}

test_chart_label_in_selector_fires if {
	report := rule.report with input as _input("Deployment", null, {"selector": {"matchLabels": _labels}})
	count(report) == 2
	paths := {v.path | some v in report}
	paths == {["spec", "selector", "matchLabels", "helm.sh/chart"], ["spec", "selector", "matchLabels", "app.kubernetes.io/version"]}
	some v in report
	v.path[3] == "helm.sh/chart"
	contains(v.message, "Deployment shop: spec.selector.matchLabels helm.sh/chart=shop-1.4.2 carries the chart version")
	contains(v.message, "field is immutable")
}

test_custom_label_holding_a_version_fires if {
	report := rule.report with input as _input("StatefulSet", null, {"selector": {"matchLabels": {"app": "shop", "release": "shop-v2.7.0"}}})
	some v in report
	contains(v.message, "release=shop-v2.7.0 contains the app version 2.7.0")
}

test_volume_claim_template_labels_fire if {
	spec := {
		"selector": {"matchLabels": {"app.kubernetes.io/name": "shop"}},
		"volumeClaimTemplates": [{"metadata": {"name": "data", "labels": {"chart": "shop-1.4.2", "app": "shop"}}}],
	}
	report := rule.report with input as _input("StatefulSet", null, spec)
	count(report) == 1
	some v in report
	v.path == ["spec", "volumeClaimTemplates", 0, "metadata", "labels", "chart"]
	contains(v.message, "volumeClaimTemplates[0] (data) label chart=shop-1.4.2 contains the chart version 1.4.2")
}

test_plain_job_template_fires_hook_job_does_not if {
	spec := {"template": {"metadata": {"labels": {"app.kubernetes.io/version": "2.7.0"}}}}
	count(rule.report) == 1 with input as _input("Job", null, spec)
	count(rule.report) == 0 with input as _input("Job", {"events": ["pre-upgrade"]}, spec)
}

test_stable_selectors_and_partial_versions_pass if {
	count(rule.report) == 0 with input as _input("Deployment", null, {"selector": {"matchLabels": {"app.kubernetes.io/name": "shop", "app.kubernetes.io/instance": "shop", "tier": "12.7.01"}}})
	count(rule.report) == 0 with input as _input("StatefulSet", null, {"volumeClaimTemplates": [{"metadata": {"name": "d", "labels": {"chart": "harbor"}}}]})
}

# A version label without a dot is still the app version; a chart label without one is no
# version at all.
test_undotted_values if {
	labels := {"app.kubernetes.io/version": "latest", "helm.sh/chart": "harbor"}
	input_ := {"resources": [{
		"kind": "Deployment", "api_version": "apps/v1", "name": "shop", "namespace": null, "hook": null,
		"object": {"metadata": {"labels": labels}, "spec": {"selector": {"matchLabels": labels}}},
	}]}
	report := rule.report with input as input_
	count(report) == 1
	some v in report
	v.path == ["spec", "selector", "matchLabels", "app.kubernetes.io/version"]
	contains(v.message, "app.kubernetes.io/version=latest is the app version")
}

test_dotted_values_that_are_no_version_pass if {
	count(rule.report) == 0 with input as _input("Deployment", null, {"selector": {"matchLabels": {"app": "shop", "host": "shop.example.com", "v": "2.7.01"}}})
}

test_volume_claim_template_annotations_fire if {
	spec := {"volumeClaimTemplates": [{"metadata": {"name": "data", "annotations": {"build": 1.4, "release": "shop-2.7.0"}}}]}
	report := rule.report with input as _input("StatefulSet", null, spec)
	count(report) == 1
	some v in report
	v.path == ["spec", "volumeClaimTemplates", 0, "metadata", "annotations", "release"]
	contains(v.message, "annotation release=shop-2.7.0 contains the app version 2.7.0")
}

# Chart and app version alike: one reason, the app version's (the first in order).
test_same_chart_and_app_version_gives_one_reason if {
	labels := object.union(_labels, {"app.kubernetes.io/version": "1.4.2"})
	inp := {"resources": [{
		"kind": "Deployment", "api_version": "apps/v1", "name": "shop", "namespace": null, "hook": null,
		"object": {"metadata": {"labels": labels}, "spec": {"selector": {"matchLabels": {"release": "shop-1.4.2"}}}},
	}]}
	v := t.only(rule.report) with input as inp
	contains(v.message, "release=shop-1.4.2 contains the app version 1.4.2")
}

# A version with pattern characters is compared as text.
test_version_with_pattern_characters if {
	labels := object.union(_labels, {"app.kubernetes.io/version": "2.7.0+build(3)"})
	spec := {"selector": {"matchLabels": {"a": "x-2.7.0+build(3)", "b": "2.7.0+build(3)1", "c": "2.7.0xbuild(3)"}}}
	inp := {"resources": [{
		"kind": "Deployment", "api_version": "apps/v1", "name": "shop", "namespace": null, "hook": null,
		"object": {"metadata": {"labels": labels}, "spec": spec},
	}]}
	report := rule.report with input as inp
	{v.path[3] | some v in report} == {"a"}
}
