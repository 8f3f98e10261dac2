//! Sprig's string functions (strings.go, goutils, xstrings) and Go's `strings` functions it
//! exposes directly.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::util::*;
use crate::func::{CallCtx, Registry, Sig, Ty};
use crate::value::{Data, Value};

#[allow(unused_imports)]
use Ty::{Any, Bool, Float64, Int, MapAny, String as Str};

pub fn register(r: &mut Registry) {
    r.insert("hello", Sig::new(&[]), |_, _| string("Hello!"));
    r.insert("abbrev", Sig::new(&[Int, Str]), abbrev);
    r.insert("abbrevboth", Sig::new(&[Int, Int, Str]), abbrevboth);
    r.insert("trunc", Sig::new(&[Int, Str]), trunc);
    r.insert("trim", Sig::new(&[Str]), |_, a| {
        string(s(&a[0]).trim_matches(is_go_space))
    });
    // Go maps rune by rune (no final sigma, no ß → SS).
    r.insert("upper", Sig::new(&[Str]), |_, a| {
        string(
            s(&a[0])
                .chars()
                .map(go_upper)
                .collect::<std::string::String>(),
        )
    });
    r.insert("lower", Sig::new(&[Str]), |_, a| {
        string(
            s(&a[0])
                .chars()
                .map(go_lower)
                .collect::<std::string::String>(),
        )
    });
    r.insert("title", Sig::new(&[Str]), |_, a| string(title(s(&a[0]))));
    r.insert("untitle", Sig::new(&[Str]), |_, a| {
        string(untitle(s(&a[0])))
    });
    r.insert("substr", Sig::new(&[Int, Int, Str]), substr);
    r.insert("repeat", Sig::new(&[Int, Str]), repeat);
    r.insert("trimall", Sig::new(&[Str, Str]), trim_all);
    r.insert("trimAll", Sig::new(&[Str, Str]), trim_all);
    r.insert("trimSuffix", Sig::new(&[Str, Str]), |_, a| {
        let (suf, x) = (s(&a[0]), s(&a[1]));
        string(x.strip_suffix(suf).unwrap_or(x))
    });
    r.insert("trimPrefix", Sig::new(&[Str, Str]), |_, a| {
        let (pre, x) = (s(&a[0]), s(&a[1]));
        string(x.strip_prefix(pre).unwrap_or(x))
    });
    r.insert("nospace", Sig::new(&[Str]), |_, a| {
        string(nospace(s(&a[0])))
    });
    r.insert("initials", Sig::new(&[Str]), |_, a| {
        string(initials(s(&a[0])))
    });
    r.insert("randAlphaNum", Sig::new(&[Int]), |c, a| {
        rand_string(c, &a[0], ALNUM)
    });
    r.insert("randAlpha", Sig::new(&[Int]), |c, a| {
        rand_string(c, &a[0], ALPHA)
    });
    r.insert("randAscii", Sig::new(&[Int]), |c, a| {
        rand_string(c, &a[0], ASCII)
    });
    r.insert("randNumeric", Sig::new(&[Int]), |c, a| {
        rand_string(c, &a[0], DIGITS)
    });
    r.insert("swapcase", Sig::new(&[Str]), |_, a| {
        string(swapcase(s(&a[0])))
    });
    r.insert("shuffle", Sig::new(&[Str]), |_, a| {
        string(shuffle(s(&a[0])))
    });
    r.insert("snakecase", Sig::new(&[Str]), |_, a| {
        string(camel_to_lower(s(&a[0]), '_'))
    });
    r.insert("camelcase", Sig::new(&[Str]), |_, a| {
        string(pascal_case(s(&a[0])))
    });
    r.insert("kebabcase", Sig::new(&[Str]), |_, a| {
        string(camel_to_lower(s(&a[0]), '-'))
    });
    r.insert("wrap", Sig::new(&[Int, Str]), |_, a| {
        string(wrap_custom(s(&a[1]), i(&a[0]), "", false))
    });
    r.insert("wrapWith", Sig::new(&[Int, Str, Str]), |_, a| {
        string(wrap_custom(s(&a[2]), i(&a[0]), s(&a[1]), true))
    });
    r.insert("contains", Sig::new(&[Str, Str]), |_, a| {
        Ok(Value::bool(s(&a[1]).contains(s(&a[0]))))
    });
    r.insert("hasPrefix", Sig::new(&[Str, Str]), |_, a| {
        Ok(Value::bool(s(&a[1]).starts_with(s(&a[0]))))
    });
    r.insert("hasSuffix", Sig::new(&[Str, Str]), |_, a| {
        Ok(Value::bool(s(&a[1]).ends_with(s(&a[0]))))
    });
    r.insert("quote", Sig::variadic(&[], Any), quote);
    r.insert("squote", Sig::variadic(&[], Any), squote);
    r.insert("cat", Sig::variadic(&[], Any), cat);
    r.insert("indent", Sig::new(&[Int, Str]), |c, a| indent(c, &a, false));
    r.insert("nindent", Sig::new(&[Int, Str]), |c, a| indent(c, &a, true));
    r.insert("replace", Sig::new(&[Str, Str, Str]), replace);
    r.insert("plural", Sig::new(&[Str, Str, Int]), |_, a| {
        Ok(if i(&a[2]) == 1 {
            a[0].clone()
        } else {
            a[1].clone()
        })
    });
    r.insert("toString", Sig::new(&[Any]), |_, a| string(strval(&a[0])));
    r.insert("toStrings", Sig::new(&[Any]), |_, a| {
        Ok(Value::string_list(strslice(&a[0])))
    });
    r.insert("join", Sig::new(&[Str, Any]), |_, a| {
        string(strslice(&a[1]).join(s(&a[0])))
    });
    r.insert("split", Sig::new(&[Str, Str]), |_, a| {
        let parts = go_split(s(&a[1]), s(&a[0]), -1);
        Ok(indexed_map(parts))
    });
    r.insert("splitn", Sig::new(&[Str, Int, Str]), |_, a| {
        let parts = go_split(s(&a[2]), s(&a[0]), i(&a[1]));
        Ok(indexed_map(parts))
    });
    r.insert("splitList", Sig::new(&[Str, Str]), |_, a| {
        Ok(Value::string_list(go_split(s(&a[1]), s(&a[0]), -1)))
    });
    r.insert("sortAlpha", Sig::new(&[Any]), |_, a| {
        let mut v = strslice(&a[0]);
        v.sort();
        Ok(Value::string_list(v))
    });
}

