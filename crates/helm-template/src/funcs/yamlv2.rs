//! A byte-exact re-implementation of what `sigs.k8s.io/yaml.Marshal` prints (the body of
//! Helm's `toYaml`): the value goes through `encoding/json`, is read back by yaml.v2 (YAML 1.1
//! resolution, so JSON numbers become int/uint/float), its map keys are sorted with yaml.v2's
//! "natural" key order, and it is written by yaml.v2's port of libyaml's emitter (width 80,
//! indent 2, compact sequences, YAML 1.1 quoting). Our own code, not a YAML crate: the point
//! is the exact bytes Helm emits, and no Rust YAML emitter reproduces yaml.v2's choices.
//!
//! The emitter below follows libyaml's state machine (emitterc.go) function by function,
//! specialised to the events a tree produces; the names of the state fields are kept so the
//! two can be compared.

use std::cmp::Ordering;

/// A YAML node as yaml.v2 sees it after reading the JSON text back.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
    /// A node whose output bytes are recorded (provenance): the emitter notes the byte
    /// range it wrote for the inner node under this id (see [`Emitter::spans`]).
    Tagged(usize, Box<Node>),
}

/// How yaml.v2 reads a JSON number token back (`resolve` for a plain scalar starting with a
/// digit or sign): int64 if it fits, else uint64, else float64.
pub fn resolve_json_number(tok: &str) -> Node {
    if let Ok(i) = tok.parse::<i64>() {
        return Node::Int(i);
    }
    if let Ok(u) = tok.parse::<u64>() {
        return Node::Uint(u);
    }
    match tok.parse::<f64>() {
        Ok(f) => Node::Float(f),
        Err(_) => Node::Str(tok.to_string()),
    }
}

/// A string as yaml.v2 reads it back from `encoding/json`'s double-quoted output. `None` when
/// the reader refuses the text (a raw DEL or C1 control: "control characters are not
/// allowed", which makes Helm's `toYaml` return ""). Go's JSON escapes every other control
/// and U+2028/9, so the one raw line break left is NEL (U+0085), which the YAML scanner folds
/// like any line break inside a quoted scalar: blanks around it dropped, a single break
/// becomes a space, n breaks become n-1 newlines.
pub fn json_string_roundtrip(s: &str) -> Option<String> {
    if s.chars()
        .any(|c| matches!(c as u32, 0x7F..=0x84 | 0x86..=0x9F | 0xFFFE | 0xFFFF))
    {
        return None;
    }
    if !s.contains('\u{85}') {
        return Some(s.to_string());
    }
    let v: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < v.len() {
        if v[i] == ' ' || v[i] == '\u{85}' {
            // A run of blanks and breaks: only folded if it contains a break.
            let st = i;
            let mut breaks = 0;
            while i < v.len() && (v[i] == ' ' || v[i] == '\u{85}') {
                if v[i] == '\u{85}' {
                    breaks += 1;
                }
                i += 1;
            }
            if breaks == 0 {
                v[st..i].iter().for_each(|&c| out.push(c));
            } else if breaks == 1 {
                out.push(' ');
            } else {
                (1..breaks).for_each(|_| out.push('\n'));
            }
        } else {
            out.push(v[i]);
            i += 1;
        }
    }
    Some(out)
}

/// What a plain (unquoted) scalar resolves to under yaml.v2's YAML 1.1 rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolved {
    Str,
    Bool,
    Null,
    Int,
    Float,
    Timestamp,
    Merge,
}

