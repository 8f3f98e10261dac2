package chartguard.rules.secrets["plaintext-secret_test"]

import data.chartguard.rules.secrets["plaintext-secret"] as rule
import data.chartguard.lib.testing as t

_res(kind, object) := {"kind": kind, "name": "app", "namespace": null, "hook": null, "object": object}

_secret(object) := {"resources": [_res("Secret", object)], "containers": []}

_cm(data) := {"resources": [_res("ConfigMap", {"data": data})], "containers": []}

_env(env) := {
	"resources": [_res("Deployment", {})],
	"containers": [{
		"resource": 0,
		"type": "container",
		"path": ["spec", "template", "spec", "containers", 0],
		"container": {"name": "api", "env": env},
	}],
}

_fires_on(inp, name) if {
	some v in rule.report with input as inp
	contains(v.message, name)
}

_quiet(inp) if count(rule.report) == 0 with input as inp

# ---- Secrets -----------------------------------------------------------------------------------

test_secret_string_data_one_violation_per_key if {
	report := rule.report with input as _secret({"type": "Opaque", "stringData": {"DATABASE_PASSWORD": "s3cr3t-value", "API_KEY": "sk-live-abc", "EMPTY": ""}})
	count(report) == 2
	some v in report
	v.path == ["stringData", "DATABASE_PASSWORD"]
	contains(v.message, "Secret app carries stringData key \"DATABASE_PASSWORD\" in plain text")
	every w in report {
		not contains(w.message, "s3cr3t-value")
		not contains(w.message, "sk-live-abc")
	}
}

test_secret_data_without_type_fires if {
	some v in rule.report with input as _secret({"data": {"tls.key": "LS0tLS1CRUdJTg=="}})
	v.path == ["data", "tls.key"]
}

test_service_account_token_and_empty_secrets_pass if {
	_quiet(_secret({"type": "kubernetes.io/service-account-token", "data": {"token": "abc"}}))
	_quiet(_secret({"type": "Opaque", "data": {"a": "", "b": null}}))
	_quiet(_secret({"type": "Opaque"}))
	_quiet(_secret({"stringData": null}))
}

# ---- ConfigMaps --------------------------------------------------------------------------------

test_configmap_credential_key_fires if {
	v := t.only(rule.report) with input as _cm({"LOG_LEVEL": "info", "DB_HOST": "db", "DB_PASSWORD": "cm-pa55w0rd"})
	v.path == ["data", "DB_PASSWORD"]
	contains(v.message, "ConfigMap app holds a credential in plain text in data key \"DB_PASSWORD\"")
	not contains(v.message, "cm-pa55w0rd")
}

test_configmap_camel_case_key_fires if {
	_fires_on(_cm({"apiKey": "abcdef123456"}), "\"apiKey\"")
	_fires_on(_cm({"smtp.password": "hunter2"}), "\"smtp.password\"")
}

test_configmap_value_patterns_fire if {
	_fires_on(_cm({"app.yaml": "db:\n  url: postgres://app:hunter2@db:5432/app\n"}), "connection string")
	_fires_on(_cm({"KEY_PEM": "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n"}), "PEM private key")
	_fires_on(_cm({"settings": "stripe=sk_live_0123456789abcdef"}), "API key")
	_fires_on(_cm({"aws": "AKIAABCDEFGHIJKLMNOP"}), "API key")
	_fires_on(_cm({"gh": "ghp_0123456789abcdefghij0123456789abcdef"}), "API key")
	_fires_on(_cm({"slack": "xoxb-1234-5678-abcdef"}), "API key")
	_fires_on(_cm({"conn": "Server=db;Database=app;User Id=sa;Password=hunter2;"}), "connection string")
}

test_configmap_non_credentials_pass if {
	_quiet(_cm({
		"DB_POOL_SIZE": "10",
		"HTTP_ADDR": ":8080",
		"PASSWORD_MIN_LENGTH": "12",
		"TOKEN_TTL": "3600",
		"SECRET_NAME": "app-secrets",
		"DB_PASSWORD_FILE": "/run/secrets/db",
		"CACHE_KEY": "v2",
		"DATABASE_URL": "postgres://app@db:5432/app",
		"UPSTREAM": "https://api.example.com:8443/v1?x=a@b",
		"TASKS": "disk-usage-report, task-cleanup",
		"DB_PASSWORD": "",
		"TOKEN": "true",
	}))
}

