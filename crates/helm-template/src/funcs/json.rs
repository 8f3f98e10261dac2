//! JSON: Go's `encoding/json` output written by our own code (key order, `<>&` and U+2028/9
//! escaping, float spelling and `MarshalIndent` layout are what templates print, so they must
//! be Go's bytes), parsing through serde_json with Go's typing (numbers are float64).

use super::util::*;
use crate::func::{CallCtx, FuncError, HelmVersion, Registry, Sig, Ty};
use crate::value::{Data, Value};

#[allow(unused_imports)]
use Ty::{Any, Bool, Float64, Int, MapAny, String as Str};

pub fn register(r: &mut Registry, version: HelmVersion) {
    // Helm's toJson (and Sprig's, identical): "" on error.
    r.insert("toJson", Sig::new(&[Any]), |c, a| {
        Ok(match marshal_spans(&a[0], true, None) {
            Ok((t, sp)) => super::yaml::with_spans(c, t, sp),
            Err(_) => Value::string(""),
        })
    });
    match version {
        // Sprig's mustToJson returns the error.
        HelmVersion::V3 => r.insert("mustToJson", Sig::new(&[Any]), |c, a| {
            let (t, sp) = marshal_spans(&a[0], true, None).map_err(FuncError::new)?;
            Ok(super::yaml::with_spans(c, t, sp))
        }),
        // Helm 4's own mustToJson panics; text/template reports the panic the same way.
        HelmVersion::V4 => r.insert("mustToJson", Sig::new(&[Any]), |c, a| {
            let (t, sp) = marshal_spans(&a[0], true, None).map_err(FuncError::new)?;
            Ok(super::yaml::with_spans(c, t, sp))
        }),
    }
    r.insert("toPrettyJson", Sig::new(&[Any]), |c, a| {
        Ok(match marshal_spans(&a[0], true, Some("  ")) {
            Ok((t, sp)) => super::yaml::with_spans(c, t, sp),
            Err(_) => Value::string(""),
        })
    });
    r.insert("mustToPrettyJson", Sig::new(&[Any]), |c, a| {
        let (t, sp) = marshal_spans(&a[0], true, Some("  ")).map_err(FuncError::new)?;
        Ok(super::yaml::with_spans(c, t, sp))
    });
    r.insert("toRawJson", Sig::new(&[Any]), |c, a| {
        Ok(match marshal_spans(&a[0], false, None) {
            Ok((t, sp)) => super::yaml::with_spans(c, t, sp),
            Err(_) => Value::string(""),
        })
    });
    r.insert("mustToRawJson", Sig::new(&[Any]), |c, a| {
        let (t, sp) = marshal_spans(&a[0], false, None).map_err(FuncError::new)?;
        Ok(super::yaml::with_spans(c, t, sp))
    });
    // Helm's fromJson: always a map; a parse error goes into "Error".
    r.insert("fromJson", Sig::new(&[Str]), |_, a| {
        Ok(from_json_map(s(&a[0])))
    });
    r.insert("fromJsonArray", Sig::new(&[Str]), |_, a| {
        Ok(from_json_array(s(&a[0])))
    });
    r.insert("mustFromJson", Sig::new(&[Str]), |_, a| {
        parse_any(s(&a[0])).map_err(FuncError::new)
    });
}

/// `json.Marshal` (indent `Some`: `json.MarshalIndent(v, "", indent)`); `escape_html` false is
/// an Encoder with `SetEscapeHTML(false)` (Sprig's toRawJson).
pub fn marshal(v: &Value, escape_html: bool, indent: Option<&str>) -> Result<String, String> {
    marshal_spans(v, escape_html, indent).map(|(s, _)| s)
}

/// `marshal` with the output range of every tainted leaf value (provenance).
pub fn marshal_spans(
    v: &Value,
    escape_html: bool,
    indent: Option<&str>,
) -> Result<(String, super::yaml::ValueSpans), String> {
    let mut w = Writer {
        out: String::new(),
        esc: escape_html,
        indent,
        spans: vec![],
    };
    w.value(v, 0, 0)?;
    Ok((w.out, w.spans))
}

