//! Findings at the template line: lint the clean render, map with an instrumented one.
//!
//! A temporary copy of the chart gets a marker comment (`#cg:<line>`) before each template
//! line where a comment is harmless (`#cg:<line>+<count>` before a run of lines Helm copies
//! whole); Helm renders it with the same flags; a rendered node's template line is the
//! nearest marker above it (counted on through a run). The instrumented render is only a map: it
//! never feeds the rules. Each document is trusted only if its key paths equal the clean
//! render's (values may differ: charts generate random passwords). Where that fails, the
//! key path is searched in the template text, then the document start is used
//! (`../shared/notes/source-mapping.md`; the fallbacks are in `provenance::fallback`).

use super::Helm;
use crate::model::PathSeg;
use crate::provenance::DocRef;
use crate::render::{Chart, RenderError, RenderOptions, TemplatePos};
use crate::yaml::{chunks, locate, parse_document, Chunk, Node};
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
///
/// Also returns which lines Helm copies whole as one output line (text only, its newline
/// included: no action, nothing trimmed, not in a define).
pub(crate) fn safe_lines(template: &str, defines: &Defines) -> (Vec<Mark>, Vec<bool>) {
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(template.match_indices('\n').map(|(i, _)| i + 1))
        .filter(|&i| i < template.len())
        .collect();
    let mut safe = vec![Mark::No; line_starts.len()];
    let mut verbatim = vec![false; line_starts.len()];
    let Ok(pieces) = outline("t", template) else {
        return (safe, verbatim);
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
        let i = pieces.partition_point(|p| p.end <= ls);
        verbatim[n] = pieces
            .get(i)
            .is_some_and(|p| p.kind == Kind::Text && !p.in_define && p.start <= ls && p.end >= le);
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
    (safe, verbatim)
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

/// The template with its markers. Where marked lines follow one another and each but the
/// last is copied whole ([`safe_lines`]' `verbatim`), one marker `#cg:N+K` stands for the K
/// lines from N, each the next output line: the same map as a marker on every line, without
/// the comment lines that doubled the output of text-heavy templates (argo-cd's CRDs: 3.5
/// MB instrumented for 1.9 MB clean, the instrumented render the slower of the two).
pub(crate) fn instrument_text(template: &str, safe: &[Mark], verbatim: &[bool]) -> String {
    let mark = |i: usize| safe.get(i).copied().unwrap_or(Mark::No);
    let mut out = String::with_capacity(template.len() * 2);
    // Lines of the current run still to come.
    let mut run = 0usize;
    for (i, line) in template.split_inclusive('\n').enumerate() {
        let indent = &line[..line.len() - line.trim_start().len()];
        match mark(i) {
            Mark::Line if run > 0 => run -= 1,
            Mark::Line => {
                let more = (i..)
                    .take_while(|&j| verbatim.get(j) == Some(&true) && mark(j + 1) == Mark::Line)
                    .count();
                run = more;
                out.push_str(indent);
                out.push_str(MARKER);
                out.push_str(&(i + 1).to_string());
                if more > 0 {
                    out.push('+');
                    out.push_str(&(more + 1).to_string());
                }
                out.push('\n');
            }
            Mark::Inline => {
                run = 0;
                let rest = &line[indent.len() + 3..];
                out.push_str(indent);
                out.push_str(&format!("{{{{- \"\\n{MARKER}{}\" }}}}{{{{", i + 1));
                out.push_str(rest);
                continue;
            }
            Mark::No => run = 0,
        }
        out.push_str(line);
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

/// Builds the chart's copy: each regular file a hard link to the chart's (a copy where
/// linking fails: another file system, not the user's file), so the copy costs directory
/// entries, not data (copying took 40-220 ms of the instrumented render's head start on a
/// busy machine). Files of the copy are only ever replaced ([`replace_file`]), never
/// written through, so the chart itself is never changed.
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
        } else if ty.is_file() {
            if std::fs::hard_link(entry.path(), &target).is_err() {
                std::fs::copy(entry.path(), &target)?;
            }
        } else if ty.is_symlink() {
            // The file it points to, as before (a link to a symlink would point elsewhere).
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Puts `text` at `path` in the chart's copy as a new file (written beside it, then renamed
/// over it): `path` may be a hard link to the chart's own file, which must not change.
fn replace_file(path: &Path, text: &str) -> std::io::Result<()> {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".cg-new");
    let new = path.with_file_name(name);
    std::fs::write(&new, text)?;
    std::fs::rename(&new, path).inspect_err(|_| {
        // Not left in templates/, where Helm would render it.
        let _ = std::fs::remove_file(&new);
    })
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

/// The documents of a render, each with its table of template lines: `markers` gives a
/// document (its chunk of the render) the template line of each of its lines, 0 for none.
fn doc_maps(text: &str, mut markers: impl FnMut(&Chunk<'_>) -> Vec<usize>) -> Vec<DocMap> {
    let mut docs = Vec::new();
    for chunk in chunks(text) {
        let Ok(Some(doc)) = parse_document(chunk.text, chunk.first_line) else {
            continue;
        };
        let markers = markers(&chunk);
        docs.push(DocMap {
            template: chunk.template,
            root: doc.root,
            markers,
            first: chunk.first_line + 1,
        });
    }
    docs
}

/// Parses an instrumented render into documents with their marker tables.
pub(crate) fn parse_instrumented(text: &str) -> Vec<DocMap> {
    let all: Vec<&str> = text.lines().collect();
    doc_maps(text, |chunk| {
        let first = chunk.first_line;
        let count = chunk.text.lines().count();
        let mut markers = vec![0usize; count + 1];
        let mut current = 0usize;
        // Lines of a `#cg:N+K` run still to count, and whether its first line is past.
        let (mut run, mut started) = (0usize, false);
        for l in first..(first + count).min(all.len()) {
            let t = all[l].trim();
            // A marker glued after content by a right-trimming action on the line above
            // counts too.
            let marker = t.strip_prefix(MARKER).and_then(marker_of).or_else(|| {
                let pos = t.find(MARKER)?;
                marker_of(&t[pos + MARKER.len()..])
            });
            if let Some((n, k)) = marker {
                (current, run, started) = (n, k - 1, false);
            } else {
                if started && run > 0 {
                    current += 1;
                    run -= 1;
                }
                started = true;
            }
            markers[l - first] = current;
        }
        markers
    })
}

/// The documents of a render of the chart by the built-in renderer, each line with the
/// template line its record gives (`lines[l]`: template and 1-based line that wrote 0-based
/// line `l`): the map the markers would give (the two agree on every finding of the examples,
/// tests/charts and the corpus: scripts/compare-lines.sh), without a second Helm process.
/// A line another template wrote counts as unmarked, as with the built-in renderer.
pub(crate) fn maps_from_origins(text: &str, lines: &[Option<(String, usize)>]) -> Vec<DocMap> {
    doc_maps(text, |chunk| {
        let count = chunk.text.lines().count();
        let mut markers = vec![0usize; count + 1];
        for (l, marker) in markers.iter_mut().enumerate().take(count) {
            if let Some(Some((template, line))) = lines.get(chunk.first_line + l) {
                if chunk.template.as_deref() == Some(template.as_str()) {
                    *marker = *line;
                }
            }
        }
        markers
    })
}

/// `N` or `N+K` after a marker: template line N, and how many lines from it the marker
/// stands for.
fn marker_of(s: &str) -> Option<(usize, usize)> {
    let s = s.trim();
    match s.split_once('+') {
        Some((n, k)) => Some((n.parse().ok()?, k.parse().ok().filter(|&k| k > 0)?)),
        None => Some((s.parse().ok()?, 1)),
    }
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
            let (safe, verbatim) = safe_lines(&text, &defines);
            if replace_file(&path, &instrument_text(&text, &safe, &verbatim)).is_ok() {
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
            replace_file(&copy.join(&rel), &original).ok()?;
            helm.template(&copy, chart, opts, upgrade).ok()
        }
        Err(_) => None,
    }
}

/// The clean documents of one rendered file paired with their instrumented twins: a clean
/// document's twin comes from the same template, with the same kind and key paths (paths,
/// not values: names and passwords may be random in every render).
///
/// Pairing is greedy in the clean documents' order — same position first (Helm's order is
/// stable), then the first unused twin — and only ever matches documents of one template,
/// so each template's documents pair on their own: only the templates findings point into
/// are paired, and each document's key paths are collected once (argo-cd's CRDs made pairing
/// the whole render most of a lint's time). The result is the one pairing every document
/// in order would give.
pub(crate) struct TemplateMap {
    /// The instrumented documents, in render order.
    inst: Vec<DocMap>,
    /// Instrumented document indices by template, ascending.
    inst_of: HashMap<Option<String>, Vec<usize>>,
    /// Key paths of instrumented documents, collected when first compared.
    inst_paths: HashMap<usize, BTreeSet<Vec<PathSeg>>>,
    used: HashSet<usize>,
    /// Per clean document, once paired: its twin.
    twin: Vec<Option<Option<usize>>>,
    /// Clean document indices by template, and how many of them are paired.
    clean_of: HashMap<Option<String>, (Vec<usize>, usize)>,
}

impl TemplateMap {
    /// `inst`: the parsed instrumented render (None: no map, no twins); `clean`: the clean
    /// documents, in order.
    pub(crate) fn new(inst: Option<Vec<DocMap>>, clean: &[DocRef<'_>]) -> TemplateMap {
        let inst = inst.unwrap_or_default();
        let mut inst_of: HashMap<Option<String>, Vec<usize>> = HashMap::new();
        for (j, d) in inst.iter().enumerate() {
            inst_of.entry(d.template.clone()).or_default().push(j);
        }
        let mut clean_of: HashMap<Option<String>, (Vec<usize>, usize)> = HashMap::new();
        for (i, d) in clean.iter().enumerate() {
            let t = d.template.map(str::to_string);
            clean_of.entry(t).or_default().0.push(i);
        }
        TemplateMap {
            inst,
            inst_of,
            inst_paths: HashMap::new(),
            used: HashSet::new(),
            twin: vec![None; clean.len()],
            clean_of,
        }
    }

    /// The instrumented twin of clean document `doc` (`clean`: the same documents as given
    /// to [`TemplateMap::new`]), pairing the documents of its template before it first.
    pub(crate) fn twin(&mut self, clean: &[DocRef<'_>], doc: usize) -> Option<&DocMap> {
        if let Some(done) = *self.twin.get(doc)? {
            return done.map(|j| &self.inst[j]);
        }
        let template = clean[doc].template.map(str::to_string);
        let (docs, paired) = self.clean_of.get(&template)?.clone();
        let candidates = self.inst_of.get(&template).cloned().unwrap_or_default();
        for &i in docs[paired..].iter().take_while(|&&i| i <= doc) {
            let twin = self.pair(i, clean[i].root, &template, &candidates);
            self.twin[i] = Some(twin);
        }
        if let Some(entry) = self.clean_of.get_mut(&template) {
            entry.1 = docs.partition_point(|&i| i <= doc);
        }
        self.twin[doc].flatten().map(|j| &self.inst[j])
    }

    /// Clean document `i`'s twin among `candidates` (its template's instrumented documents):
    /// position `i` first, then the first unused one that matches.
    fn pair(
        &mut self,
        i: usize,
        root: &Node,
        template: &Option<String>,
        candidates: &[usize],
    ) -> Option<usize> {
        let kind = kind_of(root);
        let mut want: Option<BTreeSet<Vec<PathSeg>>> = None;
        let at_position = self
            .inst
            .get(i)
            .filter(|d| &d.template == template)
            .map(|_| i);
        for j in at_position.into_iter().chain(candidates.iter().copied()) {
            if self.used.contains(&j) || kind_of(&self.inst[j].root) != kind {
                continue;
            }
            let want = want.get_or_insert_with(|| paths_of(root));
            let inst = &self.inst;
            let have = self
                .inst_paths
                .entry(j)
                .or_insert_with(|| paths_of(&inst[j].root));
            if have == want {
                self.used.insert(j);
                return Some(j);
            }
        }
        None
    }
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
        let safe = safe_lines(t, defines).0;
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

    /// The pairing every clean document in order gives (what `TemplateMap` replaced): the
    /// reference a map answering only some documents, in any order, must agree with.
    fn pair_all(inst: &[DocMap], clean: &[DocRef<'_>]) -> Vec<Option<usize>> {
        let mut used = HashSet::new();
        clean
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let want = paths_of(c.root);
                let found = std::iter::once(i).chain(0..inst.len()).find(|&j| {
                    j < inst.len()
                        && !used.contains(&j)
                        && inst[j].template.as_deref() == c.template
                        && kind_of(&inst[j].root) == kind_of(c.root)
                        && paths_of(&inst[j].root) == want
                });
                found.inspect(|&j| {
                    used.insert(j);
                })
            })
            .collect()
    }

    #[test]
    fn documents_pair_alike_whichever_are_asked_and_in_any_order() {
        let cm = |t: &str, name: &str, extra: &str| {
            format!("---\n# Source: c/templates/{t}\n#cg:1\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  #cg:3\n  name: {name}\n{extra}")
        };
        // Instrumented: a template that renders only markers, one whose first document
        // did not come out (a random branch), three alike from a range, a different shape.
        let inst = [
            "---\n# Source: c/templates/none.yaml\n#cg:1\n".to_string(),
            cm("one.yaml", "b", ""),
            cm("many.yaml", "m1", ""),
            cm("many.yaml", "m2", "data:\n  #cg:9\n  k: v\n"),
            cm("many.yaml", "m3", ""),
            cm("many.yaml", "m4", ""),
            cm("other.yaml", "o", ""),
        ]
        .concat();
        let clean = [
            cm("one.yaml", "a", ""),
            cm("one.yaml", "b", ""),
            cm("many.yaml", "m1", ""),
            cm("many.yaml", "m2", "data:\n  k: v\n"),
            cm("many.yaml", "m3", ""),
            cm("other.yaml", "o", "data:\n  k: v\n"),
            cm("many.yaml", "m4", ""),
        ]
        .concat();
        // The markers-only chunk is no document, so twins sit one position earlier: the
        // first unused twin is taken, but the fifth (m3) finds m4's twin at its position
        // first, leaving m4 the one after m2's; a different shape gets none.
        assert_eq!(
            pairs_alike(&inst, &clean),
            vec![Some(0), None, Some(1), Some(2), Some(4), None, Some(3)]
        );
        // Where the position matches, it wins over an earlier unused twin.
        let inst = [
            cm("x.yaml", "x", ""),
            cm("x.yaml", "x", ""),
            cm("x.yaml", "x", ""),
        ]
        .concat();
        let clean = [
            cm("y.yaml", "y", ""),
            cm("x.yaml", "x", ""),
            cm("x.yaml", "x", ""),
        ]
        .concat();
        assert_eq!(pairs_alike(&inst, &clean), vec![None, Some(1), Some(2)]);
    }

    /// Pairs `clean` (a render) with `inst` (an instrumented one) asking for every document
    /// alone, all of them backwards and some subsets; asserts every answer is [`pair_all`]'s,
    /// which it returns.
    fn pairs_alike(inst: &str, clean: &str) -> Vec<Option<usize>> {
        let inst = parse_instrumented(inst);
        let parsed: Vec<(Option<String>, Node)> = chunks(clean)
            .iter()
            .filter_map(|c| Some((c.template.clone(), parse_document(c.text, 0).ok()??.root)))
            .collect();
        let clean: Vec<DocRef<'_>> = parsed
            .iter()
            .map(|(t, root)| DocRef {
                template: t.as_deref(),
                root,
            })
            .collect();
        let want = pair_all(&inst, &clean);
        let n = clean.len();
        let orders: Vec<Vec<usize>> = (0..n)
            .map(|i| vec![i])
            .chain([(0..n).rev().collect(), (0..n).step_by(2).rev().collect()])
            .collect();
        for order in orders {
            let mut map = TemplateMap::new(Some(inst.clone()), &clean);
            for &doc in &order {
                let got = map.twin(&clean, doc).map(|d| {
                    inst.iter()
                        .position(|i| i.first == d.first)
                        .expect("a twin is an instrumented document")
                });
                assert_eq!(got, want[doc], "document {doc}, asked in order {order:?}");
            }
        }
        // No instrumented render: no twins.
        let mut map = TemplateMap::new(None, &clean);
        assert!((0..n).all(|doc| map.twin(&clean, doc).is_none()));
        want
    }

    /// `t` instrumented as the chart copy is.
    fn instrumented(t: &str) -> String {
        let (safe, verbatim) = safe_lines(t, &Defines::default());
        instrument_text(t, &safe, &verbatim)
    }

    #[test]
    fn instrumented_text_keeps_indentation() {
        let t = "a:\n  {{- include \"x\" . | nindent 2 }}\n  b: {{ .x }}\n";
        assert_eq!(
            instrumented(t),
            "#cg:1\na:\n  {{- \"\\n#cg:2\" }}{{ include \"x\" . | nindent 2 }}\n  #cg:3\n  b: {{ .x }}\n"
        );
    }

    #[test]
    fn one_marker_stands_for_lines_copied_whole() {
        // 1-3 are text (3 ends the run: its action may print several lines); 4 starts a
        // block scalar, 5-6 are in it (no markers); 7 is text again, 8-9 too.
        let t = "a:\n  b: 1\n  c: {{ .c }}\n  d: |\n    x\n    y\n  e: 1\n  f: 2\n  g: 3\n";
        assert_eq!(
            instrumented(t),
            "#cg:1+3\na:\n  b: 1\n  c: {{ .c }}\n  #cg:4\n  d: |\n    x\n    y\n  #cg:7+3\n  e: 1\n  f: 2\n  g: 3\n"
        );
        // Read back, every line has the template line a marker on each line would give it.
        let rendered = "---\n# Source: c/templates/t.yaml\n#cg:1+3\na:\n  b: 1\n  c:\n    - 1\n  #cg:4\n  d: |\n    x\n    y\n  #cg:7+3\n  e: 1\n  f: 2\n  g: 3\nh: 4 #cg:12\ni: 5\n";
        let doc = &parse_instrumented(rendered)[0];
        let at = |l: usize| doc.markers[l - doc.first];
        // Rendered lines: a 4, b 5, c 6-7, d 9-11, e 13, f 14, g 15, h 16 (a glued marker).
        let want = [
            (4, 1),
            (5, 2),
            (6, 3),
            (7, 3),
            (9, 4),
            (10, 4),
            (11, 4),
            (13, 7),
            (14, 8),
            (15, 9),
            (16, 12),
            (17, 12),
        ];
        for (line, template) in want {
            assert_eq!(at(line), template, "rendered line {line}");
        }
    }
}
