//! What makes a value or a name a credential, judged once in Rust for the whole release
//! (`input.index.credentials`, read by `plaintext-secret` and any user policy). Each answer is
//! a reason that names the kind of credential, never the value, and `None` when there is none.
//! These are the finding-grade patterns (precision first); `redact` masks more widely and
//! asks [`value_reason`] too, so a token format found here is never shown in a snippet.
//!
//! (Ported from the Rego `secrets_lib`, which evaluated the same patterns per value in the
//! interpreter: 52 µs per ConfigMap key, 14 s for a 200,000-key ConfigMap.)

use regex::Regex;
use std::sync::LazyLock;

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("a valid built-in pattern")
}

static PRIVATE_KEY: LazyLock<Regex> =
    LazyLock::new(|| re(r"-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----"));
static QUERY_PASSWORD: LazyLock<Regex> =
    LazyLock::new(|| re(r"[?&]([Pp]assword|PASSWORD)=[^&$ \t\r\n{]"));
static ADO_PASSWORD: LazyLock<Regex> =
    LazyLock::new(|| re(r"(^|;)[ \t]*([Pp]assword|PASSWORD|[Pp]wd|PWD)[ \t]*=[ \t]*[^;$ \t\r\n{]"));
static ENV_REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^\$(\([A-Za-z_][A-Za-z0-9_]*\)|\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)$")
});
static CAMEL: LazyLock<Regex> = LazyLock::new(|| re(r"([a-z0-9])([A-Z])"));
static BASE64: LazyLock<Regex> = LazyLock::new(|| re(r"^[A-Za-z0-9+/]*={0,2}$"));

/// marker (a substring every match contains, a cheap test first) → pattern, matched after a
/// non-word boundary.
static KEY_PATTERNS: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        ("sk_live_", r"sk_live_[0-9A-Za-z]{8,}"),
        ("sk-live-", r"sk-live-[0-9A-Za-z]{8,}"),
        ("sk-", r"sk-[A-Za-z0-9_-]{20,}"),
        ("AKIA", r"AKIA[0-9A-Z]{16}"),
        ("gh", r"gh[pousr]_[A-Za-z0-9]{20,}"),
        ("github_pat_", r"github_pat_[A-Za-z0-9_]{20,}"),
        ("xox", r"xox[bp]-[A-Za-z0-9-]{10,}"),
    ]
    .into_iter()
    .map(|(marker, p)| (marker, re(&format!("(^|[^A-Za-z0-9_-]){p}"))))
    .collect()
});

pub(crate) const DSN: &str = "a connection string with a password in it";
pub(crate) const PEM: &str = "a PEM private key";
pub(crate) const TOKEN_FORMAT: &str = "a well-known API key or token format";

/// Why a value is unmistakably a credential: a connection string with a password, a PEM
/// private key, a well-known API key or token format.
pub(crate) fn value_reason(value: &str) -> Option<&'static str> {
    if dsn_with_password(value) {
        return Some(DSN);
    }
    if value.contains("PRIVATE KEY-----") && PRIVATE_KEY.is_match(value) {
        return Some(PEM);
    }
    KEY_PATTERNS
        .iter()
        .any(|(marker, p)| value.contains(marker) && p.is_match(value))
        .then_some(TOKEN_FORMAT)
}

/// scheme://user:password@host (the password not a `$(VAR)`/`${VAR}`/`$VAR` or `{…}`
/// reference), `?password=…` in a URL, or an ADO/JDBC-style `…;Password=…;`.
fn dsn_with_password(value: &str) -> bool {
    if value.contains("://") && value.contains('@') {
        let found = value.split("://").skip(1).any(|rest| {
            let Some(at) = rest.find('@').filter(|&at| at > 0) else {
                return false;
            };
            let userinfo = &rest[..at];
            if userinfo.contains(['/', ' ', '\t', '\n', '\r']) {
                return false;
            }
            let Some(colon) = userinfo.find(':') else {
                return false;
            };
            let password = &userinfo[colon + 1..];
            !password.is_empty() && !password.starts_with('$') && !password.starts_with('{')
        });
        if found {
            return true;
        }
    }
    if value.contains('=') {
        let lower = value.to_lowercase();
        if (lower.contains("password") || lower.contains("pwd"))
            && (QUERY_PASSWORD.is_match(value) || ADO_PASSWORD.is_match(value))
        {
            return true;
        }
    }
    false
}

