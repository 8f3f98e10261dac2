//! Suppressions with reasons, and baselines.
//!
//! Inline: the annotation `chartguard.io/ignore: "rule-a,rule-b [until=YYYY-MM-DD] -- reason"`
//! on an object (written in the template, so it survives rendering). Config: `suppressions:`
//! in `.chartguard.yaml`, by rule and `kind/namespace/name` glob. A suppressed finding is
//! not a failure but stays visible (`--show-suppressed`; SARIF `suppressions[]`). A
//! suppression without a reason, with an unknown rule, or past its date is itself a finding
//! (`suppression-invalid`).

use super::Finding;
use crate::evaluate::PathSeg;
use crate::parse::yaml::Node;
use crate::parse::Resource;
use serde::{Deserialize, Serialize};

pub const ANNOTATION: &str = "chartguard.io/ignore";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Kind {
    /// In the object itself (SARIF `inSource`).
    InSource,
    /// In the configuration file (SARIF `external`).
    External,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suppression {
    pub kind: Kind,
    pub justification: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
}

/// One inline suppression of one object.
#[derive(Debug, Clone, PartialEq)]
pub struct Inline {
    pub resource: usize,
    pub rules: Vec<String>,
    pub suppression: Suppression,
}

/// A broken or expired suppression, reported by the `suppression-invalid` rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub resource: usize,
    pub path: Vec<PathSeg>,
    pub message: String,
}

/// Today's date (UTC) as `YYYY-MM-DD`; `CHARTGUARD_TODAY` overrides it for reproducible runs.
pub fn today() -> String {
    if let Ok(d) = std::env::var("CHARTGUARD_TODAY") {
        if parse_date(&d).is_some() {
            return d;
        }
    }
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() / 86_400)
        .unwrap_or(0) as i64;
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DD` with a plausible month and day; compared as text afterwards.
pub fn parse_date(s: &str) -> Option<(u32, u32, u32)> {
    let mut parts = s.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (u32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
}

/// Reads every object's `chartguard.io/ignore` annotation.
pub fn inline(
    resources: &[Resource],
    known_rules: &[&str],
    today: &str,
) -> (Vec<Inline>, Vec<Problem>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (i, r) in resources.iter().enumerate() {
        let Some(value) = r
            .root
            .get("metadata")
            .and_then(|m| m.get("annotations"))
            .and_then(|a| a.get(ANNOTATION))
        else {
            continue;
        };
        let path = vec![
            PathSeg::Key("metadata".into()),
            PathSeg::Key("annotations".into()),
            PathSeg::Key(ANNOTATION.into()),
        ];
        let problem = |message: String| Problem {
            resource: i,
            path: path.clone(),
            message: format!("{}: {message}", r.describe()),
        };
        let Some(text) = Node::as_str(value) else {
            problems.push(problem(format!("`{ANNOTATION}` must be a string: \"<rule-id>[,<rule-id>] [until=YYYY-MM-DD] -- <reason>\"")));
            continue;
        };
        let (head, reason) = match text.split_once("--") {
            Some((h, r)) => (h, r.trim()),
            None => (text, ""),
        };
        let mut rules = Vec::new();
        let mut until = None;
        let mut broken = false;
        for token in head
            .split([',', ' '])
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            if let Some(date) = token.strip_prefix("until=") {
                if parse_date(date).is_none() {
                    problems.push(problem(format!(
                        "`until={date}` is not a date (YYYY-MM-DD); the suppression is ignored"
                    )));
                    broken = true;
                }
                until = Some(date.to_string());
            } else if known_rules.contains(&token) {
                rules.push(token.to_string());
            } else {
                problems.push(problem(format!(
                    "suppresses `{token}`, which is no rule (see `chartguard rules`)"
                )));
            }
        }
        if reason.is_empty() {
            problems.push(problem(format!(
                "suppression of {} has no reason; write it after ` -- `",
                list(&rules)
            )));
            continue;
        }
        if broken || rules.is_empty() {
            continue;
        }
        if let Some(date) = &until {
            if date.as_str() < today {
                problems.push(problem(format!(
                    "suppression of {} expired on {date}; the findings are reported again",
                    list(&rules)
                )));
                continue;
            }
        }
        out.push(Inline {
            resource: i,
            rules,
            suppression: Suppression {
                kind: Kind::InSource,
                justification: reason.to_string(),
                until,
            },
        });
    }
    (out, problems)
}

fn list(rules: &[String]) -> String {
    if rules.is_empty() {
        "nothing".into()
    } else {
        rules
            .iter()
            .map(|r| format!("`{r}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Marks findings suppressed inline. `suppression-invalid` itself cannot be suppressed.
