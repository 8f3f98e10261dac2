//! `--format junit`: JUnit XML, for the test-report views of CI systems (GitLab merge
//! requests, Jenkins, Azure Pipelines, CircleCI): one `testsuite` per chart and environment
//! (per file for rendered manifests), one `testcase` per rule that applies there, and a
//! `failure` per finding at or above `--fail-on`. Findings below it are listed in the test
//! case's `system-out`, so the XML fails exactly when the exit code does. Suppressed findings
//! are `skipped` entries when they are all a rule has.

use super::source_of;
use crate::model::{Finding, Profile, Severity};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// XML text and attribute escaping; characters XML 1.0 cannot carry become U+FFFD.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// What one suite is: a chart (or file) and, with environments, one of them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Suite {
    source: String,
    environment: Option<String>,
}

impl Suite {
    fn name(&self) -> String {
        match &self.environment {
            Some(e) => format!("{} [{e}]", self.source),
            None => self.source.clone(),
        }
    }
}

/// One rule's place in the report: its id and the profiles it belongs to.
pub(crate) struct RuleInfo<'a> {
    pub(crate) id: &'a str,
    pub(crate) profiles: &'a [Profile],
}

pub(crate) fn render(
    findings: &[Finding],
    rules: &[RuleInfo<'_>],
    profile: Profile,
    environments: &BTreeMap<String, Profile>,
    threshold: Option<Severity>,
) -> String {
    // Every suite that has a finding, and with environments every (chart, environment)
    // pair seen, so a clean environment still shows its passing rules.
    let mut suites: BTreeMap<Suite, Vec<&Finding>> = BTreeMap::new();
    let mut sources: Vec<String> = Vec::new();
    for f in findings {
        let source = source_of(f);
        if !sources.contains(&source) {
            sources.push(source.clone());
        }
        if f.environments.is_empty() {
            suites
                .entry(Suite {
                    source,
                    environment: None,
                })
                .or_default()
                .push(f);
        } else {
            for e in &f.environments {
                suites
                    .entry(Suite {
                        source: source.clone(),
                        environment: Some(e.clone()),
                    })
                    .or_default()
                    .push(f);
            }
        }
    }
    for source in &sources {
        for e in environments.keys() {
            suites
                .entry(Suite {
                    source: source.clone(),
                    environment: Some(e.clone()),
                })
                .or_default();
        }
    }
    if suites.is_empty() {
        // A clean run: one suite with every rule passing, so the report is not empty.
        suites.insert(
            Suite {
                source: "chartguard".into(),
                environment: None,
            },
            Vec::new(),
        );
    }

    let mut body = String::new();
    let (mut all_tests, mut all_failures) = (0, 0);
    for (suite, found) in &suites {
        let suite_profile = suite
            .environment
            .as_ref()
            .and_then(|e| environments.get(e).copied())
            .unwrap_or(profile);
        let mut by_rule: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
        for f in found {
            by_rule.entry(f.rule.as_str()).or_default().push(f);
        }
        let mut cases = String::new();
        let (mut tests, mut failures, mut skipped) = (0, 0, 0);
        for rule in rules {
            let hits = by_rule.remove(rule.id).unwrap_or_default();
            if !rule.profiles.contains(&suite_profile) && hits.is_empty() {
                continue; // not evaluated in this profile
            }
            tests += 1;
            let _ = write!(
                cases,
                "    <testcase name=\"{}\" classname=\"{}\"",
                esc(rule.id),
                // Jenkins splits a classname at its last dot into package and class.
                esc(&suite.name().replace('.', "_"))
            );
            let (failing, rest): (Vec<&Finding>, Vec<&Finding>) = hits.iter().partition(|f| {
                f.suppression.is_none() && threshold.is_some_and(|t| f.severity >= t)
            });
            let active: Vec<&Finding> = rest
                .iter()
                .copied()
                .filter(|f| f.suppression.is_none())
                .collect();
            let suppressed = rest.len() - active.len();
            if failing.is_empty() && active.is_empty() && suppressed == 0 {
                cases.push_str("/>\n");
                continue;
            }
            cases.push_str(">\n");
            if failing.is_empty() && active.is_empty() {
                skipped += 1;
                let _ = writeln!(
                    cases,
                    "      <skipped message=\"{suppressed} finding(s) suppressed\"/>"
                );
            }
            if !failing.is_empty() {
                failures += 1;
            }
            for f in &failing {
                let l = &f.location;
                let _ = writeln!(
                    cases,
                    "      <failure message=\"{}\" type=\"{}\">{}:{}:{}: {} {}\n{}\nWhy: {}\nFix: {}</failure>",
                    esc(&format!("{} {}: {}", f.object.describe(), f.path, f.message)),
                    f.severity.as_str(),
                    esc(&l.file),
                    l.line,
                    l.column,
                    f.severity.as_str(),
                    esc(&f.rule),
                    esc(&f.message),
                    esc(&f.why),
                    esc(&f.fix)
                );
            }
            if !active.is_empty() {
                cases.push_str("      <system-out>");
                for f in &active {
                    let l = &f.location;
                    let _ = writeln!(
                        cases,
                        "{}:{}:{}: {} (below --fail-on): {}",
                        esc(&l.file),
                        l.line,
                        l.column,
                        f.severity.as_str(),
                        esc(&f.message)
                    );
                }
                cases.push_str("</system-out>\n");
            }
            cases.push_str("    </testcase>\n");
        }
        all_tests += tests;
        all_failures += failures;
        let _ = write!(
            body,
            "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\">\n    <properties>\n      <property name=\"profile\" value=\"{}\"/>\n    </properties>\n{cases}  </testsuite>\n",
            esc(&suite.name()),
            suite_profile.as_str()
        );
    }
    // No `skipped` on `testsuites`: Jenkins' junit-10.xsd (tests/schemas) does not allow it.
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"chartguard\" tests=\"{all_tests}\" failures=\"{all_failures}\" errors=\"0\">\n{body}</testsuites>\n"
    )
}
