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

# What counts as a credential, and the reason each finding gives, is in lib/secrets_lib.rego.

# Secrets: keys that hold credentials (not public certificates, user names or plain config).
# A warning, not an error: from the object alone a value from values.yaml cannot be told from
# one generated at render time (randAlphaNum, genCA, lookup) or from SOPS-encrypted values.
report contains lib.violation_with_severity(i, [field, key], msg, "warning") if {
	some i, r in input.resources
	r.kind == "Secret"
	object.get(r.object, "type", "") != "kubernetes.io/service-account-token"
	some field in ["data", "stringData"]
	entries := r.object[field]
	is_object(entries)
	some key, value in entries
	reason := sec.secret_entry_reason(field, key, value)
	msg := sprintf(
		"%s carries %s key %q in plain text (%s): the chart renders the value, so it is in Helm's release record and, unless generated at render time, in a values file",
		[lib.describe(i), field, key, reason],
	)
}

# ConfigMaps: credential-like keys, or values that contain a credential.
report contains lib.violation(i, ["data", key], msg) if {
	some i, r in input.resources
	r.kind == "ConfigMap"
	is_object(r.object.data)
	some key, value in r.object.data
	reason := sec.configmap_reason(key, value)
	msg := sprintf("%s holds a credential in plain text in data key %q (%s): ConfigMaps are not secret", [lib.describe(i), key, reason])
}

# Container env entries with a literal value.
report contains lib.violation(c.resource, array.concat(c.path, ["env", n, "value"]), msg) if {
	some c in input.containers
	is_array(c.container.env)
	some n, env in c.container.env
	value := env.value
	is_string(env.name)
	reason := sec.env_reason(env.name, value)
	msg := sprintf(
		"%s of %s sets env %s to a literal credential (%s): use valueFrom.secretKeyRef",
		[lib.container_label(c), lib.describe(c.resource), env.name, reason],
	)
}

# Container command and args, scripts of `sh -c "…"` included.
report contains lib.violation(c.resource, array.concat(c.path, [field, n]), msg) if {
	some c in input.containers
	some field in ["command", "args"]
	list := c.container[field]
	is_array(list)
	some n, arg in list
	is_string(arg)
	reason := sec.arg_reason(list, n, arg)
	msg := sprintf(
		"%s of %s passes a literal credential in %s[%v] (%s): command lines are visible in the pod spec and in `ps` on the node; read it from a Secret (env valueFrom.secretKeyRef, then \"$(VAR)\")",
		[lib.container_label(c), lib.describe(c.resource), field, n, reason],
	)
}

# Annotations: only values that are unmistakably credentials (a DSN with a password, a private
# key, a well-known token format).
report contains lib.violation(i, ["metadata", "annotations", key], msg) if {
	some i, r in input.resources
	annotations := r.object.metadata.annotations
	is_object(annotations)
	some key, value in annotations
	is_string(value)
	reason := sec.value_reason(value)
	msg := sprintf("%s has a credential in plain text in annotation %q (%s): annotations are readable by anyone who can list the object", [lib.describe(i), key, reason])
}