struct Writer<'a> {
    out: String,
    esc: bool,
    indent: Option<&'a str>,
    spans: super::yaml::ValueSpans,
}

impl Writer<'_> {
    fn value(&mut self, v: &Value, level: usize, depth: usize) -> Result<(), String> {
        let start = self.out.len();
        let leaf = write_value(
            &mut self.out,
            v,
            self.esc,
            self.indent,
            level,
            depth,
            &mut self.spans,
        )?;
        if leaf && !v.taint.is_empty() {
            self.spans
                .push((start..self.out.len(), v.taint.without_spans()));
        }
        Ok(())
    }
}

fn newline(out: &mut String, indent: Option<&str>, level: usize) {
    if let Some(ind) = indent {
        out.push('\n');
        for _ in 0..level {
            out.push_str(ind);
        }
    }
}

/// Writes `v`; returns whether it was a leaf (a scalar or an empty collection), whose
/// range the caller records when tainted.
fn write_value(
    out: &mut String,
    v: &Value,
    esc: bool,
    indent: Option<&str>,
    level: usize,
    depth: usize,
    spans: &mut super::yaml::ValueSpans,
) -> Result<bool, String> {
    let mut child = |out: &mut String, x: &Value, level: usize| -> Result<(), String> {
        let start = out.len();
        let leaf = write_value(out, x, esc, indent, level, depth + 1, spans)?;
        if leaf && !x.taint.is_empty() {
            spans.push((start..out.len(), x.taint.without_spans()));
        }
        Ok(())
    };
    if depth > 1000 {
        return Err(format!(
            "json: unsupported value: encountered a cycle via {}",
            v.type_name()
        ));
    }
    match &v.data {
        Data::Nil => out.push_str("null"),
        Data::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Data::Int(i) | Data::Int64(i) => out.push_str(&i.to_string()),
        Data::Float(f) => match super::gofloat::format_json(*f) {
            Some(s) => out.push_str(&s),
            None => {
                return Err(format!(
                    "json: unsupported value: {}",
                    super::gofloat::format_g(*f)
                ))
            }
        },
        Data::Str(s) => quote_into(out, s, esc),
        Data::RawStr(r) => quote_into(out, &r.text, esc),
        Data::Bytes(b) => quote_into(out, &crate::gofmt::base64_std(b), esc),
        Data::List(l) => {
            if l.items.is_empty() {
                out.push_str("[]");
                return Ok(true);
            }
            out.push('[');
            for (k, x) in l.items.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                newline(out, indent, level + 1);
                child(out, x, level + 1)?;
            }
            newline(out, indent, level);
            out.push(']');
            return Ok(false);
        }
        Data::Map(m) if m.borrow().nil => {
            out.push_str("null");
            return Ok(true);
        }
        Data::Map(_) | Data::Object(_) => {
            let entries = match &v.data {
                Data::Map(m) => entries(m),
                Data::Object(o) => match o.json_fields() {
                    Some(f) => f,
                    None => match o.to_plain() {
                        Some(p) => {
                            return write_value(out, &p, esc, indent, level, depth + 1, spans)
                        }
                        None => {
                            out.push_str("{}");
                            return Ok(true);
                        }
                    },
                },
                _ => unreachable!("a map or an object"),
            };
            if entries.is_empty() {
                out.push_str("{}");
                return Ok(true);
            }
            out.push('{');
            for (k, (key, x)) in entries.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                newline(out, indent, level + 1);
                quote_into(out, key, esc);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                child(out, x, level + 1)?;
            }
            newline(out, indent, level);
            out.push('}');
            return Ok(false);
        }
    }
    Ok(true)
}

