//! How bad a finding is, and which set of rules applies.

use serde::{Deserialize, Serialize};

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// `error`, `warning` or `note`, as rules and the config write it.
    pub(crate) fn parse(s: &str) -> Option<Severity> {
        match s {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "note" => Some(Severity::Note),
            _ => None,
        }
    }
}

/// Which rules apply: a rule lists the profiles it belongs to in its METADATA.
// JsonSchema reads the serde attributes (lowercase names), which the hand-written
// Deserialize below accepts exactly.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Default,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Profile {
    Dev,
    /// Production readiness: the default everywhere a profile is not given.
    #[default]
    Prod,
}

impl Profile {
    pub(crate) const ALL: [Profile; 2] = [Profile::Dev, Profile::Prod];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Profile::Dev => "dev",
            Profile::Prod => "prod",
        }
    }

    /// The profile named exactly (`dev`, `prod`); the error lists the known ones.
    pub(crate) fn parse(s: &str) -> Result<Profile, String> {
        Profile::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| {
                let known: Vec<&str> = Profile::ALL.iter().map(|p| p.as_str()).collect();
                format!("unknown profile `{s}` (known: {})", known.join(", "))
            })
    }

    /// The profile an environment's name implies (`production` → prod, `ci` → dev), or
    /// `unknown` for names that say nothing.
    pub(crate) fn for_environment(name: &str, unknown: Profile) -> Profile {
        match name.to_ascii_lowercase().as_str() {
            "prod" | "production" | "prd" | "live" => Profile::Prod,
            "dev" | "development" | "test" | "testing" | "local" | "ci" | "sandbox" => Profile::Dev,
            _ => unknown,
        }
    }
}

impl<'de> Deserialize<'de> for Profile {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Profile::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_names_imply_profiles() {
        assert_eq!(
            Profile::for_environment("production", Profile::Prod),
            Profile::Prod
        );
        assert_eq!(Profile::for_environment("dev", Profile::Prod), Profile::Dev);
        assert_eq!(
            Profile::for_environment("staging", Profile::Prod),
            Profile::Prod
        );
        assert_eq!(
            Profile::for_environment("staging", Profile::Dev),
            Profile::Dev
        );
    }

    #[test]
    fn unknown_profiles_name_the_known_ones() {
        assert_eq!(Profile::parse("dev"), Ok(Profile::Dev));
        assert_eq!(
            Profile::parse("production").unwrap_err(),
            "unknown profile `production` (known: dev, prod)"
        );
    }
}
