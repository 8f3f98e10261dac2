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
import data.chartguard.lib.secrets_lib as sec

# What counts as a credential, and the reason each finding gives, is judged in Rust for the
# whole release (src/credentials.rs; input.index.credentials, read through secrets_lib).
# Every credential is a finding (3,570 at copies-10000): one pass over them all, not one
# `sec.found(place)` per place, each a scan of every credential (speed at 10,000 objects).
# (The finding is bound in the body: regorus fails the whole rule, "not an object", when a
# function in a `contains` head is undefined for one item and defined for a later one.)
report contains f if {
	some c in sec.credentials(0)
	f := _finding(c)
}

# Secrets: keys that hold credentials (not public certificates, user names or plain config).
# A warning, not an error: from the object alone a value from values.yaml cannot be told from
# one generated at render time (randAlphaNum, genCA, lookup) or from SOPS-encrypted values.
_finding(c) := {"resource": c.resource, "path": c.path, "message": msg, "severity": "warning"} if {
	c.place == "secret"
	object.get(input.resources[c.resource].object, "type", "") != "kubernetes.io/service-account-token"
	msg := sprintf(
		"%s carries %s key %q in plain text (%s): the chart renders the value, so it is in Helm's release record and, unless generated at render time, in a values file",
		[lib.describe(c.resource), c.path[0], c.key, c.reason],
	)
}

# ConfigMaps: credential-like keys, or values that contain a credential.
else := {"resource": c.resource, "path": c.path, "message": msg} if {
	c.place == "configmap"
	msg := sprintf("%s holds a credential in plain text in data key %q (%s): ConfigMaps are not secret", [lib.describe(c.resource), c.key, c.reason])
}

# Container env entries with a literal value.
else := {"resource": c.resource, "path": c.path, "message": msg} if {
	c.place == "env"
	msg := sprintf(
		"%s of %s sets env %s to a literal credential (%s): use valueFrom.secretKeyRef",
		[lib.container_label(input.containers[c.container]), lib.describe(c.resource), c.key, c.reason],
	)
}

# Container command and args, scripts of `sh -c "…"` included.
else := {"resource": c.resource, "path": c.path, "message": msg} if {
	c.place == "arg"
	msg := sprintf(
		"%s of %s passes a literal credential in %s[%v] (%s): command lines are visible in the pod spec and in `ps` on the node; read it from a Secret (env valueFrom.secretKeyRef, then \"$(VAR)\")",
		[lib.container_label(input.containers[c.container]), lib.describe(c.resource), c.key, c.index, c.reason],
	)
}

# Annotations: only values that are unmistakably credentials (a DSN with a password, a private
# key, a well-known token format).
else := {"resource": c.resource, "path": c.path, "message": msg} if {
	c.place == "annotation"
	msg := sprintf("%s has a credential in plain text in annotation %q (%s): annotations are readable by anyone who can list the object", [lib.describe(c.resource), c.key, c.reason])
}
