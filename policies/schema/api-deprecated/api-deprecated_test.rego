package chartguard.rules.schema["api-deprecated_test"]

import data.chartguard.rules.schema["api-deprecated"] as rule

_obj(api, kind) := {"api_version": api, "kind": kind, "name": "web", "namespace": null, "hook": null, "object": {}}

_report(kube, api, kind) := r if {
	r := rule.report with input as {"kube_version": kube, "resources": [_obj(api, kind)]}
}

test_removed_is_an_error_naming_the_replacement if {
	report := _report("1.33", "policy/v1beta1", "PodDisruptionBudget")
	count(report) == 1
	some v in report
	v.severity == "error"
	v.path == ["apiVersion"]
	contains(v.message, "PodDisruptionBudget web uses apiVersion policy/v1beta1, which Kubernetes 1.33 no longer serves (removed in 1.25): use policy/v1")
}

test_deprecated_only_is_a_warning if {
	report := _report("1.23", "policy/v1beta1", "PodDisruptionBudget")
	count(report) == 1
	some v in report
	not v.severity
	contains(v.message, "deprecated since Kubernetes 1.21 and removed in 1.25: use policy/v1")
}

test_before_deprecation_passes if {
	count(_report("1.20", "policy/v1beta1", "PodDisruptionBudget")) == 0
	count(_report("1.8", "extensions/v1beta1", "Deployment")) == 0
}

test_versions_compare_numerically if {
	count(_report("1.9", "autoscaling/v2beta2", "HorizontalPodAutoscaler")) == 0
	some v in _report("1.26", "autoscaling/v2beta2", "HorizontalPodAutoscaler")
	v.severity == "error"
	some w in _report("1.25", "autoscaling/v2beta2", "HorizontalPodAutoscaler")
	not w.severity
}

test_kind_specific_and_wildcard_entries if {
	count(_report("1.33", "extensions/v1beta1", "Ingress")) == 1
	count(_report("1.33", "apps/v1beta2", "StatefulSet")) == 1
	count(_report("1.33", "policy/v1", "PodDisruptionBudget")) == 0
	count(_report("1.33", "batch/v1beta1", "Job")) == 0
}

test_external_secrets_v1beta1_always_error if {
	some v in _report("1.20", "external-secrets.io/v1beta1", "ExternalSecret")
	v.severity == "error"
	contains(v.message, "which External Secrets 0.17 and later no longer serves: use external-secrets.io/v1")
	count(_report("1.33", "external-secrets.io/v1", "ExternalSecret")) == 0
	count(_report("1.33", "monitoring.coreos.com/v1", "ServiceMonitor")) == 0
	count(_report("1.33", "flagger.app/v1beta1", "Canary")) == 0
}

test_psp_has_no_replacement_api if {
	some v in _report("1.25", "policy/v1beta1", "PodSecurityPolicy")
	contains(v.message, "Pod Security Admission")
}

test_a_template_that_already_switches_is_not_told_to if {
	obj := object.union(_obj("policy/v1beta1", "PodDisruptionBudget"), {"origin": {"template": "app/templates/pdb.yaml"}})
	checks := {"app/templates/pdb.yaml": ["monitoring.coreos.com/v1", "policy/v1/PodDisruptionBudget"]}
	report := rule.report with input as {"kube_version": "1.23", "resources": [obj], "capability_checks": checks}
	count(report) == 1
	some v in report
	contains(v.message, "the template already switches to policy/v1 when .Capabilities.APIVersions.Has \"policy/v1/PodDisruptionBudget\", but this render (Kubernetes 1.23) took the other branch")
	not contains(v.message, ": use policy/v1")
	# A check for something else leaves the usual advice.
	other := rule.report with input as {"kube_version": "1.23", "resources": [obj], "capability_checks": {"app/templates/pdb.yaml": ["policy/v1beta1"]}}
	some w in other
	contains(w.message, ": use policy/v1")
}
