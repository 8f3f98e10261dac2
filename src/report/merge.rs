//! `chartguard merge`: the reports of `lint --shard K/N` runs as one report.
//!
//! JSON: findings in chart order (the order one unsharded lint of the directory gives:
//! manifest files first, then charts by path), the objects summed, the summary recounted.
//! Merging the shards of a directory gives, byte for byte, the report of linting it whole.
//!
//! SARIF: GitHub code scanning rejects an upload holding several runs of one tool with one
//! category (since 2025, "code scanning will stop combining runs from a single upload"), so
//! the runs of each tool and `automationDetails.id` become one run: its rules are the union
//! (by id, first description kept), every result's `ruleIndex` points into that union, the
//! `artifacts` are the union (by URI) with every `artifactLocation.index` remapped, and the
//! invocations' notifications are kept. Runs of different categories stay separate runs.
//! Results are ordered most severe first, then by file, line and rule, so the merge of any
//! split of the same findings is the same file; beyond GitHub's 25,000 results per run the
//! least severe are left out, with a notification (as `lint` does).

use super::sarif::MAX_RESULTS;
use crate::model::Severity;
use anyhow::{bail, Context, Result};
use serde_json::{Map, Value};
use std::cmp::Ordering;
use std::collections::HashMap;
use std::path::Path;

/// A report read from a file: its name (for errors) and its JSON.
pub(crate) struct Input {
    pub(crate) name: String,
    pub(crate) doc: Value,
}

/// Reads a report, naming the file and line of a syntax error.
pub(crate) fn read(path: &Path) -> Result<Input> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).with_context(|| format!("{name}: cannot read"))?;
    let doc = serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{name}:{}:{}: not JSON: {e}", e.line(), e.column()))?;
    Ok(Input { name, doc })
}

/// The merged report and whether a finding not suppressed is at or above `threshold`.
pub(crate) struct Merged {
    pub(crate) text: String,
    pub(crate) fails: bool,
}

fn severity_of(s: &str) -> Option<Severity> {
    match s {
        "error" => Some(Severity::Error),
        "warning" => Some(Severity::Warning),
        "note" => Some(Severity::Note),
        _ => None,
    }
}

fn fails(severity: Option<Severity>, suppressed: bool, threshold: Option<Severity>) -> bool {
    !suppressed && threshold.is_some_and(|t| severity.is_some_and(|s| s >= t))
}

/// `--format json` reports of one chartguard version and profile.
pub(crate) fn json(inputs: &[Input], threshold: Option<Severity>) -> Result<Merged> {
    let mut first: Option<&Input> = None;
    let mut environments: Vec<(String, Value)> = Vec::new();
    let mut objects: u64 = 0;
    let mut findings: Vec<Value> = Vec::new();
    for input in inputs {
        let doc = &input.doc;
        let name = &input.name;
        if doc.get("schema_version").and_then(Value::as_u64)
            != Some(u64::from(super::json::SCHEMA_VERSION))
            || doc.pointer("/tool/name").and_then(Value::as_str) != Some("chartguard")
        {
            bail!(
                "{name}: not a chartguard JSON report of schema version {} (`chartguard lint --format json`)",
                super::json::SCHEMA_VERSION
            );
        }
        if let Some(f) = first {
            for field in ["/tool/version", "/profile"] {
                if doc.pointer(field) != f.doc.pointer(field) {
                    bail!(
                        "{name}: {} is {}, but {} in {}: merge reports of one chartguard version and profile",
                        &field[1..],
                        doc.pointer(field).unwrap_or(&Value::Null),
                        f.doc.pointer(field).unwrap_or(&Value::Null),
                        f.name
                    );
                }
            }
        } else {
            first = Some(input);
        }
        for e in doc
            .get("environments")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let env = e.get("name").and_then(Value::as_str).unwrap_or_default();
            match environments.iter().find(|(n, _)| n == env) {
                Some((_, seen)) if seen != e => bail!(
                    "{name}: environment `{env}` has another profile than in an earlier report"
                ),
                Some(_) => {}
                None => environments.push((env.to_string(), e.clone())),
            }
        }
        objects += doc.get("objects").and_then(Value::as_u64).unwrap_or(0);
        let Some(list) = doc.get("findings").and_then(Value::as_array) else {
            bail!("{name}: has no findings list");
        };
        findings.extend(list.iter().cloned());
    }
    let Some(first) = first else {
        bail!("nothing to merge");
    };
    // Stable: each chart's findings keep the order its lint gave them.
    findings.sort_by_key(chart_order);
    environments.sort_by(|a, b| a.0.cmp(&b.0));
    let mut counts = [0u64; 4];
    let mut failing = false;
    for f in &findings {
        let severity = f
            .get("severity")
            .and_then(Value::as_str)
            .and_then(severity_of);
        let suppressed = f.get("suppression").is_some_and(|s| !s.is_null());
        failing |= fails(severity, suppressed, threshold);
        let slot = match (suppressed, severity) {
            (true, _) => 3,
            (false, Some(Severity::Error)) => 0,
            (false, Some(Severity::Warning)) => 1,
            _ => 2,
        };
        counts[slot] += 1;
    }
    let mut out = Map::new();
    out.insert("schema_version".into(), first.doc["schema_version"].clone());
    out.insert("tool".into(), first.doc["tool"].clone());
    out.insert("profile".into(), first.doc["profile"].clone());
    if !environments.is_empty() {
        out.insert(
            "environments".into(),
            Value::Array(environments.into_iter().map(|(_, e)| e).collect()),
        );
    }
    out.insert("objects".into(), objects.into());
    let mut summary = Map::new();
    for (k, n) in ["error", "warning", "note", "suppressed"]
        .iter()
        .zip(counts)
    {
        summary.insert((*k).into(), n.into());
    }
    out.insert("summary".into(), Value::Object(summary));
    out.insert("findings".into(), Value::Array(findings));
    let mut text = serde_json::to_string_pretty(&Value::Object(out))?;
    text.push('\n');
    Ok(Merged {
        text,
        fails: failing,
    })
}

