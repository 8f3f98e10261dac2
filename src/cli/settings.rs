//! Flags and `.chartguard.yaml` merged once into [`Settings`], which every command works
//! from (ripgrep's low-level → high-level arguments). The config file is found from the
//! chart (or the current directory) upwards to the repository root; flags override it.
//! Unknown keys are errors that name the keys it does know.

use super::args::{LintArgs, RuleArgs};
use crate::evaluate::{self, policy::PolicySet, Release};
use crate::model::Profile;
use crate::render::helm::process::Limits;
use crate::render::RenderOptions;
use crate::suppress::ConfigSuppression;
use anyhow::{bail, Context, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub(crate) const FILE_NAME: &str = ".chartguard.yaml";

/// The JSON Schema of `.chartguard.yaml` (`chartguard config schema`, committed as
/// docs/chartguard.schema.json): derived from [`Config`], its doc comments and serde
/// attributes, so editors check exactly what [`Config::load`] accepts.
pub(crate) fn config_schema() -> String {
    let mut schema = schemars::schema_for!(Config);
    schema.insert(
        "$id".into(),
        "https://raw.githubusercontent.com/chartguard/chartguard/main/docs/chartguard.schema.json"
            .into(),
    );
    schema.insert("title".into(), ".chartguard.yaml".into());
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema serializes");
    text.push('\n');
    text
}

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct Config {
    /// Default profile when no environment says otherwise.
    pub(crate) profile: Option<Profile>,
    pub(crate) kube_version: Option<String>,
    /// Extra policy directories, relative to the config file.
    #[serde(default)]
    pub(crate) policy_dirs: Vec<PathBuf>,
    /// Environments of the charts: name → values files (relative to the chart) and profile.
    #[serde(default)]
    pub(crate) environments: BTreeMap<String, EnvironmentConfig>,
    /// Profile for environment names chartguard does not recognise (default: prod).
    pub(crate) unknown_environment_profile: Option<Profile>,
    #[serde(default)]
    pub(crate) rules: RulesConfig,
    #[serde(default)]
    pub(crate) helm: HelmConfig,
    /// Which renderer renders charts: auto (default), native or helm (`--renderer`).
    pub(crate) renderer: Option<crate::cli::args::RendererKind>,
    /// Findings to suppress by rule and `kind/namespace/name` glob, each with a reason.
    #[serde(default)]
    pub(crate) suppressions: Vec<ConfigSuppression>,
    /// Render settings of single charts when a directory of charts is linted: chart path
    /// (relative to this file) → values files (relative to this file), `set`, `set-string`,
    /// `release-name`, `namespace`. They come before the command line's `-f`/`--set`,
    /// which apply to every chart.
    #[serde(default)]
    pub(crate) charts: BTreeMap<String, ChartConfig>,
    /// Where this config was read from (not a key).
    #[serde(skip)]
    pub(crate) path: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct EnvironmentConfig {
    #[serde(default)]
    pub(crate) values: Vec<PathBuf>,
    pub(crate) profile: Option<Profile>,
}

/// One chart's own render settings (`charts:` in `.chartguard.yaml`).
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ChartConfig {
    /// Values files, relative to the config file; before the command line's `-f`.
    #[serde(default)]
    pub(crate) values: Vec<PathBuf>,
    /// `key=value` as `helm template --set`; before the command line's `--set`.
    #[serde(default)]
    pub(crate) set: Vec<String>,
    #[serde(default)]
    pub(crate) set_string: Vec<String>,
    /// This chart's release name (`--release-name` still wins).
    pub(crate) release_name: Option<String>,
    /// This chart's namespace (`-n` still wins).
    pub(crate) namespace: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RulesConfig {
    #[serde(default)]
    pub(crate) disable: Vec<String>,
    /// Run only these rules (`--select` replaces it).
    #[serde(default)]
    pub(crate) select: Vec<String>,
    /// Rule id → error | warning | note.
    #[serde(default)]
    pub(crate) severity: BTreeMap<String, crate::model::Severity>,
    /// Rule id → parameter → value, checked against the schema the rule declares
    /// (`chartguard rules explain <id>` lists them).
    #[serde(default)]
    pub(crate) params: BTreeMap<String, BTreeMap<String, serde_json::Value>>,
}

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct HelmConfig {
    pub(crate) bin: Option<PathBuf>,
    pub(crate) release_name: Option<String>,
    pub(crate) namespace: Option<String>,
    #[serde(default)]
    pub(crate) api_versions: Vec<String>,
    #[serde(default)]
    pub(crate) include_crds: bool,
    /// How long one `helm template` may run: `300`, `90s`, `5m`, `1h`.
    pub(crate) render_timeout: Option<String>,
    /// How much one `helm template` may print, in MiB.
    pub(crate) max_output_mib: Option<u64>,
}

impl Config {
    pub(crate) fn load(path: &Path) -> Result<Config> {
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
        cfg.path = Some(path.to_path_buf());
        cfg.validate()
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        Ok(cfg)
    }

    /// What serde's types do not say: a version, dates that exist.
    fn validate(&self) -> std::result::Result<(), String> {
        if let Some(v) = &self.kube_version {
            check_kube_version(v).map_err(|e| format!("kube-version: {e}"))?;
        }
        for (i, s) in self.suppressions.iter().enumerate() {
            if let Some(d) = &s.until {
                if crate::suppress::parse_date(d).is_none() {
                    return Err(format!(
                        "suppressions[{i}].until: `{d}` is not a date (YYYY-MM-DD, a day that exists)"
                    ));
                }
            }
        }
        if let Some(t) = &self.helm.render_timeout {
            parse_duration(t).map_err(|e| format!("helm.render-timeout `{t}`: {e}"))?;
        }
        let dir = self.dir();
        for (chart, c) in &self.charts {
            if !dir.join(chart).exists() {
                return Err(format!(
                    "charts: `{chart}`: no such chart (relative to this file)"
                ));
            }
            if let Some(v) = c.values.iter().find(|v| !dir.join(v).is_file()) {
                return Err(format!(
                    "charts.{chart}.values: `{}`: no such file (relative to this file)",
                    v.display()
                ));
            }
        }
        Ok(())
    }

    /// The nearest `.chartguard.yaml` from `start` upwards, stopping at the repository root
    /// (a directory holding `.git`).
    pub(crate) fn discover(start: &Path) -> Result<Option<Config>> {
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

    pub(crate) fn dir(&self) -> PathBuf {
        self.path
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }
}

/// What a linting command works from: flags and config merged, rules loaded with the
/// config's severities, the profile resolved.
pub(crate) struct Settings {
    /// The rules, with the config's severities applied (all of them: `disabled` says which
    /// are left out, and inline suppressions may name any).
    pub(crate) policies: PolicySet,
    pub(crate) eval: evaluate::Options,
    pub(crate) suppressions: Vec<ConfigSuppression>,
    /// Environments the config names (empty: found from the chart's values files).
    pub(crate) environments: BTreeMap<String, EnvironmentConfig>,
    /// The profile of environments whose name implies none.
    pub(crate) unknown_environment_profile: Profile,
    pub(crate) helm_bin: PathBuf,
    pub(crate) render: RenderOptions,
    /// `lint --previous` (and `--helm-timeout`): judge the upgrade from that release.
    pub(crate) previous: Option<crate::upgrade::Wanted>,
    /// `charts:` of the config: chart path (canonical) → its settings, values resolved.
    pub(crate) charts: BTreeMap<PathBuf, ChartConfig>,
    /// `lint --shard`: only this shard of the charts found.
    pub(crate) shard: Option<crate::shard::Shard>,
    /// `lint --jobs`: charts linted at once (None: one per core).
    pub(crate) jobs: Option<usize>,
}

impl Settings {
    /// The settings every linting command shares. `start`: where to look for
    /// `.chartguard.yaml` (the first target, or the current directory).
    pub(crate) fn resolve(a: &RuleArgs, start: &Path) -> Result<Settings> {
        let config = if a.no_config {
            None
        } else if let Some(path) = &a.config {
            Some(Config::load(path)?)
        } else {
            Config::discover(start)?
        };
        let config_dir = config.as_ref().map(Config::dir).unwrap_or_default();
        let mut dirs = a.policy_dir.clone();
        if let Some(cfg) = &config {
            dirs.extend(cfg.policy_dirs.iter().map(|d| config_dir.join(d)));
        }
        let mut policies = policies(&dirs)?;
        let mut disabled = a.disable.clone();
        if let Some(cfg) = &config {
            disabled.extend(cfg.rules.disable.iter().cloned());
            for (id, severity) in &cfg.rules.severity {
                match policies.rules.iter_mut().find(|r| &r.meta.id == id) {
                    Some(rule) => rule.meta.severity = *severity,
                    None => bail!(
                        "{}: rules.severity names `{id}`, which is no rule (see `chartguard rules`)",
                        cfg.path
                            .as_ref()
                            .map(|p| p.display().to_string())
                            .unwrap_or_default()
                    ),
                }
            }
        }
        // Owned: the config's parameters are applied to `policies` below.
        let owned: Vec<String> = policies.rules.iter().map(|r| r.meta.id.clone()).collect();
        let ids: Vec<&str> = owned.iter().map(String::as_str).collect();
        check_rule_ids(&a.disable, &ids, |id| format!("--disable {id}"))?;
        check_rule_ids(&a.select, &ids, |id| format!("--select {id}"))?;
        if let Some(cfg) = &config {
            let file = cfg
                .path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            check_rule_ids(&cfg.rules.disable, &ids, |id| {
                format!("{file}: rules.disable names `{id}`, which")
            })?;
            check_rule_ids(&cfg.rules.select, &ids, |id| {
                format!("{file}: rules.select names `{id}`, which")
            })?;
            crate::suppress::check_config(&cfg.suppressions, &ids, &file)?;
            crate::evaluate::params::apply(&mut policies, &cfg.rules.params)
                .map_err(|e| anyhow::anyhow!("{file}: {e}"))?;
        }
        // --select (else the config's rules.select): every other rule is disabled.
        let select = match (&a.select, &config) {
            (s, _) if !s.is_empty() => s.clone(),
            (_, Some(cfg)) => cfg.rules.select.clone(),
            _ => Vec::new(),
        };
        if !select.is_empty() {
            disabled.extend(
                ids.iter()
                    .filter(|id| !select.iter().any(|s| s == *id))
                    .map(|id| id.to_string()),
            );
        }
        let cfg = config.unwrap_or_default();
        let profile = match &a.profile {
            Some(p) => Profile::parse(p).map_err(anyhow::Error::msg)?,
            None => cfg.profile.unwrap_or_default(),
        };
        if let Some(v) = &a.kube_version {
            check_kube_version(v).map_err(|e| anyhow::anyhow!("--kube-version: {e}"))?;
        }
        let kube_version = a.kube_version.clone().or(cfg.kube_version);
        let limits = limits(&cfg.helm, cfg.path.as_deref())?;
        let charts = cfg
            .charts
            .iter()
            .map(|(path, c)| {
                let path = config_dir.join(path);
                let mut c = c.clone();
                c.values = c.values.iter().map(|v| config_dir.join(v)).collect();
                (path.canonicalize().unwrap_or(path), c)
            })
            .collect();
        Ok(Settings {
            charts,
            policies,
            eval: evaluate::Options {
                profile,
                kube_version: kube_version
                    .clone()
                    .unwrap_or_else(|| crate::render::helm::DEFAULT_KUBE_VERSION.into())
                    .trim_start_matches('v')
                    .to_string(),
                disabled,
                release: None,
            },
            suppressions: cfg.suppressions,
            environments: cfg.environments,
            unknown_environment_profile: cfg.unknown_environment_profile.unwrap_or_default(),
            helm_bin: cfg.helm.bin.unwrap_or_else(|| "helm".into()),
            render: RenderOptions {
                values: Vec::new(),
                set: Vec::new(),
                set_string: Vec::new(),
                release_name: cfg.helm.release_name,
                namespace: cfg.helm.namespace,
                kube_version,
                api_versions: cfg.helm.api_versions,
                include_crds: cfg.helm.include_crds,
                limits,
                renderer: cfg.renderer.unwrap_or_default(),
                skip_schema_validation: false,
            },
            previous: None,
            shard: None,
            jobs: None,
        })
    }

    /// `chartguard lint`'s settings: the shared ones, then its own flags over the config.
    pub(crate) fn lint(args: &LintArgs) -> Result<Settings> {
        let start = args
            .paths
            .iter()
            .find(|p| *p != "-")
            .map(PathBuf::from)
            .unwrap_or_else(|| ".".into());
        let mut s = Settings::resolve(&args.rules, &start)?;
        s.shard = args.shard;
        s.jobs = args.jobs.map(usize::from);
        if let Some(bin) = &args.helm_bin {
            s.helm_bin = bin.clone();
        }
        if let Some(kind) = args.renderer {
            s.render.renderer = kind;
        }
        let r = &mut s.render;
        r.values = args.values.clone();
        r.set = args.set.clone();
        r.set_string = args.set_string.clone();
        r.release_name = args.release_name.clone().or(r.release_name.take());
        r.namespace = args.namespace.clone().or(r.namespace.take());
        // The command line wins over a chart's own entry too.
        for c in s.charts.values_mut() {
            if args.release_name.is_some() {
                c.release_name = None;
            }
            if args.namespace.is_some() {
                c.namespace = None;
            }
        }
        if !args.api_versions.is_empty() {
            r.api_versions = args.api_versions.clone();
        }
        r.include_crds |= args.include_crds;
        if let Some(t) = &args.render_timeout {
            r.limits.timeout =
                parse_duration(t).map_err(|e| anyhow::anyhow!("--render-timeout {t}: {e}"))?;
        }
        match &args.previous {
            Some(source) => {
                let timeout = match &args.helm_timeout {
                    Some(t) => {
                        parse_duration(t).map_err(|e| anyhow::anyhow!("--helm-timeout {t}: {e}"))?
                    }
                    None => Duration::from_secs(300),
                };
                s.previous = Some(crate::upgrade::Wanted {
                    source: source.clone(),
                    helm_timeout_seconds: timeout.as_secs(),
                });
            }
            // Upgrade rules judge a pair of releases: without one they do not run.
            None => s.eval.disabled.extend(
                s.policies
                    .rules
                    .iter()
                    .filter(|r| r.meta.scope == crate::evaluate::policy::Scope::Upgrade)
                    .map(|r| r.meta.id.clone()),
            ),
        }
        // Manifests rendered elsewhere (`helm template -n prod … | chartguard lint - -n prod`):
        // the namespace given is the release's. Charts set it themselves when rendered.
        s.eval.release = r.namespace.clone().map(|namespace| Release {
            name: r.release_name.clone().unwrap_or_default(),
            namespace,
        });
        Ok(s)
    }

    /// Every rule id, for inline suppressions.
    pub(crate) fn rule_ids(&self) -> Vec<&str> {
        self.policies
            .rules
            .iter()
            .map(|r| r.meta.id.as_str())
            .collect()
    }
}

/// `1.33` or `v1.33` (what `helm template --kube-version` and the rules accept).
pub(crate) fn check_kube_version(v: &str) -> std::result::Result<(), String> {
    let t = v.trim_start_matches('v');
    let ok = t.split_once('.').is_some_and(|(major, minor)| {
        [major, minor]
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 4 && p.chars().all(|c| c.is_ascii_digit()))
    });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{v}` is not a Kubernetes version (major.minor, e.g. 1.33)"
        ))
    }
}

/// The render limits the config sets (defaults otherwise).
fn limits(helm: &HelmConfig, path: Option<&Path>) -> Result<Limits> {
    let at = || path.map(|p| p.display().to_string()).unwrap_or_default();
    let mut limits = Limits::default();
    if let Some(t) = &helm.render_timeout {
        limits.timeout = parse_duration(t)
            .map_err(|e| anyhow::anyhow!("{}: helm.render-timeout `{t}`: {e}", at()))?;
    }
    if let Some(mib) = helm.max_output_mib {
        if mib == 0 {
            bail!("{}: helm.max-output-mib must be at least 1", at());
        }
        limits.max_output = mib.saturating_mul(1024 * 1024);
    }
    Ok(limits)
}

/// `300`, `90s`, `5m`, `1h`: a positive number of seconds, minutes or hours.
pub(crate) fn parse_duration(text: &str) -> std::result::Result<Duration, String> {
    let t = text.trim();
    let (num, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => t.split_at(i),
        None => (t, "s"),
    };
    let n: u64 = num
        .parse()
        .map_err(|_| "expected a duration such as 300, 90s, 5m or 1h".to_string())?;
    let secs = match unit {
        "s" => Some(n),
        "m" => n.checked_mul(60),
        "h" => n.checked_mul(3600),
        _ => None,
    }
    .ok_or_else(|| "expected a duration such as 300, 90s, 5m or 1h".to_string())?;
    if secs == 0 {
        return Err("the timeout must be at least one second".into());
    }
    Ok(Duration::from_secs(secs))
}

/// Fails on the first id that is no rule, naming where it was written (`what(id)`) and the
/// nearest rule id when one is close.
fn check_rule_ids(given: &[String], ids: &[&str], what: impl Fn(&str) -> String) -> Result<()> {
    for id in given {
        if !ids.contains(&id.as_str()) {
            let what = what(id);
            let is = if what.ends_with("which") { " is" } else { ":" };
            bail!(
                "{what}{is} no such rule{} (see `chartguard rules`)",
                crate::suppress::did_you_mean(id, ids)
            );
        }
    }
    Ok(())
}

/// The bundled rules and those in `dirs`.
pub(crate) fn policies(dirs: &[PathBuf]) -> Result<PolicySet> {
    let mut set = PolicySet::bundled().context("bundled policies are broken")?;
    for dir in dirs {
        set.add_dir(dir)?;
    }
    Ok(set)
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
    fn values_serde_accepts_are_still_checked() {
        let dir = std::env::temp_dir().join(format!("cg-config-validate-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(FILE_NAME);
        for (text, needle) in [
            (
                "kube-version: \"x.y\"\n",
                "kube-version: `x.y` is not a Kubernetes version",
            ),
            (
                "unknown-environment-profile: strange\n",
                "unknown profile `strange`",
            ),
            (
                "suppressions:\n  - rule: pdb-missing\n    reason: later\n    until: 2027-02-30\n",
                "suppressions[0].until: `2027-02-30` is not a date",
            ),
            ("helm:\n  render-timeout: 0s\n", "render-timeout `0s`"),
        ] {
            std::fs::write(&path, text).unwrap();
            let err = format!("{:#}", Config::load(&path).unwrap_err());
            assert!(err.contains(needle), "{text}: {err}");
            assert!(err.contains(FILE_NAME), "{err}");
        }
        std::fs::write(
            &path,
            "kube-version: \"v1.33\"\nhelm:\n  render-timeout: 5m\n",
        )
        .unwrap();
        assert!(Config::load(&path).is_ok());
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert!(parse_duration("soon").is_err());
    }
}
