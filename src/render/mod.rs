//! Stage 0 for charts: render with the real Helm (`helm template`, hooks and tests included),
//! the way it will be deployed, and keep what is needed to point findings at the template
//! and values lines a person edits.

pub mod instrument;
pub mod values;

use std::path::{Path, PathBuf};
use std::process::Command;

/// What `helm template` is asked, besides the chart.
#[derive(Debug, Clone, Default)]
pub struct HelmOptions {
    pub helm_bin: PathBuf,
    /// Values files in Helm's order (`-f`, repeatable).
    pub values: Vec<PathBuf>,
    pub set: Vec<String>,
    pub set_string: Vec<String>,
    /// Default: the chart's name.
    pub release_name: Option<String>,
    pub namespace: Option<String>,
    pub kube_version: Option<String>,
    pub api_versions: Vec<String>,
    pub include_crds: bool,
}

/// A chart to render: a directory holding `Chart.yaml`, or a packaged `.tgz`.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub path: PathBuf,
    pub name: String,
    /// False for a `.tgz`: there are no template files on disk to point at.
    pub unpacked: bool,
}

/// Helm failed: its own message, and where it says the problem is (`(chart/templates/x:17:52)`).
#[derive(Debug, Clone, PartialEq)]
pub struct RenderError {
    pub chart: PathBuf,
    pub message: String,
    /// Template path as Helm prints it, and line/column, when Helm names one.
    pub template: Option<(String, usize, usize)>,
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: helm template failed:\n{}",
            crate::input::display_path(&self.chart),
            self.message
        )
    }
}

impl std::error::Error for RenderError {}

/// One rendered release: the text Helm printed and the facts needed to map it back.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub chart: Chart,
    pub text: String,
    /// Was this the `--is-upgrade` render (documents that only an upgrade produces)?
    pub upgrade_only: bool,
}

pub fn chart_name(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("Chart.yaml")).ok()?;
    let doc = crate::parse::yaml::parse_document(&text, 0).ok()??;
    doc.root
        .get("name")
        .and_then(crate::parse::yaml::Node::as_str)
        .map(str::to_string)
}

/// Whether `path` is a chart (or a directory of charts), and which.
pub fn find_charts(path: &Path) -> Vec<Chart> {
    if path.is_file() && path.to_string_lossy().ends_with(".tgz") {
        let name = path.file_stem().unwrap_or_default().to_string_lossy();
        // `myapp-1.2.3.tgz` → `myapp`
        let name = match name.rfind('-') {
            Some(i) if name[i + 1..].starts_with(|c: char| c.is_ascii_digit()) => {
                name[..i].to_string()
            }
            _ => name.to_string(),
        };
        return vec![Chart {
            path: path.to_path_buf(),
            name,
            unpacked: false,
        }];
    }
    if !path.is_dir() {
        return Vec::new();
    }
    if path.join("Chart.yaml").is_file() {
        let name = chart_name(path).unwrap_or_else(|| {
            path.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string()
        });
        return vec![Chart {
            path: path.to_path_buf(),
            name,
            unpacked: true,
        }];
    }
    // A directory of charts: every Chart.yaml that is not a subchart of another.
    let mut dirs: Vec<PathBuf> = ignore::WalkBuilder::new(path)
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == "Chart.yaml")
        .filter_map(|e| e.path().parent().map(Path::to_path_buf))
        .collect();
    dirs.sort();
    let mut charts: Vec<Chart> = Vec::new();
    for d in dirs {
        if charts.iter().any(|c| d.starts_with(&c.path)) {
            continue;
        }
        let name = chart_name(&d).unwrap_or_else(|| {
            d.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string()
        });
        charts.push(Chart {
            path: d,
            name,
            unpacked: true,
        });
    }
    charts
}

fn helm_args(chart: &Path, release: &str, opts: &HelmOptions, upgrade: bool) -> Vec<String> {
    let mut args = vec![
        "template".to_string(),
        release.to_string(),
        chart.to_string_lossy().to_string(),
    ];
    for v in &opts.values {
        args.push("--values".into());
        args.push(v.to_string_lossy().to_string());
    }
    for s in &opts.set {
        args.push("--set".into());
        args.push(s.clone());
    }
    for s in &opts.set_string {
        args.push("--set-string".into());
        args.push(s.clone());
    }
    if let Some(ns) = &opts.namespace {
        args.push("--namespace".into());
        args.push(ns.clone());
    }
    if let Some(kv) = &opts.kube_version {
        args.push("--kube-version".into());
        args.push(kv.clone());
    }
    for a in &opts.api_versions {
        args.push("--api-versions".into());
        args.push(a.clone());
    }
    if opts.include_crds {
        args.push("--include-crds".into());
    }
    if upgrade {
        args.push("--is-upgrade".into());
    }
    args
}