/// encoding/json's string encoder (Go 1.22+: `\b` and `\f` short escapes).
pub fn quote_into(out: &mut String, s: &str, esc: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' if esc => out.push_str(&format!("\\u{:04x}", c as u32)),
            '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Go's `quoteChar` for scanner errors.
fn quote_char(c: char) -> String {
    match c {
        '\'' => "'\\''".into(),
        '"' => "'\"'".into(),
        c => {
            let q = super::strings::go_quote(&c.to_string());
            format!("'{}'", &q[1..q.len() - 1])
        }
    }
}

/// encoding/json's syntax error text for `src` (its scanner's wording), found by a small
/// validator that walks the text the way Go's state machine does.
fn go_json_error(src: &str, _e: &serde_json::Error) -> String {
    let v: Vec<char> = src.chars().collect();
    let mut i = 0;
    match scan_value(&v, &mut i, "looking for beginning of value") {
        Err(m) => m,
        Ok(()) => {
            skip_ws(&v, &mut i);
            match v.get(i) {
                Some(&c) => format!("invalid character {} after top-level value", quote_char(c)),
                None => "unexpected end of JSON input".into(),
            }
        }
    }
}

fn skip_ws(v: &[char], i: &mut usize) {
    while *i < v.len() && matches!(v[*i], ' ' | '\t' | '\n' | '\r') {
        *i += 1;
    }
}

fn bad(v: &[char], i: usize, ctx: &str) -> String {
    match v.get(i) {
        Some(&c) => format!("invalid character {} {ctx}", quote_char(c)),
        None => "unexpected end of JSON input".into(),
    }
}

fn scan_value(v: &[char], i: &mut usize, ctx: &str) -> Result<(), String> {
    skip_ws(v, i);
    match v.get(*i) {
        None => Err("unexpected end of JSON input".into()),
        Some('{') => {
            *i += 1;
            skip_ws(v, i);
            if v.get(*i) == Some(&'}') {
                *i += 1;
                return Ok(());
            }
            loop {
                skip_ws(v, i);
                if v.get(*i) != Some(&'"') {
                    return Err(bad(v, *i, "looking for beginning of object key string"));
                }
                scan_string(v, i)?;
                skip_ws(v, i);
                if v.get(*i) != Some(&':') {
                    return Err(bad(v, *i, "after object key"));
                }
                *i += 1;
                scan_value(v, i, "looking for beginning of value")?;
                skip_ws(v, i);
                match v.get(*i) {
                    Some(',') => *i += 1,
                    Some('}') => {
                        *i += 1;
                        return Ok(());
                    }
                    _ => return Err(bad(v, *i, "after object key:value pair")),
                }
            }
        }
        Some('[') => {
            *i += 1;
            skip_ws(v, i);
            if v.get(*i) == Some(&']') {
                *i += 1;
                return Ok(());
            }
            loop {
                scan_value(v, i, "looking for beginning of value")?;
                skip_ws(v, i);
                match v.get(*i) {
                    Some(',') => *i += 1,
                    Some(']') => {
                        *i += 1;
                        return Ok(());
                    }
                    _ => return Err(bad(v, *i, "after array element")),
                }
            }
        }
        Some('"') => scan_string(v, i),
        Some('-' | '0'..='9') => {
            if v[*i] == '-' {
                *i += 1;
                if !v.get(*i).is_some_and(|c| c.is_ascii_digit()) {
                    return Err(bad(v, *i, "in numeric literal"));
                }
            }
            if v.get(*i) == Some(&'0') {
                *i += 1;
            } else {
                while v.get(*i).is_some_and(|c| c.is_ascii_digit()) {
                    *i += 1;
                }
            }
            if v.get(*i) == Some(&'.') {
                *i += 1;
                if !v.get(*i).is_some_and(|c| c.is_ascii_digit()) {
                    return Err(bad(v, *i, "after decimal point in numeric literal"));
                }
                while v.get(*i).is_some_and(|c| c.is_ascii_digit()) {
                    *i += 1;
                }
            }
            if matches!(v.get(*i), Some('e' | 'E')) {
                *i += 1;
                if matches!(v.get(*i), Some('+' | '-')) {
                    *i += 1;
                }
                if !v.get(*i).is_some_and(|c| c.is_ascii_digit()) {
                    return Err(bad(v, *i, "in exponent of numeric literal"));
                }
                while v.get(*i).is_some_and(|c| c.is_ascii_digit()) {
                    *i += 1;
                }
            }
            Ok(())
        }
        Some('t' | 'f' | 'n') => {
            let word = match v[*i] {
                't' => "true",
                'f' => "false",
                _ => "null",
            };
            for (k, w) in word.chars().enumerate() {
                match v.get(*i + k) {
                    Some(&c) if c == w => {}
                    Some(&c) => {
                        return Err(format!(
                            "invalid character {} in literal {word} (expecting {})",
                            quote_char(c),
                            quote_char(w)
                        ))
                    }
                    None => return Err("unexpected end of JSON input".into()),
                }
            }
            *i += word.len();
            Ok(())
        }
        Some(_) => Err(bad(v, *i, ctx)),
    }
}

fn scan_string(v: &[char], i: &mut usize) -> Result<(), String> {
    *i += 1;
    loop {
        match v.get(*i) {
            None => return Err("unexpected end of JSON input".into()),
            Some('"') => {
                *i += 1;
                return Ok(());
            }
            Some('\\') => {
                *i += 1;
                match v.get(*i) {
                    Some('"' | '\\' | '/' | 'b' | 'f' | 'n' | 'r' | 't') => *i += 1,
                    Some('u') => {
                        *i += 1;
                        for _ in 0..4 {
                            if !v.get(*i).is_some_and(|c| c.is_ascii_hexdigit()) {
                                return Err(bad(v, *i, "in \\u hexadecimal character escape"));
                            }
                            *i += 1;
                        }
                    }
                    _ => return Err(bad(v, *i, "in string escape code")),
                }
            }
            Some(&c) if (c as u32) < 0x20 => return Err(bad(v, *i, "in string literal")),
            Some(_) => *i += 1,
        }
    }
}

fn parse_any(src: &str) -> Result<Value, String> {
    let j: serde_json::Value = serde_json::from_str(src).map_err(|e| go_json_error(src, &e))?;
    Ok(Value::from_json(&j))
}

fn json_kind(j: &serde_json::Value) -> &'static str {
    match j {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "bool",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

/// Helm's `fromJson`.
pub fn from_json_map(src: &str) -> Value {
    let m = Value::empty_map();
    match serde_json::from_str::<serde_json::Value>(src) {
        Ok(j @ serde_json::Value::Object(_)) => return Value::from_json(&j),
        Ok(serde_json::Value::Null) => {}
        Ok(j) => m.as_map().unwrap().insert(
            "Error",
            Value::string(format!(
                "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                json_kind(&j)
            )),
        ),
        Err(e) => m
            .as_map()
            .unwrap()
            .insert("Error", Value::string(go_json_error(src, &e))),
    }
    m
}

/// Helm's `fromJsonArray`: the error text as the only element on failure.
pub fn from_json_array(src: &str) -> Value {
    match serde_json::from_str::<serde_json::Value>(src) {
        Ok(j @ serde_json::Value::Array(_)) => Value::from_json(&j),
        Ok(serde_json::Value::Null) => Value::list(vec![]),
        Ok(j) => Value::list(vec![Value::string(format!(
            "json: cannot unmarshal {} into Go value of type []interface {{}}",
            json_kind(&j)
        ))]),
        Err(e) => Value::list(vec![Value::string(go_json_error(src, &e))]),
    }
}

#[allow(dead_code)]
fn unused(_: &mut CallCtx<'_>) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_json_bytes() {
        let v = Value::list(vec![
            Value::string("<a&b>\u{2028}\u{8}\u{c}\u{1}"),
            Value::float(1.5),
            Value::float(1e21),
            Value::float(1e-7),
            Value::int(3),
        ]);
        assert_eq!(
            marshal(&v, true, None).unwrap(),
            r#"["\u003ca\u0026b\u003e\u2028\b\f\u0001",1.5,1e+21,1e-7,3]"#
        );
        assert!(marshal(&Value::float(f64::NAN), true, None).is_err());
        let m = from_json_map(r#"{"b": [1, {"c": null}], "a": "x"}"#);
        assert_eq!(
            marshal(&m, true, Some("  ")).unwrap(),
            "{\n  \"a\": \"x\",\n  \"b\": [\n    1,\n    {\n      \"c\": null\n    }\n  ]\n}"
        );
    }
}
