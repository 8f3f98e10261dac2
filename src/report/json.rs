//! `--format json`: a stable, documented schema (`docs/json-output.md`). Bump
//! `SCHEMA_VERSION` on any change that removes or renames a field.

use super::{counts, Counts};
use crate::model::{Finding, Profile};
use serde::Serialize;
use std::collections::BTreeMap;

pub(crate) const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'a> {
    schema_version: u32,
    tool: Tool,
    /// The profile given (`--profile`, the config, or prod).
    profile: Profile,
    /// With `--all-environments`: each environment linted and the profile it was judged with.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    environments: Vec<EnvironmentProfile<'a>>,
    objects: usize,
    summary: Counts,
    findings: &'a [Finding],
}

#[derive(Serialize)]
struct EnvironmentProfile<'a> {
    name: &'a str,
    profile: Profile,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

pub(crate) fn render(
    findings: &[Finding],
    profile: Profile,
    environments: &BTreeMap<String, Profile>,
    objects: usize,
) -> String {
    let report = report(findings, profile, environments, objects);
    // Findings are most of the report (about 1.5 KB each, 23 MB at 16,000 findings): each
    // core writes a share of them, as serde_json's pretty printer would inside the report, and
    // the report's head is written around them. Byte for byte what serializing the whole
    // report writes (tested).
    let mut out = serde_json::to_vec_pretty(&Report {
        findings: &[],
        ..report
    })
    .expect("report serializes");
    if !findings.is_empty() {
        const EMPTY_TAIL: &[u8] = b"[]\n}";
        assert!(
            out.ends_with(EMPTY_TAIL),
            "the report ends with its findings"
        );
        out.truncate(out.len() - EMPTY_TAIL.len());
        out.extend_from_slice(b"[\n");
        let parts = crate::parallel::shares(findings, |_, part| {
            let mut buf = Vec::with_capacity(part.len() * 2048);
            for (n, finding) in part.iter().enumerate() {
                if n > 0 {
                    buf.extend_from_slice(b",\n");
                }
                indented(&mut buf, finding);
            }
            buf
        });
        out.reserve(parts.iter().map(Vec::len).sum::<usize>() + 16);
        for (n, part) in parts.iter().enumerate() {
            if n > 0 {
                out.extend_from_slice(b",\n");
            }
            out.extend_from_slice(part);
        }
        out.extend_from_slice(b"\n  ]\n}");
    }
    out.push(b'\n');
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

fn report<'a>(
    findings: &'a [Finding],
    profile: Profile,
    environments: &'a BTreeMap<String, Profile>,
    objects: usize,
) -> Report<'a> {
    Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "chartguard",
            version: env!("CARGO_PKG_VERSION"),
        },
        profile,
        environments: environments
            .iter()
            .map(|(name, profile)| EnvironmentProfile {
                name,
                profile: *profile,
            })
            .collect(),
        objects,
        summary: counts(findings),
        findings,
    }
}

/// `finding` pretty-printed as an element of the report's `findings` array: two levels
/// deeper, so every line starts with four more spaces (a JSON string holds no raw newline).
fn indented(buf: &mut Vec<u8>, finding: &Finding) {
    let text = serde_json::to_vec_pretty(finding).expect("a finding serializes");
    for (n, line) in text.split(|&b| b == b'\n').enumerate() {
        if n > 0 {
            buf.push(b'\n');
        }
        buf.extend_from_slice(b"    ");
        buf.extend_from_slice(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Location, RelatedLocation, Severity};

    /// Finding `i`: with and without the optional fields, strings to escape, nested objects.
    fn finding(i: usize) -> Finding {
        let location = Location {
            file: format!("charts/app/templates/t{i}.yaml"),
            line: i + 1,
            column: 3,
            end_line: i + 2,
            end_column: 9,
            template: i
                .is_multiple_of(2)
                .then(|| "app/templates/t.yaml".to_string()),
        };
        let mut f = Finding::about_chart(
            "rule-id",
            [Severity::Error, Severity::Warning, Severity::Note][i % 3],
            "app",
            format!("spec.containers[{i}]"),
            format!("message {i}: \"quoted\", a\nnewline, a tab\t, ünïcödé"),
            location.clone(),
            format!("{i:032x}"),
        );
        f.why = "why".into();
        f.fix = "fix `this`".into();
        if i % 3 == 1 {
            f.environments = vec!["dev".into(), "prod".into()];
            f.rendered = Some(location.clone());
            f.related = vec![RelatedLocation {
                object: f.object.clone(),
                path: "spec".into(),
                message: "written by".into(),
                location,
                rendered: None,
                target: f.target.clone(),
            }];
        }
        f
    }

    /// The report as serde_json writes it in one piece.
    fn whole(findings: &[Finding], environments: &BTreeMap<String, Profile>) -> String {
        serde_json::to_string_pretty(&report(findings, Profile::Prod, environments, 7)).unwrap()
            + "\n"
    }

    #[test]
    fn the_report_is_what_serializing_it_whole_writes() {
        let environments = BTreeMap::from([("prod".to_string(), Profile::Prod)]);
        for n in [0, 1, 2, 3, 1001] {
            let findings: Vec<Finding> = (0..n).map(finding).collect();
            for envs in [&BTreeMap::new(), &environments] {
                assert_eq!(
                    render(&findings, Profile::Prod, envs, 7),
                    whole(&findings, envs),
                    "{n} findings"
                );
            }
        }
    }
}
