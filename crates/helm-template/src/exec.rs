//! The executor: Go text/template's evaluation rules (exec.go), Helm's `include`/`tpl`, and
//! the recording of provenance spans.
//!
//! Values keep Go's distinction that matters for error messages: a value read from a map of
//! `interface{}` (or a slice of them) is an *interface* value until a pipeline stage
//! unwraps it, so a nil there is "nil of type interface {}" (`wrong type for value; expected
//! string; got interface {}`, `nil pointer evaluating interface {}.x`), while a nil that
//! went through a pipeline or a variable is *invalid* (`invalid value; expected string`).

use std::collections::HashMap;
use std::fmt::{self, Display};
use std::rc::Rc;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use crate::engine::Options;
use crate::error::{Error, ErrorKind};
use crate::func::{CallCtx, FuncDef, FuncError, Host, Registry, Sig, Ty};
use crate::gofmt;
use crate::parse::{self, Arg, Branch, Cmd, Node, Pipe, Tree};
use crate::provenance::{CallKind, CallStack, Origin, Pos, Span, Taint};
use crate::reads::Reads;
use crate::value::{Data, ElemType, List, Map, MapRef, MapType, Object, Value};

/// Go's `maxExecDepth`: nesting of `{{template}}` calls within one execution.
const MAX_EXEC_DEPTH: usize = 100_000;
/// Stack kept free before recursing; more is allocated on the heap when needed, so deep
/// recursion (Helm allows 1000 nested includes per name) cannot overflow the thread's stack.
const RED_ZONE: usize = 128 * 1024;
const STACK_GROWTH: usize = 4 * 1024 * 1024;

/// The parsed template set and the functions; shared by every render.
pub(crate) struct Core {
    pub opts: Options,
    pub registry: Arc<Registry>,
    pub templates: HashMap<Arc<str>, Arc<Tree>>,
}

impl Core {
    pub fn has_func(&self, name: &str) -> bool {
        self.registry.contains(name) || builtins().contains(name)
    }
}

/// Non-local exits: an error, or `{{break}}`/`{{continue}}` unwinding to their range.
pub(crate) enum Stop {
    Err(Box<Error>),
    Break,
    Continue,
}

impl From<Box<Error>> for Stop {
    fn from(e: Box<Error>) -> Stop {
        Stop::Err(e)
    }
}

type Flow<T> = Result<T, Stop>;

/// A value with its static Go type being `interface {}` (see the module doc).
#[derive(Clone, Default)]
struct Rv {
    v: Value,
    iface: bool,
}

impl Rv {
    fn plain(v: Value) -> Rv {
        Rv { v, iface: false }
    }
    /// Go's `!v.IsValid()`: a nil that is not an interface value.
    fn invalid(&self) -> bool {
        self.v.is_nil() && !self.iface
    }
}

/// Output being built: text plus spans.
#[derive(Default)]
pub(crate) struct Output {
    pub buf: String,
    pub spans: Vec<Span>,
}

/// A layer of templates defined by a `tpl` string (Helm's clone of the template set), with
/// the taint of that string: text copied from it is values data.
struct Layer {
    trees: Rc<HashMap<Arc<str>, Arc<Tree>>>,
    taint: Taint,
}

pub(crate) struct Exec<'c> {
    core: &'c Core,
    layers: Vec<Layer>,
    tpl_cache: HashMap<String, Rc<Vec<Arc<Tree>>>>,
    include_counts: HashMap<Arc<str>, usize>,
    steps: u64,
    bytes: u64,
    started: Instant,
    nesting: usize,
    // The state of the template being executed (Go's `state`).
    tree: Arc<Tree>,
    text_taint: Taint,
    vars: Vec<(Arc<str>, Rv)>,
    depth: usize,
    stack: CallStack,
    outs: Vec<Output>,
    // The function call in flight, for `CallCtx`.
    call_pos: usize,
    call_taints: Vec<Taint>,
    /// The values paths read, when the caller asked (see `reads.rs`).
    pub(crate) reads: Option<Reads>,
}

/// Where an error is reported: a node's position and its `String()` form.
struct At<'a> {
    pos: usize,
    ctx: &'a dyn Display,
}

struct NodeDisplay<'a>(&'a Node, &'a parse::Src);
impl Display for NodeDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        parse::write_node(&mut s, self.0, self.1);
        f.write_str(&s)
    }
}

/// Go's builtin functions, with their Go signatures.
pub(crate) fn builtins() -> &'static Registry {
    static B: OnceLock<Registry> = OnceLock::new();
    B.get_or_init(crate::builtins::registry)
}

