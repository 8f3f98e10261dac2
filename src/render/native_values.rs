//! The values side of the built-in renderer's provenance: which `.Values` paths a rendered
//! node was written from (the engine's taint, per stretch of each output line), which source
//! set the winning value (`helm_chart::origins`, through coalescing exactly as rendered),
//! and that source's file:line:column, found in a span-aware parse of the values file.

use crate::files::display_path;
use crate::model::{Location, PathSeg, ValueSource};
use crate::yaml::{locate, parse_document, Node, Value};
use helm_chart::origins::{Key, Origin, Origins, Source};
use helm_chart::{LineValue, Request, SetKind};
use helm_template::ValuesPath;
use std::cell::{OnceCell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// What the values say about a rendered node.
pub(crate) enum Taint {
    /// Read from `.Values` at these paths (chart-scoped, in output order). `whole`: the
    /// value is the values' own (punctuation aside, `"repo:tag"`); not when the template
    /// composed it with text of its own (`{{ .Release.Name }}-{{ .Values.name }}`), which
    /// then is the place to edit.
    /// `scalar`: the rendered scalar's text, for checking that the values make all of it.
    Values {
        paths: Vec<ValuesPath>,
        whole: bool,
        scalar: Option<String>,
    },
    /// A scalar the template wrote itself: no values file can change it.
    Literal,
    /// Not known (an absent field, a block mixing template text and values).
    Unknown,
}

/// The rendered node at `path` of a document, and the values stretches of each output line.
pub(crate) fn taint_of<'t>(
    root: &Node,
    path: &[PathSeg],
    text_line: &dyn Fn(usize) -> Option<&'t str>,
    values: &[Vec<LineValue>],
) -> Taint {
    let (node, _, depth) = locate(root, path);
    let found = depth == path.len();
    let mut paths: Vec<ValuesPath> = Vec::new();
    // Paths of stretches that name one value (a scalar); a stretch naming several is the
    // text between them (`toYaml`'s keys and indentation carry the whole subtree's paths).
    let mut specific: Vec<ValuesPath> = Vec::new();
    let mut untainted_line = false;
    let mut untainted_word = false;
    let (first, last) = (node.pos.line, node.end.line.max(node.pos.line));
    for line in first..=last {
        let Some(text) = text_line(line) else {
            break;
        };
        let byte = |col: usize| {
            text.char_indices()
                .nth(col.saturating_sub(1))
                .map_or(text.len(), |(b, _)| b)
        };
        // The node's own stretch of its first and last lines.
        let from = if line == first { byte(node.pos.col) } else { 0 };
        let to = if line == node.end.line {
            byte(node.end.col)
        } else {
            text.len()
        };
        // Not a comment after the value (`replicas: 2  # why`): the template's text.
        let to = from + comment_start(text.get(from..to).unwrap_or(""));
        let mut any = false;
        let here = values.get(line - 1).map_or(&[][..], Vec::as_slice);
        untainted_word |= text
            .char_indices()
            .filter(|&(b, c)| b >= from && b < to && c.is_alphanumeric())
            .any(|(b, _)| {
                !here
                    .iter()
                    .any(|v| (v.start as usize) <= b && b < v.end as usize)
            });
        for v in here {
            if (v.end as usize) > from && (v.start as usize) < to.max(from + 1) {
                any = true;
                for p in &v.paths {
                    if !paths.contains(p) {
                        paths.push(p.clone());
                    }
                }
                if let [one] = v.paths.as_slice() {
                    if !specific.contains(one) {
                        specific.push(one.clone());
                    }
                }
            }
        }
        if !any
            && !text[from.min(text.len())..to.min(text.len()).max(from.min(text.len()))]
                .trim()
                .is_empty()
        {
            untainted_line = true;
        }
    }
    let scalar = !matches!(node.value, Value::Map(_) | Value::Seq(_));
    if paths.is_empty() {
        return if found && scalar {
            Taint::Literal
        } else {
            Taint::Unknown
        };
    }
    if !specific.is_empty() {
        paths = specific;
    }
    if scalar {
        return Taint::Values {
            paths,
            whole: !untainted_word,
            scalar: scalar_text(&node.value),
        };
    }
    // A block: the values subtree it came from when every line of it was read from values
    // (`toYaml .Values.resources`), else nothing (template text around values).
    if untainted_line {
        return Taint::Unknown;
    }
    match common_prefix(&paths).map(|p| block_root(p, node)) {
        Some(p) if !p.is_root() => Taint::Values {
            paths: vec![p],
            whole: true,
            scalar: None,
        },
        _ => Taint::Unknown,
    }
}

