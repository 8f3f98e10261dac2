//! Sprig's encodings (b64enc/b64dec/b32enc/b32dec), Go's `path` functions (base, dir,
//! clean, ext, isAbs and the `os*` filepath forms, identical on Linux) and url.go
//! (urlParse, urlJoin).

use std::collections::BTreeMap;
use std::rc::Rc;

use base64::Engine as _;

use super::util::*;
use crate::func::{CallCtx, Registry, Sig, Ty};

use crate::value::Value;

#[allow(unused_imports)]
use Ty::{Any, Bool, Float64, Int, MapAny, String as Str};

pub fn register(r: &mut Registry) {
    r.insert("b64enc", Sig::new(&[Str]), |_, a| {
        string(
            base64::engine::general_purpose::STANDARD.encode(a[0].str_bytes().unwrap_or_default()),
        )
    });
    r.insert("b64dec", Sig::new(&[Str]), |_, a| {
        Ok(Value::go_string(b64dec_bytes(s(&a[0]))))
    });
    r.insert("b32enc", Sig::new(&[Str]), |_, a| {
        string(data_encoding::BASE32.encode(a[0].str_bytes().unwrap_or_default()))
    });
    r.insert("b32dec", Sig::new(&[Str]), |_, a| {
        Ok(Value::go_string(b32dec(s(&a[0]))))
    });
    for n in ["base", "osBase"] {
        r.insert(n, Sig::new(&[Str]), |_, a| string(base(s(&a[0]))));
    }
    for n in ["dir", "osDir"] {
        r.insert(n, Sig::new(&[Str]), |_, a| string(dir(s(&a[0]))));
    }
    for n in ["clean", "osClean"] {
        r.insert(n, Sig::new(&[Str]), |_, a| string(clean(s(&a[0]))));
    }
    for n in ["ext", "osExt"] {
        r.insert(n, Sig::new(&[Str]), |_, a| string(ext(s(&a[0]))));
    }
    for n in ["isAbs", "osIsAbs"] {
        r.insert(n, Sig::new(&[Str]), |_, a| {
            Ok(Value::bool(s(&a[0]).starts_with('/')))
        });
    }
    r.insert("urlParse", Sig::new(&[Str]), url_parse);
    r.insert("urlJoin", Sig::new(&[MapAny]), url_join);
}

/// Go's base64 decoding error text (`illegal base64 data at input byte N`) is what Sprig
/// returns on bad input.
/// Sprig's `b64dec` as Go bytes (the error text when the input is bad).
fn b64dec_bytes(x: &str) -> Vec<u8> {
    go_b64_decode(x).unwrap_or_else(|e| e.into_bytes())
}

#[cfg(test)]
fn b64dec(x: &str) -> String {
    match go_b64_decode(x) {
        Ok(v) => String::from_utf8_lossy(&v).into_owned(),
        Err(e) => e,
    }
}

/// Go's `base64.StdEncoding.DecodeString`: our own loop because Go's leniency (non-zero
/// trailing bits accepted, \r and \n skipped anywhere) and its error offsets
/// (`illegal base64 data at input byte N`) are what templates see; the base64 crate is
/// stricter and counts differently.
pub fn go_b64_decode(x: &str) -> Result<Vec<u8>, String> {
    let src = x.as_bytes();
    let bad = |n: usize| format!("illegal base64 data at input byte {n}");
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(src.len() / 4 * 3);
    let mut si = 0;
    loop {
        let mut buf = [0u32; 4];
        let mut j = 0;
        let mut dlen = 4;
        let mut done = false;
        while j < 4 {
            if si == src.len() {
                if j == 0 {
                    return Ok(out);
                }
                return Err(bad(si - j));
            }
            let c = src[si];
            si += 1;
            if let Some(v) = val(c) {
                buf[j] = v;
                j += 1;
                continue;
            }
            if c == b'\n' || c == b'\r' {
                continue;
            }
            if c != b'=' {
                return Err(bad(si - 1));
            }
            // Padding: only after two or three symbols.
            match j {
                0 | 1 => return Err(bad(si - 1)),
                2 => {
                    while si < src.len() && (src[si] == b'\n' || src[si] == b'\r') {
                        si += 1;
                    }
                    if si == src.len() {
                        return Err(bad(src.len()));
                    }
                    if src[si] != b'=' {
                        return Err(bad(si - 1));
                    }
                    si += 1;
                }
                _ => {}
            }
            while si < src.len() && (src[si] == b'\n' || src[si] == b'\r') {
                si += 1;
            }
            if si < src.len() {
                return Err(bad(si));
            }
            dlen = j;
            done = true;
            break;
        }
        let n = buf[0] << 18 | buf[1] << 12 | buf[2] << 6 | buf[3];
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..dlen - 1]);
        if done {
            return Ok(out);
        }
    }
}

