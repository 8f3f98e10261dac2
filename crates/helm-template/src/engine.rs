//! The public entry point: a set of parsed templates and rendering with provenance.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, ErrorKind};
use crate::exec::{strip_no_value, Core, Exec};
use crate::func::{HelmVersion, Registry};
use crate::parse;
use crate::provenance::{Pos, Span};
use crate::reads::Reads;
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
    /// Depth cap for nested `template`/`include`/`tpl` calls together. The default lets Go's
    /// own limit (100000 nested `template` calls, `exceeded maximum template depth`) and Helm's
    /// (1000 nested includes of one name) speak first; deep recursion runs on heap-grown stack
    /// (about 400 MB at Go's limit in a debug build).
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
            max_depth: 100_001,
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
    core: Core,
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
            core: Core {
                opts,
                registry,
                templates: HashMap::new(),
            },
        }
    }

    pub fn options(&self) -> &Options {
        &self.core.opts
    }

    pub fn registry(&self) -> &Registry {
        &self.core.registry
    }

    /// Parses `src` as the template `name` (a file path in Helm) and adds its `define`s to
    /// the set; a later definition of a name replaces an earlier one, except that an empty
    /// body never replaces a non-empty one (Go's rule). Errors are Go's parse errors
    /// (`template: <name>:<line>: <message>`); on error nothing is added.
    pub fn add_template(&mut self, name: &str, src: &str) -> Result<(), Error> {
        let core = &self.core;
        let has = |n: &str| core.has_func(n);
        let trees = stacker::maybe_grow(128 * 1024, 4 * 1024 * 1024, || {
            parse::parse(name, src, &has)
        })
        .map_err(|e| {
            let mut err = Error::new(ErrorKind::Parse, e.message);
            err.pos = Some(Pos {
                template: Arc::from(name),
                offset: 0,
                line: e.line as u32,
                col: 0,
            });
            err
        })?;
        for t in trees {
            // Go's `associate`: an empty template never replaces a defined one.
            if t.is_empty() {
                if let Some(old) = self.core.templates.get(&t.name) {
                    if &*old.name != name || &*t.name != name {
                        continue;
                    }
                }
            }
            self.core.templates.insert(t.name.clone(), Arc::new(t));
        }
        Ok(())
    }

    /// Whether a template (file or `define`) of that name exists.
    pub fn has_template(&self, name: &str) -> bool {
        self.core.templates.contains_key(name)
    }

    /// Executes the template `name` with `data` as `.` (and `$`). With
    /// `remove_no_value`, every `<no value>` is then deleted, as Helm does for each file.
    pub fn render(&self, name: &str, data: Value) -> Result<Rendered, Error> {
        self.render_inner(name, data, None)
    }

    /// [`Engine::render`], adding every `.Values` path the render reads to `reads`.
    pub fn render_recording(
        &self,
        name: &str,
        data: Value,
        reads: &mut Reads,
    ) -> Result<Rendered, Error> {
        self.render_inner(name, data, Some(reads))
    }

    fn render_inner(
        &self,
        name: &str,
        data: Value,
        reads: Option<&mut Reads>,
    ) -> Result<Rendered, Error> {
        let Some(tree) = self.core.templates.get(name) else {
            return Err(Error::new(
                ErrorKind::NoTemplate,
                format!(
                    "template: no template {} associated with template \"gotpl\"",
                    crate::gofmt::quote(name)
                ),
            ));
        };
        let mut exec = Exec::new(&self.core, tree.clone());
        let mut reads = reads;
        exec.reads = reads.as_mut().map(|r| std::mem::take(&mut **r));
        let out = stacker::maybe_grow(128 * 1024, 4 * 1024 * 1024, || exec.run(data));
        if let (Some(dst), Some(got)) = (reads, exec.reads.take()) {
            *dst = got;
        }
        let out = out.map_err(|e| *e)?;
        let out = if self.core.opts.remove_no_value {
            strip_no_value(out)
        } else {
            out
        };
        Ok(Rendered {
            output: out.buf,
            spans: out.spans,
        })
    }
}
