# METADATA
# title: Pods meet the rest of Pod Security baseline
# description: >-
#   The Pod Security "baseline" checks no other rule covers, on every pod template (hooks and
#   helm tests included): no unmasked `/proc` (procMount), only safe sysctls, no Windows
#   HostProcess containers, no custom SELinux user, role or type beyond the container types,
#   no Unconfined AppArmor profile (field or annotation) — errors, the namespace's Pod
#   Security admission rejects them. Running with group 0 (runAsGroup, fsGroup,
#   supplementalGroups) is a warning: files owned by root's group become the container's.
# custom:
#   id: pod-security-baseline
#   severity: warning
#   profiles: [dev, prod]
#   scope: object
#   tags: [security, pod-security]
#   security-severity: 7.0
#   why: >-
#     Each of these switches off one layer of isolation between the container and the node:
#     an unmasked /proc exposes kernel interfaces, unsafe sysctls change settings shared by
#     every pod on the node, a HostProcess container runs directly on the Windows host, and a
#     custom SELinux type or an unconfined AppArmor profile removes the mandatory access
#     control that contains a compromised process. Namespaces labelled
#     `pod-security.kubernetes.io/enforce: baseline` (or restricted) reject such pods at
#     admission, so the release fails in exactly the clusters that are hardened.
#   fix: >-
#     Remove the setting: `procMount: Default` (or omit it), only the safe sysctls
#     (net.ipv4.ip_local_port_range, net.ipv4.tcp_syncookies, …), no `hostProcess`, SELinux
#     types container_t / container_init_t / container_kvm_t only, AppArmor RuntimeDefault or
#     Localhost, and a non-zero runAsGroup / fsGroup. A node agent that needs one runs in a
#     namespace with a Pod Security exception; suppress the finding there with the reason.
#   references:
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
package chartguard.rules.workloads["pod-security-baseline"]

import data.chartguard.lib

_safe_sysctls := {
	"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
	"net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
	"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
	"net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem",
}

_selinux_types := {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}

# ---- container settings ----------------------------------------------------------------

report contains {"resource": c.resource, "path": path, "message": msg, "severity": "error"} if {
	some k, sc in _judged_containers
	count(object.filter(sc, _sc_fields)) > 0
	some [sub, problem] in _sc_problems(sc)
	c := input.containers[k]
	path := array.concat(c.path, array.concat(["securityContext"], sub))
	msg := sprintf("%s of %s %s: Pod Security baseline rejects it", [lib.container_label(c), lib.describe(c.resource), problem])
}

report contains {"resource": c.resource, "path": array.concat(c.path, ["securityContext", "runAsGroup"]), "message": msg} if {
	some k, sc in _judged_containers
	sc.runAsGroup == 0
	c := input.containers[k]
	msg := sprintf("%s of %s runs with runAsGroup: 0 (root's group): files the node or image gives to group 0 are its", [lib.container_label(c), lib.describe(c.resource)])
}

# ---- pod settings ---------------------------------------------------------------------------

report contains {"resource": p.resource, "path": path, "message": msg, "severity": "error"} if {
	some k, sc in _judged_pods
	count(object.filter(sc, _pod_fields)) > 0
	some [sub, problem] in _pod_problems(sc)
	p := input.pods[k]
	path := array.concat(p.path, array.concat(["securityContext"], sub))
	msg := sprintf("%s %s: Pod Security baseline rejects it", [lib.describe(p.resource), problem])
}

report contains {"resource": p.resource, "path": array.concat(p.path, ["securityContext", field]), "message": msg} if {
	some k, sc in _judged_pods
	some field in _group_fields
	sc[field] == 0
	p := input.pods[k]
	msg := sprintf("%s sets %s: 0 (root's group): files the node or image gives to group 0 are its pods'", [lib.describe(p.resource), field])
}

report contains {"resource": p.resource, "path": array.concat(p.path, ["securityContext", "supplementalGroups", i]), "message": msg} if {
	some k, sc in _judged_pods
	groups := sc.supplementalGroups
	is_array(groups)
	some i, g in groups
	g == 0
	p := input.pods[k]
	msg := sprintf("%s adds supplemental group 0 (root's group): files the node or image gives to group 0 are its pods'", [lib.describe(p.resource)])
}

_group_fields := ["runAsGroup", "fsGroup"]

