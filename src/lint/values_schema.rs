//! `values-schema-invalid` and `values-schema-missing`: the values a chart is linted with,
//! checked against each chart's `values.schema.json` by chartguard itself, before either
//! renderer runs.
//!
//! Helm refuses to render values that break a schema and names the first chart's violations
//! without a line. chartguard lists every violation, in every chart of the tree, each at the
//! line of the values file (or the `--set` flag) that set the offending key, then renders
//! with the schema check skipped so the other rules still judge the release: a user fixing
//! a values file sees everything that is wrong with it in one run (exit 1, the violations
//! being errors). Should the templates themselves fail on such values, the render error is
//! reported as it is today (exit 2), after the violations.

use crate::files::display_path;
use crate::model::{fingerprint, Finding, Location, Severity};
use crate::render::{Chart, RenderOptions};
use crate::yaml::{parse_document, Node, Value};
use helm_template::HelmVersion;
use std::path::{Path, PathBuf};

pub(crate) const INVALID: &str = "values-schema-invalid";
pub(crate) const MISSING: &str = "values-schema-missing";

/// A values source, in Helm's order of precedence (later wins).
struct Source {
    /// As shown to users.
    name: String,
    /// Values keys that lead from the top chart's values to this file's root (a subchart's
    /// own values.yaml sits under its name).
    scope: Vec<String>,
    root: Option<Node>,
}

/// What the values of `opts` break in the schemas of `chart`'s tree, one finding per
/// violation, or nothing when the chart cannot be loaded (the render then reports why).
pub(crate) fn invalid(chart: &Chart, opts: &RenderOptions, label: &str) -> Vec<Finding> {
    let mut req = crate::render::native::request(chart, opts, HelmVersion::V4);
    req.skip_schema_validation = false;
    let Ok(schemas) = helm_chart::check_schemas(&chart.path, &req) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let sources = sources(chart, opts, &schemas);
    for s in &schemas {
        for v in &s.checked.violations {
            // `additionalProperties`: each key not allowed is a place of its own.
            let targets: Vec<(Vec<String>, String)> = if v.keyword == "additionalProperties" {
                v.properties
                    .iter()
                    .map(|p| {
                        let mut path = v.path.clone();
                        path.push(p.clone());
                        (
                            path,
                            "is a key the schema does not allow (additionalProperties: false)"
                                .to_string(),
                        )
                    })
                    .collect()
            } else if v.keyword == "required" {
                let mut path = v.path.clone();
                path.extend(v.properties.first().cloned());
                vec![(path, "is not set, and the schema requires it".to_string())]
            } else {
                vec![(v.path.clone(), v.detail.clone())]
            };
            for (path, detail) in targets {
                let full: Vec<String> = s.scope.iter().chain(&path).cloned().collect();
                let shown = dotted(&full);
                let flag = flag_for(&full, opts);
                let location = if v.keyword == "required" {
                    // Where the key was removed (`key: null`), else the mapping that lacks
                    // it, else (nothing sets that mapping) the schema's line.
                    let parent = &full[..full.len().saturating_sub(1)];
                    locate_whole(&full, &sources).or_else(|| {
                        (!parent.is_empty())
                            .then(|| locate(parent, &sources))
                            .flatten()
                    })
                } else {
                    locate(&full, &sources)
                }
                .or_else(|| schema_line(chart, s, v))
                .unwrap_or_else(|| chart_location(chart));
                let set_by = flag.map(|f| format!(", set by `{f}`")).unwrap_or_default();
                let what = if full.is_empty() {
                    "the top level of the values".to_string()
                } else {
                    format!("`{shown}`")
                };
                let chart_note = if s.scope.is_empty() {
                    String::new()
                } else {
                    format!(" (subchart `{}`)", s.chart)
                };
                out.push(finding(
                    INVALID,
                    Severity::Error,
                    chart,
                    &shown,
                    format!("{label}: {what} {detail}{chart_note}{set_by}"),
                    location,
                    &[INVALID, &chart.name, &s.chart, &shown, &v.keyword, &detail],
                ));
            }
        }
    }
    out
}

