//! `chartguard lint`: what to lint — manifest files as one release, or charts rendered once
//! (or once per environment) — each through the [pipeline](crate::pipeline), and the
//! findings of a chart's environments merged into one list.

use crate::cli::settings::Settings;
use crate::evaluate::{self, Parallel, Release, Timing};
use crate::files::{self, display_path, SourceFile};
use crate::model::{Finding, Profile};
use crate::pipeline::{self, Context};
use crate::provenance::Identity;
use crate::render::{find_charts, Chart, RenderError};
use crate::suppress::{self, ConfigRules};
use anyhow::{Context as _, Result};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod parallel;
mod previous;
mod values_schema;

/// Everything a lint produced, ready for the reporters.
#[derive(Default)]
pub(crate) struct Linted {
    pub(crate) findings: Vec<Finding>,
    /// Masked text of every file a finding may point at, by display name (only filled when
    /// snippets are wanted: human output).
    pub(crate) sources: BTreeMap<String, String>,
    /// Objects linted (summed over environments).
    pub(crate) objects: usize,
    /// The environments linted and the profile each was judged with.
    pub(crate) environments: BTreeMap<String, Profile>,
    pub(crate) timings: Vec<Timing>,
    pub(crate) stages: Vec<(&'static str, Duration)>,
    /// Things the user should know that are not findings (e.g. a chart that renders nothing).
    pub(crate) warnings: Vec<String>,
    /// One per chart when several were linted (a monorepo), in the order given: the findings
    /// of section `i` follow those of section `i - 1` in `findings`.
    pub(crate) sections: Vec<Section>,
    /// With `--previous`: each release's change list, shown before the human report.
    pub(crate) changes: Vec<String>,
    /// The objects (`kind/namespace/name`) one environment rendered, for [`merge`].
    rendered: std::collections::BTreeSet<String>,
    /// Each render's values and what it read, for values analysis ([`crate::values`]).
    values_uses: Vec<crate::values::RenderUse>,
}

/// What became of one chart of several.
#[derive(Debug, Clone)]
pub(crate) struct Section {
    pub(crate) label: String,
    pub(crate) status: ChartStatus,
    /// How many of `Linted::findings` are this chart's.
    pub(crate) findings: usize,
    pub(crate) objects: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ChartStatus {
    Linted,
    /// Not linted, and why (a library chart).
    Skipped(String),
    /// Helm (or reading its output) failed: the error, as shown.
    Failed(String),
}

impl Linted {
    /// Keeps the findings `keep` wants, and each section's count in step.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&Finding) -> bool) {
        if self.sections.is_empty() {
            self.findings.retain(keep);
            return;
        }
        let mut all = std::mem::take(&mut self.findings).into_iter();
        for s in self.sections.iter_mut() {
            let mine: Vec<Finding> = all.by_ref().take(s.findings).filter(|f| keep(f)).collect();
            s.findings = mine.len();
            self.findings.extend(mine);
        }
        self.findings.extend(all.filter(|f| keep(f)));
    }

    /// How many charts failed to render.
    pub(crate) fn failed(&self) -> usize {
        self.sections
            .iter()
            .filter(|s| matches!(s.status, ChartStatus::Failed(_)))
            .count()
    }
}

impl Linted {
    fn absorb(&mut self, other: Linted) {
        self.findings.extend(other.findings);
        crate::redact::add_snippets(&mut self.sources, other.sources);
        self.objects += other.objects;
        self.environments.extend(other.environments);
        self.timings.extend(other.timings);
        self.stages.extend(other.stages);
        self.warnings.extend(other.warnings);
        self.sections.extend(other.sections);
        self.changes.extend(other.changes);
        self.values_uses.extend(other.values_uses);
    }
}

/// An environment of a chart: its values files (after the chart's values.yaml) and profile.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Environment {
    pub(crate) name: String,
    pub(crate) values: Vec<PathBuf>,
    pub(crate) profile: Profile,
}