/// The values path of a block whose values all sit under `prefix`: a block holding one
/// key (`resources:` with only `requests:`) has values sharing that key too, so the
/// prefix is cut before the deepest segment that names one of the block's own keys (or
/// indexes its items).
fn block_root(prefix: ValuesPath, node: &Node) -> ValuesPath {
    let segs = prefix.segments();
    let own = |s: &helm_template::PathSeg| match (s, &node.value) {
        (helm_template::PathSeg::Key(k), Value::Map(entries)) => {
            entries.iter().any(|e| e.key == **k)
        }
        (helm_template::PathSeg::Index(i), Value::Seq(items)) => *i < items.len(),
        _ => false,
    };
    match segs.iter().rposition(own) {
        Some(i) => path_of(&segs[..i]),
        None => prefix,
    }
}

/// The values behind output line `n` (1-based) for `render --provenance`: the values its
/// own stretches name; for a key whose block of values follows (`limits:` in a `toYaml`
/// subtree), the key of that block.
pub(crate) fn line_paths<'t>(
    n: usize,
    text_line: &dyn Fn(usize) -> Option<&'t str>,
    values: &[Vec<LineValue>],
) -> Vec<ValuesPath> {
    let Some(here) = values.get(n.wrapping_sub(1)) else {
        return Vec::new();
    };
    let mut out: Vec<ValuesPath> = Vec::new();
    for v in here.iter().filter(|v| v.paths.len() == 1) {
        if !out.contains(&v.paths[0]) {
            out.push(v.paths[0].clone());
        }
    }
    if !out.is_empty() || here.is_empty() {
        return out;
    }
    let indent = |l: &str| l.len() - l.trim_start().len();
    let Some(line) = text_line(n) else {
        return Vec::new();
    };
    let mut below = Vec::new();
    let mut m = n + 1;
    while let Some(next) = text_line(m) {
        if next.trim().is_empty() {
            m += 1;
            continue;
        }
        if indent(next) <= indent(line) && !next.trim_start().starts_with('-') {
            break;
        }
        for v in values.get(m - 1).into_iter().flatten() {
            if let [one] = v.paths.as_slice() {
                below.push(one.clone());
            }
        }
        m += 1;
    }
    let all: Vec<ValuesPath> = here.iter().flat_map(|v| v.paths.clone()).collect();
    let Some(prefix) = common_prefix(if below.is_empty() { &all } else { &below }) else {
        return Vec::new();
    };
    // The line's own key: the prefix may go deeper when the block holds one key.
    let key = line
        .trim()
        .trim_start_matches("- ")
        .split(':')
        .next()
        .unwrap_or("");
    let segs = prefix.segments();
    let cut = segs
        .iter()
        .rposition(|s| matches!(s, helm_template::PathSeg::Key(k) if **k == *key));
    match cut {
        Some(i) => vec![path_of(&segs[..=i])],
        None => vec![prefix],
    }
}

/// Where a YAML comment starts in `s` (a ` #` outside quotes), or its length.
fn comment_start(s: &str) -> usize {
    let mut quote = None;
    let mut prev = ' ';
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' && prev.is_whitespace() && i > 0 => return i,
            None => {}
        }
        prev = c;
    }
    s.len()
}

