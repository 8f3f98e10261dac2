//! Renders every template of a chart directory (root chart and the subcharts under charts/, as
//! one template set like Helm's) with given values, and prints one line per template: what the
//! corpus check (scripts/corpus.sh) and the benchmark run. Chart semantics proper (values
//! coalescing, tags, import-values) are the next layer's job, so the values are Helm's own
//! coalesced values of the root chart, taken as given; a subchart sees `.Values.<name>` with the
//! root's `global` merged in, and a dependency whose `condition` is false is skipped.
//!
//! Usage: render_chart <chart-dir> <values.json> [--helm 3|4] [--quiet] [--repeat N]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::rc::Rc;

use helm_template::helm_objects::{self, Files, Top};
use helm_template::{Engine, HelmVersion, Options, Value};

struct Chart {
    /// Template path prefix, e.g. `argo-cd` or `argo-cd/charts/redis-ha`.
    prefix: String,
    /// Key of this chart's values in its parent's (None for the root).
    values_key: Vec<String>,
    meta: serde_json::Value,
    files: Vec<(String, Vec<u8>)>,
    templates: Vec<(String, String)>,
}

fn walk(dir: &Path, rel: &str, out: &mut Vec<(String, PathBuf)>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let r = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        let p = e.path();
        if p.is_dir() {
            walk(&p, &r, out);
        } else {
            out.push((r, p));
        }
    }
}

fn meta_deps(dir: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(dir.join("Chart.yaml")).unwrap_or_default();
    let meta: serde_json::Value = yaml_serde::from_str(&text).unwrap_or_default();
    meta["dependencies"].as_array().cloned().unwrap_or_default()
}

fn load(
    dir: &Path,
    prefix: String,
    values_key: Vec<String>,
    root_values: &serde_json::Value,
    charts: &mut Vec<Chart>,
) {
    let meta_text = std::fs::read_to_string(dir.join("Chart.yaml")).unwrap_or_default();
    let meta: serde_json::Value = yaml_serde::from_str(&meta_text).unwrap_or_default();
    let mut all = Vec::new();
    walk(dir, "", &mut all);
    let mut files = Vec::new();
    let mut templates = Vec::new();
    for (rel, path) in all {
        if let Some(t) = rel.strip_prefix("templates/") {
            // Helm never loads dotfiles under templates/.
            if t.split('/').any(|s| s.starts_with('.')) {
                continue;
            }
            let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
            templates.push((format!("{prefix}/templates/{t}"), text));
        } else if !rel.starts_with("charts/")
            && ![
                "Chart.yaml",
                "Chart.lock",
                "values.yaml",
                "values.schema.json",
            ]
            .contains(&rel.as_str())
        {
            files.push((rel, std::fs::read(&path).unwrap()));
        }
    }
    charts.push(Chart {
        prefix: prefix.clone(),
        values_key: values_key.clone(),
        meta,
        files,
        templates,
    });
    if let Ok(rd) = std::fs::read_dir(dir.join("charts")) {
        let mut subs: Vec<_> = rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        subs.sort();
        for sub in subs {
            let meta: serde_json::Value = yaml_serde::from_str(
                &std::fs::read_to_string(sub.join("Chart.yaml")).unwrap_or_default(),
            )
            .unwrap_or_default();
            let name = meta["name"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| sub.file_name().unwrap().to_string_lossy().into_owned());
            let alias = meta_deps(dir)
                .into_iter()
                .find(|d| d["name"].as_str() == Some(&name));
            // A dependency whose condition is false is not rendered by Helm (tags and
            // import-values are left to the chart layer).
            if let Some(cond) = alias.as_ref().and_then(|d| d["condition"].as_str()) {
                let enabled = cond.split(',').find_map(|path| {
                    let mut v = root_values;
                    for k in values_key
                        .iter()
                        .map(String::as_str)
                        .chain(path.trim().split('.'))
                    {
                        v = v.get(k)?;
                    }
                    v.as_bool()
                });
                if enabled == Some(false) {
                    continue;
                }
            }
            let name = alias
                .as_ref()
                .and_then(|d| d["alias"].as_str())
                .map(str::to_string)
                .unwrap_or(name);
            let mut key = values_key.clone();
            key.push(name.clone());
            load(
                &sub,
                format!("{prefix}/charts/{name}"),
                key,
                root_values,
                charts,
            );
        }
    }
}

