//! Where a rendered field comes from: the template file, line and column a person edits,
//! and the values key (and values file line) behind it.
//!
//! A renderer hands the pipeline a [`SourceMap`] with its documents; findings ask it once
//! per location. Today's Helm renderer answers from marker comments of an instrumented
//! render and falls back to searching the template ([`fallback`]); a renderer that records
//! provenance while it renders answers exactly from what it recorded. Both build the answer
//! with [`TemplateLocator`] (columns, the values lookup in [`values`]) so the two agree on
//! everything but the line.

pub(crate) mod capabilities;
pub(crate) mod fallback;
pub(crate) mod values;

use crate::files::display_path;
use crate::model::{Location, MappedBy, PathSeg, ValueSource};
use crate::yaml::Node;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use values::ValuesFile;

/// A rendered document, as the pipeline parsed it.
pub(crate) struct DocRef<'a> {
    /// The template that rendered it, as Helm names it (`chart/templates/x.yaml`).
    pub(crate) template: Option<&'a str>,
    pub(crate) root: &'a Node,
}

/// One question to a source map: where does this rendered node come from?
pub(crate) struct Query<'a> {
    /// Index of the rendered file, in the order the renderer returned them.
    pub(crate) file: usize,
    /// Every document parsed from that file, in order (maps that pair documents across
    /// renders need them all), and which of them holds the node.
    pub(crate) docs: &'a [DocRef<'a>],
    pub(crate) doc: usize,
    /// The node: its path in the document, and where it is in the rendered text.
    pub(crate) path: &'a [PathSeg],
    // Unused by the Helm map (it pairs documents by path); the built-in renderer keys its
    // provenance by rendered position.
    pub(crate) rendered: &'a Location,
    /// A related location rather than a finding's own: a map may answer it from what it
    /// already knows, but need not pay for more (an instrumented render costs a Helm run).
    pub(crate) related: bool,
    /// The rule asking (a map may pick, of several values behind a field, the rule's one).
    pub(crate) rule: &'a str,
}

/// The answer: where to edit, how that was found, and the values key behind it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Provenance {
    pub(crate) location: Location,
    pub(crate) mapped_by: MappedBy,
    pub(crate) value: Option<ValueSource>,
    /// Where a person edits the value when that is not the template line: the values file
    /// line that set it (the finding's primary location; the template line becomes related).
    pub(crate) edit: Option<Location>,
    /// The template wrote the value itself (a literal): no values file can change it.
    pub(crate) hard_coded: bool,
}

/// Rendered node → template file:line:column and values file:line. The contract every
/// renderer keeps; `None` means "no better place than the rendered text".
pub(crate) trait SourceMap {
    fn locate(&self, query: &Query<'_>) -> Option<Provenance>;
    /// The text of every template an answer pointed into, by display name (snippets).
    fn templates(&self) -> BTreeMap<String, String>;
    /// The API versions template `source` (a `# Source:` path) checks with
    /// `.Capabilities.APIVersions.Has`, its chart's helpers included; empty when unknown.
    fn capability_checks(&self, _source: &str) -> Vec<String> {
        Vec::new()
    }
    /// Lines of the install render (1-based, file 0) holding values generated at render
    /// time, with the generator calls; empty when the renderer does not know (Helm).
    fn generated(&self) -> Vec<(usize, Vec<helm_template::generated::GeneratedCall>)> {
        Vec::new()
    }
}

/// Manifests read as they are: the text that was read is the source.
pub(crate) struct Identity;

impl SourceMap for Identity {
    fn locate(&self, _: &Query<'_>) -> Option<Provenance> {
        None
    }
    fn templates(&self) -> BTreeMap<String, String> {
        BTreeMap::new()
    }
}

/// Builds a [`Provenance`] from a template line, for the templates of one chart: reads
/// each template once, finds the key's columns on the line, and the values key behind it
/// in the chart's values files (Helm's order) and `--set` arguments.
pub(crate) struct TemplateLocator {
    /// The chart's directory; None for a packaged chart (no template files to point at).
    chart_dir: Option<PathBuf>,
    values_files: Vec<ValuesFile>,
    set_args: Vec<String>,
    /// Template texts by display name, read once however many findings point into them.
    templates: RefCell<BTreeMap<String, String>>,
    /// Subcharts' own values.yaml, parsed once.
    subchart_values: RefCell<HashMap<PathBuf, Option<ValuesFile>>>,
}

impl TemplateLocator {
    /// `values`: the values files after the chart's own values.yaml, in order; `set_args`:
    /// `--set` and `--set-string` arguments.
    pub(crate) fn new(
        chart_dir: Option<&Path>,
        chart_path: &Path,
        values: &[PathBuf],
        set_args: Vec<String>,
    ) -> TemplateLocator {
        let chart_values = chart_path.join("values.yaml");
        let values_files = std::iter::once(&chart_values)
            .chain(values.iter())
            .filter_map(|p| ValuesFile::read(p))
            .collect();
        TemplateLocator {
            chart_dir: chart_dir.map(Path::to_path_buf),
            values_files,
            set_args,
            templates: Default::default(),
            subchart_values: Default::default(),
        }
    }

