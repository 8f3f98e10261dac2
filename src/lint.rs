//! One `chartguard lint` invocation: what to lint (manifest files, or charts rendered once per
//! environment), through render → parse → evaluate → report, and the findings merged.

use crate::config::{profile_for, Config};
use crate::evaluate::{self, policy::PolicySet, PathSeg};
use crate::input::{self, SourceFile};
use crate::parse::{self, Resource};
use crate::render::{self, instrument, values, Chart, HelmOptions};
use crate::report::{self, Finding, Location};
use anyhow::Result;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

/// Everything a lint produced, ready for the reporters.
/// `sources` is only filled when snippets are wanted (human output).
#[derive(Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    /// Redacted text of every file a finding may point at, by display name.
    pub sources: BTreeMap<String, String>,
    /// Objects linted (summed over environments).
    pub objects: usize,
    pub timings: Vec<evaluate::Timing>,
    pub stages: Vec<(&'static str, std::time::Duration)>,
    /// Things the user should know that are not findings (e.g. a chart that renders nothing).
    pub warnings: Vec<String>,
}

impl Outcome {
    fn absorb(&mut self, other: Outcome) {
        self.findings.extend(other.findings);
        self.sources.extend(other.sources);
        self.objects += other.objects;
        self.timings.extend(other.timings);
        self.stages.extend(other.stages);
        self.warnings.extend(other.warnings);
    }
}

/// An environment of a chart: its values files (after the chart's values.yaml) and profile.
#[derive(Debug, Clone, PartialEq)]
pub struct Environment {
    pub name: String,
    pub values: Vec<PathBuf>,
    pub profile: String,
}

/// What the user asked to lint, split into charts and plain manifest files.
pub fn split_targets(paths: &[String]) -> Result<(Vec<Chart>, Vec<String>)> {
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
            render::find_charts(path)
        };
        if found.is_empty() {
            files.push(p.clone());
        } else {
            charts.extend(found);
        }
    }
    Ok((charts, files))
}

/// Lints manifest files (or stdin) as one release.
pub fn lint_files(
    paths: &[String],
    policies: &PolicySet,
    opts: &evaluate::Options,
    snippets: bool,
) -> Result<Outcome> {
    let expanded = input::expand(paths)?;
    let files = expanded
        .iter()
        .map(|p| input::read(p))
        .collect::<Result<Vec<_>, _>>()?;
    let run = crate::lint_sources(files, policies, opts)?;
    let texts = if snippets {
        report::redacted_sources(&run.files, &run.resources, &run.findings)
    } else {
        Vec::new()
    };
    let mut out = Outcome {
        sources: run
            .files
            .iter()
            .map(|f| f.name.clone())
            .zip(texts)
            .collect(),
        objects: run.resources.len(),
        findings: run.findings,
        timings: run.timings,
        stages: run.stages,
        warnings: Vec::new(),
    };
    if run.resources.is_empty() {
        out.warnings.push(format!(
            "no Kubernetes objects found in {}",
            paths.join(", ")
        ));
    }
    Ok(out)
}