pub fn apply_inline(findings: &mut [Finding], inline: &[Inline]) {
    for f in findings
        .iter_mut()
        .filter(|f| f.suppression.is_none() && f.rule != "suppression-invalid")
    {
        if let Some(s) = inline
            .iter()
            .find(|s| s.resource == f.target.0 && s.rules.contains(&f.rule))
        {
            f.suppression = Some(s.suppression.clone());
        }
    }
}

/// A suppression in `.chartguard.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigSuppression {
    pub rule: String,
    /// `kind/namespace/name` glob, e.g. `Deployment/*/legacy-*` (namespace `-` when unset).
    #[serde(default = "any_object")]
    pub object: String,
    pub reason: String,
    #[serde(default)]
    pub until: Option<String>,
}

fn any_object() -> String {
    "*/*/*".into()
}

/// Marks findings matched by config suppressions; returns warnings for expired ones.
pub fn apply_config(
    findings: &mut [Finding],
    rules: &[ConfigSuppression],
    today: &str,
) -> Vec<String> {
    let mut warnings = Vec::new();
    for s in rules {
        if let Some(d) = &s.until {
            if d.as_str() < today {
                warnings.push(format!(
                    "suppression of `{}` for `{}` in the config expired on {d}; not applied",
                    s.rule, s.object
                ));
                continue;
            }
        }
        let Ok(pattern) = glob::Pattern::new(&s.object) else {
            warnings.push(format!(
                "suppression object `{}` is not a valid glob; not applied",
                s.object
            ));
            continue;
        };
        for f in findings
            .iter_mut()
            .filter(|f| f.suppression.is_none() && f.rule == s.rule)
        {
            let id = format!(
                "{}/{}/{}",
                f.object.kind,
                f.object.namespace.as_deref().unwrap_or("-"),
                f.object.name
            );
            if pattern.matches(&id) {
                f.suppression = Some(Suppression {
                    kind: Kind::External,
                    justification: s.reason.clone(),
                    until: s.until.clone(),
                });
            }
        }
    }
    warnings
}

/// `--write-baseline`: today's findings by fingerprint (not line), sorted, without messages
/// that could change with wording.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<BaselineEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct BaselineEntry {
    pub fingerprint: String,
    pub rule: String,
    /// `kind/namespace/name` (namespace `-` when unset), for people reading the file.
    pub object: String,
    pub path: String,
}

impl Baseline {
    pub fn of(findings: &[Finding]) -> Baseline {
        let mut entries: Vec<BaselineEntry> = findings
            .iter()
            .filter(|f| f.suppression.is_none())
            .map(|f| BaselineEntry {
                fingerprint: f.fingerprint.clone(),
                rule: f.rule.clone(),
                object: format!(
                    "{}/{}/{}",
                    f.object.kind,
                    f.object.namespace.as_deref().unwrap_or("-"),
                    f.object.name
                ),
                path: f.path.clone(),
            })
            .collect();
        entries.sort();
        entries.dedup();
        Baseline {
            version: 1,
            findings: entries,
        }
    }

    /// Drops findings already in the baseline; returns the entries that no longer occur.
    pub fn filter(&self, findings: &mut Vec<Finding>) -> Vec<BaselineEntry> {
        let known: std::collections::HashSet<&str> = self
            .findings
            .iter()
            .map(|e| e.fingerprint.as_str())
            .collect();
        let present: std::collections::HashSet<String> =
            findings.iter().map(|f| f.fingerprint.clone()).collect();
        findings.retain(|f| !known.contains(f.fingerprint.as_str()));
        self.findings
            .iter()
            .filter(|e| !present.contains(&e.fingerprint))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert!(parse_date("2026-11-25").is_some());
        assert!(parse_date("2026-13-01").is_none());
        assert!(parse_date("26-11-25").is_none());
        let t = today();
        assert!(parse_date(&t).is_some(), "{t}");
        assert!(t.as_str() >= "2024-01-01");
    }
}
