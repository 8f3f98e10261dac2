//! Go's `fmt` and `strconv` formatting of values, as templates print them: `%v` of maps,
//! slices, floats and nil; `Sprint`, `Sprintln`, `Sprintf` with Go's verbs, flags, width,
//! precision, argument indexes and its `%!verb(type=value)` error forms; `strconv.Quote`;
//! `strconv.FormatFloat`. Shared by the executor and the functions (`toString`, `quote`…).

use std::fmt::Write;

use crate::value::{Data, ElemType, Value};

/// Deepest nesting printed before giving up (a map that contains itself through `set`
/// would otherwise recurse forever; Go would overflow its stack).
const MAX_DEPTH: usize = 1000;

// ---------------------------------------------------------------------------------------
// strconv

/// `strconv.Quote`: a double-quoted Go string literal.
pub fn quote(s: &str) -> String {
    quote_with(s, '"', false)
}

/// `strconv.QuoteToASCII`.
pub fn quote_ascii(s: &str) -> String {
    quote_with(s, '"', true)
}

fn quote_with(s: &str, q: char, ascii_only: bool) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(q);
    for c in s.chars() {
        append_escaped_rune(&mut out, c, q, ascii_only);
    }
    out.push(q);
    out
}

fn append_escaped_rune(out: &mut String, c: char, q: char, ascii_only: bool) {
    if c == q || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    if ascii_only {
        if c.is_ascii() && is_print(c) {
            out.push(c);
            return;
        }
    } else if is_print(c) {
        out.push(c);
        return;
    }
    match c {
        '\x07' => out.push_str("\\a"),
        '\x08' => out.push_str("\\b"),
        '\x0c' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\x0b' => out.push_str("\\v"),
        c if (c as u32) < ' ' as u32 || c as u32 == 0x7f => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        // Invalid UTF-8 was already replaced by U+FFFD when the string was built; Go would
        // print the bytes as \x.., which we cannot see any more.
        c if (c as u32) < 0x10000 => {
            let _ = write!(out, "\\u{:04x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\U{:08x}", c as u32);
        }
    }
}

/// Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and U+0020.
/// Approximated without Unicode tables: control characters, unassigned-looking private-use
/// areas, format characters and separators other than the ASCII space are not printable.
pub fn is_print(c: char) -> bool {
    let u = c as u32;
    if u < 0x20 || (0x7f..=0x9f).contains(&u) {
        return false;
    }
    if c == ' ' {
        return true;
    }
    if c.is_whitespace() {
        return false;
    }
    !matches!(u,
        0xad | 0x600..=0x605 | 0x61c | 0x6dd | 0x70f | 0x180e | 0x200b..=0x200f
        | 0x2028..=0x202e | 0x2060..=0x206f | 0xfeff | 0xfff9..=0xfffb
        | 0xd800..=0xdfff | 0xe000..=0xf8ff | 0xf0000..=0x10ffff | 0xfffe | 0xffff)
}

/// `strconv.CanBackquote`.
pub fn can_backquote(s: &str) -> bool {
    s.chars().all(|c| {
        c != '`' && c != '\u{FEFF}' && c != '\u{FFFD}' && (c == '\t' || !(c < ' ' || c == '\x7f'))
    })
}

/// Go's `%#U` of a rune: `U+0041 'A'` (the quoted form only when printable).
pub fn unicode_hash_u(c: char) -> String {
    if is_print(c) {
        format!("U+{:04X} '{}'", c as u32, c)
    } else {
        format!("U+{:04X}", c as u32)
    }
}

/// The shortest decimal digits of `x` (> 0, finite) and the decimal point position:
/// x = 0.d1d2d3… × 10^dp.
fn shortest_digits(x: f64) -> (String, i32) {
    let s = format!("{:e}", x.abs());
    split_exp(&s)
}

/// Digits correctly rounded to `n` significant digits (n ≥ 1), trailing zeros trimmed.
fn rounded_digits(x: f64, n: usize) -> (String, i32) {
    let s = format!("{:.*e}", n.saturating_sub(1), x.abs());
    let (mut d, dp) = split_exp(&s);
    while d.len() > 1 && d.ends_with('0') {
        d.pop();
    }
    (d, dp)
}

