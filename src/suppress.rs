//! Suppressions with reasons, and baselines: what the user says not to count.
//!
//! Inline: the annotation `chartguard.io/ignore: "rule-a,rule-b [until=YYYY-MM-DD] -- reason"`
//! on an object (written in the template, so it survives rendering). Config: `suppressions:`
//! in `.chartguard.yaml`, by rule and `kind/namespace/name` glob. A suppressed finding is
//! not a failure but stays visible (`--show-suppressed`; SARIF `suppressions[]`). A
//! suppression without a reason, with an unknown rule, or past its date is itself a finding
//! (`suppression-invalid`).

use crate::model::{Finding, PathSeg, Suppression, SuppressionKind};
use crate::parse::Resource;
use crate::yaml::Node;
use serde::{Deserialize, Serialize};

pub(crate) const ANNOTATION: &str = "chartguard.io/ignore";

/// One inline suppression of one object.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Inline {
    pub(crate) resource: usize,
    pub(crate) rules: Vec<String>,
    pub(crate) suppression: Suppression,
}

/// A broken or expired suppression, reported by the `suppression-invalid` rule.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Problem {
    pub(crate) resource: usize,
    pub(crate) path: Vec<PathSeg>,
    pub(crate) message: String,
}

/// Today's date (UTC) as `YYYY-MM-DD`; `CHARTGUARD_TODAY` overrides it for reproducible runs.
pub(crate) fn today() -> String {
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
pub(crate) fn parse_date(s: &str) -> Option<(u32, u32, u32)> {
    let mut parts = s.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (u32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let days = match m {
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    ((1..=12).contains(&m) && (1..=days).contains(&d)).then_some((y, m, d))
}

/// Reads every object's `chartguard.io/ignore` annotation.
pub(crate) fn inline(
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
                    "suppresses `{token}`, which is no rule{} (see `chartguard rules`)",
                    did_you_mean(token, known_rules)
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
                kind: SuppressionKind::InSource,
                justification: reason.to_string(),
                until,
            },
        });
    }
    (out, problems)
}

/// The inline suppressions that suppressed nothing (like ruff's unused `noqa`), reported by
/// the `suppression-unused` rule: each rule an annotation names that `ran` (selected for
/// this run) and found nothing on that object. A rule that did not run leaves it alone.
pub(crate) fn unused_inline(
    resources: &[Resource],
    inline: &[Inline],
    findings: &[Finding],
    ran: impl Fn(&str) -> bool,
) -> Vec<Problem> {
    let mut out = Vec::new();
    for s in inline {
        for rule in s.rules.iter().filter(|r| ran(r)) {
            let used = findings
                .iter()
                .any(|f| f.target.resource == s.resource && &f.rule == rule);
            if !used {
                out.push(Problem {
                    resource: s.resource,
                    path: vec![
                        PathSeg::Key("metadata".into()),
                        PathSeg::Key("annotations".into()),
                        PathSeg::Key(ANNOTATION.into()),
                    ],
                    message: format!(
                        "{}: the suppression of `{rule}` matched no finding ({rule} ran and found nothing here); remove it from `{ANNOTATION}`",
                        resources[s.resource].describe()
                    ),
                });
            }
        }
    }
    out
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

/// `; did you mean `x`?` for the id nearest to `id` (by edit distance, or one that
/// contains it), or nothing when none is close.
pub(crate) fn did_you_mean(id: &str, ids: &[&str]) -> String {
    let best = ids
        .iter()
        .map(|c| (strsim::damerau_levenshtein(id, c), *c))
        .filter(|(d, c)| *d <= (id.len() / 3).max(2) || c.contains(id) || id.contains(c))
        .min();
    match best {
        Some((_, c)) => format!("; did you mean `{c}`?"),
        None => String::new(),
    }
}

/// A suppression in `.chartguard.yaml`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConfigSuppression {
    pub(crate) rule: String,
    /// `kind/namespace/name` glob, e.g. `Deployment/*/legacy-*` (namespace `-` when unset).
    #[serde(default = "any_object")]
    pub(crate) object: String,
    pub(crate) reason: String,
    #[serde(default)]
    pub(crate) until: Option<String>,
}

fn any_object() -> String {
    "*/*/*".into()
}

/// The config's suppressions, checked when the config is read: a rule id that is no rule
/// or an object that is not a `kind/namespace/name` glob would silently match nothing.
pub(crate) fn check_config(
    config: &[ConfigSuppression],
    ids: &[&str],
    file: &str,
) -> anyhow::Result<()> {
    for (i, s) in config.iter().enumerate() {
        let at = format!("{file}: suppressions[{i}]");
        if !ids.contains(&s.rule.as_str()) {
            anyhow::bail!(
                "{at}: rule `{}` is no rule{} (see `chartguard rules`)",
                s.rule,
                did_you_mean(&s.rule, ids)
            );
        }
        if let Err(e) = glob::Pattern::new(&s.object) {
            anyhow::bail!("{at}: object `{}` is not a valid glob: {e}", s.object);
        }
        // `*` alone is every object; anything else names all three parts.
        if s.object != "*" && s.object.split('/').count() != 3 {
            anyhow::bail!(
                "{at}: object `{}` must be `kind/namespace/name` (globs allowed, namespace `-` when unset), e.g. `Deployment/*/legacy-*`",
                s.object
            );
        }
    }
    Ok(())
}

