//! `.chartguard.yaml`: found from the chart (or the current directory) upwards to the
//! repository root. Command-line flags override it. Unknown keys are errors that name the
//! keys it does know.

use anyhow::{Context, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = ".chartguard.yaml";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Default profile when no environment says otherwise.
    pub profile: Option<String>,
    pub kube_version: Option<String>,
    /// Extra policy directories, relative to the config file.
    #[serde(default)]
    pub policy_dirs: Vec<PathBuf>,
    /// Environments of the charts: name → values files (relative to the chart) and profile.
    #[serde(default)]
    pub environments: BTreeMap<String, Environment>,
    /// Profile for environment names chartguard does not recognise (default: prod).
    pub unknown_environment_profile: Option<String>,
    #[serde(default)]
    pub rules: RulesConfig,
    #[serde(default)]
    pub helm: HelmConfig,
    /// Findings to suppress by rule and `kind/namespace/name` glob, each with a reason.
    #[serde(default)]
    pub suppressions: Vec<crate::report::suppress::ConfigSuppression>,
    /// Where this config was read from (not a key).
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Environment {
    #[serde(default)]
    pub values: Vec<PathBuf>,
    pub profile: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RulesConfig {
    #[serde(default)]
    pub disable: Vec<String>,
    /// Rule id → error | warning | note.
    #[serde(default)]
    pub severity: BTreeMap<String, crate::evaluate::policy::Severity>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct HelmConfig {
    pub bin: Option<PathBuf>,
    pub release_name: Option<String>,
    pub namespace: Option<String>,
    #[serde(default)]
    pub api_versions: Vec<String>,
    #[serde(default)]
    pub include_crds: bool,
}

impl Config {
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        let mut cfg: Config = if text.trim().is_empty() {
            Config::default()
        } else {
            yaml_serde::from_str(&text).map_err(|e| {
                let at = e
                    .location()
                    .map(|l| format!(":{}:{}", l.line(), l.column()))
                    .unwrap_or_default();
                anyhow::anyhow!("{}{at}: {e}", path.display())
            })?
        };
        for (name, env) in &cfg.environments {
            if let Some(p) = &env.profile {
                check_profile(p)
                    .with_context(|| format!("{}: environment `{name}`", path.display()))?;
            }
        }
        if let Some(p) = &cfg.profile {
            check_profile(p).with_context(|| path.display().to_string())?;
        }
        cfg.path = Some(path.to_path_buf());
        Ok(cfg)
    }

    /// The nearest `.chartguard.yaml` from `start` upwards, stopping at the repository root
    /// (a directory holding `.git`).
    pub fn discover(start: &Path) -> Result<Option<Config>> {
        let start = start.canonicalize().unwrap_or_else(|_| start.to_path_buf());
        let mut dir = if start.is_dir() {
            Some(start.as_path())
        } else {
            start.parent()
        };
        while let Some(d) = dir {
            let candidate = d.join(FILE_NAME);
            if candidate.is_file() {
                return Config::load(&candidate).map(Some);
            }
            if d.join(".git").exists() {
                break;
            }
            dir = d.parent();
        }
        Ok(None)
    }

    pub fn dir(&self) -> PathBuf {
        self.path
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }
}

fn check_profile(p: &str) -> Result<()> {
    if crate::evaluate::policy::PROFILES.contains(&p) {
        Ok(())
    } else {
        anyhow::bail!(
            "unknown profile `{p}` (known: {})",
            crate::evaluate::policy::PROFILES.join(", ")
        )
    }
}

/// The profile an environment name implies.
pub fn profile_for(env: &str, unknown: &str) -> String {
    match env.to_ascii_lowercase().as_str() {
        "prod" | "production" | "prd" | "live" => "prod".into(),
        "dev" | "development" | "test" | "testing" | "local" | "ci" | "sandbox" => "dev".into(),
        _ => unknown.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_errors_that_list_the_known_ones() {
        let dir = std::env::temp_dir().join(format!("cg-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(FILE_NAME);
        std::fs::write(&path, "profle: prod\n").unwrap();
        let err = Config::load(&path).unwrap_err().to_string();
        assert!(
            err.contains("unknown field `profle`") && err.contains("profile"),
            "{err}"
        );
        std::fs::write(
            &path,
            "environments:\n  prod:\n    values: [values-prod.yaml]\n    profile: production\n",
        )
        .unwrap();
        let err = format!("{:#}", Config::load(&path).unwrap_err());
        assert!(err.contains("unknown profile `production`"), "{err}");
        std::fs::write(
            &path,
            "rules:\n  disable: [helm-test-missing]\n  severity: {image-tag-mutable: error}\n",
        )
        .unwrap();
        let cfg = Config::load(&path).unwrap();
        assert_eq!(cfg.rules.disable, vec!["helm-test-missing"]);
    }

    #[test]
    fn environment_names_imply_profiles() {
        assert_eq!(profile_for("production", "prod"), "prod");
        assert_eq!(profile_for("dev", "prod"), "dev");
        assert_eq!(profile_for("staging", "prod"), "prod");
        assert_eq!(profile_for("staging", "dev"), "dev");
    }
}
