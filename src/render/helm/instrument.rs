//! Findings at the template line: lint the clean render, map with an instrumented one.
//!
//! A temporary copy of the chart gets a marker comment (`#cg:<line>`) before each template
//! line where a comment is harmless; Helm renders it with the same flags; a rendered node's
//! template line is the nearest marker above it. The instrumented render is only a map: it
//! never feeds the rules. Each document is trusted only if its key paths equal the clean
//! render's (values may differ: charts generate random passwords). Where that fails, the
//! key path is searched in the template text, then the document start is used
//! (`../shared/notes/source-mapping.md`; the fallbacks are in `provenance::fallback`).

use super::Helm;
use crate::model::PathSeg;
use crate::render::{Chart, RenderError, RenderOptions, TemplatePos};
use crate::yaml::{chunks, locate, parse_document, Node};
use helm_template::outline::{outline, Action, Command, Kind, Piece, What};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

const MARKER: &str = "#cg:";

/// How a template line gets its marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mark {
    /// None: a comment would change the output (block scalar, inside an action).
    No,
    /// A comment line before it.
    Line,
    /// The line starts with `{{-`, which would glue a comment line onto its output: the
    /// marker goes into the trimmed action instead, `{{- "\n#cg:N" }}{{ … }}`, so the output
    /// of `{{- include … | nindent 8 }}` lines is credited to them.
    Inline,
}

/// How each line of a template (index = line - 1) is marked, decided from the template's
/// parse ([`helm_template::outline`]) and the YAML its text forms, so that one instrumented
/// render works: a comment only where Helm copies the line start verbatim and YAML reads it
/// as a comment (not inside a block, multi-line plain, quoted or flow scalar); a marker inside
/// a `{{-` action only where what the action outputs starts with a newline (or is empty), so
/// that the marker cannot swallow or split output. A template that does not parse gets none.
pub(crate) fn safe_lines(template: &str, defines: &Defines) -> Vec<Mark> {
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(template.match_indices('\n').map(|(i, _)| i + 1))
        .filter(|&i| i < template.len())
        .collect();
    let mut safe = vec![Mark::No; line_starts.len()];
    let Ok(pieces) = outline("t", template) else {
        return safe;
    };
    let text_at = |at: usize| {
        let i = pieces.partition_point(|p| p.end <= at);
        pieces
            .get(i)
            .filter(|p| p.start <= at && p.kind == Kind::Text && !p.in_define)
            .is_some()
    };
    // A line that starts inside an action (not with one) or a comment.
    let inside_action = |at: usize| {
        let i = pieces.partition_point(|p| p.end <= at);
        pieces
            .get(i)
            .is_some_and(|p| p.start < at && p.kind != Kind::Text)
    };
    let mut yaml = YamlContext::None;
    for (n, &ls) in line_starts.iter().enumerate() {
        let le = line_starts.get(n + 1).copied().unwrap_or(template.len());
        let line = &template[ls..le];
        let trimmed = line.trim();
        let indent = line.len() - line.trim_start().len();
        if inside_action(ls) || trimmed.is_empty() {
            continue; // inside a multi-line action or comment; or blank
        }
        let Some(skeleton) = skeleton(&pieces, template, ls, le) else {
            continue; // inside a define: its text is output elsewhere
        };
        let content = skeleton.trim();
        let action_only = content.chars().all(|c| c == ACTION || c.is_whitespace());
        if yaml.inside(indent, action_only, content) {
            continue;
        }
        // A document separator (at the margin: `---` indented is text of a scalar).
        if content.starts_with("---") && !action_only {
            if indent == 0 {
                yaml = YamlContext::None;
            }
            continue;
        }
        if !action_only && !content.starts_with('#') {
            yaml = YamlContext::after(indent, content);
        }
        safe[n] = if trimmed.starts_with("{{-") {
            let at = ls + indent;
            let i = pieces.partition_point(|p| p.start < at);
            match pieces.get(i) {
                Some(
                    p @ Piece {
                        kind: Kind::Action(a),
                        in_define: false,
                        ..
                    },
                ) if p.start == at
                    && a.trim_left
                    && a.what != What::Comment
                    && defines.leads_with_newline(&pieces, template, i, true, 0) =>
                {
                    Mark::Inline
                }
                _ => Mark::No,
            }
        } else if ls == 0 || text_at(ls - 1) || outputs_nothing_before(&pieces, ls) {
            Mark::Line
        } else {
            Mark::No
        };
    }
    safe
}

