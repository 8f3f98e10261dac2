# Object-to-object lookups for rules that match objects of a release to each other:
# label-selector indexes (pod templates, Services), objects by kind and name, HPAs by target,
# and the Secrets / ConfigMaps the release creates. The indexes are computed once in Rust
# (input.index, src/evaluate/index.rs; shape in policies/README.md), so a rule never loops
# resources × resources (releases have 10,000 objects) nor rebuilds an index per query.
# Tested in relations_lib_test.rego.
package chartguard.lib.relations_lib

import data.chartguard.lib

# ---- the index ------------------------------------------------------------------------------

# input.index; for an input a test wrote by hand, the same index built by the same Rust code
# (the chartguard.index extension).
index := input.index if is_object(input.index)
else := chartguard.index(input)

# Objects of `kind` (indexes into input.resources, ascending).
of_kind(kind) := object.get(index.by_kind, kind, [])

# Helm hooks and tests (`hook` not null), ascending: rules about hooks iterate these instead of
# every resource. (A function, as custom_workloads_present below; the argument is unused.)
hooks(_) := index.hooks

# Objects with a helm.sh/hook annotation, ascending: the hooks and the objects Helm skips for an
# event it does not know. (The argument is unused.)
hook_annotated(_) := index.hook_annotated

# Objects by kind and name (index.by_name; names that are not strings are ""): copies share
# kind and name, so a rule looking for them reads the groups here instead of grouping every
# object itself. (The argument is unused.)
names_by_kind(_) := index.by_name

# What ordinary object i selects, resolved: {"pods": [...]} (indexes into input.pods) for a
# Service, PodDisruptionBudget or NetworkPolicy; {"services": [...]} for a ServiceMonitor;
# {"targets": [...]} for a HorizontalPodAutoscaler; {} for the rest.
selects(i) := index.selects[i]

# The ordinary objects selecting object i, its pod template, or (for a Service) it.
selected_by(i) := index.selected_by[i]

# ---- namespaces ------------------------------------------------------------------------------

# A null namespace is the release namespace, which may be the one another object names
# explicitly: only two different explicit namespaces are known to differ.
same_namespace(a, b) if not _different_namespaces(a, b)

# Some of `objects` (indexes into input.resources) is in object r's namespace, as
# same_namespace decides: what rules need of named(…) or creators(…) without building the
# set, one call per reference (speed at 10,000 objects). Equal namespaces first: that settles
# most references, in manifests without namespaces and in charts that write the release's
# namespace everywhere.
any_same_namespace(objects, r) if {
	some i in objects
	input.resources[i].namespace == input.resources[r].namespace
} else := true if {
	count(objects) > 0
	not is_string(input.resources[r].namespace)
} else := true if {
	some i in objects
	not is_string(input.resources[i].namespace)
}

# [name, namespace] of every object of `groups` ({name: [i, …]}, as names_by_kind(_) holds per
# kind), its namespace as written: a rule builds it once, so that a reference to an object of
# the same name in its own namespace (written alike, or both null) is settled by one lookup,
# and any_same_namespace, a call into this package, is asked only of the rest (it holds for
# every pair found here; an object a test writes without the namespace key gives no pair, and
# the call decides). ~2 µs an object, against ~4 µs saved for each reference it settles.
name_namespaces(groups) := {[name, ns] |
	some name, objects in groups
	some i in objects
	ns := input.resources[i].namespace
}

_different_namespaces(a, b) if {
	na := input.resources[a].namespace
	nb := input.resources[b].namespace
	is_string(na)
	is_string(nb)
	na != nb
}

# The namespaces object i is known to live in: its own, and the release's when it has none.
own_namespaces(i) := {ns | ns := input.resources[i].namespace; is_string(ns)} if {
	is_string(input.resources[i].namespace)
} else := {ns | ns := input.release.namespace; is_string(ns)}

# ---- generic lookups ------------------------------------------------------------------------------

# Objects of `kind` named `name` that can live in the namespace of object r (hooks included).
named(kind, name, r) := {i | some i in _named(kind, name); same_namespace(i, r)}

# Objects of `kind` named `name`, whatever their namespace (cluster-scoped kinds).
named_anywhere(kind, name) := {i | some i in _named(kind, name)}

_named(kind, name) := l if {
	l := index.by_name[kind][name]
} else := []

# The API group of an apiVersion ("" for the core group).
api_group(api_version) := g if {
	contains(api_version, "/")
	g := split(api_version, "/")[0]
} else := ""

# ---- pod templates ------------------------------------------------------------------------------

