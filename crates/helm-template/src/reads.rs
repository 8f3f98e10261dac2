//! Which `.Values` paths a render reads: the engine's half of values analysis (typo'd and
//! unused keys).
//!
//! A [`Reads`] is handed to [`Engine::render_recording`](crate::Engine::render_recording);
//! the executor calls it from a few hooks (field access on a map, a function call, printing,
//! `range`). Paths come from the values' own [`Taint`](crate::Taint), so only values data is
//! looked at: an untainted value costs one branch. The `.Values` maps themselves carry no
//! taint (the root's path is empty), so the caller registers them with [`Reads::root`].
//!
//! What *may* be read counts as read: a map or list consumed wholesale (`toYaml`, printed,
//! `range` over it, passed to a function that is not known to look at one key only, `index`
//! with a computed key) is recorded as a whole-subtree read.

use std::collections::HashSet;
use std::rc::Rc;

use crate::parse::Arg;
use crate::provenance::ValuesPath;
use crate::value::{Data, Value};

/// The values paths a render read.
#[derive(Default, Debug)]
pub struct Reads {
    /// Paths read as such (a key looked up, present or not).
    pub paths: HashSet<ValuesPath>,
    /// Paths whose whole subtree was (or may have been) read.
    pub subtrees: HashSet<ValuesPath>,
    /// The `.Values` maps of each chart scope (pointer identity) and their path.
    roots: Vec<(usize, ValuesPath)>,
}

/// Functions that look at an argument map or list only as a whole value, pass it on
/// unchanged, or read keys the executor records by itself when they are looked up.
/// Every other function given a values map or list reads all of it, as far as we know.
const SHALLOW: &[&str] = &[
    "include",
    "tpl",
    "dict",
    "list",
    "set",
    "unset",
    "default",
    "empty",
    "required",
    "ternary",
    "coalesce",
    "kindIs",
    "kindOf",
    "typeOf",
    "typeIs",
    "typeIsLike",
    "eq",
    "ne",
    "not",
    "and",
    "or",
    "first",
    "last",
    "fail",
    "len",
];

impl Reads {
    pub fn new() -> Reads {
        Reads::default()
    }

    /// Registers a chart's `.Values` map (the value given as `.Values` in its templates'
    /// data) as the values at `path` (empty for the top chart, `worker` for a subchart).
    pub fn root(&mut self, values: &Value, path: ValuesPath) {
        if let Data::Map(m) = &values.data {
            self.roots.push((Rc::as_ptr(&m.0) as *const () as usize, path));
        }
    }

    /// The values paths `v` was read from: its taint, or a registered root's path.
    fn paths_of(&self, v: &Value) -> Vec<ValuesPath> {
        if !v.taint.is_empty() {
            return v.taint.paths().to_vec();
        }
        if let Data::Map(m) = &v.data {
            let p = Rc::as_ptr(&m.0) as *const () as usize;
            if let Some((_, path)) = self.roots.iter().find(|(q, _)| *q == p) {
                return vec![path.clone()];
            }
        }
        Vec::new()
    }

    /// `recv.name` looked up on a map (`got`: the entry, when present).
    pub(crate) fn field(&mut self, recv: &Value, name: &str, got: Option<&Value>) {
        if let Some(v) = got {
            if !v.taint.is_empty() {
                self.paths.extend(v.taint.paths().iter().cloned());
                return;
            }
        }
        for p in self.paths_of(recv) {
            self.paths.insert(p.key(name));
        }
    }

    /// A map or list consumed as a whole.
    pub(crate) fn whole(&mut self, v: &Value) {
        if matches!(v.data, Data::Map(_) | Data::List(_)) {
            let ps = self.paths_of(v);
            self.subtrees.extend(ps);
        }
    }