fn split_exp(s: &str) -> (String, i32) {
    let (mant, exp) = s.split_once('e').unwrap_or((s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let digits = if digits.chars().all(|c| c == '0') {
        "0".to_string()
    } else {
        digits
    };
    (digits, exp + 1)
}

/// `strconv.FormatFloat(x, fmt, prec, 64)` for `fmt` in `e E f F g G` (`prec` -1 =
/// shortest representation that round-trips).
pub fn format_float(x: f64, fmt: char, prec: i32) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let neg = x.is_sign_negative();
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    let ax = x.abs();
    match fmt {
        'e' | 'E' => {
            let (digits, dp) = if prec < 0 {
                if ax == 0.0 {
                    ("0".to_string(), 1)
                } else {
                    shortest_digits(ax)
                }
            } else {
                let s = format!("{:.*e}", prec as usize, ax);
                let (d, dp) = split_exp(&s);
                (pad_digits(&s, prec as usize + 1, d), dp)
            };
            fmt_e(
                &mut out,
                &digits,
                dp,
                if prec < 0 {
                    digits.len() as i32 - 1
                } else {
                    prec
                },
                fmt,
            );
        }
        'f' | 'F' => {
            if prec < 0 {
                if ax == 0.0 {
                    out.push('0');
                } else {
                    let (digits, dp) = shortest_digits(ax);
                    fmt_f(&mut out, &digits, dp, (digits.len() as i32 - dp).max(0));
                }
            } else {
                let _ = write!(out, "{:.*}", prec as usize, ax);
            }
        }
        'g' | 'G' => {
            let shortest = prec < 0;
            let (digits, dp) = if ax == 0.0 {
                ("0".to_string(), 1)
            } else if shortest {
                shortest_digits(ax)
            } else {
                rounded_digits(ax, if prec == 0 { 1 } else { prec as usize })
            };
            let nd = digits.len() as i32;
            let mut p = if shortest {
                nd
            } else if prec == 0 {
                1
            } else {
                prec
            };
            let mut eprec = p;
            if eprec > nd && nd >= dp {
                eprec = nd;
            }
            if shortest {
                eprec = 6;
            }
            let exp = dp - 1;
            if exp < -4 || exp >= eprec {
                if p > nd {
                    p = nd;
                }
                fmt_e(
                    &mut out,
                    &digits,
                    dp,
                    p - 1,
                    if fmt == 'g' { 'e' } else { 'E' },
                );
            } else {
                if p > dp {
                    p = nd;
                }
                fmt_f(&mut out, &digits, dp, (p - dp).max(0));
            }
        }
        _ => {
            let _ = write!(out, "%{fmt}");
        }
    }
    out
}

fn pad_digits(_s: &str, _n: usize, d: String) -> String {
    d
}

/// %e: d.ddddde±dd
fn fmt_e(out: &mut String, digits: &str, dp: i32, prec: i32, fmt: char) {
    let b = digits.as_bytes();
    out.push(if b.is_empty() { '0' } else { b[0] as char });
    if prec > 0 {
        out.push('.');
        for i in 1..=prec as usize {
            out.push(if i < b.len() { b[i] as char } else { '0' });
        }
    }
    out.push(fmt);
    let exp = if digits == "0" { 0 } else { dp - 1 };
    out.push(if exp < 0 { '-' } else { '+' });
    let e = exp.abs();
    if e < 10 {
        out.push('0');
    }
    let _ = write!(out, "{e}");
}

/// %f: ddd.ddd with `prec` fraction digits from the decimal digits/point.
fn fmt_f(out: &mut String, digits: &str, dp: i32, prec: i32) {
    let b = digits.as_bytes();
    if dp > 0 {
        for i in 0..dp as usize {
            out.push(if i < b.len() { b[i] as char } else { '0' });
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for i in 0..prec {
            let j = dp + i;
            out.push(if j >= 0 && (j as usize) < b.len() {
                b[j as usize] as char
            } else {
                '0'
            });
        }
    }
}

/// Standard base64 with padding (encoding/json's form of `[]byte`).
pub fn base64_std(b: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(b.len().div_ceil(3) * 4);
    for c in b.chunks(3) {
        let n = ((c[0] as u32) << 16)
            | ((*c.get(1).unwrap_or(&0) as u32) << 8)
            | (*c.get(2).unwrap_or(&0) as u32);
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if c.len() > 1 {
            T[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if c.len() > 2 {
            T[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

// ---------------------------------------------------------------------------------------
// fmt

#[derive(Clone, Copy, Default, Debug)]
struct Flags {
    plus: bool,
    minus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    plus_v: bool,
    sharp_v: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

/// `fmt.Sprint(v)` of one value: `%v` (nil → `<nil>`).
pub fn sprint_value(v: &Value) -> String {
    let mut out = String::new();
    print_arg(&mut out, v, 'v', &Flags::default());
    out
}

/// `fmt.Sprint(args...)`: operands printed with `%v`, a space between two operands when
/// neither is a string.
pub fn sprint(args: &[Value]) -> String {
    let mut out = String::new();
    let mut prev_string = false;
    for (i, a) in args.iter().enumerate() {
        let is_string = matches!(a.data, Data::Str(_) | Data::RawStr(_));
        if i > 0 && !is_string && !prev_string {
            out.push(' ');
        }
        print_arg(&mut out, a, 'v', &Flags::default());
        prev_string = is_string;
    }
    out
}

/// `fmt.Sprintln(args...)`: spaces between all operands and a final newline.
pub fn sprintln(args: &[Value]) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        print_arg(&mut out, a, 'v', &Flags::default());
    }
    out.push('\n');
    out
}

/// `fmt.Sprintf(format, args...)`.
pub fn sprintf(format: &str, args: &[Value]) -> String {
    sprintf_ranges(format, args, &mut Vec::new())
}

/// `fmt.Sprintf`, also recording which output range each formatted argument produced
/// (argument index, byte range), for provenance.
pub fn sprintf_ranges(
    format: &str,
    args: &[Value],
    ranges: &mut Vec<(usize, std::ops::Range<usize>)>,
) -> String {
    let mut out = String::with_capacity(format.len() + 16);
    let b = format.as_bytes();
    let end = b.len();
    let mut i = 0;
    let mut arg_num = 0usize;
    let mut reordered = false;
    let mut good_arg_num = true;
    while i < end {
        let lasti = i;
        while i < end && b[i] != b'%' {
            i += 1;
        }
        if i > lasti {
            out.push_str(&format[lasti..i]);
        }
        if i >= end {
            break;
        }
        i += 1; // skip %
        let mut f = Flags::default();
        // Flags.
        while i < end {
            match b[i] {
                b'#' => f.sharp = true,
                b'0' => f.zero = true,
                b'+' => f.plus = true,
                b'-' => f.minus = true,
                b' ' => f.space = true,
                _ => break,
            }
            i += 1;
        }
        // Argument index, width.
        let (an, ni, found) = arg_number(arg_num, format, i, args.len());
        arg_num = an;
        i = ni;
        let mut after_index = found;
        if found {
            reordered = true;
        }
        if !found && !good_arg_num {
            // keep going
        }
        if i < end && b[i] == b'*' {
            i += 1;
            let (w, ok, na) = int_from_arg(args, arg_num);
            arg_num = na;
            match w {
                Some(w) if ok => {
                    if w < 0 {
                        f.minus = true;
                        f.width = Some((-w) as usize);
                    } else {
                        f.width = Some(w as usize);
                    }
                }
                _ => {
                    out.push_str("%!(BADWIDTH)");
                }
            }
            after_index = false;
        } else {
            let (w, ni2) = parse_num(format, i);
            if let Some(w) = w {
                if after_index {
                    good_arg_num = false;
                }
                f.width = Some(w);
            }
            i = ni2;
        }
        // Precision.
        if i < end && b[i] == b'.' {
            i += 1;
            if after_index {
                good_arg_num = false;
            }
            let (an, ni, found) = arg_number(arg_num, format, i, args.len());
            arg_num = an;
            i = ni;
            if found {
                reordered = true;
            }
            if i < end && b[i] == b'*' {
                i += 1;
                let (p, ok, na) = int_from_arg(args, arg_num);
                arg_num = na;
                match p {
                    Some(p) if ok && p >= 0 => f.prec = Some(p as usize),
                    Some(p) if ok && p < 0 => f.prec = None,
                    _ => out.push_str("%!(BADPREC)"),
                }
                after_index = false;
            } else {
                let (p, ni2) = parse_num(format, i);
                f.prec = Some(p.unwrap_or(0));
                i = ni2;
            }
        }
        if !after_index {
            let (an, ni, found) = arg_number(arg_num, format, i, args.len());
            arg_num = an;
            i = ni;
            if found {
                reordered = true;
            }
        }
        if i >= end {
            out.push_str("%!(NOVERB)");
            break;
        }
        let verb = format[i..].chars().next().unwrap_or('%');
        i += verb.len_utf8();
        if verb == '%' {
            out.push('%');
            continue;
        }
        if !good_arg_num {
            let _ = write!(out, "%!{verb}(BADINDEX)");
            good_arg_num = true;
            continue;
        }
        if arg_num >= args.len() {
            let _ = write!(out, "%!{verb}(MISSING)");
            continue;
        }
        let mut verb = verb;
        if verb == 'v' {
            if f.sharp {
                f.sharp = false;
                f.sharp_v = true;
            }
            if f.plus {
                f.plus = false;
                f.plus_v = true;
            }
        }
        if verb == 'w' {
            verb = 'w';
        }
        let start = out.len();
        print_arg(&mut out, &args[arg_num], verb, &f);
        ranges.push((arg_num, start..out.len()));
        arg_num += 1;
    }
    if !reordered && arg_num < args.len() {
        out.push_str("%!(EXTRA ");
        for (k, a) in args[arg_num..].iter().enumerate() {
            if k > 0 {
                out.push_str(", ");
            }
            if a.is_nil() {
                out.push_str("<nil>");
            } else {
                out.push_str(&a.type_name());
                out.push('=');
                print_arg(&mut out, a, 'v', &Flags::default());
            }
        }
        out.push(')');
    }
    out
}

fn parse_num(s: &str, mut i: usize) -> (Option<usize>, usize) {
    let b = s.as_bytes();
    let start = i;
    let mut n: usize = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        if n > 1_000_000 {
            return (None, b.len());
        }
        n = n * 10 + (b[i] - b'0') as usize;
        i += 1;
    }
    if i == start {
        (None, i)
    } else {
        (Some(n), i)
    }
}

/// `[n]` argument index: returns (new arg number, new position, found).
fn arg_number(arg_num: usize, s: &str, i: usize, num_args: usize) -> (usize, usize, bool) {
    let b = s.as_bytes();
    if i >= b.len() || b[i] != b'[' {
        return (arg_num, i, false);
    }
    for (j, &c) in b.iter().enumerate().skip(i + 1) {
        if c == b']' {
            let (n, ni) = parse_num(s, i + 1);
            if n.is_none() || ni != j {
                return (arg_num, j + 1, false);
            }
            let n = n.unwrap_or(0);
            if n >= 1 && n - 1 < num_args {
                return (n - 1, j + 1, true);
            }
            return (arg_num, j + 1, false);
        }
    }
    (arg_num, i + 1, false)
}

fn int_from_arg(args: &[Value], arg_num: usize) -> (Option<i64>, bool, usize) {
    if arg_num < args.len() {
        let v = match args[arg_num].data {
            Data::Int(i) | Data::Int64(i) => Some(i),
            _ => None,
        };
        let ok = v.map(|v| v.abs() <= 1_000_000).unwrap_or(false);
        return (v, ok, arg_num + 1);
    }
    (None, false, arg_num)
}

fn pad(out: &mut String, s: &str, f: &Flags) {
    let Some(w) = f.width else {
        out.push_str(s);
        return;
    };
    let n = s.chars().count();
    if n >= w {
        out.push_str(s);
        return;
    }
    let fill = w - n;
    if f.minus {
        out.push_str(s);
        out.extend(std::iter::repeat_n(' ', fill));
    } else {
        out.extend(std::iter::repeat_n(' ', fill));
        out.push_str(s);
    }
}

/// Pads a number, zero-filling after the sign when the `0` flag asks for it.
fn pad_number(out: &mut String, s: &str, f: &Flags, zero_ok: bool) {
    if let (Some(w), true, false, true) = (f.width, f.zero, f.minus, zero_ok) {
        let n = s.chars().count();
        if n < w {
            let (sign, rest) = match s.as_bytes().first() {
                Some(b'+' | b'-' | b' ') => s.split_at(1),
                _ => ("", s),
            };
            out.push_str(sign);
            out.extend(std::iter::repeat_n('0', w - n));
            out.push_str(rest);
            return;
        }
    }
    pad(out, s, f)
}

fn bad_verb(out: &mut String, v: &Value, verb: char) {
    out.push_str("%!");
    out.push(verb);
    out.push('(');
    if v.is_nil() {
        out.push_str("<nil>");
    } else {
        out.push_str(&v.type_name());
        out.push('=');
        print_arg(out, v, 'v', &Flags::default());
    }
    out.push(')');
}

fn print_arg(out: &mut String, v: &Value, verb: char, f: &Flags) {
    if v.is_nil() {
        match verb {
            'T' | 'v' => pad(out, "<nil>", f),
            _ => bad_verb(out, v, verb),
        }
        return;
    }
    if verb == 'T' {
        pad(out, &v.type_name(), f);
        return;
    }
    print_value(out, v, verb, f, 0);
}

fn print_value(out: &mut String, v: &Value, verb: char, f: &Flags, depth: usize) {
    if depth > MAX_DEPTH {
        out.push_str("<max depth>");
        return;
    }
    match &v.data {
        Data::Nil => {
            if depth == 0 {
                print_arg(out, v, verb, f)
            } else {
                match verb {
                    'v' => pad(out, "<nil>", f),
                    _ => bad_verb(out, v, verb),
                }
            }
        }
        Data::Bool(b) => match verb {
            't' | 'v' => pad(out, if *b { "true" } else { "false" }, f),
            _ => bad_verb(out, v, verb),
        },
        Data::Int(i) | Data::Int64(i) => fmt_integer(out, *i, verb, f, v),
        Data::Float(x) => fmt_float_verb(out, *x, verb, f, v),
        Data::Str(s) => fmt_string(out, s, verb, f, v),
        Data::RawStr(r) => fmt_string(out, &r.text, verb, f, v),
        Data::Bytes(b) => match verb {
            's' => pad(out, &String::from_utf8_lossy(b), f),
            'q' => fmt_string(out, &String::from_utf8_lossy(b), 'q', f, v),
            'x' | 'X' => fmt_hex_bytes(out, b, verb, f),
            'v' | 'd' => {
                let mut s = String::new();
                if f.sharp_v {
                    s.push_str("[]byte{");
                    for (i, x) in b.iter().enumerate() {
                        if i > 0 {
                            s.push_str(", ");
                        }
                        let _ = write!(s, "0x{x:x}");
                    }
                    s.push('}');
                } else {
                    s.push('[');
                    for (i, x) in b.iter().enumerate() {
                        if i > 0 {
                            s.push(' ');
                        }
                        fmt_integer(&mut s, *x as i64, verb, &Flags::default(), v);
                    }
                    s.push(']');
                }
                pad(out, &s, f);
            }
            _ => {
                // Other verbs print each byte as an integer.
                out.push('[');
                for (i, x) in b.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    fmt_integer(out, *x as i64, verb, f, &Value::int(*x as i64));
                }
                out.push(']');
            }
        },
        Data::List(l) => {
            if f.sharp_v {
                out.push_str(l.elem.go_name());
                out.push('{');
                for (i, x) in l.items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    print_value(out, x, verb, f, depth + 1);
                }
                out.push('}');
                return;
            }
            out.push('[');
            for (i, x) in l.items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                print_elem(out, x, verb, f, depth + 1, l.elem == ElemType::Any);
            }
            out.push(']');
        }
        Data::Map(m) => {
            let Ok(m) = m.0.try_borrow() else {
                out.push_str("map[<busy>]");
                return;
            };
            if f.sharp_v {
                out.push_str(m.ty.go_name());
                out.push('{');
                for (i, (k, x)) in m.entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&quote(k));
                    out.push(':');
                    print_value(out, x, verb, f, depth + 1);
                }
                out.push('}');
                return;
            }
            out.push_str("map[");
            for (i, (k, x)) in m.entries.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                fmt_string(out, k, verb, f, &Value::string(k.clone()));
                out.push(':');
                print_elem(out, x, verb, f, depth + 1, true);
            }
            out.push(']');
        }
        Data::Object(o) => {
            let s = o.go_string();
            match verb {
                'v' | 's' => pad(out, &s, f),
                'q' => pad(out, &quote(&s), f),
                _ => pad(out, &s, f),
            }
        }
    }
}

