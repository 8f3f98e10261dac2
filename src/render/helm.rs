//! The Helm renderer: `helm template` with the real Helm (hooks and tests included), once
//! for the install and, when a template asks `.Release.IsUpgrade`, once more for the
//! documents only an upgrade renders. Its source map comes from one instrumented render
//! ([`instrument`]) started beside them on its own thread; only the documents findings
//! point into are looked up in it.

pub(crate) mod capabilities;
pub(crate) mod instrument;
pub(crate) mod process;

use super::{Chart, RenderError, RenderOptions, Rendered, RenderedFile, Renderer, TemplatePos};
use crate::files::display_path;
use crate::provenance::{Provenance, Query, SourceMap, TemplateLocator};
use crate::yaml::{chunks, parse_document, Node};
use std::cell::RefCell;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::thread::JoinHandle;

/// `helm` at `bin`.
pub(crate) struct Helm {
    pub(crate) bin: PathBuf,
}

impl Renderer for Helm {
    fn render(&self, chart: &Chart, opts: &RenderOptions) -> Result<Rendered, RenderError> {
        let mut notices = Vec::new();
        // The instrumented render runs while the clean ones do: with the markers placed
        // before rendering it needs no second try, so mapping costs one render's time.
        let mut instrumented = vec![self.instrumented(chart, opts, false)];
        let files = self.release(chart, opts, &mut notices)?;
        if files.iter().any(|f| f.upgrade_only) {
            instrumented.push(self.instrumented(chart, opts, true));
        }
        let source_map = HelmSourceMap {
            instrumented,
            maps: Default::default(),
            locator: TemplateLocator::new(
                chart.unpacked.then_some(chart.path.as_path()),
                &chart.path,
                &opts.values,
                opts.set_args().cloned().collect(),
            ),
        };
        Ok(Rendered {
            reads: None,
            files,
            notices,
            source_map: Box::new(source_map),
        })
    }
}

impl Helm {
    /// The instrumented render of `chart`, started on a thread of its own, which also parses
    /// it (while the clean render is evaluated).
    fn instrumented(&self, chart: &Chart, opts: &RenderOptions, upgrade: bool) -> Pending {
        let helm = Helm {
            bin: self.bin.clone(),
        };
        let (chart, opts) = (chart.clone(), opts.clone());
        Pending::spawn(move || {
            // The built-in renderer records which template line wrote each line: the same
            // map, in process, for a fraction of a Helm run. Helm's instrumented render is for
            // what it does not render (and, with CHARTGUARD_MAP_WITH_MARKERS set, for
            // everything: tests compare the two maps).
            let markers_only = std::env::var_os("CHARTGUARD_MAP_WITH_MARKERS").is_some();
            if let Some((text, lines)) = (!markers_only)
                .then(|| super::native::template_lines(&chart, &opts, upgrade))
                .flatten()
            {
                return Some(instrument::maps_from_origins(&text, &lines));
            }
            instrument::render_instrumented(&helm, &chart, &opts, upgrade)
                .map(|text| instrument::parse_instrumented(&text))
        })
    }
}

/// The parsed instrumented render of one rendered file.
type InstrumentedDocs = Option<Vec<instrument::DocMap>>;

/// A render on another thread; waited for when its map is first needed, or when dropped (so
/// its temporary copy of the chart is removed before chartguard exits).
struct Pending {
    handle: Mutex<Option<JoinHandle<InstrumentedDocs>>>,
}

impl Pending {
    fn spawn(f: impl FnOnce() -> InstrumentedDocs + Send + 'static) -> Pending {
        Pending {
            handle: Mutex::new(Some(std::thread::spawn(f))),
        }
    }

    /// The result, once: later calls get None.
    fn take(&self) -> InstrumentedDocs {
        let handle = self.handle.lock().unwrap_or_else(|p| p.into_inner()).take();
        handle.and_then(|h| h.join().ok().flatten())
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        let _ = self.take();
    }
}

/// `(kind, namespace, name)`: what makes an upgrade-only document new.
fn identity(root: &Node) -> Option<(String, String, String)> {
    let s = |n: Option<&Node>| n.and_then(|n| n.as_str()).unwrap_or("").to_string();
    let meta = root.get("metadata");
    Some((
        s(root.get("kind")),
        s(meta.and_then(|m| m.get("namespace"))),
        s(meta.and_then(|m| m.get("name"))),
    ))
}

