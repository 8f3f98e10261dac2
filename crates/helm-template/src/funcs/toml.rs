//! Helm's toToml / fromToml (BurntSushi/toml: v1.4.0 in Helm 3, v1.6.0 in Helm 4). The
//! writer is ours: BurntSushi's layout (direct keys first, then `[tables]` indented by
//! depth, `[[arrays of tables]]`, blank lines between top-level tables) and its float
//! spelling, which changed between the two versions, are what templates print. Parsing goes
//! through the `toml` crate.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::util::*;
use crate::func::{HelmVersion, Registry, Sig, Ty};
use crate::value::{Data, Value};

#[allow(unused_imports)]
use Ty::{Any, Bool, Float64, Int, MapAny, String as Str};

pub fn register(r: &mut Registry) {
    r.insert("toToml", Sig::new(&[Any]), |c, a| {
        let v4 = c.helm_version() == HelmVersion::V4;
        if a[0].is_nil() {
            // BurntSushi panics on a nil interface; text/template reports the panic.
            return err("reflect: call of reflect.Value.Type on zero Value");
        }
        // Helm returns the encoder's error text as the result.
        string(match to_toml(&a[0], v4) {
            Ok(s) | Err(s) => s,
        })
    });
    r.insert("fromToml", Sig::new(&[Str]), |c, a| {
        Ok(from_toml_for(s(&a[0]), c.helm_version()))
    });
}

struct Enc {
    out: String,
    v4: bool,
}

fn is_table(v: &Value) -> bool {
    matches!(v.data, Data::Map(_))
        || matches!(&v.data, Data::Object(o) if o.to_plain().is_some_and(|p| p.as_map().is_some()))
}

fn plain(v: &Value) -> Value {
    match &v.data {
        Data::Object(o) => o.to_plain().unwrap_or_default(),
        _ => v.clone(),
    }
}

fn is_array_of_tables(v: &Value) -> bool {
    match &v.data {
        Data::List(l) => !l.items.is_empty() && l.items.iter().all(|x| is_table(&plain(x))),
        _ => false,
    }
}

