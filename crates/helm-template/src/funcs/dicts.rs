//! Sprig's dict functions (dict.go) and `merge`/`mergeOverwrite` with mergo's rules.
//! Go maps are references: `set`, `unset` and `merge` change the map every holder sees.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::util::*;
use crate::func::{CallCtx, Registry, Sig, Ty};
use crate::value::{Data, MapRef, Value};

#[allow(unused_imports)]
use Ty::{Any, Bool, Float64, Int, MapAny, String as Str};

pub fn register(r: &mut Registry) {
    r.insert("dict", Sig::variadic(&[], Any), dict);
    r.insert("get", Sig::new(&[MapAny, Str]), |_, a| {
        Ok(a[0]
            .as_map()
            .and_then(|m| m.get(s(&a[1])))
            .unwrap_or_else(|| Value::string("")))
    });
    r.insert("set", Sig::new(&[MapAny, Str, Any]), |_, a| {
        if let Some(m) = a[0].as_map() {
            m.insert(s(&a[1]), a[2].clone());
        }
        Ok(a[0].clone())
    });
    r.insert("unset", Sig::new(&[MapAny, Str]), |_, a| {
        if let Some(m) = a[0].as_map() {
            m.borrow_mut().entries.remove(s(&a[1]));
        }
        Ok(a[0].clone())
    });
    r.insert("hasKey", Sig::new(&[MapAny, Str]), |_, a| {
        Ok(Value::bool(
            a[0].as_map().is_some_and(|m| m.get(s(&a[1])).is_some()),
        ))
    });
    r.insert("pluck", Sig::variadic(&[Str], MapAny), |_, a| {
        let k = s(&a[0]);
        Ok(Value::list(
            a[1..]
                .iter()
                .filter_map(|d| d.as_map().and_then(|m| m.get(k)))
                .collect(),
        ))
    });
    // Go returns keys and values in random map order; we give sorted order (one of Go's).
    r.insert("keys", Sig::variadic(&[], MapAny), |_, a| {
        let mut out: Vec<Rc<str>> = vec![];
        for d in &a {
            if let Some(m) = d.as_map() {
                out.extend(m.borrow().entries.keys().cloned());
            }
        }
        Ok(Value::string_list(out))
    });
    r.insert("values", Sig::new(&[MapAny]), |_, a| {
        Ok(Value::list(
            a[0].as_map()
                .map(|m| m.borrow().entries.values().cloned().collect())
                .unwrap_or_default(),
        ))
    });
    r.insert("pick", Sig::variadic(&[MapAny], Str), |_, a| {
        let m = a[0].as_map().cloned().unwrap_or_default();
        let m = m.borrow();
        let out: BTreeMap<Rc<str>, Value> = a[1..]
            .iter()
            .filter_map(|k| {
                m.entries
                    .get_key_value(s(k))
                    .map(|(k, v)| (k.clone(), v.clone()))
            })
            .collect();
        Ok(Value::map(out))
    });
    r.insert("omit", Sig::variadic(&[MapAny], Str), |_, a| {
        let m = a[0].as_map().cloned().unwrap_or_default();
        let m = m.borrow();
        let out: BTreeMap<Rc<str>, Value> = m
            .entries
            .iter()
            .filter(|(k, _)| !a[1..].iter().any(|x| s(x) == &***k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Ok(Value::map(out))
    });
    for n in ["merge", "mustMerge"] {
        r.insert(n, Sig::variadic(&[MapAny], MapAny), |_, a| merge(a, false));
    }
    for n in ["mergeOverwrite", "mustMergeOverwrite"] {
        r.insert(n, Sig::variadic(&[MapAny], MapAny), |_, a| merge(a, true));
    }
    r.insert("dig", Sig::variadic(&[], Any), dig);
    for n in ["deepCopy", "mustDeepCopy"] {
        r.insert(n, Sig::new(&[Any]), |_, a| Ok(deep_copy(&a[0])));
    }
}

fn dict(_: &mut CallCtx<'_>, a: Vec<Value>) -> R {
    let mut m = BTreeMap::new();
    let mut it = a.iter();
    while let Some(k) = it.next() {
        let v = it.next().cloned().unwrap_or_else(|| Value::string(""));
        m.insert(Rc::from(strval(k)), v);
    }
    Ok(Value::map(m))
}

fn merge(a: Vec<Value>, overwrite: bool) -> R {
    let Some(dst) = a[0].as_map() else {
        return Ok(a[0].clone());
    };
    for src in &a[1..] {
        if let Some(src) = src.as_map() {
            if !src.ptr_eq(dst) {
                merge_into(dst, src, overwrite, 0);
            }
        }
    }
    Ok(a[0].clone())
}

/// mergo's `deepMerge` for `map[string]interface{}` (dario.cat/mergo v1.0.1, as Sprig uses
/// it): a missing or empty destination takes the source; nested maps merge; with
/// `overwrite`, source scalars, lists and nils replace what is there.
fn merge_into(dst: &MapRef, src: &MapRef, overwrite: bool, depth: usize) {
    if depth > 100 {
        return;
    }
    let entries = entries(src);
    for (k, sv) in entries {
        let dv = dst.get(&k);
        match &sv.data {
            Data::Nil => {
                if overwrite {
                    dst.insert(k, sv);
                }
            }
            Data::Map(sm) => {
                if let Some(Data::Map(dm)) = dv.as_ref().map(|d| &d.data) {
                    if !dm.ptr_eq(sm) {
                        merge_into(dm, sm, overwrite, depth + 1);
                    }
                }
                let dv = dst.get(&k);
                if dv.as_ref().is_some_and(|d| !is_empty(d)) {
                    continue;
                }
                dst.insert(k, sv);
            }
            Data::List(_) => {
                if dv.as_ref().is_some_and(|d| !is_empty(d)) && !overwrite {
                    continue;
                }
                dst.insert(k, sv);
            }
            _ => {
                if overwrite || dv.as_ref().is_none_or(is_empty) {
                    dst.insert(k, sv);
                }
            }
        }
    }
}

fn dig(_: &mut CallCtx<'_>, a: Vec<Value>) -> R {
    if a.len() < 3 {
        return err("dig needs at least three arguments");
    }
    let n = a.len();
    let Some(mut cur) = a[n - 1].as_map().cloned() else {
        return err(format!(
            "interface conversion: interface {{}} is {}, not map[string]interface {{}}",
            a[n - 1].type_name()
        ));
    };
    let def = a[n - 2].clone();
    let keys = &a[..n - 2];
    for (idx, k) in keys.iter().enumerate() {
        let Some(k) = k.as_str() else {
            return err(format!(
                "interface conversion: interface {{}} is {}, not string",
                k.type_name()
            ));
        };
        let Some(step) = cur.get(k) else {
            return Ok(def);
        };
        if idx + 1 == keys.len() {
            return Ok(step);
        }
        match &step.data {
            Data::Map(m) => cur = m.clone(),
            _ => {
                let t = if step.is_nil() {
                    "nil".to_string()
                } else {
                    step.type_name().into_owned()
                };
                return err(format!(
                    "interface conversion: interface {{}} is {t}, not map[string]interface {{}}"
                ));
            }
        }
    }
    Ok(def)
}
