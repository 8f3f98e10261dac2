//! Whether a generated value is guarded by a `lookup` of the live object: charts that keep a
//! generated password stable across upgrades read the existing Secret first
//! (`$s := lookup "v1" "Secret" ns name`) and generate only when there is none. `helm
//! template` (and so every GitOps tool that renders with it) has no cluster, so `lookup`
//! returns nothing and the value is still generated on every render.
//!
//! Read from the sources: a `lookup` call in the template or `define` that generates, before
//! the generating line, or in the template or define of an `include` call site that led there,
//! or before the place the value is written (a helper given the generated value as the
//! default of a looked-up key, as bitnami's `common.secrets.lookup`).

use crate::load::Chart;
use crate::manifests::LineOrigin;

pub(crate) fn mark_lookup_guards(root: &Chart, lines: &mut [Option<LineOrigin>]) {
    for o in lines.iter_mut().flatten() {
        for g in o.generated.iter_mut() {
            g.guarded = std::iter::once((g.template.as_str(), g.line))
                .chain(g.call_sites.iter().map(|(t, l)| (t.as_str(), *l)))
                .chain(g.written_at.iter().map(|(t, l)| (t.as_str(), *l)))
                .any(|(t, l)| lookup_before(root, t, l));
        }
    }
}

/// Whether template `name` has a `lookup` call between the start of the `define` (or file)
/// holding line `line` and that line.
fn lookup_before(root: &Chart, name: &str, line: u32) -> bool {
    let Some(text) = source(root, name) else {
        return false;
    };
    let lines: Vec<&str> = text.lines().take(line as usize).collect();
    let start = lines
        .iter()
        .rposition(|l| l.contains("define \"") || l.contains("define `"))
        .unwrap_or(0);
    lines[start..].iter().any(|l| {
        l.match_indices("lookup").any(|(i, _)| {
            let before = l[..i].chars().next_back();
            let after = l[i + 6..].chars().next();
            !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.' || c == '$')
                && matches!(after, Some(' ' | '(' | '\t'))
        })
    })
}

/// The source of template `name` (`chart/templates/x.yaml`, `chart/charts/sub/templates/…`).
fn source<'a>(root: &'a Chart, name: &str) -> Option<std::borrow::Cow<'a, str>> {
    let mut chart = root;
    let mut rest = name.strip_prefix(root.name())?.strip_prefix('/')?;
    while let Some(sub) = rest.strip_prefix("charts/") {
        let (dep, after) = sub.split_once('/')?;
        chart = chart.deps.iter().find(|d| d.name() == dep)?;
        rest = after;
    }
    chart
        .templates
        .iter()
        .find(|(p, _)| p == rest)
        .map(|(_, b)| String::from_utf8_lossy(b))
}
