//! Values as Helm holds them (`map[string]interface{}` after sigs.k8s.io/yaml), and Helm's
//! ways of combining them: `MergeMaps` for `-f` files, `strvals` for `--set*`, and the chart
//! coalescing of `pkg/chartutil/coalesce.go` (Helm 3.17) / `pkg/chart/common/util` (Helm 4.1).

use std::collections::BTreeMap;
use std::rc::Rc;

use helm_template::{Data, HelmVersion, Value, ValuesPath};

/// A Go value inside Helm's values. Numbers from YAML/JSON are `float64` (`Float`); `--set`
/// integers are `int64` (`Int`).
#[derive(Clone, Debug, PartialEq)]
pub enum V {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<V>),
    Map(Map),
}

pub type Map = BTreeMap<String, V>;

impl V {
    pub fn as_map(&self) -> Option<&Map> {
        match self {
            V::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn is_table(&self) -> bool {
        matches!(self, V::Map(_))
    }

    /// From the engine's value (what its YAML reader returns).
    pub fn from_value(v: &Value) -> V {
        match &v.data {
            Data::Nil => V::Null,
            Data::Bool(b) => V::Bool(*b),
            Data::Int(i) | Data::Int64(i) => V::Int(*i),
            Data::Float(f) => V::Float(*f),
            Data::Str(s) => V::Str(s.to_string()),
            Data::RawStr(r) => V::Str(r.text.to_string()),
            Data::Bytes(b) => V::Str(String::from_utf8_lossy(b).into_owned()),
            Data::List(l) => V::List(l.items.iter().map(V::from_value).collect()),
            Data::Map(m) => V::Map(
                m.borrow()
                    .entries
                    .iter()
                    .map(|(k, v)| (k.to_string(), V::from_value(v)))
                    .collect(),
            ),
            Data::Object(_) => V::Null,
        }
    }

    /// JSON as encoding/json decodes it into `interface{}`: every number a float64.
    pub fn from_json(j: &serde_json::Value) -> V {
        match j {
            serde_json::Value::Null => V::Null,
            serde_json::Value::Bool(b) => V::Bool(*b),
            serde_json::Value::Number(n) => V::Float(n.as_f64().unwrap_or(0.0)),
            serde_json::Value::String(s) => V::Str(s.clone()),
            serde_json::Value::Array(a) => V::List(a.iter().map(V::from_json).collect()),
            serde_json::Value::Object(o) => V::Map(
                o.iter()
                    .map(|(k, v)| (k.clone(), V::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// The engine's value, every node tainted with its values path.
    pub fn to_value(&self, root: &ValuesPath) -> Value {
        self.plain().with_values_paths(root)
    }

    fn plain(&self) -> Value {
        match self {
            V::Null => Value::nil(),
            V::Bool(b) => Value::bool(*b),
            V::Int(i) => Value::int64(*i),
            V::Float(f) => Value::float(*f),
            V::Str(s) => Value::string(s.as_str()),
            V::List(l) => Value::list(l.iter().map(V::plain).collect()),
            V::Map(m) => Value::map(
                m.iter()
                    .map(|(k, v)| (Rc::from(k.as_str()), v.plain()))
                    .collect(),
            ),
        }
    }
}

/// A values file as Helm reads it: Helm 3 the first YAML document only, Helm 4 every
/// document merged (`loader.LoadValues`). An empty file is an empty map.
pub fn parse_values(text: &str, helm: HelmVersion) -> Result<Map, String> {
    let docs = match helm {
        HelmVersion::V3 => helm_template::funcs::yaml::from_yaml_str(text).map(|v| vec![v])?,
        HelmVersion::V4 => helm_template::funcs::yaml::from_yaml_docs(text)?,
    };
    let mut out = Map::new();
    for d in docs {
        match V::from_value(&d) {
            V::Map(m) => out = merge_maps(out, m),
            V::Null => {}
            other => {
                let kind = match other {
                    V::List(_) => "array",
                    V::Str(_) => "string",
                    V::Bool(_) => "bool",
                    _ => "number",
                };
                return Err(format!(
                    "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}"
                ));
            }
        }
    }
    Ok(out)
}

/// `MergeMaps` (`-f` files, in order): `b` wins; maps merge, anything else replaces.
pub fn merge_maps(mut a: Map, b: Map) -> Map {
    for (k, v) in b {
        if let V::Map(vm) = v {
            if let Some(V::Map(am)) = a.remove(&k) {
                a.insert(k, V::Map(merge_maps(am, vm)));
            } else {
                a.insert(k, V::Map(vm));
            }
            continue;
        }
        a.insert(k, v);
    }
    a
}

/// The chart tree as coalescing sees it: name (alias applied), default values, and the
/// enabled dependencies.
pub trait ChartValues {
    fn name(&self) -> &str;
    fn values(&self) -> &Map;
    fn deps(&self) -> Vec<&Self>;
}

/// `CoalesceValues(chart, vals)` (`merge` false) / `MergeValues` (`merge` true).
pub fn coalesce<C: ChartValues>(helm: HelmVersion, ch: &C, vals: &Map, merge: bool) -> Map {
    let mut dest = vals.clone();
    coalesce_chart(helm, ch, &mut dest, "", merge);
    dest
}

fn concat(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}.{b}")
    }
}

fn coalesce_chart<C: ChartValues>(
    helm: HelmVersion,
    ch: &C,
    dest: &mut Map,
    prefix: &str,
    merge: bool,
) {
    coalesce_values(helm, ch, dest, prefix, merge);
    coalesce_deps(helm, ch, dest, prefix, merge);
}

fn coalesce_deps<C: ChartValues>(
    helm: HelmVersion,
    ch: &C,
    dest: &mut Map,
    prefix: &str,
    merge: bool,
) {
    for sub in ch.deps() {
        let name = sub.name().to_string();
        match dest.get(&name) {
            None => {
                dest.insert(name.clone(), V::Map(Map::new()));
            }
            Some(V::Map(_)) => {}
            // Helm returns "type mismatch on <name>" here; the caller reports it.
            Some(_) => continue,
        }
        let sub_prefix = concat(prefix, ch.name());
        let globals = dest.get("global").cloned();
        let Some(V::Map(mut dv)) = dest.remove(&name) else {
            continue;
        };
        coalesce_globals(helm, &mut dv, globals.as_ref(), merge);
        coalesce_chart(helm, sub, &mut dv, &sub_prefix, merge);
        dest.insert(name, V::Map(dv));
    }
}

/// Copies the parent's globals into the child's `global` (parent wins; maps merge).
fn coalesce_globals(helm: HelmVersion, dest: &mut Map, src_global: Option<&V>, _merge: bool) {
    let mut dg = match dest.get("global") {
        None => Map::new(),
        Some(V::Map(m)) => m.clone(),
        Some(_) => return,
    };
    let sg = match src_global {
        None => Map::new(),
        Some(V::Map(m)) => m.clone(),
        Some(_) => return,
    };
    for (key, val) in sg {
        if let V::Map(vm) = &val {
            let mut vv = vm.clone();
            match dg.get(&key) {
                None => {
                    dg.insert(key, V::Map(vv));
                }
                Some(V::Map(destv)) => {
                    let mut destv = destv.clone();
                    match helm {
                        // Helm 3: CoalesceTables(vv, destvmap) (merge false).
                        HelmVersion::V3 => coalesce_tables(helm, &mut vv, &mut destv, false),
                        HelmVersion::V4 => coalesce_tables(helm, &mut vv, &mut destv, true),
                    }
                    dg.insert(key, V::Map(vv));
                }
                Some(_) => {}
            }
        } else if dg.get(&key).is_some_and(V::is_table) {
            // "key is table. Skipping"
        } else {
            dg.insert(key, val);
        }
    }
    dest.insert("global".into(), V::Map(dg));
}

fn coalesce_values<C: ChartValues>(
    helm: HelmVersion,
    ch: &C,
    v: &mut Map,
    prefix: &str,
    merge: bool,
) {
    let dep_names: Vec<String> = ch.deps().iter().map(|d| d.name().to_string()).collect();
    for (key, val) in ch.values().clone() {
        match v.get_mut(&key) {
            Some(V::Null) if !merge => {
                v.remove(&key);
            }
            Some(V::Map(dest)) => {
                if let V::Map(mut src) = val {
                    let merge = merge || dep_names.contains(&key);
                    coalesce_tables(helm, dest, &mut src, merge);
                }
            }
            Some(_) => {}
            None => {
                let _ = prefix;
                v.insert(key, val);
            }
        }
    }
}

/// `coalesceTablesFullKey(dst, src)`: `dst` wins. A `null` in `dst` deletes the key (not when
/// merging); Helm 4 keeps a `null` the chart default also has as null.
pub fn coalesce_tables(helm: HelmVersion, dst: &mut Map, src: &mut Map, merge: bool) {
    let src_non_nil: Vec<String> = src
        .iter()
        .filter(|(_, v)| **v != V::Null)
        .map(|(k, _)| k.clone())
        .collect();
    if helm == HelmVersion::V4 {
        for (k, v) in dst.iter() {
            if *v == V::Null {
                src.insert(k.clone(), V::Null);
            }
        }
    }
    for (key, val) in src.iter_mut() {
        match dst.get_mut(key) {
            Some(V::Null)
                if !merge && (helm == HelmVersion::V3 || src_non_nil.iter().any(|k| k == key)) =>
            {
                dst.remove(key);
            }
            None => {
                dst.insert(key.clone(), val.clone());
            }
            Some(dv) => {
                if let V::Map(sv) = val {
                    if let V::Map(dm) = dv {
                        coalesce_tables(helm, dm, sv, merge);
                    }
                }
            }
        }
    }
}

/// `Values.Table(path)` / `PathValue`: the value at a dotted path.
pub fn path_value<'a>(m: &'a Map, path: &str) -> Option<&'a V> {
    let mut parts = path.split('.').peekable();
    let mut cur = m;
    while let Some(p) = parts.next() {
        let v = cur.get(p)?;
        if parts.peek().is_none() {
            return Some(v);
        }
        cur = v.as_map()?;
    }
    None
}

/// Drops null entries, recursively (`trimNilValues`).
pub fn trim_nil(m: &Map) -> Map {
    m.iter()
        .filter(|(_, v)| **v != V::Null)
        .map(|(k, v)| {
            (
                k.clone(),
                match v {
                    V::Map(mm) => V::Map(trim_nil(mm)),
                    other => other.clone(),
                },
            )
        })
        .collect()
}