const RESOLVE_MAP: &[(&str, Resolved)] = &[
    ("y", Resolved::Bool),
    ("Y", Resolved::Bool),
    ("yes", Resolved::Bool),
    ("Yes", Resolved::Bool),
    ("YES", Resolved::Bool),
    ("true", Resolved::Bool),
    ("True", Resolved::Bool),
    ("TRUE", Resolved::Bool),
    ("on", Resolved::Bool),
    ("On", Resolved::Bool),
    ("ON", Resolved::Bool),
    ("n", Resolved::Bool),
    ("N", Resolved::Bool),
    ("no", Resolved::Bool),
    ("No", Resolved::Bool),
    ("NO", Resolved::Bool),
    ("false", Resolved::Bool),
    ("False", Resolved::Bool),
    ("FALSE", Resolved::Bool),
    ("off", Resolved::Bool),
    ("Off", Resolved::Bool),
    ("OFF", Resolved::Bool),
    ("", Resolved::Null),
    ("~", Resolved::Null),
    ("null", Resolved::Null),
    ("Null", Resolved::Null),
    ("NULL", Resolved::Null),
    (".nan", Resolved::Float),
    (".NaN", Resolved::Float),
    (".NAN", Resolved::Float),
    (".inf", Resolved::Float),
    (".Inf", Resolved::Float),
    (".INF", Resolved::Float),
    ("+.inf", Resolved::Float),
    ("+.Inf", Resolved::Float),
    ("+.INF", Resolved::Float),
    ("-.inf", Resolved::Float),
    ("-.Inf", Resolved::Float),
    ("-.INF", Resolved::Float),
    ("<<", Resolved::Merge),
];