fn values_for(root: &serde_json::Value, key: &[String]) -> serde_json::Value {
    let mut v = root.clone();
    for k in key {
        v = v.get(k).cloned().unwrap_or(serde_json::json!({}));
    }
    if let (Some(obj), Some(global)) = (v.as_object_mut(), root.get("global")) {
        obj.entry("global").or_insert_with(|| global.clone());
    }
    v
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!(
            "usage: render_chart <chart-dir> <values.json> [--helm 3|4] [--quiet] [--repeat N]"
        );
        return ExitCode::from(2);
    }
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let helm = if opt("--helm").as_deref() == Some("3") {
        HelmVersion::V3
    } else {
        HelmVersion::V4
    };
    let quiet = args.iter().any(|a| a == "--quiet");
    let repeat: usize = opt("--repeat").and_then(|s| s.parse().ok()).unwrap_or(1);
    let root_values: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&args[2]).expect("values.json"))
            .expect("values JSON");
    let dir = PathBuf::from(&args[1]);
    let mut failed = 0;
    let started = std::time::Instant::now();
    for round in 0..repeat {
        let mut charts = Vec::new();
        let root_name = {
            let m: serde_json::Value = yaml_serde::from_str(
                &std::fs::read_to_string(dir.join("Chart.yaml")).expect("Chart.yaml"),
            )
            .expect("Chart.yaml");
            m["name"].as_str().unwrap_or("chart").to_string()
        };
        load(&dir, root_name, Vec::new(), &root_values, &mut charts);
        let mut engine = Engine::new(Options {
            helm,
            ..Options::default()
        });
        // Helm's parse order: deeper paths first, then reverse byte order.
        let mut all: Vec<(&str, &str)> = charts
            .iter()
            .flat_map(|c| c.templates.iter().map(|(n, t)| (n.as_str(), t.as_str())))
            .collect();
        all.sort_by(|a, b| {
            let depth = |s: &str| s.matches('/').count();
            depth(b.0).cmp(&depth(a.0)).then(b.0.cmp(a.0))
        });
        let mut report = Vec::new();
        for (name, text) in &all {
            if let Err(e) = engine.add_template(name, text) {
                report.push(format!("PARSE {name}: {}", e.helm_message(helm, name)));
            }
        }
        // Each chart's top-level object; a parent's `.Subcharts.<name>` is its child's, so
        // children (pushed after their parent) are built first.
        let mut tops: Vec<Option<Value>> = vec![None; charts.len()];
        for i in (0..charts.len()).rev() {
            let chart = &charts[i];
            let mut subcharts = BTreeMap::<Rc<str>, Value>::new();
            for (j, c) in charts.iter().enumerate() {
                if let Some(rest) = c.prefix.strip_prefix(&format!("{}/charts/", chart.prefix)) {
                    if !rest.contains('/') {
                        subcharts.insert(Rc::from(rest), tops[j].clone().unwrap());
                    }
                }
            }
            tops[i] = Some(helm_objects::top(
                helm,
                Top {
                    values: Value::from_json(&values_for(&root_values, &chart.values_key)),
                    release: helm_objects::release("release-name", "default", false, 1),
                    chart: helm_objects::chart(helm, &chart.meta, chart.values_key.is_empty()),
                    capabilities: helm_objects::default_capabilities(helm),
                    files: Value::object(Files::new(chart.files.clone())),
                    subcharts: Value::map(subcharts),
                    template_name: String::new(),
                    base_path: format!("{}/templates", chart.prefix),
                },
            ));
        }
        for (chart, top) in charts.iter().zip(&tops) {
            let top = top.as_ref().unwrap();
            for (name, _) in &chart.templates {
                let base = name.rsplit('/').next().unwrap_or_default();
                if base.starts_with('_') || !engine.has_template(name) {
                    continue;
                }
                // One dot for all files of a chart, as Helm (a `set` into .Values is seen by
                // later files); only .Template.Name changes.
                let dot = top.clone();
                if let Some(m) = dot.as_map() {
                    if let Some(t) = m.get("Template").and_then(|t| t.as_map().cloned()) {
                        t.insert("Name", Value::string(name.as_str()));
                    }
                }
                match engine.render(name, dot) {
                    Ok(_) => report.push(format!("OK {name}")),
                    Err(e) => report.push(format!(
                        "EXEC {name}: {}",
                        e.helm_message(helm, name).replace('\n', " ")
                    )),
                }
            }
        }
        if round == 0 {
            failed = report.iter().filter(|l| !l.starts_with("OK ")).count();
            if !quiet {
                for l in &report {
                    println!("{l}");
                }
            }
        }
    }
    if repeat > 1 {
        // Load, parse and render of the whole template set, per round (the process start and
        // the values file are paid once).
        eprintln!(
            "{repeat} rounds: {:.2} ms per round",
            started.elapsed().as_secs_f64() * 1000.0 / repeat as f64
        );
    }
    if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
