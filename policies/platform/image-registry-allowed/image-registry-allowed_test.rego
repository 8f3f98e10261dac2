package chartguard.rules.platform["image-registry-allowed_test"]

import data.chartguard.lib.testing as t
import data.chartguard.rules.platform["image-registry-allowed"] as rule

_input(images) := t.deployment_input({}, [["container", {"name": sprintf("c%d", [n]), "image": image}] | some n, image in images])

test_off_by_default if {
	count(rule.report) == 0 with input as _input(["nginx:1.27", "evil.example/x:1"])
}

test_images_outside_the_allowed_registries if {
	report := rule.report with input as _input(["registry.example.com/team/app:1.0", "nginx:1.27", "ghcr.io/acme-evil/app:2"])
		with data.params["image-registry-allowed"].registries as ["registry.example.com", "ghcr.io/acme"]
	count(report) == 2
	some v in report
	v.path == ["spec", "template", "spec", "containers", 1, "image"]
	contains(v.message, "pulls \"nginx:1.27\" (docker.io/library/nginx), which is not in an allowed registry (registry.example.com, ghcr.io/acme)")
}

test_docker_hub_by_its_names if {
	count(rule.report) == 0 with input as _input(["nginx:1.27", "index.docker.io/bitnami/redis:7"])
		with data.params["image-registry-allowed"].registries as ["docker.io"]
	count(rule.report) == 1 with input as _input(["nginx:1.27", "bitnami/redis:7"])
		with data.params["image-registry-allowed"].registries as ["docker.io/library"]
}