impl Helm {
    /// The install render, and the documents only an upgrade renders; `notices` gets what
    /// the user should know about the render.
    fn release(
        &self,
        chart: &Chart,
        opts: &RenderOptions,
        notices: &mut Vec<String>,
    ) -> Result<Vec<RenderedFile>, RenderError> {
        // Both clean renders at once: the upgrade one only when a template asks for it.
        let (install, upgrade) = std::thread::scope(|scope| {
            let upgrade = has_upgrade_logic(chart)
                .then(|| scope.spawn(|| self.template(&chart.path, chart, opts, true)));
            let install = self.template_with_notices(&chart.path, chart, opts, false);
            (install, upgrade.map(|h| h.join()))
        });
        let (install, stderr) = install?;
        notices.extend(skipped_hook_notices(chart, &stderr));
        let mut files = vec![RenderedFile {
            text: install,
            upgrade_only: false,
        }];
        if let Some(upgrade) = upgrade {
            // The install render is what the user asked for; the upgrade render only adds
            // upgrade-only documents. Charts may refuse to render an upgrade without values a
            // real `helm upgrade` gets (Bitnami's "provide your current passwords"): say so
            // loudly, and lint the install.
            let upgrade = match upgrade.unwrap_or_else(|p| std::panic::resume_unwind(p)) {
                Ok(text) => text,
                Err(e) => {
                    notices.push(format!(
                        "`helm template --is-upgrade` failed, so documents only an upgrade renders are not linted: {}",
                        e.message.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
                    ));
                    return Ok(files);
                }
            };
            let extra = upgrade_only(&files[0].text, &upgrade);
            if !extra.is_empty() {
                files.push(RenderedFile {
                    text: extra,
                    upgrade_only: true,
                });
            }
        }
        Ok(files)
    }

    /// Runs `helm template` on `chart_path` (the chart itself or an instrumented copy).
    fn template(
        &self,
        chart_path: &Path,
        chart: &Chart,
        opts: &RenderOptions,
        upgrade: bool,
    ) -> Result<String, RenderError> {
        self.template_with_notices(chart_path, chart, opts, upgrade)
            .map(|(text, _)| text)
    }

    /// `helm template`, and what Helm said on stderr although it succeeded.
    fn template_with_notices(
        &self,
        chart_path: &Path,
        chart: &Chart,
        opts: &RenderOptions,
        upgrade: bool,
    ) -> Result<(String, String), RenderError> {
        let release = opts.release_name(chart);
        let mut cmd = Command::new(&self.bin);
        cmd.args(helm_args(chart_path, &release, opts, upgrade))
            .env("HELM_DEBUG", "false");
        let output = self.run_bounded(cmd, chart, opts)?;
        if !output.status.success() {
            let message = String::from_utf8_lossy(&output.stderr).trim().to_string();
            let message = message
                .trim_end_matches("Use --debug flag to render out invalid YAML")
                .trim()
                .to_string();
            let message =
                crate::redact::helm_message(&message, opts.set_args(), opts.values_files(chart));
            return Err(RenderError {
                chart: chart.path.clone(),
                template: error_location(&message),
                message,
            });
        }
        let text = render_text(output.stdout).ok_or_else(|| RenderError {
            chart: chart.path.clone(),
            message:
                "helm printed output that is not UTF-8 (a template renders bytes that are not text)"
                    .into(),
            template: None,
        })?;
        Ok((text, String::from_utf8_lossy(&output.stderr).into_owned()))
    }

    /// Runs Helm within `opts.limits` ([`process`]): a timeout, an output cap, the process
    /// group killed on either, and a Helm killed by a signal named. Helm's own error text is
    /// left to the caller.
    fn run_bounded(
        &self,
        cmd: Command,
        chart: &Chart,
        opts: &RenderOptions,
    ) -> Result<process::Finished, RenderError> {
        let error = |message: String| RenderError {
            chart: chart.path.clone(),
            message,
            template: None,
        };
        let finished = process::run(cmd, opts.limits).map_err(|f| match f {
            process::Failure::Spawn(e) if e.kind() == std::io::ErrorKind::NotFound => error(format!(
                "cannot run Helm `{}`: not found. Install Helm (scripts/install-tools.sh helm installs a pinned one into .tools/) or pass --helm-bin PATH",
                self.bin.display()
            )),
            process::Failure::Spawn(e) => error(format!(
                "cannot run Helm `{}`: {e} (see --helm-bin)",
                self.bin.display()
            )),
            process::Failure::TimedOut(limit) => error(format!(
                "helm template did not finish within {} (--render-timeout, or `helm.render-timeout` in .chartguard.yaml); Helm was stopped",
                humanize(limit)
            )),
            process::Failure::TooMuchOutput(cap) => error(format!(
                "helm template printed more than {} MiB (`helm.max-output-mib` in .chartguard.yaml); Helm was stopped. A `range` or `until` loop over a large number is the usual cause",
                cap / (1024 * 1024)
            )),
        })?;
        if let Some(signal) = process::signal_of(&finished.status) {
            let mut message = format!("Helm was {signal}");
            let stderr = String::from_utf8_lossy(&finished.stderr);
            if !stderr.trim().is_empty() {
                message = format!(
                    "{message}; it said:\n{}",
                    crate::redact::helm_message(
                        stderr.trim(),
                        opts.set_args(),
                        opts.values_files(chart)
                    )
                );
            }
            return Err(error(message));
        }
        Ok(finished)
    }
}