/// yaml.v2 `resolve("", s)`: the tag a plain scalar would get.
pub fn resolve_plain(s: &str) -> Resolved {
    let hint = match s.as_bytes().first() {
        None => b'N',
        Some(b'+') | Some(b'-') => b'S',
        Some(b'0'..=b'9') => b'D',
        Some(b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~') => b'M',
        Some(b'.') => b'.',
        // `<` is not in the hint table, but "<<" is in the map and the map is consulted only
        // when the hint is non-zero; so "<<" stays a string here, as in yaml.v2.
        _ => 0,
    };
    if hint == 0 {
        return Resolved::Str;
    }
    if let Some((_, r)) = RESOLVE_MAP.iter().find(|(k, _)| *k == s) {
        return *r;
    }
    match hint {
        b'.' if go_parse_float(s).is_some() => return Resolved::Float,
        b'D' | b'S' => {
            if is_timestamp(s) {
                return Resolved::Timestamp;
            }
            let plain: String = s.chars().filter(|&c| c != '_').collect();
            if go_parse_int_base0(&plain) {
                return Resolved::Int;
            }
            if yaml_style_float(&plain) && go_parse_float(&plain).is_some() {
                return Resolved::Float;
            }
            if let Some(rest) = plain.strip_prefix("0b") {
                if go_parse_radix(rest, 2) {
                    return Resolved::Int;
                }
            } else if let Some(rest) = plain.strip_prefix("-0b") {
                if go_parse_radix(rest, 2) {
                    return Resolved::Int;
                }
            }
        }
        _ => {}
    }
    Resolved::Str
}

/// `strconv.ParseInt(s, 0, 64)` or `ParseUint(s, 0, 64)` succeeds (sign, 0x/0o/0b/0 prefix,
/// digits; underscores were removed by the caller, and Go only allows them with a prefix).
fn go_parse_int_base0(s: &str) -> bool {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let _ = neg;
    if body.is_empty() {
        return false;
    }
    let lower = body.to_ascii_lowercase();
    let (digits, radix) = if let Some(r) = lower.strip_prefix("0x") {
        (r.to_string(), 16)
    } else if let Some(r) = lower.strip_prefix("0o") {
        (r.to_string(), 8)
    } else if let Some(r) = lower.strip_prefix("0b") {
        (r.to_string(), 2)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (lower[1..].to_string(), 8)
    } else {
        (lower.clone(), 10)
    };
    // Range: a value that overflows int64 may still fit uint64 (positive only); both count.
    !digits.is_empty() && u64::from_str_radix(&digits, radix).is_ok()
}

fn go_parse_radix(s: &str, radix: u32) -> bool {
    !s.is_empty() && u64::from_str_radix(s, radix).is_ok()
}

/// `strconv.ParseFloat(s, 64)` accepts `s` (decimal and hex floats, inf/nan words,
/// underscores only between digits after a base prefix — rare enough to treat as invalid).
fn go_parse_float(s: &str) -> Option<f64> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let lower = body.to_ascii_lowercase();
    if matches!(lower.as_str(), "inf" | "infinity" | "nan") {
        return Some(0.0);
    }
    if lower.starts_with("0x") {
        return None;
    }
    if !body
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        return None;
    }
    // Go accepts an overflowing exponent with an error (ErrRange) — still "not a float" for
    // yaml.v2, which checks err == nil; Rust gives inf instead.
    match s.parse::<f64>() {
        Ok(f) if f.is_infinite() => None,
        Ok(f) => Some(f),
        Err(_) => None,
    }
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let st = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - st
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// yaml.v2 `isBase60Float`: `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`
pub fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() || !(b[0] == b'+' || b[0] == b'-' || b[0].is_ascii_digit()) || !s.contains(':')
    {
        return false;
    }
    let mut i = 0;
    if b[i] == b'+' || b[i] == b'-' {
        i += 1;
    }
    if i >= b.len() || !b[i].is_ascii_digit() {
        return false;
    }
    i += 1;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while i < b.len() && b[i] == b':' {
        i += 1;
        // [0-5]?[0-9]: one or two digits, the first of two at most 5.
        if i + 1 < b.len() && (b'0'..=b'5').contains(&b[i]) && b[i + 1].is_ascii_digit() {
            i += 2;
        } else if i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        } else {
            return false;
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// yaml.v2 `parseTimestamp`: four digits and `-`, then one of Go layouts
/// `2006-1-2T15:4:5.999999999Z07:00` (also `t`), `2006-1-2 15:4:5.999999999`, `2006-1-2`.
pub fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i != 4 || i == b.len() || b[i] != b'-' {
        return false;
    }
    let year: i32 = s[..4].parse().unwrap_or(0);
    i += 1;
    // Go's "1" and "2" take one or two digits; "15", "4", "5" too (non-fixed width).
    let num = |i: &mut usize| -> Option<u32> {
        let st = *i;
        while *i < b.len() && *i - st < 2 && b[*i].is_ascii_digit() {
            *i += 1;
        }
        if *i == st {
            None
        } else {
            s[st..*i].parse().ok()
        }
    };
    let Some(month) = num(&mut i) else {
        return false;
    };
    if !(1..=12).contains(&month) || i >= b.len() || b[i] != b'-' {
        return false;
    }
    i += 1;
    let Some(day) = num(&mut i) else { return false };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let mdays = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if day < 1 || day > mdays[month as usize - 1] {
        return false;
    }
    if i == b.len() {
        return true;
    }
    let sep = b[i];
    if sep != b'T' && sep != b't' && sep != b' ' {
        return false;
    }
    i += 1;
    let Some(h) = num(&mut i) else { return false };
    if h > 23 || i >= b.len() || b[i] != b':' {
        return false;
    }
    i += 1;
    let Some(m) = num(&mut i) else { return false };
    if m > 59 || i >= b.len() || b[i] != b':' {
        return false;
    }
    i += 1;
    let Some(sec) = num(&mut i) else { return false };
    if sec > 59 {
        return false;
    }
    // Go accepts a fractional second after the seconds field even when the layout lacks one.
    if i < b.len() && (b[i] == b'.' || b[i] == b',') {
        let st = i + 1;
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == st {
            return false;
        }
    }
    if sep == b' ' {
        return i == b.len();
    }
    if i < b.len() && b[i] == b'Z' {
        return i + 1 == b.len();
    }
    // ±hh:mm
    if i + 6 == b.len()
        && (b[i] == b'+' || b[i] == b'-')
        && b[i + 1..i + 3].iter().all(u8::is_ascii_digit)
        && b[i + 3] == b':'
        && b[i + 4..i + 6].iter().all(u8::is_ascii_digit)
    {
        return true;
    }
    false
}

/// yaml.v2's `keyList.Less` for two string keys.
pub fn key_less(a: &str, b: &str) -> bool {
    key_cmp(a, b) == Ordering::Less
}

