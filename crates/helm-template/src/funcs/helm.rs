//! Helm's late-bound functions (pkg/engine/engine.go `initFunMap`): include, tpl, required,
//! fail, lookup (the `helm template` placeholder: an empty map) and getHostByName (no DNS:
//! Helm returns "" unless `--enable-dns`).

use super::util::*;
use crate::func::{Registry, Sig, Ty};
use crate::value::Value;

#[allow(unused_imports)]
use Ty::{Any, Bool, Float64, Int, MapAny, String as Str};

/// Helm wraps the user's message of `required`/`fail` in these markers and its error
/// cleanup (`cleanupExecError`) prints only what is between them, as
/// `execution error at (<file>:<line>:<col>): <msg>`.
pub const WARN_START: &str = "HELM_ERR_START";
pub const WARN_END: &str = "HELM_ERR_END";

pub fn warn_wrap(msg: &str) -> String {
    format!("{WARN_START}{msg}{WARN_END}")
}

pub fn register(r: &mut Registry) {
    r.insert("include", Sig::new(&[Str, Any]), |c, a| {
        let data = a[1].clone();
        c.include(s(&a[0]), data)
    });
    r.insert("tpl", Sig::new(&[Str, Any]), |c, a| {
        let data = a[1].clone();
        let src = s(&a[0]).to_string();
        c.tpl(&src, data)
    });
    r.insert("required", Sig::new(&[Str, Any]), |c, a| {
        let missing = a[1].is_nil() || a[1].as_str() == Some("");
        if missing {
            if c.options().lint_mode {
                return string("");
            }
            return err(warn_wrap(s(&a[0])));
        }
        Ok(a[1].clone())
    });
    r.insert("fail", Sig::new(&[Str]), |c, a| {
        if c.options().lint_mode {
            return string("");
        }
        err(warn_wrap(s(&a[0])))
    });
    r.insert("lookup", Sig::new(&[Str, Str, Str, Str]), |_, _| {
        Ok(Value::empty_map())
    });
    r.insert("getHostByName", Sig::new(&[Str]), |_, _| string(""));
}