/// `values-schema-missing`: the chart has values a user sets and no schema to check them.
pub(crate) fn missing(chart: &Chart) -> Option<Finding> {
    if !chart.unpacked || chart.path.join("values.schema.json").is_file() {
        return None;
    }
    let file = chart.path.join("values.yaml");
    let text = std::fs::read_to_string(&file).ok()?;
    let root = parse_document(&text, 0).ok().flatten()?.root;
    let keys: Vec<&str> = root
        .entries()
        .iter()
        .map(|e| e.key.as_str())
        .filter(|k| *k != "global")
        .collect();
    if keys.is_empty() {
        return None;
    }
    let location = point(&display_path(&file), 1, 1);
    Some(finding(
        MISSING,
        Severity::Note,
        chart,
        "",
        format!(
            "{}: the chart's values ({} top-level keys) have no values.schema.json",
            display_path(&chart.path),
            keys.len()
        ),
        location,
        &[MISSING, &display_path(&chart.path)],
    ))
}

/// A finding about `chart`; severity, why, fix and the rule's index come from its METADATA
/// ([`findings`]).
fn finding(
    rule: &str,
    severity: Severity,
    chart: &Chart,
    path: &str,
    message: String,
    location: Location,
    identity: &[&str],
) -> Finding {
    Finding::about_chart(
        rule,
        severity,
        &chart.name,
        path.into(),
        message,
        location,
        fingerprint(identity),
    )
}

fn dotted(path: &[String]) -> String {
    let mut s = String::new();
    for p in path {
        if p.chars().all(|c| c.is_ascii_digit()) && !s.is_empty() {
            s.push_str(&format!("[{p}]"));
        } else {
            if !s.is_empty() {
                s.push('.');
            }
            s.push_str(p);
        }
    }
    s
}

/// The values sources of the render, lowest precedence first: each chart's own values.yaml
/// (subcharts under their name), the top chart's values.yaml, then each `-f` file.
fn sources(
    chart: &Chart,
    opts: &RenderOptions,
    schemas: &[helm_chart::ChartSchema],
) -> Vec<Source> {
    let mut files: Vec<(PathBuf, Vec<String>)> = Vec::new();
    if chart.unpacked {
        // Subcharts' defaults (directories only: an archive's lines are not the user's to edit).
        for s in schemas.iter().filter(|s| !s.scope.is_empty()) {
            let mut dir = chart.path.clone();
            for k in &s.scope {
                dir = dir.join("charts").join(k);
            }
            files.push((dir.join("values.yaml"), s.scope.clone()));
        }
        files.push((chart.path.join("values.yaml"), Vec::new()));
    }
    files.extend(opts.values.iter().map(|f| (f.clone(), Vec::new())));
    files
        .into_iter()
        .filter_map(|(path, scope)| {
            let text = std::fs::read_to_string(&path).ok()?;
            let root = parse_document(&text, 0).ok().flatten().map(|d| d.root);
            Some(Source {
                name: display_path(&path),
                scope,
                root,
            })
        })
        .collect()
}

/// The `--set`/`--set-string` flag that sets `path` (or a key above or below it), named
/// without its value.
fn flag_for(path: &[String], opts: &RenderOptions) -> Option<String> {
    let key = dotted(path);
    for (flag, args) in [("--set-string", &opts.set_string), ("--set", &opts.set)] {
        for arg in args.iter().rev() {
            for kv in arg.split(',') {
                let k = kv.split('=').next().unwrap_or("").trim();
                let k_norm = k.replace("\\.", ".");
                if !k.is_empty()
                    && (k_norm == key
                        || k_norm.starts_with(&format!("{key}."))
                        || k_norm.starts_with(&format!("{key}["))
                        || key.starts_with(&format!("{k_norm}."))
                        || key.is_empty())
                {
                    return Some(format!("{flag} {k}=…"));
                }
            }
        }
    }
    None
}