/// Runs `helm template` on `chart_path` (the chart itself or an instrumented copy).
pub fn helm_template(
    chart_path: &Path,
    chart: &Chart,
    opts: &HelmOptions,
    upgrade: bool,
) -> Result<String, RenderError> {
    helm_template_with_notices(chart_path, chart, opts, upgrade).map(|(text, _)| text)
}

/// `helm template`, and what Helm said on stderr although it succeeded.
pub fn helm_template_with_notices(
    chart_path: &Path,
    chart: &Chart,
    opts: &HelmOptions,
    upgrade: bool,
) -> Result<(String, String), RenderError> {
    let release = opts
        .release_name
        .clone()
        .unwrap_or_else(|| chart.name.clone());
    let output = Command::new(&opts.helm_bin)
        .args(helm_args(chart_path, &release, opts, upgrade))
        .env("HELM_DEBUG", "false")
        .output()
        .map_err(|e| RenderError {
            chart: chart.path.clone(),
            message: if e.kind() == std::io::ErrorKind::NotFound {
                format!(
                    "cannot run Helm `{}`: not found. Install Helm (scripts/install-tools.sh helm installs a pinned one into .tools/) or pass --helm-bin PATH",
                    opts.helm_bin.display()
                )
            } else {
                format!("cannot run Helm `{}`: {e} (see --helm-bin)", opts.helm_bin.display())
            },
            template: None,
        })?;
    if !output.status.success() {
        let message = String::from_utf8_lossy(&output.stderr).trim().to_string();
        let message = message
            .trim_end_matches("Use --debug flag to render out invalid YAML")
            .trim()
            .to_string();
        let message = redact_message(&message, chart, opts);
        return Err(RenderError {
            chart: chart.path.clone(),
            template: error_location(&message),
            message,
        });
    }
    let text = String::from_utf8(output.stdout).map_err(|_| RenderError {
        chart: chart.path.clone(),
        message: "helm printed output that is not UTF-8".into(),
        template: None,
    })?;
    Ok((text, String::from_utf8_lossy(&output.stderr).into_owned()))
}

/// Helm drops a document whose `helm.sh/hook` names an unknown event, saying so only in an
/// info line (Helm 3: `skipping unknown hook: "x"`, Helm 4: `skipping unknown hooks
/// hookTypes=x`). Returns each such value with the template lines that write it.
pub fn skipped_hooks(chart: &Chart, stderr: &str) -> Vec<(String, Vec<(PathBuf, usize)>)> {
    let mut out: Vec<(String, Vec<(PathBuf, usize)>)> = Vec::new();
    for line in stderr.lines() {
        let value = if let Some(rest) = line.split("skipping unknown hook: ").nth(1) {
            rest.trim().trim_matches('"').to_string()
        } else if line.contains("skipping unknown hooks") {
            match line.split("hookTypes=").nth(1) {
                Some(v) => v
                    .trim()
                    .trim_matches('"')
                    .trim_matches(['[', ']'])
                    .to_string(),
                None => continue,
            }
        } else {
            continue;
        };
        if out.iter().any(|(v, _)| *v == value) {
            continue;
        }
        let mut places = Vec::new();
        if chart.unpacked {
            for e in ignore::WalkBuilder::new(&chart.path)
                .build()
                .filter_map(Result::ok)
            {
                let Ok(text) = std::fs::read_to_string(e.path()) else {
                    continue;
                };
                for (i, l) in text.lines().enumerate() {
                    if (l.contains("helm.sh/hook\"") || l.contains("helm.sh/hook:"))
                        && l.contains(&value)
                    {
                        places.push((e.path().to_path_buf(), i + 1));
                    }
                }
            }
        }
        out.push((value, places));
    }
    out
}

