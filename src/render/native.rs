//! The built-in renderer: `helm template` in process (crates/helm-chart on the helm-template
//! engine), following Helm 4.1.4. It renders what it supports exactly as Helm does and names
//! what it does not support ([`Unsupported`]); `--renderer auto` then renders with Helm.
//!
//! Findings are mapped from what the engine recorded: each rendered line's template line
//! (through helpers to the call site in the document's template), `mapped_by: provenance`,
//! for the documents only an upgrade renders too (their lines of the upgrade render); and
//! the values behind the node, from its taint, located in the values file that set them
//! ([`native_values`]).

use super::native_values::{self, Taint, ValuesLocator};
use super::{Chart, RenderError, RenderOptions, Rendered, RenderedFile, Renderer};
use crate::model::MappedBy;
use crate::provenance::{Provenance, Query, SourceMap, TemplateLocator};
use helm_chart::{FailureKind, LineOrigin, LineValue, Request, SetKind};
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
        // The documents only an upgrade renders come from a second render, on another core
        // at the same time, sharing this lint's one key per size.
        let keys = helm_template::funcs::current_rsa_keys();
        let upgrade_req = super::helm::has_upgrade_logic(chart).then(|| {
            let mut r = req.clone();
            r.is_upgrade = true;
            r.record_reads = false;
            r
        });
        let (first, upgrade) = std::thread::scope(|scope| {
            let upgrade = upgrade_req.as_ref().map(|r| {
                scope.spawn(|| {
                    let render = || render_text(chart, opts, r, &mut Vec::new(), &mut None);
                    match keys {
                        Some(keys) => helm_template::funcs::with_rsa_keys(keys, render),
                        None => render(),
                    }
                })
            });
            let first = render_text(chart, opts, &req, &mut notices, &mut reads);
            (first, upgrade.map(|h| h.join()))
        });
        let (install, lines, values) = match first? {
            Ok(t) => t,
            Err(e) => return Ok(Err(e)),
        };
        let mut recorded = vec![FileLines::new(install.clone(), lines, values)];
        let mut files = vec![RenderedFile {
            text: install,
            upgrade_only: false,
        }];
        if let Some(upgrade) = upgrade {
            let upgrade = upgrade.unwrap_or_else(|_| {
                Ok(Err(RenderError {
                    chart: chart.path.clone(),
                    message: "the render panicked".into(),
                    template: None,
                }))
            });
            match upgrade? {
                Ok((upgrade, up_lines, up_values)) => {
                    let (extra, from) =
                        super::helm::upgrade_only_lines(&files[0].text, &upgrade);
                    if !extra.is_empty() {
                        // The engine's record of the upgrade render, line for line.
                        let lines = from
                            .iter()
                            .map(|i| i.and_then(|i| up_lines.get(i).cloned().flatten()))
                            .collect();
                        let values = from
                            .iter()
                            .map(|i| i.and_then(|i| up_values.get(i).cloned()).unwrap_or_default())
                            .collect();
                        recorded.push(FileLines::new(extra.clone(), lines, values));
                        files.push(RenderedFile {
                            text: extra,
                            upgrade_only: true,
                        });
                    }
                }
                Err(e) => notices.push(format!(
                    "rendering `--is-upgrade` failed, so documents only an upgrade renders are not linted: {}",
                    e.message.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
                )),
            }
        }
        req.is_upgrade = false;
        let values_locator = ValuesLocator::new(
            &chart.path,
            chart.unpacked.then_some(chart.path.as_path()),
            req,
        );
        let locator = TemplateLocator::new(
            chart.unpacked.then_some(chart.path.as_path()),
            &chart.path,
            &opts.values,
            opts.set_args().cloned().collect(),
        );
        Ok(Ok(Rendered {
            files,
            notices,
            source_map: Box::new(NativeSourceMap {
                locator,
                files: recorded,
                values_locator,
            }),
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

/// Per rendered line: the template (`# Source:` path) and 1-based line that wrote it.
pub(super) type TemplateLines = Vec<Option<(String, usize)>>;

/// For the Helm renderer's map: the built-in renderer's render of `chart` (`upgrade`: as
/// `--is-upgrade`) and, per line, the template and line that wrote it. None when it does not
/// render the chart (unsupported, or failing): Helm's instrumented render maps it then.
pub(super) fn template_lines(
    chart: &Chart,
    opts: &RenderOptions,
    upgrade: bool,
) -> Option<(String, TemplateLines)> {
    let mut req = request(chart, opts, HelmVersion::V4);
    req.is_upgrade = upgrade;
    let out = helm_template::funcs::one_rsa_key_per_size(|| helm_chart::render(&chart.path, &req))
        .ok()?;
    let lines = out
        .lines
        .into_iter()
        .map(|o| o.map(|o| (o.template, o.line as usize)))
        .collect();
    Some((out.text, lines))
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

/// A render's text and, per line, the template line that wrote it and its values stretches.
type RenderedText = (String, Vec<Option<LineOrigin>>, Vec<Vec<LineValue>>);

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
            Ok(Ok((out.text, out.lines, out.values)))
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

/// Findings located by the engine's record of each line of each rendered file (the install
/// render, and the documents only an upgrade renders).
struct NativeSourceMap {
    locator: TemplateLocator,
    files: Vec<FileLines>,
    values_locator: ValuesLocator,
}

/// What the engine recorded for one rendered file.
struct FileLines {
    /// Per line: the template line that wrote it.
    lines: Vec<Option<LineOrigin>>,
    /// Per line: the stretches read from `.Values`.
    values: Vec<Vec<LineValue>>,
    /// The text, and where each of its lines starts.
    text: String,
    starts: Vec<usize>,
}

impl FileLines {
    fn new(text: String, lines: Vec<Option<LineOrigin>>, values: Vec<Vec<LineValue>>) -> Self {
        FileLines {
            starts: crate::yaml::line_starts(&text),
            text,
            lines,
            values,
        }
    }

    fn line(&self, n: usize) -> Option<&str> {
        let start = *self.starts.get(n.checked_sub(1)?)?;
        let end = self.starts.get(n).map_or(self.text.len(), |e| e - 1);
        self.text.get(start..end)
    }
}

impl NativeSourceMap {
    /// The values behind the node, from the engine's taint: where they were set, and
    /// whether the template wrote the value itself. None: the taint says nothing.
    fn values_of(&self, q: &Query<'_>, p: &mut Provenance) {
        let (Some(doc), Some(file)) = (q.docs.get(q.doc), self.files.get(q.file)) else {
            return;
        };
        let line = |n: usize| file.line(n);
        match native_values::taint_of(doc.root, q.path, &line, &file.values) {
            // Text of the template, not a value it computed (`{{ .Release.Name }}-x`).
            Taint::Literal
                if self
                    .locator
                    .is_plain_text(&p.location.file, p.location.line) =>
            {
                p.value = None;
                p.hard_coded = true;
            }
            Taint::Literal | Taint::Unknown => {}
            Taint::Values {
                mut paths,
                whole,
                scalar,
            } => {
                let first = native_values::pick(q.rule, &paths);
                paths.swap(0, first);
                let found: Vec<_> = paths
                    .iter()
                    .filter_map(|v| self.values_locator.locate(v))
                    .collect();
                let Some(mut main) = found.first().map(|l| (l.value.clone(), l.edit.clone()))
                else {
                    return;
                };
                if found.len() > 1 {
                    main.0.hint = found
                        .iter()
                        .map(|l| l.value.hint.as_str())
                        .collect::<Vec<_>>()
                        .join("; ");
                }
                let texts: Vec<String> = found.iter().filter_map(|l| l.text.clone()).collect();
                let own = whole
                    && scalar
                        .as_deref()
                        .is_none_or(|r| native_values::made_of(r, &texts));
                p.value = Some(main.0);
                p.edit = main.1.filter(|_| own);
            }
        }
    }
}

impl SourceMap for NativeSourceMap {
    fn locate(&self, q: &Query<'_>) -> Option<Provenance> {
        let source = q.docs.get(q.doc)?.template?;
        let recorded = self
            .files
            .get(q.file)
            .and_then(|f| f.lines.get(q.rendered.line.checked_sub(1)?).cloned())
            .flatten()
            .filter(|o| o.template == source);
        match recorded {
            Some(o) => {
                let mut p = self.locator.locate(source, q.path, Some(o.line as usize))?;
                p.mapped_by = MappedBy::Provenance;
                self.values_of(q, &mut p);
                Some(p)
            }
            None => self.locator.locate(source, q.path, None),
        }
    }

    fn templates(&self) -> BTreeMap<String, String> {
        let mut all = self.values_locator.texts();
        all.extend(self.locator.templates());
        all
    }

    fn generated(&self) -> Vec<(usize, Vec<helm_template::generated::GeneratedCall>)> {
        // Lines of the install render (file 0), as `SourceMap::generated` numbers them.
        self.files
            .first()
            .into_iter()
            .flat_map(|f| &f.lines)
            .enumerate()
            .filter_map(|(i, o)| {
                let o = o.as_ref()?;
                (!o.generated.is_empty()).then(|| (i + 1, o.generated.clone()))
            })
            .collect()
    }
}
