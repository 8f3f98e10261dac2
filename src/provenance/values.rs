//! Which values key fed a template line, and which values file sets it: "set by
//! values-prod.yaml:12 (`resources.limits`)" or "not set; add `resources` to values-prod.yaml".
//! Helm's override order: the chart's values.yaml, then each `-f` in order, then `--set`.

use crate::model::ValueSource;
use crate::yaml::{parse_document, Node};
use std::path::Path;

/// `.Values.a.b` references on a template line.
pub(crate) fn refs(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find(".Values.") {
        let after = &rest[i + 8..];
        let key: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
            .collect();
        let key = key.trim_end_matches('.').to_string();
        if !key.is_empty() && !out.contains(&key) {
            out.push(key);
        }
        rest = after;
    }
    out
}

/// The values key behind template line `line` (1-based): a reference on the line itself, or
/// the `with .Values.x` block the line sits in when it uses `.`.
pub(crate) fn keys_for_line(template: &str, line: usize) -> Vec<String> {
    let lines: Vec<&str> = template.lines().collect();
    let Some(text) = line.checked_sub(1).and_then(|i| lines.get(i)) else {
        return Vec::new();
    };
    let on_line = refs(text);
    if !on_line.is_empty() {
        return on_line;
    }
    // A line that writes a literal and does not use `.` takes nothing from the block's
    // value: `replicas: 1` inside `with .Values.api` is written in the template, and pointing
    // at the values file would send the reader to a file that cannot change it. A bare
    // `resources:` key is different: its value is the `toYaml .` below it.
    if !uses_dot(text) && writes_literal(text) {
        return Vec::new();
    }
    key_of_block(&lines, line).into_iter().collect()
}

/// Whether a template line with no action writes its value itself: `key: value` or a list
/// item `- value`, not a bare `key:` (or a block scalar `key: |`) whose value follows.
fn writes_literal(line: &str) -> bool {
    let t = line.split(" #").next().unwrap_or("").trim();
    if t.contains("{{") || t.is_empty() {
        return false;
    }
    let t = t.strip_prefix("- ").unwrap_or(t).trim();
    match t.split_once(':') {
        Some((_, value)) => {
            let v = value.trim();
            !v.is_empty() && !v.starts_with('|') && !v.starts_with('>')
        }
        None => t != "-",
    }
}

/// Whether a template line reads the current `.` in an action: `{{ . }}`, `{{ toYaml . }}`,
/// `{{ .image }}` — not `$.Values.x`, `.Values.x`, `.Release.Name`, numbers or strings.
fn uses_dot(line: &str) -> bool {
    const ROOT: [&str; 6] = [
        "Values",
        "Release",
        "Chart",
        "Capabilities",
        "Files",
        "Template",
    ];
    let mut rest = line;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let close = after.find("}}").unwrap_or(after.len());
        let action = &after[..close];
        let bytes = action.as_bytes();
        let mut in_string = None;
        for (i, &b) in bytes.iter().enumerate() {
            match in_string {
                Some(q) if b == q => in_string = None,
                Some(_) => {}
                None if b == b'"' || b == b'`' => in_string = Some(b),
                None if b == b'.' => {
                    let prev = if i == 0 { b' ' } else { bytes[i - 1] };
                    if prev.is_ascii_alphanumeric() || matches!(prev, b'_' | b'$' | b')' | b'.') {
                        continue;
                    }
                    let field: String = action[i + 1..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    if !ROOT.contains(&field.as_str()) {
                        return true;
                    }
                }
                None => {}
            }
        }
        rest = &after[close.min(after.len())..];
    }
    false
}

fn key_of_block(lines: &[&str], line: usize) -> Option<String> {
    // Walk up to the innermost open `with`/`range`. A line in a `with … else` branch is
    // outside the `with`'s value: its opener is skipped.
    let mut depth = 0i32;
    let mut in_else = false;
    for l in lines[..line - 1].iter().rev() {
        let t = l.trim();
        let opens = ["with ", "range ", "if "]
            .iter()
            .filter(|w| t.contains(&format!("{{{{- {w}")) || t.contains(&format!("{{{{ {w}")))
            .count() as i32;
        let closes = t.matches("end }}").count() as i32 + t.matches("end -}}").count() as i32;
        depth += closes - opens;
        if depth == 0 && (t.starts_with("{{- else") || t.starts_with("{{ else")) {
            in_else = true;
        }
        if depth < 0 {
            if !in_else && (t.contains("with .Values.") || t.contains("range .Values.")) {
                return refs(t).into_iter().next();
            }
            depth = 0;
            in_else = false;
        }
    }
    None
}

