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

/// What every mask looks like: fixed width, so a snippet never tells a secret's length.
pub(crate) const MASK: &str = "****";

/// The lines a report can show, by file name: windows around every location of the
/// findings (codespan prints a label's lines, and for a label over several lines the three
/// after its start and the one before its end). Snippet text outside them is never shown,
/// so it is blanked rather than scanned: masking a 1.4 MB CRD whose lines no finding
/// points at cost a quarter of a lint. Lines and line numbers stay.
pub(crate) struct Shown(BTreeMap<String, Vec<(usize, usize)>>);

/// Lines kept on either side of a label's window, beyond what codespan prints.
const MARGIN: usize = 2;

impl Shown {
    pub(crate) fn of(findings: &[Finding]) -> Self {
        let mut windows: BTreeMap<String, Vec<(usize, usize)>> = BTreeMap::new();
        let mut add = |l: &Location| {
            let list = windows.entry(l.file.clone()).or_default();
            let end = l.end_line.max(l.line);
            list.push((l.line.saturating_sub(MARGIN), l.line + 3 + MARGIN));
            list.push((end.saturating_sub(1 + MARGIN), end + MARGIN));
        };
        for f in findings {
            add(&f.location);
            f.rendered.iter().for_each(&mut add);
            for rel in &f.related {
                add(&rel.location);
                rel.rendered.iter().for_each(&mut add);
            }
        }
        for list in windows.values_mut() {
            // Inclusive line ranges: adjacent ones join too.
            *list = union(std::mem::take(list), 1);
        }
        Shown(windows)
    }

    #[cfg(test)]
    fn lines(file: &str, ranges: &[(usize, usize)]) -> Self {
        Shown(BTreeMap::from([(file.to_string(), ranges.to_vec())]))
    }

    fn of_file(&self, name: &str) -> Window<'_> {
        Window(self.0.get(name).map_or(&[], Vec::as_slice))
    }
}

/// One file's shown lines (1-based, inclusive ranges, ascending, disjoint).
#[derive(Clone, Copy)]
struct Window<'a>(&'a [(usize, usize)]);

impl Window<'_> {
    #[cfg(test)]
    const ALL: Window<'static> = Window(&[(0, usize::MAX)]);

    /// Whether any line of `first..=last` is shown.
    fn overlaps(self, first: usize, last: usize) -> bool {
        let i = self.0.partition_point(|&(_, b)| b < first);
        self.0.get(i).is_some_and(|&(a, _)| a <= last)
    }

    fn contains(self, line: usize) -> bool {
        self.overlaps(line, line)
    }
}

