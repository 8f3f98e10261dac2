//! Stage 4: findings, located in the files users read, and written as human diagnostics,
//! JSON or SARIF.

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;
pub mod suppress;

use crate::evaluate::policy::{PolicySet, Severity};
use crate::evaluate::{locate, path_to_string, PathSeg, Violation};
use crate::input::SourceFile;
use crate::parse::yaml::{Node, Pos, Value};
use crate::parse::Resource;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ObjectRef {
    pub api_version: String,
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
}

impl ObjectRef {
    fn of(r: &Resource) -> Self {
        ObjectRef {
            api_version: r.api_version.clone(),
            kind: r.kind.clone(),
            namespace: r.namespace.clone(),
            name: r.name.clone(),
        }
    }
    /// `Deployment web` or `Deployment prod/web`.
    pub fn describe(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {}/{}", self.kind, ns, self.name),
            None => format!("{} {}", self.kind, self.name),
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Location {
    /// File as shown to users (relative to the current directory), `<stdin>` for stdin.
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// Helm's `# Source:` template of the document, when rendered by Helm.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RelatedLocation {
    pub object: ObjectRef,
    pub path: String,
    pub message: String,
    pub location: Location,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rendered: Option<Location>,
    /// Resource index and field path (not serialized).
    #[serde(skip)]
    pub target: (usize, Vec<PathSeg>),
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    pub object: ObjectRef,
    pub path: String,
    /// Where to edit: the template line for charts, else the file that was read.
    pub location: Location,
    /// For charts: where it is in Helm's rendered output.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rendered: Option<Location>,
    /// How the template line was found (marker, key-path, document), for charts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mapped_by: Option<crate::render::instrument::Method>,
    /// For charts: the values key behind the line, and which values file sets it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<crate::render::values::ValueSource>,
    /// Environments (from --all-environments or the config) the finding occurs in.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub environments: Vec<String>,
    /// Set when an inline annotation or the config suppresses the finding: it is then not a
    /// failure, but stays visible.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppression: Option<suppress::Suppression>,
    pub why: String,
    pub fix: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<RelatedLocation>,
    /// Stable identity: rule, object and field path — not the line, so it survives edits.
    pub fingerprint: String,
    /// Index of the rule in the policy set (not serialized).
    #[serde(skip)]
    pub rule_index: usize,
    /// Whether the finding's target holds a credential, so no snippet may show it.
    #[serde(skip)]
    pub sensitive: bool,
    /// Resource index and field path of the target (not serialized).
    #[serde(skip)]
    pub target: (usize, Vec<PathSeg>),
}

fn location_of(
    resources: &[Resource],
    files: &[SourceFile],
    resource: usize,
    path: &[PathSeg],
) -> Location {
    let r = &resources[resource];
    let (node, key_pos, _) = locate(&r.root, path);
    let start = key_pos.unwrap_or(node.pos);
    // Underline the key, or the whole scalar; a mapping or list is marked by its first line.
    let end = match (&node.value, key_pos) {
        (_, Some(k)) => {
            let key_len = path.last().map(|s| match s {
                PathSeg::Key(k) => k.chars().count(),
                PathSeg::Index(_) => 1,
            });
            Pos {
                line: k.line,
                col: k.col + key_len.unwrap_or(1),
            }
        }
        (Value::Map(_) | Value::Seq(_), None) => Pos {
            line: start.line,
            col: start.col + 1,
        },
        (_, None) if node.end.line == node.pos.line => node.end,
        _ => Pos {
            line: start.line,
            col: start.col + 1,
        },
    };
    Location {
        file: files
            .get(r.origin.file)
            .map(|f| f.name.clone())
            .unwrap_or_default(),
        line: start.line,
        column: start.col,
        end_line: end.line,
        end_column: end.col.max(start.col + 1),
        template: r.origin.template.clone(),
    }
}

pub fn fingerprint(parts: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    h.finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Turns the engine's violations into located findings, most severe first, then by place.
pub fn findings(
    policies: &PolicySet,
    resources: &[Resource],
    files: &[SourceFile],
    violations: &[Violation],
) -> Vec<Finding> {
    let mut out: Vec<Finding> = violations
        .iter()
        .filter(|v| {
            v.resource < resources.len() && v.related.iter().all(|r| r.resource < resources.len())
        })
        .map(|v| {
            let rule = &policies.rules[v.rule];
            let r = &resources[v.resource];
            let object = ObjectRef::of(r);
            let path = path_to_string(&v.path);
            let ns = object.namespace.clone().unwrap_or_default();
            Finding {
                rule: rule.meta.id.clone(),
                severity: v.severity.unwrap_or(rule.meta.severity),
                message: v.message.clone(),
                location: location_of(resources, files, v.resource, &v.path),
                related: v
                    .related
                    .iter()
                    .map(|rel| RelatedLocation {
                        object: ObjectRef::of(&resources[rel.resource]),
                        path: path_to_string(&rel.path),
                        message: rel.message.clone(),
                        location: location_of(resources, files, rel.resource, &rel.path),
                        rendered: None,
                        target: (rel.resource, rel.path.clone()),
                    })
                    .collect(),
                rendered: None,
                mapped_by: None,
                value: None,
                environments: Vec::new(),
                suppression: None,
                why: rule.meta.why.clone(),
                fix: rule.meta.fix.clone(),
                fingerprint: fingerprint(&[
                    &rule.meta.id,
                    &object.api_version,
                    &object.kind,
                    &ns,
                    &object.name,
                    &path,
                    &v.message,
                ]),
                object,
                path,
                rule_index: v.rule,
                sensitive: rule.meta.tags.iter().any(|t| t == "secrets"),
                target: (v.resource, v.path.clone()),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        (
            b.severity,
            &a.location.file,
            a.location.line,
            a.location.column,
            &a.rule,
            &a.message,
        )
            .cmp(&(
                a.severity,
                &b.location.file,
                b.location.line,
                b.location.column,
                &b.rule,
                &b.message,
            ))
    });
    out.dedup_by(|a, b| a.fingerprint == b.fingerprint);
    out
}

/// Byte offset of a 1-based line/column (columns in characters) in `text`.
pub fn byte_offset(line_starts: &[usize], text: &str, pos: Pos) -> usize {
    let Some(&start) = line_starts.get(pos.line.saturating_sub(1)) else {
        return text.len();
    };
    let line_end = text[start..]
        .find('\n')
        .map(|i| start + i)
        .unwrap_or(text.len());
    text[start..line_end]
        .char_indices()
        .nth(pos.col.saturating_sub(1))
        .map(|(i, _)| start + i)
        .unwrap_or(line_end)
}

pub fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// Keys whose values are credentials wherever they appear: masked in every snippet.
pub fn looks_secret_key(key: &str) -> bool {
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
pub fn redacted_sources(
    files: &[SourceFile],
    resources: &[Resource],
    findings: &[Finding],
) -> Vec<String> {
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
    for r in resources {
        let Some(list) = spans.get_mut(r.origin.file) else {
            continue;
        };
        // Opaque by definition: Secret data and ConfigMap binaryData.
        let opaque: &[&str] = match r.kind.as_str() {
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
        collect(&r.root, false, list);
    }
    for f in findings.iter().filter(|f| f.sensitive) {
        let r = &resources[f.target.0];
        let (node, _, _) = locate(&r.root, &f.target.1);
        let Some(list) = spans.get_mut(r.origin.file) else {
            continue;
        };
        // The target itself (or everything below the nearest ancestor that exists) …
        collect(node, true, list);
        // … and, for a list item such as `--token` in `args`, the item after it, which is
        // where a flag's value sits.
        if let Some((PathSeg::Index(n), parent)) = f.target.1.split_last() {
            let (list_node, _, depth) = locate(&r.root, parent);
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

/// How many findings of each severity.
#[derive(Debug, Default, Clone, Copy, Serialize, PartialEq)]
pub struct Counts {
    pub error: usize,
    pub warning: usize,
    pub note: usize,
    /// Suppressed findings (not in the three counts above).
    pub suppressed: usize,
}

pub fn counts(findings: &[Finding]) -> Counts {
    let mut c = Counts::default();
    for f in findings {
        if f.suppression.is_some() {
            c.suppressed += 1;
            continue;
        }
        match f.severity {
            Severity::Error => c.error += 1,
            Severity::Warning => c.warning += 1,
            Severity::Note => c.note += 1,
        }
    }
    c
}

/// A template's text for snippets: the value part of every line whose key looks like a
/// credential (and of the lines secret findings point at, and an env entry's `value:` after
/// a credential-like `name:`) becomes `*`. Template actions (`{{ … }}`) stay: they name
/// values, they do not hold them.
pub fn redact_template(text: &str, sensitive_lines: &[usize]) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_lose_credentials_but_keep_actions() {
        let t = "stringData:\n  DATABASE_PASSWORD: hunter2\n  API_KEY: {{ .Values.apiKey | quote }}\nenv:\n  - name: API_TOKEN\n    value: tok-123\n  - name: LOG_LEVEL\n    value: debug\n";
        let r = redact_template(t, &[]);
        assert!(!r.contains("hunter2") && !r.contains("tok-123"), "{r}");
        assert!(r.contains("{{ .Values.apiKey | quote }}"), "{r}");
        assert!(r.contains("value: debug"), "{r}");
        assert_eq!(r.len(), t.len());
    }
}