/// The last values file that has every key of `path`.
fn locate_whole(path: &[String], sources: &[Source]) -> Option<Location> {
    sources.iter().rev().find_map(|s| {
        let rel = path.strip_prefix(s.scope.as_slice())?;
        let (depth, line, col) = deepest(s.root.as_ref()?, rel);
        (depth == rel.len() && !rel.is_empty()).then(|| point(&s.name, line, col))
    })
}

/// Where `path` (from the top chart's values) is set last among the values files: the last
/// file that has it, else the deepest key of the path a file has (the mapping a `required`
/// key is missing from, the parent of a value a `--set` wrote).
fn locate(path: &[String], sources: &[Source]) -> Option<Location> {
    let mut best: Option<(usize, Location)> = None;
    for s in sources.iter().rev() {
        let Some(rel) = path.strip_prefix(s.scope.as_slice()) else {
            continue;
        };
        let Some(root) = &s.root else { continue };
        let (depth, line, col) = deepest(root, rel);
        if depth == 0 && !rel.is_empty() {
            continue;
        }
        let whole = depth == rel.len();
        let loc = point(&s.name, line, col);
        if whole {
            return Some(loc);
        }
        if best.as_ref().is_none_or(|(d, _)| depth > *d) {
            best = Some((depth, loc));
        }
    }
    best.map(|(_, l)| l)
}

/// How many segments of `path` exist below `root`, and the line and column of the deepest
/// one's key (or item).
fn deepest(root: &Node, path: &[String]) -> (usize, usize, usize) {
    let mut node = root;
    let mut at = (root.pos.line, root.pos.col);
    for (i, seg) in path.iter().enumerate() {
        match &node.value {
            Value::Map(entries) => match entries.iter().rev().find(|e| e.key == *seg) {
                Some(e) => {
                    at = (e.key_pos.line, e.key_pos.col);
                    node = &e.value;
                }
                None => return (i, at.0, at.1),
            },
            Value::Seq(items) => match seg.parse::<usize>().ok().and_then(|n| items.get(n)) {
                Some(item) => {
                    at = (item.pos.line, item.pos.col);
                    node = item;
                }
                None => return (i, at.0, at.1),
            },
            _ => return (i, at.0, at.1),
        }
    }
    (path.len(), at.0, at.1)
}

/// For a `required` key nothing sets: the line of the schema that requires it.
fn schema_line(
    chart: &Chart,
    s: &helm_chart::ChartSchema,
    v: &helm_chart::schema::Violation,
) -> Option<Location> {
    if !chart.unpacked {
        return None;
    }
    let mut dir = chart.path.clone();
    for k in &s.scope {
        dir = dir.join("charts").join(k);
    }
    let file = dir.join("values.schema.json");
    let text = String::from_utf8_lossy(&s.schema);
    let needle = v
        .properties
        .first()
        .map(|p| format!("\"{p}\""))
        .unwrap_or_else(|| format!("\"{}\"", v.keyword));
    // The property named inside a "required" list, else anywhere.
    let req = text.find("\"required\"");
    let at = req
        .and_then(|r| text[r..].find(&needle).map(|i| r + i))
        .or_else(|| text.find(&needle))?;
    let line = text[..at].matches('\n').count() + 1;
    Some(point(&display_path(&file), line, 1))
}

fn chart_location(chart: &Chart) -> Location {
    let file: &Path = &chart.path;
    let shown = if chart.unpacked {
        display_path(&file.join("values.yaml"))
    } else {
        display_path(file)
    };
    point(&shown, 1, 1)
}

/// A place in a file (a key's first character; lines and columns from 1).
fn point(file: &str, line: usize, column: usize) -> Location {
    Location {
        file: file.to_string(),
        line: line.max(1),
        column: column.max(1),
        end_line: line.max(1),
        end_column: column.max(1),
        template: None,
    }
}

