//! Values analysis of a chart, after every environment rendered: keys a user's values file
//! (or `--set`) sets that nothing reads (`values-key-unknown`), defaults of the chart's
//! values.yaml no template can read (`values-default-unused`), and fixes that name the
//! values toggle behind an object the chart can already render.
//!
//! These are judged per chart, not per release: a key is unknown only when no render of any
//! environment reads it and no template references it on any branch, so the Rego rules'
//! folders hold their metadata, docs and fixtures while the verdicts are made here (as
//! `suppression-unused`'s are), from the built-in renderer's record of the paths each render
//! read ([`helm_chart::ReadPaths`]) and a static model of the chart
//! ([`helm_chart::model::ValuesModel`]).

use crate::evaluate::policy::{PolicySet, Rule};
use crate::files::display_path;
use crate::model::{fingerprint, Finding, Location, Profile};
use crate::provenance::values::ValuesFile;
use crate::render::Chart;
use crate::yaml::{Node, Value};
use helm_chart::model::ValuesModel;
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

pub(crate) const KEY_UNKNOWN: &str = "values-key-unknown";
pub(crate) const DEFAULT_UNUSED: &str = "values-default-unused";

/// One render of a chart: the values it was given and what it read.
#[derive(Debug, Clone)]
pub(crate) struct RenderUse {
    pub(crate) env: Option<String>,
    pub(crate) profile: Profile,
    /// The user's values files (config, environment, `-f`), not the chart's values.yaml.
    pub(crate) values: Vec<PathBuf>,
    pub(crate) sets: Vec<String>,
    /// None: rendered by Helm, which does not say what it read.
    pub(crate) reads: Option<helm_chart::ReadPaths>,
}

/// What runs and how: the policy set, rules turned off, the profile of a plain lint.
pub(crate) struct Judge<'a> {
    pub(crate) policies: &'a PolicySet,
    pub(crate) disabled: &'a [String],
    pub(crate) profile: Profile,
}

impl Judge<'_> {
    /// The rule, if it runs for any of these renders' profiles.
    fn rule(&self, id: &str, uses: &[RenderUse]) -> Option<(usize, &Rule)> {
        if self.disabled.iter().any(|d| d == id) {
            return None;
        }
        let (i, r) = self
            .policies
            .rules
            .iter()
            .enumerate()
            .find(|(_, r)| r.meta.id == id)?;
        let profiles: Vec<Profile> = if uses.iter().any(|u| u.env.is_some()) {
            uses.iter().map(|u| u.profile).collect()
        } else {
            vec![self.profile]
        };
        profiles
            .iter()
            .any(|p| r.meta.profiles.contains(p))
            .then_some((i, r))
    }
}

/// Every path anything may read, normalized (a subchart's `global.x` is the top's too).
#[derive(Default)]
struct Known {
    /// Read or referenced: a key is known when it is one of these or a prefix of one.
    paths: HashSet<Vec<String>>,
    prefixes: HashSet<Vec<String>>,
    /// Whole subtrees: a key under one of these is known.
    subtrees: HashSet<Vec<String>>,
    declared: HashSet<Vec<String>>,
}

/// Keys up to the first list index (a key inside a list item is read with its list).
fn keys_only(p: &[Option<String>]) -> Vec<String> {
    p.iter().map_while(|s| s.clone()).collect()
}

/// `worker.global.x` → also `global.x`: Helm copies the top chart's `global` into each
/// subchart, so a subchart reading its global reads the user's `global.x`.
fn with_global(p: Vec<String>) -> Vec<Vec<String>> {
    let g = p.iter().skip(1).position(|s| s == "global").map(|i| i + 1);
    match g {
        Some(i) => {
            let tail = p[i..].to_vec();
            vec![p, tail]
        }
        None => vec![p],
    }
}