# Indices into input.pods of the pod templates that serve traffic and count for disruption
# budgets: those of ordinary objects (hooks' and helm tests' pods excluded).
target_pods contains p if {
	some p, pod in input.pods
	input.resources[pod.resource].hook == null
}

pod_labels(p) := l if {
	l := input.pods[p].labels
	is_object(l)
} else := {}

# Target pod templates a Service-style selector (plain map) selects, in r's namespace.
pods_matching_map(selector, r) := {p |
	is_object(selector)
	count(selector) > 0
	some p in _rarest(index.pods_by_label, selector)
	lib.map_selector_matches(selector, pod_labels(p))
	same_namespace(input.pods[p].resource, r)
}

# Target pod templates a LabelSelector (matchLabels / matchExpressions) selects, in r's namespace.
pods_matching_selector(selector, r) := {p |
	some p in _selector_candidates(index.pods_by_label, target_pods, selector)
	lib.selector_matches(selector, pod_labels(p))
	same_namespace(input.pods[p].resource, r)
}

# True when the release holds custom resources that may run pods of their own (an operator's
# Prometheus, Cluster, Rollout…): pods a selector may legitimately target without any pod
# template in the release. Kinds known not to run pods are listed below.
has_custom_workloads if {
	some kind, api_versions in index.api_versions
	not _passive_custom_kinds[kind]
	some api_version in api_versions
	not _builtin_groups[api_group(api_version)]
}

# has_custom_workloads for rules in other packages: regorus evaluates a rule referenced from
# another package far more slowly (~250 ms at 10,000 objects) than one reached through a
# function of its own package (~25 ms). Call this, not rel.has_custom_workloads. (The argument
# is unused: Rego functions take one.)
custom_workloads_present(_) if has_custom_workloads

# Target pod templates with label k=v, for other packages (see above).
pods_with_label(k, v) := {p | some p in _bucket(index.pods_by_label, k, v)}

_builtin_groups := {
	"", "apps", "batch", "policy", "autoscaling", "extensions", "networking.k8s.io",
	"rbac.authorization.k8s.io", "apiextensions.k8s.io", "admissionregistration.k8s.io",
	"storage.k8s.io", "scheduling.k8s.io", "coordination.k8s.io", "certificates.k8s.io",
	"apiregistration.k8s.io", "discovery.k8s.io", "node.k8s.io", "flowcontrol.apiserver.k8s.io",
	"events.k8s.io", "authentication.k8s.io", "authorization.k8s.io", "resource.k8s.io",
	"gateway.networking.k8s.io", "snapshot.storage.k8s.io", "metrics.k8s.io",
}

_passive_custom_kinds := {
	# prometheus-operator
	"ServiceMonitor", "PodMonitor", "PrometheusRule", "Probe", "ScrapeConfig", "AlertmanagerConfig",
	# external-secrets, sealed-secrets, cert-manager, vault, secrets-store CSI
	"ExternalSecret", "ClusterExternalSecret", "SecretStore", "ClusterSecretStore", "PushSecret",
	"SealedSecret", "Certificate", "Issuer", "ClusterIssuer", "CertificateRequest",
	"VaultStaticSecret", "VaultDynamicSecret", "VaultPKISecret", "VaultAuth", "VaultConnection",
	"SecretProviderClass",
	# flagger, keda, vpa
	"Canary", "MetricTemplate", "AlertProvider", "ScaledObject", "TriggerAuthentication",
	"ClusterTriggerAuthentication", "VerticalPodAutoscaler",
	# ingress / mesh routing
	"IngressRoute", "IngressRouteTCP", "IngressRouteUDP", "Middleware", "MiddlewareTCP", "TLSOption",
	"TLSStore", "ServersTransport", "ServersTransportTCP", "TraefikService", "VirtualService",
	"DestinationRule", "Gateway", "ServiceEntry", "Sidecar", "EnvoyFilter", "PeerAuthentication",
	"AuthorizationPolicy", "RequestAuthentication", "BackendConfig", "FrontendConfig",
	"ManagedCertificate", "CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy",
	# dashboards
	"GrafanaDashboard", "GrafanaDatasource", "GrafanaFolder",
}

# ---- Services ------------------------------------------------------------------------------

# Ordinary (non-hook) Services of the release.
services contains i if {
	some i in of_kind("Service")
	input.resources[i].hook == null
}

service_labels(i) := l if {
	l := input.resources[i].object.metadata.labels
	is_object(l)
} else := {}

