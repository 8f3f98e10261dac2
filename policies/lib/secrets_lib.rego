# What makes a value or a name a credential, for plaintext-secret (policies/secrets/): Secret
# entries, ConfigMap keys, env entries, command lines and annotations. Each helper answers with
# a reason that names the kind of credential and never the value itself, and is undefined when
# there is none. Tested in secrets_lib_test.rego.
package chartguard.lib.secrets_lib

# ---- one reason per place a credential may sit ------------------------------------------------

# A Secret's data / stringData entry that holds a credential (not a public certificate, a user
# name or plain config).
secret_entry_reason(field, key, value) := reason if {
	_non_empty(value)
	text := _secret_text(field, value)
	not _public_certificate(key, text)
	reason := _secret_reason(key, text)
}

# A ConfigMap data entry: a credential-like value, or a credential-like key with a literal value.
configmap_reason(key, value) := reason if {
	reason := value_reason(value)
} else := "the key names a credential" if {
	credential_name(key)
	literal_credential(value)
}

# A container env entry with a literal value.
env_reason(name, value) := reason if {
	reason := value_reason(value)
} else := "the name says it is one" if {
	credential_name(name)
	literal_credential(value)
}

# Argument n of a container's command or args list: --password=literal, --db-password literal,
# mysql -p literal, redis-cli -a literal, a DSN with a password; also inside `sh -c "…"` scripts.
arg_reason(list, n, arg) := reason if {
	reason := value_reason(arg)
} else := reason if {
	# Tokenizing is the costly part and every token reason needs one of these markers:
	# skip it for the common argument (a word, a plain script).
	_may_hold_flag(arg)
	some reason in [r | some r in _token_reasons(_tokens(arg), arg)]
} else := "a credential flag followed by its value" if {
	n + 1 < count(list)
	_credential_flag(list[n])
	literal_credential(_unquote(list[n + 1]))
}

# ---- Secret entries ------------------------------------------------------------------------------

# The readable text of a Secret entry: stringData as is, data base64-decoded when it decodes.
_secret_text("stringData", value) := value if is_string(value)

_secret_text("data", value) := base64.decode(v) if {
	is_string(value)
	v := replace(replace(value, "\n", ""), "\r", "")
	regex.match(`^[A-Za-z0-9+/]*={0,2}$`, v)
} else := ""

# tls.crt, ca.crt and any certificate without a private key in it are public.
_public_certificate(key, text) if lower(key) in {"tls.crt", "ca.crt", "ca-bundle.crt", "ca.pem", "cert.pem", "tls.cert"}

_public_certificate(key, text) if {
	is_string(text)
	contains(text, "-----BEGIN CERTIFICATE-----")
	not contains(text, "PRIVATE KEY-----")
}

_secret_reason(key, text) := reason if {
	reason := value_reason(text)
} else := "the key names a credential" if {
	credential_name(key)
} else := "a private key" if {
	endswith(lower(key), ".key")
} else := "registry credentials" if {
	key in {".dockerconfigjson", ".dockercfg"}
} else := "an htpasswd entry" if {
	contains(upper(key), "HTPASSWD")
}

_non_empty(v) if {
	v != null
	v != ""
}

# ---- command lines ----------------------------------------------------------------------------

# Every branch of _token_reasons needs a "--" flag or one of these clients' names.
_may_hold_flag(arg) if contains(arg, "--")

_may_hold_flag(arg) if contains(arg, "mysql")

_may_hold_flag(arg) if contains(arg, "mongo")

_may_hold_flag(arg) if contains(arg, "redis-cli")

_tokens(arg) := [t | some t in split(replace(replace(arg, "\n", " "), "\t", " "), " "); t != ""]

# --password=literal, or (within one script string) --password literal / -p literal.
_token_reasons(tokens, arg) := {reason |
	some t in tokens
	startswith(t, "-")
	contains(t, "=")
	eq := indexof(t, "=")
	_credential_flag(substring(t, 0, eq))
	literal_credential(_unquote(substring(t, eq + 1, count(t) - eq - 1)))
	reason := "a credential flag with its value"
} | {reason |
	some k, t in tokens
	k + 1 < count(tokens)
	_credential_flag(t)
	literal_credential(_unquote(tokens[k + 1]))
	reason := "a credential flag followed by its value"
} | {reason |
	some k, t in tokens
	k + 1 < count(tokens)
	_short_password_flag(t, arg)
	v := _unquote(tokens[k + 1])
	literal_credential(v)
	not startswith(v, "-")
	reason := "a client's password flag followed by its value"
} | {reason |
	contains(arg, "mysql")
	some t in tokens
	startswith(t, "-p")
	count(t) > 2
	literal_credential(_unquote(substring(t, 2, count(t) - 2)))
	reason := "mysql's -p<password>"
}

# --password, --db-password, --api-key, --token (not --password-file, --token-url).
_credential_flag(flag) if {
	startswith(flag, "--")
	credential_name(trim_left(flag, "-"))
}

# mongo/mongosh -p <password>, redis-cli -a <password>. (mysql's `-p <word>` prompts for the
# password and takes <word> as the database: only its attached -p<password> is one.)
_short_password_flag("-p", arg) if {
	some client in ["mongo", "mongosh", "mongodump", "mongorestore"]
	contains(arg, client)
}

_short_password_flag("-a", arg) if contains(arg, "redis-cli")

_unquote(v) := trim(v, "\"'")

# ---- values and names ---------------------------------------------------------------------------

# Why a value is unmistakably a credential: a connection string with a password, a PEM private
# key, a well-known API key or token format. Every regex below sits behind a cheap substring test: most values and names contain none of
# the markers, and a release can have tens of thousands of env entries and ConfigMap keys.
value_reason(value) := "a connection string with a password in it" if {
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
credential_name(name) if {
	_has_any(upper(name), _name_markers)
	words := split(_normalize(name), "_")
	_credential_words(words)
	not _reference_name(words)
}

_name_markers := ["PASS", "PWD", "SECRET", "TOKEN", "KEY", "CREDENTIAL", "DSN"]

_credential_words(words) if words[count(words) - 1] in {"PASSWORD", "PASSWD", "HTPASSWD", "PASSPHRASE", "SECRET", "TOKEN", "APIKEY", "CREDENTIAL", "CREDENTIALS", "DSN"}

# DB_PASS, DB_PWD – but not PWD (the shell's working directory).
_credential_words(words) if {
	count(words) > 1
	words[count(words) - 1] in {"PASS", "PWD"}
}

_credential_words(words) if {
	count(words) > 1
	words[count(words) - 1] == "KEY"
	words[count(words) - 2] in {"API", "SECRET", "PRIVATE", "ACCESS", "SIGNING", "ENCRYPTION", "MASTER", "AUTH", "CLIENT", "LICENSE", "CSRF", "XSRF", "HMAC", "JWT", "SESSION", "COOKIE", "TLS", "SSH", "GPG", "PGP"}
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
literal_credential(value) if {
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
