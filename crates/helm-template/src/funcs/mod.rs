//! Sprig v3 and Helm's own functions, as Helm 3.17 and 4.1 register them: Sprig's
//! `TxtFuncMap()` minus `env`/`expandenv`, then Helm's additions and overrides
//! (pkg/engine/funcs.go, engine.go). Split by Sprig's source files.

use crate::func::{HelmVersion, Registry};

mod crypto;
mod dates;
mod defaults;
mod dicts;
mod encoding;
pub mod gofloat;
mod helm;
pub mod json;
mod lists;
mod math;
mod regex;
mod semver;
mod strings;
mod toml;
mod util;
pub mod yaml;
pub mod yamlv2;

pub use helm::{warn_wrap, WARN_END, WARN_START};

/// Registers every function Helm `version` offers templates.
pub fn register(reg: &mut Registry, version: HelmVersion) {
    strings::register(reg);
    lists::register(reg);
    dicts::register(reg);
    defaults::register(reg);
    math::register(reg);
    encoding::register(reg);
    crypto::register(reg);
    json::register(reg, version);
    yaml::register(reg, version);
    regex::register(reg);
    semver::register(reg);
    dates::register(reg);
    toml::register(reg);
    helm::register(reg);
}
