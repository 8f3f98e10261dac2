//! `chartguard lint`: what to lint — manifest files as one release, or charts rendered once
//! (or once per environment) — each through the [pipeline](crate::pipeline), and the
//! findings of a chart's environments merged into one list.

use crate::cli::settings::Settings;
use crate::evaluate::{self, Parallel, Release, Timing};
use crate::files::{self, display_path, SourceFile};
use crate::model::{Finding, Profile};
use crate::pipeline::{self, Context};
use crate::provenance::Identity;
use crate::render::{find_charts, Chart, Renderer};
use crate::suppress::{self, ConfigRules};
use anyhow::Result;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

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
}

impl Linted {
    fn absorb(&mut self, other: Linted) {
        self.findings.extend(other.findings);
        self.sources.extend(other.sources);
        self.objects += other.objects;
        self.environments.extend(other.environments);
        self.timings.extend(other.timings);
        self.stages.extend(other.stages);
        self.warnings.extend(other.warnings);
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
    renderer: Box<dyn Renderer>,
    rule_ids: Vec<&'a str>,
    suppressions: ConfigRules,
    today: String,
    snippets: bool,
}

impl Lint<'_> {
    /// Runs the pipeline with these evaluation options.
    fn run(
        &self,
        files: Vec<SourceFile>,
        map: &dyn crate::provenance::SourceMap,
        opts: &evaluate::Options,
    ) -> Result<pipeline::Run> {
        let mut evaluator = Parallel {
            policies: &self.settings.policies,
            opts,
        };
        let cx = Context {
            opts,
            known_rules: &self.rule_ids,
            suppressions: &self.suppressions,
            today: &self.today,
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
        let run = self.run(files, &Identity, &self.settings.eval)?;
        let mut out = Linted {
            sources: if self.snippets {
                run.snippets(BTreeMap::new())
            } else {
                BTreeMap::new()
            },
            objects: run.resources.len(),
            findings: run.findings,
            timings: run.timings,
            stages: run.stages,
            ..Linted::default()
        };
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
        let started = Instant::now();
        let rendered = self.renderer.render(chart, &render)?;
        let render_time = started.elapsed();
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
        let mut run = self.run(files, rendered.source_map.as_ref(), &opts)?;
        run.stages.insert(0, ("render", render_time));
        if let Some(e) = env {
            for f in run.findings.iter_mut() {
                f.environments = vec![e.name.clone()];
            }
        }
        let sources = if self.snippets {
            run.snippets(rendered.source_map.templates())
        } else {
            BTreeMap::new()
        };
        if run.resources.is_empty() {
            warnings.push(format!("{label}: the chart renders no Kubernetes objects"));
        }
        Ok(Linted {
            objects: run.resources.len(),
            findings: run.findings,
            sources,
            environments: env
                .map(|e| (e.name.clone(), e.profile))
                .into_iter()
                .collect(),
            timings: run.timings,
            stages: run.stages,
            warnings,
        })
    }
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
) -> Result<Linted> {
    let today = suppress::today();
    let (suppressions, config_warnings) = ConfigRules::new(&settings.suppressions, &today);
    let lint = Lint {
        settings,
        renderer: crate::render::renderer(&settings.helm_bin),
        rule_ids: settings.rule_ids(),
        suppressions,
        today,
        snippets,
    };
    let (charts, files) = split_targets(paths)?;
    let mut out = Linted::default();
    if !files.is_empty() {
        out.absorb(lint.files(&files)?);
    }
    for chart in &charts {
        let envs = if all_environments {
            environments(chart, settings)
        } else {
            Vec::new()
        };
        if envs.is_empty() {
            if all_environments {
                out.warnings.push(format!(
                    "{}: no environment values files found; linted with values.yaml only",
                    display_path(&chart.path)
                ));
            }
            out.absorb(lint.chart(chart, None)?);
            continue;
        }
        let mut per_env = Vec::new();
        for env in &envs {
            per_env.push(lint.chart(chart, Some(env))?);
        }
        out.absorb(merge(per_env));
    }
    out.warnings.extend(config_warnings);
    Ok(out)
}

/// One chart's environments as one outcome: a finding (by fingerprint) is kept once, with
/// every environment it occurs in, and each environment's values file when they differ.
fn merge(per_env: Vec<Linted>) -> Linted {
    let mut merged = Linted::default();
    let mut findings: Vec<Finding> = Vec::new();
    // Fingerprint → position in `findings`: thousands of findings per environment must
    // not be merged by a linear search each.
    let mut seen: HashMap<String, usize> = HashMap::new();
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
    merged.findings = findings;
    merged
}