const NAME_MARKERS: &[&str] = &["PASS", "PWD", "SECRET", "TOKEN", "KEY", "CREDENTIAL", "DSN"];
const LAST_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "HTPASSWD",
    "PASSPHRASE",
    "SECRET",
    "TOKEN",
    "APIKEY",
    "CREDENTIAL",
    "CREDENTIALS",
    "DSN",
];
const KEY_QUALIFIERS: &[&str] = &[
    "API",
    "SECRET",
    "PRIVATE",
    "ACCESS",
    "SIGNING",
    "ENCRYPTION",
    "MASTER",
    "AUTH",
    "CLIENT",
    "LICENSE",
    "CSRF",
    "XSRF",
    "HMAC",
    "JWT",
    "SESSION",
    "COOKIE",
    "TLS",
    "SSH",
    "GPG",
    "PGP",
];

/// Credential-like names, judged on their last words: DB_PASSWORD, API_TOKEN, apiKey,
/// AWS_SECRET_ACCESS_KEY, SENTRY_DSN – not PASSWORD_MIN_LENGTH, TOKEN_TTL, SECRET_NAME,
/// DB_PASSWORD_FILE, TOKEN_URL, CACHE_KEY or EXISTING_SECRET.
pub(crate) fn credential_name(name: &str) -> bool {
    let upper = name.to_uppercase();
    if !NAME_MARKERS.iter().any(|m| upper.contains(m)) {
        return false;
    }
    // dbPassword → DB_PASSWORD; names without lower-case letters keep their spelling.
    let snake = if upper == name {
        upper
    } else {
        CAMEL.replace_all(name, "${1}_${2}").to_uppercase()
    };
    let normalized = snake.replace(['-', '.'], "_");
    let words: Vec<&str> = normalized.split('_').collect();
    let last = words[words.len() - 1];
    let before = (words.len() > 1).then(|| words[words.len() - 2]);
    let credential = LAST_WORDS.contains(&last)
        || (before.is_some() && matches!(last, "PASS" | "PWD"))
        || (last == "KEY" && before.is_some_and(|b| KEY_QUALIFIERS.contains(&b)));
    // Names of Kubernetes Secrets, not secrets: EXISTING_SECRET, TLS_SECRET.
    let reference = last == "SECRET"
        && before.is_some_and(|b| matches!(b, "EXISTING" | "TLS" | "K8S" | "KUBE" | "KUBERNETES"));
    credential && !reference
}

/// A value that could be a credential: non-empty, not a boolean or a number, not a reference
/// (`$(DB_PASSWORD)`, `${DB_PASSWORD}`, `$DB_PASSWORD`, a file path, a secret manager's).
pub(crate) fn literal_credential(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty()
        || matches!(
            v.to_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "none"
        )
        || v.chars()
            .all(|c| c == '-' || c == '.' || c.is_ascii_digit())
        || (v.starts_with('$') && ENV_REFERENCE.is_match(v))
        || (v.starts_with('/') && !v.contains([' ', '\t', '\n']))
    {
        return false;
    }
    ![
        "vault:",
        "ref+",
        "arn:aws:secretsmanager:",
        "arn:aws:ssm:",
        "projects/",
    ]
    .iter()
    .any(|p| v.starts_with(p))
}

/// A Secret's `data` (base64, decoded here) or `stringData` entry that holds a credential
/// (not a public certificate, a user name or plain config). `value`: `None` when the entry is
/// not a string (a `data` entry is then judged on its key alone).
pub(crate) fn secret_entry_reason(
    field: &str,
    key: &str,
    value: Option<&str>,
) -> Option<&'static str> {
    if value == Some("") || (value.is_none() && field != "data") {
        return None;
    }
    let text: std::borrow::Cow<'_, str> = if field == "data" {
        let v = value.unwrap_or("").replace(['\n', '\r'], "");
        if BASE64.is_match(&v) {
            // The decoder regorus's base64.decode uses; undecodable data is already a
            // schema-invalid finding and is judged on its key alone.
            data_encoding::BASE64
                .decode(v.as_bytes())
                .map(|b| String::from_utf8_lossy(&b).into_owned().into())
                .unwrap_or_default()
        } else {
            "".into()
        }
    } else {
        value.unwrap_or("").into()
    };
    let public = matches!(
        key.to_lowercase().as_str(),
        "tls.crt" | "ca.crt" | "ca-bundle.crt" | "ca.pem" | "cert.pem" | "tls.cert"
    ) || (text.contains("-----BEGIN CERTIFICATE-----")
        && !text.contains("PRIVATE KEY-----"));
    if public {
        return None;
    }
    value_reason(&text).or_else(|| {
        if credential_name(key) {
            Some("the key names a credential")
        } else if key.to_lowercase().ends_with(".key") {
            Some("a private key")
        } else if matches!(key, ".dockerconfigjson" | ".dockercfg") {
            Some("registry credentials")
        } else if key.to_uppercase().contains("HTPASSWD") {
            Some("an htpasswd entry")
        } else {
            None
        }
    })
}