fn b32dec(x: &str) -> Vec<u8> {
    let clean: Vec<u8> = x.bytes().filter(|&c| c != b'\r' && c != b'\n').collect();
    match data_encoding::BASE32.decode(&clean) {
        Ok(v) => v,
        Err(e) => format!("illegal base32 data at input byte {}", e.position).into_bytes(),
    }
}

/// Go's `path.Clean`.
pub fn clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut out: Vec<&str> = vec![];
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|l| *l != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            x => out.push(x),
        }
    }
    let joined = out.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

/// Go's `path.Base`.
pub fn base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return "/".into();
    }
    t.rsplit('/').next().unwrap_or(t).to_string()
}

/// Go's `path.Dir`.
pub fn dir(p: &str) -> String {
    let i = p.rfind('/').map(|i| i + 1).unwrap_or(0);
    clean(&p[..i])
}

/// Go's `path.Ext`.
pub fn ext(p: &str) -> String {
    for (i, c) in p.char_indices().rev() {
        if c == '/' {
            break;
        }
        if c == '.' {
            return p[i..].to_string();
        }
    }
    String::new()
}

/// Sprig `urlParse`: Go's `url.Parse` split into a dict.
fn url_parse(_: &mut CallCtx<'_>, a: Vec<Value>) -> R {
    let raw = s(&a[0]);
    let u = parse_url(raw)
        .map_err(|e| crate::func::FuncError::new(format!("unable to parse url: {e}")))?;
    let mut m: BTreeMap<Rc<str>, Value> = BTreeMap::new();
    m.insert("scheme".into(), Value::string(u.scheme.as_str()));
    m.insert("host".into(), Value::string(u.host.as_str()));
    let hostname = hostname(&u.host);
    m.insert("hostname".into(), Value::string(hostname));
    m.insert("path".into(), Value::string(u.path.as_str()));
    m.insert("query".into(), Value::string(u.query.as_str()));
    m.insert("opaque".into(), Value::string(u.opaque.as_str()));
    m.insert("fragment".into(), Value::string(u.fragment.as_str()));
    m.insert("userinfo".into(), Value::string(u.userinfo.as_str()));
    Ok(Value::map(m))
}

fn hostname(host: &str) -> String {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or("").to_string();
    }
    match host.rfind(':') {
        Some(i) if host[i + 1..].bytes().all(|b| b.is_ascii_digit()) => host[..i].to_string(),
        _ => host.to_string(),
    }
}

#[derive(Default, Debug)]
struct Url {
    scheme: String,
    opaque: String,
    userinfo: String,
    host: String,
    path: String,
    query: String,
    fragment: String,
}