/// Does nothing before `at` output text (only assignments, comments and defines, as at the
/// top of many templates: `{{- $x := … -}}`)? Then a comment line at `at` starts the output.
fn outputs_nothing_before(pieces: &[Piece], at: usize) -> bool {
    pieces.iter().take_while(|p| p.end <= at).all(|p| {
        p.in_define
            || matches!(
                &p.kind,
                Kind::Action(Action {
                    what: What::Assign | What::Comment | What::Keyword { word: "define", .. },
                    ..
                })
            )
    })
}

/// Stands for an action's output in a [`skeleton`] line.
const ACTION: char = '\u{1}';

/// The line `template[ls..le]` as YAML sees it, each action replaced by [`ACTION`]; None when
/// the line starts inside a define body.
fn skeleton(pieces: &[Piece], template: &str, ls: usize, le: usize) -> Option<String> {
    let mut out = String::new();
    let mut at = ls;
    let mut i = pieces.partition_point(|p| p.end <= ls);
    if pieces.get(i).is_some_and(|p| p.in_define && p.start <= ls) {
        return None;
    }
    while at < le {
        match pieces.get(i) {
            Some(p) if p.start <= at => {
                let end = p.end.min(le);
                match p.kind {
                    Kind::Text => out.push_str(&template[at..end]),
                    Kind::Action(_) => out.push(ACTION),
                }
                at = end;
                i += 1;
            }
            Some(p) => {
                // White space a trim marker removes.
                let end = p.start.min(le);
                out.push_str(&template[at..end]);
                at = end;
            }
            None => {
                out.push_str(&template[at..le]);
                at = le;
            }
        }
    }
    Some(out.trim_end_matches(['\n', '\r']).to_string())
}

/// The YAML scalar or collection a template line may continue, from the text lines above.
#[derive(Debug, Clone, Copy, PartialEq)]
enum YamlContext {
    None,
    /// `key: |`: lines indented more than `indent` (the line's) belong to it.
    Block {
        indent: usize,
    },
    /// `key: some text`: lines indented more than `column` (the key's) continue it.
    Plain {
        column: usize,
    },
    /// A quoted scalar left open by `quote`.
    Quoted {
        quote: char,
    },
    /// A flow collection (`[`, `{`) left open `depth` deep.
    Flow {
        depth: usize,
    },
}

impl YamlContext {
    /// Does a line (indentation, skeleton content) continue the context? Updates it when the
    /// line closes or leaves it.
    fn inside(&mut self, indent: usize, action_only: bool, content: &str) -> bool {
        match *self {
            YamlContext::None => false,
            // Action output inside a block scalar is text at any indentation.
            YamlContext::Block { indent: bi } => {
                if action_only || indent > bi {
                    return true;
                }
                *self = YamlContext::None;
                false
            }
            YamlContext::Plain { column } => {
                if indent > column {
                    return true;
                }
                *self = YamlContext::None;
                false
            }
            YamlContext::Quoted { quote } => {
                if !action_only && closes_quote(content, quote).is_some() {
                    *self = YamlContext::None;
                }
                true
            }
            YamlContext::Flow { depth } => {
                let d = flow_depth(content, depth);
                *self = if d == 0 {
                    YamlContext::None
                } else {
                    YamlContext::Flow { depth: d }
                };
                true
            }
        }
    }

    /// The context a text line leaves open.
    fn after(indent: usize, content: &str) -> YamlContext {
        let mut column = indent;
        let mut rest = content;
        // The column of the innermost `- ` (a bare item's scalar is indented past it).
        let mut item: Option<usize> = None;
        while let Some(r) = rest.strip_prefix('-') {
            if r.is_empty() || r.starts_with([' ', '\t']) {
                item = Some(column);
                let r2 = r.trim_start();
                column += rest.len() - r2.len();
                rest = r2;
            } else {
                break;
            }
        }
        match (key_end(rest), item) {
            (Some(value), _) => scalar_context(value.trim(), column),
            (None, Some(dash)) => scalar_context(rest, dash),
            (None, None) => YamlContext::None,
        }
    }
}