    /// The template file on disk for a `# Source:` path: `myapp/templates/x.yaml` is
    /// `<chart>/templates/x.yaml`, `myapp/charts/sub/templates/y.yaml` is
    /// `<chart>/charts/sub/templates/y.yaml`.
    fn template_file(&self, source: &str) -> Option<PathBuf> {
        let rest = source.split_once('/')?.1;
        let path = self.chart_dir.as_ref()?.join(rest);
        if path.is_file() {
            return Some(path);
        }
        // A subchart under an alias: `charts/<alias>/…` is in the directory of the chart
        // the alias names.
        let (dir, file) = rest.rsplit_once("/templates/")?;
        let path = subchart_dir(self.chart_dir.as_ref()?, dir)?
            .join("templates")
            .join(file);
        path.is_file().then_some(path)
    }

    /// For `parent/charts/sub/templates/x.yaml`: the subchart's directory and name.
    fn subchart_of(&self, source: &str) -> Option<(PathBuf, String)> {
        let rest = source.split_once('/')?.1;
        let sub = rest.strip_prefix("charts/")?.split('/').next()?;
        let chart_dir = self.chart_dir.as_ref()?;
        let dir = subchart_dir(chart_dir, &format!("charts/{sub}"))
            .unwrap_or_else(|| chart_dir.join("charts").join(sub));
        Some((dir, sub.to_string()))
    }

    /// Where field `path` of a document rendered from template `source` is written:
    /// `line` when the renderer knows it, else the key path searched in the template, else
    /// the template's first document line.
    pub(crate) fn locate(
        &self,
        source: &str,
        path: &[PathSeg],
        line: Option<usize>,
    ) -> Option<Provenance> {
        let file = self.template_file(source)?;
        let shown = display_path(&file);
        let mut templates = self.templates.borrow_mut();
        let text = match templates.entry(shown.clone()) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert(std::fs::read_to_string(&file).ok()?)
            }
        };
        let text: &str = text;
        let (line, mapped_by) = match line {
            Some(l) => (l, MappedBy::Marker),
            None => match fallback::key_path_line(text, path) {
                Some(l) => (l, MappedBy::KeyPath),
                None => (fallback::doc_start(text).unwrap_or(1), MappedBy::Document),
            },
        };
        let (column, end) = key_columns(text.lines().nth(line - 1).unwrap_or(""), path);
        let subchart = self.subchart_of(source);
        let mut subchart_values = self.subchart_values.borrow_mut();
        let own = subchart.as_ref().and_then(|(dir, _)| {
            subchart_values
                .entry(dir.clone())
                .or_insert_with(|| ValuesFile::read(&dir.join("values.yaml")))
                .as_ref()
        });
        let value = values::sources_of(
            &values::keys_for_line(text, line),
            &self.values_files,
            &self.set_args,
            subchart.as_ref().map(|(_, n)| (own, n.as_str())),
        );
        let location = Location {
            file: shown,
            line,
            column,
            end_line: line,
            end_column: end,
            template: Some(source.to_string()),
        };
        Some(Provenance {
            location,
            mapped_by,
            value,
            edit: None,
            hard_coded: false,
        })
    }

    pub(crate) fn templates(&self) -> BTreeMap<String, String> {
        self.templates.borrow().clone()
    }

    /// Whether line `line` of a template an answer pointed into writes only text, no
    /// action: what it renders is a literal of the template.
    pub(crate) fn is_plain_text(&self, shown: &str, line: usize) -> bool {
        self.templates
            .borrow()
            .get(shown)
            .and_then(|t| t.lines().nth(line.checked_sub(1)?))
            .is_some_and(|l| !l.contains("{{"))
    }

    /// See [`SourceMap::capability_checks`].
    pub(crate) fn capability_checks(&self, source: &str) -> Vec<String> {
        let Some(file) = self.template_file(source) else {
            return Vec::new();
        };
        match std::fs::read_to_string(&file) {
            Ok(text) => capabilities::checks_of(&file, &text),
            Err(_) => Vec::new(),
        }
    }
}