/// Where a finding sorts in a lint of several targets: manifest files first (in the order
/// given), then charts by path, compared per path component as the chart search sorts them.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum ChartOrder {
    File,
    Chart(std::path::PathBuf),
}

fn chart_order(f: &Value) -> ChartOrder {
    let rendered = f.pointer("/rendered/file").and_then(Value::as_str);
    let chart = match rendered {
        Some(name) => {
            // `<chart> [env] (rendered…)` (report::source_of).
            let name = name.split(" (rendered").next().unwrap_or(name);
            match name.rfind(" [") {
                Some(i) if name.ends_with(']') => name[..i].to_string(),
                _ => name.to_string(),
            }
        }
        // A chart that renders nothing is reported at its Chart.yaml.
        None if f.get("rule").and_then(Value::as_str) == Some("helm-render-empty") => f
            .pointer("/location/file")
            .and_then(Value::as_str)
            .map(|p| p.trim_end_matches("Chart.yaml").trim_end_matches('/'))
            .unwrap_or_default()
            .to_string(),
        // Findings about a chart's values (values-schema-*) are reported at a file of the
        // chart (values.yaml, a values file or the schema beside it).
        None if f.pointer("/object/kind").and_then(Value::as_str) == Some("Chart") => {
            match f.pointer("/location/file").and_then(Value::as_str) {
                Some(p) => p
                    .rsplit_once('/')
                    .map(|(dir, _)| dir.trim_end_matches("/ci"))
                    .unwrap_or_default()
                    .to_string(),
                None => return ChartOrder::File,
            }
        }
        None => return ChartOrder::File,
    };
    ChartOrder::Chart(chart.into())
}

/// A run's tool (driver name) and category (`automationDetails.id`).
type RunKey = (String, Option<String>);

/// SARIF 2.1.0 logs: one run per tool and category.
pub(crate) fn sarif(inputs: &[Input], threshold: Option<Severity>) -> Result<Merged> {
    let mut schema: Option<Value> = None;
    // (tool, category) → runs, in the order first seen.
    let mut groups: Vec<(RunKey, Vec<&Value>)> = Vec::new();
    for input in inputs {
        let name = &input.name;
        if input.doc.get("version").and_then(Value::as_str) != Some("2.1.0") {
            bail!("{name}: not a SARIF 2.1.0 log (`chartguard lint --format sarif`)");
        }
        schema = schema.or_else(|| input.doc.get("$schema").cloned());
        let Some(runs) = input.doc.get("runs").and_then(Value::as_array) else {
            bail!("{name}: a SARIF log without runs");
        };
        for run in runs {
            let Some(tool) = run.pointer("/tool/driver/name").and_then(Value::as_str) else {
                bail!("{name}: a run without tool.driver.name");
            };
            let category = run
                .pointer("/automationDetails/id")
                .and_then(Value::as_str)
                .map(str::to_string);
            let key = (tool.to_string(), category);
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, runs)) => runs.push(run),
                None => groups.push((key, vec![run])),
            }
        }
    }
    let mut failing = false;
    let mut runs = Vec::new();
    for (_, group) in &groups {
        let (run, f) = merge_runs(group, threshold);
        failing |= f;
        runs.push(run);
    }
    let mut log = Map::new();
    if let Some(s) = schema {
        log.insert("$schema".into(), s);
    }
    log.insert("version".into(), "2.1.0".into());
    log.insert("runs".into(), Value::Array(runs));
    let mut text = serde_json::to_string_pretty(&Value::Object(log))?;
    text.push('\n');
    Ok(Merged {
        text,
        fails: failing,
    })
}