impl Known {
    fn read(&mut self, p: Vec<String>) {
        for q in with_global(p) {
            for n in 0..q.len() {
                self.prefixes.insert(q[..n].to_vec());
            }
            self.paths.insert(q);
        }
    }
    fn subtree(&mut self, p: Vec<String>) {
        for q in with_global(p) {
            self.read(q.clone());
            self.subtrees.insert(q);
        }
    }
    /// Read as such, below, or inside a subtree read.
    fn is_read(&self, k: &[String]) -> bool {
        self.paths.contains(k)
            || self.prefixes.contains(k)
            || (0..=k.len()).any(|n| self.subtrees.contains(&k[..n]))
    }
    fn candidates(&self, parent: &[String]) -> Vec<String> {
        let mut out: Vec<String> = self
            .paths
            .iter()
            .chain(self.declared.iter())
            .filter(|p| p.len() == parent.len() + 1 && p.starts_with(parent))
            .map(|p| p[parent.len()].clone())
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

fn known(model: &ValuesModel, uses: &[RenderUse], dynamic: bool) -> Known {
    let mut k = Known::default();
    for r in &model.analysis.refs {
        if r.subtree {
            k.subtree(r.path.clone());
        } else {
            k.read(r.path.clone());
        }
    }
    for p in &model.helm_reads {
        k.subtree(p.clone());
    }
    if dynamic {
        for u in uses {
            if let Some(reads) = &u.reads {
                for p in &reads.paths {
                    k.read(keys_only(p));
                }
                // A subtree read below a list index reads the list (keys stop there).
                for p in &reads.subtrees {
                    k.subtree(keys_only(p));
                }
            }
        }
    }
    for d in &model.declared {
        for q in with_global(d.clone()) {
            k.declared.insert(q);
        }
    }
    k
}

/// The closest known sibling, when it is close enough to be a typo.
fn suggestion(k: &Known, key: &[String]) -> Option<String> {
    let (last, parent) = key.split_last()?;
    let lower = last.to_lowercase();
    k.candidates(parent)
        .into_iter()
        .filter(|c| c != last)
        .map(|c| {
            let d = strsim::damerau_levenshtein(&lower, &c.to_lowercase());
            (d, c)
        })
        .filter(|(d, c)| *d <= 2.max(c.len() / 5) && *d * 3 <= c.len().max(last.len()))
        .min()
        .map(|(_, c)| c)
}

/// A user key and where it is set.
struct Set {
    key: Vec<String>,
    file: String,
    line: usize,
    column: usize,
}

/// Every key a values file sets, maps walked, lists not (their items are read with them).
fn keys_of(file: &ValuesFile) -> Vec<Set> {
    fn go(n: &Node, path: &mut Vec<String>, file: &str, out: &mut Vec<Set>) {
        if let Value::Map(entries) = &n.value {
            for e in entries {
                path.push(e.key.clone());
                out.push(Set {
                    key: path.clone(),
                    file: file.to_string(),
                    line: e.key_pos.line,
                    column: e.key_pos.col,
                });
                go(&e.value, path, file, out);
                path.pop();
            }
        }
    }
    let mut out = Vec::new();
    if let Some(root) = &file.root {
        go(root, &mut Vec::new(), &file.name, &mut out);
    }
    out
}

/// The keys a `--set a.b=1,c[0].d=2` sets (to the first list index).
fn keys_of_set(arg: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut part = String::new();
    let mut escaped = false;
    let mut parts = Vec::new();
    for c in arg.chars() {
        match c {
            _ if escaped => {
                part.push(c);
                escaped = false;
            }
            '\\' => {
                part.push(c);
                escaped = true;
            }
            ',' => parts.push(std::mem::take(&mut part)),
            _ => part.push(c),
        }
    }
    parts.push(part);
    for p in parts {
        let Some((name, _)) = p.split_once('=') else {
            continue;
        };
        // Dots split keys unless escaped (`a\.b` is the key `a.b`); `[` starts an index.
        let mut key: Vec<String> = vec![String::new()];
        let mut chars = name.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => key.last_mut().unwrap().extend(chars.next()),
                '.' => key.push(String::new()),
                '[' => break,
                _ => key.last_mut().unwrap().push(c),
            }
        }
        key.retain(|k| !k.is_empty());
        if !key.is_empty() {
            out.push(key);
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn finding(
    rule: (usize, &Rule),
    chart: &Chart,
    key: &[String],
    message: String,
    fix: String,
    file: String,
    line: usize,
    column: usize,
) -> Finding {
    let (index, rule) = rule;
    let path = key.join(".");
    let fingerprint = fingerprint(&[&rule.meta.id, &chart.name, &file, &path]);
    let location = Location {
        file,
        line,
        column,
        end_line: line,
        end_column: column + key.last().map_or(0, String::len),
        template: None,
    };
    let mut f = Finding::about_chart(
        &rule.meta.id,
        rule.meta.severity,
        &chart.name,
        path,
        message,
        location,
        fingerprint,
    );
    f.why = rule.meta.why.clone();
    f.fix = fix;
    f.rule_index = index;
    f
}

/// The chart's values findings over all its renders, and what the user should know
/// (values analysis unavailable with Helm rendering, a template the analysis could not
/// parse).
/// What values analysis adds to a chart's lint.
#[derive(Default)]
pub(crate) struct Checked {
    pub(crate) findings: Vec<Finding>,
    pub(crate) warnings: Vec<String>,
    /// Snippet text of the values files (and `--set` flags) findings point at, every value
    /// masked: only key names are shown.
    pub(crate) sources: BTreeMap<String, String>,
}

/// `findings` (the chart's, from its renders) get fixes that name a values toggle.
pub(crate) fn check(
    chart: &Chart,
    model: Option<Model>,
    uses: &[RenderUse],
    judge: &Judge<'_>,
    findings: &mut [Finding],
) -> Checked {
    let (findings, warnings) = judge_values(chart, model, uses, judge, findings);
    let mut sources = BTreeMap::new();
    let set_keys = set_keys(uses);
    for f in &findings {
        let file = &f.location.file;
        if sources.contains_key(file) {
            continue;
        }
        let text = if file == SET_FILE {
            Some(
                set_keys
                    .iter()
                    .map(|k| format!("--set {k}={}\n", crate::redact::MASK))
                    .collect(),
            )
        } else {
            uses.iter()
                .flat_map(|u| &u.values)
                .chain(std::iter::once(&chart.path.join("values.yaml")))
                .find(|p| display_path(p) == *file)
                .and_then(|p| std::fs::read_to_string(p).ok())
                .map(|t| masked(&t))
        };
        if let Some(t) = text {
            sources.insert(file.clone(), t);
        }
    }
    Checked {
        findings,
        warnings,
        sources,
    }
}

/// Where `--set` keys are located: line `i` is the `i`-th key the flags set.
const SET_FILE: &str = "(--set)";

fn set_keys(uses: &[RenderUse]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for u in uses {
        for s in &u.sets {
            for k in keys_of_set(s) {
                let k = k.join(".");
                if !out.contains(&k) {
                    out.push(k);
                }
            }
        }
    }
    out
}

/// A values file with every value masked: each line keeps its indentation, list dash and
/// key; whatever follows the key (or a whole line that is not a key) is masked.
fn masked(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let body = line.trim_start();
        let indent = &line[..line.len() - body.len()];
        let (dash, rest) = match body.strip_prefix("- ") {
            Some(r) => ("- ", r),
            None => ("", body),
        };
        let key = rest
            .split_once(": ")
            .map(|(k, _)| k)
            .or_else(|| rest.strip_suffix(':'))
            .filter(|k| {
                !k.is_empty() && !k.starts_with('#') && !k.contains(' ') || k.starts_with('"')
            });
        out.push_str(indent);
        out.push_str(dash);
        match key {
            Some(k) if rest.len() > k.len() + 1 => {
                out.push_str(k);
                out.push_str(": ");
                out.push_str(crate::redact::MASK);
            }
            Some(k) => {
                out.push_str(k);
                out.push(':');
            }
            None if body.is_empty() || body.starts_with('#') => out.push_str(body),
            None => out.push_str(crate::redact::MASK),
        }
        out.push('\n');
    }
    out
}

fn judge_values(
    chart: &Chart,
    model: Option<Model>,
    uses: &[RenderUse],
    judge: &Judge<'_>,
    findings: &mut [Finding],
) -> (Vec<Finding>, Vec<String>) {
    let mut warnings = Vec::new();
    if uses.is_empty() {
        return (Vec::new(), warnings);
    }
    let Some(model) = model.or_else(|| model_of(chart)) else {
        return (Vec::new(), warnings);
    };
    toggle_fixes(chart, uses, &model, findings);
    let unknown_rule = judge.rule(KEY_UNKNOWN, uses);
    let unused_rule = judge.rule(DEFAULT_UNUSED, uses);
    if unknown_rule.is_none() && unused_rule.is_none() {
        return (Vec::new(), warnings);
    }
    // Helm does not say what a render read: dead defaults are then judged from the
    // templates alone (every branch), unknown keys not at all, which the user is told (the
    // same words for every chart, so a lint says it once) when they passed values.
    let rendered_by_helm = uses.iter().any(|u| u.reads.is_none());
    let unknown_rule = match unknown_rule {
        Some(r) if rendered_by_helm => {
            if uses
                .iter()
                .any(|u| !u.values.is_empty() || !u.sets.is_empty())
            {
                warnings.push(format!(
                    "{} is not checked: values analysis needs the built-in renderer's record of what each render read, and Helm rendered the chart (lint with --renderer native or auto)",
                    r.1.meta.id
                ));
            }
            None
        }
        other => other,
    };
    // A values string or chart file that is not a template (`{{` in prose) reads nothing; a template
    // file that does not parse leaves its references unknown.
    let errors: Vec<&String> = model
        .analysis
        .errors
        .iter()
        .filter(|e| !e.contains("/values.yaml:") && !e.contains("/files:"))
        .collect();
    if !errors.is_empty() {
        warnings.push(format!(
            "{}: values analysis skipped: a template does not parse ({})",
            display_path(&chart.path),
            errors
                .iter()
                .map(|e| e.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        ));
        return (Vec::new(), warnings);
    }
    let k = known(&model, uses, !rendered_by_helm);
    let mut out: Vec<Finding> = Vec::new();
    if let Some(rule) = unknown_rule {
        out.extend(unknown_keys(rule, chart, uses, &k, &model));
    }
    if let Some(rule) = unused_rule {
        out.extend(unused_defaults(rule, chart, &model, &k));
    }
    (out, warnings)
}

/// What the chart declares and its templates reference (every branch): the chart alone, not
/// a render, so a lint computes it while the chart renders. `None`: the chart does not load
/// (its render reports why).
pub(crate) type Model = helm_chart::model::ValuesModel;

pub(crate) fn model_of(chart: &Chart) -> Option<Model> {
    helm_chart::model::values_model(&chart.path, helm_chart_version()).ok()
}

fn helm_chart_version() -> helm_template::HelmVersion {
    helm_template::HelmVersion::V4
}

/// A subchart's directory name used where its alias belongs: `store.x` for a subchart
/// `store` listed as `alias: cache` (Helm gives it `cache.x`).
fn alias_of(model: &ValuesModel, top: &str) -> Option<String> {
    model.scopes.iter().find_map(|s| {
        let name = s.scope.last()?;
        (s.scope.len() == 1 && s.dir == format!("charts/{top}") && name != top)
            .then(|| name.clone())
    })
}

fn unknown_keys(
    rule: (usize, &Rule),
    chart: &Chart,
    uses: &[RenderUse],
    k: &Known,
    model: &ValuesModel,
) -> Vec<Finding> {
    // (file, key) → finding, so a file every environment uses is reported once.
    let mut found: BTreeMap<(String, Vec<String>), Finding> = BTreeMap::new();
    let mut files: BTreeMap<PathBuf, ValuesFile> = BTreeMap::new();
    for u in uses {
        let mut sets: Vec<Set> = Vec::new();
        for path in &u.values {
            let f = files.entry(path.clone()).or_insert_with(|| {
                ValuesFile::read(path).unwrap_or(ValuesFile {
                    name: display_path(path),
                    root: None,
                })
            });
            sets.extend(keys_of(f));
        }
        let all_set = set_keys(uses);
        for s in &u.sets {
            for key in keys_of_set(s) {
                let line = all_set
                    .iter()
                    .position(|k| *k == key.join("."))
                    .unwrap_or(0)
                    + 1;
                sets.push(Set {
                    key,
                    file: SET_FILE.into(),
                    line,
                    column: 7,
                });
            }
        }
        // Only the topmost unknown key of a branch: its children are unknown with it.
        let mut reported: Vec<Vec<String>> = Vec::new();
        for s in sets {
            if reported.iter().any(|r| s.key.starts_with(r)) {
                continue;
            }
            if k.declared.contains(&s.key) || k.is_read(&s.key) {
                continue;
            }
            reported.push(s.key.clone());
            let name = s.key.join(".");
            let alias = alias_of(model, &s.key[0]);
            let hint = match &alias {
                Some(a) if s.key.len() == 1 => Some(a.clone()),
                _ => suggestion(k, &s.key),
            };
            let mut message = format!(
                "`{name}` is set in {} but no template of chart {} reads it and its values.yaml does not declare it: Helm ignores it",
                s.file, chart.name
            );
            let mut fix = rule.1.meta.fix.clone();
            if let Some(h) = &hint {
                let mut p = s.key.clone();
                if let Some(last) = p.last_mut() {
                    *last = h.clone();
                }
                if alias.is_some() && s.key.len() == 1 {
                    message.push_str(&format!(
                        "; subchart `{name}` is used under its alias: did you mean `{h}`?"
                    ));
                } else {
                    message.push_str(&format!("; did you mean `{}`?", p.join(".")));
                }
                fix = format!(
                    "Rename `{name}` to `{}` in {} (the key the chart reads). {fix}",
                    p.join("."),
                    s.file
                );
            }
            let entry = found
                .entry((s.file.clone(), s.key.clone()))
                .or_insert_with(|| {
                    finding(
                        rule,
                        chart,
                        &s.key,
                        message,
                        fix,
                        s.file.clone(),
                        s.line,
                        s.column,
                    )
                });
            if let Some(e) = &u.env {
                if !entry.environments.contains(e) {
                    entry.environments.push(e.clone());
                }
            }
        }
    }
    found.into_values().collect()
}

fn unused_defaults(
    rule: (usize, &Rule),
    chart: &Chart,
    model: &ValuesModel,
    k: &Known,
) -> Vec<Finding> {
    if !chart.unpacked {
        return Vec::new();
    }
    let path = chart.path.join("values.yaml");
    let Some(file) = ValuesFile::read(&path) else {
        return Vec::new();
    };
    // Keys for subcharts (present or not) are the subcharts' business, `global` everyone's.
    let sub: HashSet<&str> = model
        .scopes
        .iter()
        .filter_map(|s| s.scope.first().map(String::as_str))
        .chain(model.dependencies.iter().map(String::as_str))
        .chain(["global"])
        .collect();
    let mut out = Vec::new();
    let mut reported: Vec<Vec<String>> = Vec::new();
    for s in keys_of(&file) {
        if sub.contains(s.key[0].as_str()) || reported.iter().any(|r| s.key.starts_with(r)) {
            continue;
        }
        if k.is_read(&s.key) {
            continue;
        }
        reported.push(s.key.clone());
        let name = s.key.join(".");
        let message = format!(
            "`{name}` in values.yaml is read by no template of chart {}, on any branch: setting it changes nothing",
            chart.name
        );
        out.push(finding(
            rule,
            chart,
            &s.key,
            message,
            rule.1.meta.fix.clone(),
            s.file,
            s.line,
            s.column,
        ));
    }
    out
}

/// Rules whose remedy is an object of this kind (or a block) the chart may already render
/// behind a values toggle.
const TOGGLED: &[(&str, &str)] = &[
    ("pdb-missing", "PodDisruptionBudget"),
    ("networkpolicy-missing", "NetworkPolicy"),
    ("replicas-single", "HorizontalPodAutoscaler"),
    ("run-as-non-root", "securityContext"),
    ("privilege-escalation", "securityContext"),
    ("read-only-root-fs", "securityContext"),
    ("capabilities-not-dropped", "securityContext"),
    ("seccomp-profile", "securityContext"),
    ("pod-security-baseline", "securityContext"),
];

/// The value at `key` as these renders' values files set it (last file wins; the chart's
/// values.yaml first), `--set` aside.
fn effective(chart: &Chart, files: &[PathBuf], key: &[String]) -> Option<crate::yaml::Value> {
    let mut all = vec![chart.path.join("values.yaml")];
    all.extend(files.iter().cloned());
    for f in all.iter().rev() {
        let Some(root) = ValuesFile::read(f).and_then(|v| v.root) else {
            continue;
        };
        let mut cur = &root;
        let mut found = true;
        for k in key {
            match cur.get(k) {
                Some(n) => cur = n,
                None => {
                    found = false;
                    break;
                }
            }
        }
        if found {
            return Some(cur.value.clone());
        }
    }
    None
}

fn truthy(v: &Option<crate::yaml::Value>) -> bool {
    match v {
        None | Some(Value::Null) | Some(Value::Bool(false)) => false,
        Some(Value::Str(s)) => !s.is_empty(),
        Some(Value::Int(0)) => false,
        Some(Value::Float(f)) => *f != 0.0,
        Some(Value::Seq(s)) => !s.is_empty(),
        Some(Value::Map(m)) => !m.is_empty(),
        _ => true,
    }
}

/// A finding whose remedy the chart can render behind a toggle that is off in the
/// finding's environments gets a fix naming the key and the file to set it in.
fn toggle_fixes(chart: &Chart, uses: &[RenderUse], model: &ValuesModel, findings: &mut [Finding]) {
    let prefix = format!("{}/", chart.name);
    for f in findings.iter_mut() {
        let Some(&(_, what)) = TOGGLED.iter().find(|(r, _)| *r == f.rule) else {
            continue;
        };
        // The renders the finding occurs in (all of them without environments).
        let envs: Vec<&RenderUse> = uses
            .iter()
            .filter(|u| u.env.as_ref().is_none_or(|e| f.environments.contains(e)))
            .collect();
        let Some(first) = envs.first() else { continue };
        // The object's own template, relative to the chart (`templates/x/deployment.yaml`).
        // (A finding at the values line that set its value keeps its template line among
        // the related locations.)
        let own_template = f.template_location().file.clone();
        let own = |t: &str| {
            t.strip_prefix(&prefix)
                .is_some_and(|t| own_template.ends_with(&format!("/{t}")))
        };
        let dir_of = |t: &str| {
            t.rsplit_once('/')
                .map_or(String::new(), |(d, _)| d.to_string())
        };
        let stem = |t: &str| t.rsplit('/').next().unwrap_or_default().to_string();
        // The remedy must belong to the finding's object: a securityContext block in the
        // object's own template; another kind in a template beside it (same folder, so
        // `argocd-repo-server/hpa.yaml` for the repo server, not another component's), and
        // when that folder holds several, the one whose name shares a prefix with it
        // (`controller-hpa.yaml` for `controller-deployment.yaml`).
        let candidates: Vec<&helm_template::analysis::Emit> = model
            .analysis
            .emits
            .iter()
            .filter(|e| e.what == what)
            .filter(|e| {
                if what == "securityContext" {
                    own(&e.template)
                } else {
                    e.template.strip_prefix(&prefix).is_some_and(|t| {
                        let d = dir_of(t);
                        own_template.ends_with(&format!("/{d}/{}", stem(&own_template)))
                    })
                }
            })
            .collect();
        let shared = |e: &&helm_template::analysis::Emit| {
            let (a, b) = (stem(&e.template), stem(&own_template));
            a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
        };
        let distinct: HashSet<&str> = candidates.iter().map(|e| e.template.as_str()).collect();
        let mut emits: Vec<&helm_template::analysis::Emit> = candidates
            .iter()
            .copied()
            .filter(|e| distinct.len() <= 1 || what == "securityContext" || shared(e) > 0)
            .collect();
        // A container's finding goes with a container securityContext toggle
        // (`containerSecurityContext.enabled`), a pod's with the others, when both exist.
        let in_container = f.path.contains("containers[");
        emits.sort_by_key(|e| {
            let container_toggle = e
                .guards
                .iter()
                .flatten()
                .flatten()
                .any(|g| g.path.join(".").to_lowercase().contains("container"));
            (
                container_toggle != in_container,
                std::cmp::Reverse(shared(e)),
            )
        });
        let mut toggle: Option<(Vec<String>, bool, String)> = None;
        for e in emits {
            // Every enclosing condition must be a plain toggle, one of them off: a boolean
            // (or an unset key named like one), not data tested for presence (`if
            // .Values.securityContext` around `toYaml .Values.securityContext`), and for a
            // securityContext block, a toggle about security contexts.
            let Some(guards) = e.guards.iter().cloned().collect::<Option<Vec<_>>>() else {
                continue;
            };
            let off: Vec<_> = guards
                .iter()
                .flatten()
                .filter(|g| {
                    let v = effective(chart, &first.values, &g.path);
                    let last = g.path.last().map(|k| k.to_lowercase()).unwrap_or_default();
                    let boolean = match &v {
                        Some(Value::Bool(_)) => true,
                        None => last.ends_with("enabled") || last == "create",
                        _ => false,
                    };
                    let about = what != "securityContext"
                        || g.path.join(".").to_lowercase().contains("securitycontext");
                    boolean && about && truthy(&v) == g.negated
                })
                .collect();
            if let Some(g) = off.first() {
                toggle = Some((g.path.clone(), !g.negated, e.template.clone()));
                break;
            }
        }
        let Some((key, value, template)) = toggle else {
            continue;
        };
        let mut files: Vec<String> = envs
            .iter()
            .map(|u| match u.values.last() {
                Some(v) => display_path(v),
                None => display_path(&chart.path.join("values.yaml")),
            })
            .collect();
        files.dedup();
        let thing = if what == "securityContext" {
            "a securityContext block".to_string()
        } else {
            format!("a {what}")
        };
        f.fix = format!(
            "The chart already renders {thing} ({template}) when `{}` is {value}: set `{}: {value}` in {}. {}",
            key.join("."),
            key.join("."),
            files.join(", "),
            f.fix
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known_of(paths: &[&str], subtrees: &[&str], declared: &[&str]) -> Known {
        let split = |p: &&str| -> Vec<String> {
            if p.is_empty() {
                Vec::new()
            } else {
                p.split('.').map(str::to_string).collect()
            }
        };
        let mut k = Known::default();
        paths.iter().map(split).for_each(|p| k.read(p));
        subtrees.iter().map(split).for_each(|p| k.subtree(p));
        k.declared = declared.iter().map(split).collect();
        k
    }

    fn key(s: &str) -> Vec<String> {
        s.split('.').map(str::to_string).collect()
    }

    #[test]
    fn read_prefixes_subtrees_and_globals() {
        let k = known_of(&["image.tag", "worker.global.region"], &["resources"], &[]);
        assert!(k.is_read(&key("image")));
        assert!(k.is_read(&key("image.tag")));
        assert!(!k.is_read(&key("image.tga")));
        assert!(k.is_read(&key("resources.limits.cpu")));
        assert!(k.is_read(&key("global.region")));
        assert!(!k.is_read(&key("global.zone")));
    }

    #[test]
    fn typos_get_the_close_key() {
        let k = known_of(&["replicaCount", "image.tag"], &[], &["image.pullPolicy"]);
        assert_eq!(
            suggestion(&k, &key("replicaCont")).as_deref(),
            Some("replicaCount")
        );
        assert_eq!(
            suggestion(&k, &key("image.pullPolicyy")).as_deref(),
            Some("pullPolicy")
        );
        assert_eq!(suggestion(&k, &key("somethingElse")), None);
    }

    #[test]
    fn snippets_show_keys_never_values() {
        let text = "image:\n  tag: \"1.2\"\npassword: hunter2 # secret\nlist:\n  - a: b\n  - plain\nblock: |\n  line\n# note\n";
        assert_eq!(
            masked(text),
            "image:\n  tag: ****\npassword: ****\nlist:\n  - a: ****\n  - ****\nblock: ****\n  ****\n# note\n"
        );
    }

    #[test]
    fn set_flags_name_their_keys() {
        assert_eq!(
            keys_of_set("a.b=1,c[0].d=2,e\\.f=3"),
            vec![key("a.b"), key("c"), vec!["e.f".to_string()]]
        );
    }
}