/// A scalar as text (a YAML number or boolean as it is usually written).
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::Str(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) => Some(f.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Whether `rendered` is made of the values' own texts (`value_texts`) and punctuation
/// only: a value the template computed from them with words of its own (a name built from
/// the release name and a values key, behind one `include`) is edited in the template.
pub(crate) fn made_of(rendered: &str, value_texts: &[String]) -> bool {
    let mut rest = rendered.to_string();
    for t in value_texts.iter().filter(|t| !t.is_empty()) {
        rest = rest.replacen(t.as_str(), "", 1);
    }
    !rest.chars().any(char::is_alphanumeric)
}

/// A values path from its segments.
fn path_of(segs: &[helm_template::PathSeg]) -> ValuesPath {
    segs.iter().fold(ValuesPath::root(), |p, s| match s {
        helm_template::PathSeg::Key(k) => p.key(k),
        helm_template::PathSeg::Index(n) => p.index(*n),
    })
}

fn common_prefix(paths: &[ValuesPath]) -> Option<ValuesPath> {
    let segs: Vec<_> = paths.iter().map(ValuesPath::segments).collect();
    let first = segs.first()?;
    let n = (0..first.len())
        .take_while(|&i| segs.iter().all(|s| s.get(i) == first.get(i)))
        .count();
    if n == 0 {
        return None;
    }
    Some(path_of(&first[..n]))
}

/// Of several values behind one field, the one a rule's finding is about: an image tag
/// rule is about the tag key, a registry rule about the registry or repository key, a
/// secret rule about the password or token in a connection string; else the first written.
pub(crate) fn pick(rule: &str, paths: &[ValuesPath]) -> usize {
    let last = |p: &ValuesPath| match p.segments().last() {
        Some(helm_template::PathSeg::Key(k)) => k.to_lowercase(),
        _ => String::new(),
    };
    let want: &[&str] = if rule.contains("tag") || rule.contains("digest") {
        &["tag", "digest", "version"]
    } else if rule.contains("registry") {
        &["registry", "repository", "image"]
    } else if rule.contains("secret") {
        &["password", "passwd", "token", "secret", "key", "credential"]
    } else {
        &[]
    };
    paths
        .iter()
        .position(|p| want.iter().any(|w| last(p).contains(w)))
        .unwrap_or(0)
}

/// A values source located: the sentence for users, and the line to edit when it is a file.
pub(crate) struct Located {
    pub(crate) value: ValueSource,
    pub(crate) edit: Option<Location>,
    /// The scalar the values file sets, as text (compared, never shown).
    pub(crate) text: Option<String>,
}

/// Values origins for one render, computed on the first question (a lint without findings
/// never pays for them).
pub(crate) struct ValuesLocator {
    chart: PathBuf,
    chart_dir: Option<PathBuf>,
    req: Request,
    origins: OnceCell<Option<Origins>>,
    /// Parsed values files by path (None: unreadable or unparsable).
    parsed: RefCell<HashMap<PathBuf, Option<(String, Node)>>>,
    /// Texts of the values files answers pointed into, by display name (snippets).
    shown: RefCell<BTreeMap<String, String>>,
}

impl ValuesLocator {
    pub(crate) fn new(chart: &Path, chart_dir: Option<&Path>, req: Request) -> ValuesLocator {
        ValuesLocator {
            chart: chart.to_path_buf(),
            chart_dir: chart_dir.map(Path::to_path_buf),
            req,
            origins: OnceCell::new(),
            parsed: Default::default(),
            shown: Default::default(),
        }
    }

    pub(crate) fn texts(&self) -> BTreeMap<String, String> {
        self.shown.borrow().clone()
    }

    /// Where the value at `path` (chart-scoped) was set.
    pub(crate) fn origin(&self, path: &ValuesPath) -> Option<Origin> {
        let origins = self
            .origins
            .get_or_init(|| helm_chart::origins::value_origins(&self.chart, &self.req).ok());
        origins.as_ref()?.of(&path.segments())
    }

    /// The values source of `path`, located.
    pub(crate) fn locate(&self, path: &ValuesPath) -> Option<Located> {
        let origin = self.origin(path)?;
        let key = key_string(&origin.key);
        match &origin.source {
            Source::Flag { kind, arg } => {
                let flag = flag_name(*kind);
                let given = self
                    .req
                    .sets
                    .get(*arg)
                    .map(|(_, a)| a.as_str())
                    .unwrap_or("");
                // The flag's key as given, never its value.
                let named = given
                    .split(',')
                    .filter_map(|kv| kv.split('=').next())
                    .find(|k| key.starts_with(k.trim()) || k.trim().starts_with(key.as_str()))
                    .unwrap_or(key.as_str())
                    .trim()
                    .to_string();
                Some(Located {
                    value: ValueSource {
                        hint: format!("set on the command line ({flag} {named}=…)"),
                        key,
                        file: None,
                        line: None,
                        column: None,
                        command_line: true,
                    },
                    edit: None,
                    text: None,
                })
            }
            Source::File(i) => {
                let file = self.req.values_files.get(*i)?.clone();
                self.in_file(&file, &origin.key, key)
            }
            Source::Chart(chain) => match self.chart_values_file(chain) {
                Some(file) => self.in_file(&file, &origin.key, key),
                None => Some(Located {
                    value: ValueSource {
                        hint: format!(
                            "set by the default values of packaged chart {} (`{key}`)",
                            chain.join("/")
                        ),
                        key,
                        file: None,
                        line: None,
                        column: None,
                        command_line: false,
                    },
                    edit: None,
                    text: None,
                }),
            },
        }
    }

    fn in_file(&self, file: &Path, key: &[Key], shown_key: String) -> Option<Located> {
        let mut parsed = self.parsed.borrow_mut();
        let entry = parsed.entry(file.to_path_buf()).or_insert_with(|| {
            let text = std::fs::read_to_string(file).ok()?;
            let root = parse_document(&text, 0).ok().flatten()?.root;
            let name = display_path(file);
            self.shown.borrow_mut().insert(name.clone(), text);
            Some((name, root))
        });
        let (name, root) = entry.as_ref()?;
        let (line, column, end, text) = key_position(root, key)?;
        Some(Located {
            value: ValueSource {
                hint: format!("set by {name}:{line} (`{shown_key}`)"),
                key: shown_key,
                file: Some(name.clone()),
                line: Some(line),
                column: Some(column),
                command_line: false,
            },
            edit: Some(Location {
                file: name.clone(),
                line,
                column,
                end_line: line,
                end_column: end,
                template: None,
            }),
            text,
        })
    }

    /// The values.yaml of the chart named by `chain` (Chart.yaml names from the root), for a
    /// chart directory; subcharts are found under `charts/` by their Chart.yaml name.
    fn chart_values_file(&self, chain: &[String]) -> Option<PathBuf> {
        let mut dir = self.chart_dir.clone()?;
        for name in chain.iter().skip(1) {
            dir = std::fs::read_dir(dir.join("charts"))
                .ok()?
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .find(|p| {
                    crate::provenance::chart_yaml_name(p).as_deref() == Some(name.as_str())
                })?;
        }
        let file = dir.join("values.yaml");
        file.is_file().then_some(file)
    }
}

fn flag_name(kind: SetKind) -> &'static str {
    match kind {
        SetKind::Set => "--set",
        SetKind::String => "--set-string",
        SetKind::Json => "--set-json",
        SetKind::File => "--set-file",
        SetKind::Literal => "--set-literal",
    }
}

