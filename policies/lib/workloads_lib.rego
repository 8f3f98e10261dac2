# Helpers for the workloads/security rules (image tags, security contexts) and the release
# rules (object identity, cluster-scoped kinds). Every helper has a test in
# workloads_lib_test.rego.
package chartguard.lib.workloads_lib

import data.chartguard.lib
import data.chartguard.lib.relations_lib as rel

# ---- Images -----------------------------------------------------------------------------------

# True when the image reference carries a digest (`repo@sha256:…`, `repo:1.2@sha256:…`).
image_has_digest(image) if contains(image, "@")

# The tag of an image reference without a digest: the text after the last ":" of the last
# path component ("" for `repo:`). Undefined when there is no tag at all. A registry port
# (`registry:5000/app`) is in an earlier component, so it is not a tag.
image_tag(image) := tag if {
	not image_has_digest(image)
	parts := split(image, "/")
	last := parts[count(parts) - 1]
	contains(last, ":")
	pieces := split(last, ":")
	tag := pieces[count(pieces) - 1]
}

# Why the image reference is mutable ("no tag (…)", "the tag \"latest\""), undefined when it is
# pinned (a tag other than latest, or a digest) or when its tag is empty (see image_tag_empty).
image_mutable_reason(image) := "no tag (it means :latest)" if {
	not image_has_digest(image)
	not image_tag(image)
} else := sprintf("the tag %q", [tag]) if {
	tag := image_tag(image)
	lower(tag) == "latest"
}

# `repo:` – the tag value was empty (an unset `.Values.image.tag`): not a valid reference.
image_tag_empty(image) if image_tag(image) == ""

# The repository an image reference pulls from, as the container runtime resolves it
# (the distribution reference rules): registry host, then path, without tag or digest. The
# first component is a registry only when it has a "." or ":" or is "localhost"; otherwise
# the image is on Docker Hub, whose official images live under library/. The host is
# lower-cased and Docker Hub's other names are docker.io.
# "nginx:1.27" → "docker.io/library/nginx"; "ghcr.io/acme/app@sha256:…" → "ghcr.io/acme/app".
image_repository(image) := repo if {
	name := split(image, "@")[0]
	parts := split(name, "/")
	last := split(parts[count(parts) - 1], ":")[0]
	path := array.concat(array.slice(parts, 0, count(parts) - 1), [last])
	repo := _qualified(path)
}

_qualified(path) := concat("/", array.concat([_hub_alias(lower(path[0]))], array.slice(path, 1, count(path)))) if {
	count(path) > 1
	_is_registry(path[0])
} else := concat("/", array.concat(["docker.io", "library"], path)) if {
	count(path) == 1
} else := concat("/", array.concat(["docker.io"], path))

_is_registry(c) if contains(c, ".")

_is_registry(c) if contains(c, ":")

_is_registry(c) if c == "localhost"

_hub_alias(host) := "docker.io" if host in {"index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"}
else := host

# True when `repo` (an image_repository) is `prefix` or below it, whole components only:
# "ghcr.io/acme" holds "ghcr.io/acme/app", not "ghcr.io/acme-evil/app". The prefix is
# normalised like a reference's registry (case, Docker Hub's aliases, a trailing "/").
repository_within(repo, prefix) if {
	p := _normal_prefix(prefix)
	p != ""
	_prefix_of(repo, p)
}

_prefix_of(repo, p) if repo == p

_prefix_of(repo, p) if startswith(repo, concat("", [p, "/"]))

_normal_prefix(prefix) := concat("/", array.concat([_hub_alias(lower(parts[0]))], array.slice(parts, 1, count(parts)))) if {
	parts := split(trim_right(prefix, "/"), "/")
}

# ---- Security contexts ------------------------------------------------------------------------

# The container's securityContext ({} when absent or not an object).
container_sc(c) := c.container.securityContext if is_object(c.container.securityContext)
else := {}

# The securityContext of the pod the container belongs to ({} when absent).
# (input.containers entries carry it, computed in Rust; entries a test writes by hand may not.)
pod_sc(c) := c.pod_security_context if is_object(c.pod_security_context)
else := pod_security_context(c.resource, c.pod_path)

# The securityContext fields that apply to container c: each non-null field of its own
# securityContext, else of its pod's (input.containers entries carry it, computed in Rust).
effective_sc(c) := c.effective_security_context if is_object(c.effective_security_context)
else := object.union(_non_null(pod_sc(c)), _non_null(container_sc(c)))

_non_null(sc) := {k: v | some k, v in sc; v != null}