/// `ranges` sorted and joined where one starts at most `gap` past the end of the one before.
fn union(mut ranges: Vec<(usize, usize)>, gap: usize) -> Vec<(usize, usize)> {
    ranges.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (a, b) in ranges {
        match out.last_mut() {
            Some(last) if a <= last.1.saturating_add(gap) => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// `text` with every line outside `window` emptied (its line break kept).
fn blank_outside(text: &str, window: Window<'_>) -> String {
    let mut out = String::new();
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if window.contains(i + 1) {
            out.push_str(line);
        } else if line.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// Adds snippet texts to `sources`. A file both already hold (a template every environment
/// of `--all-environments` renders, each masked and windowed for its own findings) keeps,
/// line by line, whichever text shows the line, and where both show it differently the
/// more masked one. Texts of different lengths are different files under one name: the
/// added one replaces the other, as before windows.
pub(crate) fn add_snippets(
    sources: &mut BTreeMap<String, String>,
    more: impl IntoIterator<Item = (String, String)>,
) {
    for (name, text) in more {
        match sources.get_mut(&name) {
            Some(old) => *old = merged(old, &text),
            None => {
                sources.insert(name, text);
            }
        }
    }
}

fn merged(a: &str, b: &str) -> String {
    let (la, lb): (Vec<&str>, Vec<&str>) = (
        a.split_inclusive('\n').collect(),
        b.split_inclusive('\n').collect(),
    );
    if la.len() != lb.len() {
        return b.to_string();
    }
    let shown = |l: &str| !l.trim().is_empty();
    // Characters shown that are not masks: fewer is more masked.
    let visible = |l: &str| l.trim().len() - l.matches(MASK).count() * MASK.len();
    la.iter()
        .zip(&lb)
        .map(|(&x, &y)| match (shown(x), shown(y)) {
            (false, true) => y,
            (true, true) if x != y && visible(y) < visible(x) => y,
            _ => x,
        })
        .collect()
}

/// Parts of an identifier that make it name a credential (`DB_PASSWORD`, `-Dpassword`,
/// `db.password`, `apiToken`).
const CREDENTIAL_WORDS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "pwd",
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
    "accesskey",
];

/// Identifiers that name a credential without holding one: the name of a Secret, a
/// reference to it, an existing Secret to use, a file it is mounted at, `auth*` settings.
fn is_reference(normalized: &str) -> bool {
    let k = normalized.trim_start_matches('_');
    [
        "name", "names", "ref", "keyref", "_file", "file", "path", "key_ref",
    ]
    .iter()
    .any(|end| k.ends_with(end))
        || k.starts_with("existing")
        || k.contains("existing_secret")
        || k.contains("existingsecret")
        || k == "imagepullsecrets"
        || k.starts_with("automount")
        // A file name (`templates/secret.yaml:7:20` in Helm's messages).
        || [".yaml", ".yml", ".tpl", ".txt"].iter().any(|e| k.ends_with(&e.replace('.', "_")))
}

fn normalize(key: &str) -> String {
    key.to_ascii_lowercase().replace(['-', '.'], "_")
}

/// Keys whose values are credentials wherever they appear: masked in every snippet.
/// References to credentials (`secretName`, `secretRef`, `existingSecret`, `authType`)
/// are not: they show.
pub(crate) fn looks_secret_key(key: &str) -> bool {
    let k = normalize(key);
    if is_reference(&k) {
        return false;
    }
    k == "auth" || k == "authorization" || CREDENTIAL_WORDS.iter().any(|w| k.contains(w))
}

/// Where a credential's value starts in one line of text, whatever the syntax: a flag
/// (`--password=x`, `--token x`, `-Dpassword=x`, mysql's `-px`), an assignment
/// (`DB_PASSWORD=x`, properties `db.password=x`, INI `password = x`), a JSON or YAML member
/// (`{"password": "x"}`), a URL with a password (`postgres://u:x@host`). `None` when the
/// line holds none of them.
pub(crate) fn credential_in_line(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let ident = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.');
    let mut found: Option<usize> = None;
    let mut keep = |at: usize| found = Some(found.map_or(at, |f: usize| f.min(at)));
    let mut i = 0;
    while i < bytes.len() {
        if !ident(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && ident(bytes[i]) {
            i += 1;
        }
        let word = &line[start..i];
        let standalone = start == 0
            || matches!(
                bytes[start - 1],
                b' ' | b'\t' | b'"' | b'\'' | b'[' | b',' | b'='
            );
        // mysql/mariadb's `-pSECRET` (no space): any such short flag with something after.
        if standalone && word.len() > 2 && word.starts_with("-p") && !word.starts_with("-p-") {
            keep(start + 2);
            continue;
        }
        let k = normalize(word.trim_start_matches('-'));
        let k = k
            .strip_prefix('d')
            .filter(|_| word.starts_with("-D"))
            .unwrap_or(&k);
        let credential =
            (k == "auth" || k.ends_with("_auth") || CREDENTIAL_WORDS.iter().any(|w| k.contains(w)))
                && !is_reference(k);
        if !credential {
            continue;
        }
        // What follows the name: an optional closing quote, blanks, then `=` or `:`.
        let mut j = i;
        while j < bytes.len() && matches!(bytes[j], b'"' | b'\'') {
            j += 1;
        }
        while j < bytes.len() && matches!(bytes[j], b' ' | b'\t') {
            j += 1;
        }
        let assigned = j < bytes.len()
            && (bytes[j] == b'=' || (bytes[j] == b':' && bytes.get(j + 1) != Some(&b':')));
        if assigned {
            j += 1;
        } else if word.starts_with('-') {
            // `--token VALUE`, `["--token", "VALUE"]`: the next word, unless it is a flag.
            while j < bytes.len() && matches!(bytes[j], b' ' | b'\t' | b',' | b'"' | b'\'') {
                j += 1;
            }
            if j >= bytes.len() || matches!(bytes[j], b'-' | b']' | b'#' | b'}') {
                continue;
            }
        } else {
            continue;
        }
        while j < bytes.len() && matches!(bytes[j], b' ' | b'\t') {
            j += 1;
        }
        if j < bytes.len() {
            keep(j);
        }
    }
    // scheme://user:password@host
    let mut from = 0;
    while let Some(at) = line[from..].find("://") {
        let auth_start = from + at + 3;
        let rest = &line[auth_start..];
        let end = rest
            .find(|c: char| c == '/' || c.is_whitespace() || c == '"' || c == '\'')
            .unwrap_or(rest.len());
        if let Some(a) = rest[..end].rfind('@') {
            if rest[..a].contains(':') {
                keep(auth_start);
            }
        }
        from = auth_start;
    }
    found
}

/// Replaces each byte range of `text` by [`MASK`], range by range and line by line (a range
/// never swallows a line break, so line numbers stay; the blanks at either end of a range
/// stay so the layout does). Columns before a mask are unchanged; later ones on that line
/// move, which is why masks start at values, after the keys locations point at.
fn apply_masks(text: &str, mut ranges: Vec<(usize, usize)>) -> String {
    if ranges.is_empty() {
        return text.to_string();
    }
    let mut pieces: Vec<(usize, usize)> = Vec::new();
    for (a, b) in ranges.drain(..) {
        let (mut a, b) = (a.min(text.len()), b.min(text.len()));
        while a < b {
            let line_end = text[a..b].find('\n').map_or(b, |i| a + i);
            let seg = &text[a..line_end];
            let lead = seg.len() - seg.trim_start().len();
            let trail = seg.len() - seg.trim_end().len();
            if lead + trail < seg.len() {
                pieces.push((a + lead, line_end - trail));
            }
            a = line_end + 1;
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (a, b) in union(pieces, 0) {
        // Ranges come from node spans and ASCII scans: they lie on character boundaries,
        // but a wrong one must not panic.
        if !text.is_char_boundary(a) || !text.is_char_boundary(b) || a < at {
            continue;
        }
        out.push_str(&text[at..a]);
        out.push_str(MASK);
        at = b;
    }
    out.push_str(&text[at..]);
    out
}

/// Masks, in every line of `text` that holds a credential form, everything from the
/// credential's value to the end of the line.
pub(crate) fn credential_lines(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        if let Some(at) = credential_in_line(body) {
            out.push((start + at, start + body.len()));
        }
        start += line.len();
    }
    out
}

/// Keys whose scalar values (or lists of scalars) are shown even in an object holding
/// credentials: names, kinds, images, ports, references to Secrets, and the settings rules
/// judge (security context, hooks, rollout, probes, resources). Everything else there is
/// masked.
fn safe_key(key: &str) -> bool {
    key.starts_with("helm.sh/")
        || key.starts_with("chartguard.io/")
        || matches!(
            key,
            "apiVersion"
                | "kind"
                | "name"
                | "namespace"
                | "generateName"
                | "image"
                | "imagePullPolicy"
                | "restartPolicy"
                | "type"
                | "protocol"
                | "containerPort"
                | "port"
                | "targetPort"
                | "replicas"
                | "mountPath"
                | "subPath"
                | "key"
                | "secretName"
                | "claimName"
                | "serviceAccountName"
                | "schedule"
                | "runAsUser"
                | "runAsGroup"
                | "fsGroup"
                | "add"
                | "drop"
                | "maxUnavailable"
                | "maxSurge"
                | "minAvailable"
                | "cpu"
                | "memory"
                | "ephemeral-storage"
                | "storage"
                | "accessModes"
                | "storageClassName"
                | "priorityClassName"
                | "concurrencyPolicy"
                | "minReplicas"
                | "maxReplicas"
                | "averageUtilization"
                | "path"
                | "scheme"
        )
}

/// A scalar shown whatever its key, by its shape: a number of at most five digits (user
/// IDs, ports, weights, counts) or a quantity (`100m`, `512Mi`, `25%`). A longer number may
/// be a PIN or a numeric password.
fn safe_shape(value: &Value) -> bool {
    match value {
        Value::Null | Value::Bool(_) => true,
        Value::Int(i) => i.unsigned_abs() < 100_000,
        Value::Float(_) => false,
        Value::Str(s) => {
            let s = s.strip_prefix('-').unwrap_or(s);
            let digits = s.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == '%');
            let unit = &s[digits.len()..];
            (1..=5).contains(&digits.len())
                && digits.chars().all(|c| c.is_ascii_digit())
                && matches!(
                    unit,
                    "" | "%" | "m" | "k" | "M" | "G" | "T" | "Ki" | "Mi" | "Gi" | "Ti" | "s"
                )
        }
        Value::Seq(_) | Value::Map(_) => false,
    }
}

/// Does this object hold a credential in a place a snippet could show? A Secret, a value
/// under a credential key, an env entry named like a credential with a literal value (not
/// a `valueFrom` reference), a value that is a credential by its form wherever it sits.
fn holds_credentials(kind: &str, root: &Node) -> bool {
    fn walk(node: &Node) -> bool {
        match &node.value {
            Value::Map(entries) => {
                let env_name = node
                    .get("name")
                    .and_then(Node::as_str)
                    .is_some_and(looks_secret_key);
                entries.iter().any(|e| {
                    let scalar = !matches!(
                        e.value.value,
                        Value::Map(_) | Value::Seq(_) | Value::Null | Value::Bool(_)
                    );
                    (scalar && looks_secret_key(&e.key))
                        || (env_name && scalar && e.key != "name")
                        || walk(&e.value)
                })
            }
            Value::Seq(items) => items.iter().any(walk),
            // A token format, a PEM private key or a DSN with a password, under any key: the
            // patterns plaintext-secret reports (one home: crate::credentials).
            Value::Str(s) => crate::credentials::value_reason(s).is_some(),
            _ => false,
        }
    }
    kind == "Secret" || walk(root)
}

/// The text of each source as snippets may show it: every value that may be a credential
/// becomes [`MASK`]. Masked are Secret data, values under credential keys, every key of an
/// `env` entry named like a credential but its name, the targets of secret findings, every
/// line holding a credential form ([`credential_in_line`]), and, in an object that holds a
/// credential anywhere, every scalar not under a key known to be safe to show (default
/// deny: a typo'd or misplaced field there may hold the secret). Only this text is ever
/// shown in snippets. With `shown`, only the shown lines are kept (and only what they
/// need is scanned); every other line is empty.
pub(crate) fn files(
    files: &[SourceFile],
    docs: &[Doc<'_>],
    findings: &[Finding],
    shown: Option<&Shown>,
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
                        under_secret || looks_secret_key(&e.key) || (env_name && e.key != "name");
                    collect(&e.value, secret, out);
                }
            }
            Value::Seq(items) => items.iter().for_each(|n| collect(n, under_secret, out)),
            Value::Null | Value::Bool(_) => {}
            _ if under_secret => out.push((node.pos, node.end)),
            _ => {}
        }
    }
    // Default deny: every scalar but those under safe keys.
    fn collect_unsafe(node: &Node, out: &mut Vec<(Pos, Pos)>) {
        match &node.value {
            Value::Map(entries) => {
                for e in entries {
                    let scalars = match &e.value.value {
                        Value::Map(_) => false,
                        Value::Seq(items) => items
                            .iter()
                            .all(|i| !matches!(i.value, Value::Map(_) | Value::Seq(_))),
                        _ => true,
                    };
                    if safe_key(&e.key) && scalars {
                        continue;
                    }
                    collect_unsafe(&e.value, out);
                }
            }
            Value::Seq(items) => items.iter().for_each(|n| collect_unsafe(n, out)),
            v if safe_shape(v) => {}
            _ => out.push((node.pos, node.end)),
        }
    }
    let windows: Vec<Option<Window<'_>>> = files
        .iter()
        .map(|f| shown.map(|s| s.of_file(&f.name)))
        .collect();
    let wanted = |r: &Doc<'_>| {
        windows
            .get(r.file)
            .is_some_and(|w| w.is_none_or(|w| w.overlaps(r.root.pos.line, r.root.end.line)))
    };
    // Per file, once (a render may hold thousands of objects): the numbers of the lines
    // holding a credential form, ascending — in the documents that are shown.
    let credential_line_numbers: Vec<Vec<usize>> = files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let lines: Vec<(usize, usize)> = match shown {
                None => vec![(1, usize::MAX)],
                Some(_) => union(
                    docs.iter()
                        .filter(|r| r.file == i && wanted(r))
                        .map(|r| (r.root.pos.line, r.root.end.line))
                        .collect(),
                    0,
                ),
            };
            let mut found = Vec::new();
            let mut next = 0;
            for (n, l) in f.text.lines().enumerate().map(|(n, l)| (n + 1, l)) {
                while lines.get(next).is_some_and(|&(_, b)| b < n) {
                    next += 1;
                }
                let Some(&(a, _)) = lines.get(next) else {
                    break;
                };
                if a <= n && credential_in_line(l).is_some() {
                    found.push(n);
                }
            }
            found
        })
        .collect();
    for r in docs.iter().filter(|r| wanted(r)) {
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
        let in_a_line = credential_line_numbers.get(r.file).is_some_and(|lines| {
            let first = lines.partition_point(|&l| l < r.root.pos.line);
            lines.get(first).is_some_and(|&l| l <= r.root.end.line)
        });
        if in_a_line || holds_credentials(r.kind, r.root) {
            collect_unsafe(r.root, list);
        }
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
        .zip(windows)
        .map(|((file, spans), window)| {
            let text = match window {
                Some(w) => &blank_outside(&file.text, w),
                None => &file.text,
            };
            let starts = line_starts(text);
            let mut ranges: Vec<(usize, usize)> = spans
                .into_iter()
                .map(|(a, b)| (byte_offset(&starts, text, a), byte_offset(&starts, text, b)))
                .collect();
            ranges.extend(credential_lines(text));
            apply_masks(text, ranges)
        })
        .collect()
}

