//! Sprig's list functions (list.go, numeric.go's until/seq). Non-`must` forms panic in Go;
//! text/template turns the panic into the same `error calling X: …` as the `must` form's
//! error, so both share one implementation here.

use super::util::*;
use crate::func::{CallCtx, FuncError, Registry, Sig, Ty};
use crate::value::{Data, ElemType, Value};

#[allow(unused_imports)]
use Ty::{Any, Bool, Float64, Int, MapAny, String as Str};

pub fn register(r: &mut Registry) {
    r.insert("list", Sig::variadic(&[], Any), |_, a| Ok(Value::list(a)));
    r.insert("tuple", Sig::variadic(&[], Any), |_, a| Ok(Value::list(a)));
    for n in ["append", "push", "mustAppend", "mustPush"] {
        r.insert(n, Sig::new(&[Any, Any]), push);
    }
    for n in ["prepend", "mustPrepend"] {
        r.insert(n, Sig::new(&[Any, Any]), prepend);
    }
    for n in ["first", "mustFirst"] {
        r.insert(n, Sig::new(&[Any]), first);
    }
    for n in ["last", "mustLast"] {
        r.insert(n, Sig::new(&[Any]), last);
    }
    for n in ["rest", "mustRest"] {
        r.insert(n, Sig::new(&[Any]), rest);
    }
    for n in ["initial", "mustInitial"] {
        r.insert(n, Sig::new(&[Any]), initial);
    }
    for n in ["reverse", "mustReverse"] {
        r.insert(n, Sig::new(&[Any]), reverse);
    }
    for n in ["uniq", "mustUniq"] {
        r.insert(n, Sig::new(&[Any]), uniq);
    }
    for n in ["compact", "mustCompact"] {
        r.insert(n, Sig::new(&[Any]), compact);
    }
    for n in ["without", "mustWithout"] {
        r.insert(n, Sig::variadic(&[Any], Any), without);
    }
    for n in ["has", "mustHas"] {
        r.insert(n, Sig::new(&[Any, Any]), has);
    }
    for n in ["slice", "mustSlice"] {
        r.insert(n, Sig::variadic(&[Any], Any), slice);
    }
    for n in ["chunk", "mustChunk"] {
        r.insert(n, Sig::new(&[Int, Any]), chunk);
    }
    r.insert("concat", Sig::variadic(&[], Any), concat);
    r.insert("until", Sig::new(&[Int]), |c, a| {
        let n = i(&a[0]);
        int_list(c, until_step(0, n, if n < 0 { -1 } else { 1 }))
    });
    r.insert("untilStep", Sig::new(&[Int, Int, Int]), |c, a| {
        int_list(c, until_step(i(&a[0]), i(&a[1]), i(&a[2])))
    });
    r.insert("seq", Sig::variadic(&[], Int), seq);
}

/// The Go kind name Sprig prints in "Cannot … on type X"; nil has no type (Go panics).
fn kind_or_nil_panic(v: &Value) -> Result<&'static str, FuncError> {
    if v.is_nil() {
        return err("runtime error: invalid memory address or nil pointer dereference");
    }
    Ok(v.kind_name())
}

fn list_items(v: &Value, what: &str) -> Result<(Vec<Value>, ElemType), FuncError> {
    match &v.data {
        Data::List(l) => Ok((l.items.clone(), l.elem)),
        Data::Bytes(b) => Ok((
            b.iter().map(|&x| Value::int(x as i64)).collect(),
            ElemType::Any,
        )),
        // Slice-kinded objects (`.Capabilities.APIVersions` is a `[]string` type).
        Data::Object(o) if o.list_items().is_some() => {
            Ok((o.list_items().unwrap_or_default(), ElemType::String))
        }
        _ => {
            let k = kind_or_nil_panic(v)?;
            err(what.replace("%s", k))
        }
    }
}

fn push(_: &mut CallCtx<'_>, a: Vec<Value>) -> R {
    let (mut items, _) = list_items(&a[0], "Cannot push on type %s")?;
    items.push(a[1].clone());
    Ok(Value::list(items))
}

fn prepend(_: &mut CallCtx<'_>, a: Vec<Value>) -> R {
    let (mut items, _) = list_items(&a[0], "Cannot prepend on type %s")?;
    items.insert(0, a[1].clone());
    Ok(Value::list(items))
}

fn first(_: &mut CallCtx<'_>, a: Vec<Value>) -> R {
    let (items, _) = list_items(&a[0], "Cannot find first on type %s")?;
    Ok(items.first().cloned().unwrap_or_default())
}

fn last(_: &mut CallCtx<'_>, a: Vec<Value>) -> R {
    let (items, _) = list_items(&a[0], "Cannot find last on type %s")?;
    Ok(items.last().cloned().unwrap_or_default())
}

fn rest(_: &mut CallCtx<'_>, a: Vec<Value>) -> R {
    let (items, _) = list_items(&a[0], "Cannot find rest on type %s")?;
    // Go returns a nil []interface{}, which prints as [].
    if items.is_empty() {
        return Ok(Value::list(vec![]));
    }
    Ok(Value::list(items[1..].to_vec()))
}

