//! `--format gitlab`: a GitLab Code Quality report (`artifacts:reports:codequality`), so
//! findings show in merge requests' Code Quality widget and diff. Each issue's fingerprint is
//! the finding's (rule, object, field path — not the line), hashed with the file, so GitLab
//! tracks an issue across commits and compares the branch with its target correctly.

use super::sarif::relative_path;
use crate::model::{fingerprint, Finding, Severity};
use serde::Serialize;
use std::path::Path;

#[derive(Serialize)]
struct Issue<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    check_name: &'a str,
    description: String,
    content: Content,
    categories: Vec<&'static str>,
    fingerprint: String,
    severity: &'static str,
    location: IssueLocation,
}

#[derive(Serialize)]
struct Content {
    body: String,
}

#[derive(Serialize)]
struct IssueLocation {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

/// GitLab's scale is info < minor < major < critical < blocker; an error blocks a release
/// (critical), a warning should be fixed (major), a note is advice (minor).
fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Note => "minor",
    }
}

/// Code Climate categories: security rules are Security, the others Bug Risk (each rule
/// is about something that breaks or weakens a release, not style).
fn categories(tags: &[String]) -> Vec<&'static str> {
    if tags.iter().any(|t| t == "security") {
        vec!["Security"]
    } else {
        vec!["Bug Risk"]
    }
}

/// `tags` gives a rule's tags by id.
pub(crate) fn render<'t>(
    findings: &[Finding],
    tags: impl Fn(&str) -> &'t [String],
    root: Option<&Path>,
) -> String {
    let issues: Vec<Issue<'_>> = findings
        .iter()
        .filter(|f| f.suppression.is_none())
        .map(|f| {
            let path = relative_path(&f.location.file, root);
            let mut body = format!("{}\n\n**Why:** {}\n\n**Fix:** {}", f.message, f.why, f.fix);
            if let Some(v) = &f.value {
                body.push_str(&format!("\n\n**Values:** {}", v.hint));
            }
            if !f.environments.is_empty() {
                body.push_str(&format!(
                    "\n\n**Environments:** {}",
                    f.environments.join(", ")
                ));
            }
            Issue {
                kind: "issue",
                check_name: &f.rule,
                description: format!("{} {}: {}", f.object.describe(), f.path, f.message),
                content: Content { body },
                categories: categories(tags(&f.rule)),
                fingerprint: fingerprint(&["gitlab", &f.fingerprint, &path]),
                severity: severity(f.severity),
                location: IssueLocation {
                    path,
                    lines: Lines {
                        begin: f.location.line.max(1),
                        end: f.location.end_line.max(f.location.line).max(1),
                    },
                },
            }
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&issues).expect("issues serialize");
    s.push('\n');
    s
}
