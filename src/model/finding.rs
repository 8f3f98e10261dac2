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

/// The message of the related location that holds the template line when a finding sits at
/// the values line that set its value (`findings::edit_first`).
pub(crate) const WRITTEN_BY: &str = "written by";

impl Finding {
    /// A finding about a chart as a whole (its values files, its schema, an empty render),
    /// not about one rendered object: no rendered line, no object (`target.resource` is
    /// `usize::MAX`). Why, fix and the rule's index are the caller's to fill in.
    pub(crate) fn about_chart(
        rule: &str,
        severity: Severity,
        chart_name: &str,
        path: String,
        message: String,
        location: Location,
        fingerprint: String,
    ) -> Finding {
        Finding {
            rule: rule.into(),
            severity,
            message,
            object: ObjectRef {
                api_version: "v2".into(),
                kind: "Chart".into(),
                namespace: None,
                name: chart_name.into(),
            },
            path,
            location,
            rendered: None,
            mapped_by: None,
            value: None,
            environments: Vec::new(),
            suppression: None,
            why: String::new(),
            fix: String::new(),
            related: Vec::new(),
            fingerprint,
            rule_index: usize::MAX,
            sensitive: false,
            target: Target {
                resource: usize::MAX,
                path: Vec::new(),
            },
        }
    }

    /// The template line that wrote the finding's node: its location, or the related
    /// location the template line moved to when the finding sits at a values line.
    pub(crate) fn template_location(&self) -> &Location {
        match self.related.first() {
            Some(r) if r.target == self.target && r.message.starts_with(WRITTEN_BY) => &r.location,
            _ => &self.location,
        }
    }
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

/// The name a fingerprint knows an object by when its rendered name is made up per render:
/// `generateName` (the API server adds the suffix), or a last name segment that looks
/// random (`randAlphaNum`, a content hash) — always for hooks such as helm-test pods, whose
/// names are random by convention. Such a name is replaced by its stable part plus the
/// template and the object's place among that template's documents, so it is the same in
/// every render while two objects still differ. `None`: the name is stable as it is.
/// Only rendered charts (`template` known) or `generateName` objects are considered: a
/// manifest file's names are what the user wrote.
pub(crate) fn unstable_name_key(
    name: &str,
    generate_name: Option<&str>,
    hook: bool,
    template: Option<&str>,
    ordinal: usize,
) -> Option<String> {
    let place = template.unwrap_or("-");
    if name.is_empty() {
        return generate_name.map(|g| format!("{g}*@{place}#{ordinal}"));
    }
    let template = template?;
    let (stem, last) = name.rsplit_once('-')?;
    let alnum = !last.is_empty() && last.chars().all(|c| c.is_ascii_alphanumeric());
    let random_looking = alnum
        && last.len() >= 5
        && last.chars().any(|c| c.is_ascii_digit())
        && last.chars().any(|c| c.is_ascii_alphabetic());
    // A hook's made-up part may be all letters (randAlphaNum 5 | lower) and anywhere in the
    // name (elasticsearch's `<release>-<rand>-test`): a hook with any short alphanumeric
    // segment after the first goes by its first segment, template and place.
    let short =
        |s: &str| (3..=16).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric());
    if hook && name.split('-').skip(1).any(short) {
        let first = name.split('-').next().unwrap_or_default();
        return Some(format!("{first}-*@{template}#{ordinal}"));
    }
    random_looking.then(|| format!("{stem}-*@{template}#{ordinal}"))
}

#[cfg(test)]
mod tests {
    use super::unstable_name_key as key;

    #[test]
    fn generated_names_are_stable_and_real_names_stay_apart() {
        let t = Some("app/templates/tests/test.yaml");
        // Two renders of a helm-test pod: the same key, whatever the suffix.
        assert_eq!(
            key("app-test-x7k2q", None, true, t, 0),
            key("app-test-qwert", None, true, t, 0)
        );
        // Two such pods of one template stay apart.
        assert_ne!(
            key("app-test-x7k2q", None, true, t, 0),
            key("app-test-x7k2q", None, true, t, 1)
        );
        // generateName: the name is empty until the API server makes one.
        assert_eq!(
            key("", Some("job-"), false, t, 0).as_deref(),
            Some("job-*@app/templates/tests/test.yaml#0")
        );
        // A random middle segment (elasticsearch's test pod), whatever its letters.
        assert_eq!(
            key("es-lzfyt-test", None, true, t, 0),
            key("es-xpjut-test", None, true, t, 0)
        );
        // Ordinary names, and names in plain manifest files, are kept.
        assert_eq!(key("web", None, false, t, 0), None);
        assert_eq!(key("web-frontend", None, false, t, 0), None);
        assert_eq!(key("web-4f9a2b", None, false, None, 0), None);
        assert!(key("web-4f9a2b", None, false, t, 0).is_some());
    }
}
