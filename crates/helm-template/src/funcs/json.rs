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
    r.insert("toJson", Sig::new(&[Any]), |_, a| {
        string(marshal(&a[0], true, None).unwrap_or_default())
    });
    match version {
        // Sprig's mustToJson returns the error.
        HelmVersion::V3 => r.insert("mustToJson", Sig::new(&[Any]), |_, a| {
            string(marshal(&a[0], true, None).map_err(FuncError::new)?)
        }),
        // Helm 4's own mustToJson panics; text/template reports the panic the same way.
        HelmVersion::V4 => r.insert("mustToJson", Sig::new(&[Any]), |_, a| {
            string(marshal(&a[0], true, None).map_err(FuncError::new)?)
        }),
    }
    r.insert("toPrettyJson", Sig::new(&[Any]), |_, a| {
        string(marshal(&a[0], true, Some("  ")).unwrap_or_default())
    });
    r.insert("mustToPrettyJson", Sig::new(&[Any]), |_, a| {
        string(marshal(&a[0], true, Some("  ")).map_err(FuncError::new)?)
    });
    r.insert("toRawJson", Sig::new(&[Any]), |_, a| {
        string(marshal(&a[0], false, None).unwrap_or_default())
    });
    r.insert("mustToRawJson", Sig::new(&[Any]), |_, a| {
        string(marshal(&a[0], false, None).map_err(FuncError::new)?)
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
    let mut out = String::new();
    write_value(&mut out, v, escape_html, indent, 0, 0)?;
    Ok(out)
}

fn newline(out: &mut String, indent: Option<&str>, level: usize) {
    if let Some(ind) = indent {
        out.push('\n');
        for _ in 0..level {
            out.push_str(ind);
        }
    }
}

fn write_value(
    out: &mut String,
    v: &Value,
    esc: bool,
    indent: Option<&str>,
    level: usize,
    depth: usize,
) -> Result<(), String> {
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
        Data::Bytes(b) => quote_into(out, &crate::gofmt::base64_std(b), esc),
        Data::List(l) => {
            if l.items.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (k, x) in l.items.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                newline(out, indent, level + 1);
                write_value(out, x, esc, indent, level + 1, depth + 1)?;
            }
            newline(out, indent, level);
            out.push(']');
        }
        Data::Map(m) => {
            let entries: Vec<_> = m
                .borrow()
                .entries
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if entries.is_empty() {
                out.push_str("{}");
                return Ok(());
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
                write_value(out, x, esc, indent, level + 1, depth + 1)?;
            }
            newline(out, indent, level);
            out.push('}');
        }
        Data::Object(o) => match o.to_plain() {
            Some(p) => write_value(out, &p, esc, indent, level, depth + 1)?,
            None => out.push_str("{}"),
        },
    }
    Ok(())
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

/// A Go-like message for a JSON syntax error (`encoding/json`'s wording).
fn go_json_error(src: &str, e: &serde_json::Error) -> String {
    if e.is_eof() {
        return "unexpected end of JSON input".into();
    }
    // Find the byte serde stopped at (line/column, 1-based column).
    let mut off = 0usize;
    for (n, line) in src.split_inclusive('\n').enumerate() {
        if n + 1 == e.line() {
            off += e.column().saturating_sub(1).min(line.len());
            break;
        }
        off += line.len();
    }
    let ch = src[off.min(src.len())..].chars().next();
    match ch {
        Some(c) => {
            let shown = match c {
                '\'' => "'\\''".to_string(),
                c if (c as u32) < 0x20 => format!("'\\x{:02x}'", c as u32),
                c => format!("'{c}'"),
            };
            let ctx = if e.to_string().contains("trailing") {
                "after top-level value"
            } else {
                "looking for beginning of value"
            };
            format!("invalid character {shown} {ctx}")
        }
        None => "unexpected end of JSON input".into(),
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