/// What follows `key:` on a line (None when the line is not `key: …`).
fn key_end(s: &str) -> Option<&str> {
    let b = s.as_bytes();
    let mut i = 0;
    if let Some(q @ (b'"' | b'\'')) = b.first().copied() {
        i = closes_quote(&s[1..], q as char)? + 1;
    }
    while i < b.len() {
        match b[i] {
            b':' if i + 1 == b.len() || b[i + 1] == b' ' || b[i + 1] == b'\t' => {
                return Some(&s[i + 1..]);
            }
            b' ' if b.get(i + 1) == Some(&b'#') => return None,
            _ => i += 1,
        }
    }
    None
}

fn scalar_context(value: &str, column: usize) -> YamlContext {
    let value = match value.find(" #") {
        Some(i) if !value.starts_with(['"', '\'']) => value[..i].trim_end(),
        _ => value,
    };
    let Some(first) = value.chars().next() else {
        return YamlContext::None;
    };
    match first {
        '|' | '>' => YamlContext::Block { indent: column },
        '"' | '\'' => match closes_quote(&value[1..], first) {
            Some(_) => YamlContext::None,
            None => YamlContext::Quoted { quote: first },
        },
        '[' | '{' => match flow_depth(value, 0) {
            0 => YamlContext::None,
            d => YamlContext::Flow { depth: d },
        },
        '&' | '!' => {
            let rest = value.split_once([' ', '\t']).map_or("", |(_, r)| r).trim();
            scalar_context(rest, column)
        }
        '*' | '#' => YamlContext::None,
        _ if value.chars().all(|c| c == ACTION || c.is_whitespace()) => YamlContext::None,
        _ => YamlContext::Plain { column },
    }
}

/// Where `quote` closes in `s` (the text after the opening quote).
fn closes_quote(s: &str, quote: char) -> Option<usize> {
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if quote == '"' && c == '\\' {
            chars.next();
        } else if c == quote {
            if quote == '\'' && chars.peek().is_some_and(|(_, n)| *n == '\'') {
                chars.next();
            } else {
                return Some(i);
            }
        }
    }
    None
}

/// The flow nesting after `s`, starting `depth` deep (quoted text skipped).
fn flow_depth(s: &str, depth: usize) -> usize {
    let mut depth = depth as i64;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '[' | '{' => depth += 1,
            ']' | '}' => depth -= 1,
            '"' | '\'' => {
                let rest = chars.as_str();
                match closes_quote(rest, c) {
                    Some(i) => chars = rest[i + 1..].chars(),
                    None => break,
                }
            }
            _ => {}
        }
    }
    depth.max(0) as usize
}

/// How the output from some point of a template starts.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Lead {
    Newline,
    /// Nothing so far: what follows decides.
    Empty,
    /// Anything else, or not known.
    Other,
}

/// Every `define` of a chart (its subcharts' too), to tell how an `include` starts.
#[derive(Default)]
pub(crate) struct Defines {
    files: Vec<(String, Vec<Piece>)>,
    /// Name → (file, index of the piece after its `define` action).
    by_name: HashMap<String, (usize, usize)>,
}

/// Deeper includes than this are "not known".
const MAX_INCLUDE_DEPTH: usize = 16;

impl Defines {
    /// Reads the templates under `root` (every file in a `templates/` directory).
    pub(crate) fn of_chart(root: &Path) -> Defines {
        let mut d = Defines::default();
        for rel in files_in_templates(root) {
            let p = root.join(rel);
            let Ok(text) = std::fs::read_to_string(&p) else {
                continue;
            };
            if !text.contains("define") {
                continue;
            }
            let Ok(pieces) = outline("t", &text) else {
                continue;
            };
            let file = d.files.len();
            for (i, piece) in pieces.iter().enumerate() {
                if let Kind::Action(Action {
                    what:
                        What::Keyword {
                            word: "define",
                            name: Some(name),
                        },
                    ..
                }) = &piece.kind
                {
                    d.by_name.entry(name.clone()).or_insert((file, i + 1));
                }
            }
            d.files.push((text, pieces));
        }
        d
    }

    /// How template `name`'s output starts.
    fn define_lead(&self, name: &str, depth: usize) -> Lead {
        match self.by_name.get(name) {
            Some(&(f, i)) if depth < MAX_INCLUDE_DEPTH => {
                let (text, pieces) = &self.files[f];
                self.lead(pieces, text, i, false, depth + 1)
            }
            _ => Lead::Other,
        }
    }