/// Both checks for one lint of `chart`, as the profile and `--disable` select them. When the
/// values break a schema, the render is told to skip Helm's own check (reported here, line
/// by line), so the other rules still judge the release.
/// Whether the lint checks the values against the charts' schemas itself
/// (`values-schema-invalid` runs), so the render need not.
pub(crate) fn checked_by_lint(
    opts: &crate::evaluate::Options,
    policies: &crate::evaluate::policy::PolicySet,
) -> bool {
    policies.rule(INVALID).is_some_and(|r| opts.runs(r))
}

/// The values rules judged before a render: `values-schema-invalid` (every violation of
/// the values `render` is given) and `values-schema-missing`, as their METADATA
/// (policies/values/) says: severity, profiles, why and fix.
pub(crate) fn findings(
    chart: &Chart,
    render: &RenderOptions,
    opts: &crate::evaluate::Options,
    policies: &crate::evaluate::policy::PolicySet,
    label: &str,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if checked_by_lint(opts, policies) {
        out = invalid(chart, render, label);
    }
    if policies.rule(MISSING).is_some_and(|r| opts.runs(r)) {
        out.extend(missing(chart));
    }
    for f in out.iter_mut() {
        if let Some((i, r)) = policies
            .rules
            .iter()
            .enumerate()
            .find(|(_, r)| r.meta.id == f.rule)
        {
            f.severity = r.meta.severity;
            f.why = r.meta.why.clone();
            f.fix = r.meta.fix.clone();
            f.rule_index = i;
        }
    }
    out
}

/// A render that failed after values-schema-invalid findings: those findings stand (they
/// likely explain the failure), the render error becomes a warning; without findings the
/// error is the lint's, as before.
pub(crate) fn unrendered(
    findings: Vec<Finding>,
    err: anyhow::Error,
    label: &str,
) -> anyhow::Result<super::Linted> {
    if !findings.iter().any(|f| f.rule == INVALID) {
        return Err(err);
    }
    Ok(super::Linted {
        findings,
        warnings: vec![format!(
            "{label}: not rendered with these values, so no other rule judged it: {err:#}"
        )],
        ..Default::default()
    })
}

/// The files these findings point at, for snippets: values files with every value masked
/// (a value may be a password; the key is what the finding is about), schemas as they are.
pub(crate) fn snippets(findings: &[Finding]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for f in findings {
        let file = &f.location.file;
        if out.iter().any(|(n, _)| n == file) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        if file.ends_with(".json") {
            out.push((file.clone(), text));
        } else {
            out.push((file.clone(), mask_values(&text)));
        }
    }
    out
}

/// A values file with each scalar value replaced by `****` (keys, comments' positions and
/// line numbers kept); block scalars' lines are masked whole.
fn mask_values(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut block: Option<usize> = None;
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        if let Some(b) = block {
            if line.trim().is_empty() || indent > b {
                out.push_str(&" ".repeat(indent));
                out.push_str(if line.trim().is_empty() { "" } else { "****" });
                out.push('\n');
                continue;
            }
            block = None;
        }
        let t = line.trim_start();
        if t.starts_with('#') || t.is_empty() {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        // `key: value`, `- key: value` or `- value`.
        let (head, value) = match key_split(line) {
            Some((h, v)) => (h, v),
            None => match t.strip_prefix("- ") {
                Some(v) => (&line[..line.len() - v.len()], v),
                None => (&line[..indent], t),
            },
        };
        out.push_str(head);
        let v = value.trim();
        if v.starts_with('|') || v.starts_with('>') {
            block = Some(indent);
            out.push_str(v);
        } else if !v.is_empty() && !v.starts_with('#') && !v.starts_with('&') {
            out.push_str("****");
        }
        out.push('\n');
    }
    out
}

/// `(everything up to and including "key: ", the value)` for a mapping line.
fn key_split(line: &str) -> Option<(&str, &str)> {
    let mut quote = None;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '#') => return None,
            (None, ':') if line[i + 1..].is_empty() || line[i + 1..].starts_with(' ') => {
                let rest = &line[i + 1..];
                let value = rest.trim_start();
                let head_len = line.len() - value.len();
                return Some((&line[..head_len], value));
            }
            _ => {}
        }
    }
    None
}
