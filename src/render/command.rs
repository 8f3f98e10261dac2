//! `chartguard render`: `helm template` with the built-in renderer, printing what Helm
//! prints. The entry point of scripts/render-diff.sh and a way to see what chartguard lints.

use crate::cli::args::RenderArgs;
use helm_chart::{FailureKind, SetKind};
use helm_template::HelmVersion;
use std::io::Write;
use std::path::PathBuf;

/// Renders; returns the exit code (0, or 2 with the error on stderr).
pub(crate) fn run(args: &RenderArgs) -> u8 {
    let helm = if args.helm_major == 3 {
        HelmVersion::V3
    } else {
        HelmVersion::V4
    };
    let mut req = helm_chart::Request::new(helm);
    // `--provenance` after the chart is ours too, not a `helm template` flag.
    let provenance = args.provenance || args.args.iter().any(|a| a == "--provenance");
    let helm_args: Vec<String> = args
        .args
        .iter()
        .filter(|a| *a != "--provenance")
        .cloned()
        .collect();
    let chart = match helm_chart::cli::parse(&helm_args, &mut req) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("chartguard: error: {e}");
            return 2;
        }
    };
    match helm_chart::render(&chart, &req) {
        Ok(out) => {
            for w in &out.warnings {
                eprintln!("{w}");
            }
            let text = if provenance {
                let locator = super::native_values::ValuesLocator::new(
                    &chart,
                    chart.is_dir().then_some(chart.as_path()),
                    req.clone(),
                );
                super::annotate::annotate(&out.text, &out.lines, &out.values, &locator)
            } else {
                out.text
            };
            let mut stdout = std::io::stdout().lock();
            if stdout.write_all(text.as_bytes()).is_err() {
                return 2;
            }
            0
        }
        Err(f) if f.kind == FailureKind::Unsupported => {
            eprintln!("chartguard: error: {}", f.message);
            2
        }
        Err(f) => {
            // Helm's words, with any secret a --set or values file gave masked.
            let sets: Vec<String> = req
                .sets
                .iter()
                .filter(|(k, _)| matches!(k, SetKind::Set | SetKind::String | SetKind::Literal))
                .map(|(_, s)| s.clone())
                .collect();
            let files: Vec<PathBuf> = std::iter::once(chart.join("values.yaml"))
                .chain(req.values_files.iter().cloned())
                .collect();
            let shown =
                crate::redact::helm_message(&f.helm_stderr(), sets.iter(), files.into_iter());
            eprintln!("{shown}");
            2
        }
    }
}
