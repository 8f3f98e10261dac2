//! Every place a credential could leak into output is masked here, and nowhere else:
//! snippets of rendered manifests ([`files`]), of templates ([`templates`]), and Helm's own
//! error messages ([`helm_message`]). Masking keeps byte lengths where positions matter, so
//! locations still point at the right columns.

use crate::files::SourceFile;
use crate::model::{Finding, Location, PathSeg};
use crate::yaml::{byte_offset, line_starts, locate, Node, Pos, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What masking needs to know of one parsed object.
pub(crate) struct Doc<'a> {
    /// Index of the file it was read from.
    pub(crate) file: usize,
    pub(crate) kind: &'a str,
    pub(crate) root: &'a Node,
    /// Spans of values dropped because their key is written again.
    pub(crate) dropped: &'a [(Pos, Pos)],
}

/// Keys whose values are credentials wherever they appear: masked in every snippet.
pub(crate) fn looks_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase().replace(['-', '.'], "_");
    [
        "password",
        "passwd",
        "secret",
        "token",
        "apikey",
        "api_key",
        "private_key",
        "privatekey",
        "credential",
        "dsn",
        "database_url",
        "connection_string",
        "connectionstring",
        "access_key",
        "auth",
    ]
    .iter()
    .any(|w| k.contains(w))
}

/// The text of each source with every value that may be a credential replaced by `*`
/// (byte lengths kept, so positions stay right): Secret data, values under secret-looking
/// keys, `env` entries with secret-looking names, and the targets of secret findings. Only
/// this text is ever shown in snippets.
pub(crate) fn files(files: &[SourceFile], docs: &[Doc<'_>], findings: &[Finding]) -> Vec<String> {
    let mut spans: Vec<Vec<(Pos, Pos)>> = vec![Vec::new(); files.len()];
    fn collect(node: &Node, under_secret: bool, out: &mut Vec<(Pos, Pos)>) {
        match &node.value {
            Value::Map(entries) => {
                let env_name = node
                    .get("name")
                    .and_then(Node::as_str)
                    .is_some_and(looks_secret_key);
                for e in entries {
                    let secret =
                        under_secret || looks_secret_key(&e.key) || (env_name && e.key == "value");
                    collect(&e.value, secret, out);
                }
            }
            Value::Seq(items) => items.iter().for_each(|n| collect(n, under_secret, out)),
            _ if under_secret => out.push((node.pos, node.end)),
            _ => {}
        }
    }
    for r in docs {
        let Some(list) = spans.get_mut(r.file) else {
            continue;
        };
        // Opaque by definition: Secret data and ConfigMap binaryData.
        let opaque: &[&str] = match r.kind {
            "Secret" => &["data", "stringData"],
            "ConfigMap" => &["binaryData"],
            _ => &[],
        };
        for field in opaque {
            if let Some(n) = r.root.get(field) {
                collect(n, true, list);
            }
        }
        // A value dropped for a repeated key has no node; nothing says it is not a secret.
        list.extend(r.dropped.iter().copied());
        collect(r.root, false, list);
    }
    for f in findings.iter().filter(|f| f.sensitive) {
        let r = &docs[f.target.resource];
        let (node, _, _) = locate(r.root, &f.target.path);
        let Some(list) = spans.get_mut(r.file) else {
            continue;
        };
        // The target itself (or everything below the nearest ancestor that exists) …
        collect(node, true, list);
        // … and, for a list item such as `--token` in `args`, the item after it, which is
        // where a flag's value sits.
        if let Some((PathSeg::Index(n), parent)) = f.target.path.split_last() {
            let (list_node, _, depth) = locate(r.root, parent);
            if depth == parent.len() {
                if let Some(next) = list_node.items().get(n + 1) {
                    collect(next, true, list);
                }
            }
        }
    }
    files
        .iter()
        .zip(spans)
        .map(|(file, spans)| {
            if spans.is_empty() {
                return file.text.clone();
            }
            let starts = line_starts(&file.text);
            let mut bytes = file.text.clone().into_bytes();
            for (a, b) in spans {
                let (from, to) = (
                    byte_offset(&starts, &file.text, a),
                    byte_offset(&starts, &file.text, b),
                );
                // Spaces stay: a span's end may reach into the next line's indentation, and
                // the layout must stay readable.
                for byte in bytes.iter_mut().take(to.min(file.text.len())).skip(from) {
                    if !matches!(*byte, b'\n' | b'\r' | b' ' | b'\t') {
                        *byte = b'*';
                    }
                }
            }
            // Only whole multi-byte characters fall inside a masked span and every one of their
            // bytes became '*', so the text is still UTF-8.
            String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
        })
        .collect()
}

/// Each template's text for snippets (by display name), masked: a template line is masked
/// when what it rendered was masked, when a secret finding points at it, and wherever a
/// key looks like a credential. `masked_files` is [`files`]' output for `files`.
pub(crate) fn templates(
    templates: BTreeMap<String, String>,
    files: &[SourceFile],
    masked_files: &[String],
    findings: &[Finding],
) -> BTreeMap<String, String> {
    // A template line is masked when what it rendered was masked (Secret data,
    // binaryData, credential-looking keys, dropped duplicates …): the redaction of the
    // rendered output decides, the template follows.
    fn lines_of(text: &str) -> Vec<&str> {
        text.lines().collect()
    }
    let masked: Vec<(String, usize)> = {
        let rendered: BTreeMap<&str, (Vec<&str>, Vec<&str>)> = files
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                Some((
                    f.name.as_str(),
                    (lines_of(&f.text), lines_of(masked_files.get(i)?)),
                ))
            })
            .collect();
        let masked_in_render = |at: &Option<Location>| {
            at.as_ref().is_some_and(|r| {
                rendered
                    .get(r.file.as_str())
                    .is_some_and(|(original, redacted)| {
                        original.get(r.line - 1) != redacted.get(r.line - 1)
                    })
            })
        };
        let mut masked: Vec<(String, usize)> = Vec::new();
        for f in findings {
            if f.sensitive || masked_in_render(&f.rendered) {
                masked.push((f.location.file.clone(), f.location.line));
                // A flag's value may sit on the next line (`- --token` / `- LITERAL`).
                if f.sensitive && matches!(f.target.path.last(), Some(PathSeg::Index(_))) {
                    masked.push((f.location.file.clone(), f.location.line + 1));
                }
            }
            for rel in f
                .related
                .iter()
                .filter(|rel| masked_in_render(&rel.rendered))
            {
                masked.push((rel.location.file.clone(), rel.location.line));
            }
        }
        masked
    };
    templates
        .into_iter()
        .map(|(name, text)| {
            let lines: Vec<usize> = masked
                .iter()
                .filter(|(file, _)| *file == name)
                .map(|(_, line)| *line)
                .collect();
            let redacted = template(&text, &lines);
            (name, redacted)
        })
        .collect()
}

