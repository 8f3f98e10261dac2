package chartguard.rules.traffic["canary-target-missing_test"]

import data.chartguard.rules.traffic["canary-target-missing"] as rule
import data.chartguard.lib.testing as t

_deploy := {"api_version": "apps/v1", "kind": "Deployment", "name": "web", "namespace": null, "hook": null, "object": {}}

_hpa := {"api_version": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "name": "web", "namespace": null, "hook": null, "object": {}}

_canary(spec) := {"api_version": "flagger.app/v1beta1", "kind": "Canary", "name": "web", "namespace": null, "hook": null, "object": {"spec": spec}}

test_target_present_passes if {
	count(rule.report) == 0 with input as {"resources": [_deploy, _hpa, _canary({
		"targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
		"autoscalerRef": {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "name": "web"},
	})]}
}

test_missing_target_fires if {
	v := t.only(rule.report) with input as {"resources": [_deploy, _canary({"targetRef": {"kind": "Deployment", "name": "web-app"}})]}
	v.resource == 1
	v.path == ["spec", "targetRef", "name"]
	contains(v.message, "Canary web: spec.targetRef names Deployment \"web-app\", which is not in the release")
}

test_wrong_kind_fires if {
	count(rule.report) == 1 with input as {"resources": [_deploy, _canary({"targetRef": {"kind": "DaemonSet", "name": "web"}})]}
}

test_missing_autoscaler_fires if {
	some v in rule.report with input as {"resources": [_deploy, _canary({"targetRef": {"kind": "Deployment", "name": "web"}, "autoscalerRef": {"kind": "HorizontalPodAutoscaler", "name": "web"}})]}
	v.path == ["spec", "autoscalerRef", "name"]
}