/// What one lint shares across its charts and environments.
struct Lint<'a> {
    settings: &'a Settings,
    rule_ids: Vec<&'a str>,
    suppressions: ConfigRules,
    today: String,
    snippets: bool,
    /// `--dependency-update`.
    dependency_update: bool,
    /// `--previous`, resolved once (a git worktree lives as long as the lint).
    previous: Option<crate::upgrade::source::Source>,
    /// Threads for one chart's environments: `--jobs` (or the cores) shared among the
    /// charts linted at once.
    env_workers: usize,
    /// Engines prepared while charts render.
    warm: &'a evaluate::Warm,
}

impl Lint<'_> {
    /// Runs the pipeline with these evaluation options.
    fn run(
        &self,
        files: Vec<SourceFile>,
        map: &dyn crate::provenance::SourceMap,
        opts: &evaluate::Options,
        previous: Option<&crate::upgrade::Previous>,
    ) -> Result<pipeline::Run> {
        let mut evaluator = Parallel {
            policies: &self.settings.policies,
            opts,
            warm: Some(self.warm),
        };
        let cx = Context {
            opts,
            known_rules: &self.rule_ids,
            suppressions: &self.suppressions,
            today: &self.today,
            previous,
        };
        pipeline::run(files, map, &mut evaluator, &cx)
    }

    /// Lints manifest files (or stdin) as one release.
    fn files(&self, paths: &[String]) -> Result<Linted> {
        let expanded = files::expand(paths)?;
        let files = expanded
            .iter()
            .map(|p| files::read(p))
            .collect::<Result<Vec<_>, _>>()?;
        let before = self.previous_of_files()?;
        let run = self.run(files, &Identity, &self.settings.eval, before.as_ref())?;
        let mut sources = if self.snippets {
            run.snippets(BTreeMap::new())
        } else {
            BTreeMap::new()
        };
        if let (true, Some(b)) = (self.snippets, &before) {
            crate::redact::add_snippets(&mut sources, b.snippets(&run.findings));
        }
        let mut out = Linted {
            sources,
            objects: run.resources.len(),
            findings: run.findings,
            timings: run.timings,
            stages: run.stages,
            changes: run.changes,
            ..Linted::default()
        };
        crate::parallel::free_later((run.files, run.resources));
        if out.objects == 0 {
            out.warnings.push(format!(
                "no Kubernetes objects found in {}",
                paths.join(", ")
            ));
        }
        Ok(out)
    }

    /// Lints one chart in one environment (or with just the given values).
    fn chart(&self, chart: &Chart, env: Option<&Environment>) -> Result<Linted> {
        let mut render = self.settings.render.clone();
        let mut opts = self.settings.eval.clone();
        chart_settings(self.settings, chart, &mut render);
        if let Some(env) = env {
            render.values = env.values.iter().cloned().chain(render.values).collect();
            opts.profile = env.profile;
        }
        opts.release = Some(Release {
            name: render.release_name(chart),
            namespace: render.namespace.clone().unwrap_or_else(|| "default".into()),
        });
        let shown = display_path(&chart.path);
        let label = match env {
            Some(e) => format!("{shown} [{}]", e.name),
            None => shown.clone(),
        };
        // An environment's profile may need an engine of its own.
        self.warm.start(&opts);
        let before = self.previous_of_chart(chart, &render, &label, env)?;
        // The lint checks the values against the schemas itself, on another core while the
        // chart renders; the render then skips Helm's check (it changes no output, and a
        // violation must not stop the other rules).
        let policies = &self.settings.policies;
        if values_schema::checked_by_lint(&opts, policies) {
            render.skip_schema_validation = true;
        }
        let (mut values_findings, rendered, render_time) = std::thread::scope(|scope| {
            let (render, opts, label) = (&render, &opts, &label);
            let schema =
                scope.spawn(move || values_schema::findings(chart, render, opts, policies, label));
            let started = Instant::now();
            // One renderer per call: charts are rendered on several threads at once.
            let rendered = crate::render::renderer(&self.settings.helm_bin).render(chart, render);
            let render_time = started.elapsed();
            let findings = schema
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p));
            (findings, rendered, render_time)
        });
        let rendered = match rendered {
            Ok(r) => r,
            Err(e) => return values_schema::unrendered(values_findings, e.into(), &label),
        };
        let values_use = crate::values::RenderUse {
            env: env.map(|e| e.name.clone()),
            profile: opts.profile,
            values: render.values.clone(),
            sets: render
                .set
                .iter()
                .chain(&render.set_string)
                .cloned()
                .collect(),
            reads: rendered.reads.clone(),
        };
        let mut warnings: Vec<String> = rendered
            .notices
            .iter()
            .map(|n| format!("{label}: {n}"))
            .collect();
        let files = rendered
            .files
            .into_iter()
            .map(|f| SourceFile {
                name: if f.upgrade_only {
                    format!("{label} (rendered --is-upgrade)")
                } else {
                    format!("{label} (rendered)")
                },
                text: f.text,
            })
            .collect();
        let mut run = self.run(files, rendered.source_map.as_ref(), &opts, before.as_ref())?;
        if let Some(first) = run.changes.first_mut() {
            *first = format!("{label}: {first}");
        }
        run.stages.insert(0, ("render", render_time));
        if let Some(e) = env {
            for f in run.findings.iter_mut() {
                f.environments = vec![e.name.clone()];
            }
        }
        let mut sources = if self.snippets {
            run.snippets(rendered.source_map.templates())
        } else {
            BTreeMap::new()
        };
        if let (true, Some(b)) = (self.snippets, &before) {
            crate::redact::add_snippets(&mut sources, b.snippets(&run.findings));
        }
        if let Some(e) = env {
            for f in values_findings.iter_mut() {
                f.environments = vec![e.name.clone()];
            }
        }
        if self.snippets {
            crate::redact::add_snippets(&mut sources, values_schema::snippets(&values_findings));
        }
        run.findings.append(&mut values_findings);
        if run.resources.is_empty() {
            warnings.push(format!("{label}: the chart renders no Kubernetes objects"));
            let finding = renders_nothing(chart, &label);
            // Chart.yaml holds no values, so it needs no masking to be shown.
            if self.snippets && chart.unpacked {
                if let Ok(text) = std::fs::read_to_string(chart.path.join("Chart.yaml")) {
                    sources.insert(finding.location.file.clone(), text);
                }
            }
            run.findings.push(finding);
        }
        let linted = Linted {
            objects: run.resources.len(),
            findings: run.findings,
            sources,
            environments: env
                .map(|e| (e.name.clone(), e.profile))
                .into_iter()
                .collect(),
            rendered: run
                .resources
                .iter()
                .map(|r| {
                    crate::model::ObjectRef {
                        api_version: r.api_version.clone(),
                        kind: r.kind.clone(),
                        namespace: r.namespace.clone(),
                        name: r.name.clone(),
                    }
                    .id()
                })
                .collect(),
            timings: run.timings,
            stages: run.stages,
            warnings,
            sections: Vec::new(),
            changes: run.changes,
            values_uses: vec![values_use],
        };
        crate::parallel::free_later((run.files, run.resources));
        Ok(linted)
    }

    /// Values findings of a chart over all its renders (see [`crate::values`]).
    fn values(&self, chart: &Chart, model: Option<crate::values::Model>, out: &mut Linted) {
        let judge = crate::values::Judge {
            policies: &self.settings.policies,
            disabled: &self.settings.eval.disabled,
            profile: self.settings.eval.profile,
        };
        let mut checked =
            crate::values::check(chart, model, &out.values_uses, &judge, &mut out.findings);
        suppress::apply(&mut checked.findings, &[], &self.suppressions);
        out.findings.extend(checked.findings);
        out.warnings.extend(checked.warnings);
        if self.snippets {
            crate::redact::add_snippets(&mut out.sources, checked.sources);
        }
    }
}