/// "5m", "90s", "1m30s".
fn humanize(d: std::time::Duration) -> String {
    let s = d.as_secs();
    match (s / 60, s % 60) {
        (0, s) => format!("{s}s"),
        (m, 0) => format!("{m}m"),
        (m, s) => format!("{m}m{s}s"),
    }
}

/// Helm's output as text. Template file names that are not UTF-8 appear (as bytes) in its
/// `# Source:` comments; Helm renders such charts, so they are read with the invalid bytes
/// replaced (the name is only shown). Bytes that are not UTF-8 anywhere else are document
/// content: `None`.
fn render_text(bytes: Vec<u8>) -> Option<String> {
    match String::from_utf8(bytes) {
        Ok(text) => Some(text),
        Err(e) => {
            let bytes = e.into_bytes();
            let mut out = String::with_capacity(bytes.len());
            for line in bytes.split_inclusive(|b| *b == b'\n') {
                match std::str::from_utf8(line) {
                    Ok(l) => out.push_str(l),
                    Err(_) if line.starts_with(b"# Source: ") => {
                        out.push_str(&String::from_utf8_lossy(line))
                    }
                    Err(_) => return None,
                }
            }
            Some(out)
        }
    }
}

/// The Kubernetes version charts are rendered for and judged at when none is given (the
/// rules' `input.kube_version` default, set in cli/settings.rs).
pub(crate) const DEFAULT_KUBE_VERSION: &str = "1.33";