pub fn key_cmp(a: &str, b: &str) -> Ordering {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let less = |x: bool| if x { Ordering::Less } else { Ordering::Greater };
    let mut i = 0;
    while i < ar.len() && i < br.len() {
        if ar[i] == br[i] {
            i += 1;
            continue;
        }
        let al = ar[i].is_alphabetic();
        let bl = br[i].is_alphabetic();
        if al && bl {
            return less(ar[i] < br[i]);
        }
        if al || bl {
            return less(bl);
        }
        let (mut an, mut bn): (i64, i64) = (0, 0);
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i as isize - 1;
            while j >= 0 && is_go_digit(ar[j as usize]) {
                if ar[j as usize] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
                j -= 1;
            }
        }
        let mut ai = i;
        while ai < ar.len() && is_go_digit(ar[ai]) {
            an = an.wrapping_mul(10).wrapping_add(digit_val(ar[ai]));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && is_go_digit(br[bi]) {
            bn = bn.wrapping_mul(10).wrapping_add(digit_val(br[bi]));
            bi += 1;
        }
        if an != bn {
            return less(an < bn);
        }
        if ai != bi {
            return less(ai < bi);
        }
        return less(ar[i] < br[i]);
    }
    if ar.len() == br.len() {
        Ordering::Equal
    } else {
        less(ar.len() < br.len())
    }
}

/// Go's `unicode.IsDigit` (category Nd); Rust's `is_numeric` is wider (No, Nl).
fn is_go_digit(c: char) -> bool {
    c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric() && c.to_digit(10).is_none() && is_nd(c))
}

fn is_nd(c: char) -> bool {
    // Nd blocks are runs of ten starting at a code point ending in 0 (or 6 for some); an
    // approximation good enough for key sorting: treat common Nd ranges as digits.
    let u = c as u32;
    matches!(u, 0x0660..=0x0669 | 0x06F0..=0x06F9 | 0x0966..=0x096F | 0xFF10..=0xFF19)
}

fn digit_val(c: char) -> i64 {
    if c.is_ascii_digit() {
        return (c as u8 - b'0') as i64;
    }
    // Go subtracts '0' from the rune whatever the script; keep that arithmetic.
    c as i64 - '0' as i64
}

