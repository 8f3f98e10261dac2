//! Stage 5: findings written for people and machines. Pure formatters: each takes located
//! findings and returns text; the commands decide where it goes.

pub(crate) mod escape;
pub(crate) mod github;
pub(crate) mod human;
pub(crate) mod json;
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