/// `image.tag`, `containers[0].name`.
fn key_string(key: &[Key]) -> String {
    let mut s = String::new();
    for k in key {
        match k {
            Key::Name(n) if s.is_empty() => s.push_str(n),
            Key::Name(n) => {
                s.push('.');
                s.push_str(n);
            }
            Key::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// Line, column and end column of `key`'s own key in a values file (a list item: the item).
/// The last of duplicate keys wins, as in Helm's YAML reader.
fn key_position(root: &Node, key: &[Key]) -> Option<(usize, usize, usize, Option<String>)> {
    let mut node = root;
    let mut at = None;
    for k in key {
        match (k, &node.value) {
            (Key::Name(n), Value::Map(entries)) => {
                let e = entries.iter().rev().find(|e| &e.key == n)?;
                at = Some((
                    e.key_pos.line,
                    e.key_pos.col,
                    e.key_pos.col + e.key.chars().count(),
                ));
                node = &e.value;
            }
            (Key::Index(i), Value::Seq(items)) => {
                node = items.get(*i)?;
                at = Some((node.pos.line, node.pos.col, node.pos.col + 1));
            }
            _ => return None,
        }
    }
    at.map(|(l, c, e)| (l, c, e, scalar_text(&node.value)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::keys;

    fn vp(p: &str) -> ValuesPath {
        p.split('.').fold(ValuesPath::root(), |v, k| v.key(k))
    }

    /// `text` parsed, and its taint per line: (line, start, end, path).
    fn taint(text: &str, spans: &[(usize, u32, u32, &[&str])], path: &[&str]) -> Taint {
        let root = parse_document(text, 0).unwrap().unwrap().root;
        let lines: Vec<&str> = text.lines().collect();
        let mut values = vec![Vec::new(); lines.len()];
        for &(line, start, end, p) in spans {
            values[line - 1].push(LineValue {
                start,
                end,
                paths: p.iter().map(|p| vp(p)).collect(),
            });
        }
        taint_of(&root, &keys(path), &|n| lines.get(n - 1).copied(), &values)
    }

    #[test]
    fn whole_composed_literal_and_subtree() {
        // "nginx:latest": the two values and a colon.
        let t = "image: \"nginx:latest\"\n";
        match taint(
            t,
            &[
                (1, 8, 13, &["image.repository"]),
                (1, 14, 20, &["image.tag"]),
            ],
            &["image"],
        ) {
            Taint::Values { paths, whole, .. } => {
                assert!(whole);
                assert_eq!(paths, vec![vp("image.repository"), vp("image.tag")]);
                assert_eq!(pick("image-tag-mutable", &paths), 1);
                assert_eq!(pick("image-registry-allowed", &paths), 0);
            }
            _ => panic!("not values"),
        }
        // A comment after the value is not part of it.
        let t = "replicas: 2  # one\n";
        assert!(matches!(
            taint(t, &[(1, 10, 11, &["replicas"])], &["replicas"]),
            Taint::Values { whole: true, .. }
        ));
        // A name the template composed: release name, dash, values key.
        let t = "name: rel-web\n";
        assert!(matches!(
            taint(t, &[(1, 10, 13, &["name"])], &["name"]),
            Taint::Values { whole: false, .. }
        ));
        assert!(matches!(taint(t, &[], &["name"]), Taint::Literal));
        // One `include` tainted by a values key, the release name in it too.
        assert!(!made_of("rel-argocd-server", &["server".into()]));
        assert!(made_of(
            "\"nginx:latest\"",
            &["nginx".into(), "latest".into()]
        ));
        // A block every line of which came from values (`toYaml`: each scalar its own path,
        // the keys between them the whole subtree's): its common key.
        let t = "resources:\n  limits:\n    cpu: 1\n  requests:\n    cpu: 2\n";
        let both: &[&str] = &["resources.limits.cpu", "resources.requests.cpu"];
        match taint(
            t,
            &[
                (2, 0, 9, both),
                (3, 0, 9, both),
                (3, 9, 10, &["resources.limits.cpu"]),
                (4, 0, 11, both),
                (5, 0, 9, both),
                (5, 9, 10, &["resources.requests.cpu"]),
            ],
            &["resources"],
        ) {
            Taint::Values { paths, .. } => assert_eq!(paths, vec![vp("resources")]),
            _ => panic!("not values"),
        }
        // A block of one key: its values share that key, the block is its parent.
        let t = "resources:\n  requests:\n    cpu: 1\n    memory: 2\n";
        let both: &[&str] = &["resources.requests.cpu", "resources.requests.memory"];
        match taint(
            t,
            &[
                (2, 0, 11, both),
                (3, 0, 9, both),
                (3, 9, 10, &["resources.requests.cpu"]),
                (4, 0, 12, both),
                (4, 12, 13, &["resources.requests.memory"]),
            ],
            &["resources"],
        ) {
            Taint::Values { paths, .. } => assert_eq!(paths, vec![vp("resources")]),
            _ => panic!("not values"),
        }
        // An absent field under a literal parent: nothing known.
        assert!(matches!(
            taint("spec:\n  a: 1\n", &[], &["spec", "b"]),
            Taint::Unknown
        ));
    }
}