/// The directory of the subchart at `charts/a/charts/b` (names as Helm prints them:
/// aliases where the parent gives one) under `chart_dir`: a directory of that name, else
/// the directory under `charts/` whose Chart.yaml has the name the alias stands for.
pub(crate) fn subchart_dir(chart_dir: &Path, path: &str) -> Option<PathBuf> {
    let mut dir = chart_dir.to_path_buf();
    let mut parts = path.split('/');
    while let Some(seg) = parts.next() {
        if seg != "charts" {
            return None;
        }
        let name = parts.next()?;
        let plain = dir.join("charts").join(name);
        if plain.join("Chart.yaml").is_file() {
            dir = plain;
            continue;
        }
        let wanted = dependency_named(&dir, name).unwrap_or_else(|| name.to_string());
        dir = std::fs::read_dir(dir.join("charts"))
            .ok()?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .find(|p| chart_yaml_name(p).as_deref() == Some(wanted.as_str()))?;
    }
    Some(dir)
}

/// The chart name behind `alias` in the dependencies of the chart at `dir`.
fn dependency_named(dir: &Path, alias: &str) -> Option<String> {
    ["Chart.yaml", "requirements.yaml"].iter().find_map(|f| {
        let text = std::fs::read_to_string(dir.join(f)).ok()?;
        let root = crate::yaml::parse_document(&text, 0).ok().flatten()?.root;
        let crate::yaml::Value::Seq(deps) = &root.get("dependencies")?.value else {
            return None;
        };
        deps.iter().find_map(|d| {
            let s = |k: &str| match &d.get(k)?.value {
                crate::yaml::Value::Str(s) => Some(s.clone()),
                _ => None,
            };
            (s("alias").as_deref() == Some(alias))
                .then(|| s("name"))
                .flatten()
        })
    })
}

/// The `name` in the Chart.yaml of the chart at `dir`.
pub(crate) fn chart_yaml_name(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("Chart.yaml")).ok()?;
    let root = crate::yaml::parse_document(&text, 0).ok().flatten()?.root;
    match &root.get("name")?.value {
        crate::yaml::Value::Str(s) => Some(s.clone()),
        _ => None,
    }
}

/// Columns (1-based, end exclusive) of the field's key on a template line — bare, or
/// quoted as annotations usually are — or of the line's content when the key is not on it.
fn key_columns(line_text: &str, path: &[PathSeg]) -> (usize, usize) {
    let key = path.iter().rev().find_map(|s| match s {
        PathSeg::Key(k) => Some(k.as_str()),
        PathSeg::Index(_) => None,
    });
    let found = key.and_then(|k| {
        [format!("{k}:"), format!("\"{k}\":"), format!("'{k}':")]
            .iter()
            .find_map(|pat| line_text.find(pat.as_str()).map(|i| (i, pat.len() - 1)))
    });
    match found {
        Some((i, len)) => (
            line_text[..i].chars().count() + 1,
            line_text[..i].chars().count() + 1 + line_text[i..i + len].chars().count(),
        ),
        None => {
            let indent = line_text.chars().take_while(|c| c.is_whitespace()).count();
            (indent + 1, line_text.chars().count().max(indent + 1) + 1)
        }
    }
}
