//! Stage 0 for charts: render a chart the way it will be deployed, and keep what is needed
//! to point findings at the template and values lines a person edits.
//!
//! [`Renderer`] is the seam: a renderer turns a chart and [`RenderOptions`] into rendered
//! files plus a [`SourceMap`] (rendered node → template and values lines). Two implement
//! it: the built-in renderer ([`native`], recording each line's template line as it renders;
//! the default, through `auto`) and the real Helm ([`helm`]), chosen by [`renderer`].

mod annotate;
pub(crate) mod command;
pub(crate) mod helm;
pub(crate) mod native;
mod native_values;

pub(crate) use crate::cli::args::RendererKind;
use crate::provenance::SourceMap;
use std::path::{Path, PathBuf};

/// What a chart is rendered with, whichever renderer renders it (Helm's flags).
#[derive(Debug, Clone, Default)]
pub(crate) struct RenderOptions {
    /// Values files in Helm's order (`-f`, repeatable), after the chart's values.yaml.
    pub(crate) values: Vec<PathBuf>,
    pub(crate) set: Vec<String>,
    pub(crate) set_string: Vec<String>,
    /// Default: the chart's name.
    pub(crate) release_name: Option<String>,
    pub(crate) namespace: Option<String>,
    pub(crate) kube_version: Option<String>,
    pub(crate) api_versions: Vec<String>,
    pub(crate) include_crds: bool,
    /// How long a render may take and how much it may print.
    pub(crate) limits: helm::process::Limits,
    /// Which renderer renders (`--renderer`, `renderer:` in .chartguard.yaml).
    pub(crate) renderer: RendererKind,
    /// `--skip-schema-validation`: set by lint once it has reported the values'
    /// values.schema.json violations itself (`values-schema-invalid`).
    pub(crate) skip_schema_validation: bool,
}

impl RenderOptions {
    /// The Kubernetes version a chart is rendered for — the one the rules judge, not the
    /// renderer's built-in default — and the built-in API versions it serves, which
    /// `.Capabilities.APIVersions` holds before the user's `--api-versions`. Both renderers
    /// take these, so a template's `Has` branches are the same whichever renders it.
    pub(crate) fn capabilities(&self) -> (&str, Vec<&'static str>) {
        let kube_version = self
            .kube_version
            .as_deref()
            .unwrap_or(helm::DEFAULT_KUBE_VERSION);
        (kube_version, helm::capabilities::served(kube_version))
    }

    /// The release name the chart is rendered as.
    pub(crate) fn release_name(&self, chart: &Chart) -> String {
        self.release_name
            .clone()
            .unwrap_or_else(|| chart.name.clone())
    }

    /// `--set` and `--set-string` arguments, in that order.
    pub(crate) fn set_args(&self) -> impl Iterator<Item = &String> {
        self.set.iter().chain(&self.set_string)
    }

    /// Every values file the render reads, the chart's values.yaml first.
    pub(crate) fn values_files(&self, chart: &Chart) -> impl Iterator<Item = PathBuf> + '_ {
        std::iter::once(chart.path.join("values.yaml")).chain(self.values.iter().cloned())
    }
}

/// One rendered file of a release.
pub(crate) struct RenderedFile {
    pub(crate) text: String,
    /// Documents that only an upgrade renders (pre-upgrade-only hooks), not the install.
    pub(crate) upgrade_only: bool,
}

/// A rendered release: its files, what the renderer wants the user to know, and where each
/// rendered node comes from.
pub(crate) struct Rendered {
    pub(crate) files: Vec<RenderedFile>,
    /// Not findings, not failures: e.g. a document Helm dropped.
    pub(crate) notices: Vec<String>,
    pub(crate) source_map: Box<dyn SourceMap>,
    /// The `.Values` paths the install render read (built-in renderer only): values analysis.
    pub(crate) reads: Option<helm_chart::ReadPaths>,
}

/// Renders charts. A failure is the chart's (a failed `required`, a template error), named
/// at the template line when the renderer knows it.
pub(crate) trait Renderer {
    fn render(&self, chart: &Chart, opts: &RenderOptions) -> Result<Rendered, RenderError>;
}

