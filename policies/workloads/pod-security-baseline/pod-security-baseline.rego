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
import data.chartguard.lib.workloads_lib as wl

_safe_sysctls := {
	"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
	"net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
	"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
	"net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem",
}

_selinux_types := {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}

# ---- container settings ----------------------------------------------------------------

report contains lib.violation_with_severity(c.resource, path, msg, "error") if {
	some k in _judged_containers
	c := input.containers[k]
	sc := wl.container_sc(c)
	_any_field(sc, _sc_fields)
	some [sub, problem] in _sc_problems(sc)
	path := array.concat(c.path, array.concat(["securityContext"], sub))
	msg := sprintf("%s of %s %s: Pod Security baseline rejects it", [lib.container_label(c), lib.describe(c.resource), problem])
}

report contains lib.violation(c.resource, array.concat(c.path, ["securityContext", "runAsGroup"]), msg) if {
	some k in _judged_containers
	c := input.containers[k]
	wl.container_sc(c).runAsGroup == 0
	msg := sprintf("%s of %s runs with runAsGroup: 0 (root's group): files the node or image gives to group 0 are its", [lib.container_label(c), lib.describe(c.resource)])
}

# ---- pod settings ---------------------------------------------------------------------------

report contains lib.violation_with_severity(p.resource, path, msg, "error") if {
	some k in _judged_pods
	p := input.pods[k]
	sc := _obj(p.spec.securityContext)
	_any_field(sc, _pod_fields)
	some [sub, problem] in _pod_problems(sc)
	path := array.concat(p.path, array.concat(["securityContext"], sub))
	msg := sprintf("%s %s: Pod Security baseline rejects it", [lib.describe(p.resource), problem])
}

report contains lib.violation(p.resource, array.concat(p.path, ["securityContext", field]), msg) if {
	some k in _judged_pods
	p := input.pods[k]
	sc := _obj(p.spec.securityContext)
	some field in ["runAsGroup", "fsGroup"]
	sc[field] == 0
	msg := sprintf("%s sets %s: 0 (root's group): files the node or image gives to group 0 are its pods'", [lib.describe(p.resource), field])
}

report contains lib.violation(p.resource, array.concat(p.path, ["securityContext", "supplementalGroups", k]), msg) if {
	some j in _judged_pods
	p := input.pods[j]
	some k, g in _arr(_obj(p.spec.securityContext).supplementalGroups)
	g == 0
	msg := sprintf("%s adds supplemental group 0 (root's group): files the node or image gives to group 0 are its pods'", [lib.describe(p.resource)])
}

# AppArmor by annotation (before the appArmorProfile field, Kubernetes < 1.30).
report contains lib.violation_with_severity(p.resource, array.concat(_meta_path(p), ["annotations", key]), msg, "error") if {
	some p in input.pods
	meta := _obj(object.get(input.resources[p.resource].object, _meta_path(p), {}))
	some key, value in _obj(meta.annotations)
	startswith(key, "container.apparmor.security.beta.kubernetes.io/")
	value == "unconfined"
	msg := sprintf("%s runs container %s without AppArmor (annotation unconfined): Pod Security baseline rejects it", [lib.describe(p.resource), trim_prefix(key, "container.apparmor.security.beta.kubernetes.io/")])
}

# The containers and pods whose securityContext sets a field some report above reads, found in
# one pass each: most set none, and each report's own pass over every container or pod cost
# more than its checks (speed at 10,000 objects).
_judged_containers contains k if {
	some k, c in input.containers
	c.type != "ephemeral"
	_any_field(wl.container_sc(c), _container_report_fields)
}

_container_report_fields := array.concat(_sc_fields, ["runAsGroup"])

_judged_pods contains k if {
	some k, p in input.pods
	is_object(p.spec)
	_any_field(_obj(p.spec.securityContext), _pod_report_fields)
}

_pod_report_fields := array.concat(_pod_fields, ["runAsGroup", "fsGroup", "supplementalGroups"])

# [path below securityContext, problem] for the container-level settings.
# The fields _sc_problems and _pod_problems read: most security contexts set none of them, and
# one builtin call spares those the comprehensions below (speed at 10,000 objects).
_sc_fields := ["procMount", "windowsOptions", "seLinuxOptions", "appArmorProfile"]

_pod_fields := ["sysctls", "windowsOptions", "seLinuxOptions", "appArmorProfile"]

_any_field(sc, fields) if count(object.filter(sc, fields)) > 0

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

_obj(x) := x if is_object(x)
else := {}
