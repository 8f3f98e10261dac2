package chartguard.rules.availability["pdb-blocks-eviction_test"]

import data.chartguard.rules.availability["pdb-blocks-eviction"] as rule
import data.chartguard.lib.testing as t

_deploy(name, replicas, labels) := {
	"kind": "Deployment", "name": name, "namespace": null, "hook": null,
	"object": {"spec": {"replicas": replicas, "template": {"metadata": {"labels": labels}}}},
}

_pdb(spec) := {"kind": "PodDisruptionBudget", "name": "web", "namespace": null, "hook": null, "object": {"spec": object.union({"selector": {"matchLabels": {"app": "web"}}}, spec)}}

_hpa(target, min) := {"kind": "HorizontalPodAutoscaler", "name": "web", "namespace": null, "hook": null, "object": {"spec": {"scaleTargetRef": {"kind": "Deployment", "name": target}, "minReplicas": min, "maxReplicas": 10}}}

# Resources first, then one pod entry per Deployment, in order.
_input(resources) := {"resources": resources, "pods": [{"resource": i, "labels": r.object.spec.template.metadata.labels} |
	some i, r in resources
	r.kind == "Deployment"
]}

test_max_unavailable_zero_fires if {
	some v in rule.report with input as _input([_pdb({"maxUnavailable": 0}), _deploy("web", 3, {"app": "web"})])
	v.path == ["spec", "maxUnavailable"]
	contains(v.message, "PodDisruptionBudget web sets spec.maxUnavailable to 0")
	some w in rule.report with input as _input([_pdb({"maxUnavailable": "0%"})])
	contains(w.message, "0%")
}

test_min_available_equal_to_replicas_fires_with_related if {
	v := t.only(rule.report) with input as _input([_pdb({"minAvailable": 1}), _deploy("web", 1, {"app": "web"})])
	v.path == ["spec", "minAvailable"]
	contains(v.message, "requires minAvailable 1 of the 1 pod(s) of Deployment web")
	v.related[0].resource == 1
}

test_unset_replicas_count_as_one if {
	count(rule.report) == 1 with input as _input([_pdb({"minAvailable": 1}), _deploy("web", null, {"app": "web"})])
}

test_percentages if {
	count(rule.report) == 1 with input as _input([_pdb({"minAvailable": "100%"}), _deploy("web", 3, {"app": "web"})])
	count(rule.report) == 0 with input as _input([_pdb({"minAvailable": "50%"}), _deploy("web", 3, {"app": "web"})])
	count(rule.report) == 1 with input as _input([_pdb({"minAvailable": "0100%"}), _deploy("web", 3, {"app": "web"})])
}

# A leading zero reads as the API reads it (regorus's to_number alone fails on it).
test_quoted_count_with_a_leading_zero if {
	count(rule.report) == 1 with input as _input([_pdb({"minAvailable": "03"}), _deploy("web", 3, {"app": "web"})])
	count(rule.report) == 0 with input as _input([_pdb({"minAvailable": "02"}), _deploy("web", 3, {"app": "web"})])
}

test_room_for_eviction_passes if {
	count(rule.report) == 0 with input as _input([_pdb({"minAvailable": 2}), _deploy("web", 3, {"app": "web"})])
	count(rule.report) == 0 with input as _input([_pdb({"maxUnavailable": 1}), _deploy("web", 1, {"app": "web"})])
}

test_blue_green_slots_are_summed if {
	count(rule.report) == 0 with input as _input([_pdb({"minAvailable": 2}), _deploy("web-blue", 3, {"app": "web", "slot": "blue"}), _deploy("web-green", 0, {"app": "web", "slot": "green"})])
}

test_hpa_min_replicas_used if {
	count(rule.report) == 0 with input as _input([_pdb({"minAvailable": 1}), _deploy("web", null, {"app": "web"}), _hpa("web", 2)])
	count(rule.report) == 1 with input as _input([_pdb({"minAvailable": 2}), _deploy("web", null, {"app": "web"}), _hpa("web", 2)])
}

test_nothing_covered_or_unreadable_passes if {
	count(rule.report) == 0 with input as _input([_pdb({"minAvailable": 1}), _deploy("api", 1, {"app": "api"})])
	count(rule.report) == 0 with input as _input([_pdb({"minAvailable": 1}), _deploy("web", "many", {"app": "web"})])
}