    /// Does the output from piece `from` start with a newline (or is it empty)?
    fn leads_with_newline(
        &self,
        pieces: &[Piece],
        text: &str,
        from: usize,
        climb: bool,
        depth: usize,
    ) -> bool {
        self.lead(pieces, text, from, climb, depth) != Lead::Other
    }

    /// How the output from piece `from` starts. At the `end`/`else` of the block it is in,
    /// `climb` continues after that block's `end` (a file's own text); otherwise the
    /// sequence ends there (a define's body).
    fn lead(&self, pieces: &[Piece], text: &str, from: usize, climb: bool, depth: usize) -> Lead {
        let mut i = from;
        while let Some(p) = pieces.get(i) {
            let a = match &p.kind {
                Kind::Text => {
                    return if text[p.start..p.end].starts_with('\n') {
                        Lead::Newline
                    } else {
                        Lead::Other
                    };
                }
                Kind::Action(a) => a,
            };
            match &a.what {
                What::Comment | What::Assign => i += 1,
                What::Keyword { word: "end", .. } if climb => i += 1,
                What::Keyword { word: "else", .. } if climb => i = block_end(pieces, i) + 1,
                What::Keyword {
                    word: "end" | "else",
                    ..
                } => return Lead::Empty,
                What::Keyword {
                    word: word @ ("if" | "with" | "range"),
                    ..
                } => {
                    // Each branch must start with a newline or be empty; an empty one (or
                    // none taken) lets what follows the block decide.
                    let mut j = i + 1;
                    let mut may_be_empty = *word == "range";
                    let mut plain_else = false;
                    loop {
                        match self.lead(pieces, text, j, false, depth) {
                            Lead::Other => return Lead::Other,
                            Lead::Empty => may_be_empty = true,
                            Lead::Newline => {}
                        }
                        let k = branch_end(pieces, j);
                        if is_else(pieces, k) {
                            plain_else = !is_else_if(&pieces[k], text);
                            j = k + 1;
                        } else {
                            i = k + 1;
                            break;
                        }
                    }
                    if !may_be_empty && plain_else {
                        return Lead::Newline;
                    }
                }
                What::Keyword { word: "define", .. } => i = block_end(pieces, i + 1) + 1,
                What::Keyword {
                    word: "template",
                    name: Some(name),
                } => match self.define_lead(name, depth) {
                    Lead::Empty => i += 1,
                    lead => return lead,
                },
                What::Keyword { .. } => return Lead::Other,
                What::Output { commands } => {
                    let last = commands.last().and_then(|c| c.func.as_deref());
                    if last == Some("nindent") {
                        return Lead::Newline;
                    }
                    match commands.as_slice() {
                        [Command {
                            func: Some(f),
                            first_string: Some(name),
                        }] if f == "include" => match self.define_lead(name, depth) {
                            Lead::Empty => i += 1,
                            lead => return lead,
                        },
                        _ => return Lead::Other,
                    }
                }
            }
        }
        Lead::Empty
    }
}

/// The `else` or `end` that ends the branch starting at piece `from`.
fn branch_end(pieces: &[Piece], from: usize) -> usize {
    let mut depth = 0usize;
    let mut i = from;
    while let Some(p) = pieces.get(i) {
        if let Kind::Action(Action {
            what: What::Keyword { word, .. },
            ..
        }) = &p.kind
        {
            match *word {
                "if" | "with" | "range" | "define" | "block" => depth += 1,
                "end" if depth == 0 => return i,
                "end" => depth -= 1,
                "else" if depth == 0 => return i,
                _ => {}
            }
        }
        i += 1;
    }
    i
}

/// The `end` of the block whose branch starting at `from` (or whose `else` at `from`) is
/// given.
fn block_end(pieces: &[Piece], from: usize) -> usize {
    let mut i = from;
    loop {
        let k = branch_end(pieces, i + usize::from(i == from && is_else(pieces, i)));
        if k >= pieces.len() || !is_else(pieces, k) {
            return k;
        }
        i = k + 1;
    }
}

fn is_else(pieces: &[Piece], i: usize) -> bool {
    matches!(
        pieces.get(i).map(|p| &p.kind),
        Some(Kind::Action(Action {
            what: What::Keyword { word: "else", .. },
            ..
        }))
    )
}

/// `{{ else if … }}` or `{{ else with … }}`: the chain goes on (and may take no branch).
fn is_else_if(p: &Piece, text: &str) -> bool {
    let t = text[p.start..p.end]
        .trim_start_matches("{{")
        .trim_start_matches('-')
        .trim_start()
        .trim_start_matches("else")
        .trim_start();
    t.starts_with("if") || t.starts_with("with")
}

