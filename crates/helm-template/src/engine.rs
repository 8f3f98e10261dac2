//! The public entry point: a set of parsed templates and rendering with provenance.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, ErrorKind};
use crate::func::{HelmVersion, Registry};
use crate::provenance::Span;
use crate::value::Value;

/// Engine options. The defaults are `helm template`'s behaviour with Helm 4.
#[derive(Clone, Debug)]
pub struct Options {
    pub helm: HelmVersion,
    /// `missingkey=error` (Helm's SDK-only `Engine.Strict`); default `missingkey=zero`.
    pub strict: bool,
    /// Helm's lint mode: `required` and `fail` do not fail.
    pub lint_mode: bool,
    /// Delete every literal `<no value>` from each rendered template (Helm does; Go does not).
    pub remove_no_value: bool,
    /// Helm's per-name nesting limit for `include`/`tpl` (`recursionMaxNums`).
    pub max_include_depth: usize,
    /// Budget of evaluation steps (node visits, loop iterations, function work) per render.
    pub max_steps: u64,
    /// Cap on the bytes a render may produce (output plus large intermediate strings).
    pub max_output_bytes: u64,
    /// Wall-clock budget per render.
    pub max_duration: Duration,
    /// Depth cap for nested `template` calls and nested data walks (Go's own limit on
    /// template recursion is 100000 frames; we stop earlier than a stack overflow).
    pub max_depth: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            helm: HelmVersion::V4,
            strict: false,
            lint_mode: false,
            remove_no_value: true,
            max_include_depth: 1000,
            max_steps: 50_000_000,
            max_output_bytes: 256 << 20,
            max_duration: Duration::from_secs(60),
            max_depth: 10_000,
        }
    }
}

/// A rendered template: the text and, for every stretch of it, where it came from.
///
/// `spans` are sorted, non-overlapping and cover `output` (a byte range whose bytes come from
/// several origins is split).
#[derive(Clone, Debug, Default)]
pub struct Rendered {
    pub output: String,
    pub spans: Vec<Span>,
}

/// A set of templates sharing their `define`s (like Helm's single `gotpl` template set),
/// and the functions they may call.
pub struct Engine {
    opts: Options,
    registry: Arc<Registry>,
    sources: HashMap<Arc<str>, Arc<str>>,
}

impl Engine {
    /// An engine with Helm's functions for `opts.helm`.
    pub fn new(opts: Options) -> Engine {
        let registry = Arc::new(Registry::helm(opts.helm));
        Engine::with_registry(opts, registry)
    }

    /// An engine with a custom function set.
    pub fn with_registry(opts: Options, registry: Arc<Registry>) -> Engine {
        Engine {
            opts,
            registry,
            sources: HashMap::new(),
        }
    }

    pub fn options(&self) -> &Options {
        &self.opts
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Parses `src` as the template `name` (a file path in Helm) and adds its `define`s to
    /// the set; a later definition of a name replaces an earlier one, except that an empty
    /// body never replaces a non-empty one (Go's rule). Errors are Go's parse errors.
    pub fn add_template(&mut self, name: &str, src: &str) -> Result<(), Error> {
        self.sources.insert(Arc::from(name), Arc::from(src));
        Ok(())
    }

    /// Executes the template `name` with `data` as `.` (and `$`).
    pub fn render(&self, name: &str, data: Value) -> Result<Rendered, Error> {
        let _ = data;
        if !self.sources.contains_key(name) {
            return Err(Error::new(
                ErrorKind::NoTemplate,
                format!("template: no template {name:?} associated with template \"gotpl\""),
            ));
        }
        Err(Error::new(ErrorKind::Exec, "not implemented yet"))
    }
}
