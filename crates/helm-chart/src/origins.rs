//! Which source set each value of the coalesced `.Values`: a `--set*` flag, a `-f` file, or
//! a chart's own values.yaml — through `-f` merging, `--set*` parsing, subchart scoping,
//! globals, import-values and null deletion, exactly as the render itself combines them.
//!
//! The values are combined a second time with every scalar replaced by a marker naming its
//! source and its key there. Coalescing only looks at the shape of values (map, null, or
//! anything else), so the markers end up exactly where the real values did, and the value
//! at a rendered node's values path names the source that won.

use std::path::Path;

use helm_template::{HelmVersion, PathSeg};

use crate::load::Chart;
use crate::strvals::{self, SetKind};
use crate::vals::{self, Map, V};
use crate::{deps, Failure, Request};

/// Where a value was set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// `req.sets[arg]`.
    Flag { kind: SetKind, arg: usize },
    /// `req.values_files[index]`.
    File(usize),
    /// The values.yaml of a chart: the Chart.yaml names (not aliases) from the root chart
    /// down to it (`["app"]`, `["app", "postgresql"]`).
    Chart(Vec<String>),
}

/// One key of a values source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Key {
    Name(String),
    Index(usize),
}

/// A value's source and its key path in that source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub source: Source,
    pub key: Vec<Key>,
}

/// The coalesced values, each scalar replaced by the origin that set it.
pub struct Origins {
    tree: Map,
    table: Vec<Origin>,
}

const MARK: &str = "\u{1}chartguard-origin:";

impl Origins {
    /// The origin of the value at `path` (a taint path of the render). For a map or list,
    /// the strongest source among the values under it, with its key for the node itself:
    /// the user's file that sets `resources.limits` is where `resources` is edited.
    pub fn of(&self, path: &[PathSeg]) -> Option<Origin> {
        let (first, rest) = path.split_first()?;
        let PathSeg::Key(k) = first else { return None };
        let mut node = self.tree.get(&**k)?;
        for seg in rest {
            node = match (seg, node) {
                (PathSeg::Key(k), V::Map(m)) => m.get(&**k)?,
                (PathSeg::Index(i), V::List(l)) => l.get(*i)?,
                // A marker above the path: a whole value set in one place.
                (_, V::Str(s)) if s.starts_with(MARK) => return self.marker(s, 0),
                _ => return None,
            };
        }
        match node {
            V::Str(s) if s.starts_with(MARK) => self.marker(s, 0),
            V::Map(_) | V::List(_) => {
                let mut best: Option<(usize, &str)> = None;
                strongest(node, 0, &self.table, &mut best);
                let (depth, s) = best?;
                self.marker(s, depth)
            }
            _ => None,
        }
    }

    /// The origin a marker names, its key shortened by `up` levels.
    fn marker(&self, s: &str, up: usize) -> Option<Origin> {
        let i: usize = s.strip_prefix(MARK)?.parse().ok()?;
        let mut o = self.table.get(i)?.clone();
        o.key.truncate(o.key.len().saturating_sub(up));
        Some(o)
    }
}

/// Precedence: flags over files over charts; later flags and files over earlier ones; a
/// parent chart over its subcharts.
fn rank(s: &Source) -> (u8, usize, usize) {
    match s {
        Source::Flag { kind, arg } => {
            let k = crate::SET_ORDER.iter().position(|k| k == kind).unwrap_or(0);
            (2, k, *arg)
        }
        Source::File(i) => (1, *i, 0),
        Source::Chart(chain) => (0, usize::MAX - chain.len(), 0),
    }
}

