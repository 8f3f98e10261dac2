//! `chartguard rules`: the registry of rules, as a table, JSON, or one rule's full doc.

use crate::evaluate::policy::{PolicySet, RuleMeta, Scope};

pub(crate) fn table(policies: &PolicySet) -> String {
    let mut out = String::new();
    let w = policies
        .rules
        .iter()
        .map(|r| r.meta.id.len())
        .max()
        .unwrap_or(2)
        .max(2);
    out.push_str(&format!(
        "{:<w$}  {:<8}  {:<9}  {}\n",
        "ID", "SEVERITY", "PROFILES", "TITLE"
    ));
    for r in &policies.rules {
        let m = &r.meta;
        out.push_str(&format!(
            "{:<w$}  {:<8}  {:<9}  {}\n",
            m.id,
            m.severity.as_str(),
            profiles(m, ","),
            m.title
        ));
    }
    out
}

pub(crate) fn json(policies: &PolicySet) -> String {
    let metas: Vec<&RuleMeta> = policies.rules.iter().map(|r| &r.meta).collect();
    let mut s = serde_json::to_string_pretty(&metas).expect("metadata serializes");
    s.push('\n');
    s
}

/// The README's rules table: `| id | severity | profiles | title |`, one row per rule.
pub(crate) fn markdown_table(policies: &PolicySet) -> String {
    let mut out =
        String::from("| Rule | Severity | Profiles | What it catches |\n|---|---|---|---|\n");
    for r in &policies.rules {
        let m = &r.meta;
        out.push_str(&format!(
            "| [`{}`](docs/rules/{}.md) | {} | {} | {} |\n",
            m.id,
            m.id,
            m.severity.as_str(),
            profiles(m, ", "),
            m.title
        ));
    }
    out
}

pub(crate) fn explain_text(m: &RuleMeta) -> String {
    let mut s = format!(
        "{} ({}, {})\n\n{}\n",
        m.id,
        m.severity.as_str(),
        profiles(m, "/"),
        m.title
    );
    if !m.description.is_empty() {
        s.push_str(&format!("\n{}\n", m.description));
    }
    s.push_str(&format!(
        "\nWhy it matters:\n  {}\n\nHow to fix:\n  {}\n",
        m.why, m.fix
    ));
    if !m.params.is_empty() {
        s.push_str(&format!(
            "\nParameters (.chartguard.yaml `rules.params.{}.<name>`):\n",
            m.id
        ));
        for (name, p) in &m.params {
            s.push_str(&format!("  {name}: {}\n", p.description));
            s.push_str(&format!(
                "    default: {}\n    schema:  {}\n",
                p.default, p.schema
            ));
        }
    }
    if !m.tags.is_empty() {
        s.push_str(&format!("\nTags: {}\n", m.tags.join(", ")));
    }
    if !m.references.is_empty() {
        s.push_str("\nReferences:\n");
        for r in &m.references {
            s.push_str(&format!("  {r}\n"));
        }
    }
    s
}

pub(crate) fn explain_markdown(m: &RuleMeta) -> String {
    let mut s = format!("# `{}`: {}\n\n", m.id, m.title);
    s.push_str(&format!(
        "Severity: **{}** · Profiles: {} · Scope: {}{}\n\n",
        m.severity.as_str(),
        profiles(m, ", "),
        match m.scope {
            Scope::Object => "one object",
            Scope::Release => "whole release",
            Scope::Upgrade => "upgrade (with `lint --previous`)",
        },
        if m.tags.is_empty() {
            String::new()
        } else {
            format!(" · Tags: {}", m.tags.join(", "))
        }
    ));
    if !m.description.is_empty() {
        s.push_str(&format!("{}\n\n", m.description));
    }
    s.push_str(&format!(
        "## Why it matters\n\n{}\n\n## How to fix\n\n{}\n",
        m.why, m.fix
    ));
    if !m.params.is_empty() {
        s.push_str(&format!(
            "\n## Parameters\n\nSet in `.chartguard.yaml` under `rules.params.{}`; the rule reads them as `data.params[\"{}\"]`.\n\n| name | default | schema | what it is |\n|---|---|---|---|\n",
            m.id, m.id
        ));
        for (name, p) in &m.params {
            s.push_str(&format!(
                "| `{name}` | `{}` | `{}` | {} |\n",
                p.default,
                p.schema,
                p.description.replace('|', "\\|")
            ));
        }
    }
    if !m.references.is_empty() {
        s.push_str("\n## References\n\n");
        for r in &m.references {
            s.push_str(&format!("- <{r}>\n"));
        }
    }
    s
}

fn profiles(m: &RuleMeta, sep: &str) -> String {
    let names: Vec<&str> = m.profiles.iter().map(|p| p.as_str()).collect();
    names.join(sep)
}
