//! Rule files: the bundled ones embedded at build time and the user's `--policy-dir`s, with
//! the `# METADATA` block that regorus does not parse.

use crate::model::{Profile, Severity};
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

mod bundled {
    include!(concat!(env!("OUT_DIR"), "/bundled_policies.rs"));
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Scope {
    /// Judged one object at a time (usable by an admission webhook).
    #[default]
    Object,
    /// Needs the whole release (cross-object rules).
    Release,
    /// Judges an upgrade: the new release beside the previous one (`input.previous`, given
    /// by `lint --previous`).
    Upgrade,
}

/// What a rule's `# METADATA` says about it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RuleMeta {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) severity: Severity,
    pub(crate) profiles: Vec<Profile>,
    pub(crate) scope: Scope,
    pub(crate) tags: Vec<String>,
    pub(crate) why: String,
    pub(crate) fix: String,
    pub(crate) references: Vec<String>,
    /// Group, from the package path (`chartguard.rules.<group>["id"]`).
    pub(crate) group: String,
    /// `"10.0"`-style score for security rules (GitHub code scanning's security-severity).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) security_severity: Option<String>,
    /// Parameters the rule reads as `data.params["<id>"].<name>` (METADATA `custom.params`),
    /// by name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) params: BTreeMap<String, super::params::ParamSpec>,
}

#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub(crate) meta: RuleMeta,
    /// Rego path of the package, e.g. `data.chartguard.rules.workloads["resource-limits"]`.
    pub(crate) package: String,
    pub(crate) file: String,
    pub(crate) text: String,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct PolicySet {
    pub(crate) rules: Vec<Rule>,
    /// Shared packages (`chartguard.lib*` and users' helpers): `(file, text)`.
    pub(crate) libraries: Vec<(String, String)>,
    /// `*_test.rego` files: `(file, text)`.
    pub(crate) tests: Vec<(String, String)>,
    /// Parameter values `.chartguard.yaml` sets (`rules.params`), checked against the rules'
    /// schemas: rule id → name → value. The rest keep their METADATA defaults.
    pub(crate) params: BTreeMap<String, BTreeMap<String, serde_json::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MetaDoc {
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    scope: Option<serde_json::Value>,
    custom: Custom,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Custom {
    id: String,
    severity: Severity,
    profiles: Vec<String>,
    #[serde(default)]
    scope: Scope,
    #[serde(default)]
    tags: Vec<String>,
    why: String,
    fix: String,
    #[serde(default)]
    references: Vec<String>,
    #[serde(default, rename = "security-severity")]
    security_severity: Option<f64>,
    #[serde(default)]
    params: BTreeMap<String, super::params::ParamSpec>,
}

impl PolicySet {
    /// The rules embedded at build time; or, for rule authors, the `.rego` files under
    /// `$CHARTGUARD_BUNDLED_POLICIES` (so editing a rule needs no rebuild).
    pub(crate) fn bundled() -> Result<PolicySet> {
        let mut set = PolicySet::default();
        if let Some(dir) = std::env::var_os("CHARTGUARD_BUNDLED_POLICIES").filter(|d| !d.is_empty())
        {
            let dir = std::path::PathBuf::from(dir);
            for f in rego_files(&dir) {
                let text = std::fs::read_to_string(&f)
                    .with_context(|| format!("{}: cannot read", f.display()))?;
                let rel = f
                    .strip_prefix(&dir)
                    .unwrap_or(&f)
                    .to_string_lossy()
                    .replace('\\', "/");
                set.add(&format!("policies/{rel}"), &text)?;
            }
        } else {
            for (path, text) in bundled::BUNDLED {
                if path.ends_with(".rego") {
                    set.add(&format!("policies/{path}"), text)?;
                }
            }
        }
        set.check()?;
        Ok(set)
    }

    /// Adds every `.rego` file under `dir` (users' rules follow the bundled contract).
    pub(crate) fn add_dir(&mut self, dir: &Path) -> Result<()> {
        if !dir.is_dir() {
            bail!("{}: policy directory does not exist", dir.display());
        }
        let files = rego_files(dir);
        if files.is_empty() {
            bail!("{}: no .rego file in policy directory", dir.display());
        }
        for f in files {
            let text = std::fs::read_to_string(&f)
                .with_context(|| format!("{}: cannot read", f.display()))?;
            self.add(&crate::files::display_path(&f), &text)?;
        }
        self.check()
    }

    fn add(&mut self, file: &str, text: &str) -> Result<()> {
        if file.ends_with("_test.rego") {
            self.tests.push((file.to_string(), text.to_string()));
            return Ok(());
        }
        let package = package_of(text).with_context(|| format!("{file}: no `package` line"))?;
        if !package.starts_with("chartguard.rules.") {
            self.libraries.push((file.to_string(), text.to_string()));
            return Ok(());
        }
        let meta = parse_metadata(file, text, &package)?;
        self.rules.push(Rule {
            meta,
            package: format!("data.{package}"),
            file: file.to_string(),
            text: text.to_string(),
        });
        Ok(())
    }

    fn check(&mut self) -> Result<()> {
        self.rules.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
        for pair in self.rules.windows(2) {
            if pair[0].meta.id == pair[1].meta.id {
                bail!(
                    "rule id `{}` is defined twice: {} and {}",
                    pair[0].meta.id,
                    pair[0].file,
                    pair[1].file
                );
            }
        }
        Ok(())
    }

    pub(crate) fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.meta.id == id)
    }
}