fn strongest<'a>(v: &'a V, depth: usize, table: &[Origin], best: &mut Option<(usize, &'a str)>) {
    match v {
        V::Str(s) if s.starts_with(MARK) => {
            let Some(o) = s
                .strip_prefix(MARK)
                .and_then(|i| i.parse::<usize>().ok())
                .and_then(|i| table.get(i))
            else {
                return;
            };
            let better = match best {
                None => true,
                Some((_, b)) => {
                    let b = b
                        .strip_prefix(MARK)
                        .and_then(|i| i.parse::<usize>().ok())
                        .and_then(|i| table.get(i));
                    b.is_none_or(|b| rank(&o.source) > rank(&b.source))
                }
            };
            if better {
                *best = Some((depth, s));
            }
        }
        V::Map(m) => m
            .values()
            .for_each(|c| strongest(c, depth + 1, table, best)),
        V::List(l) => l.iter().for_each(|c| strongest(c, depth + 1, table, best)),
        _ => {}
    }
}

/// Replaces every scalar (and empty list) under `v` with a marker for `source` at `key`.
fn tag(v: &mut V, key: &mut Vec<Key>, source: &Source, table: &mut Vec<Origin>) {
    match v {
        V::Null => {}
        V::Map(m) => {
            for (k, c) in m.iter_mut() {
                key.push(Key::Name(k.clone()));
                tag(c, key, source, table);
                key.pop();
            }
        }
        V::List(l) if !l.is_empty() => {
            for (i, c) in l.iter_mut().enumerate() {
                key.push(Key::Index(i));
                tag(c, key, source, table);
                key.pop();
            }
        }
        _ => {
            *v = V::Str(format!("{MARK}{}", table.len()));
            table.push(Origin {
                source: source.clone(),
                key: key.clone(),
            });
        }
    }
}

fn tag_map(m: Map, source: &Source, table: &mut Vec<Origin>) -> Map {
    let mut v = V::Map(m);
    tag(&mut v, &mut Vec::new(), source, table);
    match v {
        V::Map(m) => m,
        _ => Map::new(),
    }
}

fn tag_chart(c: &mut Chart, chain: &mut Vec<String>, table: &mut Vec<Origin>) {
    chain.push(
        c.meta["x-chartguard-name"]
            .as_str()
            .unwrap_or(c.name())
            .to_string(),
    );
    c.values = tag_map(
        std::mem::take(&mut c.values),
        &Source::Chart(chain.clone()),
        table,
    );
    for d in c.deps.iter_mut() {
        tag_chart(d, chain, table);
    }
    chain.pop();
}

/// Chart.yaml names survive aliasing (which renames the chart) under a key of their own.
fn remember_names(c: &mut Chart) {
    let name = c.name().to_string();
    c.meta["x-chartguard-name"] = name.into();
    c.deps.iter_mut().for_each(remember_names);
}

/// The origins of the values `helm template` would render `chart` with for `req`.
pub fn value_origins(chart: &Path, req: &Request) -> Result<Origins, Failure> {
    let helm = req.helm;
    let user = crate::user_values(req)?;
    let mut ch = crate::load::load(chart, helm)?;
    remember_names(&mut ch);
    let mut warnings = Vec::new();
    // Which subcharts are on (and their aliases) from the real values; then the markers.
    deps::enabled(helm, &mut ch, &user, "", &mut warnings);
    let mut table = Vec::new();
    tag_chart(&mut ch, &mut Vec::new(), &mut table);
    deps::import_values(helm, &mut ch, &mut warnings);
    let tagged = tagged_user_values(req, &mut table)?;
    let tree = vals::coalesce(helm, &ch, &tagged, false);
    Ok(Origins { tree, table })
}

/// The user's values as `user_values` merges them, each source's scalars marked.
fn tagged_user_values(req: &Request, table: &mut Vec<Origin>) -> Result<Map, Failure> {
    let helm = req.helm;
    let mut base = Map::new();
    for (i, f) in req.values_files.iter().enumerate() {
        let m = crate::values_file(f, helm)?;
        base = vals::merge_maps(base, tag_map(m, &Source::File(i), table));
    }
    for kind in crate::SET_ORDER {
        for (arg, (_, text)) in req.sets.iter().enumerate().filter(|(_, (k, _))| *k == kind) {
            // Each flag alone, then merged: a flag that sets one index of a list replaces
            // the list here, where strvals would edit it in place (the origin of the other
            // items is then this flag too).
            let mut one = Map::new();
            if kind == SetKind::Json && helm == HelmVersion::V4 && text.trim().starts_with('{') {
                if let Ok(j) = serde_json::from_str::<serde_json::Value>(text.trim()) {
                    if let V::Map(m) = V::from_json(&j) {
                        one = m;
                    }
                }
            } else {
                // The file's content does not matter here: it is one string either way.
                let mut read = |_: &str| Ok(String::new());
                let _ = strvals::parse_into(text, &mut one, kind, &mut read);
            }
            base = vals::merge_maps(base, tag_map(one, &Source::Flag { kind, arg }, table));
        }
    }
    Ok(base)
}