/// An element of a slice/map: a nil interface element prints `<nil>` whatever the verb.
fn print_elem(out: &mut String, v: &Value, verb: char, f: &Flags, depth: usize, iface: bool) {
    if v.is_nil() && iface {
        pad(out, "<nil>", f);
        return;
    }
    print_value(out, v, verb, f, depth)
}

fn fmt_integer(out: &mut String, i: i64, verb: char, f: &Flags, v: &Value) {
    let neg = i < 0;
    let u = i.unsigned_abs();
    let (digits, prefix): (String, &str) = match verb {
        'v' | 'd' => (u.to_string(), ""),
        'b' => (format!("{u:b}"), if f.sharp { "0b" } else { "" }),
        'o' => (format!("{u:o}"), if f.sharp { "0" } else { "" }),
        'O' => (format!("{u:o}"), "0o"),
        'x' => (format!("{u:x}"), if f.sharp { "0x" } else { "" }),
        'X' => (format!("{u:X}"), if f.sharp { "0X" } else { "" }),
        'c' => {
            let c = char::from_u32(i as u32)
                .filter(|_| (0..=0x10FFFF).contains(&i))
                .unwrap_or('\u{FFFD}');
            pad(out, &c.to_string(), f);
            return;
        }
        'q' => {
            let c = char::from_u32(i as u32)
                .filter(|_| (0..=0x10FFFF).contains(&i))
                .unwrap_or('\u{FFFD}');
            let mut s = String::from("'");
            if c == '\'' {
                s.push_str("\\'");
            } else if c == '"' {
                s.push('"');
            } else {
                append_escaped_rune(&mut s, c, '\'', f.plus);
            }
            s.push('\'');
            pad(out, &s, f);
            return;
        }
        'U' => {
            let mut s = format!("U+{:04X}", u);
            if f.sharp {
                if let Some(c) = char::from_u32(i as u32) {
                    if is_print(c) {
                        let _ = write!(s, " '{c}'");
                    }
                }
            }
            pad(out, &s, f);
            return;
        }
        _ => {
            bad_verb(out, v, verb);
            return;
        }
    };
    let mut digits = digits;
    if let Some(p) = f.prec {
        if p == 0 && u == 0 {
            digits.clear();
        }
        while digits.len() < p {
            digits.insert(0, '0');
        }
    }
    let mut s = String::new();
    if neg {
        s.push('-');
    } else if f.plus {
        s.push('+');
    } else if f.space {
        s.push(' ');
    }
    // Zero padding goes between the prefix and the digits.
    if let (Some(w), true, false, None) = (f.width, f.zero, f.minus, f.prec) {
        let used = s.len() + prefix.len() + digits.len();
        s.push_str(prefix);
        if used < w {
            s.extend(std::iter::repeat_n('0', w - used));
        }
        s.push_str(&digits);
        out.push_str(&s);
        return;
    }
    s.push_str(prefix);
    s.push_str(&digits);
    pad(out, &s, f);
}