/// The config's `charts:` entry for this chart: its values and `--set`s before the
/// command line's (which apply to every chart), its release name and namespace unless the
/// command line gave one.
fn chart_settings(settings: &Settings, chart: &Chart, render: &mut crate::render::RenderOptions) {
    let path = chart
        .path
        .canonicalize()
        .unwrap_or_else(|_| chart.path.clone());
    let Some(c) = settings.charts.get(&path) else {
        return;
    };
    fn before<T: Clone>(own: &[T], given: &mut Vec<T>) {
        given.splice(0..0, own.iter().cloned());
    }
    before(&c.values, &mut render.values);
    before(&c.set, &mut render.set);
    before(&c.set_string, &mut render.set_string);
    // Settings::lint dropped these when the command line gave its own.
    render.release_name = c.release_name.clone().or(render.release_name.take());
    render.namespace = c.namespace.clone().or(render.namespace.take());
}

/// Threads a lint may use: `--jobs`, or one per core.
fn jobs(settings: &Settings) -> usize {
    settings
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// What the user asked to lint, split into charts and plain manifest files.
pub(crate) fn split_targets(paths: &[String]) -> Result<(Vec<Chart>, Vec<String>)> {
    let mut charts = Vec::new();
    let mut files = Vec::new();
    for p in paths {
        let mut path = Path::new(p);
        // `chartguard lint charts/app/Chart.yaml` means the chart.
        if path.file_name().is_some_and(|f| f == "Chart.yaml") {
            path = path
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
        }
        if let Some(why) = remote_reference(p, path) {
            anyhow::bail!("{why}");
        }
        let found = if p == "-" {
            Vec::new()
        } else {
            find_charts(path)
        };
        if found.is_empty() {
            files.push(p.clone());
        } else {
            charts.extend(found);
        }
    }
    Ok((charts, files))
}

/// A chart reference Helm would fetch (`oci://…`, `https://…`, `repo/chart`) rather than a
/// local path: chartguard lints what is on disk, so the message says how to pull it.
/// Pulling it here would need the user's registry logins and repositories, and would lint
/// something other than what they review; an explicit `helm pull` keeps that visible.
fn remote_reference(arg: &str, path: &Path) -> Option<String> {
    let pull = |what: &str| {
        format!(
            "{arg}: {what}; chartguard lints local charts: pull it first, then lint the directory:\n  helm pull {arg} --untar --untardir /tmp/charts && chartguard lint /tmp/charts/{}",
            arg.rsplit('/').next().unwrap_or(arg).split(':').next().unwrap_or(arg)
        )
    };
    if let Some((scheme, _)) = arg.split_once("://") {
        if ["oci", "http", "https"].contains(&scheme) {
            return Some(pull(&format!("a chart reference ({scheme}://)")));
        }
    }
    // `bitnami/nginx`: two plain segments, nothing on disk.
    let segments: Vec<&str> = arg.split('/').collect();
    let plain = |s: &&str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    };
    if segments.len() == 2 && segments.iter().all(plain) && !arg.starts_with('.') && !path.exists()
    {
        return Some(pull(
            "no such file or directory, and it looks like a repo/chart reference",
        ));
    }
    None
}