pub(crate) fn instrument_text(template: &str, safe: &[Mark]) -> String {
    let mut out = String::with_capacity(template.len() * 2);
    for (i, line) in template.split_inclusive('\n').enumerate() {
        let indent = &line[..line.len() - line.trim_start().len()];
        match safe.get(i).copied().unwrap_or(Mark::No) {
            Mark::Line => {
                out.push_str(indent);
                out.push_str(MARKER);
                out.push_str(&(i + 1).to_string());
                out.push('\n');
                out.push_str(line);
            }
            Mark::Inline => {
                let rest = &line[indent.len() + 3..];
                out.push_str(indent);
                out.push_str(&format!("{{{{- \"\\n{MARKER}{}\" }}}}{{{{", i + 1));
                out.push_str(rest);
            }
            Mark::No => out.push_str(line),
        }
    }
    out
}

/// Every file in a `templates/` directory of the chart or its unpacked subcharts (Helm
/// parses them all as templates), as sorted paths relative to the chart root.
fn files_in_templates(root: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = ignore::WalkBuilder::new(root)
        .hidden(false)
        .git_ignore(false)
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .filter_map(|e| e.path().strip_prefix(root).ok().map(Path::to_path_buf))
        .filter(|rel| rel.components().any(|c| c.as_os_str() == "templates"))
        .collect();
    out.sort();
    out
}

