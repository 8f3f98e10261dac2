//! From rendered files to `helm template`'s output: NOTES.txt dropped, `SplitManifests`,
//! `SortManifests` (hooks apart, stable sort by kind in `InstallOrder`), CRDs first with
//! `--include-crds`, hooks last.

use std::sync::OnceLock;

use helm_template::HelmVersion;
use regex::Regex;

use crate::load::Chart;
use crate::{Failure, RenderedFile, Request};

const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    // Helm 4 only.
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

const HOOK_EVENTS: &[&str] = &[
    "pre-install",
    "post-install",
    "pre-delete",
    "post-delete",
    "pre-upgrade",
    "post-upgrade",
    "pre-rollback",
    "post-rollback",
    "test",
    "test-success",
];

struct Doc<'a> {
    path: String,
    content: &'a str,
    /// Which rendered file, and where in it the content starts.
    file: usize,
    offset: usize,
    kind: String,
    test: bool,
}

/// `SplitManifests`: documents of one file, trimmed, in order, each with its byte offset in
/// `text`.
pub fn split(text: &str) -> Vec<(usize, &str)> {
    static SEP: OnceLock<Regex> = OnceLock::new();
    let sep = SEP.get_or_init(|| Regex::new(r"(?:^|\s*\n)---\s*").unwrap());
    let base = text.as_ptr() as usize;
    sep.split(go_trim(text))
        .filter(|d| !d.is_empty())
        .map(|d| {
            let d = go_trim(d);
            (d.as_ptr() as usize - base, d)
        })
        .collect()
}

/// strings.TrimSpace (Unicode white space, as Go's unicode.IsSpace).
fn go_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace())
}