/// A template's text for snippets: the value part of every line whose key looks like a
/// credential (and of the lines secret findings point at, and an env entry's `value:` after
/// a credential-like `name:`) becomes `*`. Template actions (`{{ … }}`) stay: they name
/// values, they do not hold them.
fn template(text: &str, sensitive_lines: &[usize]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut secret_env_name = false;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let body = line.trim_end_matches(['\n', '\r']);
        let t = body.trim_start().trim_start_matches("- ");
        let (key, value_at) = match t.find(':') {
            Some(c) if !t[..c].contains(' ') || t[..c].starts_with('"') => {
                (t[..c].trim_matches('"'), body.len() - t.len() + c + 1)
            }
            _ => ("", usize::MAX),
        };
        let sensitive = sensitive_lines.contains(&(i + 1));
        // A list item with no key (`- --password=…`): its whole content is the value.
        let value_at = if value_at == usize::MAX && sensitive {
            let item = body.trim_start();
            let item = item.strip_prefix("- ").unwrap_or(item);
            body.len() - item.len()
        } else {
            value_at
        };
        let mask = value_at != usize::MAX
            && (sensitive || looks_secret_key(key) || (key == "value" && secret_env_name));
        if key == "name" {
            secret_env_name =
                looks_secret_key(body[value_at.min(body.len())..].trim().trim_matches('"'));
        } else if !key.is_empty() && key != "value" {
            secret_env_name = false;
        }
        if mask {
            let (head, tail) = body.split_at(value_at.min(body.len()));
            // A trailing YAML comment is not part of the value: keep it readable.
            let (value, comment) = match tail.find(" #") {
                Some(i)
                    if tail[..i].matches('"').count() % 2 == 0
                        && tail[..i].matches('\'').count() % 2 == 0 =>
                {
                    tail.split_at(i)
                }
                _ => (tail, ""),
            };
            out.push_str(head);
            out.push_str(&mask_literal(value));
            out.push_str(comment);
            out.push_str(&line[body.len()..]);
        } else {
            out.push_str(line);
        }
    }
    out
}

/// Masks literal text but keeps `{{ … }}` actions readable.
fn mask_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while !rest.is_empty() {
        match rest.find("{{") {
            Some(0) => {
                let end = rest.find("}}").map(|e| e + 2).unwrap_or(rest.len());
                out.push_str(&rest[..end]);
                rest = &rest[end..];
            }
            Some(n) => {
                out.push_str(&mask_chars(&rest[..n]));
                rest = &rest[n..];
            }
            None => {
                out.push_str(&mask_chars(rest));
                rest = "";
            }
        }
    }
    out
}

