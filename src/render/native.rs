//! The built-in renderer: `helm template` in process (crates/helm-chart on the helm-template
//! engine), following Helm 4.1.4. It renders what it supports exactly as Helm does and names
//! what it does not support ([`Unsupported`]); `--renderer auto` then renders with Helm.
//!
//! Findings are mapped from what the engine recorded: each rendered line's template line
//! (through helpers to the call site in the document's template), `mapped_by: provenance`.
//! Documents only an upgrade renders are located the same way, from the `--is-upgrade` render.

use super::{Chart, RenderError, RenderOptions, Rendered, RenderedFile, Renderer};
use crate::model::MappedBy;
use crate::provenance::{Provenance, Query, SourceMap, TemplateLocator};
use helm_chart::{FailureKind, LineOrigin, Request, SetKind};
use helm_template::HelmVersion;
use std::collections::BTreeMap;

/// The built-in renderer.
pub(crate) struct Native;

/// A chart needs something the built-in renderer does not do: the feature, named.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Unsupported(pub(crate) String);

impl Native {
    /// Renders as Helm 4 would, or says what it does not support.
    pub(crate) fn try_render(
        &self,
        chart: &Chart,
        opts: &RenderOptions,
    ) -> Result<Result<Rendered, RenderError>, Unsupported> {
        // A lint only, never `chartguard render`: one RSA key per size for the render (and
        // its --is-upgrade render), so a chart that makes certificates does not spend its
        // lint generating keys (harbor: three 2048-bit keys, most of its render). Rules
        // see the same certificates and PEM blocks; generated values take no part in
        // fingerprints; a --previous release is another render with its own keys.
        helm_template::funcs::one_rsa_key_per_size(|| self.render_both(chart, opts))
    }

    fn render_both(
        &self,
        chart: &Chart,
        opts: &RenderOptions,
    ) -> Result<Result<Rendered, RenderError>, Unsupported> {
        let mut req = request(chart, opts, HelmVersion::V4);
        req.record_reads = true;
        let mut notices = Vec::new();
        let mut reads = None;
        let (install, lines) = match render_text(chart, opts, &req, &mut notices, &mut reads)? {
            Ok(t) => t,
            Err(e) => return Ok(Err(e)),
        };
        let mut files = vec![RenderedFile {
            text: install,
            upgrade_only: false,
        }];
        let mut lines = vec![lines];
        if super::helm::has_upgrade_logic(chart) {
            req.is_upgrade = true;
            req.record_reads = false;
            match render_text(chart, opts, &req, &mut Vec::new(), &mut None)? {
                Ok((upgrade, upgrade_lines)) => {
                    let (extra, from) =
                        super::helm::upgrade_only_lines(&files[0].text, &upgrade);
                    if !extra.is_empty() {
                        files.push(RenderedFile {
                            text: extra,
                            upgrade_only: true,
                        });
                        // The engine's record of the upgrade render, line for line.
                        lines.push(
                            from.into_iter()
                                .map(|i| i.and_then(|i| upgrade_lines.get(i).cloned().flatten()))
                                .collect(),
                        );
                    }
                }
                Err(e) => notices.push(format!(
                    "rendering `--is-upgrade` failed, so documents only an upgrade renders are not linted: {}",
                    e.message.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
                )),
            }
        }
        let locator = TemplateLocator::new(
            chart.unpacked.then_some(chart.path.as_path()),
            &chart.path,
            &opts.values,
            opts.set_args().cloned().collect(),
        );
        Ok(Ok(Rendered {
            files,
            notices,
            source_map: Box::new(NativeSourceMap { locator, lines }),
            reads,
        }))
    }
}

impl Renderer for Native {
    fn render(&self, chart: &Chart, opts: &RenderOptions) -> Result<Rendered, RenderError> {
        self.try_render(chart, opts).unwrap_or_else(|Unsupported(what)| {
            Err(RenderError {
                chart: chart.path.clone(),
                message: format!(
                    "the built-in renderer does not support this chart: {what} (use --renderer helm or auto)"
                ),
                template: None,
            })
        })
    }
}