/// The masked text of a release's files and of `templates`, by display name (snippets).
/// `sensitive`: the findings whose targets index these `docs` (their sensitive targets are
/// masked too); `findings`: those whose locations may point into the templates.
pub(crate) fn sources(
    files_read: &[SourceFile],
    docs: &[Doc<'_>],
    sensitive: &[Finding],
    findings: &[Finding],
    templates_read: BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let shown = Shown::of(findings);
    let masked = files(files_read, docs, sensitive, Some(&shown));
    let templates = templates(templates_read, files_read, &masked, findings, &shown);
    let mut out: BTreeMap<String, String> = files_read
        .iter()
        .map(|f| f.name.clone())
        .zip(masked)
        .collect();
    out.extend(templates);
    out
}

/// Each template's text for snippets (by display name), masked: a template line is masked
/// when what it rendered was masked, when a secret finding points at it, and wherever a
/// key looks like a credential. `masked_files` is [`files`]' output for `files`.
pub(crate) fn templates(
    templates: BTreeMap<String, String>,
    files: &[SourceFile],
    masked_files: &[String],
    findings: &[Finding],
    shown: &Shown,
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
            let redacted = template(&text, &lines, shown.of_file(&name));
            (name, redacted)
        })
        .collect()
}

/// A template's text for snippets: the value part of every line whose key looks like a
/// credential (and of the lines secret findings point at, and an env entry's `value:` after
/// a credential-like `name:`) becomes `*`. Template actions (`{{ … }}`) stay: they name
/// values, they do not hold them. Lines outside `window` are empty.
fn template(text: &str, sensitive_lines: &[usize], window: Window<'_>) -> String {
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
        // Whether this line makes a `value:` below it a credential's (`name: DB_PASSWORD`).
        let names_secret_env = match key {
            "name" => looks_secret_key(body[value_at.min(body.len())..].trim().trim_matches('"')),
            "" | "value" => secret_env_name,
            _ => false,
        };
        if !window.contains(i + 1) {
            secret_env_name = names_secret_env;
            if line.ends_with('\n') {
                out.push('\n');
            }
            continue;
        }
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
        secret_env_name = names_secret_env;
        // A credential written in the line itself (`- --password=x`, `DB_PASSWORD=x`).
        let (mask, value_at) = match credential_in_line(body) {
            Some(at) if !mask || at < value_at => (true, at),
            _ => (mask, value_at),
        };
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

/// One literal stretch of template text becomes [`MASK`], blanks and quotes around it kept.
fn mask_chars(s: &str) -> String {
    let core = s.trim_matches(|c: char| c.is_whitespace() || c == '"' || c == '\'');
    if core.is_empty() {
        return s.to_string();
    }
    let at = s.find(core).unwrap_or(0);
    format!("{}{MASK}{}", &s[..at], &s[at + core.len()..])
}

/// Helm echoes values in its errors (`key "x" has no value`, a schema `pattern` failure
/// quoting the value, `cannot parse template "…"`): every value of every values source
/// becomes [`MASK`] before the message is shown or written to SARIF — the values files
/// given, the chart's and its subcharts' `values.yaml`, and `--set`/`--set-string` values
/// as Helm parses them — in each escaping Helm may print a value with (Go `%q`, JSON,
/// YAML quoting); then every credential form left in the text ([`credential_in_line`]).
pub(crate) fn helm_message<'a>(
    message: &str,
    set_args: impl Iterator<Item = &'a String>,
    values_files: impl Iterator<Item = PathBuf>,
) -> String {
    let mut secrets: Vec<String> = Vec::new();
    for arg in set_args {
        secrets.extend(set_values(arg));
    }
    fn walk(node: &Node, secret: bool, out: &mut Vec<String>) {
        match &node.value {
            Value::Map(entries) => {
                for e in entries {
                    walk(&e.value, secret || looks_secret_key(&e.key), out);
                }
            }
            Value::Seq(items) => items.iter().for_each(|n| walk(n, secret, out)),
            Value::Str(s) => out.push(s.clone()),
            // Numeric passwords are values too; short numbers (ports, counts) only where a
            // credential key says so, or every digit of the message would go.
            Value::Int(i) if secret || i.unsigned_abs() >= 1000 => {
                out.push(i.to_string());
                out.extend(go_float(*i));
                out.extend(localized_number(*i));
            }
            Value::Float(f) if secret => out.push(f.to_string()),
            _ => {}
        }
    }
    let mut files: Vec<PathBuf> = Vec::new();
    let mut texts: Vec<String> = Vec::new();
    for f in values_files {
        // A chart's values.yaml: its subcharts' defaults are values too.
        if f.file_name().is_some_and(|n| n == "values.yaml") {
            if let Some(dir) = f.parent() {
                subchart_values(dir, 0, &mut files, &mut texts);
            }
        }
        files.push(f);
    }
    texts.extend(files.iter().filter_map(|f| std::fs::read_to_string(f).ok()));
    for text in texts {
        if let Ok(Some(doc)) = crate::yaml::parse_document(&text, 0) {
            walk(&doc.root, false, &mut secrets);
        }
    }
    // Short values would mangle ordinary words of the message; the credential forms below
    // still catch a short password written beside its key.
    secrets.retain(|s| {
        let s = s.trim();
        s.chars().count() >= 3 && !matches!(s, "true" | "false" | "null" | "yes" | "no")
    });
    let mut forms: Vec<String> = secrets.iter().flat_map(|s| escapings(s)).collect();
    // Longest first, so a secret that contains another is replaced whole.
    forms.retain(|s| s.chars().count() >= 3);
    forms.sort_by_key(|s| std::cmp::Reverse(s.len()));
    forms.dedup();
    let mut out = message.to_string();
    for s in &forms {
        out = replace_value(&out, s);
    }
    apply_masks(&out, credential_lines(&out))
}

