//! Upgrade safety (`lint --previous SOURCE`): the release before the change, so rules can
//! judge the upgrade — the pair of releases — and not just the new one.
//!
//! - [`source`]: what SOURCE is (rendered manifests, a previous chart, a git ref rendered
//!   from a temporary worktree) and where its chart and values files are;
//! - [`diff`]: the objects of both releases paired by kind/namespace/name, with the field
//!   paths that changed, and the per-object change list people read before the findings.
//!
//! The previous release is parsed, never evaluated: its own findings are not this change's.

pub(crate) mod diff;
pub(crate) mod source;

use crate::files::SourceFile;
use crate::model::Finding;
use crate::parse::Resource;
use crate::provenance::SourceMap;
use crate::redact;
use std::collections::BTreeMap;

/// The previous release of one chart (and environment), ready to pair with the new one.
pub(crate) struct Previous {
    /// What it was read from, for messages: `old.yaml`, `origin/main (git ref, 1a2b3c4)`.
    pub(crate) source: String,
    pub(crate) files: Vec<SourceFile>,
    pub(crate) resources: Vec<Resource>,
    /// Its template lines, when it was rendered from a chart.
    pub(crate) map: Box<dyn SourceMap>,
    /// `--helm-timeout` in seconds (Helm's `--timeout`, default 5m): hooks that can run
    /// longer are cut off by `helm upgrade --atomic`.
    pub(crate) helm_timeout_seconds: u64,
    /// A path prefix of the previous files and how to show it instead (a temporary git
    /// checkout shown as `origin/main:`).
    pub(crate) shown_prefix: Option<(String, String)>,
}

impl Previous {
    /// A file of the previous release as people find it: `origin/main:charts/app/x.yaml`
    /// rather than the temporary checkout it was rendered from.
    pub(crate) fn shown(&self, file: &str) -> String {
        match &self.shown_prefix {
            Some((from, to)) => match file.strip_prefix(from.as_str()) {
                Some(rest) => format!("{to}{rest}"),
                None => file.to_string(),
            },
            None => file.to_string(),
        }
    }

    /// The masked text of the previous release's files and of the templates findings point
    /// into, by the names findings show (human snippets). Masked as the new release's are:
    /// Secret data and credential-looking values never appear. No finding marks a previous
    /// object sensitive (their targets index another release), so none is passed for that.
    pub(crate) fn snippets(&self, findings: &[Finding]) -> BTreeMap<String, String> {
        let docs: Vec<redact::Doc<'_>> = self.resources.iter().map(Resource::redact_doc).collect();
        // Templates by the names findings show them under, so their lines are matched.
        let templates = self
            .map
            .templates()
            .into_iter()
            .map(|(name, text)| (self.shown(&name), text))
            .collect();
        redact::sources(&self.files, &docs, &[], findings, templates)
    }
}

/// What `lint --previous SOURCE` asks for, before SOURCE is looked at.
#[derive(Debug, Clone)]
pub(crate) struct Wanted {
    pub(crate) source: String,
    pub(crate) helm_timeout_seconds: u64,
}
