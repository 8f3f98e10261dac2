//! `chartguard lint --show-settings`: the effective settings (flags over `.chartguard.yaml`
//! over defaults) and where each came from, so "why did this rule run?" has an answer.

use super::args::LintArgs;
use super::settings::{Config, Settings};
use anyhow::Result;
use std::path::PathBuf;

/// One line per setting: `key: value  (from)`.
pub(crate) fn render(args: &LintArgs) -> Result<String> {
    // Resolving first validates the flags and the config exactly as a lint would.
    let settings = Settings::lint(args)?;
    let start = args
        .paths
        .iter()
        .find(|p| *p != "-")
        .map(PathBuf::from)
        .unwrap_or_else(|| ".".into());
    let a = &args.rules;
    let config = if a.no_config {
        None
    } else if let Some(path) = &a.config {
        Some(Config::load(path)?)
    } else {
        Config::discover(&start)?
    };
    let cfg = config.clone().unwrap_or_default();
    let cfg_name = config
        .as_ref()
        .and_then(|c| c.path.as_ref())
        .map(|p| p.display().to_string());
    let from = |flag: bool, in_config: bool| -> String {
        if flag {
            "flag".into()
        } else if in_config {
            format!("config {}", cfg_name.clone().unwrap_or_default())
        } else {
            "default".into()
        }
    };
    let list = |v: &[String]| format!("[{}]", v.join(", "));
    let paths = |v: &[PathBuf]| {
        list(
            &v.iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>(),
        )
    };
    let mut rows: Vec<(String, String, String)> = Vec::new();
    let mut row = |k: &str, v: String, f: String| rows.push((k.to_string(), v, f));
    row(
        "config",
        cfg_name.clone().unwrap_or_else(|| "none".into()),
        if a.no_config {
            "flag --no-config".into()
        } else if a.config.is_some() {
            "flag --config".into()
        } else {
            "found from the first path upwards".into()
        },
    );
    row(
        "profile",
        settings.eval.profile.as_str().into(),
        from(a.profile.is_some(), cfg.profile.is_some()),
    );
    row(
        "renderer",
        format!("{:?}", settings.render.renderer).to_lowercase(),
        from(args.renderer.is_some(), cfg.renderer.is_some()),
    );
    row(
        "kube-version",
        settings.eval.kube_version.clone(),
        from(a.kube_version.is_some(), cfg.kube_version.is_some()),
    );
    row(
        "policy-dirs",
        paths(
            &a.policy_dir
                .iter()
                .cloned()
                .chain(cfg.policy_dirs.iter().map(|d| cfg.dir().join(d)))
                .collect::<Vec<_>>(),
        ),
        "flags, then the config's (relative to the config file)".into(),
    );
    row(
        "rules.disable",
        list(
            &a.disable
                .iter()
                .chain(&cfg.rules.disable)
                .cloned()
                .collect::<Vec<_>>(),
        ),
        from(!a.disable.is_empty(), !cfg.rules.disable.is_empty()),
    );
    let select = if a.select.is_empty() {
        &cfg.rules.select
    } else {
        &a.select
    };
    row(
        "rules.select",
        if select.is_empty() {
            "all rules of the profile".into()
        } else {
            list(select)
        },
        from(!a.select.is_empty(), !cfg.rules.select.is_empty()),
    );
    row(
        "rules.severity",
        format!("{:?}", cfg.rules.severity),
        from(false, !cfg.rules.severity.is_empty()),
    );
    row(
        "rules.params",
        if cfg.rules.params.is_empty() {
            "the rules' defaults (`chartguard rules explain <id>`)".into()
        } else {
            serde_json::to_string(&cfg.rules.params).unwrap_or_default()
        },
        from(false, !cfg.rules.params.is_empty()),
    );
    row(
        "helm.bin",
        settings.helm_bin.display().to_string(),
        from(args.helm_bin.is_some(), cfg.helm.bin.is_some()),
    );
    let r = &settings.render;
    row(
        "helm.release-name",
        r.release_name
            .clone()
            .unwrap_or_else(|| "the chart's name".into()),
        from(args.release_name.is_some(), cfg.helm.release_name.is_some()),
    );
    row(
        "helm.namespace",
        r.namespace.clone().unwrap_or_else(|| "default".into()),
        from(args.namespace.is_some(), cfg.helm.namespace.is_some()),
    );
    row(
        "helm.api-versions",
        list(&r.api_versions),
        from(
            !args.api_versions.is_empty(),
            !cfg.helm.api_versions.is_empty(),
        ),
    );
    row(
        "helm.include-crds",
        r.include_crds.to_string(),
        from(args.include_crds, cfg.helm.include_crds),
    );
    row(
        "values (-f)",
        paths(&r.values),
        "flags; every chart linted gets them, after its values.yaml and its `charts:` entry".into(),
    );
    row(
        "charts",
        list(&cfg.charts.keys().cloned().collect::<Vec<_>>()),
        if cfg.charts.is_empty() {
            "none: every chart gets only the flags' values".into()
        } else {
            from(false, true) + " (paths relative to the config file)"
        },
    );
    row(
        "environments",
        list(&settings.environments.keys().cloned().collect::<Vec<_>>()),
        if settings.environments.is_empty() {
            "discovered per chart with --all-environments (values-<env>.yaml, env/…)".into()
        } else {
            from(false, true) + " (values relative to the chart)"
        },
    );
    row(
        "unknown-environment-profile",
        settings.unknown_environment_profile.as_str().into(),
        from(false, cfg.unknown_environment_profile.is_some()),
    );
    row(
        "suppressions",
        format!("{} in the config", settings.suppressions.len()),
        from(false, !settings.suppressions.is_empty()),
    );
    let width = rows.iter().map(|(k, _, _)| k.len()).max().unwrap_or(0);
    Ok(rows
        .iter()
        .map(|(k, v, f)| format!("{k:<width$}  {v}  ({f})\n"))
        .collect())
}