fn helm_args(chart: &Path, release: &str, opts: &RenderOptions, upgrade: bool) -> Vec<String> {
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
    // The version the rules judge (Helm's own default is the one it was built with) and the
    // built-in APIs it serves, then the user's (`--api-versions`: CRDs the cluster has).
    let (kube_version, served) = opts.capabilities();
    args.push("--kube-version".into());
    args.push(kube_version.to_string());
    if !served.is_empty() {
        args.push("--api-versions".into());
        args.push(served.join(","));
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
    if opts.skip_schema_validation {
        args.push("--skip-schema-validation".into());
    }
    args
}

/// Helm drops a document whose `helm.sh/hook` names an unknown event, saying so only in an
/// info line (Helm 3: `skipping unknown hook: "x"`, Helm 4: `skipping unknown hooks
/// hookTypes=x`). Returns each such value with the template lines that write it.
/// What the user is told of each document dropped for an unknown hook event, from Helm's
/// log lines (the built-in renderer writes the same lines as warnings).
pub(super) fn skipped_hook_notices(chart: &Chart, stderr: &str) -> Vec<String> {
    skipped_hooks(chart, stderr)
        .into_iter()
        .map(|(value, places)| {
            let at: Vec<String> = places
                .iter()
                .map(|(p, l)| format!("{}:{l}", display_path(p)))
                .collect();
            format!(
                "Helm drops a document whose helm.sh/hook is \"{value}\", an event it does not know: the object is neither installed nor run as a hook{}",
                if at.is_empty() { String::new() } else { format!(" ({})", at.join(", ")) }
            )
        })
        .collect()
}

fn skipped_hooks(chart: &Chart, stderr: &str) -> Vec<(String, Vec<(PathBuf, usize)>)> {
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

/// `execution error at (chart/templates/x.yaml:17:52): …` or `parse error at (x.yaml:3): …`
/// or `YAML parse error on chart/templates/x.yaml: error converting YAML to JSON: yaml: line 7: …`.
pub(super) fn error_location(message: &str) -> Option<TemplatePos> {
    if let Some(start) = message.find(" at (") {
        let rest = &message[start + 5..];
        let inner = &rest[..rest.find(')')?];
        let mut parts = inner.rsplitn(3, ':');
        let a = parts.next()?;
        let b = parts.next()?;
        let (source, line, column) = match (b.parse::<usize>(), a.parse::<usize>(), parts.next()) {
            (Ok(line), Ok(col), Some(file)) => (file.to_string(), line, col),
            (_, Ok(line), _) => (inner.rsplit_once(':')?.0.to_string(), line, 1),
            _ => return None,
        };
        return Some(TemplatePos {
            source,
            line,
            column,
        });
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
        return Some(TemplatePos {
            source: file,
            line,
            column: 1,
        });
    }
    None
}

/// The documents of the `--is-upgrade` render that the install render does not have (by kind,
/// namespace and name): what only an upgrade renders. Shared with the built-in renderer.
pub(super) fn upgrade_only(install: &str, upgrade: &str) -> String {
    upgrade_only_lines(install, upgrade).0
}

/// [`upgrade_only`], and for each line of its text the 0-based line of `upgrade` it was taken
/// from (`None` for the `---` separators it adds), so the built-in renderer can carry each
/// line's recorded template line over.
pub(super) fn upgrade_only_lines(install: &str, upgrade: &str) -> (String, Vec<Option<usize>>) {
    let seen: HashSet<_> = chunks(install)
        .iter()
        .filter_map(|c| parse_document(c.text, 0).ok().flatten())
        .filter_map(|d| identity(&d.root))
        .collect();
    let mut extra = String::new();
    let mut from = Vec::new();
    for c in chunks(upgrade) {
        let Ok(Some(doc)) = parse_document(c.text, 0) else {
            continue;
        };
        if identity(&doc.root).is_some_and(|id| !seen.contains(&id)) {
            extra.push_str("---\n");
            from.push(None);
            let text = c.text.trim_start_matches('\n');
            let first = c.first_line + (c.text.len() - text.len());
            from.extend((0..text.lines().count()).map(|i| Some(first + i)));
            extra.push_str(text);
            if !extra.ends_with('\n') {
                extra.push('\n');
            }
        }
    }
    (extra, from)
}

/// Does any template of the chart behave differently on upgrade (so `--is-upgrade` must be
/// rendered too, for pre-upgrade-only hooks)?
pub(super) fn has_upgrade_logic(chart: &Chart) -> bool {
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

/// Helm's render, mapped back to the templates through the instrumented render of each
/// rendered file (install, upgrade-only), paired with the clean documents of a template when
/// a finding first asks about one of them.
struct HelmSourceMap {
    /// Per rendered file.
    instrumented: Vec<Pending>,
    maps: RefCell<HashMap<usize, instrument::TemplateMap>>,
    locator: TemplateLocator,
}

impl HelmSourceMap {
    /// The template line the markers give, if the file's map has this document.
    fn marker_line(&self, q: &Query<'_>) -> Option<usize> {
        let mut maps = self.maps.borrow_mut();
        let map = match maps.entry(q.file) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(_) if q.related => return None,
            Entry::Vacant(e) => {
                let inst = self.instrumented.get(q.file).and_then(Pending::take);
                e.insert(instrument::TemplateMap::new(inst, q.docs))
            }
        };
        map.twin(q.docs, q.doc)?.line_of(q.path)
    }
}
impl SourceMap for HelmSourceMap {
    fn locate(&self, q: &Query<'_>) -> Option<Provenance> {
        let source = q.docs.get(q.doc)?.template?;
        let line = self.marker_line(q);
        self.locator.locate(source, q.path, line)
    }

    fn templates(&self) -> BTreeMap<String, String> {
        self.locator.templates()
    }

    fn capability_checks(&self, source: &str) -> Vec<String> {
        self.locator.capability_checks(source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helm_error_locations() {
        assert_eq!(
            error_location("Error: execution error at (app/templates/deployment.yaml:17:52): image.tag is required"),
            Some(TemplatePos {
                source: "app/templates/deployment.yaml".into(),
                line: 17,
                column: 52
            })
        );
        assert_eq!(
            error_location("Error: YAML parse error on app/templates/cm.yaml: error converting YAML to JSON: yaml: line 7: did not find expected key"),
            Some(TemplatePos {
                source: "app/templates/cm.yaml".into(),
                line: 7,
                column: 1
            })
        );
        assert_eq!(
            error_location("Error: found in Chart.yaml, but missing in charts/ directory: redis"),
            None
        );
    }
}