/// The environments a chart ships values for: `values-<env>.yaml`, `values.<env>.yaml`,
/// `env/<env>.yaml`, `envs/`, `environments/`, `values/` — or the config's list.
pub(crate) fn environments(chart: &Chart, settings: &Settings) -> Vec<Environment> {
    let unknown = settings.unknown_environment_profile;
    if !settings.environments.is_empty() {
        return settings
            .environments
            .iter()
            .map(|(name, e)| Environment {
                name: name.clone(),
                values: e.values.iter().map(|v| chart.path.join(v)).collect(),
                profile: e
                    .profile
                    .unwrap_or_else(|| Profile::for_environment(name, unknown)),
            })
            .collect();
    }
    let mut envs: Vec<Environment> = Vec::new();
    let mut add = |name: &str, path: PathBuf| {
        if !name.is_empty() && !envs.iter().any(|e| e.name == name) {
            envs.push(Environment {
                name: name.to_string(),
                values: vec![path],
                profile: Profile::for_environment(name, unknown),
            });
        }
    };
    let Ok(entries) = std::fs::read_dir(&chart.path) else {
        return Vec::new();
    };
    let mut names: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    names.sort();
    for p in &names {
        let file = p.file_name().and_then(|f| f.to_str()).unwrap_or("");
        let stem = file
            .strip_suffix(".yaml")
            .or_else(|| file.strip_suffix(".yml"));
        if let Some(env) = stem.and_then(|s| {
            s.strip_prefix("values-")
                .or_else(|| s.strip_prefix("values."))
        }) {
            if p.is_file() {
                add(env, p.clone());
            }
        }
        if p.is_dir() && ["env", "envs", "environments", "values"].contains(&file) {
            let mut inner: Vec<PathBuf> = std::fs::read_dir(p)
                .into_iter()
                .flatten()
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            inner.sort();
            for q in inner {
                let f = q.file_name().and_then(|f| f.to_str()).unwrap_or("");
                if let Some(env) = f.strip_suffix(".yaml").or_else(|| f.strip_suffix(".yml")) {
                    add(env, q.clone());
                }
            }
        }
    }
    envs
}