impl<'c> Exec<'c> {
    pub fn new(core: &'c Core, tree: Arc<Tree>) -> Exec<'c> {
        Exec {
            core,
            layers: Vec::new(),
            tpl_cache: HashMap::new(),
            include_counts: HashMap::new(),
            steps: 0,
            bytes: 0,
            started: Instant::now(),
            nesting: 0,
            tree,
            text_taint: Taint::none(),
            vars: Vec::new(),
            depth: 0,
            stack: CallStack::default(),
            outs: vec![Output::default()],
            call_pos: 0,
            call_taints: Vec::new(),
            reads: None,
        }
    }

    /// Executes the current tree with `data` as dot; returns the output.
    pub fn run(&mut self, data: Value) -> Result<Output, Box<Error>> {
        self.vars = vec![(Arc::from("$"), Rv::plain(data.clone()))];
        let tree = self.tree.clone();
        match self.walk_list(&Rv::plain(data), &tree.root) {
            Ok(()) => Ok(self.outs.pop().unwrap_or_default()),
            Err(Stop::Err(e)) => Err(e),
            Err(_) => Err(Box::new(Error::new(
                ErrorKind::Exec,
                "break or continue outside range",
            ))),
        }
    }

    // ---- errors ---------------------------------------------------------------------

    fn pos_of(&self, offset: usize) -> Pos {
        let (line, col) = self.tree.src.line_col(offset);
        Pos {
            template: self.tree.src.name.clone(),
            offset: offset as u32,
            line: line as u32,
            col: col as u32 + 1,
        }
    }

    /// Go's `state.errorf`: `template: <file>:<line>:<col>: executing "<name>" at <<node>>: msg`.
    fn err(&self, at: &At<'_>, msg: impl Display) -> Stop {
        Stop::Err(Box::new(self.error(at, msg.to_string(), None)))
    }

    fn error(&self, at: &At<'_>, msg: String, cause: Option<Box<Error>>) -> Error {
        let pos = self.pos_of(at.pos);
        let message = format!(
            "template: {}:{}:{}: executing {} at <{}>: {}",
            self.tree.src.name,
            pos.line,
            pos.col - 1,
            gofmt::quote(&self.tree.name),
            at.ctx,
            msg
        );
        Error {
            kind: ErrorKind::Exec,
            message,
            pos: Some(pos),
            executing: Some(self.tree.name.to_string()),
            cause,
            wrapped: None,
        }
    }

    fn budget_err(&self, what: &str) -> Stop {
        let mut e = Error::new(
            ErrorKind::Budget,
            format!("template: {}: {what}", self.tree.name),
        );
        e.executing = Some(self.tree.name.to_string());
        Stop::Err(Box::new(e))
    }

    // ---- budget ---------------------------------------------------------------------

    fn tick(&mut self, n: u64) -> Flow<()> {
        self.steps += n;
        let o = &self.core.opts;
        if self.steps > o.max_steps {
            return Err(self.budget_err(&format!(
                "execution stopped after {} steps (step budget)",
                o.max_steps
            )));
        }
        if self.steps & 0xfff < n && self.started.elapsed() > o.max_duration {
            return Err(self.budget_err(&format!(
                "execution stopped after {:?} (time budget)",
                o.max_duration
            )));
        }
        Ok(())
    }

    fn charge_bytes(&mut self, n: u64) -> Flow<()> {
        self.bytes += n;
        if self.bytes > self.core.opts.max_output_bytes {
            return Err(self.budget_err(&format!(
                "output exceeds {} bytes (output budget)",
                self.core.opts.max_output_bytes
            )));
        }
        Ok(())
    }

    // ---- output ---------------------------------------------------------------------

    fn out(&mut self) -> &mut Output {
        if self.outs.is_empty() {
            self.outs.push(Output::default());
        }
        let n = self.outs.len();
        &mut self.outs[n - 1]
    }

    fn emit_text(&mut self, start: usize, end: usize) -> Flow<()> {
        self.charge_bytes((end - start) as u64)?;
        let pos = self.pos_of(start);
        let stack = self.stack.clone();
        let taint = self.text_taint.clone();
        let tree = self.tree.clone();
        let out = self.out();
        let s = out.buf.len();
        out.buf.push_str(&tree.src.text[start..end]);
        out.spans.push(Span {
            range: s..out.buf.len(),
            origin: Origin {
                pos,
                stack,
                verbatim: true,
            },
            values: taint,
        });
        Ok(())
    }

    /// Writes the result of an action: a string keeps the spans it carries (from include,
    /// tpl, toYaml); the rest of it is attributed to the action.
    fn emit_value(&mut self, at_pos: usize, s: &str, taint: &Taint) -> Flow<()> {
        if s.is_empty() {
            return Ok(());
        }
        self.charge_bytes(s.len() as u64)?;
        let origin = Origin {
            pos: self.pos_of(at_pos),
            stack: self.stack.clone(),
            verbatim: false,
        };
        let out = self.out();
        let base = out.buf.len();
        out.buf.push_str(s);
        match taint.spans() {
            None => out.spans.push(Span {
                range: base..base + s.len(),
                origin,
                values: taint.clone(),
            }),
            Some(spans) => {
                let whole = taint.without_spans();
                let mut cursor = 0;
                for sp in spans {
                    let (a, b) = (sp.range.start.min(s.len()), sp.range.end.min(s.len()));
                    if a < cursor || a >= b {
                        continue;
                    }
                    if a > cursor {
                        out.spans.push(Span {
                            range: base + cursor..base + a,
                            origin: origin.clone(),
                            values: whole.clone(),
                        });
                    }
                    out.spans.push(Span {
                        range: base + a..base + b,
                        origin: sp.origin.clone(),
                        values: sp.values.clone(),
                    });
                    cursor = b;
                }
                if cursor < s.len() {
                    out.spans.push(Span {
                        range: base + cursor..base + s.len(),
                        origin,
                        values: whole,
                    });
                }
            }
        }
        Ok(())
    }

    // ---- variables ------------------------------------------------------------------

    fn var_value(&self, name: &str, at: &At<'_>) -> Flow<Rv> {
        for (n, v) in self.vars.iter().rev() {
            if &**n == name {
                return Ok(v.clone());
            }
        }
        Err(self.err(at, format!("undefined variable: {name}")))
    }

    fn set_var(&mut self, name: &str, v: Rv, at: &At<'_>) -> Flow<()> {
        for (n, slot) in self.vars.iter_mut().rev() {
            if &**n == name {
                *slot = v;
                return Ok(());
            }
        }
        Err(self.err(at, format!("undefined variable: {name}")))
    }

    fn set_top_var(&mut self, n: usize, v: Rv) {
        let len = self.vars.len();
        if n <= len {
            self.vars[len - n].1 = v;
        }
    }

    // ---- walking --------------------------------------------------------------------

    fn walk_list(&mut self, dot: &Rv, list: &[Node]) -> Flow<()> {
        for n in list {
            self.walk(dot, n)?;
        }
        Ok(())
    }

    fn walk(&mut self, dot: &Rv, node: &Node) -> Flow<()> {
        self.tick(1)?;
        match node {
            Node::Action { pos, pipe } => {
                let v = self.eval_pipeline(dot, pipe)?;
                if pipe.decl.is_empty() {
                    self.print_value(*pos, node, &v)?;
                }
                Ok(())
            }
            Node::Break => Err(Stop::Break),
            Node::Continue => Err(Stop::Continue),
            Node::Comment { .. } => Ok(()),
            Node::If(b) => self.grow(|s| s.walk_if_or_with(false, dot, b)),
            Node::With(b) => self.grow(|s| s.walk_if_or_with(true, dot, b)),
            Node::Range(b) => self.grow(|s| s.walk_range(dot, b)),
            Node::Template { pos, name, pipe } => {
                self.grow(|s| s.walk_template(dot, *pos, name, pipe.as_ref(), node))
            }
            Node::Text { start, end } => self.emit_text(*start, *end),
        }
    }

    fn grow<R>(&mut self, f: impl FnOnce(&mut Self) -> R) -> R {
        stacker::maybe_grow(RED_ZONE, STACK_GROWTH, || f(self))
    }

    fn print_value(&mut self, pos: usize, node: &Node, v: &Value) -> Flow<()> {
        let _ = node;
        match &v.data {
            Data::Nil => self.emit_value(pos, "<no value>", &v.taint),
            Data::Str(s) => {
                let s = s.clone();
                self.emit_value(pos, &s, &v.taint)
            }
            Data::RawStr(r) => {
                let r = r.clone();
                self.emit_value(pos, &r.text, &v.taint)
            }
            _ => {
                if let Some(r) = self.reads.as_mut() {
                    r.whole(v);
                }
                let s = gofmt::sprint_value(v);
                self.emit_value(pos, &s, &v.taint.without_spans())
            }
        }
    }

    fn walk_if_or_with(&mut self, with: bool, dot: &Rv, b: &Branch) -> Flow<()> {
        let mark = self.vars.len();
        let r = (|| {
            let v = self.eval_pipeline(dot, &b.pipe)?;
            if v.truth() {
                if with {
                    self.walk_list(&Rv::plain(v), &b.list)
                } else {
                    self.walk_list(dot, &b.list)
                }
            } else if let Some(e) = &b.else_list {
                self.walk_list(dot, e)
            } else {
                Ok(())
            }
        })();
        self.vars.truncate(mark);
        r
    }

    fn walk_range(&mut self, dot: &Rv, b: &Branch) -> Flow<()> {
        let mark = self.vars.len();
        let r = self.walk_range_inner(dot, b);
        self.vars.truncate(mark);
        match r {
            Err(Stop::Break) => Ok(()),
            r => r,
        }
    }

    fn range_iteration(&mut self, b: &Branch, mark: usize, index: Value, elem: Rv) -> Flow<()> {
        let at = self.pipe_at(&b.pipe);
        let decl = &b.pipe.decl;
        if !decl.is_empty() {
            if b.pipe.is_assign {
                if decl.len() > 1 {
                    self.set_var(&decl[0].1, Rv::plain(index.clone()), &at)?;
                } else {
                    self.set_var(&decl[0].1, elem.clone(), &at)?;
                }
            } else {
                self.set_top_var(1, elem.clone());
            }
        }
        if decl.len() > 1 {
            if b.pipe.is_assign {
                self.set_var(&decl[1].1, elem.clone(), &at)?;
            } else {
                self.set_top_var(2, Rv::plain(index));
            }
        }
        self.tick(1)?;
        let r = self.walk_list(&elem, &b.list);
        self.vars.truncate(mark);
        match r {
            Err(Stop::Continue) => Ok(()),
            r => r,
        }
    }

    fn walk_range_inner(&mut self, dot: &Rv, b: &Branch) -> Flow<()> {
        let val = self.eval_pipeline(dot, &b.pipe)?;
        if let Some(r) = self.reads.as_mut() {
            r.whole(&val);
        }
        let mark = self.vars.len();
        let ran = match &val.data {
            Data::Int(n) | Data::Int64(n) => {
                if self.core.opts.helm == crate::func::HelmVersion::V3 {
                    // Go 1.23 (Helm 3) cannot range over an integer.
                    return Err(self.err(
                        &self.pipe_at(&b.pipe),
                        format!("range can't iterate over {}", gofmt::sprint_value(&val)),
                    ));
                }
                if b.pipe.decl.len() > 1 {
                    return Err(self.err(
                        &self.pipe_at(&b.pipe),
                        format!(
                            "can't use {} to iterate over more than one variable",
                            gofmt::sprint_value(&val)
                        ),
                    ));
                }
                let is64 = matches!(val.data, Data::Int64(_));
                for i in 0..(*n).max(0) {
                    let e = if is64 { Value::int64(i) } else { Value::int(i) };
                    self.range_iteration(b, mark, Value::nil(), Rv::plain(e))?;
                }
                *n > 0
            }
            Data::List(l) => {
                let l = l.clone();
                let iface = l.elem == ElemType::Any;
                for (i, e) in l.items.iter().enumerate() {
                    self.range_iteration(
                        b,
                        mark,
                        Value::int(i as i64),
                        Rv {
                            v: e.clone(),
                            iface,
                        },
                    )?;
                }
                !l.items.is_empty()
            }
            Data::Bytes(bs) => {
                let bs = bs.clone();
                for (i, e) in bs.iter().enumerate() {
                    self.range_iteration(
                        b,
                        mark,
                        Value::int(i as i64),
                        Rv::plain(Value::int(*e as i64)),
                    )?;
                }
                !bs.is_empty()
            }
            Data::Map(m) => {
                // Go ranges over a sorted snapshot of the keys.
                let (entries, iface): (Vec<(Rc<str>, Value)>, bool) = {
                    let m = m.borrow();
                    (
                        m.entries
                            .iter()
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect(),
                        m.ty != MapType::String,
                    )
                };
                for (k, v) in &entries {
                    // A key read from a values map is values data too.
                    let key = Value::string(k.clone()).with_taint(v.taint.without_spans());
                    self.range_iteration(
                        b,
                        mark,
                        key,
                        Rv {
                            v: v.clone(),
                            iface,
                        },
                    )?;
                }
                !entries.is_empty()
            }
            Data::Object(o) if o.list_items().is_some() => {
                let items = o.list_items().unwrap_or_default();
                for (i, e) in items.iter().enumerate() {
                    self.range_iteration(b, mark, Value::int(i as i64), Rv::plain(e.clone()))?;
                }
                !items.is_empty()
            }
            Data::Object(o) => match o.map_entries() {
                Some(entries) => {
                    for (k, v) in &entries {
                        self.range_iteration(
                            b,
                            mark,
                            Value::string(k.clone()),
                            Rv::plain(v.clone()),
                        )?;
                    }
                    !entries.is_empty()
                }
                None => {
                    return Err(self.err(
                        &self.pipe_at(&b.pipe),
                        format!("range can't iterate over {}", gofmt::sprint_value(&val)),
                    ));
                }
            },
            Data::Nil => false,
            _ => {
                return Err(self.err(
                    &self.pipe_at(&b.pipe),
                    format!("range can't iterate over {}", gofmt::sprint_value(&val)),
                ));
            }
        };
        if !ran {
            if let Some(e) = &b.else_list {
                return self.walk_list(dot, e);
            }
        }
        Ok(())
    }

    /// Finds a template by name: `tpl` layers first (innermost), then the engine's set.
    fn lookup(&self, name: &str) -> Option<(Arc<Tree>, Taint)> {
        for l in self.layers.iter().rev() {
            if let Some(t) = l.trees.get(name) {
                return Some((t.clone(), l.taint.clone()));
            }
        }
        self.core
            .templates
            .get(name)
            .map(|t| (t.clone(), Taint::none()))
    }

    fn walk_template(
        &mut self,
        dot: &Rv,
        pos: usize,
        name: &Arc<str>,
        pipe: Option<&Pipe>,
        node: &Node,
    ) -> Flow<()> {
        let src = self.tree.src.clone();
        let nd = NodeDisplay(node, &src);
        let at = At { pos, ctx: &nd };
        let Some((tree, taint)) = self.lookup(name) else {
            return Err(self.err(&at, format!("template {} not defined", gofmt::quote(name))));
        };
        if self.depth >= MAX_EXEC_DEPTH {
            return Err(self.err(
                &at,
                format!("exceeded maximum template depth ({MAX_EXEC_DEPTH})"),
            ));
        }
        self.enter_nesting()?;
        let newdot = match pipe {
            Some(p) => self.eval_pipeline(dot, p)?,
            None => Value::nil(),
        };
        let call_site = self.pos_of(pos);
        let saved_tree = std::mem::replace(&mut self.tree, tree.clone());
        let saved_taint = std::mem::replace(&mut self.text_taint, taint);
        let saved_vars = std::mem::replace(
            &mut self.vars,
            vec![(Arc::from("$"), Rv::plain(newdot.clone()))],
        );
        let saved_stack = self.stack.clone();
        self.stack = saved_stack.push(CallKind::Template, name.clone(), call_site);
        self.depth += 1;
        let r = self.walk_list(&Rv::plain(newdot), &tree.root);
        self.depth -= 1;
        self.stack = saved_stack;
        self.vars = saved_vars;
        self.text_taint = saved_taint;
        self.tree = saved_tree;
        self.nesting -= 1;
        r
    }

    fn enter_nesting(&mut self) -> Flow<()> {
        self.nesting += 1;
        if self.nesting > self.core.opts.max_depth {
            self.nesting -= 1;
            return Err(self.budget_err(&format!(
                "templates nested deeper than {} (depth budget)",
                self.core.opts.max_depth
            )));
        }
        Ok(())
    }

    // ---- evaluation -----------------------------------------------------------------

    fn eval_pipeline(&mut self, dot: &Rv, pipe: &Pipe) -> Flow<Value> {
        let mut value: Option<Rv> = None;
        for cmd in &pipe.cmds {
            let v = self.eval_command(dot, cmd, value.take())?;
            // Go unwraps interface values after each stage.
            value = Some(Rv::plain(v.v));
        }
        let value = value.map(|r| r.v).unwrap_or_default();
        for (_, name) in &pipe.decl {
            if pipe.is_assign {
                let at = self.pipe_at(pipe);
                self.set_var(name, Rv::plain(value.clone()), &at)?;
            } else {
                self.vars.push((name.clone(), Rv::plain(value.clone())));
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, args: &[Arg], fin: &Option<Rv>, at: &At<'_>) -> Flow<()> {
        if args.len() > 1 || fin.is_some() {
            return Err(self.err(
                at,
                format!("can't give argument to non-function {}", args[0]),
            ));
        }
        Ok(())
    }

    fn eval_command(&mut self, dot: &Rv, cmd: &Cmd, fin: Option<Rv>) -> Flow<Rv> {
        self.tick(1)?;
        let first = &cmd.args[0];
        match first {
            Arg::Field { pos, idents } => {
                let at = At {
                    pos: *pos,
                    ctx: first,
                };
                return self.eval_field_chain(dot, dot.clone(), &at, idents, &cmd.args, fin);
            }
            Arg::Chain { pos, node, fields } => {
                return self.eval_chain(dot, *pos, first, node, fields, &cmd.args, fin);
            }
            Arg::Ident { pos, name } => {
                let call_at = At {
                    pos: cmd.pos,
                    ctx: cmd,
                };
                return self
                    .eval_function(dot, *pos, name, first, call_at, &cmd.args, fin)
                    .map(Rv::plain);
            }
            Arg::Pipe(p) => {
                let at = At {
                    pos: p.pos,
                    ctx: first,
                };
                self.not_a_function(&cmd.args, &fin, &at)?;
                return self.grow(|s| s.eval_pipeline(dot, p)).map(Rv::plain);
            }
            Arg::Var { pos, idents } => {
                let at = At {
                    pos: *pos,
                    ctx: first,
                };
                return self.eval_variable(dot, &at, idents, &cmd.args, fin);
            }
            _ => {}
        }
        let at = At {
            pos: first.pos(),
            ctx: first,
        };
        self.not_a_function(&cmd.args, &fin, &at)?;
        Ok(match first {
            Arg::Bool { val, .. } => Rv::plain(Value::bool(*val)),
            Arg::Dot { .. } => dot.clone(),
            Arg::Nil { .. } => return Err(self.err(&at, "nil is not a command")),
            Arg::Number { num, .. } => Rv::plain(self.ideal_constant(num, &at)?),
            Arg::Str { text, .. } => Rv::plain(Value::string(&**text)),
            _ => {
                return Err(self.err(
                    &at,
                    format!(
                        "can't evaluate command {}",
                        gofmt::quote(&first.to_string())
                    ),
                ))
            }
        })
    }

    /// Go's `idealConstant`: a number literal where no type is known.
    fn ideal_constant(&self, n: &parse::Number, at: &At<'_>) -> Flow<Value> {
        if n.is_complex {
            return Err(self.err(at, format!("complex constant {} is not supported", n.text)));
        }
        let t = &n.text;
        let is_hex_int = t.len() > 2
            && t.starts_with('0')
            && (t.as_bytes()[1] == b'x' || t.as_bytes()[1] == b'X')
            && !t.contains(['p', 'P']);
        let hex_or_rune = is_hex_int || t.starts_with('\'');
        let t_abs = t.trim_start_matches(['+', '-']);
        let is_hex_int = is_hex_int
            || (t_abs.len() > 2
                && t_abs.starts_with('0')
                && (t_abs.as_bytes()[1] == b'x' || t_abs.as_bytes()[1] == b'X')
                && !t_abs.contains(['p', 'P']));
        if n.is_float && !is_hex_int && !hex_or_rune && t.contains(['.', 'e', 'E', 'p', 'P']) {
            return Ok(Value::float(n.float));
        }
        if n.is_int {
            return Ok(Value::int(n.int));
        }
        if n.is_uint {
            return Err(self.err(at, format!("{t} overflows int")));
        }
        Ok(Value::nil())
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_chain(
        &mut self,
        dot: &Rv,
        pos: usize,
        chain: &Arg,
        node: &Arg,
        fields: &[Arc<str>],
        args: &[Arg],
        fin: Option<Rv>,
    ) -> Flow<Rv> {
        let at = At { pos, ctx: chain };
        if let Arg::Nil { .. } = node {
            return Err(self.err(&at, format!("indirection through explicit nil in {chain}")));
        }
        let recv = self.eval_arg_untyped(dot, node)?;
        self.eval_field_chain(dot, recv, &at, fields, args, fin)
    }

    fn eval_variable(
        &mut self,
        dot: &Rv,
        at: &At<'_>,
        idents: &[Arc<str>],
        args: &[Arg],
        fin: Option<Rv>,
    ) -> Flow<Rv> {
        let v = self.var_value(&idents[0], at)?;
        if idents.len() == 1 {
            self.not_a_function(args, &fin, at)?;
            return Ok(v);
        }
        self.eval_field_chain(dot, v, at, &idents[1..], args, fin)
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_field_chain(
        &mut self,
        dot: &Rv,
        mut recv: Rv,
        at: &At<'_>,
        idents: &[Arc<str>],
        args: &[Arg],
        fin: Option<Rv>,
    ) -> Flow<Rv> {
        let n = idents.len();
        for id in &idents[..n - 1] {
            recv = self.eval_field(dot, id, at, &[], None, recv)?;
        }
        self.eval_field(dot, &idents[n - 1], at, args, fin, recv)
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_field(
        &mut self,
        dot: &Rv,
        name: &str,
        at: &At<'_>,
        args: &[Arg],
        fin: Option<Rv>,
        recv: Rv,
    ) -> Flow<Rv> {
        if recv.invalid() {
            if self.core.opts.strict {
                return Err(self.err(
                    at,
                    format!("nil data; no entry for key {}", gofmt::quote(name)),
                ));
            }
            return Ok(Rv::default());
        }
        let typ: String = if recv.iface {
            "interface {}".into()
        } else {
            recv.v.type_name().into_owned()
        };
        let has_args = args.len() > 1 || fin.is_some();
        match &recv.v.data {
            Data::Nil => {
                return Err(self.err(at, format!("nil pointer evaluating {typ}.{name}")));
            }
            Data::Object(o) => {
                let o = o.clone();
                if let Some(sig) = o.method(name) {
                    let callee = Callee::Method(o.clone(), sig);
                    let field_at = At {
                        pos: at.pos,
                        ctx: at.ctx,
                    };
                    let call_at = At {
                        pos: at.pos,
                        ctx: at.ctx,
                    };
                    let v =
                        self.eval_call(dot, callee, false, field_at, call_at, name, args, fin)?;
                    return Ok(Rv::plain(v));
                }
                if let Some(v) = o.field(name) {
                    if has_args {
                        let msg = if o.map_entries().is_some() {
                            format!("{name} is not a method but has arguments")
                        } else {
                            format!("{name} has arguments but cannot be invoked as function")
                        };
                        return Err(self.err(at, msg));
                    }
                    // `$cert.Cert` of a generated certificate is generated too.
                    return Ok(Rv::plain(crate::generated::inherit(&recv.v.taint, v)));
                }
            }
            Data::Map(m) => {
                if has_args {
                    return Err(self.err(at, format!("{name} is not a method but has arguments")));
                }
                let (got, ty) = {
                    let m = m.borrow();
                    (m.entries.get(name).cloned(), m.ty)
                };
                if let Some(r) = self.reads.as_mut() {
                    r.field(&recv.v, name, got.as_ref());
                }
                return match got {
                    Some(v) => Ok(Rv {
                        v,
                        iface: ty != MapType::String,
                    }),
                    None => {
                        if self.core.opts.strict {
                            return Err(self.err(
                                at,
                                format!("map has no entry for key {}", gofmt::quote(name)),
                            ));
                        }
                        Ok(if ty == MapType::String {
                            Rv::plain(Value::string(""))
                        } else {
                            Rv {
                                v: Value::nil(),
                                iface: true,
                            }
                        })
                    }
                };
            }
            _ => {}
        }
        Err(self.err(at, format!("can't evaluate field {name} in type {typ}")))
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_function(
        &mut self,
        dot: &Rv,
        pos: usize,
        name: &str,
        ident: &Arg,
        call_at: At<'_>,
        args: &[Arg],
        fin: Option<Rv>,
    ) -> Flow<Value> {
        let (def, builtin) = match self.core.registry.get(name) {
            Some(d) => (*d, false),
            None => match builtins().get(name) {
                Some(d) => (*d, true),
                None => {
                    let at = At { pos, ctx: ident };
                    return Err(self.err(
                        &at,
                        format!("{} is not a defined function", gofmt::quote(name)),
                    ));
                }
            },
        };
        let ident_at = At { pos, ctx: ident };
        self.eval_call(
            dot,
            Callee::Func(def),
            builtin,
            ident_at,
            call_at,
            name,
            args,
            fin,
        )
    }

    /// Go's `evalCall`: argument count and type checks, `and`/`or` short-circuit, the call.
    #[allow(clippy::too_many_arguments)]
    fn eval_call(
        &mut self,
        dot: &Rv,
        callee: Callee,
        builtin: bool,
        ident_at: At<'_>,
        node_at: At<'_>,
        name: &str,
        args: &[Arg],
        fin: Option<Rv>,
    ) -> Flow<Value> {
        let args: &[Arg] = if args.is_empty() { args } else { &args[1..] };
        let sig = callee.sig();
        let num_in = args.len() + fin.is_some() as usize;
        let node_pos = node_at.pos;
        let num_fixed;
        if let Some(_v) = sig.variadic {
            num_fixed = sig.params.len();
            if num_in < num_fixed {
                return Err(self.err(
                    &ident_at,
                    format!(
                        "wrong number of args for {name}: want at least {} got {}",
                        num_fixed,
                        args.len()
                    ),
                ));
            }
        } else {
            num_fixed = args.len();
            if num_in != sig.params.len() {
                return Err(self.err(
                    &ident_at,
                    format!(
                        "wrong number of args for {name}: want {} got {num_in}",
                        sig.params.len()
                    ),
                ));
            }
        }

        if builtin && (name == "and" || name == "or") {
            let want = name == "or";
            let mut v = Value::nil();
            for a in args {
                v = self.eval_arg(dot, Ty::Reflect, a)?;
                if v.truth() == want {
                    return Ok(v);
                }
            }
            if let Some(f) = fin {
                v = f.v;
            }
            return Ok(v);
        }

        let mut argv: Vec<Value> = Vec::with_capacity(num_in);
        let mut iface_nil: Vec<bool> = Vec::with_capacity(num_in);
        let mut i = 0;
        while i < num_fixed && i < args.len() {
            let ty = sig.params[i];
            let (v, nil_iface) = self.eval_arg_full(dot, ty, &args[i])?;
            argv.push(v);
            iface_nil.push(nil_iface);
            i += 1;
        }
        if let Some(vt) = sig.variadic {
            while i < args.len() {
                let (v, nil_iface) = self.eval_arg_full(dot, vt, &args[i])?;
                argv.push(v);
                iface_nil.push(nil_iface);
                i += 1;
            }
        }
        if let Some(f) = fin {
            let t = match sig.variadic {
                Some(vt) => {
                    if num_in - 1 < num_fixed {
                        sig.params[num_in - 1]
                    } else {
                        vt
                    }
                }
                None => sig.params[sig.params.len() - 1],
            };
            let la = self.last_at(args, &ident_at);
            iface_nil.push(f.iface && f.v.is_nil());
            let v = self.validate_type(f, t, &la)?;
            argv.push(v);
        }

        if let (Some(r), Callee::Func(_)) = (self.reads.as_mut(), &callee) {
            r.call(name, &argv);
        }
        if builtin && name == "call" {
            let callee_name = match args.first() {
                Some(a) => a.to_string(),
                None => argv.first().map(gofmt::sprint_value).unwrap_or_default(),
            };
            let msg = match argv.first() {
                None
                | Some(Value {
                    data: Data::Nil, ..
                }) => "call of nil".to_string(),
                Some(v) => format!("non-function {callee_name} of type {}", v.type_name()),
            };
            let mut e = self.error(&node_at, format!("error calling call: {msg}"), None);
            e.wrapped = Some(msg);
            return Err(Stop::Err(Box::new(e)));
        }
        if builtin && name == "len" {
            // `len` needs Go's distinction between a nil interface and no value at all.
            let v = &argv[0];
            let r = match &v.data {
                Data::Nil if iface_nil[0] => Err("len of nil pointer".to_string()),
                Data::Nil => Err("reflect: call of reflect.Value.Type on zero Value".to_string()),
                Data::Str(s) => Ok(s.len()),
                Data::RawStr(r) => Ok(r.bytes.len()),
                Data::Bytes(b) => Ok(b.len()),
                Data::List(l) => Ok(l.items.len()),
                Data::Map(m) => Ok(m.len()),
                Data::Object(o) => match (o.map_entries(), o.list_items()) {
                    (Some(e), _) => Ok(e.len()),
                    (_, Some(l)) => Ok(l.len()),
                    _ => Err(format!("len of type {}", o.type_name())),
                },
                _ => Err(format!("len of type {}", v.type_name())),
            };
            return match r {
                Ok(n) => Ok(Value::int(n as i64).with_taint(v.taint.without_spans())),
                Err(m) => {
                    let mut e = self.error(&node_at, format!("error calling len: {m}"), None);
                    e.wrapped = Some(m);
                    Err(Stop::Err(Box::new(e)))
                }
            };
        }

        self.tick(1)?;
        let taints: Vec<Taint> = argv.iter().map(|a| a.taint.clone()).collect();
        let saved_pos = std::mem::replace(&mut self.call_pos, node_pos);
        let saved_taints = std::mem::replace(&mut self.call_taints, taints);
        let result = {
            let mut ctx = CallCtx { host: self };
            match &callee {
                Callee::Func(def) => (def.f)(&mut ctx, argv),
                Callee::Method(o, _) => o.call_method(&mut ctx, name, argv),
            }
        };
        let taints = std::mem::replace(&mut self.call_taints, saved_taints);
        self.call_pos = saved_pos;
        match result {
            Ok(mut v) => {
                if v.taint.is_empty() {
                    v.taint = Taint::union_all(taints.iter());
                }
                if crate::generated::GENERATORS.contains(&name) {
                    let at = self.pos_of(node_pos);
                    v.taint = crate::generated::mark(name, &at, &self.stack, &v.taint);
                }
                if let Data::Str(s) = &v.data {
                    // Large strings built by functions count against the output budget.
                    if s.len() > 4096 {
                        self.charge_bytes(s.len() as u64)?;
                    }
                }
                Ok(v)
            }
            Err(FuncError { message, cause }) => {
                // A budget error is not the function's: report it as is.
                if let Some(c) = cause.as_ref().filter(|c| c.kind == ErrorKind::Budget) {
                    return Err(Stop::Err(c.clone()));
                }
                let mut e = self.error(&node_at, format!("error calling {name}: {message}"), cause);
                e.wrapped = Some(message);
                Err(Stop::Err(Box::new(e)))
            }
        }
    }

    /// The node Go's `s.node` points at after evaluating `args`: the innermost node of the
    /// last argument (Go's errors for the final pipeline argument point there).
    fn last_at<'a>(&self, args: &'a [Arg], dflt: &At<'a>) -> At<'a> {
        fn innermost(a: &Arg) -> &Arg {
            match a {
                Arg::Pipe(p) => match p.cmds.last() {
                    Some(c) => innermost(c.args.last().unwrap_or(&c.args[0])),
                    None => a,
                },
                _ => a,
            }
        }
        match args.last() {
            Some(a) => {
                let n = innermost(a);
                At {
                    pos: n.pos(),
                    ctx: n,
                }
            }
            None => At {
                pos: dflt.pos,
                ctx: dflt.ctx,
            },
        }
    }

    /// Go's `s.node` after evaluating a whole pipeline: the innermost last node.
    fn pipe_at<'a>(&self, pipe: &'a Pipe) -> At<'a> {
        match pipe.cmds.last() {
            Some(c) => {
                let d = At { pos: c.pos, ctx: c };
                self.last_at(&c.args, &d)
            }
            None => At {
                pos: pipe.pos,
                ctx: pipe,
            },
        }
    }

    /// Evaluates an argument without a target type (chain receivers).
    fn eval_arg_untyped(&mut self, dot: &Rv, n: &Arg) -> Flow<Rv> {
        let at = At {
            pos: n.pos(),
            ctx: n,
        };
        match n {
            Arg::Dot { .. } => Ok(dot.clone()),
            Arg::Field { idents, .. } => {
                self.eval_field_chain(dot, dot.clone(), &at, idents, std::slice::from_ref(n), None)
            }
            Arg::Var { idents, .. } => self.eval_variable(dot, &at, idents, &[], None),
            Arg::Pipe(p) => self.grow(|s| s.eval_pipeline(dot, p)).map(Rv::plain),
            Arg::Ident { pos, name } => {
                let call_at = At { pos: *pos, ctx: n };
                self.eval_function(dot, *pos, name, n, call_at, &[], None)
                    .map(Rv::plain)
            }
            Arg::Chain { pos, node, fields } => {
                self.eval_chain(dot, *pos, n, node, fields, &[], None)
            }
            Arg::Bool { val, .. } => Ok(Rv::plain(Value::bool(*val))),
            Arg::Str { text, .. } => Ok(Rv::plain(Value::string(&**text))),
            Arg::Number { num, .. } => Ok(Rv::plain(self.ideal_constant(num, &at)?)),
            Arg::Nil { .. } => Ok(Rv::default()),
        }
    }

    fn eval_arg(&mut self, dot: &Rv, ty: Ty, n: &Arg) -> Flow<Value> {
        self.eval_arg_full(dot, ty, n).map(|(v, _)| v)
    }

    /// Go's `evalArg`; also says whether the value was a nil interface.
    fn eval_arg_full(&mut self, dot: &Rv, ty: Ty, n: &Arg) -> Flow<(Value, bool)> {
        let at = At {
            pos: n.pos(),
            ctx: n,
        };
        match n {
            Arg::Dot { .. }
            | Arg::Field { .. }
            | Arg::Var { .. }
            | Arg::Pipe(_)
            | Arg::Ident { .. }
            | Arg::Chain { .. } => {
                let rv = self.eval_arg_untyped(dot, n)?;
                let nil_iface = rv.iface && rv.v.is_nil();
                return Ok((self.validate_type(rv, ty, &at)?, nil_iface));
            }
            Arg::Nil { .. } => {
                return match zero_of(ty) {
                    Some(z) => Ok((z, false)),
                    None => Err(self.err(&at, format!("cannot assign nil to {}", ty.go_name()))),
                };
            }
            _ => {}
        }
        let v = match ty {
            Ty::Bool => match n {
                Arg::Bool { val, .. } => Value::bool(*val),
                _ => return Err(self.err(&at, format!("expected bool; found {n}"))),
            },
            Ty::String => match n {
                Arg::Str { text, .. } => Value::string(&**text),
                _ => return Err(self.err(&at, format!("expected string; found {n}"))),
            },
            Ty::Int | Ty::Int64 => match n {
                Arg::Number { num, .. } if num.is_int => {
                    if ty == Ty::Int {
                        Value::int(num.int)
                    } else {
                        Value::int64(num.int)
                    }
                }
                _ => return Err(self.err(&at, format!("expected integer; found {n}"))),
            },
            Ty::Float64 => match n {
                Arg::Number { num, .. } if num.is_float => Value::float(num.float),
                _ => return Err(self.err(&at, format!("expected float; found {n}"))),
            },
            Ty::Any | Ty::Reflect => match n {
                Arg::Bool { val, .. } => Value::bool(*val),
                Arg::Str { text, .. } => Value::string(&**text),
                Arg::Number { num, .. } => self.ideal_constant(num, &at)?,
                _ => {
                    return Err(self.err(
                        &at,
                        format!("can't handle assignment of {n} to empty interface argument"),
                    ))
                }
            },
            Ty::ListAny | Ty::ListString | Ty::MapAny | Ty::Bytes => {
                return Err(self.err(
                    &at,
                    format!("can't handle {n} for arg of type {}", ty.go_name()),
                ))
            }
        };
        Ok((v, false))
    }

    /// Go's `validateType`: is the value assignable to the parameter type?
    fn validate_type(&self, rv: Rv, ty: Ty, at: &At<'_>) -> Flow<Value> {
        if rv.invalid() {
            return match zero_of(ty) {
                Some(z) => Ok(z.with_taint(rv.v.taint)),
                None => Err(self.err(at, format!("invalid value; expected {}", ty.go_name()))),
            };
        }
        let v = rv.v;
        let ok = match (ty, &v.data) {
            (Ty::Any | Ty::Reflect, _) => true,
            (_, Data::Nil) => false,
            (Ty::String, Data::Str(_) | Data::RawStr(_)) => true,
            (Ty::Int, Data::Int(_)) => true,
            (Ty::Int64, Data::Int64(_)) => true,
            (Ty::Float64, Data::Float(_)) => true,
            (Ty::Bool, Data::Bool(_)) => true,
            (Ty::Bytes, Data::Bytes(_)) => true,
            (Ty::ListAny, Data::List(l)) => l.elem == ElemType::Any,
            (Ty::ListString, Data::List(l)) => l.elem == ElemType::String,
            (Ty::MapAny, Data::Map(m)) => m.borrow().ty != MapType::String,
            _ => false,
        };
        if ok {
            return Ok(v);
        }
        let got = if v.is_nil() {
            "interface {}".into()
        } else {
            v.type_name().into_owned()
        };
        Err(self.err(
            at,
            format!("wrong type for value; expected {}; got {got}", ty.go_name()),
        ))
    }

    // ---- include / tpl --------------------------------------------------------------

    /// Executes a template into a fresh buffer (a new Go `state`: no variables, depth 0).
    fn exec_to_string(
        &mut self,
        tree: Arc<Tree>,
        taint: Taint,
        data: Value,
        kind: CallKind,
        frame_name: Arc<str>,
    ) -> Result<Output, Box<Error>> {
        if let Err(Stop::Err(e)) = self.enter_nesting() {
            return Err(e);
        }
        let call_site = self.pos_of(self.call_pos);
        let saved_tree = std::mem::replace(&mut self.tree, tree.clone());
        let saved_taint = std::mem::replace(&mut self.text_taint, taint);
        let saved_vars = std::mem::replace(
            &mut self.vars,
            vec![(Arc::from("$"), Rv::plain(data.clone()))],
        );
        let saved_depth = std::mem::replace(&mut self.depth, 0);
        let saved_stack = self.stack.clone();
        let saved_pos = self.call_pos;
        let saved_taints = std::mem::take(&mut self.call_taints);
        self.stack = saved_stack.push(kind, frame_name, call_site);
        self.outs.push(Output::default());
        let r = self.grow(|s| s.walk_list(&Rv::plain(data), &tree.root));
        let out = self.outs.pop().unwrap_or_default();
        self.call_taints = saved_taints;
        self.call_pos = saved_pos;
        self.stack = saved_stack;
        self.depth = saved_depth;
        self.vars = saved_vars;
        self.text_taint = saved_taint;
        self.tree = saved_tree;
        self.nesting -= 1;
        match r {
            Ok(()) => Ok(out),
            Err(Stop::Err(e)) => Err(e),
            Err(_) => Ok(out),
        }
    }

    fn output_value(out: Output) -> Value {
        // Always keep the spans: they carry the callee's template positions even when no
        // values flowed in.
        let taint = Taint::from_spans(out.spans);
        Value::string(out.buf).with_taint(taint)
    }
}

/// The Go zero value given for a nil argument, when the type can be nil.
fn zero_of(ty: Ty) -> Option<Value> {
    Some(match ty {
        Ty::Any | Ty::Reflect => Value::nil(),
        Ty::ListAny => Value::list(Vec::new()),
        Ty::ListString => Value::typed_list(Vec::new(), ElemType::String),
        Ty::MapAny => Value::empty_map(),
        Ty::Bytes => Value::bytes(Vec::<u8>::new()),
        _ => return None,
    })
}

/// What is being called: a registered function or an object's method.
enum Callee {
    Func(FuncDef),
    Method(Rc<dyn Object>, Sig),
}

impl Callee {
    fn sig(&self) -> Sig {
        match self {
            Callee::Func(d) => d.sig,
            Callee::Method(_, s) => *s,
        }
    }
}

impl Host for Exec<'_> {
    fn options(&self) -> &Options {
        &self.core.opts
    }

    fn call_site(&self) -> Pos {
        self.pos_of(self.call_pos)
    }

    fn stack(&self) -> CallStack {
        self.stack.clone()
    }

    fn include(&mut self, name: &str, data: Value) -> Result<Value, FuncError> {
        let max = self.core.opts.max_include_depth;
        let key: Arc<str> = Arc::from(name);
        match self.include_counts.get_mut(&key) {
            Some(v) => {
                if *v > max {
                    return Err(FuncError::new(format!(
                        "rendering template has a nested reference name: {name}: unable to execute template"
                    )));
                }
                *v += 1;
            }
            None => {
                self.include_counts.insert(key.clone(), 1);
            }
        }
        let r = match self.lookup(name) {
            None => Err(FuncError::new(format!(
                "template: no template {} associated with template \"gotpl\"",
                gofmt::quote(name)
            ))),
            Some((tree, taint)) => {
                match self.exec_to_string(tree, taint, data, CallKind::Include, key.clone()) {
                    Ok(out) => Ok(Self::output_value(out)),
                    Err(e) => Err(FuncError {
                        message: e.message.clone(),
                        cause: Some(e),
                    }),
                }
            }
        };
        if let Some(v) = self.include_counts.get_mut(&key) {
            *v = v.saturating_sub(1);
        }
        r
    }

    fn tpl(&mut self, src: &str, data: Value) -> Result<Value, FuncError> {
        let src_taint = self
            .call_taints
            .first()
            .map(|t| t.without_spans())
            .unwrap_or_default();
        let trees = match self.tpl_cache.get(src) {
            Some(t) => t.clone(),
            None => {
                let core = self.core;
                let has = |n: &str| core.has_func(n);
                let parsed = parse::parse("gotpl", src, &has).map_err(|e| {
                    FuncError::new(format!(
                        "cannot parse template {}: {}",
                        gofmt::quote(src),
                        e.message
                    ))
                })?;
                let t = Rc::new(parsed.into_iter().map(Arc::new).collect::<Vec<_>>());
                if self.tpl_cache.len() < 10_000 {
                    self.tpl_cache.insert(src.to_string(), t.clone());
                }
                t
            }
        };
        // Helm clones the whole set and adds the new trees: an empty define does not
        // replace an existing one (Go's `associate`).
        let mut layer: HashMap<Arc<str>, Arc<Tree>> = HashMap::new();
        let mut root = None;
        for t in trees.iter() {
            if &*t.name == "gotpl" && root.is_none() {
                root = Some(t.clone());
            }
            if t.is_empty() && self.lookup(&t.name).is_some() {
                continue;
            }
            layer.insert(t.name.clone(), t.clone());
        }
        let Some(root) = root else {
            return Ok(Value::string(""));
        };
        self.layers.push(Layer {
            trees: Rc::new(layer),
            taint: src_taint.clone(),
        });
        let r = self.exec_to_string(root, src_taint, data, CallKind::Tpl, Arc::from("gotpl"));
        self.layers.pop();
        match r {
            Ok(out) => Ok(Self::output_value(strip_no_value(out))),
            Err(e) => {
                if e.kind == ErrorKind::Budget {
                    return Err(FuncError {
                        message: e.message.clone(),
                        cause: Some(e),
                    });
                }
                Err(FuncError {
                    message: format!(
                        "error during tpl function execution for {}: {}",
                        gofmt::quote(src),
                        e.message
                    ),
                    cause: Some(e),
                })
            }
        }
    }

    fn charge(&mut self, steps: u64, bytes: u64) -> Result<(), FuncError> {
        let r = self.tick(steps).and_then(|_| self.charge_bytes(bytes));
        match r {
            Ok(()) => Ok(()),
            Err(Stop::Err(e)) => Err(FuncError {
                message: e.message.clone(),
                cause: Some(e),
            }),
            Err(_) => Ok(()),
        }
    }
}

/// Helm's `strings.ReplaceAll(out, "<no value>", "")`, keeping the spans aligned.
pub(crate) fn strip_no_value(out: Output) -> Output {
    const NV: &str = "<no value>";
    if !out.buf.contains(NV) {
        return out;
    }
    // Removed ranges in the old text.
    let removed: Vec<usize> = out.buf.match_indices(NV).map(|(i, _)| i).collect();
    let map = |x: usize| -> usize {
        // Bytes removed before x (a position inside a removed run maps to its start).
        let mut shift = 0;
        for &r in &removed {
            if r >= x {
                break;
            }
            shift += (x - r).min(NV.len());
        }
        x - shift
    };
    let buf = out.buf.replace(NV, "");
    let spans = out
        .spans
        .into_iter()
        .filter_map(|s| {
            let r = map(s.range.start)..map(s.range.end);
            (r.start < r.end).then_some(Span {
                range: r,
                origin: s.origin,
                values: s.values,
            })
        })
        .collect();
    Output { buf, spans }
}

#[allow(dead_code)]
fn _assert_types(_: &List, _: &Map, _: &MapRef) {}
