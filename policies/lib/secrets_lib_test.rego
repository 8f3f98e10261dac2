package chartguard.lib.secrets_lib_test

import data.chartguard.lib.secrets_lib as sec

test_value_reason_names_the_kind_never_the_value if {
	sec.value_reason("postgresql://app:pw-123@db:5432/app") == "a connection string with a password in it"
	sec.value_reason("-----BEGIN RSA PRIVATE KEY-----\nMIIB\n") == "a PEM private key"
	sec.value_reason("AKIAABCDEFGHIJKLMNOP") == "a well-known API key or token format"
	not sec.value_reason("postgresql://app:$(DB_PASSWORD)@db/app")
	not sec.value_reason("https://example.com/x")
	not sec.value_reason(42)
}

test_credential_name_judges_the_last_words if {
	sec.credential_name("DB_PASSWORD")
	sec.credential_name("apiKey")
	sec.credential_name("db-pass")
	not sec.credential_name("PASSWORD_MIN_LENGTH")
	not sec.credential_name("DB_PASSWORD_FILE")
	not sec.credential_name("EXISTING_SECRET")
	not sec.credential_name("PWD")
}

test_literal_credential_excludes_references_and_plain_values if {
	sec.literal_credential("s3cr3t-value")
	not sec.literal_credential("$(DB_PASSWORD)")
	not sec.literal_credential("/run/secrets/db")
	not sec.literal_credential("true")
	not sec.literal_credential("8080")
	not sec.literal_credential("vault:secret/data/db#password")
	not sec.literal_credential("")
}

test_secret_entry_reason if {
	sec.secret_entry_reason("stringData", "DB_PASSWORD", "hunter2-x") == "the key names a credential"
	sec.secret_entry_reason("data", "server.key", base64.encode("opaque")) == "a private key"
	not sec.secret_entry_reason("data", "tls.crt", base64.encode("-----BEGIN CERTIFICATE-----\n"))
	not sec.secret_entry_reason("stringData", "username", "admin")
	not sec.secret_entry_reason("stringData", "DB_PASSWORD", "")
}

test_configmap_and_env_reasons if {
	sec.configmap_reason("API_TOKEN", "abc-123-def") == "the key names a credential"
	not sec.configmap_reason("API_TOKEN", "$(TOKEN)")
	sec.env_reason("API_TOKEN", "abc-123-def") == "the name says it is one"
	sec.env_reason("URL", "redis://:pw-1@cache:6379") == "a connection string with a password in it"
	not sec.env_reason("LOG_LEVEL", "debug")
}

test_arg_reason if {
	sec.arg_reason(["--db-password=pw-1"], 0, "--db-password=pw-1") == "a credential flag with its value"
	sec.arg_reason(["--password", "pw-1"], 0, "--password") == "a credential flag followed by its value"
	sec.arg_reason(["sh", "-c", "redis-cli -a pw-1 ping"], 2, "redis-cli -a pw-1 ping") == "a client's password flag followed by its value"
	sec.arg_reason(["mysql -ppw-1 app"], 0, "mysql -ppw-1 app") == "mysql's -p<password>"
	not sec.arg_reason(["--password-file", "/run/pw"], 0, "--password-file")
	not sec.arg_reason(["--password", "$(PW)"], 0, "--password")
}
