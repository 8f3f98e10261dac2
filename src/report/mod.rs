//! Stage 5: findings written for people and machines. Pure formatters: each takes located
//! findings and returns text; the commands decide where it goes.

pub(crate) mod escape;
pub(crate) mod github;
pub(crate) mod gitlab;
pub(crate) mod human;
pub(crate) mod json;
pub(crate) mod junit;
pub(crate) mod markdown;
pub(crate) mod merge;
pub(crate) mod sarif;

use crate::cli::args::Format;
use crate::evaluate::policy::PolicySet;
use crate::model::{Finding, Profile, Severity};
use serde::Serialize;
use std::collections::BTreeMap;

/// What a report may show besides the findings.
pub(crate) struct Report<'a> {
    pub(crate) findings: &'a [Finding],
    pub(crate) policies: &'a PolicySet,
    /// Objects linted.
    pub(crate) objects: usize,
    pub(crate) profile: Profile,
    /// Environments linted, each with its profile (empty without `--all-environments`).
    pub(crate) environments: &'a BTreeMap<String, Profile>,
    /// Masked texts for human snippets, by display name.
    pub(crate) sources: &'a BTreeMap<String, String>,
    pub(crate) color: bool,
    pub(crate) show_suppressed: bool,
    pub(crate) sarif: sarif::RunInfo<'a>,
    /// `--fail-on`: JUnit fails exactly the test cases that fail the run.
    pub(crate) threshold: Option<Severity>,
    /// Rules left out by `--disable` or the config (not test cases in JUnit).
    pub(crate) disabled: &'a [String],
    /// Where Markdown links to lines point (a blob URL of the commit), else relative paths.
    pub(crate) link_base: Option<&'a str>,
}

/// The report in `format`.
pub(crate) fn render(format: Format, r: &Report<'_>) -> String {
    match format {
        Format::Human => {
            human::render(r.findings, r.sources, r.color, r.objects, r.show_suppressed)
        }
        Format::Json => json::render(r.findings, r.profile, r.environments, r.objects),
        Format::Sarif => sarif::render(r.policies, r.findings, &r.sarif),
        Format::Github => github::render(r.findings),
        Format::Junit => {
            let rules: Vec<junit::RuleInfo<'_>> = r
                .policies
                .rules
                .iter()
                .filter(|rule| !r.disabled.contains(&rule.meta.id))
                .map(|rule| junit::RuleInfo {
                    id: &rule.meta.id,
                    profiles: &rule.meta.profiles,
                })
                .collect();
            junit::render(r.findings, &rules, r.profile, r.environments, r.threshold)
        }
        Format::Gitlab => gitlab::render(
            r.findings,
            |id| {
                r.policies
                    .rule(id)
                    .map(|rule| rule.meta.tags.as_slice())
                    .unwrap_or(&[])
            },
            r.sarif.root,
        ),
        Format::Markdown => markdown::render(
            r.findings,
            r.objects,
            fails(r.findings, r.threshold),
            &markdown::Links {
                base: r.link_base,
                path: &|file| sarif::relative_path(file, r.sarif.root),
                rule_doc: &sarif::rule_doc_uri,
            },
        ),
    }
}

/// Whether any finding that is not suppressed is at or above `threshold`.
pub(crate) fn fails(findings: &[Finding], threshold: Option<Severity>) -> bool {
    threshold.is_some_and(|t| {
        findings
            .iter()
            .any(|f| f.suppression.is_none() && f.severity >= t)
    })
}

/// How many findings of each severity.
#[derive(Debug, Default, Clone, Copy, Serialize, PartialEq)]
pub(crate) struct Counts {
    pub(crate) error: usize,
    pub(crate) warning: usize,
    pub(crate) note: usize,
    /// Suppressed findings (not in the three counts above).
    pub(crate) suppressed: usize,
}

pub(crate) fn counts(findings: &[Finding]) -> Counts {
    let mut c = Counts::default();
    for f in findings {
        if f.suppression.is_some() {
            c.suppressed += 1;
            continue;
        }
        match f.severity {
            Severity::Error => c.error += 1,
            Severity::Warning => c.warning += 1,
            Severity::Note => c.note += 1,
        }
    }
    c
}

/// The chart a finding came from: its rendered output is named `<chart> [env] (rendered)`;
/// findings in plain manifest files have no rendered location and belong to their file.
pub(crate) fn source_of(f: &Finding) -> String {
    match &f.rendered {
        Some(r) => {
            let name = r.file.as_str();
            let name = name.split(" (rendered").next().unwrap_or(name);
            match name.rfind(" [") {
                Some(i) if name.ends_with(']') => name[..i].to_string(),
                _ => name.to_string(),
            }
        }
        // A finding about the chart itself (values-schema-*, helm-render-empty) sits in a
        // file of the chart: its values.yaml, Chart.yaml, schema, or a values file beside it.
        None if f.object.kind == "Chart" => match f.location.file.rsplit_once('/') {
            Some((dir, _)) => dir.trim_end_matches("/ci").to_string(),
            None => f.location.file.clone(),
        },
        None => f.location.file.clone(),
    }
}