/// The environments a chart ships values for: `values-<env>.yaml`, `values.<env>.yaml`,
/// `env/<env>.yaml`, `envs/`, `environments/`, `values/` — or the config's list.
pub fn environments(chart: &Chart, cfg: Option<&Config>) -> Vec<Environment> {
    let unknown = cfg
        .and_then(|c| c.unknown_environment_profile.clone())
        .unwrap_or_else(|| "prod".into());
    if let Some(cfg) = cfg.filter(|c| !c.environments.is_empty()) {
        return cfg
            .environments
            .iter()
            .map(|(name, e)| Environment {
                name: name.clone(),
                values: e.values.iter().map(|v| chart.path.join(v)).collect(),
                profile: e
                    .profile
                    .clone()
                    .unwrap_or_else(|| profile_for(name, &unknown)),
            })
            .collect();
    }
    let mut envs: Vec<Environment> = Vec::new();
    let mut add = |name: &str, path: PathBuf| {
        if !name.is_empty() && !envs.iter().any(|e| e.name == name) {
            envs.push(Environment {
                name: name.to_string(),
                values: vec![path],
                profile: profile_for(name, &unknown),
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

fn identity(root: &crate::parse::yaml::Node) -> Option<(String, String, String)> {
    let s =
        |n: Option<&crate::parse::yaml::Node>| n.and_then(|n| n.as_str()).unwrap_or("").to_string();
    let meta = root.get("metadata");
    Some((
        s(root.get("kind")),
        s(meta.and_then(|m| m.get("namespace"))),
        s(meta.and_then(|m| m.get("name"))),
    ))
}

/// Renders a chart (and the documents only an upgrade renders) as the files of one release.
fn render_release(
    chart: &Chart,
    helm: &HelmOptions,
    label: &str,
    warnings: &mut Vec<String>,
) -> Result<Vec<(SourceFile, bool)>> {
    let (install, notices) = render::helm_template_with_notices(&chart.path, chart, helm, false)?;
    for (value, places) in render::skipped_hooks(chart, &notices) {
        let at: Vec<String> = places
            .iter()
            .map(|(p, l)| format!("{}:{l}", input::display_path(p)))
            .collect();
        warnings.push(format!(
            "{label}: Helm dropped a document whose helm.sh/hook is \"{value}\", an event it does not know: the object is neither installed nor run as a hook{}",
            if at.is_empty() { String::new() } else { format!(" ({})", at.join(", ")) }
        ));
    }
    let mut files = vec![(
        SourceFile {
            name: format!("{label} (rendered)"),
            text: install,
        },
        false,
    )];
    if render::has_upgrade_logic(chart) {
        // The install render is what the user asked for; the upgrade render only adds
        // upgrade-only documents. Charts may refuse to render an upgrade without values a
        // real `helm upgrade` gets (Bitnami's "provide your current passwords"): say so
        // loudly, and lint the install.
        let upgrade = match render::helm_template(&chart.path, chart, helm, true) {
            Ok(text) => text,
            Err(e) => {
                warnings.push(format!(
                    "{label}: `helm template --is-upgrade` failed, so documents only an upgrade renders are not linted: {}",
                    e.message.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
                ));
                return Ok(files);
            }
        };
        let seen: HashSet<_> = parse::chunks(&files[0].0.text)
            .iter()
            .filter_map(|c| parse::yaml::parse_document(c.text, 0).ok().flatten())
            .filter_map(|d| identity(&d.root))
            .collect();
        let mut extra = String::new();
        for c in parse::chunks(&upgrade) {
            let Ok(Some(doc)) = parse::yaml::parse_document(c.text, 0) else {
                continue;
            };
            if identity(&doc.root).is_some_and(|id| !seen.contains(&id)) {
                extra.push_str("---\n");
                extra.push_str(c.text.trim_start_matches('\n'));
                if !extra.ends_with('\n') {
                    extra.push('\n');
                }
            }
        }
        if !extra.is_empty() {
            files.push((
                SourceFile {
                    name: format!("{label} (rendered --is-upgrade)"),
                    text: extra,
                },
                true,
            ));
        }
    }
    Ok(files)
}

/// Lints one chart in one environment (or with just the given values).
pub fn lint_chart(
    chart: &Chart,
    env: Option<&Environment>,
    helm: &HelmOptions,
    policies: &PolicySet,
    opts: &evaluate::Options,
    snippets: bool,
) -> Result<Outcome> {
    let mut helm = helm.clone();
    let mut opts = opts.clone();
    if let Some(env) = env {
        helm.values = env.values.iter().cloned().chain(helm.values).collect();
        opts.profile = env.profile.clone();
    }
    opts.release = Some((
        helm.release_name
            .clone()
            .unwrap_or_else(|| chart.name.clone()),
        helm.namespace.clone().unwrap_or_else(|| "default".into()),
    ));
    let shown = input::display_path(&chart.path);
    let label = match env {
        Some(e) => format!("{shown} [{}]", e.name),
        None => shown.clone(),
    };
    let started = std::time::Instant::now();
    let mut warnings = Vec::new();
    let rendered = render_release(chart, &helm, &label, &mut warnings)?;
    let render_time = started.elapsed();
    let upgrade_flags: Vec<bool> = rendered.iter().map(|(_, u)| *u).collect();
    let files: Vec<SourceFile> = rendered.into_iter().map(|(f, _)| f).collect();
    let mut run = crate::lint_sources(files, policies, &opts)?;
    run.stages.insert(0, ("render", render_time));

    // Map to template lines with an instrumented render per rendered file.
    let started = std::time::Instant::now();
    let mut doc_index = vec![0usize; run.resources.len()];
    let mut maps = Vec::new();
    for (k, upgrade) in upgrade_flags.iter().enumerate() {
        let clean: Vec<(Option<String>, parse::yaml::Node)> = run
            .resources
            .iter()
            .enumerate()
            .filter(|(_, r)| r.origin.file == k)
            .enumerate()
            .map(|(pos, (i, r))| {
                doc_index[i] = pos;
                (r.origin.template.clone(), r.root.clone())
            })
            .collect();
        let needed = run
            .findings
            .iter()
            .any(|f| run.resources[f.target.0].origin.file == k);
        maps.push(if needed {
            instrument::build_map(chart, &helm, *upgrade, &clean)
        } else {
            instrument::TemplateMap::default()
        });
    }
    let chart_values = chart.path.join("values.yaml");
    let values_files: Vec<values::ValuesFile> = std::iter::once(&chart_values)
        .chain(helm.values.iter())
        .filter_map(|p| values::ValuesFile::read(p))
        .collect();
    let set_args: Vec<String> = helm.set.iter().chain(&helm.set_string).cloned().collect();
    let mapper = Mapper {
        chart,
        resources: &run.resources,
        maps: &maps,
        doc_index: &doc_index,
        values_files: &values_files,
        set_args: &set_args,
        templates: Default::default(),
        subchart_values: Default::default(),
    };
    for f in run.findings.iter_mut() {
        if let Some((loc, method, value)) = mapper.map(&f.target.0, &f.target.1) {
            let rendered = std::mem::replace(&mut f.location, loc);
            f.rendered = Some(rendered);
            f.mapped_by = Some(method);
            f.value = value;
        }
        for rel in f.related.iter_mut() {
            if let Some((loc, _, _)) = mapper.map(&rel.target.0, &rel.target.1) {
                rel.rendered = Some(std::mem::replace(&mut rel.location, loc));
            }
        }
        if let Some(e) = env {
            f.environments = vec![e.name.clone()];
        }
    }
    run.stages.push(("map", started.elapsed()));
    let templates = mapper.templates.into_inner();

    let texts = if snippets {
        report::redacted_sources(&run.files, &run.resources, &run.findings)
    } else {
        Vec::new()
    };
    let mut sources: BTreeMap<String, String> = run
        .files
        .iter()
        .map(|f| f.name.clone())
        .zip(texts)
        .collect();
    if snippets {
        // A template line is masked when what it rendered was masked (Secret data,
        // binaryData, credential-looking keys, dropped duplicates …): the redaction of the
        // rendered output decides, the template follows.
        fn lines_of(text: &str) -> Vec<&str> {
            text.lines().collect()
        }
        let masked: Vec<(String, usize)> = {
            let rendered: BTreeMap<&str, (Vec<&str>, Vec<&str>)> = run
                .files
                .iter()
                .filter_map(|f| {
                    Some((
                        f.name.as_str(),
                        (lines_of(&f.text), lines_of(sources.get(&f.name)?)),
                    ))
                })
                .collect();
            let masked_in_render = |at: &Option<Location>| {
                at.as_ref().is_some_and(|r| {
                    rendered
                        .get(r.file.as_str())
                        .is_some_and(|(original, redacted)| {
                            original.get(r.line - 1) != redacted.get(r.line - 1)
                        })
                })
            };
            let mut masked: Vec<(String, usize)> = Vec::new();
            for f in &run.findings {
                if f.sensitive || masked_in_render(&f.rendered) {
                    masked.push((f.location.file.clone(), f.location.line));
                    // A flag's value may sit on the next line (`- --token` / `- LITERAL`).
                    if f.sensitive && matches!(f.target.1.last(), Some(PathSeg::Index(_))) {
                        masked.push((f.location.file.clone(), f.location.line + 1));
                    }
                }
                for rel in f
                    .related
                    .iter()
                    .filter(|rel| masked_in_render(&rel.rendered))
                {
                    masked.push((rel.location.file.clone(), rel.location.line));
                }
            }
            masked
        };
        for (name, text) in templates {
            let lines: Vec<usize> = masked
                .iter()
                .filter(|(file, _)| *file == name)
                .map(|(_, line)| *line)
                .collect();
            let redacted = report::redact_template(&text, &lines);
            sources.insert(name, redacted);
        }
    }
    if run.resources.is_empty() {
        warnings.push(format!("{label}: the chart renders no Kubernetes objects"));
    }
    Ok(Outcome {
        objects: run.resources.len(),
        findings: run.findings,
        sources,
        timings: run.timings,
        stages: run.stages,
        warnings,
    })
}

struct Mapper<'a> {
    chart: &'a Chart,
    resources: &'a [Resource],
    maps: &'a [instrument::TemplateMap],
    doc_index: &'a [usize],
    values_files: &'a [values::ValuesFile],
    set_args: &'a [String],
    /// Template texts by display name, read once however many findings point into them
    /// (also the snippets' sources).
    templates: std::cell::RefCell<BTreeMap<String, String>>,
    /// Subcharts' own values.yaml, parsed once.
    subchart_values:
        std::cell::RefCell<std::collections::HashMap<PathBuf, Option<values::ValuesFile>>>,
}

impl Mapper<'_> {
    /// The template location of a field of a rendered object, how it was found, and the
    /// values key behind it. The template's text is kept in `templates`.
    fn map(
        &self,
        resource: &usize,
        path: &[PathSeg],
    ) -> Option<(Location, instrument::Method, Option<values::ValueSource>)> {
        let r = &self.resources[*resource];
        let source = r.origin.template.as_deref()?;
        let file = render::template_file(self.chart, source)?;
        let shown = input::display_path(&file);
        let mut templates = self.templates.borrow_mut();
        let text = match templates.entry(shown.clone()) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert(std::fs::read_to_string(&file).ok()?)
            }
        };
        let text: &str = text;
        let doc = self
            .maps
            .get(r.origin.file)
            .and_then(|m| m.docs.get(self.doc_index[*resource]))
            .and_then(Option::as_ref);
        let (line, method) = match doc.and_then(|d| d.line_of(path)) {
            Some(l) => (l, instrument::Method::Marker),
            None => match instrument::key_path_line(text, path) {
                Some(l) => (l, instrument::Method::KeyPath),
                None => (
                    instrument::doc_start(text).unwrap_or(1),
                    instrument::Method::Document,
                ),
            },
        };
        let line_text = text.lines().nth(line - 1).unwrap_or("");
        let key = path.iter().rev().find_map(|s| match s {
            PathSeg::Key(k) => Some(k.as_str()),
            PathSeg::Index(_) => None,
        });
        // The key as written: bare, or quoted as annotations usually are.
        let found = key.and_then(|k| {
            [format!("{k}:"), format!("\"{k}\":"), format!("'{k}':")]
                .iter()
                .find_map(|pat| line_text.find(pat.as_str()).map(|i| (i, pat.len() - 1)))
        });
        let (column, end) = match found {
            Some((i, len)) => (
                line_text[..i].chars().count() + 1,
                line_text[..i].chars().count() + 1 + line_text[i..i + len].chars().count(),
            ),
            None => {
                let indent = line_text.chars().take_while(|c| c.is_whitespace()).count();
                (indent + 1, line_text.chars().count().max(indent + 1) + 1)
            }
        };
        let subchart = subchart_of(self.chart, source);
        let mut subchart_values = self.subchart_values.borrow_mut();
        let own = subchart.as_ref().and_then(|(dir, _)| {
            subchart_values
                .entry(dir.clone())
                .or_insert_with(|| values::ValuesFile::read(&dir.join("values.yaml")))
                .as_ref()
        });
        let value = values::sources_of(
            &values::keys_for_line(text, line),
            self.values_files,
            self.set_args,
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
        Some((location, method, value))
    }
}

/// For `parent/charts/sub/templates/x.yaml`: the subchart's directory and name.
fn subchart_of(chart: &Chart, source: &str) -> Option<(PathBuf, String)> {
    let rest = source.split_once('/')?.1;
    let sub = rest.strip_prefix("charts/")?.split('/').next()?;
    Some((chart.path.join("charts").join(sub), sub.to_string()))
}

/// Lints every target: manifest files as one release; each chart once, or once per
/// environment. A finding that several environments share is reported once, naming them.
pub fn lint_all(
    paths: &[String],
    policies: &PolicySet,
    opts: &evaluate::Options,
    helm: &HelmOptions,
    all_environments: bool,
    config: Option<&Config>,
    snippets: bool,
) -> Result<Outcome> {
    let (charts, files) = split_targets(paths)?;
    let mut out = Outcome::default();
    if !files.is_empty() {
        out.absorb(lint_files(&files, policies, opts, snippets)?);
    }
    for chart in &charts {
        let envs = if all_environments {
            environments(chart, config)
        } else {
            Vec::new()
        };
        if envs.is_empty() {
            if all_environments {
                out.warnings.push(format!(
                    "{}: no environment values files found; linted with values.yaml only",
                    input::display_path(&chart.path)
                ));
            }
            out.absorb(lint_chart(chart, None, helm, policies, opts, snippets)?);
            continue;
        }
        let mut per_env = Vec::new();
        for env in &envs {
            let o = lint_chart(chart, Some(env), helm, policies, opts, snippets)?;
            per_env.push(o);
        }
        let mut merged = Outcome::default();
        let mut findings: Vec<Finding> = Vec::new();
        // Fingerprint → position in `findings`: thousands of findings per environment must
        // not be merged by a linear search each.
        let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
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
        out.absorb(merged);
    }
    Ok(out)
}