/// Lints every target: manifest files as one release; each chart once, or once per
/// environment. A finding that several environments share is reported once, naming them.
/// `snippets`: keep the masked sources human output shows.
pub(crate) fn lint_all(
    paths: &[String],
    settings: &Settings,
    all_environments: bool,
    snippets: bool,
    dependency_update: bool,
) -> Result<Linted> {
    // The rules are known before anything is rendered: analysing them starts now.
    let warm = evaluate::Warm::new(&settings.policies);
    warm.start(&settings.eval);
    let today = suppress::today();
    let (suppressions, config_warnings) = ConfigRules::new(&settings.suppressions, &today);
    let mut lint = Lint {
        settings,
        warm: &warm,
        rule_ids: settings.rule_ids(),
        suppressions,
        today,
        snippets,
        dependency_update,
        previous: settings
            .previous
            .as_ref()
            .map(|w| previous::resolve(w, paths.first().map(String::as_str)))
            .transpose()?,
        env_workers: 1,
    };
    let (charts, files) = split_targets(paths)?;
    let (charts, files) = match settings.shard {
        Some(shard) => shard_of(charts, files, paths, shard),
        None => (charts, files),
    };
    lint.env_workers = (jobs(settings) / charts.len().max(1)).max(1);
    if let Some(source) = &lint.previous {
        // One previous release (a file or a chart) cannot be the previous of several.
        let many = charts.len() + usize::from(!files.is_empty()) > 1;
        if many && !matches!(source, crate::upgrade::source::Source::Git(_)) {
            anyhow::bail!(
                "--previous {}: one previous release for several charts; lint them one at a time, or give a git ref",
                source.describe()
            );
        }
    }
    let mut out = Linted::default();
    if !files.is_empty() {
        out.absorb(lint.files(&files)?);
    }
    // One chart alone keeps its errors as the run's error (exit 2 with Helm's message, an
    // error result in SARIF); of several, a failing chart is reported and the rest linted.
    if charts.len() == 1 && files.is_empty() && settings.shard.is_none() {
        if let Some(note) = library_chart(&charts[0]) {
            out.warnings.push(note);
        } else {
            out.absorb(lint.one_chart(&charts[0], all_environments)?);
        }
    } else if !charts.is_empty() {
        for (chart, result) in charts
            .iter()
            .zip(lint.many_charts(&charts, all_environments))
        {
            let label = display_path(&chart.path);
            let (status, mut linted) = match result {
                Ok(Some(l)) => (ChartStatus::Linted, l),
                Ok(None) => (
                    ChartStatus::Skipped(
                        "a library chart: its templates are linted through the charts that use it"
                            .into(),
                    ),
                    Linted::default(),
                ),
                Err(e) => (ChartStatus::Failed(format!("{e:#}")), Linted::default()),
            };
            linted.sections = vec![Section {
                label,
                status,
                findings: linted.findings.len(),
                objects: linted.objects,
            }];
            out.absorb(linted);
        }
    }
    out.warnings.extend(config_warnings);
    if let Some(note) = render_unstable_unavailable(settings, !charts.is_empty()) {
        out.warnings.push(note);
    }
    // The same words from several charts (values analysis unavailable) are said once.
    let mut seen = std::collections::HashSet::new();
    out.warnings.retain(|w| seen.insert(w.clone()));
    // Only when something was linted: a failed render leaves nothing to judge by.
    if out.failed() == 0 && (out.objects > 0 || !out.findings.is_empty()) {
        let ran = |id: &str| {
            !settings.eval.disabled.iter().any(|d| d == id)
                && settings.policies.rule(id).is_some_and(|r| {
                    r.meta.profiles.contains(&settings.eval.profile)
                        || out
                            .environments
                            .values()
                            .any(|p| r.meta.profiles.contains(p))
                })
        };
        out.warnings
            .extend(lint.suppressions.unused(&out.findings, ran));
    }
    Ok(out)
}