fn initial(_: &mut CallCtx<'_>, a: Vec<Value>) -> R {
    let (items, _) = list_items(&a[0], "Cannot find initial on type %s")?;
    if items.is_empty() {
        return Ok(Value::list(vec![]));
    }
    Ok(Value::list(items[..items.len() - 1].to_vec()))
}

fn reverse(_: &mut CallCtx<'_>, a: Vec<Value>) -> R {
    let (mut items, _) = list_items(&a[0], "Cannot find reverse on type %s")?;
    items.reverse();
    Ok(Value::list(items))
}

fn uniq(_: &mut CallCtx<'_>, a: Vec<Value>) -> R {
    let (items, _) = list_items(&a[0], "Cannot find uniq on type %s")?;
    let mut out: Vec<Value> = vec![];
    for x in items {
        if !out.iter().any(|y| deep_equal(y, &x)) {
            out.push(x);
        }
    }
    Ok(Value::list(out))
}

fn compact(_: &mut CallCtx<'_>, a: Vec<Value>) -> R {
    let (items, _) = list_items(&a[0], "Cannot compact on type %s")?;
    Ok(Value::list(
        items.into_iter().filter(|x| !is_empty(x)).collect(),
    ))
}

fn without(_: &mut CallCtx<'_>, a: Vec<Value>) -> R {
    let (items, _) = list_items(&a[0], "Cannot find without on type %s")?;
    let omit = &a[1..];
    Ok(Value::list(
        items
            .into_iter()
            .filter(|x| !omit.iter().any(|o| deep_equal(o, x)))
            .collect(),
    ))
}

fn has(_: &mut CallCtx<'_>, a: Vec<Value>) -> R {
    if a[1].is_nil() {
        return Ok(Value::bool(false));
    }
    let (items, _) = list_items(&a[1], "Cannot find has on type %s")?;
    Ok(Value::bool(items.iter().any(|x| deep_equal(x, &a[0]))))
}

fn slice(_: &mut CallCtx<'_>, a: Vec<Value>) -> R {
    let (items, elem) = list_items(&a[0], "list should be type of slice or array but %s")?;
    let len = items.len() as i64;
    let idx: Vec<i64> = a[1..].iter().map(to_int64).collect();
    let (start, end) = match idx.as_slice() {
        [] => (0, len),
        [s] => (*s, len),
        [s, e, ..] => (*s, *e),
    };
    if start < 0 || end < start || end > len {
        return err("reflect.Value.Slice: slice index out of bounds");
    }
    Ok(Value::typed_list(
        items[start as usize..end as usize].to_vec(),
        elem,
    ))
}

fn chunk(_: &mut CallCtx<'_>, a: Vec<Value>) -> R {
    let size = i(&a[0]);
    let (items, _) = list_items(&a[1], "Cannot chunk type %s")?;
    if size <= 0 {
        if items.is_empty() {
            return Ok(Value::list(vec![]));
        }
        return err("runtime error: integer divide by zero");
    }
    let out: Vec<Value> = items
        .chunks(size as usize)
        .map(|c| Value::list(c.to_vec()))
        .collect();
    Ok(Value::list(out))
}

fn concat(_: &mut CallCtx<'_>, a: Vec<Value>) -> R {
    let mut out = vec![];
    for l in &a {
        match &l.data {
            Data::List(x) => out.extend(x.items.iter().cloned()),
            _ => {
                let k = kind_or_nil_panic(l)?;
                return err(format!("Cannot concat type {k} as list"));
            }
        }
    }
    Ok(Value::list(out))
}

pub fn until_step(start: i64, stop: i64, step: i64) -> Vec<i64> {
    let mut v = vec![];
    if stop < start {
        if step >= 0 {
            return v;
        }
        let mut k = start;
        while k > stop {
            v.push(k);
            k += step;
        }
        return v;
    }
    if step <= 0 {
        return v;
    }
    let mut k = start;
    while k < stop {
        v.push(k);
        k += step;
    }
    v
}

fn int_list(c: &mut CallCtx<'_>, v: Vec<i64>) -> R {
    c.charge(v.len() as u64, 8 * v.len() as u64)?;
    Ok(Value::typed_list(
        v.into_iter().map(Value::int).collect(),
        ElemType::Int,
    ))
}

/// Work the `seq` arguments would cause, checked before building the list.
fn seq(c: &mut CallCtx<'_>, a: Vec<Value>) -> R {
    let p: Vec<i64> = a.iter().map(i).collect();
    let span = |x: i64, y: i64, st: i64| -> u64 {
        if st == 0 {
            0
        } else {
            ((y - x).unsigned_abs() / st.unsigned_abs()).saturating_add(1)
        }
    };
    let v = match p.as_slice() {
        [] => return string(""),
        [end] => {
            let inc = if *end < 1 { -1 } else { 1 };
            c.charge(span(1, *end, 1), 0)?;
            until_step(1, end + inc, inc)
        }
        [start, end] => {
            let step = if end < start { -1 } else { 1 };
            c.charge(span(*start, *end, 1), 0)?;
            until_step(*start, end + step, step)
        }
        [start, step, end] => {
            let mut inc = 1;
            if end < start {
                inc = -1;
                if *step > 0 {
                    return string("");
                }
            }
            c.charge(span(*start, *end, *step), 0)?;
            until_step(*start, end + inc, *step)
        }
        _ => return string(""),
    };
    string(ints_joined(&v, " "))
}
