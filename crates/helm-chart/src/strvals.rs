//! `--set`, `--set-string`, `--set-file`, `--set-json` and `--set-literal`: a port of Helm's
//! `pkg/strvals` (parser.go, literal_parser.go), error texts included.

use crate::vals::{Map, V};

const MAX_INDEX: i64 = 65536;
const MAX_NESTED_NAME_LEVEL: usize = 30;

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Typed,
    String,
    Json,
    File,
    Literal,
}

enum Err {
    Eof,
    NotList,
    Msg(String),
}

type R<T> = Result<T, Err>;

struct Parser<'a> {
    s: Vec<char>,
    pos: usize,
    mode: Mode,
    read_file: &'a mut dyn FnMut(&str) -> Result<String, String>,
}

fn msg<T>(m: impl Into<String>) -> R<T> {
    Err(Err::Msg(m.into()))
}

fn go_quote(s: &str) -> String {
    helm_template::gofmt::quote(s)
}

/// Parses one `--set`-style argument into `dest`.
pub fn parse_into(
    arg: &str,
    dest: &mut Map,
    kind: SetKind,
    read_file: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Result<(), String> {
    let mode = match kind {
        SetKind::Set => Mode::Typed,
        SetKind::String => Mode::String,
        SetKind::Json => Mode::Json,
        SetKind::File => Mode::File,
        SetKind::Literal => Mode::Literal,
    };
    let mut p = Parser {
        s: arg.chars().collect(),
        pos: 0,
        mode,
        read_file,
    };
    loop {
        let r = if mode == Mode::Literal {
            p.literal_key(dest, 0)
        } else {
            p.key(dest, 0)
        };
        match r {
            Ok(()) => continue,
            Err(Err::Eof) => return Ok(()),
            Err(Err::NotList) => return Err("not a list".into()),
            Err(Err::Msg(m)) => return Err(m),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetKind {
    Set,
    String,
    Json,
    File,
    Literal,
}

fn set(data: &mut Map, key: &str, v: V) {
    if !key.is_empty() {
        data.insert(key.to_string(), v);
    }
}

fn set_index(mut list: Vec<V>, index: i64, v: V) -> R<Vec<V>> {
    if index < 0 {
        return msg(format!("negative {index} index not allowed"));
    }
    if index > MAX_INDEX {
        return msg(format!(
            "index of {index} is greater than maximum supported index of {MAX_INDEX}"
        ));
    }
    let i = index as usize;
    if list.len() <= i {
        list.resize(i + 1, V::Null);
    }
    list[i] = v;
    Ok(list)
}

fn type_name(v: &V) -> &'static str {
    match v {
        V::Null => "nil",
        V::Bool(_) => "bool",
        V::Int(_) => "int64",
        V::Float(_) => "float64",
        V::Str(_) => "string",
        V::List(_) => "[]interface {}",
        V::Map(_) => "map[string]interface {}",
    }
}

impl Parser<'_> {
    fn read(&mut self) -> Option<char> {
        let c = self.s.get(self.pos).copied();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    fn unread(&mut self) {
        self.pos -= 1;
    }

    /// `runesUntil`: text up to a stop rune (backslash escapes the next rune).
    fn until(&mut self, stop: &[char]) -> (String, Option<char>, bool) {
        let mut v = String::new();
        loop {
            match self.read() {
                None => return (v, None, true),
                Some(r) if stop.contains(&r) => return (v, Some(r), false),
                Some('\\') => match self.read() {
                    None => return (v, None, true),
                    Some(n) => v.push(n),
                },
                Some(r) => v.push(r),
            }
        }
    }

    fn typed(&mut self, rs: String) -> R<V> {
        match self.mode {
            Mode::String | Mode::Literal => Ok(V::Str(rs)),
            Mode::File => (self.read_file)(&rs).map(V::Str).map_err(Err::Msg),
            _ => Ok(typed_val(&rs)),
        }
    }

    fn key(&mut self, data: &mut Map, level: usize) -> R<()> {
        let (k, last, eof) = self.until(&['=', '[', ',', '.']);
        if eof {
            if k.is_empty() {
                return Err(Err::Eof);
            }
            return msg(format!("key {} has no value", go_quote(&k)));
        }
        match last {
            Some('[') => {
                let i = self.key_index().map_err(|e| match e {
                    Err::Msg(m) => Err::Msg(format!("error parsing index: {m}")),
                    other => other,
                })?;
                let list = match data.get(&k) {
                    None => Vec::new(),
                    Some(V::List(l)) => l.clone(),
                    Some(other) => {
                        return msg(format!(
                            "unable to parse key: interface conversion: interface {{}} is {}, not []interface {{}}",
                            type_name(other)
                        ))
                    }
                };
                let (list, err) = self.list_item(list, i, level);
                set(data, &k, V::List(list));
                err.map_or(Ok(()), Err)
            }
            Some('=') => {
                if self.mode == Mode::Json {
                    if self.empty_val() {
                        set(data, &k, V::Null);
                        return Ok(());
                    }
                    let v = self.json_value()?;
                    set(data, &k, v);
                    self.empty_val();
                    return Ok(());
                }
                match self.val_list() {
                    Ok(vl) => {
                        set(data, &k, V::List(vl));
                        Ok(())
                    }
                    Err(Err::Eof) => {
                        set(data, &k, V::Str(String::new()));
                        Err(Err::Eof)
                    }
                    Err(Err::NotList) => {
                        let (rs, _, _) = self.until(&[',']);
                        let v = self.typed(rs)?;
                        set(data, &k, v);
                        Ok(())
                    }
                    Err(e) => Err(e),
                }
            }
            Some(',') => {
                set(data, &k, V::Str(String::new()));
                msg(format!(
                    "key {} has no value (cannot end with ,)",
                    go_quote(&k)
                ))
            }
            _ => {
                let level = level + 1;
                if level > MAX_NESTED_NAME_LEVEL {
                    return msg(format!("value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"));
                }
                let mut inner = match data.get(&k) {
                    None => Map::new(),
                    Some(V::Map(m)) => m.clone(),
                    Some(other) => {
                        return msg(format!(
                            "unable to parse key: interface conversion: interface {{}} is {}, not map[string]interface {{}}",
                            type_name(other)
                        ))
                    }
                };
                let e = self.key(&mut inner, level);
                if e.is_ok() && inner.is_empty() {
                    return msg(format!("key map {} has no value", go_quote(&k)));
                }
                if !inner.is_empty() {
                    set(data, &k, V::Map(inner));
                }
                e
            }
        }
    }

    fn key_index(&mut self) -> R<i64> {
        let (v, _, eof) = self.until(&[']']);
        if eof {
            return Err(Err::Eof);
        }
        v.parse::<i64>().or_else(|_| {
            msg(format!(
                "strconv.Atoi: parsing {}: invalid syntax",
                go_quote(&v)
            ))
        })
    }

    fn list_item(&mut self, list: Vec<V>, i: i64, level: usize) -> (Vec<V>, Option<Err>) {
        if i < 0 {
            return (
                list,
                Some(Err::Msg(format!("negative {i} index not allowed"))),
            );
        }
        let (k, last, eof) = self.until(&['[', '.', '=']);
        if !k.is_empty() {
            return (
                list,
                Some(Err::Msg(format!(
                    "unexpected data at end of array index: {}",
                    go_quote(&k)
                ))),
            );
        }
        if eof {
            return (list, Some(Err::Eof));
        }
        let done = |r: R<Vec<V>>, old: Vec<V>| match r {
            Ok(l) => (l, None),
            Err(e) => (old, Some(e)),
        };
        match last {
            Some('=') => {
                if self.mode == Mode::Json {
                    if self.empty_val() {
                        return done(set_index(list.clone(), i, V::Null), list);
                    }
                    let v = match self.json_value() {
                        Ok(v) => v,
                        Err(e) => return (list, Some(e)),
                    };
                    let r = set_index(list.clone(), i, v);
                    self.empty_val();
                    return done(r, list);
                }
                match self.val_list() {
                    Ok(vl) => done(set_index(list.clone(), i, V::List(vl)), list),
                    Err(Err::Eof) => done(set_index(list.clone(), i, V::Str(String::new())), list),
                    Err(Err::NotList) => {
                        let (rs, _, _) = self.until(&[',']);
                        match self.typed(rs) {
                            Ok(v) => done(set_index(list.clone(), i, v), list),
                            Err(e) => (list, Some(e)),
                        }
                    }
                    Err(e) => (list, Some(e)),
                }
            }
            Some('[') => {
                let next = match self.key_index() {
                    Ok(n) => n,
                    Err(Err::Msg(m)) => {
                        return (list, Some(Err::Msg(format!("error parsing index: {m}"))))
                    }
                    Err(e) => return (list, Some(e)),
                };
                let crt = match list.get(i as usize) {
                    Some(V::List(l)) => l.clone(),
                    _ => Vec::new(),
                };
                let (l2, err) = self.list_item(crt, next, level);
                if let Some(e) = err {
                    return (list, Some(e));
                }
                done(set_index(list.clone(), i, V::List(l2)), list)
            }
            Some('.') => {
                let mut inner = match list.get(i as usize) {
                    Some(V::Map(m)) => m.clone(),
                    _ => Map::new(),
                };
                if let Err(e) = self.key(&mut inner, level) {
                    return (list, Some(e));
                }
                done(set_index(list.clone(), i, V::Map(inner)), list)
            }
            other => (
                Vec::new(),
                Some(Err::Msg(format!(
                    "parse error: unexpected token {}",
                    other.map(|c| c as i64).unwrap_or(0)
                ))),
            ),
        }
    }

    /// Skips blanks; true at the end or at a `,` (consumed).
    fn empty_val(&mut self) -> bool {
        loop {
            match self.read() {
                None | Some(',') => return true,
                Some(c) if c.is_whitespace() => continue,
                Some(_) => {
                    self.unread();
                    return false;
                }
            }
        }
    }

    /// One JSON value at the cursor (Go's json.Decoder: the first value, then the cursor
    /// after it).
    fn json_value(&mut self) -> R<V> {
        let rest: String = self.s[self.pos..].iter().collect();
        let mut it = serde_json::Deserializer::from_str(&rest).into_iter::<serde_json::Value>();
        match it.next() {
            Some(Ok(v)) => {
                let used = rest[..it.byte_offset()].chars().count();
                self.pos += used;
                Ok(V::from_json(&v))
            }
            Some(Err(e)) => msg(e.to_string()),
            None => msg("unexpected end of JSON input"),
        }
    }

    fn val_list(&mut self) -> R<Vec<V>> {
        match self.read() {
            None => return Err(Err::Eof),
            Some('{') => {}
            Some(_) => {
                self.unread();
                return Err(Err::NotList);
            }
        }
        let mut list = Vec::new();
        loop {
            let (rs, last, eof) = self.until(&[',', '}']);
            if eof {
                return msg("list must terminate with '}'");
            }
            if last == Some('}') {
                match self.read() {
                    Some(',') | None => {}
                    Some(_) => self.unread(),
                }
                list.push(self.typed(rs)?);
                return Ok(list);
            }
            list.push(self.typed(rs)?);
        }
    }

    /// `--set-literal`: keys as `--set`, the value after `=` taken verbatim to the end.
    fn literal_key(&mut self, data: &mut Map, level: usize) -> R<()> {
        let (k, last, eof) = self.until_literal(&['=', '[', '.']);
        if eof {
            if k.is_empty() {
                return Err(Err::Eof);
            }
            return msg(format!("key {} has no value", go_quote(&k)));
        }
        match last {
            Some('=') => {
                let rest: String = self.s[self.pos..].iter().collect();
                self.pos = self.s.len();
                set(data, &k, V::Str(rest));
                Ok(())
            }
            Some('.') => {
                let level = level + 1;
                if level > MAX_NESTED_NAME_LEVEL {
                    return msg(format!("value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"));
                }
                let mut inner = match data.get(&k) {
                    Some(V::Map(m)) => m.clone(),
                    _ => Map::new(),
                };
                let e = self.literal_key(&mut inner, level);
                if e.is_ok() && inner.is_empty() {
                    return msg(format!("key map {} has no value", go_quote(&k)));
                }
                if !inner.is_empty() {
                    set(data, &k, V::Map(inner));
                }
                e
            }
            _ => msg("--set-literal with list indexes is not supported by chartguard's renderer"),
        }
    }

    /// The literal parser's `runesUntil`: no escapes.
    fn until_literal(&mut self, stop: &[char]) -> (String, Option<char>, bool) {
        let mut v = String::new();
        loop {
            match self.read() {
                None => return (v, None, true),
                Some(r) if stop.contains(&r) => return (v, Some(r), false),
                Some(r) => v.push(r),
            }
        }
    }
}

/// `typedVal`: `true`/`false`/`null` in any case, base-10 int64 without a leading zero.
fn typed_val(s: &str) -> V {
    if s.eq_ignore_ascii_case("true") {
        return V::Bool(true);
    }
    if s.eq_ignore_ascii_case("false") {
        return V::Bool(false);
    }
    if s.eq_ignore_ascii_case("null") {
        return V::Null;
    }
    if s == "0" {
        return V::Int(0);
    }
    if !s.is_empty() && !s.starts_with('0') {
        if let Some(i) = go_parse_int(s) {
            return V::Int(i);
        }
    }
    V::Str(s.to_string())
}

/// strconv.ParseInt(s, 10, 64): optional sign, digits only.
fn go_parse_int(s: &str) -> Option<i64> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(arg: &str, kind: SetKind) -> Result<Map, String> {
        let mut m = Map::new();
        parse_into(arg, &mut m, kind, &mut |_| Ok("FILE".into()))?;
        Ok(m)
    }

    #[test]
    fn set_syntax() {
        let m = p(
            "a.b=1,c={x,y},d[1].e=true,f=007,g=null,h=a\\,b",
            SetKind::Set,
        )
        .unwrap();
        assert_eq!(path(&m, "a.b"), V::Int(1));
        assert_eq!(
            m["c"],
            V::List(vec![V::Str("x".into()), V::Str("y".into())])
        );
        let mut e = Map::new();
        e.insert("e".into(), V::Bool(true));
        assert_eq!(m["d"], V::List(vec![V::Null, V::Map(e)]));
        assert_eq!(m["f"], V::Str("007".into()));
        assert_eq!(m["g"], V::Null);
        assert_eq!(m["h"], V::Str("a,b".into()));
        assert_eq!(p("a=1", SetKind::String).unwrap()["a"], V::Str("1".into()));
        assert_eq!(p("a=x", SetKind::File).unwrap()["a"], V::Str("FILE".into()));
        assert_eq!(
            p("a={\"b\": [1]}", SetKind::Json).unwrap()["a"],
            V::Map([("b".to_string(), V::List(vec![V::Float(1.0)]))].into())
        );
        assert_eq!(
            p("a.b=x,y=z", SetKind::Literal).unwrap()["a"],
            V::Map([("b".to_string(), V::Str("x,y=z".into()))].into())
        );
        assert_eq!(p("a", SetKind::Set).unwrap_err(), "key \"a\" has no value");
        assert_eq!(
            p("a,", SetKind::Set).unwrap_err(),
            "key \"a\" has no value (cannot end with ,)"
        );
    }

    fn path(m: &Map, p: &str) -> V {
        crate::vals::path_value(m, p).cloned().unwrap_or(V::Null)
    }
}