# Services whose metadata.labels a LabelSelector selects, in r's namespace.
services_matching_selector(selector, r) := {i |
	some i in _selector_candidates(index.services_by_label, services, selector)
	lib.selector_matches(selector, service_labels(i))
	same_namespace(i, r)
}

# ---- selector helpers ------------------------------------------------------------------------------

# A LabelSelector can only select labels containing all its matchLabels: start from the
# objects holding its rarest pair (all objects when it has none). `by_label`: an index's
# label → value → objects map.
_selector_candidates(by_label, all, selector) := _rarest(by_label, ml) if {
	is_object(selector)
	ml := selector.matchLabels
	is_object(ml)
	count(ml) > 0
} else := all if {
	is_object(selector)
} else := set()

# The smallest bucket of the selector's pairs.
_rarest(by_label, ml) := min([[count(b), b] | some k, v in ml; b := _bucket(by_label, k, v)])[1]

_bucket(by_label, k, v) := b if {
	b := by_label[k][v]
} else := []

# ---- autoscalers ------------------------------------------------------------------------------

# HPAs of the release that scale object i (ordinary ones, from the index's selections).
hpas_for(i) := {h |
	some h in index.selected_by[i]
	input.resources[h].kind == "HorizontalPodAutoscaler"
}

# ---- Secrets and ConfigMaps the release creates ------------------------------------------------

# Secret name -> objects of the release that create it (hooks included): Secrets,
# ExternalSecrets (spec.target.name, default their own name), SealedSecrets, cert-manager
# Certificates (spec.secretName), Vault Secrets Operator objects (spec.destination.name),
# SecretProviderClass secretObjects, CloudNativePG Clusters (a Cluster `db` creates db-app,
# db-superuser, db-ca, db-server and db-replication) and Crossplane-style
# spec.writeConnectionSecretToRef.name. Computed in Rust (input.index.created).
created_secrets := index.created.Secret

# ConfigMap name -> ConfigMaps of the release that carry it.
created_configmaps := index.created.ConfigMap

# The objects creating Secret (kind "Secret") or ConfigMap `name` visible from object r.
creators(kind, name, r) := {i | some i in object.get(index.created, [kind, name], []); same_namespace(i, r)} if {
	kind in {"Secret", "ConfigMap"}
}

# ---- what a pod template references ---------------------------------------------------------

# What input.pods[p] names and cannot start without: the entries of
# pod_spec_refs(pod.path, pod.spec) (below), computed once in Rust (input.index.pod_refs).
pod_refs(p) := index.pod_refs[p]

# pod_refs of every pod template ({p: [ref, …]}), and creators' objects for every
# [kind, name] without the namespace test ({[kind, name]: [i, …]}), for a rule that goes
# through them all in one pass. (The argument is unused: functions, so a rule of another
# package reads them without making regorus evaluate this package's other rules.)
all_pod_refs(_) := index.pod_refs

all_created(_) := index.created

# ---- what a pod spec references ------------------------------------------------------------------

# The objects the PodSpec `spec` (at `path` in its object) names and cannot start without, one
# entry per reference: {"kind", "name", "path", "source"}, `path` pointing at the name. Optional
# references are left out, and so are names that are not non-empty strings. `source` says where
# the reference sits, for messages: {"type": "env" | "envFrom", "field", "container" (shaped like
# an input.containers entry: "type", "container"), "index", "entry"} for init and regular
# containers' env valueFrom (secretKeyRef, configMapKeyRef) and envFrom (secretRef,
# configMapRef); {"type": "volume" | "projected", "field", "index", "entry"} for secret,
# configMap and persistentVolumeClaim volumes and projected volume sources (`entry`: the volume);
# {"type": "pod", "field"} for serviceAccountName / serviceAccount (other than "default", which
# every namespace has) and imagePullSecrets.
#
# For the pod templates of the input, the same entries are computed once in Rust: pod_refs(p).
pod_spec_refs(path, spec) := (_container_refs(path, spec) | _volume_refs(path, spec)) | (_projected_refs(path, spec) | _pod_refs(path, spec))

# (One comprehension per kind of reference, no helper per container: this runs for every pod
# template of a 10,000-object release.)
_container_refs(path, spec) := {ref |
	some field, type in _container_types
	ctrs := spec[field]
	is_array(ctrs)
	some n, ctr in ctrs
	some list, sources in _container_sources
	entries := ctr[list]
	is_array(entries)
	some k, e in entries
	is_object(e)
	some src, kind in sources
	at := array.concat(_source_at[list], [src])
	sel := object.get(e, at, null)
	_required(sel)
	ref := {
		"kind": kind, "name": sel.name,
		"path": array.concat(array.concat(path, [field, n, list, k]), array.concat(at, ["name"])),
		"source": {"type": list, "field": src, "container": {"type": type, "container": ctr}, "index": k, "entry": e},
	}
}

