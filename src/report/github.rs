//! `--format github`: GitHub Actions workflow commands, so findings show as annotations on
//! the pull request's changed lines, and a Markdown summary in `$GITHUB_STEP_SUMMARY`.

use super::counts;
use crate::model::{Finding, Severity};
use std::collections::BTreeMap;

/// Workflow-command escaping: data escapes `%`, CR and LF; properties also `:` and `,`.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub(crate) fn render(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings.iter().filter(|f| f.suppression.is_none()) {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let l = &f.location;
        let mut message = format!(
            "{} {}: {}\nWhy: {}\nFix: {}",
            f.object.describe(),
            f.path,
            f.message,
            f.why,
            f.fix
        );
        if let Some(v) = &f.value {
            message.push_str(&format!("\nValues: {}", v.hint));
        }
        if !f.environments.is_empty() {
            message.push_str(&format!("\nEnvironments: {}", f.environments.join(", ")));
        }
        out.push_str(&format!(
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            escape_property(&l.file),
            l.line,
            l.column,
            l.end_line,
            l.end_column,
            escape_property(&format!("chartguard {}", f.rule)),
            escape_data(&message)
        ));
    }
    out
}

/// The step summary: counts per rule and per environment.
pub(crate) fn summary_markdown(findings: &[Finding], objects: usize) -> String {
    let c = counts(findings);
    let mut s = String::from("## chartguard\n\n");
    s.push_str(&format!(
        "{} objects: **{} errors**, **{} warnings**, {} notes{}\n\n",
        objects,
        c.error,
        c.warning,
        c.note,
        if c.suppressed > 0 {
            format!(", {} suppressed", c.suppressed)
        } else {
            String::new()
        }
    ));
    if findings.iter().all(|f| f.suppression.is_some()) {
        s.push_str("No findings.\n");
        return s;
    }
    let mut envs: Vec<String> = findings
        .iter()
        .flat_map(|f| f.environments.clone())
        .collect();
    envs.sort();
    envs.dedup();
    let mut rows: BTreeMap<(&str, &str), BTreeMap<String, usize>> = BTreeMap::new();
    for f in findings.iter().filter(|f| f.suppression.is_none()) {
        let row = rows
            .entry((f.rule.as_str(), f.severity.as_str()))
            .or_default();
        *row.entry("total".into()).or_default() += 1;
        for e in &f.environments {
            *row.entry(e.clone()).or_default() += 1;
        }
    }
    s.push_str("| rule | severity | findings |");
    for e in &envs {
        s.push_str(&format!(" {e} |"));
    }
    s.push_str("\n|---|---|---:|");
    for _ in &envs {
        s.push_str("---:|");
    }
    s.push('\n');
    for ((rule, sev), counts) in rows {
        s.push_str(&format!(
            "| `{rule}` | {sev} | {} |",
            counts.get("total").copied().unwrap_or(0)
        ));
        for e in &envs {
            s.push_str(&format!(" {} |", counts.get(e).copied().unwrap_or(0)));
        }
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_commands_are_escaped() {
        assert_eq!(escape_data("a%b\nc"), "a%25b%0Ac");
        assert_eq!(escape_property("x: y, z"), "x%3A y%2C z");
    }
}
