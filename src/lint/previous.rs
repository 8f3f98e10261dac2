//! `lint --previous`: the previous release of each chart (and environment) linted, read or
//! rendered the way the new one is, then parsed (not evaluated) for the upgrade rules.

use super::{dependency_update, Environment, Lint};
use crate::files::{display_path, SourceFile};
use crate::parse;
use crate::provenance::{Identity, SourceMap};
use crate::render::{Chart, RenderOptions};
use crate::upgrade::source::Source;
use crate::upgrade::{Previous, Wanted};
use anyhow::{bail, Context, Result};
use std::path::Path;

/// What SOURCE is, decided once for the whole lint (one git worktree for every chart and
/// environment). `first`: the first path linted, whose repository a git ref belongs to.
pub(super) fn resolve(wanted: &Wanted, first: Option<&str>) -> Result<Source> {
    let anchor = first
        .filter(|p| *p != "-")
        .map(Path::new)
        .unwrap_or(Path::new("."));
    Source::resolve(&wanted.source, anchor)
}

impl Lint<'_> {
    /// The previous release of manifest files linted as they are.
    pub(super) fn previous_of_files(&self) -> Result<Option<Previous>> {
        let (Some(source), Some(wanted)) = (&self.previous, &self.settings.previous) else {
            return Ok(None);
        };
        match source {
            Source::Manifests { files, .. } => {
                previous(source, wanted, files.clone(), Box::new(Identity)).map(Some)
            }
            Source::Chart(c) => {
                let render = self.settings.render.clone();
                self.render_previous(source, wanted, c, &render, &display_path(&c.path))
                    .map(Some)
            }
            Source::Git(_) => bail!(
                "--previous {}: a git ref gives the previous version of a chart; the manifests linted here were not rendered from one (give the previous rendered manifest instead)",
                wanted.source
            ),
        }
    }

    /// The previous release of `chart`, rendered with `render` (the new render's options:
    /// values files mapped to their previous version where there is one).
    pub(super) fn previous_of_chart(
        &self,
        chart: &Chart,
        render: &RenderOptions,
        label: &str,
        _env: Option<&Environment>,
    ) -> Result<Option<Previous>> {
        let (Some(source), Some(wanted)) = (&self.previous, &self.settings.previous) else {
            return Ok(None);
        };
        let Some(before) = source.chart_for(chart)? else {
            let files = source.manifests().unwrap_or_default().to_vec();
            return previous(source, wanted, files, Box::new(Identity)).map(Some);
        };
        let mut render = render.clone();
        // The same release: Helm's names and labels follow the release name.
        render.release_name = Some(render.release_name(chart));
        render.values = render
            .values
            .iter()
            .map(|v| source.values_file(v, chart, &before))
            .collect();
        if self.dependency_update && before.unpacked {
            dependency_update(&self.settings.helm_bin, &before.path)?;
        }
        self.render_previous(source, wanted, &before, &render, label)
            .map(Some)
    }

    fn render_previous(
        &self,
        source: &Source,
        wanted: &Wanted,
        chart: &Chart,
        render: &RenderOptions,
        label: &str,
    ) -> Result<Previous> {
        let rendered = crate::render::renderer(&self.settings.helm_bin)
            .render(chart, render)
            .map_err(anyhow::Error::new)
            .with_context(|| {
                format!(
                    "--previous {}: the previous chart ({}) does not render",
                    wanted.source,
                    display_path(&chart.path)
                )
            })?;
        let files = rendered
            .files
            .into_iter()
            .map(|f| SourceFile {
                name: format!(
                    "{label} (previous: {}, rendered{})",
                    source.describe(),
                    if f.upgrade_only { " --is-upgrade" } else { "" }
                ),
                text: f.text,
            })
            .collect();
        previous(source, wanted, files, rendered.source_map)
    }
}

fn previous(
    source: &Source,
    wanted: &Wanted,
    files: Vec<SourceFile>,
    map: Box<dyn SourceMap>,
) -> Result<Previous> {
    let resources = parse::parse_files(&files)
        .map_err(anyhow::Error::new)
        .with_context(|| {
            format!(
                "--previous {}: cannot read the previous release",
                wanted.source
            )
        })?;
    if resources.is_empty() {
        bail!(
            "--previous {}: no Kubernetes objects in the previous release (expected `helm get manifest RELEASE` output, a chart or a git ref)",
            wanted.source
        );
    }
    Ok(Previous {
        source: source.describe(),
        files,
        resources,
        map,
        helm_timeout_seconds: wanted.helm_timeout_seconds,
        shown_prefix: source.shown_prefix(),
    })
}