/// Percent-decoding as Go's `unescape(s, encodePath)`; invalid escapes are errors.
fn unescape(x: &str) -> Result<String, String> {
    let b = x.as_bytes();
    let mut out = vec![];
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let h = x
                .get(i + 1..i + 3)
                .ok_or_else(|| format!("invalid URL escape {:?}", &x[i..]))?;
            let v = u8::from_str_radix(h, 16)
                .map_err(|_| format!("invalid URL escape {:?}", &x[i..i + 3]))?;
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// A subset of Go's `url.Parse` sufficient for Sprig's fields (the raw query and fragment
/// text, the decoded path, the userinfo as printed by `Userinfo.String`).
fn parse_url(raw: &str) -> Result<Url, String> {
    let mut u = Url::default();
    let (rest, frag) = match raw.split_once('#') {
        Some((a, b)) => (a, Some(b)),
        None => (raw, None),
    };
    if let Some(f) = frag {
        u.fragment = unescape(f).map_err(|e| format!("parse {raw:?}: {e}"))?;
    }
    let mut rest = rest.to_string();
    // scheme
    if let Some(i) = rest.find(':') {
        let sch = &rest[..i];
        let valid = !sch.is_empty()
            && sch.as_bytes()[0].is_ascii_alphabetic()
            && sch
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'));
        if valid {
            u.scheme = sch.to_ascii_lowercase();
            rest = rest[i + 1..].to_string();
        } else if i == 0 {
            return Err(format!("parse {raw:?}: missing protocol scheme"));
        }
    }
    if let Some((a, q)) = rest.clone().split_once('?') {
        u.query = q.to_string();
        rest = a.to_string();
    }
    if !rest.starts_with('/') && !u.scheme.is_empty() {
        u.opaque = rest;
        return Ok(u);
    }
    if let Some(auth_rest) = rest.strip_prefix("//") {
        let (auth, path) = match auth_rest.find('/') {
            Some(i) => (&auth_rest[..i], &auth_rest[i..]),
            None => (auth_rest, ""),
        };
        let (userinfo, host) = match auth.rfind('@') {
            Some(i) => (Some(&auth[..i]), &auth[i + 1..]),
            None => (None, auth),
        };
        if let Some(ui) = userinfo {
            let (user, pass) = match ui.split_once(':') {
                Some((a, b)) => (unescape(a)?, Some(unescape(b)?)),
                None => (unescape(ui)?, None),
            };
            u.userinfo = match pass {
                Some(p) => format!("{}:{}", escape_userinfo(&user), escape_userinfo(&p)),
                None => escape_userinfo(&user),
            };
        }
        u.host = unescape(host)?;
        u.path = unescape(path)?;
    } else {
        u.path = unescape(&rest)?;
    }
    Ok(u)
}

fn escape_userinfo(x: &str) -> String {
    percent_escape(x, b"-_.~$&'()*+,;=")
}

/// Go's `url.URL.String()` path escaping (`escape(path, encodePath)`).
fn escape_path(x: &str) -> String {
    percent_escape(x, b"-_.~$&+,/:;=@")
}

/// Percent-encodes every byte that is neither alphanumeric nor in `keep`.
fn percent_escape(x: &str, keep: &[u8]) -> String {
    let mut out = String::new();
    for &c in x.as_bytes() {
        if c.is_ascii_alphanumeric() || keep.contains(&c) {
            out.push(c as char);
        } else {
            out.push_str(&format!("%{c:02X}"));
        }
    }
    out
}

/// Sprig `urlJoin`: builds a `url.URL` from the dict and prints it.
fn url_join(_: &mut CallCtx<'_>, a: Vec<Value>) -> R {
    let m = a[0].as_map().cloned().unwrap_or_default();
    let get = |k: &str| m.get(k).map(|v| strval(&v)).unwrap_or_default();
    let (scheme, host, path, query, opaque, fragment, userinfo) = (
        get("scheme"),
        get("host"),
        get("path"),
        get("query"),
        get("opaque"),
        get("fragment"),
        get("userinfo"),
    );
    let mut out = String::new();
    if !scheme.is_empty() {
        out.push_str(&scheme);
        out.push(':');
    }
    if !opaque.is_empty() {
        out.push_str(&opaque);
    } else {
        if !scheme.is_empty() || !host.is_empty() || !userinfo.is_empty() {
            if !host.is_empty() || !path.is_empty() || !userinfo.is_empty() {
                out.push_str("//");
            }
            if !userinfo.is_empty() {
                let ui = match userinfo.split_once(':') {
                    Some((u, p)) => format!("{}:{}", escape_userinfo(u), escape_userinfo(p)),
                    None => escape_userinfo(&userinfo),
                };
                out.push_str(&ui);
                out.push('@');
            }
            out.push_str(&host);
        }
        if !path.is_empty() && !path.starts_with('/') && !host.is_empty() {
            out.push('/');
        }
        out.push_str(&escape_path(&path));
    }
    if !query.is_empty() {
        out.push('?');
        out.push_str(&query);
    }
    if !fragment.is_empty() {
        out.push('#');
        out.push_str(&escape_path(&fragment));
    }
    string(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(clean("a//b/../c/."), "a/c");
        assert_eq!(clean("/../x"), "/x");
        assert_eq!(base("/a/b/"), "b");
        assert_eq!(dir("/a/b/c"), "/a/b");
        assert_eq!(dir("x"), ".");
        assert_eq!(ext("a/b.tar.gz"), ".gz");
    }

    #[test]
    fn decoding() {
        assert_eq!(b64dec("aGVsbG8="), "hello");
        assert_eq!(b64dec("a!"), "illegal base64 data at input byte 1");
        // Offsets as Go's decoder reports them (checked with Helm).
        assert_eq!(b64dec("YWJ"), "illegal base64 data at input byte 0");
        assert_eq!(b64dec("YQ="), "illegal base64 data at input byte 3");
        assert_eq!(b64dec("YWJjZA==x"), "illegal base64 data at input byte 8");
        assert_eq!(b64dec("YWJj\nZA=="), "abcd");
        assert_eq!(b64dec("YR=="), "a");
        let u = parse_url("https://user:pw@example.com:8080/a%20b?x=1#frag").unwrap();
        assert_eq!(u.host, "example.com:8080");
        assert_eq!(u.path, "/a b");
        assert_eq!(u.userinfo, "user:pw");
    }
}
