# METADATA
# title: No credentials in plain text in the chart's manifests
# description: >-
#   Secrets carry no literal data (each non-empty data / stringData key is reported), and
#   ConfigMaps and container env values carry no credentials: keys and env names such as
#   *_PASSWORD, *_TOKEN, API_KEY, or values that are connection URLs with a password or
#   well-known key formats (sk_live_, AKIA…, ghp_, xoxb-, PEM private keys).
# custom:
#   id: plaintext-secret
#   severity: error
#   profiles: [dev, prod]
#   scope: object
#   tags: [security, secrets]
#   security-severity: 8.0
#   why: >-
#     A credential rendered by the chart lives in plain text in values files, in git, in the
#     release record Helm stores in the cluster (`helm get values` / `helm get manifest`
#     show it to anyone who can read the release's Secrets) and, for ConfigMaps and env
#     values, to anyone who can read the object or `kubectl describe` the pod.
#   fix: >-
#     Keep credentials out of the chart: create the Secret with the External Secrets Operator
#     (an ExternalSecret pointing at Vault / a cloud secret manager) or keep encrypted values
#     with SOPS and helm-secrets, then reference it with `envFrom.secretRef` or
#     `env[].valueFrom.secretKeyRef` instead of a literal `value`.
#   references:
#     - https://external-secrets.io/
#     - https://github.com/jkroepke/helm-secrets
#     - https://kubernetes.io/docs/concepts/security/secrets-good-practices/
package chartguard.rules.secrets["plaintext-secret"]

import data.chartguard.lib

# Every credential is a finding (3,570 at copies-10000), so the cost is per finding: one pass
# over the credentials instead of one `sec.found(place)` per place, and the object's and
# container's descriptions written into the message's own sprintf rather than through
# `lib.describe` and `lib.container_label` (together ~60% of the rule's time). The branches
# below spell out what those helpers return, namespace or not, so messages are unchanged.
# (Bound in the body: regorus fails the whole rule, "not an object", when a function in a
# `contains` head is undefined for one item and defined for a later one.)
report contains f if {
	some c in _credentials
	f := _finding(c, input.resources[c.resource])
}

# secrets_lib's index, read once: `sec.found` scans every credential at each call.
_credentials := input.index.credentials if is_object(input.index)
else := chartguard.index(input).credentials

_finding(c, r) := {"resource": c.resource, "path": c.path, "message": msg} if {
	c.place == "env"
	not is_string(r.namespace)
	ct := input.containers[c.container]
	name := object.get(ct.container, "name", null)
	msg := sprintf(
		"%s %q of %s %s sets env %s to a literal credential (%s): use valueFrom.secretKeyRef",
		[object.get(_container_types, ct.type, "container"), {true: name, false: "(unnamed)"}[is_string(name)], r.kind, r.name, c.key, c.reason],
	)
} else := {"resource": c.resource, "path": c.path, "message": msg, "severity": "warning"} if {
	c.place == "secret"
	not is_string(r.namespace)
	object.get(r.object, "type", "") != "kubernetes.io/service-account-token"
	msg := sprintf(
		"%s %s carries %s key %q in plain text (%s): the chart renders the value, so it is in Helm's release record and, unless generated at render time, in a values file",
		[r.kind, r.name, c.path[0], c.key, c.reason],
	)
} else := {"resource": c.resource, "path": c.path, "message": msg} if {
	c.place == "configmap"
	not is_string(r.namespace)
	msg := sprintf("%s %s holds a credential in plain text in data key %q (%s): ConfigMaps are not secret", [r.kind, r.name, c.key, c.reason])
} else := {"resource": c.resource, "path": c.path, "message": msg} if {
	c.place == "arg"
	not is_string(r.namespace)
	ct := input.containers[c.container]
	name := object.get(ct.container, "name", null)
	msg := sprintf(
		"%s %q of %s %s passes a literal credential in %s[%v] (%s): command lines are visible in the pod spec and in `ps` on the node; read it from a Secret (env valueFrom.secretKeyRef, then \"$(VAR)\")",
		[object.get(_container_types, ct.type, "container"), {true: name, false: "(unnamed)"}[is_string(name)], r.kind, r.name, c.key, c.index, c.reason],
	)
} else := {"resource": c.resource, "path": c.path, "message": msg} if {
	c.place == "annotation"
	not is_string(r.namespace)
	msg := sprintf("%s %s has a credential in plain text in annotation %q (%s): annotations are readable by anyone who can list the object", [r.kind, r.name, c.key, c.reason])
} else := {"resource": c.resource, "path": c.path, "message": msg} if {
	c.place == "env"
	ct := input.containers[c.container]
	name := object.get(ct.container, "name", null)
	msg := sprintf(
		"%s %q of %s %s/%s sets env %s to a literal credential (%s): use valueFrom.secretKeyRef",
		[object.get(_container_types, ct.type, "container"), {true: name, false: "(unnamed)"}[is_string(name)], r.kind, r.namespace, r.name, c.key, c.reason],
	)
} else := {"resource": c.resource, "path": c.path, "message": msg, "severity": "warning"} if {
	c.place == "secret"
	object.get(r.object, "type", "") != "kubernetes.io/service-account-token"
	msg := sprintf(
		"%s %s/%s carries %s key %q in plain text (%s): the chart renders the value, so it is in Helm's release record and, unless generated at render time, in a values file",
		[r.kind, r.namespace, r.name, c.path[0], c.key, c.reason],
	)
} else := {"resource": c.resource, "path": c.path, "message": msg} if {
	c.place == "configmap"
	msg := sprintf("%s %s/%s holds a credential in plain text in data key %q (%s): ConfigMaps are not secret", [r.kind, r.namespace, r.name, c.key, c.reason])
} else := {"resource": c.resource, "path": c.path, "message": msg} if {
	c.place == "arg"
	ct := input.containers[c.container]
	name := object.get(ct.container, "name", null)
	msg := sprintf(
		"%s %q of %s %s/%s passes a literal credential in %s[%v] (%s): command lines are visible in the pod spec and in `ps` on the node; read it from a Secret (env valueFrom.secretKeyRef, then \"$(VAR)\")",
		[object.get(_container_types, ct.type, "container"), {true: name, false: "(unnamed)"}[is_string(name)], r.kind, r.namespace, r.name, c.key, c.index, c.reason],
	)
} else := {"resource": c.resource, "path": c.path, "message": msg} if {
	c.place == "annotation"
	msg := sprintf("%s %s/%s has a credential in plain text in annotation %q (%s): annotations are readable by anyone who can list the object", [r.kind, r.namespace, r.name, c.key, c.reason])
}

# lib.container_label's words; its name is `{true: name, false: "(unnamed)"}[is_string(name)]`
# above (no call per finding).
_container_types := {"init": "init container", "ephemeral": "ephemeral container"}