/// With `--renderer helm`, Helm's output does not say which values were generated at render
/// time: `render-unstable` cannot judge, and says so once instead of passing silently.
fn render_unstable_unavailable(settings: &Settings, any_chart: bool) -> Option<String> {
    let on = settings.policies.rule("render-unstable").is_some()
        && !settings
            .eval
            .disabled
            .iter()
            .any(|d| d == "render-unstable");
    (any_chart && on && settings.render.renderer == crate::render::RendererKind::Helm).then(|| {
        "render-unstable is not available with --renderer helm (only the built-in renderer sees which values are generated at render time); use --renderer native or auto".to_string()
    })
}

/// The charts of `shard` (by their path relative to the argument that found them), and
/// the manifest files in the first shard only, so that the shards' union is the whole lint.
fn shard_of(
    charts: Vec<Chart>,
    files: Vec<String>,
    paths: &[String],
    shard: crate::shard::Shard,
) -> (Vec<Chart>, Vec<String>) {
    let key = |c: &Chart| {
        let rel = paths
            .iter()
            .map(Path::new)
            .filter_map(|p| c.path.strip_prefix(p).ok())
            .find(|r| !r.as_os_str().is_empty())
            .unwrap_or(&c.path);
        rel.to_string_lossy().replace('\\', "/")
    };
    let charts = charts.into_iter().filter(|c| shard.has(&key(c))).collect();
    let files = if shard.index == 1 { files } else { Vec::new() };
    (charts, files)
}

/// `helm dependency build` (the versions in Chart.lock), or `helm dependency update` when
/// the chart has no Chart.lock yet.
fn dependency_update(helm: &Path, chart: &Path) -> Result<()> {
    let verb = if chart.join("Chart.lock").is_file() {
        "build"
    } else {
        "update"
    };
    let out = std::process::Command::new(helm)
        .args(["dependency", verb])
        .arg(chart)
        .stdin(std::process::Stdio::null())
        .output()
        .with_context(|| format!("cannot run {} (--helm-bin)", helm.display()))?;
    if !out.status.success() {
        anyhow::bail!(
            "{}: helm dependency {verb} failed:\n{}",
            display_path(chart),
            String::from_utf8_lossy(&out.stderr).trim_end()
        );
    }
    Ok(())
}

