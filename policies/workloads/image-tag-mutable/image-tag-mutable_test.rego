package chartguard.rules.workloads["image-tag-mutable_test"]

import data.chartguard.rules.workloads["image-tag-mutable"] as rule
import data.chartguard.lib.testing as t

# Deployment web with the given [type, image] containers, named c0, c1, ….
_input(ctrs) := t.deployment_input({}, [[x[0], {"name": sprintf("c%v", [n]), "image": x[1]}] | some n, x in ctrs])


test_latest_fires_at_image if {
	v := t.only(rule.report) with input as _input([["container", "ghcr.io/example/web:latest"]])
	v.resource == 0
	v.path == ["spec", "template", "spec", "containers", 0, "image"]
	contains(v.message, "container \"c0\" of Deployment web uses image \"ghcr.io/example/web:latest\" with the tag \"latest\"")
	not v.severity
}

test_no_tag_fires_also_behind_registry_port if {
	report := rule.report with input as _input([["init", "nginx"], ["container", "registry.local:5000/team/app"]])
	count(report) == 2
	some v in report
	v.path == ["spec", "template", "spec", "initContainers", 0, "image"]
	contains(v.message, "init container \"c0\"")
	contains(v.message, "with no tag")
}

test_empty_tag_is_an_error if {
	v := t.only(rule.report) with input as _input([["container", "example/report:"]])
	v.severity == "error"
	contains(v.message, "empty tag")
	contains(v.message, "InvalidImageName")
}

test_pinned_and_digest_pass if {
	count(rule.report) == 0 with input as _input([
		["container", "nginx:1.27"],
		["container", "registry.local:5000/team/app:2.0.1"],
		["container", "quay.io/x/y@sha256:0123456789abcdef"],
		["init", "busybox:latest@sha256:0123456789abcdef"],
	])
}

test_ephemeral_containers_judged_too if {
	count(rule.report) == 1 with input as _input([["ephemeral", "busybox"]])
}

test_missing_or_non_string_image_ignored if {
	count(rule.report) == 0 with input as _input([["container", null], ["container", ""], ["container", 5]])
}
