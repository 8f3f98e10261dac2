//! The one pipeline every command runs — `lint` per chart and environment or over manifest
//! files, `gate` over Helm's output, `serve` per admitted object: parse → suppression
//! annotations → Rego input → evaluate → located findings → suppressions applied.

use crate::evaluate::{self, Evaluator, Timing};
use crate::files::SourceFile;
use crate::model::Finding;
use crate::parse::{self, Resource};
use crate::provenance::SourceMap;
use crate::suppress::{self, ConfigRules};
use crate::{findings, redact};
use anyhow::Result;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// What a run is judged against, besides its rules.
pub(crate) struct Context<'a> {
    pub(crate) opts: &'a evaluate::Options,
    /// Every rule id an inline `chartguard.io/ignore` may name (rules not run included).
    pub(crate) known_rules: &'a [&'a str],
    pub(crate) suppressions: &'a ConfigRules,
    /// `YYYY-MM-DD`, for suppressions' `until`.
    pub(crate) today: &'a str,
}

/// Everything one run produced.
pub(crate) struct Run {
    pub(crate) files: Vec<SourceFile>,
    pub(crate) resources: Vec<Resource>,
    pub(crate) findings: Vec<Finding>,
    /// Per-rule evaluation time, slowest first (with `--timings`).
    pub(crate) timings: Vec<Timing>,
    /// Wall time of each stage.
    pub(crate) stages: Vec<(&'static str, Duration)>,
}

/// Runs the pipeline over the files one renderer produced (or that were read as they are),
/// located through that renderer's source map.
pub(crate) fn run(
    files: Vec<SourceFile>,
    map: &dyn SourceMap,
    evaluator: &mut dyn Evaluator,
    cx: &Context<'_>,
) -> Result<Run> {
    let mut stages = Vec::new();
    let mut clock = Instant::now();
    let mut lap = |name: &'static str, stages: &mut Vec<_>| {
        stages.push((name, clock.elapsed()));
        clock = Instant::now();
    };
    let resources = parse::parse_files(&files)?;
    lap("parse", &mut stages);
    let (inline, problems) = suppress::inline(&resources, cx.known_rules, cx.today);
    let input = evaluate::input::build(&resources, cx.opts, &files, &problems);
    lap("input", &mut stages);
    let (mut violations, timings) = evaluator.evaluate(input)?;
    // Whatever order the rules ran in, output is the same from run to run.
    violations
        .sort_by(|a, b| (a.rule, &a.target, &a.message).cmp(&(b.rule, &b.target, &b.message)));
    lap("evaluate", &mut stages);
    let mut findings =
        findings::locate_all(evaluator.policies(), &resources, &files, &violations, map);
    suppress::apply(&mut findings, &inline, cx.suppressions);
    findings.extend(unused_suppressions(
        evaluator.policies(),
        &resources,
        &files,
        &inline,
        &findings,
        map,
        cx,
    ));
    lap("locate", &mut stages);
    Ok(Run {
        files,
        resources,
        findings,
        timings,
        stages,
    })
}

/// `suppression-unused`: known only once every other rule ran, so made here from their
/// findings (with the place and message its Rego rule gives), when that rule ran too.
fn unused_suppressions(
    policies: &evaluate::policy::PolicySet,
    resources: &[Resource],
    files: &[SourceFile],
    inline: &[suppress::Inline],
    findings: &[Finding],
    map: &dyn SourceMap,
    cx: &Context<'_>,
) -> Vec<Finding> {
    let selected = evaluate::selected(policies, cx.opts);
    let Some(&(rule, _)) = selected
        .iter()
        .find(|(_, r)| r.meta.id == "suppression-unused")
    else {
        return Vec::new();
    };
    let ran = |id: &str| selected.iter().any(|(_, r)| r.meta.id == id);
    let violations: Vec<evaluate::Violation> =
        suppress::unused_inline(resources, inline, findings, ran)
            .into_iter()
            .map(|p| evaluate::Violation {
                rule,
                target: crate::model::Target {
                    resource: p.resource,
                    path: p.path,
                },
                message: p.message,
                related: Vec::new(),
                severity: None,
            })
            .collect();
    if violations.is_empty() {
        return Vec::new();
    }
    let mut out = findings::locate_all(policies, resources, files, &violations, map);
    suppress::apply(&mut out, inline, cx.suppressions);
    out
}

impl Run {
    /// The masked text of every file a finding may point at, by display name: the files
    /// that were linted and the `templates` the source map read.
    pub(crate) fn snippets(&self, templates: BTreeMap<String, String>) -> BTreeMap<String, String> {
        let docs: Vec<redact::Doc<'_>> = self
            .resources
            .iter()
            .map(|r| redact::Doc {
                file: r.origin.file,
                kind: &r.kind,
                root: &r.root,
                dropped: &r.dropped,
            })
            .collect();
        let masked = redact::files(&self.files, &docs, &self.findings);
        let templates = redact::templates(templates, &self.files, &masked, &self.findings);
        let mut sources: BTreeMap<String, String> = self
            .files
            .iter()
            .map(|f| f.name.clone())
            .zip(masked)
            .collect();
        sources.extend(templates);
        sources
    }
}
