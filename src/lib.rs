//! chartguard: render → parse → evaluate → report.
//!
//! - [`input`]: find and read the manifests (files, directories, globs, stdin);
//! - [`parse`]: YAML with spans, Helm origins and hooks, typed Kubernetes checks;
//! - [`evaluate`]: the Rego rules (regorus) over the whole release;
//! - [`report`]: findings located in the source, as human, JSON or SARIF output.

pub mod cli;
pub mod config;
pub mod evaluate;
pub mod input;
pub mod lint;
pub mod parse;
pub mod render;
pub mod report;
pub mod rules;
pub mod serve;

use anyhow::Result;
use evaluate::policy::PolicySet;

/// Everything one lint run produced, for the reporters.
pub struct LintRun {
    pub files: Vec<input::SourceFile>,
    pub resources: Vec<parse::Resource>,
    pub findings: Vec<report::Finding>,
    /// Per-rule evaluation time, slowest first.
    pub timings: Vec<evaluate::Timing>,
    /// Wall time of each stage: parse, input (building the Rego input), evaluate, locate.
    pub stages: Vec<(&'static str, std::time::Duration)>,
}

/// Parses, evaluates and locates: the pipeline after the files are read.
pub fn lint_sources(
    files: Vec<input::SourceFile>,
    policies: &PolicySet,
    opts: &evaluate::Options,
) -> Result<LintRun> {
    let mut stages = Vec::new();
    let mut clock = std::time::Instant::now();
    let mut lap = |name: &'static str, stages: &mut Vec<_>| {
        stages.push((name, clock.elapsed()));
        clock = std::time::Instant::now();
    };
    let resources = parse::parse_files(&files)?;
    lap("parse", &mut stages);
    let rule_ids: Vec<&str> = policies.rules.iter().map(|r| r.meta.id.as_str()).collect();
    let (inline, problems) =
        report::suppress::inline(&resources, &rule_ids, &report::suppress::today());
    let input = evaluate::build_input(&resources, opts, &files, &problems);
    lap("input", &mut stages);
    let (violations, timings) = evaluate::evaluate(policies, input, opts)?;
    lap("evaluate", &mut stages);
    let mut findings = report::findings(policies, &resources, &files, &violations);
    report::suppress::apply_inline(&mut findings, &inline);
    lap("locate", &mut stages);
    Ok(LintRun {
        files,
        resources,
        findings,
        timings,
        stages,
    })
}