/// A ConfigMap data entry: a credential-like value, or a credential-like key with a literal.
pub(crate) fn configmap_reason(key: &str, value: &str) -> Option<&'static str> {
    value_reason(value).or_else(|| {
        (credential_name(key) && literal_credential(value)).then_some("the key names a credential")
    })
}

/// A container env entry with a literal value.
pub(crate) fn env_reason(name: &str, value: &str) -> Option<&'static str> {
    value_reason(value).or_else(|| {
        (credential_name(name) && literal_credential(value)).then_some("the name says it is one")
    })
}

const FLAG_WITH_VALUE: &str = "a credential flag with its value";
const FLAG_THEN_VALUE: &str = "a credential flag followed by its value";
const CLIENT_FLAG: &str = "a client's password flag followed by its value";
const MYSQL: &str = "mysql's -p<password>";

/// Argument `n` of a container's command or args `list` (strings; `None` for items of another
/// type): --password=literal, --db-password literal, mysql -p literal, redis-cli -a literal, a
/// DSN with a password; also inside `sh -c "…"` scripts.
pub(crate) fn arg_reason(list: &[Option<&str>], n: usize) -> Option<&'static str> {
    let arg = list.get(n).copied().flatten()?;
    if let Some(reason) = value_reason(arg) {
        return Some(reason);
    }
    // Every token reason needs a `--` flag or one of these clients' names.
    if ["--", "mysql", "mongo", "redis-cli"]
        .iter()
        .any(|m| arg.contains(m))
    {
        if let Some(reason) = token_reason(arg) {
            return Some(reason);
        }
    }
    let next = list.get(n + 1).copied().flatten()?;
    (credential_flag(arg) && literal_credential(unquote(next))).then_some(FLAG_THEN_VALUE)
}

/// The first (alphabetically, as the Rego set of reasons was) of the reasons a script's
/// tokens give.
fn token_reason(arg: &str) -> Option<&'static str> {
    let flat = arg.replace(['\n', '\t'], " ");
    let tokens: Vec<&str> = flat.split(' ').filter(|t| !t.is_empty()).collect();
    let mut found: Vec<&'static str> = Vec::new();
    for (k, t) in tokens.iter().enumerate() {
        if t.starts_with('-') {
            if let Some(eq) = t.find('=') {
                if credential_flag(&t[..eq]) && literal_credential(unquote(&t[eq + 1..])) {
                    found.push(FLAG_WITH_VALUE);
                }
            }
        }
        if let Some(next) = tokens.get(k + 1) {
            if credential_flag(t) && literal_credential(unquote(next)) {
                found.push(FLAG_THEN_VALUE);
            }
            let client =
                (*t == "-p" && arg.contains("mongo")) || (*t == "-a" && arg.contains("redis-cli"));
            let v = unquote(next);
            if client && literal_credential(v) && !v.starts_with('-') {
                found.push(CLIENT_FLAG);
            }
        }
        if arg.contains("mysql")
            && t.starts_with("-p")
            && t.chars().count() > 2
            && literal_credential(unquote(&t[2..]))
        {
            found.push(MYSQL);
        }
    }
    found.into_iter().min()
}

/// --password, --db-password, --api-key, --token (not --password-file, --token-url).
fn credential_flag(flag: &str) -> bool {
    flag.starts_with("--") && credential_name(flag.trim_start_matches('-'))
}