/// What `helm template` would be given for `opts`.
pub(crate) fn request(chart: &Chart, opts: &RenderOptions, helm: HelmVersion) -> Request {
    let mut req = Request::new(helm);
    req.release_name = opts.release_name(chart);
    if let Some(ns) = &opts.namespace {
        req.namespace = ns.clone();
    }
    let (kube_version, served) = opts.capabilities();
    req.kube_version = Some(kube_version.to_string());
    req.api_versions = served
        .iter()
        .map(|v| v.to_string())
        .chain(opts.api_versions.iter().cloned())
        .collect();
    req.include_crds = opts.include_crds;
    req.skip_schema_validation = opts.skip_schema_validation;
    req.values_files = opts.values.clone();
    req.sets = opts
        .set
        .iter()
        .map(|s| (SetKind::Set, s.clone()))
        .chain(opts.set_string.iter().map(|s| (SetKind::String, s.clone())))
        .collect();
    req
}

/// A render's text and, per line, the template line that wrote it.
type RenderedText = (String, Vec<Option<LineOrigin>>);

/// One render's text; a chart failure as Helm words it (secrets masked), or what is
/// unsupported.
fn render_text(
    chart: &Chart,
    opts: &RenderOptions,
    req: &Request,
    notices: &mut Vec<String>,
    reads: &mut Option<helm_chart::ReadPaths>,
) -> Result<Result<RenderedText, RenderError>, Unsupported> {
    match helm_chart::render(&chart.path, req) {
        Ok(out) => {
            // The engine logs Helm's own lines for dropped hooks.
            notices.extend(super::helm::skipped_hook_notices(
                chart,
                &out.warnings.join("\n"),
            ));
            *reads = out.reads;
            Ok(Ok((out.text, out.lines)))
        }
        Err(f) if f.kind == FailureKind::Unsupported => Err(Unsupported(
            f.message
                .trim_start_matches("unsupported by the built-in renderer: ")
                .to_string(),
        )),
        Err(f) => {
            // Helm's stderr, as the Helm renderer shows it (without the `--debug` hint,
            // which names a flag of helm's, not chartguard's).
            let message = crate::redact::helm_message(
                &format!("Error: {}", f.message),
                opts.set_args(),
                opts.values_files(chart),
            );
            Ok(Err(RenderError {
                chart: chart.path.clone(),
                template: super::helm::error_location(&message),
                message,
            }))
        }
    }
}

/// Findings located by the engine's record of each line it rendered.
struct NativeSourceMap {
    locator: TemplateLocator,
    /// Per rendered file (the install render, then the upgrade-only documents), per line.
    lines: Vec<Vec<Option<LineOrigin>>>,
}

impl SourceMap for NativeSourceMap {
    fn locate(&self, q: &Query<'_>) -> Option<Provenance> {
        let source = q.docs.get(q.doc)?.template?;
        let recorded = self
            .lines
            .get(q.file)
            .and_then(|lines| lines.get(q.rendered.line.checked_sub(1)?).cloned())
            .flatten()
            .filter(|o| o.template == source);
        match recorded {
            Some(o) => {
                let mut p = self.locator.locate(source, q.path, Some(o.line as usize))?;
                p.mapped_by = MappedBy::Provenance;
                Some(p)
            }
            None => self.locator.locate(source, q.path, None),
        }
    }

    fn templates(&self) -> BTreeMap<String, String> {
        self.locator.templates()
    }

    fn generated(&self) -> Vec<(usize, Vec<helm_template::generated::GeneratedCall>)> {
        // Lines of the install render (file 0), as `SourceMap::generated` numbers them.
        self.lines
            .first()
            .into_iter()
            .flatten()
            .enumerate()
            .filter_map(|(i, o)| {
                let o = o.as_ref()?;
                (!o.generated.is_empty()).then(|| (i + 1, o.generated.clone()))
            })
            .collect()
    }
}