# ---- env ---------------------------------------------------------------------------------------

test_env_dsn_with_password_fires_at_value if {
	v := t.only(rule.report) with input as _env([{"name": "LOG_LEVEL", "value": "info"}, {"name": "DATABASE_URL", "value": "postgresql://app:s3cr3t@db:5432/app"}])
	v.path == ["spec", "template", "spec", "containers", 0, "env", 1, "value"]
	contains(v.message, "container \"api\" of Deployment app sets env DATABASE_URL to a literal credential")
	not contains(v.message, "s3cr3t")
}

test_env_credential_names_fire if {
	_fires_on(_env([{"name": "API_TOKEN", "value": "tok-123"}]), "API_TOKEN")
	_fires_on(_env([{"name": "DB_PASSWORD", "value": "hunter2"}]), "DB_PASSWORD")
	_fires_on(_env([{"name": "API_KEY", "value": "k-123"}]), "API_KEY")
	_fires_on(_env([{"name": "APIKEY", "value": "k-123"}]), "APIKEY")
	_fires_on(_env([{"name": "AWS_SECRET_ACCESS_KEY", "value": "wJalrXUtnFEMI"}]), "AWS_SECRET_ACCESS_KEY")
	_fires_on(_env([{"name": "JWT_SECRET", "value": "abc"}]), "JWT_SECRET")
	_fires_on(_env([{"name": "GCP_CREDENTIALS", "value": "{\"type\": \"service_account\"}"}]), "GCP_CREDENTIALS")
	_fires_on(_env([{"name": "SENTRY_DSN", "value": "https://abc@o1.ingest.sentry.io/1"}]), "SENTRY_DSN")
	_fires_on(_env([{"name": "SMTP_PASS", "value": "hunter2"}]), "SMTP_PASS")
	_fires_on(_env([{"name": "TLS_PRIVATE_KEY", "value": "x"}]), "TLS_PRIVATE_KEY")
	_fires_on(_env([{"name": "STRIPE", "value": "sk_live_0123456789abcdef"}]), "STRIPE")
}

test_env_non_credentials_pass if {
	_quiet(_env([
		{"name": "TOKEN_TTL", "value": "3600"},
		{"name": "PASSWORD_MIN_LENGTH", "value": "12"},
		{"name": "SECRET_NAME", "value": "app-secrets"},
		{"name": "EXISTING_SECRET", "value": "app-secrets"},
		{"name": "DB_PASSWORD_FILE", "value": "/run/secrets/db-password"},
		{"name": "TOKEN_PATH", "value": "/var/run/token"},
		{"name": "TOKEN_URL", "value": "https://auth.example.com/token"},
		{"name": "DATABASE_URL", "value": "postgres://app@db:5432/app"},
		{"name": "PWD", "value": "/app"},
		{"name": "PASSWORD_RESET_ENABLED", "value": "true"},
		{"name": "CACHE_KEY", "value": "v2"},
		{"name": "AWS_ACCESS_KEY_ID_FILE", "value": "x"},
		{"name": "DISK_TASK", "value": "disk-usage-report-for-the-nightly-task"},
	]))
}