fn fmt_float_verb(out: &mut String, x: f64, verb: char, f: &Flags, v: &Value) {
    let (fmtc, prec) = match verb {
        'v' => ('g', -1),
        'g' | 'G' => (verb, f.prec.map(|p| p as i32).unwrap_or(-1)),
        'e' | 'E' | 'f' | 'F' => (
            if verb == 'F' { 'f' } else { verb },
            f.prec.map(|p| p as i32).unwrap_or(6),
        ),
        _ => {
            bad_verb(out, v, verb);
            return;
        }
    };
    let prec = if verb == 'v' {
        f.prec.map(|p| p as i32).unwrap_or(-1)
    } else {
        prec
    };
    let mut s = format_float(x, fmtc, prec);
    if f.sharp && verb != 'v' {
        // %#g keeps trailing zeros / the decimal point; rare in charts, approximate.
        if !s.contains('.') && !s.contains("Inf") && !s.contains("NaN") {
            if let Some(e) = s.find(['e', 'E']) {
                s.insert(e, '.');
            } else {
                s.push('.');
            }
        }
    }
    if !s.starts_with('-') && !s.starts_with('+') {
        if f.plus {
            s.insert(0, '+');
        } else if f.space {
            s.insert(0, ' ');
        }
    } else if s.starts_with('+') && !f.plus {
        // "+Inf" keeps its sign only with the plus flag.
        if f.space {
            s.replace_range(0..1, " ");
        } else {
            s.remove(0);
        }
    }
    let finite = x.is_finite();
    pad_number(out, &s, f, finite);
}