# The securityContext of the PodSpec at `pod_path` of input.resources[i] ({} when absent), for
# rules that judge a pod once rather than each of its containers.
pod_security_context(i, pod_path) := sc if {
	sc := object.get(input.resources[i].object, array.concat(pod_path, ["securityContext"]), {})
	is_object(sc)
} else := {}

# Windows pods (spec.os.name: windows) have no Linux security settings: seccomp, capabilities,
# privilege escalation, read-only root filesystems, privileged mode and UIDs (they name a user
# in windowsOptions.runAsUserName instead) do not apply.
# (`windows` of input.containers entries, computed in Rust; read from the object when absent.)
windows_pod(c) if c.windows == true

windows_pod(c) if {
	not is_boolean(c.windows)
	object.get(input.resources[c.resource].object, array.concat(c.pod_path, ["os", "name"]), "") == "windows"
}

# The container runs privileged (securityContext.privileged: true).
privileged(c) if container_sc(c).privileged == true

# Containers the Linux hardening rules judge: regular and init containers (ephemeral ones are
# added by `kubectl debug`, never by a chart), outside Windows pods.
hardening_target(c) if {
	c.type != "ephemeral"
	not windows_pod(c)
}

# ---- Identity ---------------------------------------------------------------------------------

# The API group of an apiVersion: "apps" for apps/v1, "" for v1 (the core group).
api_group(api_version) := g if {
	is_string(api_version)
	contains(api_version, "/")
	g := split(api_version, "/")[0]
} else := ""

# Kinds of the built-in API, and of well-known extensions, that have no namespace.
cluster_scoped_kinds := {
	"APIService", "CertificateSigningRequest", "ClusterRole", "ClusterRoleBinding",
	"ComponentStatus", "CSIDriver", "CSINode", "CustomResourceDefinition", "DeviceClass",
	"FlowSchema", "IngressClass", "IPAddress", "MutatingAdmissionPolicy",
	"MutatingAdmissionPolicyBinding", "MutatingWebhookConfiguration", "Namespace", "Node",
	"PersistentVolume", "PodSecurityPolicy", "PriorityClass", "PriorityLevelConfiguration",
	"ResourceSlice", "RuntimeClass", "SelfSubjectAccessReview", "SelfSubjectRulesReview",
	"ServiceCIDR", "StorageClass", "StorageVersionMigration", "TokenReview",
	"ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
	"ValidatingWebhookConfiguration", "VolumeAttachment", "VolumeAttributesClass",
}

# Kinds that a CustomResourceDefinition in the release declares cluster-scoped, as
# [group, kind] pairs.
_crd_cluster_kinds contains pair if {
	some i in rel.of_kind("CustomResourceDefinition")
	r := input.resources[i]
	r.object.spec.scope == "Cluster"
	group := r.object.spec.group
	kind := r.object.spec.names.kind
	pair := [group, kind]
}

# True when input.resources[i] is known to have no namespace: a built-in cluster-scoped kind,
# or a kind whose CustomResourceDefinition in the release says scope Cluster.
cluster_scoped(i) if input.resources[i].kind in cluster_scoped_kinds

cluster_scoped(i) if {
	r := input.resources[i]
	[api_group(r.api_version), r.kind] in _crd_cluster_kinds
}

# cluster_scoped, or probably so: a custom kind named Cluster* (ClusterIssuer,
# ClusterSecretStore, ClusterPolicy…, the convention for cluster-scoped custom kinds; a few
# namespaced ones exist, e.g. Cluster API's ClusterClass). For rules that stay quiet on them.
maybe_cluster_scoped(i) if cluster_scoped(i)

maybe_cluster_scoped(i) if {
	kind := input.resources[i].kind
	is_string(kind)
	startswith(kind, "Cluster")
	kind != "Cluster"
}

# The namespace input.resources[i] lands in: "" for cluster-scoped objects, its
# metadata.namespace when written, else the release namespace (input.release.namespace);
# undefined when neither is known (plain manifests with no metadata.namespace).
effective_namespace(i) := "" if {
	cluster_scoped(i)
} else := ns if {
	ns := input.resources[i].namespace
	is_string(ns)
	ns != ""
} else := ns if {
	ns := input.release.namespace
	is_string(ns)
}

# "Deployment.apps web" / "Deployment.apps prod/web" (kind.group, core kinds without a group):
# lib.describe with the API group, for messages about an object's identity.
describe_with_group(i) := sprintf("%s.%s %s", [r.kind, g, _ns_name(r)]) if {
	r := input.resources[i]
	g := api_group(r.api_version)
	g != ""
} else := lib.describe(i)

_ns_name(r) := sprintf("%s/%s", [r.namespace, r.name]) if is_string(r.namespace)
else := r.name