# env[].valueFrom.secretKeyRef, envFrom[].secretRef, …
_container_sources := {
	"env": {"secretKeyRef": "Secret", "configMapKeyRef": "ConfigMap"},
	"envFrom": {"secretRef": "Secret", "configMapRef": "ConfigMap"},
}

_source_at := {"env": ["valueFrom"], "envFrom": []}

_container_types := {"initContainers": "init", "containers": "container"}

_volume_sources := {
	"secret": ["Secret", "secretName"],
	"configMap": ["ConfigMap", "name"],
	"persistentVolumeClaim": ["PersistentVolumeClaim", "claimName"],
}

_volume_refs(path, spec) := {ref |
	is_array(spec.volumes)
	some n, vol in spec.volumes
	some src, kn in _volume_sources
	v := vol[src]
	is_object(v)
	not v.optional == true
	_valid_name(v[kn[1]])
	ref := {
		"kind": kn[0], "name": v[kn[1]],
		"path": array.concat(path, ["volumes", n, src, kn[1]]),
		"source": {"type": "volume", "field": src, "index": n, "entry": vol},
	}
}

_projected_refs(path, spec) := {ref |
	is_array(spec.volumes)
	some n, vol in spec.volumes
	is_array(vol.projected.sources)
	some m, source in vol.projected.sources
	some src, kind in {"secret": "Secret", "configMap": "ConfigMap"}
	v := source[src]
	_required(v)
	ref := {
		"kind": kind, "name": v.name,
		"path": array.concat(path, ["volumes", n, "projected", "sources", m, src, "name"]),
		"source": {"type": "projected", "field": src, "index": n, "entry": vol},
	}
}

_pod_refs(path, spec) := {ref |
	some field in ["serviceAccountName", "serviceAccount"]
	name := spec[field]
	name != "default"
	_valid_name(name)
	ref := {"kind": "ServiceAccount", "name": name, "path": array.concat(path, [field]), "source": {"type": "pod", "field": field}}
} | {ref |
	is_array(spec.imagePullSecrets)
	some n, s in spec.imagePullSecrets
	_valid_name(s.name)
	ref := {"kind": "Secret", "name": s.name, "path": array.concat(path, ["imagePullSecrets", n, "name"]), "source": {"type": "pod", "field": "imagePullSecrets"}}
}

_required(sel) if {
	is_object(sel)
	not sel.optional == true
	_valid_name(sel.name)
}

_valid_name(name) if {
	is_string(name)
	name != ""
}

# ---- Kubernetes versions ------------------------------------------------------------------------

# "1.33", "v1.33.2" -> [1, 33]. Undefined when malformed.
version_pair(v) := [to_number(m[1]), to_number(m[2])] if {
	is_string(v)
	m := regex.find_all_string_submatch_n(`^v?([0-9]+)\.([0-9]+)`, v, 1)[0]
}

# True when version a ("1.33") is at least version b ("1.25").
version_at_least(a, b) if {
	pa := version_pair(a)
	pb := version_pair(b)
	pa[0] > pb[0]
}

version_at_least(a, b) if {
	pa := version_pair(a)
	pb := version_pair(b)
	pa[0] == pb[0]
	pa[1] >= pb[1]
}

# ---- RBAC ------------------------------------------------------------------------------

# True when a Role or ClusterRole of the release lets someone create objects of `resource`
# ("secrets", "configmaps"): a hook Job or controller of the release creates them at run time
# (certificate generators, password initialisers), so references to them may be satisfied
# without a manifest.
rbac_creates(resource) if resource in rbac_creatable

# The core-group resources ("secrets", "configmaps", or "*") some Role or ClusterRole of the
# release may create. A rule, so it is computed once per evaluation.
rbac_creatable contains resource if {
	some kind in ["Role", "ClusterRole"]
	some i in of_kind(kind)
	r := input.resources[i]
	rules := r.object.rules
	is_array(rules)
	some rule in rules
	_in_or_star(rule, "apiGroups", "")
	_in_or_star(rule, "verbs", "create")
	some resource in rule.resources
}

rbac_creates(resource) if "*" in rbac_creatable

_in_or_star(rule, field, value) if {
	list := rule[field]
	is_array(list)
	some x in list
	x in {value, "*"}
}