    /// A function call: `args` are the argument nodes after the function's name (`fin`,
    /// a piped value, is the last of `argv` when present).
    pub(crate) fn call(&mut self, name: &str, args: &[Arg], argv: &[Value]) {
        let literal = |i: usize| -> Option<LitKey> {
            match args.get(i)? {
                Arg::Str { text, .. } => Some(LitKey::Key(text.to_string())),
                Arg::Number { num, .. } if num.is_int && num.int >= 0 => {
                    Some(LitKey::Index(num.int as usize))
                }
                _ => None,
            }
        };
        match name {
            "index" if !argv.is_empty() => {
                let keys: Option<Vec<LitKey>> = (1..argv.len()).map(literal).collect();
                match keys {
                    Some(keys) => {
                        for p in self.paths_of(&argv[0]) {
                            let mut cur = p;
                            for k in &keys {
                                cur = k.child(&cur);
                                self.paths.insert(cur.clone());
                            }
                        }
                    }
                    None => self.whole(&argv[0]),
                }
            }
            "hasKey" | "get" if argv.len() == 2 => match literal(1) {
                Some(k) => {
                    for p in self.paths_of(&argv[0]) {
                        self.paths.insert(k.child(&p));
                    }
                }
                None => self.whole(&argv[0]),
            },
            "dig" if argv.len() >= 3 => {
                let n = argv.len();
                let keys: Option<Vec<LitKey>> = (0..n - 2).map(literal).collect();
                match keys {
                    Some(keys) => {
                        for p in self.paths_of(&argv[n - 1]) {
                            let mut cur = p;
                            for k in &keys {
                                cur = k.child(&cur);
                                self.paths.insert(cur.clone());
                            }
                        }
                    }
                    None => self.whole(&argv[n - 1]),
                }
            }
            "pluck" if !argv.is_empty() => match literal(0) {
                Some(k) => {
                    for m in &argv[1..] {
                        for p in self.paths_of(m) {
                            self.paths.insert(k.child(&p));
                        }
                    }
                }
                None => argv[1..].iter().for_each(|m| self.whole(m)),
            },
            _ if SHALLOW.contains(&name) => {}
            _ => argv.iter().for_each(|a| self.whole(a)),
        }
    }

    /// Every path read, as key segments (`None` for a list index), plain data for callers.
    pub fn export(&self) -> (Vec<Vec<Option<String>>>, Vec<Vec<Option<String>>>) {
        fn segs(p: &ValuesPath) -> Vec<Option<String>> {
            p.segments()
                .into_iter()
                .map(|s| match s {
                    crate::provenance::PathSeg::Key(k) => Some(k.to_string()),
                    crate::provenance::PathSeg::Index(_) => None,
                })
                .collect()
        }
        (
            self.paths.iter().map(segs).collect(),
            self.subtrees.iter().map(segs).collect(),
        )
    }
}

enum LitKey {
    Key(String),
    Index(usize),
}

impl LitKey {
    fn child(&self, p: &ValuesPath) -> ValuesPath {
        match self {
            LitKey::Key(k) => p.key(k),
            LitKey::Index(i) => p.index(*i),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Engine, Options};

    fn read(src: &str, values: serde_json::Value) -> (Vec<String>, Vec<String>) {
        let mut e = Engine::new(Options::default());
        e.add_template("c/templates/t.yaml", src).unwrap();
        let vals = Value::from_json_values(&values, &ValuesPath::root());
        let mut reads = Reads::new();
        reads.root(&vals, ValuesPath::root());
        let top = Value::from_json(&serde_json::json!({}));
        top.as_map().unwrap().insert("Values", vals);
        e.render_recording("c/templates/t.yaml", top, &mut reads)
            .unwrap();
        let mut p: Vec<String> = reads.paths.iter().map(|p| p.to_string()).collect();
        let mut s: Vec<String> = reads.subtrees.iter().map(|p| p.to_string()).collect();
        p.sort();
        s.sort();
        (p, s)
    }

    #[test]
    fn fields_present_or_missing_are_read() {
        let (p, s) = read(
            "{{ .Values.a.b }}{{ .Values.nope }}{{ with .Values.c }}{{ $.Values.d }}{{ end }}",
            serde_json::json!({"a": {"b": 1, "x": 2}, "c": true, "d": 1}),
        );
        assert_eq!(p, ["a", "a.b", "c", "d", "nope"]);
        assert!(s.is_empty());
    }

    #[test]
    fn wholesale_consumers_read_subtrees() {
        let (p, s) = read(
            "{{ toYaml .Values.r }}{{ range .Values.env }}{{ end }}{{ .Values.m }}\
             {{ $k := \"z\" }}{{ index .Values.i $k }}{{ index .Values.j \"y\" }}{{ hasKey .Values.h \"q\" }}",
            serde_json::json!({"r": {"x": 1}, "env": [1], "m": {"a": 1}, "i": {"z": 1}, "j": {"y": 1}, "h": {}}),
        );
        assert_eq!(s, ["env", "i", "m", "r"]);
        assert!(p.contains(&"j.y".to_string()) && p.contains(&"h.q".to_string()), "{p:?}");
    }

    #[test]
    fn whole_values_and_untainted_data_cost_nothing() {
        let (_, s) = read("{{ .Values | toYaml }}", serde_json::json!({"a": 1}));
        assert_eq!(s, [""]);
        let (p, s) = read("{{ dict \"a\" 1 | toYaml }}", serde_json::json!({"a": 1}));
        assert!(p.is_empty() && s.is_empty());
    }
}