fn bare(k: &str) -> bool {
    !k.is_empty()
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn quote(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\u{8}' => o.push_str("\\b"),
            '\t' => o.push_str("\\t"),
            '\n' => o.push_str("\\n"),
            '\u{c}' => o.push_str("\\f"),
            '\r' => o.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                o.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn key_part(k: &str) -> String {
    if bare(k) {
        k.to_string()
    } else {
        quote(k)
    }
}

impl Enc {
    fn newline(&mut self) {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
    }

    fn indent(key: &[String]) -> String {
        "  ".repeat(key.len().saturating_sub(1))
    }

    fn header(key: &[String]) -> String {
        key.iter()
            .map(|k| key_part(k))
            .collect::<Vec<_>>()
            .join(".")
    }

    fn float(&self, f: f64) -> String {
        if f.is_nan() {
            return "nan".into();
        }
        if f.is_infinite() {
            return if f > 0.0 { "inf".into() } else { "-inf".into() };
        }
        let s = if self.v4 {
            super::gofloat::format_g(f)
        } else {
            super::gofloat::format_f(f)
        };
        if s.contains('.') || s.contains('e') {
            s
        } else {
            format!("{s}.0")
        }
    }

    fn element(&self, v: &Value) -> Result<String, String> {
        let v = plain(v);
        Ok(match &v.data {
            Data::Bool(b) => b.to_string(),
            Data::Int(i) | Data::Int64(i) => i.to_string(),
            Data::Float(f) => self.float(*f),
            Data::Str(s) => quote(s),
            Data::RawStr(r) => quote(&r.text),
            Data::Bytes(b) => quote(&String::from_utf8_lossy(b)),
            Data::List(l) => {
                if l.items.iter().any(|x| x.is_nil()) {
                    return Err("toml: cannot encode array with nil element".into());
                }
                let items: Vec<String> = l
                    .items
                    .iter()
                    .map(|x| self.element(x))
                    .collect::<Result<_, _>>()?;
                format!("[{}]", items.join(", "))
            }
            Data::Map(m) => {
                let entries = entries(m);
                let parts: Vec<String> = entries
                    .iter()
                    .filter(|(_, x)| !x.is_nil())
                    .map(|(k, x)| Ok(format!("{} = {}", key_part(k), self.element(x)?)))
                    .collect::<Result<_, String>>()?;
                format!("{{{}}}", parts.join(", "))
            }
            Data::Nil => return Err("toml: cannot encode a nil value".into()),
            Data::Object(_) => "{}".into(),
        })
    }

    fn map_body(&mut self, key: &[String], v: &Value) -> Result<(), String> {
        let Some(m) = v.as_map() else { return Ok(()) };
        let entries = entries(m);
        let (mut direct, mut sub) = (vec![], vec![]);
        for (k, x) in entries {
            let x = plain(&x);
            if x.is_nil() {
                continue;
            }
            if is_table(&x) || is_array_of_tables(&x) {
                sub.push((k, x));
            } else {
                direct.push((k, x));
            }
        }
        for (k, x) in direct.into_iter().chain(sub) {
            let mut kk = key.to_vec();
            kk.push(k.to_string());
            self.encode(&kk, &x)?;
        }
        Ok(())
    }

    fn encode(&mut self, key: &[String], v: &Value) -> Result<(), String> {
        if is_array_of_tables(v) {
            for item in &v.as_list().unwrap().items {
                let item = plain(item);
                self.newline();
                self.out
                    .push_str(&format!("{}[[{}]]", Self::indent(key), Self::header(key)));
                self.newline();
                self.map_body(key, &item)?;
            }
        } else if is_table(v) {
            if key.len() == 1 {
                self.newline();
            }
            if !key.is_empty() {
                self.out
                    .push_str(&format!("{}[{}]", Self::indent(key), Self::header(key)));
                self.newline();
            }
            self.map_body(key, v)?;
        } else {
            let k = key.last().map(|k| key_part(k)).unwrap_or_default();
            let e = self.element(v)?;
            self.out
                .push_str(&format!("{}{} = {}", Self::indent(key), k, e));
            self.newline();
        }
        Ok(())
    }
}

/// BurntSushi's `Encoder.Encode` of a template value.
pub fn to_toml(v: &Value, v4: bool) -> Result<String, String> {
    let v = plain(v);
    if v.is_nil() {
        return Err("toml: cannot encode a nil value".into());
    }
    let mut e = Enc {
        out: String::new(),
        v4,
    };
    if v.as_map().is_none() {
        // BurntSushi writes a lone element for a non-table top level.
        return e.element(&v);
    }
    e.encode(&[], &v)?;
    Ok(e.out)
}

fn from_toml_value(v: &toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::string(s.as_str()),
        toml::Value::Integer(i) => Value::int64(*i),
        toml::Value::Float(f) => Value::float(*f),
        toml::Value::Boolean(b) => Value::bool(*b),
        toml::Value::Datetime(d) => Value::string(d.to_string()),
        toml::Value::Array(a) => Value::list(a.iter().map(from_toml_value).collect()),
        toml::Value::Table(t) => Value::map(
            t.iter()
                .map(|(k, v)| (Rc::from(k.as_str()), from_toml_value(v)))
                .collect::<BTreeMap<_, _>>(),
        ),
    }
}

/// Helm's `fromToml`: a map; a parse error goes into "Error", worded as the given Helm major's BurntSushi/toml reports errors.
pub fn from_toml_for(src: &str, helm: HelmVersion) -> Value {
    match src.parse::<toml::Table>() {
        Ok(t) => from_toml_value(&toml::Value::Table(t)),
        Err(e) => {
            let m = Value::empty_map();
            m.as_map()
                .unwrap()
                .insert("Error", Value::string(burntsushi_error(src, &e, helm)));
            m
        }
    }
}

/// BurntSushi's `ParseError.Error()`: `toml: line N (last key "k"): message`. The line is
/// where the toml crate stopped; the last key is the last `key =` before it. A value missing
/// at the end of the input is worded as BurntSushi's lexer words it ("unexpected EOF;
/// expected value"), and there v1.4.0 (Helm 3) reports the line before the last one (line 0
/// for a one-line input), v1.6.0 (Helm 4) the last line. Other errors keep the toml crate's
/// message in BurntSushi's frame.
fn burntsushi_error(src: &str, e: &toml::de::Error, helm: HelmVersion) -> String {
    let at = e
        .span()
        .map(|r| r.start)
        .unwrap_or(src.len())
        .min(src.len());
    let before = &src[..at];
    let last_key = before
        .lines()
        .rev()
        .find_map(|l| {
            let l = l.trim();
            let (k, _) = l.split_once('=')?;
            let k = k.trim().trim_matches(['"', '\'']);
            (!k.is_empty() && !l.starts_with('#') && !l.starts_with('[')).then(|| k.to_string())
        })
        .unwrap_or_default();
    let at_eof = src[at..].trim().is_empty();
    let value_missing = at_eof && before.trim_end().ends_with('=');
    let (line, msg) = if value_missing {
        let newlines = src.matches('\n').count();
        let line = match helm {
            HelmVersion::V3 => newlines,
            HelmVersion::V4 => newlines + 1,
        };
        (line, "unexpected EOF; expected value".to_string())
    } else {
        (
            before.matches('\n').count() + 1,
            e.message().trim().replace('\n', "; "),
        )
    };
    if last_key.is_empty() {
        format!("toml: line {line}: {msg}")
    } else {
        format!(
            "toml: line {line} (last key {}): {msg}",
            crate::gofmt::quote(&last_key)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burntsushi_layout() {
        let v = super::super::yaml::from_yaml_str(
            "f: 1000000.0\ng: 12345678901.0\ni: 3\ns: 'x\"y'\nl: [1, 2]\nm: {a: 1, q: {z: true}}\nt: [{a: 1}, {b: 2}]\nk y: 1\n",
        )
        .unwrap();
        // Values from YAML are float64, so i and l print as floats here.
        assert_eq!(
            to_toml(&v, false).unwrap(),
            "f = 1000000.0\ng = 12345678901.0\ni = 3.0\n\"k y\" = 1.0\nl = [1.0, 2.0]\ns = \"x\\\"y\"\n\n[m]\n  a = 1.0\n  [m.q]\n    z = true\n\n[[t]]\n  a = 1.0\n\n[[t]]\n  b = 2.0\n"
        );
        assert!(to_toml(&v, true)
            .unwrap()
            .starts_with("f = 1e+06\ng = 1.2345678901e+10\ni = 3.0\n"));
        let back = from_toml_for("a = 1\n[b]\nc = 'x'\n", HelmVersion::V4);
        assert_eq!(
            back.as_map().unwrap().get("a").unwrap().type_name(),
            "int64"
        );
    }
}