/// Go's `unicode.IsSpace`.
pub fn is_go_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{85}' | '\u{a0}'
    ) || (!c.is_ascii() && c.is_whitespace())
}

fn pad(c: &mut CallCtx<'_>, n: i64) -> Result<String, crate::func::FuncError> {
    if n < 0 {
        return err("strings: negative Repeat count");
    }
    c.charge(1, n as u64)?;
    Ok(" ".repeat(n as usize))
}

/// `indent`/`nindent`, keeping the argument's provenance spans: each byte moves right by
/// the padding of every line start before it (plus the leading newline for nindent).
fn indent(c: &mut CallCtx<'_>, a: &[Value], newline: bool) -> R {
    let n = i(&a[0]);
    let pad = pad(c, n)?;
    let x = s(&a[1]);
    let lead = usize::from(newline);
    let out = format!(
        "{}{pad}{}",
        if newline { "\n" } else { "" },
        x.replace('\n', &format!("\n{pad}"))
    );
    let v = Value::string(out);
    if a[1].taint.spans().is_none() {
        return Ok(v);
    }
    let starts: Vec<usize> = x.match_indices('\n').map(|(k, _)| k).collect();
    let w = pad.len();
    // Byte p of the input lands after (1 + newlines before p) paddings.
    let shift = |p: usize, end: bool| -> usize {
        let before = if end {
            starts.partition_point(|&k| k < p.saturating_sub(1))
        } else {
            starts.partition_point(|&k| k < p)
        };
        lead + p + w * (1 + before)
    };
    let taint = a[1]
        .taint
        .map_ranges(|r| shift(r.start, false)..shift(r.end, true));
    Ok(v.with_taint(taint))
}

fn abbrev(_: &mut CallCtx<'_>, a: Vec<Value>) -> R {
    let (w, x) = (i(&a[0]), s(&a[1]));
    if w < 4 {
        return Ok(a[1].clone());
    }
    string(abbreviate_full(x, 0, w).unwrap_or_default())
}

