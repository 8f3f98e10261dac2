//! Conversions Sprig performs on `interface{}` arguments (spf13/cast, `strval`, `strslice`)
//! and small helpers shared by the function groups.

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::func::FuncError;
use crate::value::{Data, ElemType, MapType, Value};

pub type R = Result<Value, FuncError>;

pub fn err<T>(msg: impl Into<String>) -> Result<T, FuncError> {
    Err(FuncError::new(msg))
}

/// The string argument of a `Ty::String` parameter (the engine converted it already).
pub fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// Go `int` argument of a `Ty::Int` parameter.
pub fn i(v: &Value) -> i64 {
    match v.data {
        Data::Int(i) | Data::Int64(i) => i,
        Data::Float(f) => f as i64,
        _ => 0,
    }
}

pub fn b(v: &Value) -> bool {
    matches!(v.data, Data::Bool(true))
}

pub fn string(x: impl Into<Rc<str>>) -> R {
    Ok(Value::string(x))
}

/// Sprig's `strval`: strings as is, `[]byte` as text, `String()`ers and everything else
/// through `%v`.
pub fn strval(v: &Value) -> String {
    match &v.data {
        Data::Str(s) => s.to_string(),
        Data::RawStr(r) => r.text.to_string(),
        Data::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        _ => crate::gofmt::sprint_value(v),
    }
}

/// Sprig's `strslice`: `[]string` as is; other slices element by element through `strval`,
/// nils dropped; nil → empty; anything else → a one-element list.
pub fn strslice(v: &Value) -> Vec<String> {
    match &v.data {
        Data::List(l) => l
            .items
            .iter()
            .filter(|x| l.elem == ElemType::String || !x.is_nil())
            .map(strval)
            .collect(),
        Data::Bytes(b) => b.iter().map(|x| x.to_string()).collect(),
        Data::Object(o) if o.list_items().is_some() => o
            .list_items()
            .unwrap_or_default()
            .iter()
            .map(strval)
            .collect(),
        Data::Nil => vec![],
        _ => vec![strval(v)],
    }
}

/// cast's `trimZeroDecimal`: "3.0" → "3", "3.50" stays.
fn trim_zero_decimal(s: &str) -> &str {
    let mut found_zero = false;
    for (idx, c) in s.char_indices().rev() {
        match c {
            '.' => {
                if found_zero {
                    return &s[..idx];
                }
                break;
            }
            '0' => found_zero = true,
            _ => break,
        }
    }
    s
}

/// `strconv.ParseInt(s, 0, 64)`: sign, then 0x/0o/0b/0 prefixes, underscores only with a
/// prefix.
pub fn go_parse_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() {
        return None;
    }
    let lower = body.to_ascii_lowercase();
    let (digits, radix, prefixed) = if let Some(r) = lower.strip_prefix("0x") {
        (r, 16, true)
    } else if let Some(r) = lower.strip_prefix("0o") {
        (r, 8, true)
    } else if let Some(r) = lower.strip_prefix("0b") {
        (r, 2, true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (&lower[1..], 8, true)
    } else {
        (lower.as_str(), 10, false)
    };
    let digits: String = if prefixed {
        if digits.starts_with('_') && radix != 8 {
            // "0x_1" is allowed by Go; keep it simple: strip underscores.
        }
        digits.replace('_', "")
    } else {
        if digits.contains('_') {
            return None;
        }
        digits.to_string()
    };
    if digits.is_empty() {
        return None;
    }
    let mag = u64::from_str_radix(&digits, radix).ok()?;
    if neg {
        if mag <= i64::MAX as u64 + 1 {
            Some((mag as i64).wrapping_neg())
        } else {
            None
        }
    } else if mag <= i64::MAX as u64 {
        Some(mag as i64)
    } else {
        None
    }
}

/// `strconv.ParseFloat(s, 64)` (decimal forms, inf/nan words; hex floats unsupported).
pub fn go_parse_float(s: &str) -> Option<f64> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let lower = body.to_ascii_lowercase();
    let neg = s.starts_with('-');
    match lower.as_str() {
        "inf" | "infinity" => {
            return Some(if neg {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            })
        }
        "nan" => return Some(f64::NAN),
        _ => {}
    }
    if body.is_empty()
        || !body
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-' | b'_'))
    {
        return None;
    }
    let clean = s.replace('_', "");
    clean.parse::<f64>().ok()
}

