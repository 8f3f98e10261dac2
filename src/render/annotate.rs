//! `chartguard render --provenance`: each line of what `helm template` prints, annotated
//! with the template line that wrote it and, for what came from values, the values path and
//! the file:line that set it. A debugging view of the built-in renderer's provenance.

use super::native_values::{self, ValuesLocator};
use helm_chart::{LineOrigin, LineValue};

/// `text` with a `# <template:line>  <values path> <- <file:line>` comment on each line the
/// render knows the origin of.
pub(crate) fn annotate(
    text: &str,
    lines: &[Option<LineOrigin>],
    values: &[Vec<LineValue>],
    locator: &ValuesLocator,
) -> String {
    let width = text
        .lines()
        .map(|l| l.chars().count())
        .filter(|&n| n <= 80)
        .max()
        .unwrap_or(0);
    let starts = crate::yaml::line_starts(text);
    let mut out = String::with_capacity(text.len() * 2);
    for (i, line) in text.lines().enumerate() {
        let mut notes = Vec::new();
        if let Some(Some(o)) = lines.get(i) {
            notes.push(format!("{}:{}", o.template, o.line));
            if let Some(via) = &o.via {
                notes.push(format!("({via})"));
            }
        }
        let starts = &starts;
        let line_of = |n: usize| {
            let a = *starts.get(n.checked_sub(1)?)?;
            let b = starts.get(n).map_or(text.len(), |e| e - 1);
            text.get(a..b)
        };
        for p in native_values::line_paths(i + 1, &line_of, values) {
            let shown = if p.is_root() {
                ".Values".to_string()
            } else {
                format!(".Values.{p}")
            };
            notes.push(match locator.locate(&p) {
                Some(l) => match (&l.value.file, l.value.line) {
                    (Some(f), Some(n)) => format!("{shown} <- {f}:{n}"),
                    _ => format!("{shown} <- {}", l.value.hint),
                },
                None => format!("{shown} (not set)"),
            });
        }
        out.push_str(line);
        if !notes.is_empty() {
            let pad = width.saturating_sub(line.chars().count()) + 2;
            out.push_str(&" ".repeat(pad));
            out.push_str("# ");
            out.push_str(&notes.join("  "));
        }
        out.push('\n');
    }
    out
}
