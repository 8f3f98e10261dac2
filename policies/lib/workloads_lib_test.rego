package chartguard.lib.workloads_lib_test

import data.chartguard.lib.workloads_lib as wl

test_image_tag if {
	wl.image_tag("nginx:1.27") == "1.27"
	wl.image_tag("registry:5000/team/app:2.0") == "2.0"
	wl.image_tag("repo:") == ""
	not wl.image_tag("nginx")
	not wl.image_tag("registry:5000/app")
	not wl.image_tag("nginx@sha256:abc")
}

test_image_mutable_reason if {
	wl.image_mutable_reason("nginx") == "no tag (it means :latest)"
	wl.image_mutable_reason("registry.local:5000/team/app") == "no tag (it means :latest)"
	wl.image_mutable_reason("ghcr.io/x/app:latest") == "the tag \"latest\""
	wl.image_mutable_reason("ghcr.io/x/app:LATEST") == "the tag \"LATEST\""
	not wl.image_mutable_reason("nginx:1.27")
	not wl.image_mutable_reason("registry:5000/app:1.0")
	not wl.image_mutable_reason("nginx@sha256:0123")
	not wl.image_mutable_reason("nginx:latest@sha256:0123")
	not wl.image_mutable_reason("repo:")
	wl.image_tag_empty("repo:")
	wl.image_tag_empty("registry:5000/repo:")
	not wl.image_tag_empty("registry:5000/repo")
}

test_api_group if {
	wl.api_group("apps/v1") == "apps"
	wl.api_group("v1") == ""
	wl.api_group("monitoring.coreos.com/v1") == "monitoring.coreos.com"
	wl.api_group(null) == ""
}

_res(kind, api_version, ns) := {"kind": kind, "api_version": api_version, "name": "x", "namespace": ns, "object": {}}

test_cluster_scoped if {
	inp := {"resources": [
		_res("ClusterRole", "rbac.authorization.k8s.io/v1", null),
		_res("ConfigMap", "v1", null),
		_res("Widget", "example.com/v1", null),
		{"kind": "CustomResourceDefinition", "api_version": "apiextensions.k8s.io/v1", "name": "widgets.example.com", "namespace": null, "object": {"spec": {"group": "example.com", "scope": "Cluster", "names": {"kind": "Widget"}}}},
		_res("ClusterIssuer", "cert-manager.io/v1", null),
		_res("Cluster", "postgresql.cnpg.io/v1", null),
	]}
	wl.cluster_scoped(0) with input as inp
	not wl.cluster_scoped(1) with input as inp
	wl.cluster_scoped(2) with input as inp
	not wl.cluster_scoped(4) with input as inp
	wl.maybe_cluster_scoped(4) with input as inp
	not wl.maybe_cluster_scoped(5) with input as inp
}

test_effective_namespace if {
	inp := {"release": {"name": "r", "namespace": "prod"}, "resources": [
		_res("ConfigMap", "v1", null),
		_res("ConfigMap", "v1", "other"),
		_res("ClusterRole", "rbac.authorization.k8s.io/v1", "other"),
	]}
	wl.effective_namespace(0) == "prod" with input as inp
	wl.effective_namespace(1) == "other" with input as inp
	wl.effective_namespace(2) == "" with input as inp
	not wl.effective_namespace(0) with input as object.union(inp, {"release": null})
}

test_describe_with_group if {
	inp := {"resources": [
		{"kind": "Deployment", "api_version": "apps/v1", "name": "web", "namespace": "prod"},
		{"kind": "ConfigMap", "api_version": "v1", "name": "web", "namespace": null},
	]}
	wl.describe_with_group(0) == "Deployment.apps prod/web" with input as inp
	wl.describe_with_group(1) == "ConfigMap web" with input as inp
}

_ctr(pod_spec, ctr) := {
	"input": {"resources": [{"kind": "Deployment", "name": "web", "namespace": null, "object": {"spec": {"template": {"spec": pod_spec}}}}]},
	"c": {"resource": 0, "pod_path": ["spec", "template", "spec"], "path": ["spec", "template", "spec", "containers", 0], "type": "container", "container": ctr},
}

test_security_context_helpers if {
	x := _ctr({"securityContext": {"runAsNonRoot": true}, "os": {"name": "windows"}}, {"name": "app", "securityContext": {"privileged": true}})
	wl.pod_sc(x.c) == {"runAsNonRoot": true} with input as x.input
	wl.container_sc(x.c) == {"privileged": true} with input as x.input
	wl.privileged(x.c) with input as x.input
	wl.windows_pod(x.c) with input as x.input
	not wl.hardening_target(x.c) with input as x.input

	y := _ctr({"securityContext": null}, {"name": "app", "securityContext": null})
	wl.pod_sc(y.c) == {} with input as y.input
	wl.container_sc(y.c) == {} with input as y.input
	not wl.privileged(y.c) with input as y.input
	wl.hardening_target(y.c) with input as y.input
	not wl.hardening_target(object.union(y.c, {"type": "ephemeral"})) with input as y.input
}

test_image_repository if {
	wl.image_repository("nginx:1.27") == "docker.io/library/nginx"
	wl.image_repository("bitnami/redis") == "docker.io/bitnami/redis"
	wl.image_repository("GHCR.io/acme/app@sha256:abc") == "ghcr.io/acme/app"
	wl.image_repository("registry:5000/team/app:2.0") == "registry:5000/team/app"
	wl.image_repository("localhost/app") == "localhost/app"
	wl.image_repository("index.docker.io/library/nginx:1") == "docker.io/library/nginx"
	wl.image_repository("quay.io/prometheus/node-exporter:v1.8.2@sha256:abc") == "quay.io/prometheus/node-exporter"
}

test_repository_within if {
	wl.repository_within("ghcr.io/acme/app", "ghcr.io/acme")
	wl.repository_within("ghcr.io/acme/app", "GHCR.IO/acme/")
	wl.repository_within("ghcr.io/acme/app", "ghcr.io/acme/app")
	not wl.repository_within("ghcr.io/acme-evil/app", "ghcr.io/acme")
	wl.repository_within("docker.io/library/nginx", "index.docker.io")
	not wl.repository_within("docker.io/library/nginx", "")
}

test_effective_sc_takes_non_null_container_fields_over_the_pod if {
	pod := {"runAsUser": 0, "runAsNonRoot": true, "fsGroup": 2}
	c := {"resource": 0, "pod_path": ["spec"], "container": {"securityContext": {"runAsUser": 1000, "runAsNonRoot": null}}}
	inp := {"resources": [{"object": {"spec": {"securityContext": pod}}}]}
	wl.effective_sc(c) == {"runAsUser": 1000, "runAsNonRoot": true, "fsGroup": 2} with input as inp
	# The Rust-computed field, when present, is used as is.
	wl.effective_sc(object.union(c, {"effective_security_context": {"x": 1}})) == {"x": 1} with input as inp
}