/// Helm's "missing in charts/ directory" gets the flag that fixes it.
fn suggest_dependency_update(err: anyhow::Error) -> anyhow::Error {
    match err.downcast::<RenderError>() {
        Ok(mut r) if r.message.contains("missing in charts/ directory") => {
            r.message.push_str(
                "\nhint: run chartguard with --dependency-update (or `helm dependency build` in the chart) to fetch them",
            );
            anyhow::Error::new(r)
        }
        Ok(r) => anyhow::Error::new(r),
        Err(e) => e,
    }
}

/// The finding for a chart that renders no objects (likely a values mistake: a feature
/// flag off, a wrong file), so SARIF and the exit code do not call it clean.
fn renders_nothing(chart: &Chart, label: &str) -> Finding {
    let file = if chart.unpacked {
        display_path(&chart.path.join("Chart.yaml"))
    } else {
        display_path(&chart.path)
    };
    let location = crate::model::Location {
        file,
        line: 1,
        column: 1,
        end_line: 1,
        end_column: 1,
        template: None,
    };
    let mut f = Finding::about_chart(
        "helm-render-empty",
        crate::model::Severity::Warning,
        &chart.name,
        String::new(),
        format!("{label}: the chart renders no Kubernetes objects"),
        location,
        crate::model::fingerprint(&["helm-render-empty", &chart.name]),
    );
    f.why = "A release with no objects installs nothing: usually a values mistake (every feature switched off, the wrong values file), and a linter that reports it clean hides it.".into();
    f.fix = "Check the values the chart was rendered with (-f, --set, the environment's values file), or do not lint a chart that is meant to be empty.".into();
    f
}

/// A note when `chart` is a library chart (Helm will not render it), else None.
fn library_chart(chart: &Chart) -> Option<String> {
    let text = std::fs::read_to_string(chart.path.join("Chart.yaml")).ok()?;
    let library = text.lines().any(|l| {
        l.strip_prefix("type:")
            .is_some_and(|v| v.trim().trim_matches(['"', '\'']) == "library")
    });
    library.then(|| {
        format!(
            "{}: skipped, a library chart (its templates are linted through the charts that use it)",
            display_path(&chart.path)
        )
    })
}

