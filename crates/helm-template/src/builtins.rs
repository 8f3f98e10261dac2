//! Go text/template's builtin functions (funcs.go): comparisons with Go's kind rules,
//! `index`, `slice`, `not`, the print family and the escapers. `and`, `or`, `call` and
//! `len` are evaluated by the executor (short-circuit, and Go's nil distinctions) and only
//! registered here for their signatures.

use crate::func::{CallCtx, FuncError, HelmVersion, Registry, Sig, Ty};
use crate::gofmt;
use crate::provenance::{Origin, Span, Taint};
use crate::value::{Data, ElemType, MapType, Value};

use Ty::{Any, Reflect};

type R = Result<Value, FuncError>;

pub(crate) fn registry() -> Registry {
    let mut r = Registry::empty();
    let unreachable: crate::func::Func = |_, _| Err(FuncError::new("unreachable"));
    r.insert("and", Sig::variadic(&[Reflect], Reflect), unreachable);
    r.insert("or", Sig::variadic(&[Reflect], Reflect), unreachable);
    r.insert("call", Sig::variadic(&[Reflect], Reflect), unreachable);
    r.insert("len", Sig::new(&[Reflect]), unreachable);
    r.insert("not", Sig::new(&[Reflect]), |_, a| {
        Ok(Value::bool(!a[0].truth()))
    });
    r.insert("index", Sig::variadic(&[Reflect], Reflect), index);
    r.insert("slice", Sig::variadic(&[Reflect], Reflect), slice);
    r.insert("print", Sig::variadic(&[], Any), |_, a| {
        Ok(Value::string(gofmt::sprint(&a)))
    });
    r.insert("println", Sig::variadic(&[], Any), |_, a| {
        Ok(Value::string(gofmt::sprintln(&a)))
    });
    r.insert("printf", Sig::variadic(&[Ty::String], Any), printf);
    r.insert("html", Sig::variadic(&[], Any), |_, a| {
        Ok(Value::string(html_escape(&eval_args(&a))))
    });
    r.insert("js", Sig::variadic(&[], Any), |_, a| {
        Ok(Value::string(js_escape(&eval_args(&a))))
    });
    r.insert("urlquery", Sig::variadic(&[], Any), |_, a| {
        Ok(Value::string(query_escape(&eval_args(&a))))
    });
    r.insert("eq", Sig::variadic(&[Reflect], Reflect), eq_fn);
    r.insert("ne", Sig::new(&[Reflect, Reflect]), |c, a| {
        eq(c.helm_version(), &a[0], &a[1..])
            .map(|b| Value::bool(!b))
            .map_err(FuncError::new)
    });
    r.insert("lt", Sig::new(&[Reflect, Reflect]), |c, a| {
        lt(c.helm_version(), &a[0], &a[1])
            .map(Value::bool)
            .map_err(FuncError::new)
    });
    r.insert("le", Sig::new(&[Reflect, Reflect]), |c, a| {
        le(c.helm_version(), &a[0], &a[1])
            .map(Value::bool)
            .map_err(FuncError::new)
    });
    r.insert("gt", Sig::new(&[Reflect, Reflect]), |c, a| {
        le(c.helm_version(), &a[0], &a[1])
            .map(|b| Value::bool(!b))
            .map_err(FuncError::new)
    });
    r.insert("ge", Sig::new(&[Reflect, Reflect]), |c, a| {
        lt(c.helm_version(), &a[0], &a[1])
            .map(|b| Value::bool(!b))
            .map_err(FuncError::new)
    });
    r
}

/// `printf`, keeping which bytes each argument produced: the format's own text is the
/// template's, each argument's bytes carry that argument's values taint.
fn printf(c: &mut CallCtx<'_>, a: Vec<Value>) -> R {
    let f = a[0].as_str().unwrap_or("").to_string();
    let args = &a[1..];
    let mut ranges = Vec::new();
    let out = gofmt::sprintf_ranges(&f, args, &mut ranges);
    if args.iter().all(|v| v.taint.is_empty()) {
        return Ok(Value::string(out));
    }
    let origin = Origin {
        pos: c.call_site(),
        stack: c.stack(),
        verbatim: false,
    };
    let mut spans = Vec::new();
    let mut cursor = 0;
    for (i, r) in ranges {
        if r.start < cursor || r.start == r.end {
            continue;
        }
        if r.start > cursor {
            spans.push(Span {
                range: cursor..r.start,
                origin: origin.clone(),
                values: Taint::none(),
            });
        }
        spans.push(Span {
            range: r.clone(),
            origin: origin.clone(),
            values: args[i].taint.without_spans(),
        });
        cursor = r.end;
    }
    if cursor < out.len() {
        spans.push(Span {
            range: cursor..out.len(),
            origin,
            values: Taint::none(),
        });
    }
    Ok(Value::string(out).with_taint(Taint::from_spans(spans)))
}

