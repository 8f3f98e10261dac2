package chartguard.rules.upgrade["upgrade-availability_test"]

import data.chartguard.rules.upgrade["upgrade-availability"] as rule

_res(kind, obj) := {"kind": kind, "name": "x", "namespace": null, "object": obj, "hook": null}

_pair(kind, before, after) := {
	"resources": [_res(kind, after)],
	"pods": [],
	"previous": {"offset": 1, "resources": [_res(kind, before)], "pairs": [{"current": 0, "previous": 0, "changed": []}], "added": [], "removed": []},
}

test_replicas_cut_to_one if {
	vs := rule.report with input as _pair("Deployment", {"spec": {"replicas": 3}}, {"spec": {"replicas": 1}})
	some v in vs
	contains(v.message, "from 3 to 1")
	count(rule.report) == 0 with input as _pair("Deployment", {"spec": {"replicas": 3}}, {"spec": {"replicas": 2}})
}

test_max_unavailable_compared_with_its_own_kind if {
	count(rule.report) == 1 with input as _pair("Deployment", {"spec": {"strategy": {"rollingUpdate": {"maxUnavailable": 0}}}}, {"spec": {"strategy": {"rollingUpdate": {"maxUnavailable": 1}}}})
	count(rule.report) == 1 with input as _pair("Deployment", {"spec": {}}, {"spec": {"strategy": {"rollingUpdate": {"maxUnavailable": "50%"}}}})
	count(rule.report) == 0 with input as _pair("Deployment", {"spec": {}}, {"spec": {"strategy": {"rollingUpdate": {"maxUnavailable": 1}}}})
}

test_pdb_loosened if {
	count(rule.report) == 1 with input as _pair("PodDisruptionBudget", {"spec": {"minAvailable": 2}}, {"spec": {"minAvailable": 1}})
	count(rule.report) == 0 with input as _pair("PodDisruptionBudget", {"spec": {"minAvailable": 1}}, {"spec": {"minAvailable": 2}})
}
