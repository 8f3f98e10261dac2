//! `--format markdown`: a summary for a pull-request or merge-request comment — the verdict,
//! counts per chart and environment, counts per rule, and the most severe findings with links
//! to their lines. Messages only, never snippets: a comment is public to everyone who can read
//! the pull request, and messages name credentials' keys, never their values.

use super::{counts, source_of};
use crate::model::{Finding, Severity};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// How many findings the comment lists one by one; the rest are counted.
pub(crate) const TOP: usize = 20;

/// Where links point: `<base><path>#L<line>` (GitHub's and GitLab's blob URLs both take
/// `#L<n>`), relative paths without a base.
pub(crate) struct Links<'a> {
    pub(crate) base: Option<&'a str>,
    /// A finding's file as the repository names it.
    pub(crate) path: &'a dyn Fn(&str) -> String,
    /// Where a rule's documentation is.
    pub(crate) rule_doc: &'a dyn Fn(&str) -> String,
}

/// Table cells: no pipe or line break may end the cell early.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn icon(s: Severity) -> &'static str {
    match s {
        Severity::Error => "🔴",
        Severity::Warning => "🟠",
        Severity::Note => "🔵",
    }
}

pub(crate) fn render(
    findings: &[Finding],
    objects: usize,
    failing: bool,
    links: &Links<'_>,
) -> String {
    let c = counts(findings);
    let mut s = String::new();
    let verdict = if failing { "❌" } else { "✅" };
    let _ = writeln!(
        s,
        "## {verdict} chartguard: {} errors, {} warnings, {} notes in {objects} objects{}\n",
        c.error,
        c.warning,
        c.note,
        if c.suppressed > 0 {
            format!(" ({} suppressed)", c.suppressed)
        } else {
            String::new()
        }
    );
    let active: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.suppression.is_none())
        .collect();
    if active.is_empty() {
        s.push_str("No findings.\n");
        return s;
    }

    // Per chart and environment.
    let mut places: BTreeMap<(String, String), [usize; 3]> = BTreeMap::new();
    for f in &active {
        let envs = if f.environments.is_empty() {
            vec![String::new()]
        } else {
            f.environments.clone()
        };
        for e in envs {
            let row = places.entry((source_of(f), e)).or_default();
            row[match f.severity {
                Severity::Error => 0,
                Severity::Warning => 1,
                Severity::Note => 2,
            }] += 1;
        }
    }
    let with_envs = places.keys().any(|(_, e)| !e.is_empty());
    s.push_str(if with_envs {
        "| chart | environment | errors | warnings | notes |\n|---|---|---:|---:|---:|\n"
    } else {
        "| chart or file | errors | warnings | notes |\n|---|---:|---:|---:|\n"
    });
    for ((source, env), [e, w, n]) in &places {
        if with_envs {
            let _ = writeln!(
                s,
                "| `{}` | {} | {e} | {w} | {n} |",
                cell(source),
                cell(env)
            );
        } else {
            let _ = writeln!(s, "| `{}` | {e} | {w} | {n} |", cell(source));
        }
    }

    // Per rule, most severe first.
    let mut rules: BTreeMap<(std::cmp::Reverse<Severity>, &str), usize> = BTreeMap::new();
    for f in &active {
        *rules
            .entry((std::cmp::Reverse(f.severity), f.rule.as_str()))
            .or_default() += 1;
    }
    s.push_str("\n| rule | severity | findings |\n|---|---|---:|\n");
    for ((sev, rule), n) in &rules {
        let _ = writeln!(
            s,
            "| [`{rule}`]({}) | {} {} | {n} |",
            (links.rule_doc)(rule),
            icon(sev.0),
            sev.0.as_str()
        );
    }

    // The most severe findings, in the order the lint sorted them (severity, then place).
    let mut top = active.clone();
    top.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let _ = writeln!(s, "\n### Top findings\n");
    for f in top.iter().take(TOP) {
        let path = (links.path)(&f.location.file);
        let target = format!("{path}#L{}", f.location.line);
        let url = match links.base {
            Some(base) => format!("{}/{target}", base.trim_end_matches('/')),
            None => target,
        };
        let envs = if f.environments.is_empty() {
            String::new()
        } else {
            format!(" ({})", f.environments.join(", "))
        };
        let _ = writeln!(
            s,
            "- {} **{}** `{}` [{}:{}]({url}){envs}: {} {}: {}",
            icon(f.severity),
            f.severity.as_str(),
            f.rule,
            cell(&path),
            f.location.line,
            cell(&f.object.describe()),
            cell(&f.path),
            cell(&f.message)
        );
    }
    if top.len() > TOP {
        let _ = writeln!(
            s,
            "\n…and {} more (all of them in the job's output).",
            top.len() - TOP
        );
    }
    s
}
