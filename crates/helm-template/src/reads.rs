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
//! `range` over it, passed to a function that is not known to look at one key only) is
//! recorded as a whole-subtree read. Keys given to `index`/`hasKey`/`get`/`dig`/`pluck` are
//! recorded as this render computed them (bitnami's `getValueFromKey` walks `.Values` with
//! `index` and keys split from a string): the union over renders is what was read.

use std::collections::HashSet;
use std::rc::Rc;

use crate::provenance::ValuesPath;
use crate::value::{Data, Value};

/// A values path as plain keys, `None` for a list index.
pub type KeyPath = Vec<Option<String>>;

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
pub(crate) const SHALLOW: &[&str] = &[
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
            self.roots
                .push((Rc::as_ptr(&m.0) as *const () as usize, path));
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

    /// A function call with its evaluated arguments (`fin`, a piped value, last). Keys given
    /// to `index`, `hasKey`, `get`, `dig` and `pluck` are read as they are in this render,
    /// computed or not: another render reading other keys records those.
    pub(crate) fn call(&mut self, name: &str, argv: &[Value]) {
        let key = |v: &Value| -> Option<LitKey> {
            match &v.data {
                Data::Str(s) => Some(LitKey::Key(s.to_string())),
                Data::Int(i) | Data::Int64(i) if *i >= 0 => Some(LitKey::Index(*i as usize)),
                _ => None,
            }
        };
        let walk = |reads: &mut Reads, base: &Value, keys: &[Value]| match keys
            .iter()
            .map(key)
            .collect::<Option<Vec<LitKey>>>(
        ) {
            Some(keys) => {
                for p in reads.paths_of(base) {
                    let mut cur = p;
                    for k in &keys {
                        cur = k.child(&cur);
                        reads.paths.insert(cur.clone());
                    }
                }
            }
            None => reads.whole(base),
        };
        match name {
            "index" if !argv.is_empty() => walk(self, &argv[0], &argv[1..]),
            "hasKey" | "get" if argv.len() == 2 => walk(self, &argv[0], &argv[1..]),
            "dig" if argv.len() >= 3 => {
                let n = argv.len();
                walk(self, &argv[n - 1], &argv[..n - 2])
            }
            "pluck" if !argv.is_empty() => {
                for m in &argv[1..] {
                    walk(self, m, &argv[..1]);
                }
            }
            _ if SHALLOW.contains(&name) => {}
            _ => argv.iter().for_each(|a| self.whole(a)),
        }
    }

    /// Every path read, as key segments (`None` for a list index), plain data for callers.
    pub fn export(&self) -> (Vec<KeyPath>, Vec<KeyPath>) {
        fn segs(p: &ValuesPath) -> Vec<Option<String>> {
            p.segments()
                .into_iter()
                .map(|s| match s {
                    crate::provenance::PathSeg::Key(k) => Some(k.to_string()),
                    crate::provenance::PathSeg::Index(_) => None,
                })
                .collect()
        }
        // Generated values carry a mark in their taint like a values path (generated.rs):
        // reading a field of a generated certificate is no read of `.Values`.
        let real = |p: &&ValuesPath| !p.is_generated();
        (
            self.paths.iter().filter(real).map(segs).collect(),
            self.subtrees.iter().filter(real).map(segs).collect(),
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
        assert_eq!(s, ["env", "m", "r"]);
        // A computed key is read as this render computed it.
        for k in ["i.z", "j.y", "h.q"] {
            assert!(p.contains(&k.to_string()), "{k}: {p:?}");
        }
    }

    #[test]
    fn whole_values_and_untainted_data_cost_nothing() {
        let (_, s) = read("{{ .Values | toYaml }}", serde_json::json!({"a": 1}));
        assert_eq!(s, [""]);
        let (p, s) = read("{{ dict \"a\" 1 | toYaml }}", serde_json::json!({"a": 1}));
        assert!(p.is_empty() && s.is_empty());
    }
}