/// The fields of `SimpleHead` a document needs: kind and annotations.
fn head(
    doc: &str,
    helm: HelmVersion,
    path: &str,
) -> Result<(String, Vec<(String, String)>), Failure> {
    let v = helm_template::funcs::yaml::from_yaml_str(doc)
        .map_err(|e| Failure::render(format!("YAML parse error on {path}: {e}")))?;
    let j = v
        .to_json(200)
        .map_err(|e| Failure::render(format!("YAML parse error on {path}: {e}")))?;
    let ty = match helm {
        HelmVersion::V3 => "releaseutil.SimpleHead",
        HelmVersion::V4 => "util.SimpleHead",
    };
    let kind_of = |j: &serde_json::Value| match j {
        serde_json::Value::Array(_) => "array",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Bool(_) => "bool",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::Object(_) => "object",
        serde_json::Value::Null => "null",
    };
    let obj = match &j {
        serde_json::Value::Object(o) => o,
        serde_json::Value::Null => return Ok((String::new(), Vec::new())),
        other => {
            return Err(Failure::render(format!(
                "YAML parse error on {path}: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type {ty}",
                kind_of(other)
            )))
        }
    };
    let scalar = |v: &serde_json::Value| -> Option<String> {
        match v {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Null => Some(String::new()),
            serde_json::Value::Bool(b) => Some(b.to_string()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let kind = match obj.get("kind") {
        None => String::new(),
        Some(k) => scalar(k).ok_or_else(|| {
            Failure::render(format!(
                "YAML parse error on {path}: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field SimpleHead.kind of type string",
                kind_of(k)
            ))
        })?,
    };
    let mut ann = Vec::new();
    if let Some(serde_json::Value::Object(a)) =
        obj.get("metadata").and_then(|m| m.get("annotations"))
    {
        for (k, v) in a {
            if let Some(s) = scalar(v) {
                ann.push((k.clone(), s));
            }
        }
    }
    Ok((kind, ann))
}

fn order(kind: &str, helm: HelmVersion) -> Option<usize> {
    let n = match helm {
        HelmVersion::V3 => INSTALL_ORDER.len() - 2,
        HelmVersion::V4 => INSTALL_ORDER.len(),
    };
    INSTALL_ORDER[..n].iter().position(|k| *k == kind)
}

/// `lessByKind`.
fn less(a: &str, b: &str, helm: HelmVersion) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    match (order(a, helm), order(b, helm)) {
        (None, None) => a.cmp(b),
        (None, Some(_)) => Greater,
        (Some(_), None) => Less,
        (Some(x), Some(y)) => x.cmp(&y),
    }
}

/// The output text, and per line its template origin and its values stretches.
pub(crate) type Assembled = (String, Vec<Option<LineOrigin>>, Vec<Vec<LineValue>>);

pub(crate) fn assemble(
    req: &Request,
    root: &Chart,
    mut files: Vec<RenderedFile>,
    warnings: &mut Vec<String>,
) -> Result<Assembled, Failure> {
    let helm = req.helm;
    files.retain(|f| !f.path.ends_with("NOTES.txt"));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let mut generic: Vec<Doc> = Vec::new();
    let mut hooks: Vec<Doc> = Vec::new();
    for (fi, f) in files.iter().enumerate() {
        let base = f.path.rsplit('/').next().unwrap_or_default();
        if base.starts_with('_') || go_trim(&f.text).is_empty() {
            continue;
        }
        for (offset, content) in split(&f.text) {
            let (kind, ann) = head(content, helm, &f.path)?;
            let doc = |test| Doc {
                path: f.path.clone(),
                content,
                file: fi,
                offset,
                kind: kind.clone(),
                test,
            };
            let Some((_, types)) = ann.iter().find(|(k, _)| k == "helm.sh/hook") else {
                generic.push(doc(false));
                continue;
            };
            let mut test = false;
            let mut unknown = false;
            for t in types.split(',') {
                let t = t.trim().to_lowercase();
                if !HOOK_EVENTS.contains(&t.as_str()) {
                    unknown = true;
                    break;
                }
                test |= t == "test" || t == "test-success";
            }
            if unknown {
                warnings.push(match helm {
                    HelmVersion::V3 => format!(
                        "info: skipping unknown hook: {}",
                        helm_template::gofmt::quote(types)
                    ),
                    HelmVersion::V4 => format!("skipping unknown hooks hookTypes={types}"),
                });
                continue;
            }
            hooks.push(doc(test));
        }
    }
    generic.sort_by(|a, b| less(&a.kind, &b.kind, helm));
    hooks.sort_by(|a, b| less(&a.kind, &b.kind, helm));
    let mut b = String::new();
    let mut lines: Vec<Option<LineOrigin>> = Vec::new();
    let mut values: Vec<Vec<LineValue>> = Vec::new();
    // Newline offsets of each rendered file: a byte's template line in O(log n).
    let nl: Vec<Vec<usize>> = files
        .iter()
        .map(|f| f.text.match_indices('\n').map(|(i, _)| i).collect())
        .collect();
    if req.include_crds {
        crds(root, root.name(), &mut b);
        lines.resize(b.matches('\n').count(), None);
        values.resize(lines.len(), Vec::new());
    }
    for m in &generic {
        b.push_str(&format!("---\n# Source: {}\n{}\n", m.path, m.content));
        doc_lines(m, &files, &nl, &mut lines);
        doc_values(m, &files, &mut values);
    }
    let mut out = go_trim(&b).to_string();
    out.push('\n');
    // The trim keeps line numbers: the text starts with `---`, or is the one empty line
    // Helm prints before the hooks when nothing else renders (a chart of tests only).
    if out == "\n" {
        lines = vec![None];
        values = vec![Vec::new()];
    }
    for h in &hooks {
        if req.skip_tests && h.test {
            continue;
        }
        out.push_str(&format!("---\n# Source: {}\n{}\n", h.path, h.content));
        doc_lines(h, &files, &nl, &mut lines);
        doc_values(h, &files, &mut values);
    }
    crate::guard::mark_lookup_guards(root, &mut lines);
    Ok((out, lines, values))
}

/// Where a line of the output was written: the template (as Helm names it) and its 1-based
/// line, from the engine's spans (through `include`/`template`/`tpl` to the call site in
/// the document's own template).
#[derive(Clone, Debug, PartialEq)]
pub struct LineOrigin {
    pub template: String,
    pub line: u32,
    /// Generator calls (`randAlphaNum`, `genCA`…) whose result the line holds.
    pub generated: Vec<helm_template::generated::GeneratedCall>,
    /// For what a helper wrote: how it was called and where the text is, e.g.
    /// `include "app.labels" app/templates/_helpers.tpl:7`.
    pub via: Option<String>,
}

/// A stretch of an output line whose bytes were read from `.Values`: byte columns
/// `start..end` (0-based, in the line) and the values paths (in the coalesced values of the
/// root chart: a subchart's `.Values.x` is `<alias>.x`).
#[derive(Clone, Debug, PartialEq)]
pub struct LineValue {
    pub start: u32,
    pub end: u32,
    pub paths: Vec<helm_template::ValuesPath>,
}

/// Per line of a document (as [`doc_lines`] numbers them): its values stretches.
fn doc_values(d: &Doc, files: &[RenderedFile], values: &mut Vec<Vec<LineValue>>) {
    values.push(Vec::new()); // ---
    values.push(Vec::new()); // # Source:
    let f = &files[d.file];
    let mut at = d.offset;
    for l in d.content.split('\n') {
        let end = at + l.len();
        let first = f.spans.partition_point(|s| s.range.end <= at);
        let line: Vec<LineValue> = f.spans[first..]
            .iter()
            .take_while(|s| s.range.start < end)
            .filter_map(|s| {
                // Generated values carry a mark among their paths (generated.rs): not values.
                let paths: Vec<_> = s
                    .values
                    .paths()
                    .iter()
                    .filter(|p| !p.is_generated())
                    .cloned()
                    .collect();
                (!paths.is_empty()).then(|| LineValue {
                    start: (s.range.start.max(at) - at) as u32,
                    end: (s.range.end.min(end) - at) as u32,
                    paths,
                })
            })
            .collect();
        values.push(line);
        at = end + 1;
    }
}

fn doc_lines(
    d: &Doc,
    files: &[RenderedFile],
    nl: &[Vec<usize>],
    lines: &mut Vec<Option<LineOrigin>>,
) {
    lines.push(None); // ---
    lines.push(None); // # Source:
    let f = &files[d.file];
    let mut at = d.offset;
    for l in d.content.split('\n') {
        let lead = l.len() - l.trim_start().len();
        lines.push(if l.trim().is_empty() {
            None
        } else {
            origin_at(f, &nl[d.file], at + lead).map(|mut o| {
                o.generated = generated_in(f, at + lead..at + l.len());
                o
            })
        });
        at += l.len() + 1;
    }
}

fn origin_at(f: &RenderedFile, nl: &[usize], byte: usize) -> Option<LineOrigin> {
    let i = f.spans.partition_point(|s| s.range.end <= byte);
    let span = f.spans.get(i).filter(|s| s.range.start <= byte)?;
    let o = &span.origin;
    if *o.pos.template == *f.path {
        let mut line = o.pos.line;
        if o.verbatim {
            let before = |at: usize| nl.partition_point(|&p| p < at);
            line += (before(byte) - before(span.range.start)) as u32;
        }
        return Some(LineOrigin {
            template: f.path.clone(),
            line,
            generated: Vec::new(),
            via: None,
        });
    }
    // Written by a helper: the call site in this file.
    o.stack
        .frames()
        .filter(|fr| *fr.call_site.template == *f.path)
        .last()
        .map(|fr| LineOrigin {
            template: f.path.clone(),
            line: fr.call_site.line,
            generated: Vec::new(),
            via: o.stack.frames().next().map(|inner| {
                let kind = match inner.kind {
                    helm_template::CallKind::Include => "include",
                    helm_template::CallKind::Template => "template",
                    helm_template::CallKind::Tpl => "tpl",
                };
                format!(
                    "{kind} {:?} {}:{}",
                    &*inner.name, o.pos.template, o.pos.line
                )
            }),
        })
}

/// `Chart.CRDObjects`: `crds/*.{yaml,yml,json}` of the chart, then of its dependencies,
/// printed verbatim.
fn crds(c: &Chart, full: &str, b: &mut String) {
    for (name, data) in &c.files {
        if name.starts_with("crds/") && [".yaml", ".yml", ".json"].iter().any(|e| name.ends_with(e))
        {
            b.push_str(&format!(
                "---\n# Source: {full}/{name}\n{}\n",
                String::from_utf8_lossy(data)
            ));
        }
    }
    for d in &c.deps {
        crds(d, &format!("{full}/charts/{}", d.name()), b);
    }
}

/// The generator calls whose results were written into `range` of the rendered file.
fn generated_in(
    f: &RenderedFile,
    range: std::ops::Range<usize>,
) -> Vec<helm_template::generated::GeneratedCall> {
    let mut out = Vec::new();
    let first = f.spans.partition_point(|s| s.range.end <= range.start);
    for s in f.spans[first..]
        .iter()
        .take_while(|s| s.range.start < range.end)
    {
        let written: Vec<(String, u32)> = std::iter::once(&s.origin.pos)
            .chain(s.origin.stack.frames().map(|fr| &fr.call_site))
            .map(|p| (p.template.to_string(), p.line))
            .collect();
        for mut g in helm_template::generated::GeneratedCall::of(&s.values) {
            g.written_at = written.clone();
            if !out.contains(&g) {
                out.push(g);
            }
        }
    }
    out
}