/// Every `.rego` file under `dir`, in a stable order.
fn rego_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = ignore::WalkBuilder::new(dir)
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "rego"))
        .map(|e| e.into_path())
        .collect();
    files.sort();
    files
}

/// The package path as written, e.g. `chartguard.rules.workloads["resource-limits"]`.
pub(crate) fn package_of(text: &str) -> Option<String> {
    text.lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("package "))
        .map(|p| p.split('#').next().unwrap_or("").trim().to_string())
}

/// The `# METADATA` block directly above `package` (OPA's annotation syntax: YAML in
/// comments), with chartguard's fields under `custom`.
pub(crate) fn parse_metadata(file: &str, text: &str, package: &str) -> Result<RuleMeta> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim() == "# METADATA")
        .with_context(|| format!("{file}: rule has no `# METADATA` block above its package"))?;
    let mut yaml = String::new();
    for l in &lines[start + 1..] {
        let t = l.trim_start();
        let Some(rest) = t.strip_prefix('#') else {
            break;
        };
        yaml.push_str(rest.strip_prefix(' ').unwrap_or(rest));
        yaml.push('\n');
    }
    let doc: MetaDoc = yaml_serde::from_str(&yaml).map_err(|e| {
        let line = e
            .location()
            .map(|l| start + 1 + l.line())
            .unwrap_or(start + 1);
        anyhow::anyhow!("{file}:{line}: invalid METADATA: {e}")
    })?;
    let _ = doc.scope;
    let c = doc.custom;
    let (group, id_in_package) = split_package(package).with_context(|| {
        format!(
            "{file}: package must be `chartguard.rules.<group>[\"<rule-id>\"]`, found `{package}`"
        )
    })?;
    if id_in_package != c.id {
        bail!(
            "{file}: METADATA id `{}` differs from the package's rule id `{id_in_package}`",
            c.id
        );
    }
    if !is_kebab(&c.id) {
        bail!("{file}: rule id `{}` must be kebab-case", c.id);
    }
    let profiles = c
        .profiles
        .iter()
        .map(|p| Profile::parse(p).map_err(|e| anyhow::anyhow!("{file}: {e}")))
        .collect::<Result<Vec<_>>>()?;
    if c.tags.len() > 20 {
        bail!("{file}: at most 20 tags (GitHub code scanning's limit)");
    }
    let security_severity = match c.security_severity {
        Some(s) if !(0.0..=10.0).contains(&s) => {
            bail!("{file}: security-severity must be within 0.0–10.0")
        }
        Some(s) => Some(format!("{s:.1}")),
        None => None,
    };
    super::params::check_declarations(&c.params).map_err(|e| anyhow::anyhow!("{file}: {e}"))?;
    Ok(RuleMeta {
        params: c.params,
        id: c.id,
        title: doc.title,
        description: doc.description.trim().to_string(),
        severity: c.severity,
        profiles,
        scope: c.scope,
        tags: c.tags,
        why: c.why.trim().to_string(),
        fix: c.fix.trim().to_string(),
        references: c.references,
        group: group.to_string(),
        security_severity,
    })
}

fn split_package(package: &str) -> Option<(&str, &str)> {
    let rest = package.strip_prefix("chartguard.rules.")?;
    let (group, id) = rest.split_once("[\"")?;
    let id = id.strip_suffix("\"]")?;
    Some((group, id))
}

fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
        && !id.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: &str = "# METADATA\n# title: T\n# description: D\n# custom:\n#   id: my-rule\n#   severity: warning\n#   profiles: [prod]\n#   why: W\n#   fix: F\npackage chartguard.rules.custom[\"my-rule\"]\n\nreport contains 1 if false\n";

    #[test]
    fn metadata_is_read_from_comments() {
        let meta = parse_metadata("x.rego", RULE, "chartguard.rules.custom[\"my-rule\"]").unwrap();
        assert_eq!(meta.id, "my-rule");
        assert_eq!(meta.group, "custom");
        assert_eq!(meta.severity, Severity::Warning);
        assert_eq!(meta.profiles, vec![Profile::Prod]);
    }

    #[test]
    fn metadata_mistakes_are_reported() {
        let bad = RULE.replace("#   id: my-rule", "#   id: other");
        let err =
            parse_metadata("x.rego", &bad, "chartguard.rules.custom[\"my-rule\"]").unwrap_err();
        assert!(err.to_string().contains("differs"), "{err}");
        let bad = RULE.replace("#   why: W", "#   wyh: W");
        let err =
            parse_metadata("x.rego", &bad, "chartguard.rules.custom[\"my-rule\"]").unwrap_err();
        assert!(err.to_string().contains("wyh"), "{err}");
    }

    #[test]
    fn bundled_rules_load() {
        let set = PolicySet::bundled().unwrap();
        assert!(!set.rules.is_empty());
    }
}