test_env_references_and_empty_pass if {
	_quiet(_env([
		{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
		{"name": "DB_PASSWORD", "value": ""},
		{"name": "DB_PASSWORD", "value": "$(DB_PASSWORD_FROM_SECRET)"},
		{"name": "API_TOKEN", "value": "${API_TOKEN}"},
		{"name": "DATABASE_URL", "value": "postgres://app:$(DB_PASSWORD)@db:5432/app"},
		{"name": "DB_PASSWORD", "value": "vault:secret/data/app#password"},
		{"name": "SECRET_ENABLED", "value": "false"},
		{"name": "TOKEN", "value": "false"},
		{"name": "API_KEY", "value": "0"},
	]))
}

test_key_patterns_need_a_boundary if {
	_quiet(_cm({"notes": "see task-sk-0123456789abcdefghijklmnop and ask-me"}))
	_quiet(_cm({"ids": "XAKIAABCDEFGHIJKLMNOP"}))
	_fires_on(_cm({"openai": "sk-proj0123456789abcdefghij"}), "API key")
}

test_query_string_password_fires if {
	_fires_on(_env([{"name": "JDBC", "value": "jdbc:postgresql://db:5432/app?user=app&password=hunter2"}]), "JDBC")
	_quiet(_env([{"name": "JDBC", "value": "jdbc:postgresql://db:5432/app?user=app&password=$(DB_PASSWORD)"}]))
}

# ---- Secrets: what is and is not a credential ------------------------------------------------

test_secret_findings_are_warnings if {
	some v in rule.report with input as _secret({"stringData": {"DATABASE_PASSWORD": "hunter2"}})
	v.severity == "warning"
}

test_certificates_usernames_and_plain_config_pass if {
	# base64 of "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
	cert := "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUIKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo="
	_quiet(_secret({"type": "kubernetes.io/tls", "data": {"tls.crt": cert, "ca.crt": cert, "other.pem": cert}}))
	_quiet(_secret({"data": {"username": "ZWxhc3RpYw==", "jenkins-admin-user": "YWRtaW4="}}))
	_quiet(_secret({"stringData": {"promtail.yaml": "server:\n  http_listen_port: 3101\n", "redisURL": "redis://harbor-redis:6379/5?idle_timeout_seconds=30"}}))
}

test_secret_credentials_fire if {
	_fires_on(_secret({"type": "kubernetes.io/tls", "data": {"tls.key": "eA=="}}), "\"tls.key\"")
	_fires_on(_secret({"data": {"CSRF_KEY": "eA=="}}), "CSRF_KEY")
	_fires_on(_secret({"data": {"secretKey": "eA=="}}), "secretKey")
	_fires_on(_secret({"data": {"REGISTRY_HTPASSWD": "eA=="}}), "REGISTRY_HTPASSWD")
	_fires_on(_secret({"data": {".dockerconfigjson": "e30="}}), "registry credentials")
	# base64 of "postgres://app:hunter2@db/app"
	_fires_on(_secret({"data": {"url": "cG9zdGdyZXM6Ly9hcHA6aHVudGVyMkBkYi9hcHA="}}), "connection string")
}

# ---- command and args --------------------------------------------------------------------------

_args(field, list) := {
	"resources": [_res("Deployment", {})],
	"containers": [{
		"resource": 0,
		"type": "container",
		"path": ["spec", "template", "spec", "containers", 0],
		"container": object.union({"name": "api"}, {field: list}),
	}],
}

test_args_credentials_fire_at_the_argument if {
	v := t.only(rule.report) with input as _args("args", ["--log-level=info", "--db-password=hunter2"])
	v.path == ["spec", "template", "spec", "containers", 0, "args", 1]
	contains(v.message, "container \"api\" of Deployment app passes a literal credential in args[1]")
	not contains(v.message, "hunter2")
	_fires_on(_args("args", ["--token", "abc123"]), "args[0]")
	_fires_on(_args("command", ["sh", "-c", "mongosh -u admin -p hunter2 db"]), "command[2]")
	_fires_on(_args("command", ["sh", "-c", "mysqldump -uroot -phunter2 app > /b/app.sql"]), "mysql's -p<password>")
	_fires_on(_args("command", ["sh", "-c", "redis-cli -a hunter2 ping"]), "command[2]")
	_fires_on(_args("args", ["--dsn=postgres://app:hunter2@db/app"]), "connection string")
}

test_args_references_and_non_credentials_pass if {
	_quiet(_args("args", ["--db-password=$(DB_PASSWORD)", "--password-file=/run/secrets/pw", "--token-url=https://x/token", "-p", "8080"]))
	_quiet(_args("command", ["sh", "-c", "mysql -u root -p\"$MYSQL_ROOT_PASSWORD\" -e 'select 1'"]))
	_quiet(_args("command", ["sh", "-c", "pg_dump --dbname=\"$DATABASE_URL\" --file=/backup/x.sql"]))
	_quiet(_args("command", ["sh", "-c", "redis-cli -a \"$REDIS_PASSWORD\" ping"]))
	_quiet(_args("args", ["--token", "$(API_TOKEN)"]))
}

# ---- annotations -------------------------------------------------------------------------------

_ann(a) := {"resources": [_res("Deployment", {"metadata": {"annotations": a}})], "containers": []}

test_annotations_only_unmistakable_values if {
	some v in rule.report with input as _ann({"db": "postgres://app:hunter2@db/app"})
	v.path == ["metadata", "annotations", "db"]
	_quiet(_ann({"password": "hunter2", "checksum/secret": "0123abcd", "link": "https://x.example.com/a@b"}))
}
