//! chartguard: render → parse → evaluate → report.
//!
//! - [`input`]: find and read the manifests (files, directories, globs, stdin);
//! - [`parse`]: YAML with spans, Helm origins and hooks, typed Kubernetes checks;
//! - [`evaluate`]: the Rego rules (regorus) over the whole release;
//! - [`report`]: findings located in the source, as human, JSON or SARIF output.

pub mod cli;
pub mod evaluate;
pub mod input;
pub mod parse;
pub mod report;
pub mod rules;

use anyhow::Result;
use evaluate::policy::PolicySet;

/// Everything one lint run produced, for the reporters.
pub struct LintRun {
    pub files: Vec<input::SourceFile>,
    pub resources: Vec<parse::Resource>,
    pub findings: Vec<report::Finding>,
    pub timings: Vec<evaluate::Timing>,
}

/// Parses, evaluates and locates: the pipeline after the files are read.
pub fn lint_sources(files: Vec<input::SourceFile>, policies: &PolicySet, opts: &evaluate::Options) -> Result<LintRun> {
    let resources = parse::parse_files(&files)?;
    let input = evaluate::build_input(&resources, opts, &files);
    let (violations, timings) = evaluate::evaluate(policies, input, opts)?;
    let findings = report::findings(policies, &resources, &files, &violations);
    Ok(LintRun { files, resources, findings, timings })
}
