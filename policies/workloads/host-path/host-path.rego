# METADATA
# title: Pods do not mount the node's filesystem
# description: >-
#   No pod template (hooks and helm tests included) mounts a hostPath volume that exposes the
#   node — `/`, `/etc`, `/proc`, `/sys`, `/dev`, `/boot`, `/root`, `/var/run`, `/run`, the
#   kubelet's and the container runtime's directories, a runtime socket, or a directory above
#   one of them (errors, read-only or not) — and every other hostPath volume is mounted
#   read-only (a warning when a container can write to it).
# custom:
#   id: host-path
#   severity: warning
#   profiles: [dev, prod]
#   scope: object
#   tags: [security, pod-security]
#   security-severity: 7.0
#   why: >-
#     A hostPath volume is the node's own filesystem inside the container: the runtime socket
#     starts privileged containers, /var/lib/kubelet/pods holds every pod's Secrets, /etc
#     and /etc/kubernetes the node's credentials, /proc and /sys the host's processes and
#     kernel settings. Even read-only these give a compromised container other workloads'
#     secrets; writable, they give it the node. A writable hostPath anywhere else survives the
#     pod and is shared with whatever else the node runs. The Pod Security "baseline"
#     standard rejects every hostPath volume.
#   fix: >-
#     Use an emptyDir, a PersistentVolumeClaim, a ConfigMap/Secret or a projected volume
#     instead. Node agents that need the host by design (log collectors, node exporters, CSI
#     drivers) mount only the subdirectory they read, with `readOnly: true` on every
#     volumeMount, run in a namespace with a Pod Security exception, and the finding is
#     suppressed on that object with a reason.
#   references:
#     - https://kubernetes.io/docs/concepts/storage/volumes/#hostpath
#     - https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
package chartguard.rules.workloads["host-path"]

import data.chartguard.lib

# Directories whose content is the node itself (their subdirectories too, see _sensitive).
_sensitive_dirs := {
	"/", "/etc", "/proc", "/sys", "/dev", "/boot", "/root", "/var/run", "/run",
	"/var/lib/kubelet", "/var/lib/docker", "/var/lib/containerd", "/var/lib/crio",
	"/etc/kubernetes", "/var/lib/etcd",
}

# Subtrees that hold credentials or the runtime: any path inside is as bad as the directory.
_sensitive_subtrees := ["/etc/kubernetes/", "/var/lib/kubelet/pods/", "/var/lib/etcd/", "/root/"]

_runtime_socket(path) if {
	endswith(path, ".sock")
	regex.match(`(docker|containerd|crio|cri-dockerd|podman)`, path)
}

report contains lib.violation_with_severity(p.resource, vpath, msg, severity) if {
	some p in input.pods
	is_object(p.spec)
	vols := p.spec.volumes
	is_array(vols)
	some k, vol in vols
	raw := vol.hostPath.path
	is_string(raw)
	path := _normalise(raw)
	mounts := _mounts(p, vol.name)
	[severity, detail] := _judgement(path, mounts)
	vpath := array.concat(p.path, ["volumes", k, "hostPath", "path"])
	msg := sprintf("%s mounts the node's %s (hostPath volume %q)%s", [lib.describe(p.resource), raw, vol.name, detail])
}

_judgement(path, mounts) := ["error", sprintf(": %s", [_access(mounts)])] if {
	_sensitive(path)
} else := ["warning", sprintf(": %s; mount it read-only", [_access(mounts)])] if {
	some m in mounts
	not m.readOnly == true
}

_access(mounts) := "writable by a container" if {
	some m in mounts
	not m.readOnly == true
} else := "read-only, which still exposes the node" if {
	count(mounts) > 0
} else := "not mounted by any container yet exposed to the pod"

_sensitive(path) if path in _sensitive_dirs

_sensitive(path) if _runtime_socket(path)

_sensitive(path) if {
	some prefix in _sensitive_subtrees
	startswith(path, prefix)
}

# A directory above a sensitive one (/var, /var/lib, /etc/..): mounting it exposes the latter.
_sensitive(path) if {
	path != "/"
	some dir in _sensitive_dirs
	startswith(dir, concat("", [path, "/"]))
}

# "/var/log/" -> "/var/log", "" -> "/" (Kubernetes does not clean the path; the kernel does).
_normalise(raw) := "/" if {
	trim_right(raw, "/") == ""
} else := trim_right(raw, "/")

# The volumeMounts of every container of the pod (init containers included) that mount `name`.
_mounts(p, name) := [m |
	some field in ["initContainers", "containers"]
	ctrs := p.spec[field]
	is_array(ctrs)
	some ctr in ctrs
	is_object(ctr)
	ms := ctr.volumeMounts
	is_array(ms)
	some m in ms
	is_object(m)
	m.name == name
]
