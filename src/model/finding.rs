//! A finding: what a rule reported, on which object and field, and where a person edits it.

use super::{MappedBy, PathSeg, Severity, ValueSource};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct ObjectRef {
    pub(crate) api_version: String,
    pub(crate) kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) namespace: Option<String>,
    pub(crate) name: String,
}

impl ObjectRef {
    /// `Deployment web` or `Deployment prod/web`.
    pub(crate) fn describe(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {}/{}", self.kind, ns, self.name),
            None => format!("{} {}", self.kind, self.name),
        }
    }

    /// `kind/namespace/name`, namespace `-` when unset: what config suppressions and
    /// baselines match and show.
    pub(crate) fn id(&self) -> String {
        format!(
            "{}/{}/{}",
            self.kind,
            self.namespace.as_deref().unwrap_or("-"),
            self.name
        )
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct Location {
    /// File as shown to users (relative to the current directory), `<stdin>` for stdin.
    pub(crate) file: String,
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) end_line: usize,
    pub(crate) end_column: usize,
    /// Helm's `# Source:` template of the document, when rendered by Helm.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) template: Option<String>,
}

/// The field a finding (or a related location) is about: an object of the linted release
/// and a path inside it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Target {
    /// Index of the object in the release, in parse order.
    pub(crate) resource: usize,
    pub(crate) path: Vec<PathSeg>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct RelatedLocation {
    pub(crate) object: ObjectRef,
    pub(crate) path: String,
    pub(crate) message: String,
    pub(crate) location: Location,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) rendered: Option<Location>,
    #[serde(skip)]
    pub(crate) target: Target,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum SuppressionKind {
    /// In the object itself (SARIF `inSource`).
    InSource,
    /// In the configuration file (SARIF `external`).
    External,
}

/// Why a finding does not count: it stays visible but never fails the run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Suppression {
    pub(crate) kind: SuppressionKind,
    pub(crate) justification: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) until: Option<String>,
}

/// The order of the fields is the JSON output's (`docs/json-output.md`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct Finding {
    pub(crate) rule: String,
    pub(crate) severity: Severity,
    pub(crate) message: String,
    pub(crate) object: ObjectRef,
    pub(crate) path: String,
    /// Where to edit: the template line for charts, else the file that was read.
    pub(crate) location: Location,
    /// For charts: where it is in the rendered output.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) rendered: Option<Location>,
    /// How the template line was found (marker, key-path, document), for charts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) mapped_by: Option<MappedBy>,
    /// For charts: the values key behind the line, and which values file sets it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) value: Option<ValueSource>,
    /// Environments (from --all-environments or the config) the finding occurs in.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) environments: Vec<String>,
    /// Set when an inline annotation or the config suppresses the finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) suppression: Option<Suppression>,
    pub(crate) why: String,
    pub(crate) fix: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) related: Vec<RelatedLocation>,
    /// Stable identity: rule, object and field path — not the line, so it survives edits.
    pub(crate) fingerprint: String,
    /// Index of the rule in the policy set (SARIF `ruleIndex`).
    #[serde(skip)]
    pub(crate) rule_index: usize,
    /// Whether the finding's target holds a credential, so no snippet may show it.
    #[serde(skip)]
    pub(crate) sensitive: bool,
    #[serde(skip)]
    pub(crate) target: Target,
}

/// The first 16 bytes of SHA-256 over the parts, hex: stable across runs and platforms.
pub(crate) fn fingerprint(parts: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    h.finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}