# AppArmor by annotation (before the appArmorProfile field, Kubernetes < 1.30). Asked of every
# pod: the annotations are read with one object.get to the pod template and a field chain,
# which stops at once for the many templates without annotations.
report contains {"resource": p.resource, "path": array.concat(_meta_path(p), ["annotations", key]), "message": msg, "severity": "error"} if {
	some p in input.pods
	annotations := object.get(input.resources[p.resource].object, array.slice(p.path, 0, count(p.path) - 1), null).metadata.annotations
	is_object(annotations)
	some key, value in annotations
	value == "unconfined"
	startswith(key, "container.apparmor.security.beta.kubernetes.io/")
	msg := sprintf("%s runs container %s without AppArmor (annotation unconfined): Pod Security baseline rejects it", [lib.describe(p.resource), trim_prefix(key, "container.apparmor.security.beta.kubernetes.io/")])
}

# The containers and pods whose securityContext sets a field some report above reads, each
# with that securityContext, found in one pass each: most set none, and each report's own pass
# over every container or pod cost more than its checks (speed at 10,000 objects). Fields read
# directly, not through wl.container_sc and _obj: a call per container or pod. A non-zero
# runAsGroup or fsGroup alone (what most securityContexts that set any of them set) is left
# out by _worth_judging rather than read by the reports again.
_judged_containers[k] := sc if {
	some k, c in input.containers
	sc := c.container.securityContext
	is_object(sc)
	f := object.filter(sc, _container_report_fields)
	count(f) > 0
	_worth_judging(f, ["runAsGroup"])
	c.type != "ephemeral"
}

_container_report_fields := array.concat(_sc_fields, ["runAsGroup"])

_judged_pods[k] := sc if {
	some k, p in input.pods
	sc := p.spec.securityContext
	is_object(sc)
	f := object.filter(sc, _pod_report_fields)
	count(f) > 0
	_worth_judging(f, _group_fields)
}

# f, the fields a securityContext sets of those the reports read, gives a report something to
# judge: a field other than the group ids in `groups`, or a group id 0.
_worth_judging(f, groups) if count(object.remove(f, groups)) > 0
else := true if 0 in f

_pod_report_fields := array.concat(_pod_fields, ["runAsGroup", "fsGroup", "supplementalGroups"])

# [path below securityContext, problem] for the container-level settings.
# The fields _sc_problems and _pod_problems read: most security contexts set none of them, and
# one builtin call spares those the comprehensions below (speed at 10,000 objects).
_sc_fields := ["procMount", "windowsOptions", "seLinuxOptions", "appArmorProfile"]

_pod_fields := ["sysctls", "windowsOptions", "seLinuxOptions", "appArmorProfile"]

_sc_problems(sc) := {x |
	some x in array.concat(array.concat(
		[[["procMount"], sprintf("sets procMount: %v (an unmasked /proc)", [sc.procMount])] | is_string(sc.procMount); sc.procMount != "Default"],
		[[["windowsOptions", "hostProcess"], "is a Windows HostProcess container (it runs on the host)"] | sc.windowsOptions.hostProcess == true],
	), array.concat(_selinux(sc), _apparmor(sc)))
}

_pod_problems(sc) := {x |
	some x in array.concat(array.concat(
		[[["sysctls", k, "name"], sprintf("sets the unsafe sysctl %v (it changes the node for every pod)", [s.name])] |
			some k, s in _arr(sc.sysctls)
			is_object(s)
			not s.name in _safe_sysctls
		],
		[[["windowsOptions", "hostProcess"], "runs as a Windows HostProcess pod (on the host)"] | sc.windowsOptions.hostProcess == true],
	), array.concat(_selinux(sc), _apparmor(sc)))
}

_selinux(sc) := array.concat(
	[[["seLinuxOptions", "type"], sprintf("sets the SELinux type %v", [sc.seLinuxOptions.type])] |
		is_string(sc.seLinuxOptions.type)
		not sc.seLinuxOptions.type in _selinux_types
	],
	[[["seLinuxOptions", f], sprintf("sets the SELinux %s %v", [f, sc.seLinuxOptions[f]])] |
		some f in ["user", "role"]
		is_string(sc.seLinuxOptions[f])
		sc.seLinuxOptions[f] != ""
	],
)

_apparmor(sc) := [[["appArmorProfile", "type"], "runs without AppArmor (appArmorProfile Unconfined)"] | sc.appArmorProfile.type == "Unconfined"]

# The pod template's metadata: ["spec", "template", "metadata"] for ["spec", "template", "spec"].
_meta_path(p) := array.concat(array.slice(p.path, 0, count(p.path) - 1), ["metadata"])

_arr(x) := x if is_array(x)
else := []