fn abbrevboth(_: &mut CallCtx<'_>, a: Vec<Value>) -> R {
    let (l, r, x) = (i(&a[0]), i(&a[1]), s(&a[2]));
    if r < 4 || (l > 0 && r < 7) {
        return Ok(a[2].clone());
    }
    string(abbreviate_full(x, l, r).unwrap_or_default())
}

/// Byte slicing as Go does it; a cut inside a UTF-8 sequence gives replacement characters.
fn bytes_str(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// goutils `AbbreviateFull` (byte offsets, as in Go).
fn abbreviate_full(x: &str, offset: i64, max_width: i64) -> Option<String> {
    let b = x.as_bytes();
    let len = b.len() as i64;
    if x.is_empty() {
        return Some(String::new());
    }
    if max_width < 4 {
        return None;
    }
    if len <= max_width {
        return Some(x.to_string());
    }
    let mut offset = offset.min(len);
    if len - offset < max_width - 3 {
        offset = len - (max_width - 3);
    }
    if offset <= 4 {
        return Some(bytes_str(&b[..(max_width - 3) as usize]) + "...");
    }
    if max_width < 7 {
        return None;
    }
    if offset + max_width - 3 < len {
        let rest = bytes_str(&b[offset as usize..]);
        return Some(format!("...{}", abbreviate_full(&rest, 0, max_width - 3)?));
    }
    Some(format!(
        "...{}",
        bytes_str(&b[(len - (max_width - 3)) as usize..])
    ))
}

fn trunc(_: &mut CallCtx<'_>, a: Vec<Value>) -> R {
    let c = i(&a[0]);
    let b = a[1].str_bytes().unwrap_or_default();
    let len = b.len() as i64;
    if c < 0 && len + c > 0 {
        return Ok(Value::go_string(b[(len + c) as usize..].to_vec()));
    }
    if c >= 0 && len > c {
        return Ok(Value::go_string(b[..c as usize].to_vec()));
    }
    Ok(a[1].clone())
}

fn substr(_: &mut CallCtx<'_>, a: Vec<Value>) -> R {
    let (start, end) = (i(&a[0]), i(&a[1]));
    let b = a[2].str_bytes().unwrap_or_default();
    let len = b.len() as i64;
    let oob = |lo: i64, hi: i64| -> R {
        if hi > len || hi < 0 {
            err(format!(
                "runtime error: slice bounds out of range [:{hi}] with length {len}"
            ))
        } else {
            err(format!(
                "runtime error: slice bounds out of range [{lo}:{hi}]"
            ))
        }
    };
    if start < 0 {
        if end < 0 || end > len {
            return oob(0, end);
        }
        return Ok(Value::go_string(b[..end as usize].to_vec()));
    }
    if end < 0 || end > len {
        if start > len {
            return err(format!(
                "runtime error: slice bounds out of range [{start}:{len}]"
            ));
        }
        return Ok(Value::go_string(b[start as usize..].to_vec()));
    }
    if start > end {
        return oob(start, end);
    }
    Ok(Value::go_string(b[start as usize..end as usize].to_vec()))
}

fn repeat(c: &mut CallCtx<'_>, a: Vec<Value>) -> R {
    let (n, x) = (i(&a[0]), s(&a[1]));
    if n < 0 {
        return err("strings: negative Repeat count");
    }
    let total = (x.len() as u64).saturating_mul(n as u64);
    c.charge(1, total)?;
    string(x.repeat(n as usize))
}

fn trim_all(_: &mut CallCtx<'_>, a: Vec<Value>) -> R {
    let (cut, x) = (s(&a[0]), s(&a[1]));
    string(x.trim_matches(|ch| cut.contains(ch)))
}

/// Go's `strings.Title`: the first letter of each word to title case; word boundaries are
/// Go's `isSeparator`.
pub fn title(x: &str) -> String {
    let is_sep = |c: char| -> bool {
        if c.is_ascii() {
            return !(c.is_ascii_alphanumeric() || c == '_');
        }
        if c.is_alphabetic() || c.is_numeric() {
            return false;
        }
        is_go_space(c)
    };
    let mut prev = ' ';
    let mut out = String::with_capacity(x.len());
    for c in x.chars() {
        if is_sep(prev) {
            out.extend(to_title(c));
        } else {
            out.push(c);
        }
        prev = c;
    }
    out
}

/// Unicode title case; equal to upper case except for a few digraphs.
fn to_title(c: char) -> impl Iterator<Item = char> {
    let t = match c {
        'Ǆ' | 'ǅ' | 'ǆ' => Some('ǅ'),
        'Ǉ' | 'ǈ' | 'ǉ' => Some('ǈ'),
        'Ǌ' | 'ǋ' | 'ǌ' => Some('ǋ'),
        'Ǳ' | 'ǲ' | 'ǳ' => Some('ǲ'),
        _ => None,
    };
    let mut up = c.to_uppercase();
    // Go's ToUpper maps one rune to one rune; keep the first of Rust's expansion only when
    // it is a single rune, else leave the rune unchanged (ß stays ß in Go).
    let single = if up.len() == 1 { up.next() } else { Some(c) };
    t.or(single).into_iter()
}

/// goutils `Uncapitalize` (whitespace delimiters).
fn untitle(x: &str) -> String {
    let mut next = true;
    x.chars()
        .map(|c| {
            if is_go_space(c) {
                next = true;
                c
            } else if next {
                next = false;
                go_lower(c)
            } else {
                c
            }
        })
        .collect()
}

fn go_lower(c: char) -> char {
    let mut l = c.to_lowercase();
    if l.len() == 1 {
        l.next().unwrap_or(c)
    } else {
        c
    }
}

fn go_upper(c: char) -> char {
    let mut u = c.to_uppercase();
    if u.len() == 1 {
        u.next().unwrap_or(c)
    } else {
        c
    }
}

/// goutils `DeleteWhiteSpace`: walks bytes (each byte taken as a Latin-1 rune), so non-ASCII
/// text comes out re-encoded, as in Sprig.
fn nospace(x: &str) -> String {
    let b = x.as_bytes();
    let kept: Vec<char> = b
        .iter()
        .map(|&c| c as char)
        .filter(|&c| !is_go_space(c))
        .collect();
    if kept.len() == b.len() {
        return x.to_string();
    }
    kept.into_iter().collect()
}

/// goutils `Initials`: bytes again, first byte of each whitespace-separated word.
fn initials(x: &str) -> String {
    let mut out = String::new();
    let mut gap = true;
    for &c in x.as_bytes() {
        let ch = c as char;
        if is_go_space(ch) {
            gap = true;
        } else if gap {
            out.push(ch);
            gap = false;
        }
    }
    out
}

/// goutils `SwapCase` (word-based: a lower-case letter after whitespace becomes title case).
fn swapcase(x: &str) -> String {
    let mut ws = true;
    x.chars()
        .map(|c| {
            if c.is_uppercase() {
                ws = false;
                go_lower(c)
            } else if c.is_lowercase() {
                if ws {
                    ws = false;
                    to_title(c).next().unwrap_or(c)
                } else {
                    go_upper(c)
                }
            } else {
                ws = is_go_space(c);
                c
            }
        })
        .collect()
}

fn shuffle(x: &str) -> String {
    let mut r: Vec<char> = x.chars().collect();
    for k in (1..r.len()).rev() {
        let j = super::crypto::rand_below((k + 1) as u64) as usize;
        r.swap(k, j);
    }
    r.into_iter().collect()
}

// xstrings (v1.5.0) case conversions ------------------------------------------------------

fn is_connector(c: char) -> bool {
    c == '-' || c == '_' || is_go_space(c)
}

/// xstrings v1.5.0 `ToPascalCase` (Sprig's `camelcase`): leading connectors kept, the
/// first rune and each rune after a connector upper-cased, a single connector between
/// words dropped, runs of connectors shortened by one, a trailing connector kept.
fn pascal_case(x: &str) -> std::string::String {
    let v: Vec<char> = x.chars().collect();
    let mut out = std::string::String::new();
    let mut i = 0;
    let mut r0 = '\0';
    let mut found = false;
    while i < v.len() {
        r0 = v[i];
        i += 1;
        if !is_connector(r0) {
            r0 = go_upper(r0);
            found = true;
            break;
        }
        out.push(r0);
    }
    if i >= v.len() {
        if found {
            out.push(r0);
        }
        return out;
    }
    while i < v.len() {
        let r1 = r0;
        r0 = v[i];
        i += 1;
        if is_connector(r0) && is_connector(r1) {
            out.push(r1);
            continue;
        }
        if is_connector(r1) {
            r0 = go_upper(r0);
        } else {
            out.push(r1);
        }
    }
    out.push(r0);
    out
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Word {
    Invalid,
    Number,
    Upper,
    Alpha,
    Connector,
    Punct,
    Other,
}

fn is_punct(c: char) -> bool {
    c.is_ascii_punctuation() && !matches!(c, '$' | '+' | '<' | '=' | '>' | '^' | '`' | '|' | '~')
        || (!c.is_ascii() && !c.is_alphanumeric() && !c.is_whitespace() && !c.is_control())
            && matches!(c, '\u{a1}' | '\u{a7}' | '\u{ab}' | '\u{b6}' | '\u{b7}' | '\u{bb}' | '\u{bf}' | '\u{2010}'..='\u{2027}' | '\u{3001}'..='\u{3003}')
}

/// xstrings `nextWord`, on chars.
fn next_word(v: &[char]) -> (Word, usize) {
    if v.is_empty() {
        return (Word::Invalid, 0);
    }
    let r = v[0];
    let mut off = 1;
    let is_alpha = |c: char| c.is_alphabetic();
    let wt;
    if is_connector(r) {
        wt = Word::Connector;
        while off < v.len() && is_connector(v[off]) {
            off += 1;
        }
    } else if is_punct(r) {
        wt = Word::Punct;
        while off < v.len() && is_punct(v[off]) {
            off += 1;
        }
    } else if r.is_uppercase() {
        wt = Word::Upper;
        if off < v.len() {
            let r2 = v[off];
            if r2.is_uppercase() {
                let mut o = off + 1;
                while o < v.len() && v[o].is_uppercase() {
                    o += 1;
                }
                if o < v.len() && is_alpha(v[o]) {
                    o -= 1;
                }
                off = o;
            } else if is_alpha(r2) {
                off += 1;
                while off < v.len() && is_alpha(v[off]) && !v[off].is_uppercase() {
                    off += 1;
                }
            }
        }
    } else if is_alpha(r) {
        wt = Word::Alpha;
        while off < v.len() && is_alpha(v[off]) && !v[off].is_uppercase() {
            off += 1;
        }
    } else if r.is_numeric() {
        wt = Word::Number;
        while off < v.len() && v[off].is_numeric() {
            off += 1;
        }
    } else {
        wt = Word::Other;
        while off < v.len() {
            let c = v[off];
            if is_connector(c) || is_alpha(c) || c.is_numeric() || is_punct(c) {
                break;
            }
            off += 1;
        }
    }
    (wt, off)
}

fn to_lower_word(out: &mut String, wt: Word, w: &[char], conn: char) {
    if wt != Word::Upper && wt != Word::Connector {
        out.extend(w);
        return;
    }
    for &c in w {
        if is_connector(c) {
            out.push(conn);
        } else if c.is_uppercase() {
            out.push(go_lower(c));
        } else {
            out.push(c);
        }
    }
}

/// xstrings `camelCaseToLowerCase` (snakecase, kebabcase).
fn camel_to_lower(x: &str, conn: char) -> String {
    let all: Vec<char> = x.chars().collect();
    if all.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    let mut pos = 0;
    let next = |pos: &mut usize| -> (Word, Vec<char>) {
        let (wt, n) = next_word(&all[*pos..]);
        let w = all[*pos..*pos + n].to_vec();
        *pos += n;
        (wt, w)
    };
    let (mut wt, mut word) = next(&mut pos);
    while pos < all.len() {
        if wt != Word::Connector {
            to_lower_word(&mut out, wt, &word, conn);
        }
        let prev = wt;
        let last = word.clone();
        (wt, word) = next(&mut pos);
        match prev {
            Word::Number => {
                while wt == Word::Alpha || wt == Word::Number {
                    to_lower_word(&mut out, wt, &word, conn);
                    (wt, word) = next(&mut pos);
                }
                if wt != Word::Invalid && wt != Word::Punct && wt != Word::Connector {
                    out.push(conn);
                }
            }
            Word::Connector => to_lower_word(&mut out, prev, &last, conn),
            Word::Punct => {}
            _ => {
                if wt != Word::Number {
                    if wt != Word::Connector && wt != Word::Punct {
                        out.push(conn);
                    }
                    continue;
                }
                if pos >= all.len() {
                    continue;
                }
                let last = word.clone();
                (wt, word) = next(&mut pos);
                if wt != Word::Alpha {
                    to_lower_word(&mut out, Word::Number, &last, conn);
                    if wt != Word::Connector && wt != Word::Punct {
                        out.push(conn);
                    }
                    continue;
                }
                out.push(conn);
                to_lower_word(&mut out, Word::Number, &last, conn);
                while wt == Word::Alpha || wt == Word::Number {
                    to_lower_word(&mut out, wt, &word, conn);
                    (wt, word) = next(&mut pos);
                }
                if wt != Word::Invalid && wt != Word::Connector && wt != Word::Punct {
                    out.push(conn);
                }
            }
        }
    }
    to_lower_word(&mut out, wt, &word, conn);
    out
}

/// goutils `WrapCustom` (byte offsets, words split on ' ').
fn wrap_custom(x: &str, width: i64, nl: &str, long_words: bool) -> String {
    if x.is_empty() {
        return String::new();
    }
    let nl = if nl.is_empty() { "\n" } else { nl };
    let width = width.max(1) as usize;
    let b = x.as_bytes();
    let len = b.len();
    let mut off = 0usize;
    let mut out: Vec<u8> = Vec::new();
    while len - off > width {
        if b[off] == b' ' {
            off += 1;
            continue;
        }
        let end = (width + off + 1).min(len);
        let space = b[off..end].iter().rposition(|&c| c == b' ');
        if let Some(sp) = space {
            let sp = sp + off;
            out.extend_from_slice(&b[off..sp]);
            out.extend_from_slice(nl.as_bytes());
            off = sp + 1;
        } else if long_words {
            let end = width + off;
            out.extend_from_slice(&b[off..end]);
            out.extend_from_slice(nl.as_bytes());
            off += width;
        } else {
            let end = width + off;
            match b[end..].iter().position(|&c| c == b' ') {
                None => {
                    out.extend_from_slice(&b[off..]);
                    off = len;
                }
                Some(ix) => {
                    let sp = ix + end;
                    out.extend_from_slice(&b[off..sp]);
                    out.extend_from_slice(nl.as_bytes());
                    off = sp + 1;
                }
            }
        }
    }
    out.extend_from_slice(&b[off..]);
    String::from_utf8_lossy(&out).into_owned()
}

/// Go's `%q` of a string (strconv.Quote): printable runes kept, others escaped.
pub fn go_quote(x: &str) -> String {
    let mut out = String::with_capacity(x.len() + 2);
    out.push('"');
    for c in x.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            '\u{FFFD}' => out.push('\u{FFFD}'),
            c if is_go_printable(c) => out.push(c),
            c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// Go's `strconv.IsPrint` (approximation: Unicode graphic characters plus U+0020).
fn is_go_printable(c: char) -> bool {
    if c.is_ascii() {
        return (' '..='~').contains(&c);
    }
    let u = c as u32;
    !(c.is_control()
        || (0x2028..=0x202E).contains(&u)
        || (0x2060..=0x206F).contains(&u)
        || u == 0xAD
        || u == 0xFEFF
        || (0xFFF9..=0xFFFB).contains(&u)
        || (0xE000..=0xF8FF).contains(&u)
        || (0xF0000..).contains(&u)
        || matches!(u, 0xA0 | 0x1680 | 0x2000..=0x200F | 0x205F | 0x3000))
}

fn quote(_: &mut CallCtx<'_>, a: Vec<Value>) -> R {
    let out: Vec<String> = a
        .iter()
        .filter(|v| !v.is_nil())
        .map(|v| go_quote(&strval(v)))
        .collect();
    string(out.join(" "))
}

fn squote(_: &mut CallCtx<'_>, a: Vec<Value>) -> R {
    let out: Vec<String> = a
        .iter()
        .filter(|v| !v.is_nil())
        .map(|v| format!("'{}'", crate::gofmt::sprint_value(v)))
        .collect();
    string(out.join(" "))
}

fn cat(_: &mut CallCtx<'_>, a: Vec<Value>) -> R {
    let v: Vec<Value> = a.into_iter().filter(|v| !v.is_nil()).collect();
    let fmt = "%v ".repeat(v.len());
    string(crate::gofmt::sprintf(fmt.trim_end(), &v))
}

fn replace(_: &mut CallCtx<'_>, a: Vec<Value>) -> R {
    let (old, new, src) = (s(&a[0]), s(&a[1]), s(&a[2]));
    if old.is_empty() {
        // Go: an empty `old` inserts `new` before every rune and at the end.
        let mut out = String::new();
        for c in src.chars() {
            out.push_str(new);
            out.push(c);
        }
        out.push_str(new);
        return string(out);
    }
    string(src.replace(old, new))
}

/// Go's `strings.SplitN` (n < 0: all; n == 0: none; an empty separator splits runes).
pub fn go_split(x: &str, sep: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return vec![];
    }
    if sep.is_empty() {
        let chars: Vec<String> = x.chars().map(|c| c.to_string()).collect();
        if n > 0 && (chars.len() as i64) > n {
            let mut head: Vec<String> = chars[..(n - 1) as usize].to_vec();
            let rest: String = x.chars().skip((n - 1) as usize).collect();
            head.push(rest);
            return head;
        }
        return chars;
    }
    if n < 0 {
        x.split(sep).map(str::to_string).collect()
    } else {
        x.splitn(n as usize, sep).map(str::to_string).collect()
    }
}

fn indexed_map(parts: Vec<String>) -> Value {
    let m: BTreeMap<Rc<str>, Value> = parts
        .into_iter()
        .enumerate()
        .map(|(k, v)| (Rc::from(format!("_{k}")), Value::string(v)))
        .collect();
    string_map(m)
}

const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const ALPHA: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const DIGITS: &str = "0123456789";
const ASCII: &str = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";

/// goutils `CryptoRandom*`: `n` characters from crypto randomness. A negative count is
/// goutils' error, which Sprig drops (empty string).
fn rand_string(c: &mut CallCtx<'_>, n: &Value, alphabet: &str) -> R {
    let n = i(n);
    if n <= 0 {
        return string("");
    }
    c.charge(n as u64, n as u64)?;
    let set: Vec<char> = alphabet.chars().collect();
    let out: std::string::String = (0..n)
        .map(|_| set[super::crypto::rand_below(set.len() as u64) as usize])
        .collect();
    string(out)
}

#[allow(dead_code)]
fn data_is_string(v: &Value) -> bool {
    matches!(v.data, Data::Str(_))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_conversions() {
        assert_eq!(camel_to_lower("FirstName", '_'), "first_name");
        assert_eq!(camel_to_lower("HTTPServer", '_'), "http_server");
        assert_eq!(camel_to_lower("foo-bar baz", '-'), "foo-bar-baz");
        assert_eq!(pascal_case("http_server"), "HttpServer");
        assert_eq!(pascal_case("foo bar"), "FooBar");
        assert_eq!(title("hello world-foo"), "Hello World-Foo");
        assert_eq!(swapcase("This Is A.Test"), "tHIS iS a.tEST");
        assert_eq!(initials("First Try"), "FT");
        assert_eq!(nospace("a b\tc"), "abc");
    }

    #[test]
    fn wrapping_and_abbrev() {
        assert_eq!(wrap_custom("Hello World", 5, "", false), "Hello\nWorld");
        assert_eq!(
            wrap_custom("Hello World", 5, "<br>", true),
            "Hello<br>World"
        );
        assert_eq!(abbreviate_full("hello world", 0, 5).unwrap(), "he...");
        assert_eq!(
            abbreviate_full("1234 5678 9123", 5, 10).unwrap(),
            "...5678..."
        );
    }

    #[test]
    fn quoting() {
        assert_eq!(go_quote("a\"b\n\u{1}é"), "\"a\\\"b\\n\\x01é\"");
        assert_eq!(go_split("a,b,c", ",", 2), ["a", "b,c"]);
    }
}