fn lookup<'a>(root: &'a Node, key: &str) -> Option<&'a Node> {
    let mut node = root;
    for part in key.split('.') {
        node = node.get(part)?;
    }
    Some(node)
}

/// A values file, read and parsed once per lint (findings look keys up in it many times).
#[derive(Debug, Clone)]
pub(crate) struct ValuesFile {
    /// As shown to users.
    pub(crate) name: String,
    /// None when the file does not parse: it then sets nothing we can point at.
    pub(crate) root: Option<Node>,
}

impl ValuesFile {
    pub(crate) fn read(path: &Path) -> Option<ValuesFile> {
        let text = std::fs::read_to_string(path).ok()?;
        Some(ValuesFile::parse(path, &text))
    }

    pub(crate) fn parse(path: &Path, text: &str) -> ValuesFile {
        let root = parse_document(text, 0).ok().flatten().map(|d| d.root);
        ValuesFile {
            name: crate::files::display_path(path),
            root,
        }
    }
}

/// Where each key is set, as one source whose hint names them all (a DSN built from user,
/// password and host names three keys).
pub(crate) fn sources_of(
    keys: &[String],
    values_files: &[ValuesFile],
    set_args: &[String],
    subchart: Option<(Option<&ValuesFile>, &str)>,
) -> Option<ValueSource> {
    let mut all: Vec<ValueSource> = keys
        .iter()
        .map(|k| source_of(k, values_files, set_args, subchart))
        .collect();
    if all.len() <= 1 {
        return all.pop();
    }
    let hint = all
        .iter()
        .map(|s| s.hint.clone())
        .collect::<Vec<_>>()
        .join("; ");
    let mut first = all.swap_remove(0);
    first.hint = hint;
    Some(first)
}

/// Where `key` is set. `values_files`: in Helm's order (chart values.yaml first).
/// `subchart`: for templates of a subchart, its own values.yaml (read first) and its name,
/// under which its values live in the parent's files.
pub(crate) fn source_of(
    key: &str,
    values_files: &[ValuesFile],
    set_args: &[String],
    subchart: Option<(Option<&ValuesFile>, &str)>,
) -> ValueSource {
    let mut found: Option<(String, usize)> = None;
    let prefix = subchart.map(|(_, n)| n).unwrap_or("");
    let own = subchart.and_then(|(own, _)| own).map(|f| (f, ""));
    let candidates = own
        .into_iter()
        .chain(values_files.iter().map(|f| (f, prefix)));
    let mut last = None;
    for (file, prefix) in candidates {
        last = Some(file.name.clone());
        let full = if prefix.is_empty() {
            key.to_string()
        } else {
            format!("{prefix}.{key}")
        };
        let Some(root) = &file.root else { continue };
        if let Some(n) = lookup(root, &full) {
            if !matches!(n.value, crate::yaml::Value::Null) {
                // The key's own line reads better than its value's.
                let line = key_line(root, &full).unwrap_or(n.pos.line.max(1));
                found = Some((file.name.clone(), line));
            }
        }
    }
    // `--set resources.limits.cpu=…` sets part of `.Values.resources`; a subchart's values
    // are set as `<subchart>.<key>`.
    let full_key = match subchart {
        Some((_, name)) => format!("{name}.{key}"),
        None => key.to_string(),
    };
    let on_command_line = set_args.iter().any(|s| {
        s.split(',').any(|kv| {
            kv.split('=').next().is_some_and(|k| {
                let k = k.trim();
                k == full_key
                    || k.starts_with(&format!("{full_key}."))
                    || full_key.starts_with(&format!("{k}."))
            })
        })
    });
    if on_command_line {
        return ValueSource {
            key: key.into(),
            file: None,
            line: None,
            column: None,
            command_line: true,
            hint: format!("set on the command line (--set {key}=…)"),
        };
    }
    match found {
        Some((file, line)) => ValueSource {
            hint: format!("set by {file}:{line} (`{key}`)"),
            key: key.into(),
            file: Some(file),
            line: Some(line),
            column: None,
            command_line: false,
        },
        None => {
            let last = last.unwrap_or_else(|| "values.yaml".into());
            ValueSource {
                hint: format!("`{key}` is not set in any values file; add it to {last}"),
                key: key.into(),
                file: None,
                line: None,
                column: None,
                command_line: false,
            }
        }
    }
}

