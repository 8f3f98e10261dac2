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

# Secrets: every literal key.
report contains lib.violation(i, [field, key], msg) if {
	some i, r in input.resources
	r.kind == "Secret"
	object.get(r.object, "type", "") != "kubernetes.io/service-account-token"
	some field in ["data", "stringData"]
	entries := r.object[field]
	is_object(entries)
	some key, value in entries
	_non_empty(value)
	msg := sprintf(
		"%s carries %s key %q in plain text: it is readable in the chart's values and in Helm's release record",
		[lib.describe(i), field, key],
	)
}

# ConfigMaps: credential-like keys, or values that contain a credential.
report contains lib.violation(i, ["data", key], msg) if {
	some i, r in input.resources
	r.kind == "ConfigMap"
	is_object(r.object.data)
	some key, value in r.object.data
	reason := _configmap_reason(key, value)
	msg := sprintf("%s holds a credential in plain text in data key %q (%s): ConfigMaps are not secret", [lib.describe(i), key, reason])
}

# Container env entries with a literal value.
report contains lib.violation(c.resource, array.concat(c.path, ["env", n, "value"]), msg) if {
	some c in input.containers
	is_array(c.container.env)
	some n, env in c.container.env
	value := env.value
	is_string(env.name)
	reason := _env_reason(env.name, value)
	msg := sprintf(
		"%s of %s sets env %s to a literal credential (%s): use valueFrom.secretKeyRef",
		[lib.container_label(c), lib.describe(c.resource), env.name, reason],
	)
}

_non_empty(v) if {
	v != null
	v != ""
}

# ---- why a key/value is a credential (never says what the value is) ----------------------------

_configmap_reason(key, value) := reason if {
	reason := _value_reason(value)
} else := "the key names a credential" if {
	_credential_name(key)
	_literal_credential(value)
}

_env_reason(name, value) := reason if {
	reason := _value_reason(value)
} else := "the name says it is one" if {
	_credential_name(name)
	_literal_credential(value)
}

# Every regex below sits behind a cheap substring test: most values and names contain none of
# the markers, and a release can have tens of thousands of env entries and ConfigMap keys.
_value_reason(value) := "a connection string with a password in it" if {
	is_string(value)
	_dsn_with_password(value)
} else := "a PEM private key" if {
	is_string(value)
	contains(value, "PRIVATE KEY-----")
	regex.match(`-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----`, value)
} else := "a well-known API key or token format" if {
	is_string(value)
	some marker, pattern in _key_patterns
	contains(value, marker)
	regex.match(concat("", [`(^|[^A-Za-z0-9_-])`, pattern]), value)
}

# scheme://user:password@host, where the password is not a $(VAR) / ${VAR} / $VAR reference.
# String functions, not a regex: this runs on every value that contains "://".
_dsn_with_password(value) if {
	contains(value, "://")
	contains(value, "@")
	parts := split(value, "://")
	some n, rest in parts
	n > 0
	at := indexof(rest, "@")
	at > 0
	userinfo := substring(rest, 0, at)
	not _has_any(userinfo, ["/", " ", "\t", "\n", "\r"])
	colon := indexof(userinfo, ":")
	colon >= 0
	password := substring(userinfo, colon + 1, count(userinfo) - colon - 1)
	password != ""
	not startswith(password, "$")
	not startswith(password, "{")
}

_has_any(s, markers) if {
	some m in markers
	contains(s, m)
}

# password=… in a URL query, or an ADO/JDBC-style "…;Password=…;" connection string.
_dsn_with_password(value) if {
	contains(value, "=")
	l := lower(value)
	some marker in ["password", "pwd"]
	contains(l, marker)
	_password_assignment(value)
}

_password_assignment(value) if regex.match(`[?&]([Pp]assword|PASSWORD)=[^&$ \t\r\n{]`, value)

_password_assignment(value) if regex.match(`(^|;)[ \t]*([Pp]assword|PASSWORD|[Pp]wd|PWD)[ \t]*=[ \t]*[^;$ \t\r\n{]`, value)

# marker (a substring every match contains) → pattern (after a non-word boundary).
_key_patterns := {
	"sk_live_": `sk_live_[0-9A-Za-z]{8,}`,
	"sk-live-": `sk-live-[0-9A-Za-z]{8,}`,
	"sk-": `sk-[A-Za-z0-9_-]{20,}`,
	"AKIA": `AKIA[0-9A-Z]{16}`,
	"gh": `gh[pousr]_[A-Za-z0-9]{20,}`,
	"github_pat_": `github_pat_[A-Za-z0-9_]{20,}`,
	"xox": `xox[bp]-[A-Za-z0-9-]{10,}`,
}

# Credential-like names, judged on their last words: DB_PASSWORD, API_TOKEN, apiKey,
# AWS_SECRET_ACCESS_KEY, SENTRY_DSN – not PASSWORD_MIN_LENGTH, TOKEN_TTL, SECRET_NAME,
# DB_PASSWORD_FILE, TOKEN_URL or CACHE_KEY. Word lists, not regexes (they run per env entry).
_credential_name(name) if {
	_has_any(upper(name), _name_markers)
	words := split(_normalize(name), "_")
	_credential_words(words)
	not _reference_name(words)
}

_name_markers := ["PASS", "PWD", "SECRET", "TOKEN", "KEY", "CREDENTIAL", "DSN"]

_credential_words(words) if words[count(words) - 1] in {"PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "APIKEY", "CREDENTIAL", "CREDENTIALS", "DSN"}

# DB_PASS, DB_PWD – but not PWD (the shell's working directory).
_credential_words(words) if {
	count(words) > 1
	words[count(words) - 1] in {"PASS", "PWD"}
}

_credential_words(words) if {
	count(words) > 1
	words[count(words) - 1] == "KEY"
	words[count(words) - 2] in {"API", "SECRET", "PRIVATE", "ACCESS", "SIGNING", "ENCRYPTION", "MASTER", "AUTH", "CLIENT", "LICENSE"}
}

_normalize(name) := replace(replace(_snake(name), "-", "_"), ".", "_")

# dbPassword → DB_PASSWORD; names without lower-case letters skip the regex.
_snake(name) := name if {
	upper(name) == name
} else := upper(regex.replace(name, `([a-z0-9])([A-Z])`, "${1}_${2}"))

# Names of Kubernetes Secrets, not secrets: EXISTING_SECRET, TLS_SECRET.
_reference_name(words) if {
	count(words) > 1
	words[count(words) - 1] == "SECRET"
	words[count(words) - 2] in {"EXISTING", "TLS", "K8S", "KUBE", "KUBERNETES"}
}

# A value that could be a credential: non-empty, not a boolean or a number, not a reference
# (`$(DB_PASSWORD)`, `${DB_PASSWORD}`, `$DB_PASSWORD`, a file path, a secret manager reference).
_literal_credential(value) if {
	is_string(value)
	v := trim_space(value)
	v != ""
	not lower(v) in {"true", "false", "yes", "no", "on", "off", "null", "none"}
	not trim(v, "-.0123456789") == ""
	not _env_reference(v)
	not _file_path(v)
	not strings.any_prefix_match(v, ["vault:", "ref+", "arn:aws:secretsmanager:", "arn:aws:ssm:", "projects/"])
}

_env_reference(v) if {
	startswith(v, "$")
	regex.match(`^\$(\([A-Za-z_][A-Za-z0-9_]*\)|\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)$`, v)
}

_file_path(v) if {
	startswith(v, "/")
	not contains(v, " ")
	not contains(v, "\t")
	not contains(v, "\n")
}