/// Runs of one tool and category as one run.
fn merge_runs(runs: &[&Value], threshold: Option<Severity>) -> (Value, bool) {
    let mut merged = runs[0].clone();
    let mut rules: Vec<Value> = Vec::new();
    let mut rule_at: HashMap<String, usize> = HashMap::new();
    let mut artifacts: Vec<Value> = Vec::new();
    let mut artifact_at: HashMap<String, usize> = HashMap::new();
    let mut results: Vec<Value> = Vec::new();
    let mut notifications: Vec<Value> = Vec::new();
    let mut successful = true;
    for run in runs {
        let own_rules = run
            .pointer("/tool/driver/rules")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let rule_ids: Vec<String> = own_rules
            .iter()
            .map(|r| {
                r.get("id")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            })
            .collect();
        for (id, rule) in rule_ids.iter().zip(own_rules) {
            rule_at.entry(id.clone()).or_insert_with(|| {
                rules.push(rule);
                rules.len() - 1
            });
        }
        let own_artifacts = run
            .get("artifacts")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let artifact_map: Vec<usize> = own_artifacts
            .into_iter()
            .map(|a| {
                let uri = a
                    .pointer("/location/uri")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                *artifact_at.entry(uri).or_insert_with(|| {
                    artifacts.push(a);
                    artifacts.len() - 1
                })
            })
            .collect();
        for result in run
            .get("results")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let mut r = result.clone();
            let id = r
                .get("ruleId")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| {
                    r.get("ruleIndex")
                        .and_then(Value::as_u64)
                        .and_then(|i| rule_ids.get(i as usize).cloned())
                });
            if let Some(obj) = r.as_object_mut() {
                match id.as_deref().and_then(|id| rule_at.get(id)) {
                    Some(&i) => {
                        obj.insert("ruleIndex".into(), i.into());
                    }
                    None => {
                        obj.remove("ruleIndex");
                    }
                }
            }
            remap_artifacts(&mut r, &artifact_map);
            results.push(r);
        }
        for inv in run
            .get("invocations")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            successful &= inv
                .get("executionSuccessful")
                .and_then(Value::as_bool)
                .unwrap_or(true);
            if let Some(n) = inv
                .get("toolExecutionNotifications")
                .and_then(Value::as_array)
            {
                notifications.extend(n.iter().cloned());
            }
        }
    }
    results.sort_by(result_order);
    let failing = results.iter().any(|r| {
        let suppressed = r
            .get("suppressions")
            .and_then(Value::as_array)
            .is_some_and(|s| !s.is_empty());
        fails(severity_of(level_of(r)), suppressed, threshold)
    });
    if results.len() > MAX_RESULTS {
        notifications.push(serde_json::json!({
            "level": "warning",
            "message": {"text": format!(
                "the merged reports hold {} results; GitHub code scanning accepts {MAX_RESULTS} per run, so only the {MAX_RESULTS} most severe are included",
                results.len()
            )}
        }));
        results.truncate(MAX_RESULTS);
    }
    let obj = merged.as_object_mut().expect("a run is an object");
    if let Some(driver) = obj
        .get_mut("tool")
        .and_then(|t| t.get_mut("driver"))
        .and_then(Value::as_object_mut)
    {
        driver.insert("rules".into(), Value::Array(rules));
    }
    if artifacts.is_empty() {
        obj.remove("artifacts");
    } else {
        obj.insert("artifacts".into(), Value::Array(artifacts));
    }
    obj.insert("results".into(), Value::Array(results));
    if notifications.is_empty() && successful {
        obj.remove("invocations");
    } else {
        obj.insert(
            "invocations".into(),
            serde_json::json!([{
                "executionSuccessful": successful,
                "toolExecutionNotifications": notifications,
            }]),
        );
    }
    (merged, failing)
}

/// A result's level; SARIF's default is warning.
fn level_of(r: &Value) -> &str {
    r.get("level").and_then(Value::as_str).unwrap_or("warning")
}

/// Most severe first, then by file, line, column, rule and fingerprint.
fn result_order(a: &Value, b: &Value) -> Ordering {
    let rank = |r: &Value| match level_of(r) {
        "error" => 0,
        "warning" => 1,
        "note" => 2,
        _ => 3,
    };
    let key = |r: &Value| {
        let loc = r.pointer("/locations/0/physicalLocation");
        let s = |p: &str| {
            loc.and_then(|l| l.pointer(p))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let n = |p: &str| {
            loc.and_then(|l| l.pointer(p))
                .and_then(Value::as_i64)
                .unwrap_or(0)
        };
        (
            rank(r),
            s("/artifactLocation/uri"),
            n("/region/startLine"),
            n("/region/startColumn"),
            r.get("ruleId")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            r.get("partialFingerprints")
                .map(Value::to_string)
                .unwrap_or_default(),
            r.pointer("/message/text")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        )
    };
    key(a).cmp(&key(b))
}

/// Points every `artifactLocation.index` of a result at the merged `artifacts`.
fn remap_artifacts(v: &mut Value, map: &[usize]) {
    match v {
        Value::Object(o) => {
            if let Some(Value::Object(loc)) = o.get_mut("artifactLocation") {
                if let Some(i) = loc.get("index").and_then(Value::as_u64) {
                    match map.get(i as usize) {
                        Some(&j) => {
                            loc.insert("index".into(), j.into());
                        }
                        None => {
                            loc.remove("index");
                        }
                    }
                }
            }
            for (k, child) in o.iter_mut() {
                if k != "artifactLocation" {
                    remap_artifacts(child, map);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|c| remap_artifacts(c, map)),
        _ => {}
    }
}