/// The renderer the settings ask for (`opts.renderer`, read at each render).
pub(crate) fn renderer(helm_bin: &Path) -> Box<dyn Renderer> {
    Box::new(Chosen {
        helm: helm::Helm {
            bin: helm_bin.to_path_buf(),
        },
    })
}

/// Dispatches on `RenderOptions::renderer`: Helm, the built-in renderer, or the built-in one
/// falling back to Helm for a chart it does not support (saying so, naming the feature).
struct Chosen {
    helm: helm::Helm,
}

impl Renderer for Chosen {
    fn render(&self, chart: &Chart, opts: &RenderOptions) -> Result<Rendered, RenderError> {
        match opts.renderer {
            RendererKind::Helm => self.helm.render(chart, opts),
            RendererKind::Native => native::Native.render(chart, opts),
            RendererKind::Auto => match native::Native.try_render(chart, opts) {
                Ok(result) => result,
                Err(native::Unsupported(what)) => match self.helm.render(chart, opts) {
                    Ok(mut rendered) => {
                        rendered.notices.insert(
                            0,
                            format!("rendered with Helm: the built-in renderer does not support this chart ({what})"),
                        );
                        Ok(rendered)
                    }
                    Err(mut e) => {
                        // Without a Helm binary this names the feature and how to get Helm.
                        e.message = format!(
                            "the built-in renderer does not support this chart: {what}; rendering with Helm instead failed: {}",
                            e.message
                        );
                        Err(e)
                    }
                },
            },
        }
    }
}

/// A chart to render: a directory holding `Chart.yaml`, or a packaged `.tgz`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Chart {
    pub(crate) path: PathBuf,
    pub(crate) name: String,
    /// False for a `.tgz`: there are no template files on disk to point at.
    pub(crate) unpacked: bool,
}

/// Helm failed: its own message, and where it says the problem is (`(chart/templates/x:17:52)`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RenderError {
    pub(crate) chart: PathBuf,
    pub(crate) message: String,
    /// Where the renderer says the problem is, when it names a template.
    pub(crate) template: Option<TemplatePos>,
}

/// A place in a template as a renderer names it: `chart/templates/x.yaml`, 1-based line
/// and column (1 when only the line is known).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TemplatePos {
    pub(crate) source: String,
    pub(crate) line: usize,
    pub(crate) column: usize,
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: the chart failed to render:\n{}",
            crate::files::display_path(&self.chart),
            self.message
        )
    }
}

impl std::error::Error for RenderError {}

fn chart_name(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("Chart.yaml")).ok()?;
    let doc = crate::yaml::parse_document(&text, 0).ok()??;
    doc.root
        .get("name")
        .and_then(crate::yaml::Node::as_str)
        .map(str::to_string)
}

/// Whether `path` is a chart (or a directory of charts), and which.
pub(crate) fn find_charts(path: &Path) -> Vec<Chart> {
    if path.is_file() && path.to_string_lossy().ends_with(".tgz") {
        let name = path.file_stem().unwrap_or_default().to_string_lossy();
        // `myapp-1.2.3.tgz` → `myapp`
        let name = match name.rfind('-') {
            Some(i) if name[i + 1..].starts_with(|c: char| c.is_ascii_digit()) => {
                name[..i].to_string()
            }
            _ => name.to_string(),
        };
        return vec![Chart {
            path: path.to_path_buf(),
            name,
            unpacked: false,
        }];
    }
    if !path.is_dir() {
        return Vec::new();
    }
    if path.join("Chart.yaml").is_file() {
        let name = chart_name(path).unwrap_or_else(|| {
            path.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string()
        });
        return vec![Chart {
            path: path.to_path_buf(),
            name,
            unpacked: true,
        }];
    }
    // A directory of charts: every Chart.yaml that is not a subchart of another.
    let mut dirs: Vec<PathBuf> = ignore::WalkBuilder::new(path)
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == "Chart.yaml")
        .filter_map(|e| e.path().parent().map(Path::to_path_buf))
        .collect();
    dirs.sort();
    let mut charts: Vec<Chart> = Vec::new();
    for d in dirs {
        if charts.iter().any(|c| d.starts_with(&c.path)) {
            continue;
        }
        let name = chart_name(&d).unwrap_or_else(|| {
            d.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string()
        });
        charts.push(Chart {
            path: d,
            name,
            unpacked: true,
        });
    }
    charts
}
