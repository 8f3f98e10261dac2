//! Static values analysis: every `.Values` path a set of templates can reference, on every
//! branch and in every `define`, without rendering. Rendering tells which keys one set of
//! values reads ([`crate::Reads`]); this tells which keys *any* values could make the
//! templates read: dead defaults in values.yaml, keys read only on a branch another
//! environment takes, and which values toggle guards the objects a template emits.
//!
//! The walk is an abstract interpretation of the template language over a tiny domain
//! ([`Abs`]): "the top-level dot of chart scope S", "the values at path P", a `dict` of
//! those, or unknown. Variables, `with`, `$`, `include`/`template` (into the define with the
//! argument's abstract value, memoized) follow Go's scoping. What may be read counts as
//! read: a values map given to a function not known to look at single keys, printed, or
//! ranged over is a whole-subtree reference.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::parse::{self, Arg, Node, Pipe, Src, Tree};

/// A template file and the values scope its chart sees (`[]` for the top chart,
/// `["worker"]` for the subchart `worker`, its alias when it has one).
pub struct TemplateFile<'a> {
    pub name: &'a str,
    pub src: &'a str,
    pub scope: Vec<String>,
}

/// A values path referenced by a template.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ref {
    /// Keys from the top of the values (the scope included).
    pub path: Vec<String>,
    /// The whole subtree under `path` may be read.
    pub subtree: bool,
    pub template: String,
    pub line: usize,
}

/// One condition of an `if` around emitted text, when it is a plain values toggle:
/// `if .Values.a.enabled` (`negated: false`), `if not .Values.a.disabled` (`true`);
/// the paths of an `and` are several guards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Guard {
    pub path: Vec<String>,
    pub negated: bool,
}

/// Text a template emits under conditions: a `kind: X` line (`what` is the kind) or a
/// `securityContext:` key (`what` is `securityContext`).
#[derive(Clone, Debug)]
pub struct Emit {
    pub what: String,
    pub template: String,
    pub line: usize,
    /// The enclosing `if`s, outermost first; `None` for a condition that is not a plain
    /// toggle (a comparison, an `or`, a non-values test).
    pub guards: Vec<Option<Vec<Guard>>>,
}

#[derive(Default, Debug)]
pub struct Analysis {
    pub refs: Vec<Ref>,
    pub emits: Vec<Emit>,
    /// Templates that did not parse (`name: message`): their references are unknown.
    pub errors: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Abs {
    Unknown,
    /// The top-level object of a chart scope (`.` of a template file): `.Values` is there.
    Top(Arc<[String]>),
    Values(Vec<String>),
    Dict(Vec<(String, Abs)>),
}

struct Define {
    tree: Arc<Tree>,
    scope: Arc<[String]>,
}

struct Walker<'a> {
    defines: &'a HashMap<Arc<str>, Vec<Define>>,
    out: Analysis,
    seen_refs: HashSet<Ref>,
    memo: HashSet<(Arc<str>, String)>,
    guards: Vec<Option<Vec<Guard>>>,
    depth: usize,
    /// The values path of each chart scope.
    scopes: HashSet<Vec<String>>,
}

struct Frame {
    src: Arc<Src>,
    vars: Vec<(Arc<str>, Abs)>,
}

