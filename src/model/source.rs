//! Where a finding's line came from in the chart: how its template line was found, and
//! which values file sets the value behind it.

use serde::Serialize;

/// How a finding's template line was found, best first. Reported in JSON (`mapped_by`) so
/// the precision of each method can be measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum MappedBy {
    /// What the built-in renderer recorded while it rendered the node (exact).
    Provenance,
    /// Marker comments in an instrumented render.
    Marker,
    /// The key path searched in the template text.
    KeyPath,
    /// The document's first line in the template.
    Document,
}

/// The values key behind a template line, and which values file sets it: "set by
/// values-prod.yaml:12 (`resources.limits`)" or "not set; add `resources` to values-prod.yaml".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ValueSource {
    /// The values key, e.g. `resources.limits`.
    pub(crate) key: String,
    /// The file (as shown to users) that sets it last, and the line; None when nothing does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) line: Option<usize>,
    /// The key's column on that line, when the renderer located it exactly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) column: Option<usize>,
    /// True when a `--set`/`--set-string` sets it (its value is never shown).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub(crate) command_line: bool,
    /// The sentence shown to users.
    pub(crate) hint: String,
}
