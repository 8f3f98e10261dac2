//! Go `text/template` with Sprig and Helm's functions, in Rust, recording where every byte
//! of output came from (template position, call stack, `.Values` paths).
//!
//! ```ignore
//! let mut engine = Engine::new(Options::default());
//! engine.add_template("mychart/templates/cm.yaml", "name: {{ .Values.name }}")?;
//! let data = Value::from_json(&serde_json::json!({"Values": {"name": "x"}}));
//! let out = engine.render("mychart/templates/cm.yaml", data)?;
//! assert_eq!(out.output, "name: x");
//! ```

pub mod analysis;
mod builtins;
mod engine;
mod error;
mod exec;
#[cfg(test)]
mod exec_tests;
pub mod func;
pub mod funcs;
pub mod generated;
pub mod gofmt;
pub mod helm_objects;
mod lex;
pub mod outline;
mod parse;
pub mod provenance;
pub mod reads;
pub mod value;

pub use engine::{Engine, Options, Rendered};
pub use error::{Error, ErrorKind};
pub use func::{CallCtx, Func, FuncDef, FuncError, HelmVersion, Registry, Sig, Ty};
pub use provenance::{CallKind, CallStack, Frame, Origin, PathSeg, Pos, Span, Taint, ValuesPath};
pub use reads::Reads;
pub use value::{Data, ElemType, List, Map, MapRef, MapType, Object, Value};
