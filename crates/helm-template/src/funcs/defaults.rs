//! Sprig's defaults.go (default, empty, coalesce, all, any, ternary) and reflect.go
//! (typeOf, typeIs, typeIsLike, kindOf, kindIs, deepEqual).

use super::util::*;
use crate::func::{Registry, Sig, Ty};
use crate::value::Value;

#[allow(unused_imports)]
use Ty::{Any, Bool, Float64, Int, MapAny, String as Str};

pub fn register(r: &mut Registry) {
    // Functions that pick an argument return that argument's Value, keeping its taint.
    r.insert("default", Sig::variadic(&[Any], Any), |_, a| {
        if a.len() < 2 || is_empty(&a[1]) {
            Ok(a[0].clone())
        } else {
            Ok(a[1].clone())
        }
    });
    r.insert("empty", Sig::new(&[Any]), |_, a| {
        Ok(Value::bool(is_empty(&a[0])))
    });
    r.insert("coalesce", Sig::variadic(&[], Any), |_, a| {
        Ok(a.iter().find(|v| !is_empty(v)).cloned().unwrap_or_default())
    });
    r.insert("all", Sig::variadic(&[], Any), |_, a| {
        Ok(Value::bool(a.iter().all(|v| !is_empty(v))))
    });
    r.insert("any", Sig::variadic(&[], Any), |_, a| {
        Ok(Value::bool(a.iter().any(|v| !is_empty(v))))
    });
    r.insert("ternary", Sig::new(&[Any, Any, Bool]), |_, a| {
        Ok(if b(&a[2]) { a[0].clone() } else { a[1].clone() })
    });
    r.insert("typeOf", Sig::new(&[Any]), |_, a| string(type_of(&a[0])));
    r.insert("typeIs", Sig::new(&[Str, Any]), |_, a| {
        Ok(Value::bool(s(&a[0]) == type_of(&a[1])))
    });
    r.insert("typeIsLike", Sig::new(&[Str, Any]), |_, a| {
        let t = type_of(&a[1]);
        let target = s(&a[0]);
        Ok(Value::bool(target == t || format!("*{target}") == t))
    });
    r.insert("kindOf", Sig::new(&[Any]), |_, a| string(a[0].kind_name()));
    r.insert("kindIs", Sig::new(&[Str, Any]), |_, a| {
        Ok(Value::bool(s(&a[0]) == a[1].kind_name()))
    });
    r.insert("deepEqual", Sig::new(&[Any, Any]), |_, a| {
        Ok(Value::bool(deep_equal(&a[0], &a[1])))
    });
}

/// `fmt.Sprintf("%T", v)`.
fn type_of(v: &Value) -> String {
    v.type_name().into_owned()
}