/// The config's suppressions that apply today, ready to match findings.
#[derive(Debug, Clone, Default)]
pub(crate) struct ConfigRules {
    rules: Vec<(glob::Pattern, ConfigSuppression)>,
}

impl ConfigRules {
    /// Leaves out (and warns about) suppressions past their date or with a broken glob: the
    /// warnings depend on the config only, so they are said once however much is linted.
    pub(crate) fn new(config: &[ConfigSuppression], today: &str) -> (ConfigRules, Vec<String>) {
        let mut rules = Vec::new();
        let mut warnings = Vec::new();
        for s in config {
            if let Some(d) = &s.until {
                if d.as_str() < today {
                    warnings.push(format!(
                        "suppression of `{}` for `{}` in the config expired on {d}; not applied",
                        s.rule, s.object
                    ));
                    continue;
                }
            }
            match glob::Pattern::new(&s.object) {
                Ok(pattern) => rules.push((pattern, s.clone())),
                Err(_) => warnings.push(format!(
                    "suppression object `{}` is not a valid glob; not applied",
                    s.object
                )),
            }
        }
        (ConfigRules { rules }, warnings)
    }
}

impl ConfigRules {
    /// The suppressions that matched none of `findings` (like ruff's unused `noqa`), among
    /// those whose rule `ran` says ran: a suppression for a rule that did not run (disabled,
    /// another profile) is not unused, only idle.
    pub(crate) fn unused(&self, findings: &[Finding], ran: impl Fn(&str) -> bool) -> Vec<String> {
        self.rules
            .iter()
            .filter(|(pattern, s)| {
                ran(&s.rule)
                    && !findings
                        .iter()
                        .any(|f| f.rule == s.rule && pattern.matches(&f.object.id()))
            })
            .map(|(_, s)| {
                format!(
                    "the config's suppression of `{}` for `{}` matched no finding; remove it if the problem is fixed",
                    s.rule, s.object
                )
            })
            .collect()
    }
}

/// Marks findings suppressed: inline annotations first, then the config's rules (the first
/// that matches). `suppression-invalid` cannot be suppressed inline.
pub(crate) fn apply(findings: &mut [Finding], inline: &[Inline], config: &ConfigRules) {
    for f in findings.iter_mut() {
        if f.rule != "suppression-invalid" {
            if let Some(s) = inline
                .iter()
                .find(|s| s.resource == f.target.resource && s.rules.contains(&f.rule))
            {
                f.suppression = Some(s.suppression.clone());
                continue;
            }
        }
        if let Some((_, s)) = config
            .rules
            .iter()
            .find(|(pattern, s)| s.rule == f.rule && pattern.matches(&f.object.id()))
        {
            f.suppression = Some(Suppression {
                kind: SuppressionKind::External,
                justification: s.reason.clone(),
                until: s.until.clone(),
            });
        }
    }
}

/// `--write-baseline`: today's findings by fingerprint (not line), sorted, without messages
/// that could change with wording.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct Baseline {
    pub(crate) version: u32,
    pub(crate) findings: Vec<BaselineEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct BaselineEntry {
    pub(crate) fingerprint: String,
    pub(crate) rule: String,
    /// `kind/namespace/name` (namespace `-` when unset), for people reading the file.
    pub(crate) object: String,
    pub(crate) path: String,
}

impl Baseline {
    pub(crate) fn of(findings: &[Finding]) -> Baseline {
        let mut entries: Vec<BaselineEntry> = findings
            .iter()
            .filter(|f| f.suppression.is_none())
            .map(|f| BaselineEntry {
                fingerprint: f.fingerprint.clone(),
                rule: f.rule.clone(),
                object: f.object.id(),
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

    /// The fingerprints the baseline knows.
    pub(crate) fn fingerprints(&self) -> std::collections::HashSet<&str> {
        self.findings
            .iter()
            .map(|e| e.fingerprint.as_str())
            .collect()
    }

    /// The entries that no longer occur among `findings`.
    pub(crate) fn gone(&self, findings: &[Finding]) -> Vec<BaselineEntry> {
        let present: std::collections::HashSet<&str> =
            findings.iter().map(|f| f.fingerprint.as_str()).collect();
        self.findings
            .iter()
            .filter(|e| !present.contains(e.fingerprint.as_str()))
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
        assert!(parse_date("2027-02-30").is_none());
        assert!(parse_date("2027-04-31").is_none());
        assert!(parse_date("2028-02-29").is_some());
        assert!(parse_date("2100-02-29").is_none());
        assert!(parse_date("26-11-25").is_none());
        let t = today();
        assert!(parse_date(&t).is_some(), "{t}");
        assert!(t.as_str() >= "2024-01-01");
    }
}