/// spf13/cast `ToInt64` (errors give 0).
pub fn to_int64(v: &Value) -> i64 {
    match &v.data {
        Data::Int(i) | Data::Int64(i) => *i,
        Data::Float(f) => {
            if f.is_nan() {
                i64::MIN
            } else {
                *f as i64
            }
        }
        Data::Bool(b) => *b as i64,
        Data::Str(s) => go_parse_int(trim_zero_decimal(s)).unwrap_or(0),
        _ => 0,
    }
}

/// spf13/cast `ToFloat64` (errors give 0).
pub fn to_float64(v: &Value) -> f64 {
    match &v.data {
        Data::Int(i) | Data::Int64(i) => *i as f64,
        Data::Float(f) => *f,
        Data::Bool(b) => *b as i64 as f64,
        Data::Str(s) => go_parse_float(s).unwrap_or(0.0),
        _ => 0.0,
    }
}

/// A snapshot of a map's entries, so no borrow is held while they are processed (a
/// template function may reach the same map again).
pub fn entries(m: &crate::value::MapRef) -> Vec<(Rc<str>, Value)> {
    m.borrow()
        .entries
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

pub fn string_map(entries: BTreeMap<Rc<str>, Value>) -> Value {
    Value::typed_map(entries, MapType::String)
}

/// Go's `reflect.DeepEqual` on template values (maps by content, numbers by type and value).
pub fn deep_equal(a: &Value, b: &Value) -> bool {
    match (&a.data, &b.data) {
        (Data::Nil, Data::Nil) => true,
        (Data::Bool(x), Data::Bool(y)) => x == y,
        (Data::Int(x), Data::Int(y)) | (Data::Int64(x), Data::Int64(y)) => x == y,
        (Data::Float(x), Data::Float(y)) => x == y,
        (Data::Str(_) | Data::RawStr(_), Data::Str(_) | Data::RawStr(_)) => {
            a.str_bytes() == b.str_bytes()
        }
        (Data::Bytes(x), Data::Bytes(y)) => x == y,
        (Data::List(x), Data::List(y)) => {
            x.elem == y.elem
                && x.items.len() == y.items.len()
                && x.items.iter().zip(&y.items).all(|(p, q)| deep_equal(p, q))
        }
        (Data::Map(x), Data::Map(y)) => {
            if x.ptr_eq(y) {
                return true;
            }
            let (x, y) = (x.borrow(), y.borrow());
            x.ty == y.ty
                && x.entries.len() == y.entries.len()
                && x.entries
                    .iter()
                    .all(|(k, v)| y.entries.get(k).is_some_and(|w| deep_equal(v, w)))
        }
        (Data::Object(x), Data::Object(y)) => {
            x.type_name() == y.type_name() && x.go_string() == y.go_string()
        }
        _ => false,
    }
}

/// Go's `%v` of an `[]int` / generic slice joined, used by `seq`.
pub fn ints_joined(v: &[i64], sep: &str) -> String {
    v.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(sep)
}

/// Deep copy (Sprig's `deepCopy` uses copystructure: maps and slices copied, the rest shared).
pub fn deep_copy(v: &Value) -> Value {
    match &v.data {
        Data::List(l) => Value::typed_list(l.items.iter().map(deep_copy).collect(), l.elem)
            .with_taint(v.taint.clone()),
        Data::Map(m) => {
            let m = m.borrow();
            Value::typed_map(
                m.entries
                    .iter()
                    .map(|(k, x)| (k.clone(), deep_copy(x)))
                    .collect(),
                m.ty,
            )
            .with_taint(v.taint.clone())
        }
        _ => v.clone(),
    }
}

/// Go's "empty" in Sprig's sense (`empty`, `default`, `compact`, `coalesce`, `all`, `any`):
/// the same notion as encoding/json's `omitempty`, which [`Value::is_empty_value`] holds.
pub fn is_empty(v: &Value) -> bool {
    v.is_empty_value()
}
