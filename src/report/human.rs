//! `--format human`: codespan-style diagnostics at the offending line, then a summary line.
//! Snippets come from the redacted text only, so a credential never reaches the terminal.

use super::{byte_offset, counts, line_starts, Finding};
use crate::evaluate::policy::Severity;
use codespan_reporting::diagnostic::{Diagnostic, Label, Severity as CsSeverity};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor::Buffer};

pub struct Sources<'a> {
    pub names: Vec<&'a str>,
    /// Redacted text of each source.
    pub texts: Vec<String>,
}

fn severity(s: Severity) -> CsSeverity {
    match s {
        Severity::Error => CsSeverity::Error,
        Severity::Warning => CsSeverity::Warning,
        Severity::Note => CsSeverity::Note,
    }
}

pub fn render(findings: &[Finding], sources: &Sources<'_>, color: bool, objects: usize) -> String {
    let mut files = SimpleFiles::new();
    let ids: Vec<usize> = sources.names.iter().zip(&sources.texts).map(|(n, t)| files.add(n.to_string(), t.as_str())).collect();
    let starts: Vec<Vec<usize>> = sources.texts.iter().map(|t| line_starts(t)).collect();
    let span = |source: usize, line: usize, col: usize, end_line: usize, end_col: usize| {
        let text = &sources.texts[source];
        let a = byte_offset(&starts[source], text, crate::parse::yaml::Pos { line, col });
        let b = byte_offset(&starts[source], text, crate::parse::yaml::Pos { line: end_line, col: end_col });
        a..b.max(a)
    };
    let mut buffer = if color { Buffer::ansi() } else { Buffer::no_color() };
    let config = term::Config::default();
    for f in findings {
        let l = &f.location;
        let mut labels = vec![Label::primary(ids[l.source], span(l.source, l.line, l.column, l.end_line, l.end_column))
            .with_message(format!("{} {}", f.object.describe(), f.path))];
        for rel in &f.related {
            let r = &rel.location;
            labels.push(
                Label::secondary(ids[r.source], span(r.source, r.line, r.column, r.end_line, r.end_column))
                    .with_message(if rel.message.is_empty() { rel.object.describe() } else { rel.message.clone() }),
            );
        }
        let mut notes = Vec::new();
        if let Some(t) = &l.template {
            notes.push(format!("template: {t}"));
        }
        notes.push(format!("why: {}", f.why));
        notes.push(format!("fix: {}", f.fix));
        let diagnostic = Diagnostic::new(severity(f.severity))
            .with_code(f.rule.clone())
            .with_message(&f.message)
            .with_labels(labels)
            .with_notes(notes);
        // A rendering failure (a span past the end of a file) must not lose the finding.
        if term::emit_to_write_style(&mut buffer, &config, &files, &diagnostic).is_err() {
            let line = format!("{}[{}]: {}\n  --> {}:{}:{}\n", f.severity.as_str(), f.rule, f.message, l.file, l.line, l.column);
            std::io::Write::write_all(&mut buffer, line.as_bytes()).ok();
        }
    }
    let mut out = String::from_utf8_lossy(buffer.as_slice()).into_owned();
    out.push_str(&summary(findings, objects));
    out.push('\n');
    out
}

pub fn summary(findings: &[Finding], objects: usize) -> String {
    let c = counts(findings);
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    if findings.is_empty() {
        return format!("chartguard: no findings in {}", plural(objects, "object"));
    }
    format!(
        "chartguard: {}, {}, {} in {}",
        plural(c.error, "error"),
        plural(c.warning, "warning"),
        plural(c.note, "note"),
        plural(objects, "object")
    )
}