fn mask_chars(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_whitespace() || c == '"' || c == '\'' {
                c.to_string()
            } else {
                "*".repeat(c.len_utf8())
            }
        })
        .collect()
}

/// Helm echoes values in its errors (`key "x" has no value`, `cannot parse template "…"`):
/// every `--set`/`--set-string` value, and every value under a credential-looking key of the
/// values files, becomes `****` before the message is shown or written to SARIF.
pub(crate) fn helm_message<'a>(
    message: &str,
    set_args: impl Iterator<Item = &'a String>,
    values_files: impl Iterator<Item = PathBuf>,
) -> String {
    let mut secrets: Vec<String> = Vec::new();
    for arg in set_args {
        for part in arg.split(',') {
            let value = part.split_once('=').map(|(_, v)| v).unwrap_or(part);
            secrets.push(value.trim().to_string());
        }
    }
    fn walk(node: &Node, secret: bool, out: &mut Vec<String>) {
        match &node.value {
            Value::Map(entries) => {
                for e in entries {
                    walk(&e.value, secret || looks_secret_key(&e.key), out);
                }
            }
            Value::Seq(items) => items.iter().for_each(|n| walk(n, secret, out)),
            Value::Str(s) if secret => out.push(s.clone()),
            _ => {}
        }
    }
    for f in values_files {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        if let Ok(Some(doc)) = crate::yaml::parse_document(&text, 0) {
            walk(&doc.root, false, &mut secrets);
        }
    }
    // Longest first, so a secret that contains another is replaced whole; very short values
    // would mangle ordinary words and numbers of the message.
    secrets.retain(|s| s.chars().count() >= 4);
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets.dedup();
    let mut out = message.to_string();
    for s in &secrets {
        out = out.replace(s.as_str(), "****");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_lose_credentials_but_keep_actions() {
        let t = "stringData:\n  DATABASE_PASSWORD: hunter2\n  API_KEY: {{ .Values.apiKey | quote }}\nenv:\n  - name: API_TOKEN\n    value: tok-123\n  - name: LOG_LEVEL\n    value: debug\n";
        let r = template(t, &[]);
        assert!(!r.contains("hunter2") && !r.contains("tok-123"), "{r}");
        assert!(r.contains("{{ .Values.apiKey | quote }}"), "{r}");
        assert!(r.contains("value: debug"), "{r}");
        assert_eq!(r.len(), t.len());
    }

    fn masked(text: &str) -> String {
        let sources = vec![SourceFile {
            name: "r.yaml".into(),
            text: text.into(),
        }];
        let resources = crate::parse::parse_files(&sources).unwrap();
        let docs: Vec<Doc<'_>> = resources
            .iter()
            .map(|r| Doc {
                file: r.origin.file,
                kind: &r.kind,
                root: &r.root,
                dropped: &r.dropped,
            })
            .collect();
        let out = files(&sources, &docs, &[]).remove(0);
        assert_eq!(out.len(), text.len(), "lengths are kept: {out}");
        out
    }

    #[test]
    fn secret_data_credential_keys_and_env_values_are_masked() {
        let t = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  anything: hunter2\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  db_password: swordfish\n  log_level: debug\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: app\n      env:\n        - name: API_TOKEN\n          value: tok-123\n        - name: MODE\n          value: fast\n";
        let out = masked(t);
        for secret in ["hunter2", "swordfish", "tok-123"] {
            assert!(!out.contains(secret), "{secret} shown:\n{out}");
        }
        for kept in ["debug", "value: fast", "name: API_TOKEN", "anything:"] {
            assert!(out.contains(kept), "{kept} lost:\n{out}");
        }
    }

    #[test]
    fn a_value_dropped_for_a_repeated_key_is_masked() {
        let t = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  a: first-secret\n  a: second\n";
        let out = masked(t);
        assert!(!out.contains("first-secret"), "{out}");
    }

    #[test]
    fn helm_messages_lose_set_values_and_credential_values() {
        let dir = std::env::temp_dir().join(format!("cg-redact-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let values = dir.join("values.yaml");
        std::fs::write(&values, "auth:\n  password: s3cr3t-pw\nreplicas: 3\n").unwrap();
        let set = [
            "image.tag=v1.2.3-private,token=abcdef".to_string(),
            "x=ab".to_string(),
        ];
        let message = "error: value s3cr3t-pw, tag v1.2.3-private, token abcdef, ab and 3 replicas";
        let out = helm_message(message, set.iter(), std::iter::once(values));
        assert_eq!(
            out,
            "error: value ****, tag ****, token ****, ab and 3 replicas"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
