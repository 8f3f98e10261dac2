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

/// How each line of a template (1-based index + 1) is marked.
pub(crate) fn safe_lines(template: &str) -> Vec<Mark> {
    let lines: Vec<&str> = template.lines().collect();
    let mut safe = vec![Mark::No; lines.len()];
    let mut open_actions: i64 = 0;
    let mut block_scalar_indent: Option<usize> = None;
    let mut prev_right_trim = false;
    for (i, line) in lines.iter().enumerate() {
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim();
        let in_action = open_actions > 0;
        if let Some(bi) = block_scalar_indent {
            if trimmed.is_empty() || indent > bi {
                // Inside a block scalar: a comment would become text.
                update_actions(line, &mut open_actions);
                prev_right_trim = trimmed.ends_with("-}}");
                continue;
            }
            block_scalar_indent = None;
        }
        safe[i] = if in_action || trimmed.is_empty() || trimmed.starts_with("---") {
            Mark::No
        } else if trimmed.starts_with("{{-")
            && !trimmed.starts_with("{{-/*")
            && !trimmed.starts_with("{{- /*")
        {
            Mark::Inline
        } else if trimmed.starts_with("{{-") || prev_right_trim {
            Mark::No
        } else {
            Mark::Line
        };
        update_actions(line, &mut open_actions);
        if open_actions == 0 && starts_block_scalar(trimmed) {
            block_scalar_indent = Some(indent);
        }
        prev_right_trim = trimmed.ends_with("-}}");
    }
    safe
}

fn update_actions(line: &str, open: &mut i64) {
    *open += line.matches("{{").count() as i64 - line.matches("}}").count() as i64;
    if *open < 0 {
        *open = 0;
    }
}

/// `key: |`, `key: >-`, `- |2` …, ignoring template actions and trailing comments.
fn starts_block_scalar(trimmed: &str) -> bool {
    let without_comment = trimmed.split(" #").next().unwrap_or(trimmed).trim_end();
    let tail = without_comment.rsplit([' ', ':']).next().unwrap_or("");
    let is_indicator = |s: &str| {
        let mut c = s.chars();
        matches!(c.next(), Some('|' | '>'))
            && c.all(|x| matches!(x, '-' | '+') || x.is_ascii_digit())
    };
    is_indicator(tail)
        && (without_comment.contains(": ")
            || without_comment.starts_with("- ")
            || without_comment == tail)
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

/// Template files Helm renders into manifests (not `_*.tpl` helpers, not NOTES.txt), for the
/// chart and its unpacked subcharts, as paths relative to the chart root.
fn template_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in ignore::WalkBuilder::new(root)
        .hidden(false)
        .git_ignore(false)
        .build()
        .filter_map(Result::ok)
    {
        let p = e.path();
        let Ok(rel) = p.strip_prefix(root) else {
            continue;
        };
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let in_templates = rel.components().any(|c| c.as_os_str() == "templates");
        if in_templates
            && !name.starts_with('_')
            && (name.ends_with(".yaml") || name.ends_with(".yml"))
            && p.is_file()
        {
            out.push(rel.to_path_buf());
        }
    }
    out.sort();
    out
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

/// Renders an instrumented copy of the chart and pairs its documents with the clean ones.
/// Never fails the lint: on any problem the affected documents get no map.
pub(crate) fn build_map(
    helm: &Helm,
    chart: &Chart,
    opts: &RenderOptions,
    upgrade: bool,
    clean: &[(Option<String>, Node)],
) -> TemplateMap {
    // Markers inside `{{-` actions place include/nindent output best, but a template that
    // glues text onto the previous line with `{{-` changes shape with them: documents that
    // do not verify get a second chance from a render with comment-line markers only.
    let mut map = build_map_with(helm, chart, opts, upgrade, clean, true);
    if map.docs.iter().any(Option::is_none) {
        let second = build_map_with(helm, chart, opts, upgrade, clean, false);
        for (slot, doc) in map.docs.iter_mut().zip(second.docs) {
            if slot.is_none() {
                *slot = doc;
            }
        }
    }
    map
}

fn build_map_with(
    helm: &Helm,
    chart: &Chart,
    opts: &RenderOptions,
    upgrade: bool,
    clean: &[(Option<String>, Node)],
    inline: bool,
) -> TemplateMap {
    let mut map = TemplateMap {
        docs: vec![None; clean.len()],
    };
    if !chart.unpacked {
        return map;
    }
    let Ok(tmp) = tempdir() else { return map };
    let copy = tmp.join(chart.path.file_name().unwrap_or_default());
    if copy_dir(&chart.path, &copy).is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
        return map;
    }
    let mut files: HashMap<PathBuf, String> = HashMap::new();
    for rel in template_files(&copy) {
        let path = copy.join(&rel);
        if let Ok(text) = std::fs::read_to_string(&path) {
            let mut safe = safe_lines(&text);
            if !inline {
                safe.iter_mut()
                    .filter(|m| **m == Mark::Inline)
                    .for_each(|m| *m = Mark::No);
            }
            if std::fs::write(&path, instrument_text(&text, &safe)).is_ok() {
                files.insert(rel, text);
            }
        }
    }
    let mut rendered: Option<String> = None;
    // A marker that breaks a template makes Helm name that template; put it back as it was
    // and try again, a bounded number of times.
    for _ in 0..8 {
        match helm.template(&copy, chart, opts, upgrade) {
            Ok(text) => {
                rendered = Some(text);
                break;
            }
            Err(RenderError {
                template: Some(TemplatePos { source, .. }),
                ..
            }) => {
                let Some(rel) = source.split_once('/').map(|(_, r)| PathBuf::from(r)) else {
                    break;
                };
                let Some(original) = files.remove(&rel) else {
                    break;
                };
                if std::fs::write(copy.join(&rel), original).is_err() {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    let Some(text) = rendered else { return map };
    let inst = parse_instrumented(&text);
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
        let safe = safe_lines(t);
        let at = |m: Mark| {
            safe.iter()
                .enumerate()
                .filter(|(_, s)| **s == m)
                .map(|(i, _)| i + 1)
                .collect::<Vec<_>>()
        };
        // 5 and 7 start with `{{-` (marked inside the action); 10-11 are in a block scalar;
        // 13 is inside an action; 15 follows a right-trimming action.
        assert_eq!(at(Mark::Line), vec![1, 2, 3, 4, 6, 8, 9, 12, 14]);
        assert_eq!(at(Mark::Inline), vec![5, 7]);
    }

    #[test]
    fn instrumented_text_keeps_indentation() {
        let t = "a:\n  b: 1\n";
        assert_eq!(
            instrument_text(t, &safe_lines(t)),
            "#cg:1\na:\n  #cg:2\n  b: 1\n"
        );
        let t = "a:\n  {{- include \"x\" . | nindent 2 }}\n";
        assert_eq!(
            instrument_text(t, &safe_lines(t)),
            "#cg:1\na:\n  {{- \"\\n#cg:2\" }}{{ include \"x\" . | nindent 2 }}\n"
        );
    }
}
