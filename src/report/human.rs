//! `--format human`: codespan-style diagnostics at the offending line, then a summary line.
//! Snippets come from the redacted text only, so a credential never reaches the terminal.

use super::counts;
use crate::model::{Finding, Location, Severity, SuppressionKind};
use crate::yaml::{byte_offset, line_starts, Pos};
use codespan_reporting::diagnostic::{Diagnostic, Label, Severity as CsSeverity};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor::Buffer};

/// Redacted text of every file a finding may point at, by the name locations use.
pub(crate) type Sources = std::collections::BTreeMap<String, String>;

fn severity(s: Severity) -> CsSeverity {
    match s {
        Severity::Error => CsSeverity::Error,
        Severity::Warning => CsSeverity::Warning,
        Severity::Note => CsSeverity::Note,
    }
}

pub(crate) fn render(
    findings: &[Finding],
    sources: &Sources,
    color: bool,
    objects: usize,
    show_suppressed: bool,
) -> String {
    let mut files = SimpleFiles::new();
    let empty = String::new();
    let mut ids = std::collections::BTreeMap::new();
    let mut starts = std::collections::BTreeMap::new();
    for (name, text) in sources {
        ids.insert(name.as_str(), files.add(name.clone(), text.as_str()));
        starts.insert(name.as_str(), line_starts(text));
    }
    let missing = files.add("<unknown>".to_string(), empty.as_str());
    let id_of = |name: &str| ids.get(name).copied().unwrap_or(missing);
    let span = |l: &Location| {
        let (Some(text), Some(st)) = (sources.get(&l.file), starts.get(l.file.as_str())) else {
            return 0..0;
        };
        let a = byte_offset(
            st,
            text,
            Pos {
                line: l.line,
                col: l.column,
            },
        );
        let b = byte_offset(
            st,
            text,
            Pos {
                line: l.end_line,
                col: l.end_column,
            },
        );
        a..b.max(a)
    };
    let mut buffer = if color {
        Buffer::ansi()
    } else {
        Buffer::no_color()
    };
    let config = term::Config::default();
    // Why and fix once per rule, after its first finding: repeated, they drown the findings.
    let mut explained = std::collections::HashSet::new();
    for f in findings
        .iter()
        .filter(|f| show_suppressed || f.suppression.is_none())
    {
        let l = &f.location;
        let mut labels = vec![
            Label::primary(id_of(&l.file), span(l)).with_message(format!(
                "{} {}",
                f.object.describe(),
                f.path
            )),
        ];
        if let Some(r) = &f.rendered {
            labels.push(Label::secondary(id_of(&r.file), span(r)).with_message("rendered"));
        }
        for rel in &f.related {
            labels.push(
                Label::secondary(id_of(&rel.location.file), span(&rel.location)).with_message(
                    if rel.message.is_empty() {
                        rel.object.describe()
                    } else {
                        rel.message.clone()
                    },
                ),
            );
        }
        let mut notes = Vec::new();
        if let (Some(t), None) = (&l.template, &f.rendered) {
            notes.push(format!("template: {t}"));
        }
        if let Some(v) = &f.value {
            notes.push(format!("values: {}", v.hint));
        }
        if !f.environments.is_empty() {
            notes.push(format!("environments: {}", f.environments.join(", ")));
        }
        if let Some(s) = &f.suppression {
            let until = s
                .until
                .as_deref()
                .map(|d| format!(" until {d}"))
                .unwrap_or_default();
            let place = match s.kind {
                SuppressionKind::InSource => "in the object",
                SuppressionKind::External => "in the config",
            };
            notes.push(format!("suppressed {place}{until}: {}", s.justification));
        }
        if explained.insert(f.rule.as_str()) {
            notes.push(format!("why: {}", f.why));
            notes.push(format!("fix: {}", f.fix));
        }
        let diagnostic = Diagnostic::new(severity(f.severity))
            .with_code(f.rule.clone())
            .with_message(&f.message)
            .with_labels(labels)
            .with_notes(notes);
        // A rendering failure (a span past the end of a file) must not lose the finding.
        let mut escaping = super::escape::Escaping { inner: &mut buffer };
        if term::emit_to_write_style(&mut escaping, &config, &files, &diagnostic).is_err() {
            let line = format!(
                "{}[{}]: {}\n  --> {}:{}:{}\n",
                f.severity.as_str(),
                f.rule,
                f.message,
                l.file,
                l.line,
                l.column
            );
            std::io::Write::write_all(&mut escaping, line.as_bytes()).ok();
        }
    }
    let mut out = String::from_utf8_lossy(buffer.as_slice()).into_owned();
    out.push_str(&summary(findings, objects));
    out.push('\n');
    out
}

/// `--concise`: one line per finding, `path:line:col: level[rule] message`, then the summary.
pub(crate) fn concise(findings: &[Finding], objects: usize, show_suppressed: bool) -> String {
    let mut out = String::new();
    for f in findings
        .iter()
        .filter(|f| show_suppressed || f.suppression.is_none())
    {
        let l = &f.location;
        let suppressed = if f.suppression.is_some() {
            " (suppressed)"
        } else {
            ""
        };
        out.push_str(&format!(
            "{}:{}:{}: {}[{}] {}{suppressed}\n",
            l.file,
            l.line,
            l.column,
            f.severity.as_str(),
            f.rule,
            f.message.replace('\n', " ")
        ));
    }
    out.push_str(&summary(findings, objects));
    out.push('\n');
    out
}

/// `--statistics`: how many findings of each rule (suppressed ones left out), most first.
pub(crate) fn statistics(findings: &[Finding]) -> String {
    let mut per_rule: std::collections::BTreeMap<&str, (usize, Severity)> = Default::default();
    for f in findings.iter().filter(|f| f.suppression.is_none()) {
        per_rule.entry(&f.rule).or_insert((0, f.severity)).0 += 1;
    }
    let mut rows: Vec<_> = per_rule.into_iter().collect();
    rows.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));
    let width = rows.iter().map(|(r, _)| r.len()).max().unwrap_or(0);
    rows.iter()
        .map(|(rule, (n, sev))| format!("{n:>6}  {rule:<width$}  {}\n", sev.as_str()))
        .collect()
}

pub(crate) fn summary(findings: &[Finding], objects: usize) -> String {
    let c = counts(findings);
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let suppressed = if c.suppressed > 0 {
        format!(" ({} suppressed)", c.suppressed)
    } else {
        String::new()
    };
    if c.error + c.warning + c.note == 0 {
        return format!(
            "chartguard: no findings in {}{suppressed}",
            plural(objects, "object")
        );
    }
    format!(
        "chartguard: {}, {}, {} in {}{suppressed}",
        plural(c.error, "error"),
        plural(c.warning, "warning"),
        plural(c.note, "note"),
        plural(objects, "object")
    )
}