/// Sort every map of the tree in yaml.v2 key order (the sort is stable in neither Go nor
/// here, but string keys are unique).
pub fn sort_keys(n: &mut Node) {
    match n {
        Node::Seq(items) => items.iter_mut().for_each(sort_keys),
        Node::Map(entries) => {
            entries.sort_by(|a, b| key_cmp(&a.0, &b.0));
            entries.iter_mut().for_each(|(_, v)| sort_keys(v));
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------
// Emitter

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

struct Analysis {
    multiline: bool,
    flow_plain_allowed: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

fn is_printable(c: char) -> bool {
    let u = c as u32;
    u == 0x0A
        || (0x20..=0x7E).contains(&u)
        || (0xA0..=0xD7FF).contains(&u)
        || ((0xE000..=0xFFFD).contains(&u) && u != 0xFEFF)
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn is_blankz(c: char) -> bool {
    is_blank(c) || is_break(c) || c == '\0'
}

/// `v3`: yaml.v3 treats a tab as printable but keeps it out of plain and single-quoted
/// scalars (its `tab_characters` flag), so multi-line text with tabs stays a literal block.
fn analyze_with(v: &[char], v3: bool) -> Analysis {
    if v.is_empty() {
        return Analysis {
            multiline: false,
            flow_plain_allowed: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let (mut block_ind, mut flow_ind, mut line_breaks, mut special) = (false, false, false, false);
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) =
        (false, false, false, false);
    let (mut break_space, mut space_break) = (false, false);
    let (mut prev_space, mut prev_break) = (false, false);
    let mut tabs = false;
    if v.len() >= 3 && (v[..3] == ['-', '-', '-'] || v[..3] == ['.', '.', '.']) {
        block_ind = true;
        flow_ind = true;
    }
    let mut preceded_by_ws = true;
    for i in 0..v.len() {
        let c = v[i];
        let followed_by_ws = i + 1 >= v.len() || is_blank(v[i + 1]);
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => {
                    flow_ind = true;
                    block_ind = true;
                }
                '?' | ':' => {
                    flow_ind = true;
                    if followed_by_ws {
                        block_ind = true;
                    }
                }
                '-' if followed_by_ws => {
                    flow_ind = true;
                    block_ind = true;
                }
                _ => {}
            }
        } else {
            match c {
                ',' | '?' | '[' | ']' | '{' | '}' => flow_ind = true,
                ':' => {
                    flow_ind = true;
                    if followed_by_ws {
                        block_ind = true;
                    }
                }
                '#' if preceded_by_ws => {
                    flow_ind = true;
                    block_ind = true;
                }
                _ => {}
            }
        }
        if v3 && c == '\t' {
            tabs = true;
        } else if !is_printable(c) {
            special = true;
        }
        if c == ' ' {
            if i == 0 {
                leading_space = true;
            }
            if i + 1 == v.len() {
                trailing_space = true;
            }
            if prev_break {
                break_space = true;
            }
            prev_space = true;
            prev_break = false;
        } else if is_break(c) {
            line_breaks = true;
            if i == 0 {
                leading_break = true;
            }
            if i + 1 == v.len() {
                trailing_break = true;
            }
            if prev_space {
                space_break = true;
            }
            prev_space = false;
            prev_break = true;
        } else {
            prev_space = false;
            prev_break = false;
        }
        preceded_by_ws = is_blankz(c);
    }
    let mut a = Analysis {
        multiline: line_breaks,
        flow_plain_allowed: true,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if tabs {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
        a.block_allowed = false;
    }
    if line_breaks {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
    }
    if flow_ind {
        a.flow_plain_allowed = false;
    }
    if block_ind {
        a.block_plain_allowed = false;
    }
    a
}

/// The style yaml.v2's encoder asks for (`stringv`, and plain for every non-string).
fn requested_style(n: &Node) -> (String, Style) {
    match n {
        Node::Null => ("null".into(), Style::Plain),
        Node::Bool(b) => (b.to_string(), Style::Plain),
        Node::Int(i) => (i.to_string(), Style::Plain),
        Node::Uint(u) => (u.to_string(), Style::Plain),
        Node::Float(f) => {
            let s = super::gofloat::format_g(*f);
            let s = match s.as_str() {
                "+Inf" => ".inf".into(),
                "-Inf" => "-.inf".into(),
                "NaN" => ".nan".into(),
                _ => s,
            };
            (s, Style::Plain)
        }
        Node::Str(s) => (s.clone(), string_style(s)),
        Node::Seq(_) | Node::Map(_) | Node::Tagged(..) => unreachable!("not a scalar"),
    }
}

/// yaml.v2 `stringv`: literal for multi-line text, plain when the plain form reads back as
/// the same string, else double-quoted.
pub fn string_style(s: &str) -> Style {
    let can_use_plain = resolve_plain(s) == Resolved::Str && !is_base60_float(s);
    if s.contains('\n') {
        Style::Literal
    } else if can_use_plain {
        Style::Plain
    } else {
        Style::Double
    }
}

/// libyaml's emitter options and state (the names follow emitterc.go).
pub struct Emitter {
    pub out: String,
    best_indent: i32,
    best_width: i32,
    column: i32,
    whitespace: bool,
    indention: bool,
    indent: i32,
    indents: Vec<i32>,
    flow_level: i32,
    root_context: bool,
    sequence_context: bool,
    mapping_context: bool,
    simple_key_context: bool,
    /// yaml.v2: block sequences at their mapping key's indent (false: yaml.v3's indented ones).
    pub compact_seq_in_map: bool,
    /// yaml.v3's scalar analysis (tabs).
    pub v3: bool,
    /// Byte ranges written for [`Node::Tagged`] nodes: (id, start, end).
    pub spans: Vec<(usize, usize, usize)>,
}

impl Emitter {
    /// yaml.v2 as sigs.k8s.io/yaml uses it: indent 2, width 80.
    pub fn v2() -> Self {
        Emitter {
            out: String::new(),
            best_indent: 2,
            best_width: 80,
            column: 0,
            whitespace: true,
            indention: true,
            indent: -1,
            indents: vec![],
            flow_level: 0,
            root_context: false,
            sequence_context: false,
            mapping_context: false,
            simple_key_context: false,
            compact_seq_in_map: true,
            v3: false,
            spans: vec![],
        }
    }

    /// Set the line width (`< 0` means never fold, as yaml.v3's default encoder).
    pub fn with_width(mut self, w: i32) -> Self {
        self.best_width = if w < 0 { i32::MAX } else { w };
        self
    }

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    fn write(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.write(c);
            self.column = 0;
        }
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { self.best_indent } else { 0 };
        } else if !indentless {
            self.indent += self.best_indent;
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0);
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(&mut self, ind: &str, need_ws: bool, is_ws: bool, is_indention: bool) {
        if need_ws && !self.whitespace {
            self.put(' ');
        }
        for c in ind.chars() {
            self.write(c);
        }
        self.whitespace = is_ws;
        self.indention = self.indention && is_indention;
    }

    /// One document: what `yaml.Marshal` returns for `n` (ends with a newline).
    pub fn document(self, n: &Node) -> String {
        self.document_with_spans(n).0
    }

    /// The document and the byte ranges of its tagged nodes.
    pub fn document_with_spans(mut self, n: &Node) -> (String, Vec<(usize, usize, usize)>) {
        self.emit_node(n, true, false, false, false);
        // DOCUMENT-END (implicit): a final line break. The open-ended "..." marker is
        // suppressed by yaml.v2's encoder (`finish` clears open_ended).
        self.write_indent();
        (self.out, self.spans)
    }

    fn emit_node(&mut self, n: &Node, root: bool, seq: bool, map: bool, simple_key: bool) {
        self.root_context = root;
        self.sequence_context = seq;
        self.mapping_context = map;
        self.simple_key_context = simple_key;
        match n {
            Node::Tagged(id, inner) => {
                let start = self.out.len();
                self.emit_node(inner, root, seq, map, simple_key);
                // A scalar's range starts at its first character, not at the separator.
                let text = &self.out[start..];
                let skip = text.len() - text.trim_start_matches([' ', '\n']).len();
                self.spans.push((*id, start + skip, self.out.len()));
            }
            Node::Seq(items) => {
                if self.flow_level > 0 || items.is_empty() {
                    self.flow_collection('[', ']', items.is_empty());
                } else {
                    self.block_sequence(items);
                }
            }
            Node::Map(entries) => {
                if self.flow_level > 0 || entries.is_empty() {
                    self.flow_collection('{', '}', entries.is_empty());
                } else {
                    self.block_mapping(entries);
                }
            }
            _ => {
                let (s, style) = requested_style(n);
                self.emit_scalar(&s, style);
            }
        }
    }

    /// Only empty collections are written in flow style by a tree emitter.
    fn flow_collection(&mut self, open: char, close: char, _empty: bool) {
        self.write_indicator(&open.to_string(), true, true, false);
        self.increase_indent(true, false);
        self.flow_level += 1;
        self.flow_level -= 1;
        self.pop_indent();
        self.write_indicator(&close.to_string(), false, false, false);
    }

    fn block_sequence(&mut self, items: &[Node]) {
        let indentless = if self.compact_seq_in_map {
            self.mapping_context && !self.indention
        } else {
            false
        };
        self.increase_indent(false, indentless);
        for item in items {
            self.write_indent();
            self.write_indicator("-", true, false, true);
            self.emit_node(item, false, true, false, false);
        }
        self.pop_indent();
    }

    fn block_mapping(&mut self, entries: &[(String, Node)]) {
        self.increase_indent(false, false);
        for (k, v) in entries {
            self.write_indent();
            let kc: Vec<char> = k.chars().collect();
            let a = analyze_with(&kc, self.v3);
            let simple = !a.multiline && k.len() <= 128;
            let key = Node::Str(k.clone());
            if simple {
                self.emit_node(&key, false, false, true, true);
                self.write_indicator(":", false, false, false);
            } else {
                self.write_indicator("?", true, false, true);
                self.emit_node(&key, false, false, true, false);
                self.write_indent();
                self.write_indicator(":", true, false, true);
            }
            self.emit_node(v, false, false, true, false);
        }
        self.pop_indent();
    }

    fn emit_scalar(&mut self, s: &str, requested: Style) {
        let v: Vec<char> = s.chars().collect();
        let a = analyze_with(&v, self.v3);
        let mut style = requested;
        if self.simple_key_context && a.multiline {
            style = Style::Double;
        }
        if style == Style::Plain {
            if (self.flow_level > 0 && !a.flow_plain_allowed)
                || (self.flow_level == 0 && !a.block_plain_allowed)
            {
                style = Style::Single;
            }
            if v.is_empty() && (self.flow_level > 0 || self.simple_key_context) {
                style = Style::Single;
            }
        }
        if style == Style::Single && !a.single_quoted_allowed {
            style = Style::Double;
        }
        if style == Style::Literal
            && (!a.block_allowed || self.flow_level > 0 || self.simple_key_context)
        {
            style = Style::Double;
        }
        self.increase_indent(true, false);
        let allow_breaks = !self.simple_key_context;
        match style {
            Style::Plain => self.write_plain(&v, allow_breaks),
            Style::Single => self.write_single(&v, allow_breaks),
            Style::Double => self.write_double(&v, allow_breaks),
            Style::Literal => self.write_literal(&v),
        }
        self.pop_indent();
    }

    fn write_plain(&mut self, v: &[char], allow_breaks: bool) {
        if !self.whitespace {
            self.put(' ');
        }
        let (mut spaces, mut breaks) = (false, false);
        let mut i = 0;
        while i < v.len() {
            let c = v[i];
            if c == ' ' {
                let next_space = v.get(i + 1) == Some(&' ');
                if allow_breaks && !spaces && self.column > self.best_width && !next_space {
                    self.write_indent();
                } else {
                    self.write(c);
                }
                i += 1;
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                i += 1;
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.write(c);
                i += 1;
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn write_single(&mut self, v: &[char], allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        let (mut spaces, mut breaks) = (false, false);
        let mut i = 0;
        while i < v.len() {
            let c = v[i];
            if c == ' ' {
                let next_space = v.get(i + 1) == Some(&' ');
                if allow_breaks
                    && !spaces
                    && self.column > self.best_width
                    && i > 0
                    && i < v.len() - 1
                    && !next_space
                {
                    self.write_indent();
                } else {
                    self.write(c);
                }
                i += 1;
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                i += 1;
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if c == '\'' {
                    self.put('\'');
                }
                self.write(c);
                i += 1;
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_double(&mut self, v: &[char], allow_breaks: bool) {
        let mut spaces = false;
        self.write_indicator("\"", true, false, false);
        // Observed with Helm 3 and 4 (yaml.v2): a string that starts with a BOM is written
        // with every character escaped.
        let escape_all = !self.v3 && v.first() == Some(&'\u{FEFF}');
        let mut i = 0;
        while i < v.len() {
            let c = v[i];
            if escape_all
                || !is_printable(c)
                || c == '\u{FEFF}'
                || is_break(c)
                || c == '"'
                || c == '\\'
            {
                self.put('\\');
                let u = c as u32;
                let short = match u {
                    0x00 => Some('0'),
                    0x07 => Some('a'),
                    0x08 => Some('b'),
                    0x09 => Some('t'),
                    0x0A => Some('n'),
                    0x0B => Some('v'),
                    0x0C => Some('f'),
                    0x0D => Some('r'),
                    0x1B => Some('e'),
                    0x22 => Some('"'),
                    0x5C => Some('\\'),
                    0x85 => Some('N'),
                    0xA0 => Some('_'),
                    0x2028 => Some('L'),
                    0x2029 => Some('P'),
                    _ => None,
                };
                match short {
                    Some(e) => self.put(e),
                    None => {
                        let (p, w) = if u <= 0xFF {
                            ('x', 2)
                        } else if u <= 0xFFFF {
                            ('u', 4)
                        } else {
                            ('U', 8)
                        };
                        self.put(p);
                        for k in (0..w).rev() {
                            let d = (u >> (k * 4)) & 0xF;
                            self.put(std::char::from_digit(d, 16).unwrap().to_ascii_uppercase());
                        }
                    }
                }
                i += 1;
                spaces = false;
            } else if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > self.best_width
                    && i > 0
                    && i < v.len() - 1
                {
                    self.write_indent();
                    if v.get(i + 1) == Some(&' ') {
                        self.put('\\');
                    }
                } else {
                    self.write(c);
                }
                i += 1;
                spaces = true;
            } else {
                self.write(c);
                i += 1;
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn block_hints(&mut self, v: &[char]) {
        if v.first().is_some_and(|&c| c == ' ' || is_break(c)) {
            let hint = char::from(b'0' + self.best_indent as u8).to_string();
            self.write_indicator(&hint, false, false, false);
        }
        let chomp = match v.len() {
            0 => Some("-"),
            n => {
                if !is_break(v[n - 1]) {
                    Some("-")
                } else if n == 1 || is_break(v[n - 2]) {
                    Some("+")
                } else {
                    None
                }
            }
        };
        if let Some(h) = chomp {
            self.write_indicator(h, false, false, false);
        }
    }

    fn write_literal(&mut self, v: &[char]) {
        self.write_indicator("|", true, false, false);
        self.block_hints(v);
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for &c in v {
            if is_break(c) {
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.write(c);
                self.indention = false;
                breaks = false;
            }
        }
    }
}

/// `yaml.Marshal` of a tree already in yaml.v2's model (keys get sorted here).
pub fn marshal_v2(mut n: Node) -> String {
    sort_keys(&mut n);
    Emitter::v2().document(&n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Node {
        Node::Str(x.into())
    }
    fn m(e: Vec<(&str, Node)>) -> Node {
        Node::Map(e.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    #[test]
    fn quoting() {
        for (input, want) in [
            ("on", "\"on\"\n"),
            ("yes", "\"yes\"\n"),
            ("", "\"\"\n"),
            ("1.0", "\"1.0\"\n"),
            ("0123", "\"0123\"\n"),
            ("0x1F", "\"0x1F\"\n"),
            ("1_000", "\"1_000\"\n"),
            ("1e3", "\"1e3\"\n"),
            (".inf", "\".inf\"\n"),
            ("2001-12-14", "\"2001-12-14\"\n"),
            ("1:20", "\"1:20\"\n"),
            ("a: b", "'a: b'\n"),
            ("a #b", "'a #b'\n"),
            (" lead", "' lead'\n"),
            ("*x", "'*x'\n"),
            ("- x", "'- x'\n"),
            ("a\tb", "\"a\\tb\"\n"),
            ("x \ny", "\"x \\ny\"\n"),
            ("a\nb", "|-\n  a\n  b\n"),
            ("a\nb\n", "|\n  a\n  b\n"),
            ("plain", "plain\n"),
            ("it's", "it's\n"),
            ("😀", "\"\\U0001F600\"\n"),
        ] {
            assert_eq!(marshal_v2(s(input)), want, "{input:?}");
        }
    }

    #[test]
    fn key_order() {
        let mut keys = vec![
            "z", "a10", "a2", "a.b", "a-b", "a", "B", "10", "2", "1", "_x",
        ];
        keys.sort_by(|a, b| key_cmp(a, b));
        assert_eq!(
            keys,
            ["_x", "1", "2", "10", "B", "a", "a-b", "a.b", "a2", "a10", "z"]
        );
    }

    #[test]
    fn layout() {
        let n = m(vec![
            (
                "b",
                Node::Seq(vec![
                    s("x"),
                    m(vec![("k", Node::Int(1)), ("j", Node::Null)]),
                ]),
            ),
            (
                "a",
                m(vec![
                    ("on", Node::Bool(true)),
                    ("e", Node::Map(vec![])),
                    ("l", Node::Seq(vec![])),
                ]),
            ),
            ("c", Node::Seq(vec![Node::Seq(vec![Node::Float(1.5)])])),
        ]);
        assert_eq!(
            marshal_v2(n),
            "a:\n  e: {}\n  l: []\n  \"on\": true\nb:\n- x\n- j: null\n  k: 1\nc:\n- - 1.5\n"
        );
    }

    #[test]
    fn folding() {
        // Checked against Helm 3.17.2: the break comes at the first space past column 80.
        let long = "word ".repeat(20) + "end";
        let out = marshal_v2(m(vec![("k", s(&long))]));
        let first = "word ".repeat(16);
        assert_eq!(
            out,
            format!("k: {}\n  word word word word end\n", first.trim_end())
        );
    }
}