/// Analyzes every template file and every `define` in them.
pub fn analyze(files: &[TemplateFile<'_>]) -> Analysis {
    let has = |n: &str| n != "break" && n != "continue";
    let mut trees: Vec<(Arc<Tree>, Arc<[String]>, bool)> = Vec::new();
    let mut errors = Vec::new();
    for f in files {
        match parse::parse(f.name, f.src, &has) {
            Ok(ts) => {
                let scope: Arc<[String]> = f.scope.clone().into();
                for (i, t) in ts.into_iter().enumerate() {
                    trees.push((Arc::new(t), scope.clone(), i == 0));
                }
            }
            Err(e) => errors.push(format!("{}:{}: {}", f.name, e.line, e.message)),
        }
    }
    let mut defines: HashMap<Arc<str>, Vec<Define>> = HashMap::new();
    for (t, scope, top) in &trees {
        if !top {
            defines.entry(t.name.clone()).or_default().push(Define {
                tree: t.clone(),
                scope: scope.clone(),
            });
        }
    }
    let mut w = Walker {
        defines: &defines,
        out: Analysis {
            errors,
            ..Analysis::default()
        },
        seen_refs: HashSet::new(),
        memo: HashSet::new(),
        guards: Vec::new(),
        depth: 0,
        scopes: files.iter().map(|f| f.scope.clone()).collect(),
    };
    for (t, scope, top) in &trees {
        let dot = Abs::Top(scope.clone());
        if *top {
            w.run_tree(t, dot);
        } else {
            // A helper may be called with the chart's top object under a computed name:
            // what it reads then counts too.
            w.call_define(&t.name, dot);
        }
    }
    w.out
}

fn line_of(src: &Src, pos: usize) -> usize {
    src.line_col(pos.min(src.text.len())).0
}

impl Walker<'_> {
    fn run_tree(&mut self, tree: &Arc<Tree>, dot: Abs) {
        let mut f = Frame {
            src: tree.src.clone(),
            vars: vec![(Arc::from("$"), dot.clone())],
        };
        self.list(&mut f, &dot, &tree.root);
    }

    fn call_define(&mut self, name: &str, dot: Abs) {
        let Some(defs) = self.defines.get(name) else {
            return;
        };
        let key = (Arc::<str>::from(name), format!("{dot:?}"));
        if self.depth > 40 || !self.memo.insert(key) {
            return;
        }
        self.depth += 1;
        for d in defs {
            // A define called with the top object of another scope reads that scope.
            let dot = match &dot {
                Abs::Top(_) => dot.clone(),
                Abs::Unknown => Abs::Unknown,
                other => other.clone(),
            };
            let _ = &d.scope;
            let tree = d.tree.clone();
            self.run_tree(&tree, dot);
        }
        self.depth -= 1;
    }

    fn add_ref(&mut self, f: &Frame, path: &[String], subtree: bool, pos: usize) {
        let r = Ref {
            path: path.to_vec(),
            subtree,
            template: f.src.name.to_string(),
            line: line_of(&f.src, pos),
        };
        if self.seen_refs.insert(r.clone()) {
            self.out.refs.push(r);
        }
    }

    /// A value consumed whole.
    fn whole(&mut self, f: &Frame, v: &Abs, pos: usize) {
        match v {
            Abs::Values(p) => self.add_ref(f, p, true, pos),
            // The top object (`$`) given to `merge`, `tpl`, `include` is a context: what is
            // read through it is read by field.
            Abs::Top(_) => {}
            Abs::Dict(entries) => {
                for (_, e) in entries {
                    if !matches!(e, Abs::Top(_)) {
                        self.whole(f, e, pos);
                    }
                }
            }
            Abs::Unknown => {}
        }
    }

    fn list(&mut self, f: &mut Frame, dot: &Abs, nodes: &[Node]) {
        for n in nodes {
            self.node(f, dot, n);
        }
    }

    fn node(&mut self, f: &mut Frame, dot: &Abs, n: &Node) {
        match n {
            Node::Text { start, end } => self.text(f, *start, *end),
            Node::Action { pos, pipe } => {
                let v = self.pipe(f, dot, pipe);
                if pipe.decl.is_empty() {
                    // Printed: a map or list is written whole.
                    if let Abs::Values(_) | Abs::Dict(_) = v {
                        self.whole(f, &v, *pos);
                    }
                }
            }
            Node::If(b) | Node::With(b) => {
                let with = matches!(n, Node::With(_));
                let mark = f.vars.len();
                let v = self.pipe(f, dot, &b.pipe);
                let guard = if with {
                    None
                } else {
                    self.guard(f, dot, &b.pipe)
                };
                let inner = if with { v } else { dot.clone() };
                self.guards.push(guard.clone());
                self.list(f, &inner, &b.list);
                self.guards.pop();
                if let Some(e) = &b.else_list {
                    let negated = guard.and_then(|g| match g.as_slice() {
                        [one] => Some(vec![Guard {
                            path: one.path.clone(),
                            negated: !one.negated,
                        }]),
                        _ => None,
                    });
                    self.guards.push(if with { None } else { negated });
                    self.list(f, dot, e);
                    self.guards.pop();
                }
                f.vars.truncate(mark);
            }
            Node::Range(b) => {
                let mark = f.vars.len();
                let v = self.cmds(f, dot, &b.pipe);
                self.whole(f, &v, b.pipe.pos);
                for (_, name) in &b.pipe.decl {
                    if b.pipe.is_assign {
                        self.assign(f, name, Abs::Unknown);
                    } else {
                        f.vars.push((name.clone(), Abs::Unknown));
                    }
                }
                self.guards.push(None);
                self.list(f, &Abs::Unknown, &b.list);
                self.guards.pop();
                if let Some(e) = &b.else_list {
                    self.list(f, dot, e);
                }
                f.vars.truncate(mark);
            }
            Node::Template { name, pipe, .. } => {
                let v = match pipe {
                    Some(p) => self.pipe(f, dot, p),
                    None => Abs::Unknown,
                };
                self.call_define(name, v);
            }
            Node::Comment { .. } | Node::Break | Node::Continue => {}
        }
    }

    fn text(&mut self, f: &Frame, start: usize, end: usize) {
        let text = &f.src.text[start..end];
        let mut offset = start;
        for line in text.split_inclusive('\n') {
            let t = line.trim_start();
            let t = t.strip_prefix("- ").unwrap_or(t).trim_start();
            let what = if let Some(k) = t.strip_prefix("kind:") {
                let k = k.trim().trim_matches(['"', '\'']);
                (!k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric()))
                    .then(|| k.to_string())
            } else if t.starts_with("securityContext:") {
                Some("securityContext".to_string())
            } else {
                None
            };
            if let Some(what) = what {
                self.out.emits.push(Emit {
                    what,
                    template: f.src.name.to_string(),
                    line: line_of(&f.src, offset + (line.len() - line.trim_start().len())),
                    guards: self.guards.clone(),
                });
            }
            offset += line.len();
        }
    }

    /// The plain toggles an `if` pipeline tests, if it is one.
    fn guard(&mut self, f: &mut Frame, dot: &Abs, pipe: &Pipe) -> Option<Vec<Guard>> {
        if pipe.cmds.len() != 1 || !pipe.decl.is_empty() {
            return None;
        }
        let cmd = &pipe.cmds[0];
        let one = |w: &mut Self, f: &mut Frame, a: &Arg| -> Option<Guard> {
            match w.arg(f, dot, a) {
                Abs::Values(p) => Some(Guard {
                    path: p,
                    negated: false,
                }),
                _ => None,
            }
        };
        match cmd.args.first()? {
            Arg::Ident { name, .. } if &**name == "not" && cmd.args.len() == 2 => {
                let mut g = one(self, f, &cmd.args[1])?;
                g.negated = true;
                Some(vec![g])
            }
            Arg::Ident { name, .. } if &**name == "and" => {
                let mut out = Vec::new();
                for a in &cmd.args[1..] {
                    out.push(one(self, f, a)?);
                }
                Some(out)
            }
            Arg::Ident { .. } => None,
            a if cmd.args.len() == 1 => one(self, f, a).map(|g| vec![g]),
            _ => None,
        }
    }

    fn assign(&mut self, f: &mut Frame, name: &str, v: Abs) {
        if let Some(slot) = f.vars.iter_mut().rev().find(|(n, _)| &**n == name) {
            slot.1 = v;
        }
    }

    fn cmds(&mut self, f: &mut Frame, dot: &Abs, pipe: &Pipe) -> Abs {
        let mut v: Option<Abs> = None;
        for c in &pipe.cmds {
            v = Some(self.cmd(f, dot, &c.args, v.take(), c.pos));
        }
        v.unwrap_or(Abs::Unknown)
    }

    fn pipe(&mut self, f: &mut Frame, dot: &Abs, pipe: &Pipe) -> Abs {
        let v = self.cmds(f, dot, pipe);
        for (_, name) in &pipe.decl {
            if pipe.is_assign {
                self.assign(f, name, v.clone());
            } else {
                f.vars.push((name.clone(), v.clone()));
            }
        }
        v
    }

    fn field(&mut self, f: &Frame, base: Abs, name: &str, pos: usize) -> Abs {
        match base {
            Abs::Top(scope) if name == "Values" => Abs::Values(scope.to_vec()),
            Abs::Values(mut p) => {
                p.push(name.to_string());
                self.add_ref(f, &p, false, pos);
                Abs::Values(p)
            }
            Abs::Dict(entries) => entries
                .into_iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v)
                .unwrap_or(Abs::Unknown),
            _ => Abs::Unknown,
        }
    }

    fn chain(&mut self, f: &Frame, mut base: Abs, idents: &[Arc<str>], pos: usize) -> Abs {
        for id in idents {
            base = self.field(f, base, id, pos);
        }
        base
    }

    fn var(&self, f: &Frame, name: &str) -> Abs {
        f.vars
            .iter()
            .rev()
            .find(|(n, _)| &**n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or(Abs::Unknown)
    }

    /// One argument's abstract value.
    fn arg(&mut self, f: &mut Frame, dot: &Abs, a: &Arg) -> Abs {
        match a {
            Arg::Dot { .. } => dot.clone(),
            Arg::Field { pos, idents } => self.chain(f, dot.clone(), idents, *pos),
            Arg::Var { pos, idents } => {
                let v = self.var(f, &idents[0]);
                self.chain(f, v, &idents[1..], *pos)
            }
            Arg::Chain { pos, node, fields } => {
                let v = self.arg(f, dot, node);
                self.chain(f, v, fields, *pos)
            }
            Arg::Pipe(p) => {
                let mark = f.vars.len();
                let v = self.pipe(f, dot, p);
                f.vars.truncate(mark);
                v
            }
            Arg::Ident { pos, name } => self.call(f, dot, name, &[], None, *pos),
            _ => Abs::Unknown,
        }
    }

    fn cmd(&mut self, f: &mut Frame, dot: &Abs, args: &[Arg], fin: Option<Abs>, pos: usize) -> Abs {
        match &args[0] {
            Arg::Ident { name, .. } => self.call(f, dot, name, &args[1..], fin, pos),
            first => {
                let v = self.arg(f, dot, first);
                // A method call's arguments (`.Files.Get .Values.path`) are values read.
                for a in &args[1..] {
                    let av = self.arg(f, dot, a);
                    self.whole(f, &av, a.pos());
                }
                if let Some(fv) = fin {
                    self.whole(f, &fv, pos);
                }
                v
            }
        }
    }

    fn call(
        &mut self,
        f: &mut Frame,
        dot: &Abs,
        name: &str,
        args: &[Arg],
        fin: Option<Abs>,
        pos: usize,
    ) -> Abs {
        let mut vals: Vec<Abs> = args.iter().map(|a| self.arg(f, dot, a)).collect();
        let piped = fin.is_some();
        vals.extend(fin);
        let literal = |i: usize| -> Option<String> {
            match args.get(i) {
                Some(Arg::Str { text, .. }) => Some(text.to_string()),
                _ => None,
            }
        };
        let keys_at = |from: usize, to: usize| -> Option<Vec<String>> {
            if piped && to > args.len() {
                return None;
            }
            (from..to).map(literal).collect()
        };
        match name {
            "include" => {
                if let (Some(n), Some(d)) = (literal(0), vals.get(1)) {
                    self.call_define(&n, d.clone());
                }
                Abs::Unknown
            }
            "tpl" => {
                if let Some(v) = vals.first() {
                    self.whole(f, v, pos);
                }
                Abs::Unknown
            }
            "dict" if !piped => {
                let mut entries = Vec::new();
                for (i, pair) in vals.chunks(2).enumerate() {
                    match (literal(2 * i), pair.get(1)) {
                        (Some(k), Some(v)) => entries.push((k, v.clone())),
                        (_, Some(v)) => self.whole(f, v, pos),
                        _ => {}
                    }
                }
                Abs::Dict(entries)
            }
            "index" | "dig" | "hasKey" | "get" if !vals.is_empty() => {
                let (base, keys) = match name {
                    "index" => (vals[0].clone(), keys_at(1, vals.len())),
                    "dig" if vals.len() >= 3 => {
                        (vals[vals.len() - 1].clone(), keys_at(0, vals.len() - 2))
                    }
                    "hasKey" | "get" if vals.len() == 2 => (vals[0].clone(), keys_at(1, 2)),
                    _ => {
                        vals.iter().for_each(|v| self.whole(f, v, pos));
                        return Abs::Unknown;
                    }
                };
                match (base, keys) {
                    (Abs::Values(mut p), Some(keys)) => {
                        for k in keys {
                            p.push(k);
                            self.add_ref(f, &p, false, pos);
                        }
                        if name == "hasKey" {
                            Abs::Unknown
                        } else {
                            Abs::Values(p)
                        }
                    }
                    (Abs::Dict(entries), Some(keys)) if keys.len() == 1 && name != "hasKey" => {
                        entries
                            .into_iter()
                            .find(|(k, _)| *k == keys[0])
                            .map(|(_, v)| v)
                            .unwrap_or(Abs::Unknown)
                    }
                    // A computed key into a chart's whole values is a helper walking a path
                    // given as a string (bitnami's getValueFromKey): which keys it reads is
                    // known only when it runs (the renders record them), and "everything"
                    // would hide every unknown key of the chart.
                    (Abs::Values(p), None) if self.scopes.contains(&p) => Abs::Unknown,
                    (b, _) => {
                        self.whole(f, &b, pos);
                        Abs::Unknown
                    }
                }
            }
            "default" | "required" | "coalesce" | "ternary" | "first" => {
                // The value passed on: a values map read on by its keys later. `default x
                // .Values.y` gives y (or x, which is no values data).
                let pick = match name {
                    "default" | "required" => vals.last(),
                    _ => vals.iter().find(|v| matches!(v, Abs::Values(_))),
                };
                pick.cloned().unwrap_or(Abs::Unknown)
            }
            // The engine's list of functions that do not consume values maps whole, but a
            // `list` of values maps here is usually ranged over (read whole) later.
            _ if name != "list" && crate::reads::SHALLOW.contains(&name) => Abs::Unknown,
            _ => {
                for v in &vals {
                    self.whole(f, v, pos);
                }
                Abs::Unknown
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(files: &[(&str, &str)]) -> Vec<(String, bool)> {
        let files: Vec<TemplateFile<'_>> = files
            .iter()
            .map(|(n, s)| TemplateFile {
                name: n,
                src: s,
                scope: if n.contains("/charts/worker/") {
                    vec!["worker".to_string()]
                } else {
                    Vec::new()
                },
            })
            .collect();
        let a = analyze(&files);
        let mut out: Vec<(String, bool)> = a
            .refs
            .iter()
            .map(|r| (r.path.join("."), r.subtree))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    fn r(p: &str, subtree: bool) -> (String, bool) {
        (p.to_string(), subtree)
    }

    #[test]
    fn every_branch_is_read() {
        let got = refs(&[(
            "c/templates/a.yaml",
            "{{ if .Values.a.enabled }}{{ .Values.a.x }}{{ else }}{{ .Values.b }}{{ end }}",
        )]);
        assert!(got.contains(&r("a.enabled", false)));
        assert!(got.contains(&r("a.x", true)));
        assert!(got.contains(&r("b", true)));
    }

    #[test]
    fn with_range_dollar_and_variables() {
        let got = refs(&[(
            "c/templates/a.yaml",
            "{{ with .Values.svc }}{{ .port }}{{ $.Values.top }}{{ end }}\
             {{ $x := .Values.img }}{{ $x.tag }}\
             {{ range .Values.env }}{{ .name }}{{ $.Values.inner }}{{ end }}",
        )]);
        for want in ["svc.port", "top", "img.tag", "inner"] {
            assert!(got.iter().any(|(p, _)| p == want), "{want}: {got:?}");
        }
        assert!(got.contains(&r("env", true)));
    }

    #[test]
    fn subtree_reads_and_index() {
        let got = refs(&[(
            "c/templates/a.yaml",
            "{{ $k := \"x\" }}{{ toYaml .Values.resources }}{{ index .Values.m \"k\" }}{{ index .Values.n $k }}\
             {{ hasKey .Values.h \"x\" }}{{ .Values | toYaml }}",
        )]);
        assert!(got.contains(&r("resources", true)));
        assert!(got.contains(&r("m.k", true)));
        assert!(got.contains(&r("n", true)));
        assert!(got.contains(&r("h.x", false)));
        assert!(got.contains(&r("", true)));
    }

    #[test]
    fn includes_follow_their_argument_and_scopes() {
        let got = refs(&[
            (
                "c/templates/_h.tpl",
                "{{ define \"h\" }}{{ .values.a }}{{ .ctx.Values.b }}{{ end }}",
            ),
            (
                "c/templates/a.yaml",
                "{{ include \"h\" (dict \"values\" .Values.sub \"ctx\" $) }}",
            ),
            ("c/charts/worker/templates/w.yaml", "{{ .Values.w }}"),
        ]);
        assert!(got.iter().any(|(p, _)| p == "sub.a"), "{got:?}");
        assert!(got.iter().any(|(p, _)| p == "b"), "{got:?}");
        assert!(got.iter().any(|(p, _)| p == "worker.w"), "{got:?}");
    }

    #[test]
    fn toggles_guard_emitted_kinds() {
        let files = [TemplateFile {
            name: "c/templates/pdb.yaml",
            src: "{{- if .Values.pdb.enabled }}\napiVersion: policy/v1\nkind: PodDisruptionBudget\n{{- end }}\n",
            scope: Vec::new(),
        }];
        let a = analyze(&files);
        let e = a
            .emits
            .iter()
            .find(|e| e.what == "PodDisruptionBudget")
            .expect("kind found");
        assert_eq!(e.line, 3);
        assert_eq!(
            e.guards,
            vec![Some(vec![Guard {
                path: vec!["pdb".into(), "enabled".into()],
                negated: false
            }])]
        );
    }
}