#[cfg(test)]
mod tests {
    use super::*;
    use helm_template::ValuesPath;

    fn write(dir: &Path, files: &[(&str, &str)]) {
        for (name, text) in files {
            let p = dir.join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
    }

    fn path(p: &str) -> Vec<PathSeg> {
        let mut v = ValuesPath::root();
        for k in p.split('.') {
            v = v.key(k);
        }
        v.segments()
    }

    fn names(k: &[&str]) -> Vec<Key> {
        k.iter().map(|s| Key::Name(s.to_string())).collect()
    }

    #[test]
    fn sources_through_files_flags_subcharts_globals_and_imports() {
        let dir = std::env::temp_dir().join(format!("helm-chart-origins-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        write(
            &dir,
            &[
                (
                    "Chart.yaml",
                    "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n  - name: db\n    version: 0.1.0\n    alias: store\n    import-values: [data]\n",
                ),
                (
                    "values.yaml",
                    "a:\n  b: 1\n  c: 2\nglobal:\n  x: 1\nstore:\n  size: 5\ntag: v1\n",
                ),
                ("charts/db/Chart.yaml", "apiVersion: v2\nname: db\nversion: 0.1.0\n"),
                (
                    "charts/db/values.yaml",
                    "size: 1\nmode: rw\nglobal:\n  x: 2\n  z: 3\nexports:\n  data:\n    port: 80\n",
                ),
                ("prod.yaml", "a:\n  b: null\ntag: v2\n"),
            ],
        );
        let mut req = Request::new(HelmVersion::V4);
        req.values_files = vec![dir.join("prod.yaml")];
        req.sets = vec![(SetKind::String, "store.mode=ro".into())];
        let o = value_origins(&dir, &req).unwrap();
        let file = |i| Source::File(i);
        let app = Source::Chart(vec!["app".into()]);
        let db = Source::Chart(vec!["app".into(), "db".into()]);
        // A null in the user's file deletes the key; its sibling is the chart's.
        assert_eq!(o.of(&path("a.b")), None);
        assert_eq!(o.of(&path("a.c")).unwrap().source, app);
        // The last file over the chart.
        assert_eq!(o.of(&path("tag")).unwrap().source, file(0));
        // The parent's `store:` (the alias) over the subchart's own values.yaml, and a flag
        // over both.
        let size = o.of(&path("store.size")).unwrap();
        assert_eq!(
            (size.source, size.key),
            (app.clone(), names(&["store", "size"]))
        );
        let mode = o.of(&path("store.mode")).unwrap();
        assert_eq!(
            mode.source,
            Source::Flag {
                kind: SetKind::String,
                arg: 0
            }
        );
        // Globals: the parent's win; the subchart's own fill in.
        let x = o.of(&path("store.global.x")).unwrap();
        assert_eq!((x.source, x.key), (app.clone(), names(&["global", "x"])));
        let z = o.of(&path("store.global.z")).unwrap();
        assert_eq!((z.source, z.key), (db.clone(), names(&["global", "z"])));
        // import-values: the parent's `port` is the subchart's `exports.data.port`.
        let port = o.of(&path("port")).unwrap();
        assert_eq!(
            (port.source, port.key),
            (db, names(&["exports", "data", "port"]))
        );
        // A map: the strongest source under it, at the map's own key.
        let a = o.of(&path("store")).unwrap();
        assert_eq!(
            (a.source, a.key),
            (
                Source::Flag {
                    kind: SetKind::String,
                    arg: 0
                },
                names(&["store"])
            )
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
