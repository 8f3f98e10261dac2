//! The function registry: what `{{ name args }}` can call.
//!
//! Go's text/template checks and converts every argument against the Go signature of the
//! function before calling it (`wrong type for value; expected string; got int`,
//! `wrong number of args for x: want 1 got 2`). We keep that behaviour by registering each
//! function with a [`Sig`] in Go's terms; the engine does the checks and conversions, so a
//! [`Func`] receives arguments already of the declared types (a `Ty::String` parameter is
//! always a `Data::Str`, a `Ty::Int` always `Data::Int`, …).

use std::collections::HashMap;
use std::sync::Arc;

use crate::provenance::{CallStack, Pos};
use crate::value::Value;

/// Which Helm's function set and behaviour to mimic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
pub enum HelmVersion {
    /// Helm 3.17 (Go 1.23): no `mustToYaml`, Sprig's `mustToJson`, `.Chart` a struct.
    V3,
    /// Helm 4.1 (Go 1.25): `mustToYaml` and Helm's own `mustToJson`, `.Chart` a map.
    #[default]
    V4,
}

/// A parameter type, in Go's terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    /// `interface {}`: anything; a missing value arrives as `Data::Nil`.
    Any,
    /// `reflect.Value` (the builtins `eq`, `index`, …): anything, no conversion at all.
    Reflect,
    String,
    /// Go `int` (a float64 argument is an error, as in Go).
    Int,
    Int64,
    Float64,
    Bool,
    /// `[]interface {}`
    ListAny,
    /// `[]string`
    ListString,
    /// `map[string]interface {}` (a named map type such as `chartutil.Values` is accepted).
    MapAny,
    /// `[]byte`
    Bytes,
}

impl Ty {
    /// The Go spelling used in error messages.
    pub fn go_name(self) -> &'static str {
        match self {
            Ty::Any => "interface {}",
            Ty::Reflect => "reflect.Value",
            Ty::String => "string",
            Ty::Int => "int",
            Ty::Int64 => "int64",
            Ty::Float64 => "float64",
            Ty::Bool => "bool",
            Ty::ListAny => "[]interface {}",
            Ty::ListString => "[]string",
            Ty::MapAny => "map[string]interface {}",
            Ty::Bytes => "[]uint8",
        }
    }
}

/// A Go function signature: fixed parameters, then an optional variadic parameter.
#[derive(Clone, Copy, Debug)]
pub struct Sig {
    pub params: &'static [Ty],
    /// `Some(t)` for a final `...t` parameter.
    pub variadic: Option<Ty>,
}

impl Sig {
    pub const fn new(params: &'static [Ty]) -> Sig {
        Sig {
            params,
            variadic: None,
        }
    }
    pub const fn variadic(params: &'static [Ty], rest: Ty) -> Sig {
        Sig {
            params,
            variadic: Some(rest),
        }
    }
}

/// An error a function returns (Go: the `error` result, or a panic, which text/template
/// recovers). The engine reports it as `error calling <name>: <message>` at the call site.
#[derive(Clone, Debug)]
pub struct FuncError {
    pub message: String,
    /// An engine error this one wraps (`include`/`tpl` of a failing template): kept so Helm
    /// 4's one-block-per-level error format can be produced.
    pub cause: Option<Box<crate::Error>>,
}

impl FuncError {
    pub fn new(message: impl Into<String>) -> FuncError {
        FuncError {
            message: message.into(),
            cause: None,
        }
    }
}

impl std::fmt::Display for FuncError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// A template function. Arguments were checked against the registered [`Sig`].
///
/// Taint: if the function returns an untainted value, the engine taints it with the union of
/// the arguments' taints (so `upper .Values.x` is tainted by `x`). Functions that pick one
/// argument (`default`, `coalesce`, `ternary`, `first`, …) should return that argument's
/// `Value` as is, keeping its exact taint; functions that build strings piecewise (`toYaml`)
/// may set per-range spans with [`crate::Taint::from_spans`].
pub type Func = fn(&mut CallCtx<'_>, Vec<Value>) -> Result<Value, FuncError>;

#[derive(Clone, Copy)]
pub struct FuncDef {
    pub sig: Sig,
    pub f: Func,
}

/// Functions by name. Built with [`Registry::helm`] for a Helm version.
#[derive(Clone, Default)]
pub struct Registry {
    funcs: HashMap<Arc<str>, FuncDef>,
}

impl Registry {
    /// An empty registry (Go's builtins `and`, `or`, `eq`, `printf`… are always there: they
    /// are the engine's, not the registry's).
    pub fn empty() -> Registry {
        Registry::default()
    }

    /// Sprig (minus `env`, `expandenv`) plus Helm's functions, as `helm` `version` registers them.
    pub fn helm(version: HelmVersion) -> Registry {
        let mut r = Registry::empty();
        crate::funcs::register(&mut r, version);
        r
    }

    pub fn insert(&mut self, name: &str, sig: Sig, f: Func) {
        self.funcs.insert(Arc::from(name), FuncDef { sig, f });
    }
    pub fn remove(&mut self, name: &str) {
        self.funcs.remove(name);
    }
    pub fn get(&self, name: &str) -> Option<&FuncDef> {
        self.funcs.get(name)
    }
    pub fn contains(&self, name: &str) -> bool {
        self.funcs.contains_key(name)
    }
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.funcs.keys().map(|k| &**k)
    }
}

/// What a running template offers a function: Helm's version and options, calls back into
/// the engine (`include`, `tpl`), and the execution budget.
pub struct CallCtx<'a> {
    pub(crate) host: &'a mut dyn Host,
}

/// The engine side of [`CallCtx`] (implemented by the executor).
pub(crate) trait Host {
    fn options(&self) -> &crate::Options;
    fn call_site(&self) -> Pos;
    fn stack(&self) -> CallStack;
    fn include(&mut self, name: &str, data: Value) -> Result<Value, FuncError>;
    fn tpl(&mut self, src: &str, data: Value) -> Result<Value, FuncError>;
    fn charge(&mut self, steps: u64, bytes: u64) -> Result<(), FuncError>;
}

impl CallCtx<'_> {
    pub fn helm_version(&self) -> HelmVersion {
        self.host.options().helm
    }
    pub fn options(&self) -> &crate::Options {
        self.host.options()
    }
    /// Position of the function call in the template (for Helm's `required`/`fail` format).
    pub fn call_site(&self) -> Pos {
        self.host.call_site()
    }
    pub fn stack(&self) -> CallStack {
        self.host.stack()
    }
    /// Helm's `include`: executes the named template with `data` and returns its output as a
    /// string (spans attached to the taint), with Helm's per-name recursion limit (1000).
    pub fn include(&mut self, name: &str, data: Value) -> Result<Value, FuncError> {
        self.host.include(name, data)
    }
    /// Helm's `tpl`: parses `src` as a template named `gotpl` that sees every define, executes
    /// it with `data`, strips `<no value>`, and returns the output (with spans).
    pub fn tpl(&mut self, src: &str, data: Value) -> Result<Value, FuncError> {
        self.host.tpl(src, data)
    }
    /// Charges work to the render's budget; call before loops or allocations whose size
    /// comes from the template (`until`, `repeat`, `randAlphaNum`, …). Errors when over.
    pub fn charge(&mut self, steps: u64, bytes: u64) -> Result<(), FuncError> {
        self.host.charge(steps, bytes)
    }
}