fn eq_fn(c: &mut CallCtx<'_>, a: Vec<Value>) -> R {
    eq(c.helm_version(), &a[0], &a[1..])
        .map(Value::bool)
        .map_err(FuncError::new)
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Kind {
    Invalid,
    Bool,
    Int,
    Float,
    String,
}

fn basic_kind(v: &Value) -> Kind {
    match v.data {
        Data::Bool(_) => Kind::Bool,
        Data::Int(_) | Data::Int64(_) => Kind::Int,
        Data::Float(_) => Kind::Float,
        Data::Str(_) | Data::RawStr(_) => Kind::String,
        _ => Kind::Invalid,
    }
}

/// Go 1.23 says only "incompatible types for comparison"; Go 1.25 (Helm 4) names the types.
fn incompatible(v: HelmVersion, a: &Value, b: &Value) -> String {
    match v {
        HelmVersion::V3 => "incompatible types for comparison".into(),
        HelmVersion::V4 => format!(
            "incompatible types for comparison: {} and {}",
            a.type_name(),
            b.type_name()
        ),
    }
}

fn int_of(v: &Value) -> i64 {
    match v.data {
        Data::Int(i) | Data::Int64(i) => i,
        _ => 0,
    }
}

fn eq(ver: HelmVersion, a1: &Value, rest: &[Value]) -> Result<bool, String> {
    if rest.is_empty() {
        return Err("missing argument for comparison".into());
    }
    let k1 = basic_kind(a1);
    for a in rest {
        let k2 = basic_kind(a);
        let truth = if k1 != k2 {
            if !a1.is_nil() && !a.is_nil() {
                return Err(incompatible(ver, a1, a));
            }
            false
        } else {
            match (&a1.data, &a.data) {
                (Data::Bool(x), Data::Bool(y)) => x == y,
                (Data::Float(x), Data::Float(y)) => x == y,
                (Data::Str(_) | Data::RawStr(_), Data::Str(_) | Data::RawStr(_)) => {
                    a1.str_bytes() == a.str_bytes()
                }
                _ if k1 == Kind::Int => int_of(a1) == int_of(a),
                // Non-basic kinds: nil compares with anything; the rest must be the same
                // comparable kind.
                (Data::Nil, _) | (_, Data::Nil) => a1.is_nil() == a.is_nil(),
                (Data::Object(x), Data::Object(y)) => std::rc::Rc::ptr_eq(x, y),
                (Data::List(_), Data::List(_))
                | (Data::Map(_), Data::Map(_))
                | (Data::Bytes(_), Data::Bytes(_)) => {
                    return Err(format!(
                        "non-comparable type {}: {}",
                        gofmt::sprintf("%s", std::slice::from_ref(a)),
                        a.type_name()
                    ));
                }
                _ => {
                    return Err(format!(
                        "non-comparable types {}: {}, {}: {}",
                        gofmt::sprintf("%s", std::slice::from_ref(a1)),
                        a1.type_name(),
                        a.type_name(),
                        gofmt::sprintf("%s", std::slice::from_ref(a)),
                    ));
                }
            }
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

fn lt(ver: HelmVersion, a1: &Value, a2: &Value) -> Result<bool, String> {
    let k1 = basic_kind(a1);
    if k1 == Kind::Invalid {
        return Err("invalid type for comparison".into());
    }
    let k2 = basic_kind(a2);
    if k2 == Kind::Invalid {
        return Err("invalid type for comparison".into());
    }
    if k1 != k2 {
        return Err(incompatible(ver, a1, a2));
    }
    Ok(match (&a1.data, &a2.data) {
        (Data::Bool(_), _) => return Err("invalid type for comparison".into()),
        (Data::Float(x), Data::Float(y)) => x < y,
        (Data::Str(_) | Data::RawStr(_), Data::Str(_) | Data::RawStr(_)) => {
            a1.str_bytes() < a2.str_bytes()
        }
        _ => int_of(a1) < int_of(a2),
    })
}

fn le(ver: HelmVersion, a1: &Value, a2: &Value) -> Result<bool, String> {
    let l = lt(ver, a1, a2)?;
    if l {
        return Ok(true);
    }
    eq(ver, a1, std::slice::from_ref(a2))
}

/// Go's `indexArg`.
fn index_arg(i: &Value, cap: usize) -> Result<usize, String> {
    let x = match i.data {
        Data::Int(x) | Data::Int64(x) => x,
        Data::Nil => return Err("cannot index slice/array with nil".into()),
        _ => {
            return Err(format!(
                "cannot index slice/array with type {}",
                i.type_name()
            ))
        }
    };
    if x < 0 || x as u64 > cap as u64 {
        return Err(format!("index out of range: {x}"));
    }
    Ok(x as usize)
}

fn index(_: &mut CallCtx<'_>, a: Vec<Value>) -> R {
    let mut item = a[0].clone();
    if item.is_nil() {
        return Err(FuncError::new("index of untyped nil"));
    }
    for (k, ix) in a[1..].iter().enumerate() {
        if item.is_nil() && k > 0 {
            return Err(FuncError::new("index of nil pointer"));
        }
        item = match &item.data {
            Data::List(l) => {
                let x = index_arg(ix, l.items.len()).map_err(FuncError::new)?;
                match l.items.get(x) {
                    Some(v) => v.clone(),
                    None => return Err(FuncError::new("reflect: slice index out of range")),
                }
            }
            Data::Str(s) => {
                let x = index_arg(ix, s.len()).map_err(FuncError::new)?;
                match s.as_bytes().get(x) {
                    Some(b) => Value::int(*b as i64),
                    None => return Err(FuncError::new("reflect: string index out of range")),
                }
            }
            Data::Bytes(b) => {
                let x = index_arg(ix, b.len()).map_err(FuncError::new)?;
                match b.get(x) {
                    Some(b) => Value::int(*b as i64),
                    None => return Err(FuncError::new("reflect: slice index out of range")),
                }
            }
            Data::Map(m) => {
                let key = map_key(ix)?;
                let m = m.borrow();
                match m.entries.get(key.as_str()) {
                    Some(v) => v.clone(),
                    None if m.ty == MapType::String => Value::string(""),
                    None => Value::nil(),
                }
            }
            Data::Object(o) if o.list_items().is_some() => {
                let items = o.list_items().unwrap_or_default();
                let x = index_arg(ix, items.len()).map_err(FuncError::new)?;
                match items.get(x) {
                    Some(v) => v.clone(),
                    None => return Err(FuncError::new("reflect: slice index out of range")),
                }
            }
            Data::Object(o) if o.map_entries().is_some() => {
                let key = map_key(ix)?;
                match o.field(&key) {
                    Some(v) => v,
                    None => Value::nil(),
                }
            }
            _ => {
                return Err(FuncError::new(format!(
                    "can't index item of type {}",
                    item.type_name()
                )))
            }
        };
    }
    Ok(item)
}

fn map_key(ix: &Value) -> Result<String, FuncError> {
    match &ix.data {
        Data::Str(s) => Ok(s.to_string()),
        Data::Nil => Err(FuncError::new("value is nil; should be of type string")),
        _ => Err(FuncError::new(format!(
            "value has type {}; should be string",
            ix.type_name()
        ))),
    }
}

fn slice(_: &mut CallCtx<'_>, a: Vec<Value>) -> R {
    let item = &a[0];
    if item.is_nil() {
        return Err(FuncError::new("slice of untyped nil"));
    }
    let idx = &a[1..];
    if idx.len() > 3 {
        return Err(FuncError::new(format!(
            "too many slice indexes: {}",
            idx.len()
        )));
    }
    let (len, cap) = match &item.data {
        Data::Str(s) => {
            if idx.len() == 3 {
                return Err(FuncError::new("cannot 3-index slice a string"));
            }
            (s.len(), s.len())
        }
        Data::List(l) => (l.items.len(), l.items.len()),
        Data::Bytes(b) => (b.len(), b.len()),
        _ => {
            return Err(FuncError::new(format!(
                "can't slice item of type {}",
                item.type_name()
            )))
        }
    };
    let mut ix = [0usize, len, cap];
    for (i, v) in idx.iter().enumerate() {
        ix[i] = index_arg(v, cap).map_err(FuncError::new)?;
    }
    if ix[0] > ix[1] {
        return Err(FuncError::new(format!(
            "invalid slice index: {} > {}",
            ix[0], ix[1]
        )));
    }
    if idx.len() == 3 && ix[1] > ix[2] {
        return Err(FuncError::new(format!(
            "invalid slice index: {} > {}",
            ix[1], ix[2]
        )));
    }
    Ok(match &item.data {
        Data::Str(s) => {
            let b = &s.as_bytes()[ix[0]..ix[1]];
            Value::string(String::from_utf8_lossy(b).into_owned())
        }
        Data::List(l) => Value::typed_list(l.items[ix[0]..ix[1]].to_vec(), l.elem),
        Data::Bytes(b) => Value::bytes(b[ix[0]..ix[1]].to_vec()),
        _ => Value::nil(),
    })
}

/// Go's `evalArgs` for the escapers: one string as is, otherwise `fmt.Sprint` with nil
/// printed as `<no value>`.
fn eval_args(a: &[Value]) -> String {
    if a.len() == 1 {
        if let Data::Str(s) = &a[0].data {
            return s.to_string();
        }
    }
    let printable: Vec<Value> = a
        .iter()
        .map(|v| {
            if v.is_nil() {
                Value::string("<no value>")
            } else {
                v.clone()
            }
        })
        .collect();
    gofmt::sprint(&printable)
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\0' => out.push('\u{FFFD}'),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u00{:02X}", c as u32)),
            c if c.is_ascii() => out.push(c),
            c if gofmt::is_print(c) => out.push(c),
            c => out.push_str(&format!("\\u{:04X}", c as u32)),
        }
    }
    out
}

/// `url.QueryEscape`.
fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[allow(dead_code)]
fn _elem(_: ElemType) {}