/// Replaces `value` in `text`, except where it is the chart's own name in a template path
/// Helm names (`mychart/templates/x.yaml`): the location must stay readable; and a short
/// value only as a whole word (`app` is a value, `apps/v1` must stay).
fn replace_value(text: &str, value: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let short = value.chars().count() < 8;
    while let Some(at) = rest.find(value) {
        let after = &rest[at + value.len()..];
        out.push_str(&rest[..at]);
        let glued = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        let inside_a_word =
            short && (glued(rest[..at].chars().next_back()) || glued(after.chars().next()));
        if inside_a_word || after.starts_with("/templates/") || after.starts_with("/charts/") {
            out.push_str(value);
        } else {
            out.push_str(MASK);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// How Helm 4's schema messages print a number (`x/text/message`): `98,765,432` and, from
/// 10⁶ up, `9.8765432×10⁰⁷` (`maximum: got …, want …`).
fn localized_number(i: i64) -> Vec<String> {
    let digits = i.unsigned_abs().to_string();
    let sign = if i < 0 { "-" } else { "" };
    let mut grouped = String::new();
    for (n, c) in digits.chars().enumerate() {
        if n > 0 && (digits.len() - n).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let mut out = vec![format!("{sign}{grouped}")];
    let exp = digits.len() - 1;
    if exp >= 6 {
        const SUP: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
        let sig = digits.trim_end_matches('0');
        let mantissa = if sig.len() > 1 {
            format!("{}.{}", &sig[..1], &sig[1..])
        } else {
            sig.to_string()
        };
        let e: String = format!("{exp:02}")
            .chars()
            .map(|c| SUP[c.to_digit(10).unwrap_or(0) as usize])
            .collect();
        out.push(format!("{sign}{mantissa}×10{e}"));
    }
    out
}

/// How Go's `%v` prints an integer that went through a float64 (every YAML number in
/// Helm's values does): `98765432` is `9.8765432e+07`.
fn go_float(i: i64) -> Option<String> {
    let digits = i.unsigned_abs().to_string();
    let exp = digits.len() - 1;
    if exp < 6 {
        return None;
    }
    let sig = digits.trim_end_matches('0');
    let mantissa = if sig.len() > 1 {
        format!("{}.{}", &sig[..1], &sig[1..])
    } else {
        sig.to_string()
    };
    Some(format!(
        "{}{mantissa}e+{exp:02}",
        if i < 0 { "-" } else { "" }
    ))
}

/// `dir/charts/*/values.yaml` and deeper, and the `values.yaml` files inside packaged
/// subcharts (`dir/charts/*.tgz`, read with `tar`: only on Helm's error path, and without a
/// gzip and tar crate in the lock file; no `tar` on PATH leaves them out).
fn subchart_values(
    dir: &std::path::Path,
    depth: usize,
    out: &mut Vec<PathBuf>,
    texts: &mut Vec<String>,
) {
    let Ok(entries) = std::fs::read_dir(dir.join("charts")) else {
        return;
    };
    if depth > 8 {
        return;
    }
    let mut subs: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    subs.sort();
    for sub in subs {
        if sub.is_dir() {
            out.push(sub.join("values.yaml"));
            subchart_values(&sub, depth + 1, out, texts);
        } else if sub.extension().is_some_and(|e| e == "tgz") {
            texts.extend(packaged_values(&sub));
        }
    }
}

/// Every `values.yaml` inside a packaged subchart (read in process: a machine without a
/// `tar` binary, or without anything on PATH, must mask them too).
fn packaged_values(tgz: &std::path::Path) -> Vec<String> {
    let Ok(file) = std::fs::File::open(tgz) else {
        return Vec::new();
    };
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let Ok(entries) = archive.entries() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for mut entry in entries.flatten() {
        let is_values = entry.path().is_ok_and(|p| {
            p.file_name().is_some_and(|n| n == "values.yaml")
                && p.parent().is_some_and(|d| !d.as_os_str().is_empty())
        });
        let mut text = String::new();
        if is_values && std::io::Read::read_to_string(&mut entry, &mut text).is_ok() {
            out.push(text);
        }
    }
    out
}

/// The forms a value takes in Helm's messages: as is, Go `%q` (`\n`, `\t`, `\"`, `\\`,
/// `\xNN`), JSON, YAML quoting (`''`), and with `\'`.
fn escapings(s: &str) -> Vec<String> {
    let mut go = String::new();
    for c in s.chars() {
        match c {
            '"' => go.push_str("\\\""),
            '\\' => go.push_str("\\\\"),
            '\n' => go.push_str("\\n"),
            '\t' => go.push_str("\\t"),
            '\r' => go.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                go.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => go.push(c),
        }
    }
    // Helm 4's schema errors: single quotes, `\'` inside, `"` as is.
    let single = go.replace("\\\"", "\"").replace('\'', "\\'");
    let json = serde_json::to_string(s).unwrap_or_default();
    let json = json.trim_matches('"').to_string();
    // Go's encoding/json also escapes `<`, `>` and `&`.
    let go_json = json
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    let mut forms = vec![
        s.to_string(),
        s.trim().to_string(),
        go.clone(),
        single,
        json,
        go_json,
        s.replace('\'', "''"),
    ];
    // A multi-line value (a PEM key) may be quoted line by line.
    forms.extend(
        s.lines()
            .map(|l| l.trim().to_string())
            .filter(|l| l.len() >= 8),
    );
    forms
}

/// The values one `--set`/`--set-string` argument sets, split as Helm's strvals parser
/// splits it: on commas and the first `=` not escaped by a backslash (`a=X\,y` sets `X,y`),
/// list items of `{a,b}` one by one, and keys left without a value.
fn set_values(arg: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut value: Option<String> = None;
    let mut raw = String::new();
    let mut braces = 0usize;
    let mut chars = arg.chars();
    let flush = |value: &mut Option<String>, raw: &mut String, out: &mut Vec<String>| {
        if let Some(v) = value.take() {
            out.push(v);
        }
        out.push(std::mem::take(raw));
    };
    while let Some(c) = chars.next() {
        match (c, value.is_some()) {
            ('\\', _) => {
                let next = chars.next().unwrap_or('\\');
                if let Some(v) = value.as_mut() {
                    v.push(next);
                }
                raw.push(c);
                raw.push(next);
                continue;
            }
            ('=', false) => {
                value = Some(String::new());
                raw.clear();
                continue;
            }
            ('{', true) if value.as_deref() == Some("") => {
                braces += 1;
                continue;
            }
            ('}', true) if braces > 0 => {
                braces -= 1;
                continue;
            }
            (',', true) if braces > 0 => {
                flush(&mut value, &mut raw, &mut out);
                value = Some(String::new());
                continue;
            }
            (',', _) => {
                flush(&mut value, &mut raw, &mut out);
                continue;
            }
            _ => {}
        }
        // Text before any `=` is a key; a key with no value (`a=x,y`: `y`) is echoed by
        // Helm's "key \"y\" has no value", and is often the rest of a value split on a comma.
        if let Some(v) = value.as_mut() {
            v.push(c);
        }
        raw.push(c);
    }
    flush(&mut value, &mut raw, &mut out);
    out.retain(|v| !v.is_empty());
    out
}

/// A rule engine's (regorus') error text as the user may see it: the policy source lines it
/// quotes (`--> file:line`, `NN | code`) stay, being the rule's own code; in every other line
/// each quoted literal becomes [`MASK`] (an error may quote the input value it failed on)
/// and so does every credential form. Whoever reports a rule failure passes its text here.
pub(crate) fn engine_message(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        let source = t.starts_with("-->")
            || t.trim_start_matches(|c: char| c.is_ascii_digit())
                .trim_start()
                .starts_with('|');
        if source {
            out.push_str(line);
            continue;
        }
        let mut ranges = Vec::new();
        let bytes = line.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let q = bytes[i];
            if matches!(q, b'"' | b'\'' | b'`') {
                // The closing quote, skipping backslash escapes.
                let mut j = i + 1;
                while j < bytes.len() && bytes[j] != q && bytes[j] != b'\n' {
                    j += if bytes[j] == b'\\' { 2 } else { 1 };
                }
                if j < bytes.len() && bytes[j] == q && j > i + 1 {
                    ranges.push((i + 1, j));
                    i = j + 1;
                    continue;
                }
            }
            i += 1;
        }
        ranges.extend(credential_lines(line));
        out.push_str(&apply_masks(line, ranges));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_helm_4_schema_messages_print_them() {
        assert_eq!(localized_number(1234), ["1,234"]);
        assert_eq!(localized_number(98765432), ["98,765,432", "9.8765432×10⁰⁷"]);
        assert_eq!(localized_number(1000000), ["1,000,000", "1×10⁰⁶"]);
    }

    #[test]
    fn templates_lose_credentials_but_keep_actions() {
        let t = "stringData:\n  DATABASE_PASSWORD: hunter2\n  API_KEY: {{ .Values.apiKey | quote }}\nenv:\n  - name: API_TOKEN\n    value: tok-123\n  - name: LOG_LEVEL\n    value: debug\n";
        let r = template(t, &[], Window::ALL);
        assert!(!r.contains("hunter2") && !r.contains("tok-123"), "{r}");
        assert!(r.contains("{{ .Values.apiKey | quote }}"), "{r}");
        assert!(r.contains("value: debug"), "{r}");
        assert!(r.contains("DATABASE_PASSWORD: ****\n"), "fixed width: {r}");
        assert_eq!(r.lines().count(), t.lines().count());
    }

    #[test]
    fn only_shown_lines_are_kept_and_they_are_masked_as_in_the_whole_text() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  note: plain-value-xyz\n  a: \"1\"\n  b: \"2\"\n  c: \"3\"\n  d: \"4\"\n  e: \"5\"\n  app.ini: |\n    password=hunter2\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  token: tok-123\n";
        let sources = vec![SourceFile {
            name: "r.yaml".into(),
            text: text.into(),
        }];
        let resources = crate::parse::parse_files(&sources).unwrap();
        let docs: Vec<Doc<'_>> = resources.iter().map(|r| r.redact_doc()).collect();
        let whole = files(&sources, &docs, &[], None).remove(0);
        // A finding at line 6: the ConfigMap's credential (line 13, not shown) still makes
        // every value of it that is shown masked (default deny).
        let shown = Shown::lines("r.yaml", &[(4, 8)]);
        let part = files(&sources, &docs, &[], Some(&shown)).remove(0);
        assert_eq!(part.lines().count(), text.lines().count(), "{part}");
        for (n, (p, w)) in part.lines().zip(whole.lines()).enumerate() {
            if (4..=8).contains(&(n + 1)) {
                assert_eq!(p, w, "line {}", n + 1);
            } else {
                assert_eq!(p, "", "line {} is not shown", n + 1);
            }
        }
        assert!(part.contains("  note: ****"), "{part}");
        for secret in ["plain-value-xyz", "hunter2", "tok-123"] {
            assert!(!part.contains(secret) && !whole.contains(secret), "{part}");
        }
    }

    #[test]
    fn snippets_of_one_template_from_several_environments_keep_every_shown_line_masked() {
        let mut sources = BTreeMap::from([(
            "t.yaml".to_string(),
            "a: 1\n\npassword: ****\n\n".to_string(),
        )]);
        add_snippets(
            &mut sources,
            [(
                "t.yaml".to_string(),
                "\nb: 2\npassword: hunter2\n\n".to_string(),
            )],
        );
        assert_eq!(sources["t.yaml"], "a: 1\nb: 2\npassword: ****\n\n");
        add_snippets(
            &mut sources,
            [("t.yaml".to_string(), "other\n".to_string())],
        );
        assert_eq!(sources["t.yaml"], "other\n", "another file under the name");
    }

    #[test]
    fn a_shown_value_line_is_masked_after_a_credential_name_above_the_window() {
        let t = "env:\n  - name: API_TOKEN\n    value: tok-123\n";
        let shown = Shown::lines("t.yaml", &[(3, 3)]);
        let r = template(t, &[], shown.of_file("t.yaml"));
        assert_eq!(r, "\n\n    value: ****\n");
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
        let out = files(&sources, &docs, &[], None).remove(0);
        assert_eq!(
            out.lines().count(),
            text.lines().count(),
            "lines are kept: {out}"
        );
        out
    }

    #[test]
    fn secret_data_credential_keys_and_env_values_are_masked() {
        let t = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  anything: hunter2\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  db_password: swordfish\n  log_level: debug\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: app\n      env:\n        - name: API_TOKEN\n          value: tok-123\n        - name: MODE\n          value: fast\n";
        let out = masked(t);
        for secret in ["hunter2", "swordfish", "tok-123"] {
            assert!(!out.contains(secret), "{secret} shown:\n{out}");
        }
        // An object holding a credential shows only what is known to be safe: names, keys.
        for kept in ["name: API_TOKEN", "anything:", "name: MODE", "log_level:"] {
            assert!(out.contains(kept), "{kept} lost:\n{out}");
        }
        for masked in ["debug", "fast"] {
            assert!(!out.contains(masked), "default deny shows {masked}:\n{out}");
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

    #[test]
    fn every_credential_form_is_found_in_a_line() {
        for (line, value) in [
            ("args: --password=hunter2", "hunter2"),
            ("command: mysql -uroot -phunter2", "hunter2"),
            ("env: \"DB_PASSWORD=hunter2\"", "hunter2\""),
            ("  - -Dspring.datasource.password=hunter2", "hunter2"),
            ("  - -Dpassword=hunter2", "hunter2"),
            ("{\"db\": {\"password\": \"hunter2\"}}", "\"hunter2\"}}"),
            ("db.password=hunter2", "hunter2"),
            ("password = hunter2", "hunter2"),
            ("args: [\"--token\", \"hunter2\"]", "hunter2\"]"),
            (
                "url: postgres://app:hunter2@db:5432/x",
                "app:hunter2@db:5432/x",
            ),
            (
                "env: [{name: JAVA_OPTS, value: \"-Dx.password=hunter2\"}]",
                "hunter2\"}]",
            ),
        ] {
            let at = credential_in_line(line).unwrap_or_else(|| panic!("not found: {line}"));
            assert_eq!(&line[at..], value, "{line}");
        }
        for line in [
            "  - name: DB_PASSWORD",
            "secretName: tls-cert",
            "existingSecret: db-creds",
            "secretKeyRef: {name: db, key: password}",
            "authType: basic",
            "imagePullSecrets: [{name: regcred}]",
            "passwordFile: /run/secrets/db",
            "image: example/app:1.0.0",
            "url: https://example.com/path",
            "Error: template: x/templates/secret.yaml:7:20: executing",
        ] {
            assert_eq!(credential_in_line(line), None, "{line}");
        }
    }

    #[test]
    fn references_to_credentials_are_not_credentials() {
        for k in [
            "secretName",
            "secretRef",
            "existingSecret",
            "authType",
            "authEnabled",
            "auth.existingSecret",
            "secretKeyRef",
            "imagePullSecrets",
        ] {
            assert!(!looks_secret_key(k), "{k}");
        }
        for k in [
            "password",
            "DB_PASSWORD",
            "apiToken",
            "auth",
            "clientSecret",
            "tls.privateKey",
        ] {
            assert!(looks_secret_key(k), "{k}");
        }
    }

    #[test]
    fn the_snippet_classes_of_the_review_are_masked() {
        let t = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      args: --password=LEAK1\n    - name: b\n      command: mysql -uroot -pLEAK2\n    - name: c\n      env: \"DB_PASSWORD=LEAK3\"\n    - name: d\n      env:\n        - name: DB_PASSWORD\n          valeu: LEAK4\n    - name: e\n      env: [{name: JAVA_OPTS, value: \"-Dspring.datasource.password=LEAK5\"}]\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringdata:\n  config.json: '{\"password\": \"LEAK6\"}'\n  other: LEAK7\n";
        let out = masked(t);
        assert!(!out.contains("LEAK"), "{out}");
        for kept in [
            "name: a",
            "name: DB_PASSWORD",
            "valeu: ****",
            "args: ****",
            "stringdata:",
            "other: ****",
        ] {
            assert!(out.contains(kept), "{kept} lost:\n{out}");
        }
    }

    #[test]
    fn masks_are_fixed_width() {
        let long = "x".repeat(64);
        let t = format!("apiVersion: v1\nkind: Secret\nmetadata: {{name: s}}\nstringData:\n  a: {long}\n  b: \"two words\"\n");
        let out = masked(&t);
        assert!(
            out.contains("  a: ****\n") && out.contains("  b: ****\n"),
            "{out}"
        );
    }

    #[test]
    fn set_values_follow_helms_escaping() {
        assert_eq!(set_values(r"tls.password=X\,y"), ["X,y", r"X\,y"]);
        let v = set_values("a=1,b={p1,p2},c=q,rest");
        for want in ["1", "p1", "p2", "q", "rest"] {
            assert!(v.iter().any(|x| x == want), "{want}: {v:?}");
        }
    }

    #[test]
    fn helm_messages_lose_values_in_every_escaping() {
        let dir = std::env::temp_dir().join(format!("cg-redact-esc-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("charts/sub")).unwrap();
        let values = dir.join("values.yaml");
        std::fs::write(
            &values,
            "note: \"PEM-1\\n\\tit's\"\npin: 98765432\nname: app\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("charts/sub/values.yaml"),
            "password: sub-default-pw\n",
        )
        .unwrap();
        let set = [r"tls.password=X\,y-secret".to_string()];
        let message = "a \"PEM-1\\n\\tit's\" b 'PEM-1\\n\\tit\\'s' c 9.8765432e+07 98765432 d sub-default-pw e \"X,y-secret\" apps/v1 f --password=zz mychart/templates/x.yaml";
        let out = helm_message(message, set.iter(), std::iter::once(values));
        assert_eq!(
            out,
            "a \"****\" b '****' c **** **** d **** e \"****\" apps/v1 f --password=****"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn engine_errors_keep_the_policy_source_and_lose_quoted_values() {
        let e = "rule x failed to evaluate: \n--> policies/lib/lib.rego:44:35\n   |\n44 | } else := sprintf(\"container %q\", [c.container.name])\n   |     ^\nerror: cannot decode \"hunter2\" (token=abc123)\n";
        let out = engine_message(e);
        assert!(!out.contains("hunter2") && !out.contains("abc123"), "{out}");
        assert!(out.contains("sprintf(\"container %q\""), "{out}");
        assert!(out.contains("error: cannot decode \"****\""), "{out}");
    }

    #[test]
    fn default_deny_still_shows_what_rules_judge() {
        let t = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {\"helm.sh/hook-weight\": \"-5\", note: LEAK1}\nspec:\n  containers:\n    - name: a\n      image: a:1\n      env: [{name: DB_PASSWORD, value: LEAK2}]\n      securityContext: {runAsUser: 0, privileged: true, capabilities: {drop: [ALL]}}\n      resources: {limits: {cpu: 500m, memory: 256Mi}}\n      workingDir: /LEAK3\n      args: [\"98765432\"]\n";
        let out = masked(t);
        assert!(!out.contains("LEAK") && !out.contains("98765432"), "{out}");
        for kept in [
            "\"-5\"",
            "runAsUser: 0",
            "privileged: true",
            "[ALL]",
            "cpu: 500m",
            "memory: 256Mi",
            "image: a:1",
        ] {
            assert!(out.contains(kept), "{kept} lost:\n{out}");
        }
    }
}
