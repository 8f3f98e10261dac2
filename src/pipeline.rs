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

mod previous;

/// What a run is judged against, besides its rules.
pub(crate) struct Context<'a> {
    pub(crate) opts: &'a evaluate::Options,
    /// Every rule id an inline `chartguard.io/ignore` may name (rules not run included).
    pub(crate) known_rules: &'a [&'a str],
    pub(crate) suppressions: &'a ConfigRules,
    /// `YYYY-MM-DD`, for suppressions' `until`.
    pub(crate) today: &'a str,
    /// `--previous`: the release before the change, for upgrade rules.
    pub(crate) previous: Option<&'a crate::upgrade::Previous>,
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
    /// With `--previous`: the per-object change list (see [`crate::upgrade::diff::describe`]).
    pub(crate) changes: Vec<String>,
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
    let mut input = evaluate::input::build(&resources, cx.opts, &files, &problems);
    evaluate::input::add_capability_checks(&mut input, &resources, &|t| map.capability_checks(t));
    evaluate::generated::add(&mut input, &resources, &map.generated());
    let pairing = cx.previous.map(|p| {
        let ns = cx
            .opts
            .release
            .as_ref()
            .map_or("", |r| r.namespace.as_str());
        let pairing = crate::upgrade::diff::pair(&resources, &p.resources, ns);
        evaluate::previous::attach(&mut input, resources.len(), p, &pairing, cx.opts);
        pairing
    });
    lap("input", &mut stages);
    let (mut violations, timings) = evaluator.evaluate(input)?;
    // Whatever order the rules ran in, output is the same from run to run.
    violations
        .sort_by(|a, b| (a.rule, &a.target, &a.message).cmp(&(b.rule, &b.target, &b.message)));
    lap("evaluate", &mut stages);
    let split = previous::split(&mut violations, resources.len());
    let mut findings =
        findings::locate_all(evaluator.policies(), &resources, &files, &violations, map);
    suppress::apply(&mut findings, &inline, cx.suppressions);
    let mut changes = Vec::new();
    if let (Some(p), Some(pairing)) = (cx.previous, &pairing) {
        let judged = previous::Judged {
            policies: evaluator.policies(),
            known_rules: cx.known_rules,
            suppressions: cx.suppressions,
            today: cx.today,
        };
        previous::locate(&judged, &mut findings, split, p, pairing);
        changes = crate::upgrade::diff::describe(pairing, &resources, &p.resources, &p.source);
    }
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
        changes,
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
        let docs: Vec<redact::Doc<'_>> = self.resources.iter().map(Resource::redact_doc).collect();
        redact::sources(
            &self.files,
            &docs,
            &self.findings,
            &self.findings,
            templates,
        )
    }
}