/// Helm echoes values in its errors (`key "x" has no value`, `cannot parse template "…"`):
/// every `--set`/`--set-string` value, and every value under a credential-looking key of the
/// values files, becomes `****` before the message is shown or written to SARIF.
fn redact_message(message: &str, chart: &Chart, opts: &HelmOptions) -> String {
    let mut secrets: Vec<String> = Vec::new();
    for arg in opts.set.iter().chain(&opts.set_string) {
        for part in arg.split(',') {
            let value = part.split_once('=').map(|(_, v)| v).unwrap_or(part);
            secrets.push(value.trim().to_string());
        }
    }
    fn walk(node: &crate::parse::yaml::Node, secret: bool, out: &mut Vec<String>) {
        use crate::parse::yaml::Value;
        match &node.value {
            Value::Map(entries) => {
                for e in entries {
                    walk(
                        &e.value,
                        secret || crate::report::looks_secret_key(&e.key),
                        out,
                    );
                }
            }
            Value::Seq(items) => items.iter().for_each(|n| walk(n, secret, out)),
            Value::Str(s) if secret => out.push(s.clone()),
            _ => {}
        }
    }
    let files = std::iter::once(chart.path.join("values.yaml")).chain(opts.values.iter().cloned());
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        if let Ok(Some(doc)) = crate::parse::yaml::parse_document(&text, 0) {
            walk(&doc.root, false, &mut secrets);
        }
    }
    // Longest first, so a secret that contains another is replaced whole; very short values
    // would mangle ordinary words and numbers of the message.
    secrets.retain(|s| s.chars().count() >= 4);
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets.dedup();
    let mut out = message.to_string();
    for s in &secrets {
        out = out.replace(s.as_str(), "****");
    }
    out
}

/// `execution error at (chart/templates/x.yaml:17:52): …` or `parse error at (x.yaml:3): …`
/// or `YAML parse error on chart/templates/x.yaml: error converting YAML to JSON: yaml: line 7: …`.
fn error_location(message: &str) -> Option<(String, usize, usize)> {
    if let Some(start) = message.find(" at (") {
        let rest = &message[start + 5..];
        let inner = &rest[..rest.find(')')?];
        let mut parts = inner.rsplitn(3, ':');
        let a = parts.next()?;
        let b = parts.next()?;
        return match (b.parse::<usize>(), a.parse::<usize>(), parts.next()) {
            (Ok(line), Ok(col), Some(file)) => Some((file.to_string(), line, col)),
            (_, Ok(line), _) => Some((inner.rsplit_once(':')?.0.to_string(), line, 1)),
            _ => None,
        };
    }
    if let Some(start) = message.find("parse error on ") {
        let rest = &message[start + 15..];
        let file = rest.split(':').next()?.trim().to_string();
        let line = rest
            .split("line ")
            .nth(1)
            .and_then(|l| l.split(':').next())
            .and_then(|l| l.trim().parse().ok())
            .unwrap_or(1);
        return Some((file, line, 1));
    }
    None
}

/// Does any template of the chart behave differently on upgrade (so `--is-upgrade` must be
/// rendered too, for pre-upgrade-only hooks)?
pub fn has_upgrade_logic(chart: &Chart) -> bool {
    if !chart.unpacked {
        return false;
    }
    ignore::WalkBuilder::new(&chart.path)
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .any(|e| {
            std::fs::read_to_string(e.path())
                .is_ok_and(|t| t.contains(".Release.IsUpgrade") || t.contains(".Release.IsInstall"))
        })
}

/// The template file on disk for a `# Source:` path: `myapp/templates/x.yaml` is
/// `<chart>/templates/x.yaml`, `myapp/charts/sub/templates/y.yaml` is
/// `<chart>/charts/sub/templates/y.yaml`.
pub fn template_file(chart: &Chart, source: &str) -> Option<PathBuf> {
    if !chart.unpacked {
        return None;
    }
    let rest = source.split_once('/')?.1;
    let path = chart.path.join(rest);
    path.is_file().then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helm_error_locations() {
        assert_eq!(
            error_location("Error: execution error at (app/templates/deployment.yaml:17:52): image.tag is required"),
            Some(("app/templates/deployment.yaml".into(), 17, 52))
        );
        assert_eq!(
            error_location("Error: YAML parse error on app/templates/cm.yaml: error converting YAML to JSON: yaml: line 7: did not find expected key"),
            Some(("app/templates/cm.yaml".into(), 7, 1))
        );
        assert_eq!(
            error_location("Error: found in Chart.yaml, but missing in charts/ directory: redis"),
            None
        );
    }
}