/// Template files Helm renders into manifests (not `_*.tpl` helpers, not NOTES.txt).
fn template_files(root: &Path) -> Vec<PathBuf> {
    files_in_templates(root)
        .into_iter()
        .filter(|rel| {
            let name = rel.file_name().and_then(|n| n.to_str()).unwrap_or("");
            !name.starts_with('_') && (name.ends_with(".yaml") || name.ends_with(".yml"))
        })
        .collect()
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if name == ".git" {
            continue;
        }
        let target = to.join(&name);
        let ty = entry.file_type()?;
        if ty.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else if ty.is_file() || ty.is_symlink() {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// A rendered document of the instrumented release, with each of its lines' template line.
#[derive(Debug, Clone)]
pub(crate) struct DocMap {
    pub(crate) template: Option<String>,
    pub(crate) root: Node,
    /// `markers[l - first]`: template line of instrumented line `l` (1-based; 0 = none
    /// above). Only the document's own lines: a table sized to the whole render per document
    /// made memory quadratic in the number of documents (3,000 templates took 4.8 GB).
    markers: Vec<usize>,
    /// The 1-based line `markers[0]` is about.
    first: usize,
}

impl DocMap {
    pub(crate) fn line_of(&self, path: &[PathSeg]) -> Option<usize> {
        let (node, key_pos, _) = locate(&self.root, path);
        let line = key_pos.map(|p| p.line).unwrap_or(node.pos.line);
        self.markers
            .get(line.checked_sub(self.first)?)
            .copied()
            .filter(|&l| l > 0)
    }
}

/// The map from the clean render's documents to template lines.
#[derive(Debug, Default)]
pub(crate) struct TemplateMap {
    /// One entry per clean document, in parse order: its instrumented twin, when trusted.
    pub(crate) docs: Vec<Option<DocMap>>,
}

/// Every key path of a document (list items only as steps towards keys): its shape,
/// whatever its values.
pub(crate) fn paths_of(node: &Node) -> BTreeSet<Vec<PathSeg>> {
    let mut out = BTreeSet::new();
    node.walk(&mut |path, _| {
        if matches!(path.last(), Some(PathSeg::Key(_))) {
            out.insert(path.to_vec());
        }
    });
    out
}

/// Parses an instrumented render into documents with their marker tables.
fn parse_instrumented(text: &str) -> Vec<DocMap> {
    let mut docs = Vec::new();
    let all: Vec<&str> = text.lines().collect();
    for chunk in chunks(text) {
        let Ok(Some(doc)) = parse_document(chunk.text, chunk.first_line) else {
            continue;
        };
        let mut markers = vec![0usize; chunk.text.lines().count() + 1];
        let mut current = 0usize;
        let first = chunk.first_line;
        let count = chunk.text.lines().count();
        for l in first..(first + count).min(all.len()) {
            let t = all[l].trim();
            if let Some(n) = t.strip_prefix(MARKER).and_then(|n| n.parse::<usize>().ok()) {
                current = n;
            } else if let Some(pos) = t.find(MARKER) {
                // A marker glued after content by a right-trimming action on the line above.
                if let Ok(n) = t[pos + MARKER.len()..].trim().parse::<usize>() {
                    current = n;
                }
            }
            markers[l - first] = current;
        }
        docs.push(DocMap {
            template: chunk.template,
            root: doc.root,
            markers,
            first: first + 1,
        });
    }
    docs
}

/// Renders an instrumented copy of the chart (one Helm run; markers placed by
/// [`safe_lines`]). Should a marker still break a template, that template is put back as it
/// was and Helm runs once more: a safety net, not a loop. None when there is no map to make
/// (a packaged chart, Helm failing anyway): findings then fall back to the key search.
pub(crate) fn render_instrumented(
    helm: &Helm,
    chart: &Chart,
    opts: &RenderOptions,
    upgrade: bool,
) -> Option<String> {
    if !chart.unpacked {
        return None;
    }
    let tmp = tempdir().ok()?;
    let rendered = instrument_and_render(helm, chart, opts, upgrade, &tmp);
    let _ = std::fs::remove_dir_all(&tmp);
    rendered
}

fn instrument_and_render(
    helm: &Helm,
    chart: &Chart,
    opts: &RenderOptions,
    upgrade: bool,
    tmp: &Path,
) -> Option<String> {
    let copy = tmp.join(chart.path.file_name().unwrap_or_default());
    copy_dir(&chart.path, &copy).ok()?;
    let defines = Defines::of_chart(&copy);
    let mut files: HashMap<PathBuf, String> = HashMap::new();
    for rel in template_files(&copy) {
        let path = copy.join(&rel);
        if let Ok(text) = std::fs::read_to_string(&path) {
            let safe = safe_lines(&text, &defines);
            if std::fs::write(&path, instrument_text(&text, &safe)).is_ok() {
                files.insert(rel, text);
            }
        }
    }
    match helm.template(&copy, chart, opts, upgrade) {
        Ok(text) => Some(text),
        Err(RenderError {
            template: Some(TemplatePos { source, .. }),
            ..
        }) => {
            let rel = source.split_once('/').map(|(_, r)| PathBuf::from(r))?;
            let original = files.remove(&rel)?;
            std::fs::write(copy.join(&rel), original).ok()?;
            helm.template(&copy, chart, opts, upgrade).ok()
        }
        Err(_) => None,
    }
}

/// Pairs the documents of an instrumented render with the clean ones: a clean document's
/// twin must come from the same template, with the same kind and key paths.
pub(crate) fn build_map(
    instrumented: Option<&str>,
    clean: &[(Option<String>, Node)],
) -> TemplateMap {
    let mut map = TemplateMap {
        docs: vec![None; clean.len()],
    };
    let Some(text) = instrumented else { return map };
    let inst = parse_instrumented(text);
    let mut used: HashSet<usize> = HashSet::new();
    for (i, (template, root)) in clean.iter().enumerate() {
        let want = paths_of(root);
        // Same position first (Helm's order is stable), then any unused twin.
        let candidates = std::iter::once(i).chain(0..inst.len());
        for j in candidates {
            if j >= inst.len() || used.contains(&j) {
                continue;
            }
            let d = &inst[j];
            // Paths, not values: names and passwords may be random in every render.
            if &d.template == template
                && kind_of(&d.root) == kind_of(root)
                && paths_of(&d.root) == want
            {
                used.insert(j);
                map.docs[i] = Some(d.clone());
                break;
            }
        }
    }
    map
}

fn kind_of(n: &Node) -> Option<&str> {
    n.get("kind").and_then(Node::as_str)
}

fn tempdir() -> std::io::Result<PathBuf> {
    let base = std::env::temp_dir();
    for n in 0..1000u32 {
        let dir = base.join(format!(
            "chartguard-{}-{}-{n}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0)
        ));
        if std::fs::create_dir(&dir).is_ok() {
            return Ok(dir);
        }
    }
    Err(std::io::Error::other("cannot create a temporary directory"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn markers_skip_the_lines_where_a_comment_would_change_the_output() {
        let t = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n  {{- with .Values.labels }}\n  labels: {{ toYaml . | nindent 4 }}\n  {{- end }}\ndata:\n  script: |\n    echo hi\n    # not a comment\n  other: {{ .Values.x\n    | quote }}\n  last: {{ .Values.y -}}\n  after: 1\n";
        // 5 and 7 start with `{{-` (marked inside the action); 10-11 are in a block scalar;
        // 13 is inside an action; 15 follows a right-trimming action.
        assert_eq!(
            marks(t, &Defines::default()),
            (vec![1, 2, 3, 4, 6, 8, 9, 12, 14], vec![5, 7])
        );
    }

    /// Lines marked `Line` and `Inline` in `t`.
    fn marks(t: &str, defines: &Defines) -> (Vec<usize>, Vec<usize>) {
        let safe = safe_lines(t, defines);
        let at = |m: Mark| {
            safe.iter()
                .enumerate()
                .filter(|(_, s)| **s == m)
                .map(|(i, _)| i + 1)
                .collect::<Vec<_>>()
        };
        (at(Mark::Line), at(Mark::Inline))
    }

    #[test]
    fn no_marker_continues_a_multi_line_scalar() {
        // argo-cd's CRDs: a plain scalar folded onto the next line; a quoted one; a flow list.
        let t = "a:\n  description: Operation contains\n    operation\n  b: \"x\n    y\"\n  c: [1,\n    2]\n  d: 1\n  - e\n    f\n";
        assert_eq!(marks(t, &Defines::default()).0, vec![1, 2, 4, 6, 8, 9]);
    }

    #[test]
    fn a_dashes_line_inside_a_block_scalar_is_text() {
        // harbor's registry config: `ctl-config.yml: |+` starting with `---`.
        let t = "data:\n  c: |+\n    ---\n    {{- if .x }}\n    a: 1\n    {{- end }}\n---\nb: 1\n";
        assert_eq!(marks(t, &Defines::default()), (vec![1, 2, 8], vec![]));
    }

    #[test]
    fn action_lines_inside_a_block_scalar_get_no_marker_at_any_indentation() {
        // jenkins, redis, blackbox: `{{- if }}` at the key's indentation inside `|` text.
        let t = "data:\n  config: |\n    a: 1\n  {{- if .Values.x }}\n    b: 2\n  {{- end }}\n  other: 1\n";
        assert_eq!(marks(t, &Defines::default()), (vec![1, 2, 7], vec![]));
    }

    #[test]
    fn a_trimmed_action_is_marked_only_when_its_output_starts_a_line() {
        let helpers = "{{- define \"x.labels\" }}\napp: x\n{{- end }}\n{{- define \"x.glued\" -}}\n-suffix\n{{- end }}\n";
        let dir = std::env::temp_dir().join(format!("cg-defines-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("templates")).unwrap();
        std::fs::write(dir.join("templates/_helpers.tpl"), helpers).unwrap();
        let defines = Defines::of_chart(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
        let t = "metadata:\n  labels:\n    {{- include \"x.labels\" . }}\n  name: a\n  {{- include \"x.glued\" . }}\n  image: b\n  {{- if .Values.tag }}:{{ .Values.tag }}{{ end }}\n  {{- .Values.extra }}\n  {{- toYaml .Values.more | nindent 2 }}\n";
        // 3: the define starts with a newline; 5: it glues onto `name: a`; 7: the `if` body
        // continues the image line; 8: a value of unknown shape; 9: nindent starts a line.
        assert_eq!(marks(t, &defines), (vec![1, 2, 4, 6], vec![3, 9]));
        // At the start of a line too (cloudnative-pg's `rules:` from includes).
        let t = "rules:\n{{- include \"x.labels\" . }}\n{{ if .x }}\n{{- include \"x.glued\" . }}\n{{ end }}\n";
        assert_eq!(marks(t, &defines), (vec![1, 3, 5], vec![2]));
    }

    #[test]
    fn instrumented_text_keeps_indentation() {
        let t = "a:\n  b: 1\n";
        assert_eq!(
            instrument_text(t, &safe_lines(t, &Defines::default())),
            "#cg:1\na:\n  #cg:2\n  b: 1\n"
        );
        let t = "a:\n  {{- include \"x\" . | nindent 2 }}\n";
        assert_eq!(
            instrument_text(t, &safe_lines(t, &Defines::default())),
            "#cg:1\na:\n  {{- \"\\n#cg:2\" }}{{ include \"x\" . | nindent 2 }}\n"
        );
    }
}
