# METADATA
# title: Containers add no dangerous Linux capabilities
# description: >-
#   No container or init container (hooks and helm tests included; privileged containers,
#   ephemeral containers and Windows pods skipped) adds a capability in
#   securityContext.capabilities.add other than NET_BIND_SERVICE (the parameter `allowed`).
#   Capabilities that hand a process the node (SYS_ADMIN, NET_ADMIN, SYS_MODULE, SYS_PTRACE,
#   ALL, …) are errors.
# custom:
#   id: capabilities-dangerous
#   severity: warning
#   profiles: [dev, prod]
#   scope: object
#   tags: [security, pod-security]
#   security-severity: 7.5
#   why: >-
#     `capabilities.add` gives the container's processes root powers that the runtime's
#     default set leaves out. SYS_ADMIN (mount, namespaces, most of what root can do),
#     SYS_MODULE (load kernel modules), SYS_PTRACE (read other processes' memory),
#     NET_ADMIN (rewrite the node's or pod's routing and firewall), DAC_READ_SEARCH (read any
#     file by handle, a known container escape) and ALL are each enough to break out of the
#     container. `drop: [ALL]` does not help: add is applied after drop. The Pod Security
#     "baseline" standard rejects anything beyond a short list of defaults, "restricted" anything
#     beyond NET_BIND_SERVICE.
#   fix: >-
#     Remove the capability from `securityContext.capabilities.add` and keep `drop: [ALL]`;
#     add back only NET_BIND_SERVICE to bind a port below 1024 (or listen on a higher port).
#     Node agents that need one by design (CNI plugins, eBPF tools) belong in a namespace with a
#     Pod Security exception; suppress the finding on that object with a reason.
#   params:
#     allowed:
#       description: >-
#         Capabilities containers may add without a finding (with or without the CAP_ prefix,
#         any case). A platform whose nodes run eBPF or CNI agents can list theirs here rather
#         than suppress each object.
#       default: [NET_BIND_SERVICE]
#       schema: {type: array, items: {type: string, minLength: 1}, uniqueItems: true}
#   references:
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
#     - https://man7.org/linux/man-pages/man7/capabilities.7.html
package chartguard.rules.workloads["capabilities-dangerous"]

import data.chartguard.lib
import data.chartguard.lib.workloads_lib as wl

# What each capability lets a compromised process do (errors).
_dangerous := {
	"ALL": "every capability, as good as privileged",
	"SYS_ADMIN": "mount filesystems and enter namespaces, most of what root can do on the node",
	"SYS_MODULE": "load kernel modules",
	"SYS_PTRACE": "read and change other processes' memory",
	"NET_ADMIN": "change routing, firewall and interfaces",
	"DAC_READ_SEARCH": "open any file by handle, a known container escape",
	"SYS_RAWIO": "raw access to devices and I/O ports",
	"SYS_BOOT": "reboot the node",
	"BPF": "load eBPF programs into the kernel",
	"MAC_ADMIN": "change the node's AppArmor/SELinux policy",
}

# The Pod Security "baseline" standard allows adding these (and nothing else).
_baseline_allowed := {
	"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
	"NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
}

# Allowed everywhere: by default NET_BIND_SERVICE ("restricted" allows only this one).
_allowed := {_name(cap) | some cap in data.params["capabilities-dangerous"].allowed}

report contains lib.violation_with_severity(c.resource, path, msg, severity) if {
	some c in input.containers
	add := wl.container_sc(c).capabilities.add
	is_array(add)
	wl.hardening_target(c)
	not wl.privileged(c)
	some k, cap in add
	is_string(cap)
	name := _name(cap)
	not name in _allowed
	path := array.concat(c.path, ["securityContext", "capabilities", "add", k])
	[severity, detail] := _judgement(name)
	msg := sprintf("%s of %s adds capability %s: %s", [lib.container_label(c), lib.describe(c.resource), cap, detail])
}

# Runtimes accept "CAP_SYS_ADMIN" and "sys_admin" as well as "SYS_ADMIN".
_name(cap) := trim_prefix(upper(cap), "CAP_")

_judgement(name) := ["error", sprintf("%s; breaks Pod Security baseline", [_dangerous[name]])] if {
	_dangerous[name]
} else := ["warning", "outside what Pod Security baseline allows to add"] if {
	not name in _baseline_allowed
} else := ["warning", "the configuration's allow-list (rules.params.capabilities-dangerous.allowed) leaves it out"] if {
	name == "NET_BIND_SERVICE"
} else := ["warning", "Pod Security restricted allows adding only NET_BIND_SERVICE"]