impl Lint<'_> {
    /// One chart, once or once per environment.
    fn one_chart(&self, chart: &Chart, all_environments: bool) -> Result<Linted> {
        if self.dependency_update && chart.unpacked {
            dependency_update(&self.settings.helm_bin, &chart.path)?;
        }
        self.one_chart_rendered(chart, all_environments)
            .map_err(suggest_dependency_update)
    }

    fn one_chart_rendered(&self, chart: &Chart, all_environments: bool) -> Result<Linted> {
        // The values model comes from the chart alone: it is built on another core while
        // the chart renders and is judged.
        std::thread::scope(|scope| {
            let model = scope.spawn(|| crate::values::model_of(chart));
            let model = move || model.join().ok().flatten();
            let envs = if all_environments {
                environments(chart, self.settings)
            } else {
                Vec::new()
            };
            if envs.is_empty() {
                let mut out = self.chart(chart, None)?;
                self.values(chart, model(), &mut out);
                if all_environments {
                    out.warnings.push(format!(
                        "{}: no environment values files found; linted with values.yaml only",
                        display_path(&chart.path)
                    ));
                }
                return Ok(out);
            }
            // Environments render and evaluate independently: in parallel, merged in the
            // environments' order (the first failing environment's error, as serially).
            let per_env =
                parallel::map_in_order(&envs, self.env_workers, |env| self.chart(chart, Some(env)));
            let mut out = merge(per_env.into_iter().collect::<Result<Vec<_>>>()?);
            self.values(chart, model(), &mut out);
            Ok(out)
        })
    }

    /// Several charts, rendered and linted on as many threads as there are cores; results
    /// in the order of `charts` whatever order they finish in. `Ok(None)`: a library chart.
    fn many_charts(&self, charts: &[Chart], all_environments: bool) -> Vec<Result<Option<Linted>>> {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Mutex;
        let workers = jobs(self.settings).min(charts.len());
        let next = AtomicUsize::new(0);
        let done = AtomicUsize::new(0);
        let results: Mutex<Vec<Option<Result<Option<Linted>>>>> =
            Mutex::new((0..charts.len()).map(|_| None).collect());
        // Progress is for a person watching: never in pipes or CI logs.
        let progress = std::io::IsTerminal::is_terminal(&std::io::stderr());
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(chart) = charts.get(i) else { break };
                    let result = if library_chart(chart).is_some() {
                        Ok(None)
                    } else {
                        match self.one_chart(chart, all_environments) {
                            Ok(l) => Ok(Some(l)),
                            // A packaged library chart is only known by Helm's refusal.
                            Err(e)
                                if e.downcast_ref::<RenderError>().is_some_and(|r| {
                                    r.message.contains("library charts are not installable")
                                }) =>
                            {
                                Ok(None)
                            }
                            Err(e) => Err(e),
                        }
                    };
                    results.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(result);
                    let n = done.fetch_add(1, Ordering::SeqCst) + 1;
                    if progress {
                        eprint!(
                            "\r\x1b[2Kchartguard: {n}/{} charts ({})",
                            charts.len(),
                            display_path(&chart.path)
                        );
                    }
                });
            }
        });
        if progress {
            eprint!("\r\x1b[2K");
        }
        results
            .into_inner()
            .unwrap_or_else(|p| p.into_inner())
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(anyhow::anyhow!("chart was not linted"))))
            .collect()
    }
}

/// One chart's environments as one outcome: a finding (by fingerprint) is kept once, with
/// every environment it occurs in, and each environment's values file when they differ.
fn merge(per_env: Vec<Linted>) -> Linted {
    let mut merged = Linted::default();
    let mut findings: Vec<Finding> = Vec::new();
    // Fingerprint → position in `findings`: thousands of findings per environment must
    // not be merged by a linear search each.
    let mut seen: HashMap<String, usize> = HashMap::new();
    // Environment → the objects it rendered: a suppression is unused only when it is unused
    // in every environment that renders its object.
    let rendered: Vec<(String, std::collections::BTreeSet<String>)> = per_env
        .iter()
        .flat_map(|o| {
            o.environments
                .keys()
                .map(|e| (e.clone(), o.rendered.clone()))
        })
        .collect();
    for mut o in per_env {
        for f in std::mem::take(&mut o.findings) {
            match seen.get(&f.fingerprint).map(|&i| &mut findings[i]) {
                Some(g) => {
                    for e in &f.environments {
                        if !g.environments.contains(e) {
                            g.environments.push(e.clone());
                        }
                    }
                    // Each environment may take the value from a different file: say so.
                    if let (Some(gv), Some(fv)) = (g.value.as_mut(), f.value.as_ref()) {
                        if gv.hint != fv.hint && !gv.hint.contains(&fv.hint) {
                            let first = g.environments.first().cloned().unwrap_or_default();
                            if !gv.hint.starts_with(&format!("{first}: ")) {
                                gv.hint = format!("{first}: {}", gv.hint);
                            }
                            gv.hint.push_str(&format!(
                                "; {}: {}",
                                f.environments.join(", "),
                                fv.hint
                            ));
                        }
                    }
                }
                None => {
                    seen.insert(f.fingerprint.clone(), findings.len());
                    findings.push(f);
                }
            }
        }
        merged.absorb(o);
    }
    findings.retain(|f| {
        f.rule != "suppression-unused"
            || rendered
                .iter()
                .filter(|(_, objects)| objects.contains(&f.object.id()))
                .all(|(env, _)| f.environments.contains(env))
    });
    merged.findings = findings;
    merged
}