fn fmt_string(out: &mut String, s: &str, verb: char, f: &Flags, v: &Value) {
    let s_trunc: std::borrow::Cow<'_, str> = match f.prec {
        Some(p) if matches!(verb, 's' | 'v' | 'q' | 'x' | 'X') => {
            if s.chars().count() > p {
                s.chars().take(p).collect::<String>().into()
            } else {
                s.into()
            }
        }
        _ => s.into(),
    };
    match verb {
        'v' => {
            if f.sharp_v {
                pad(out, &quote(&s_trunc), f)
            } else {
                pad(out, &s_trunc, f)
            }
        }
        's' => pad(out, &s_trunc, f),
        'q' => {
            let q = if f.sharp && can_backquote(&s_trunc) {
                format!("`{s_trunc}`")
            } else if f.plus {
                quote_ascii(&s_trunc)
            } else {
                quote(&s_trunc)
            };
            pad(out, &q, f)
        }
        'x' | 'X' => fmt_hex_bytes(out, s_trunc.as_bytes(), verb, f),
        _ => bad_verb(out, v, verb),
    }
}

fn fmt_hex_bytes(out: &mut String, b: &[u8], verb: char, f: &Flags) {
    let mut s = String::new();
    for (i, x) in b.iter().enumerate() {
        if f.space && i > 0 {
            s.push(' ');
        }
        if f.sharp && (f.space || i == 0) {
            s.push_str(if verb == 'x' { "0x" } else { "0X" });
        }
        if verb == 'x' {
            let _ = write!(s, "{x:02x}");
        } else {
            let _ = write!(s, "{x:02X}");
        }
    }
    pad(out, &s, f);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn floats_like_go() {
        assert_eq!(format_float(1e6, 'g', -1), "1e+06");
        assert_eq!(format_float(100000.0, 'g', -1), "100000");
        assert_eq!(format_float(12345678901.0, 'g', -1), "1.2345678901e+10");
        assert_eq!(format_float(0.000001, 'g', -1), "1e-06");
        assert_eq!(format_float(0.0001, 'g', -1), "0.0001");
        assert_eq!(format_float(3.0, 'g', -1), "3");
        assert_eq!(format_float(1.5, 'g', -1), "1.5");
        assert_eq!(format_float(-0.0, 'g', -1), "-0");
        assert_eq!(format_float(1.23456, 'f', 2), "1.23");
        assert_eq!(format_float(3.0, 'e', 6), "3.000000e+00");
        assert_eq!(format_float(1234.5678, 'g', 3), "1.23e+03");
        assert_eq!(format_float(1.0, 'g', 3), "1");
        assert_eq!(format_float(0.1, 'f', -1), "0.1");
        assert_eq!(format_float(1e21, 'g', -1), "1e+21");
        assert_eq!(format_float(123456.0, 'g', -1), "123456");
        assert_eq!(format_float(1234567.0, 'g', -1), "1.234567e+06");
    }

    #[test]
    fn printf_like_go() {
        let s = |f: &str, a: Vec<Value>| sprintf(f, &a);
        assert_eq!(s("%d", vec![Value::int(3)]), "3");
        assert_eq!(s("%d", vec![Value::float(3.0)]), "%!d(float64=3)");
        assert_eq!(s("%s", vec![Value::int(3)]), "%!s(int=3)");
        assert_eq!(s("%v", vec![Value::nil()]), "<nil>");
        assert_eq!(s("%s", vec![Value::nil()]), "%!s(<nil>)");
        assert_eq!(s("%d %d", vec![Value::int(1)]), "1 %!d(MISSING)");
        assert_eq!(
            s("%d", vec![Value::int(1), Value::string("x")]),
            "1%!(EXTRA string=x)"
        );
        assert_eq!(
            s(
                "%05d|%-4s|%4s|%x|%X|%o|%#x",
                vec![
                    Value::int(42),
                    Value::string("ab"),
                    Value::string("ab"),
                    Value::int(255),
                    Value::int(255),
                    Value::int(8),
                    Value::int(255)
                ]
            ),
            "00042|ab  |  ab|ff|FF|10|0xff"
        );
        assert_eq!(s("%q", vec![Value::string("a\"b\n")]), "\"a\\\"b\\n\"");
        assert_eq!(s("%.2f%%", vec![Value::float(12.345)]), "12.35%");
        assert_eq!(s("%6.2f", vec![Value::float(1.23456)]), "  1.23");
        assert_eq!(s("%t", vec![Value::bool(true)]), "true");
        assert_eq!(
            s("%T %T", vec![Value::float(1.0), Value::empty_map()]),
            "float64 map[string]interface {}"
        );
        assert_eq!(s("%!", vec![]), "%!!(MISSING)");
        assert_eq!(s("%", vec![]), "%!(NOVERB)");
        assert_eq!(s("%c", vec![Value::int(65)]), "A");
        assert_eq!(s("%+d", vec![Value::int(5)]), "+5");
        assert_eq!(s("%x", vec![Value::string("hi")]), "6869");
        assert_eq!(
            s("%[2]s %[1]s", vec![Value::string("a"), Value::string("b")]),
            "b a"
        );
        assert_eq!(s("%v", vec![Value::float(1e6)]), "1e+06");
        assert_eq!(s("%z", vec![Value::int(1)]), "%!z(int=1)");
    }

    #[test]
    fn composite_values() {
        let mut m = BTreeMap::new();
        m.insert(
            "b".into(),
            Value::list(vec![Value::int(1), Value::nil(), Value::string("x")]),
        );
        m.insert("a".into(), Value::float(2.5));
        let v = Value::map(m);
        assert_eq!(sprint_value(&v), "map[a:2.5 b:[1 <nil> x]]");
        assert_eq!(
            sprint(&[
                Value::int(1),
                Value::int(2),
                Value::string("a"),
                Value::int(3)
            ]),
            "1 2a3"
        );
        assert_eq!(sprintln(&[Value::int(1), Value::string("a")]), "1 a\n");
        assert_eq!(sprint_value(&Value::bytes(&b"hi"[..])), "[104 105]");
        assert_eq!(
            sprintf("%s", &[Value::list(vec![Value::int(1)])]),
            "[%!s(int=1)]"
        );
    }

    #[test]
    fn quoting() {
        assert_eq!(quote("a\tb\u{7f}é"), "\"a\\tb\\x7fé\"");
        assert_eq!(unicode_hash_u('A'), "U+0041 'A'");
    }
}