fn unquote(v: &str) -> &str {
    v.trim_matches(['"', '\''])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<Option<&'static str>> {
        list.iter()
            .map(|s| Some(&*Box::leak(s.to_string().into_boxed_str())))
            .collect()
    }

    #[test]
    fn value_reason_names_the_kind_never_the_value() {
        assert_eq!(
            value_reason("postgresql://app:pw-123@db:5432/app"),
            Some(DSN)
        );
        assert_eq!(
            value_reason("-----BEGIN RSA PRIVATE KEY-----\nMIIB\n"),
            Some(PEM)
        );
        assert_eq!(value_reason("AKIAABCDEFGHIJKLMNOP"), Some(TOKEN_FORMAT));
        assert_eq!(
            value_reason("key=ghp_abcdefghijklmnopqrstuvwx"),
            Some(TOKEN_FORMAT)
        );
        assert_eq!(
            value_reason("Server=db;Database=app;Password=x1;"),
            Some(DSN)
        );
        assert_eq!(value_reason("https://h/x?password=abc"), Some(DSN));
        assert_eq!(value_reason("https://h/x?password=$(PW)"), None);
        assert_eq!(value_reason("postgresql://app:$(DB_PASSWORD)@db/app"), None);
        assert_eq!(value_reason("postgresql://app@db/app"), None);
        assert_eq!(value_reason("https://example.com/x"), None);
        // A token's prefix inside a word is no token.
        assert_eq!(value_reason("xAKIAABCDEFGHIJKLMNOP"), None);
    }

    #[test]
    fn credential_name_judges_the_last_words() {
        for name in [
            "DB_PASSWORD",
            "apiKey",
            "db-pass",
            "AWS_SECRET_ACCESS_KEY",
            "SENTRY_DSN",
            "db.password",
            "clientSecret",
        ] {
            assert!(credential_name(name), "{name}");
        }
        for name in [
            "PASSWORD_MIN_LENGTH",
            "DB_PASSWORD_FILE",
            "EXISTING_SECRET",
            "PWD",
            "TOKEN_TTL",
            "CACHE_KEY",
            "SECRET_NAME",
            "TOKEN_URL",
            "LOG_LEVEL",
        ] {
            assert!(!credential_name(name), "{name}");
        }
    }

    #[test]
    fn literal_credential_excludes_references_and_plain_values() {
        assert!(literal_credential("s3cr3t-value"));
        for v in [
            "$(DB_PASSWORD)",
            "${X}",
            "$X",
            "/run/secrets/db",
            "true",
            "On",
            "8080",
            "1.5",
            "vault:secret/data/db#password",
            "",
            "  ",
        ] {
            assert!(!literal_credential(v), "{v}");
        }
    }

    #[test]
    fn secret_entries() {
        assert_eq!(
            secret_entry_reason("stringData", "DB_PASSWORD", Some("hunter2-x")),
            Some("the key names a credential")
        );
        assert_eq!(
            secret_entry_reason("data", "server.key", Some("b3BhcXVl")),
            Some("a private key")
        );
        // base64 of "-----BEGIN CERTIFICATE-----\n"
        assert_eq!(
            secret_entry_reason(
                "data",
                "tls.crt",
                Some("LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==")
            ),
            None
        );
        assert_eq!(
            secret_entry_reason(
                "data",
                "bundle",
                Some("LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==")
            ),
            None
        );
        assert_eq!(
            secret_entry_reason("stringData", "username", Some("admin")),
            None
        );
        assert_eq!(
            secret_entry_reason("stringData", "DB_PASSWORD", Some("")),
            None
        );
        assert_eq!(
            secret_entry_reason("stringData", ".dockerconfigjson", Some("{}")),
            Some("registry credentials")
        );
        assert_eq!(
            secret_entry_reason("stringData", "auth", Some("u:$apr1$x")),
            None
        );
        assert_eq!(
            secret_entry_reason("stringData", "htpasswd-users", Some("u:$apr1$x")),
            Some("an htpasswd entry")
        );
        // Decoded before judging: base64 of "postgres://u:p@h/db".
        assert_eq!(
            secret_entry_reason("data", "url", Some("cG9zdGdyZXM6Ly91OnBAaC9kYg==")),
            Some(DSN)
        );
    }

    #[test]
    fn configmap_and_env_reasons() {
        assert_eq!(
            configmap_reason("API_TOKEN", "abc-123-def"),
            Some("the key names a credential")
        );
        assert_eq!(configmap_reason("API_TOKEN", "$(TOKEN)"), None);
        assert_eq!(
            env_reason("API_TOKEN", "abc-123-def"),
            Some("the name says it is one")
        );
        assert_eq!(env_reason("URL", "redis://:pw-1@cache:6379"), Some(DSN));
        assert_eq!(env_reason("LOG_LEVEL", "debug"), None);
    }

    #[test]
    fn arg_reasons() {
        assert_eq!(
            arg_reason(&args(&["--db-password=pw-1"]), 0),
            Some(FLAG_WITH_VALUE)
        );
        assert_eq!(
            arg_reason(&args(&["--password", "pw-1"]), 0),
            Some(FLAG_THEN_VALUE)
        );
        assert_eq!(
            arg_reason(&args(&["sh", "-c", "redis-cli -a pw-1 ping"]), 2),
            Some(CLIENT_FLAG)
        );
        assert_eq!(arg_reason(&args(&["mysql -ppw-1 app"]), 0), Some(MYSQL));
        assert_eq!(
            arg_reason(&args(&["sh", "-c", "app --token abc1 --password=x2"]), 2),
            Some(FLAG_THEN_VALUE)
        );
        assert_eq!(arg_reason(&args(&["mysql -p app"]), 0), None);
        assert_eq!(arg_reason(&args(&["--password-file", "/run/pw"]), 0), None);
        assert_eq!(arg_reason(&args(&["--password", "$(PW)"]), 0), None);
        assert_eq!(arg_reason(&[Some("--password"), None], 0), None);
    }
}