fn key_line(root: &Node, key: &str) -> Option<usize> {
    let (parent, last) = match key.rsplit_once('.') {
        Some((p, l)) => (lookup(root, p)?, l),
        None => (root, key),
    };
    parent
        .entries()
        .iter()
        .rev()
        .find(|e| e.key == last)
        .map(|e| e.key_pos.line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_on_a_line() {
        assert_eq!(refs("image: \"{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}\""), vec!["image.repository", "image.tag"]);
        assert_eq!(
            refs("{{- toYaml .Values.resources | nindent 12 }}"),
            vec!["resources"]
        );
        assert!(refs("name: app").is_empty());
    }

    #[test]
    fn with_blocks_name_the_key() {
        let t = "spec:\n  {{- with .Values.podSecurityContext }}\n  securityContext:\n    {{- toYaml . | nindent 4 }}\n  {{- end }}\n";
        assert_eq!(keys_for_line(t, 4), vec!["podSecurityContext".to_string()]);
        assert!(keys_for_line(t, 1).is_empty());
    }

    #[test]
    fn hard_coded_lines_in_a_block_name_no_key() {
        let t = "spec:\n  {{- with .Values.api }}\n  replicas: 1\n  image: {{ .image }}\n  name: {{ $.Release.Name }}-{{ .Values.x }}\n  {{- end }}\n";
        assert!(keys_for_line(t, 3).is_empty());
        assert_eq!(keys_for_line(t, 4), vec!["api".to_string()]);
        // A bare key whose value the block renders below it is the block's.
        let t = "  {{- with .Values.resources }}\n  resources:\n    {{- toYaml . | nindent 4 }}\n  {{- end }}\n";
        assert_eq!(keys_for_line(t, 2), vec!["resources".to_string()]);
        let t = "  {{- with .Values.strategy }}\n  strategy:\n    {{- toYaml . | nindent 4 }}\n  {{- else }}\n  strategy:\n    maxUnavailable: {{ printf \"%d\" . }}\n  {{- end }}\n";
        assert_eq!(keys_for_line(t, 3), vec!["strategy".to_string()]);
        // The else branch's `.` is not the with's value.
        assert!(keys_for_line(t, 6).is_empty());
        assert!(!uses_dot(
            "  name: {{ $.Release.Name }} {{ \"a.b\" }} {{ 1.5 }}"
        ));
        assert!(uses_dot("  {{- toYaml . | nindent 4 }}"));
        assert!(uses_dot("  {{ (.port) }}"));
    }

    #[test]
    fn last_values_file_wins() {
        let files = vec![
            ValuesFile::parse(Path::new("values.yaml"), "replicaCount: 1\nresources: {}\n"),
            ValuesFile::parse(Path::new("values-prod.yaml"), "# prod\nreplicaCount: 3\n"),
        ];
        let s = source_of("replicaCount", &files, &[], None);
        assert_eq!(s.hint, "set by values-prod.yaml:2 (`replicaCount`)");
        let s = source_of("resources", &files, &[], None);
        assert_eq!(s.file.as_deref(), Some("values.yaml"));
        let s = source_of("podDisruptionBudget.enabled", &files, &[], None);
        assert!(
            s.hint
                .contains("not set in any values file; add it to values-prod.yaml"),
            "{}",
            s.hint
        );
        let s = source_of("replicaCount", &files, &["replicaCount=5".into()], None);
        assert!(s.command_line && !s.hint.contains('5'));
    }
}
