//! `--format json`: a stable, documented schema (`docs/json-output.md`). Bump
//! `SCHEMA_VERSION` on any change that removes or renames a field.

use super::{counts, Counts, Finding};
use serde::Serialize;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'a> {
    schema_version: u32,
    tool: Tool,
    profile: &'a str,
    objects: usize,
    summary: Counts,
    findings: &'a [Finding],
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

pub fn render(findings: &[Finding], profile: &str, objects: usize) -> String {
    let report = Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "chartguard",
            version: env!("CARGO_PKG_VERSION"),
        },
        profile,
        objects,
        summary: counts(findings),
        findings,
    };
    let mut s = serde_json::to_string_pretty(&report).expect("findings serialize");
    s.push('\n');
    s
}
