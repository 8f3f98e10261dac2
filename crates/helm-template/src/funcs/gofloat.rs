//! Go's `strconv.FormatFloat` for float64 with precision -1 (shortest round-trip digits), in
//! the three formats Helm's output depends on: `'g'` (yaml.v2/yaml.v3 floats, `%v`), `'e'`
//! and `'f'`, plus `encoding/json`'s float rule. Our own code because output fidelity is the
//! point: Rust's `Display` picks other thresholds and exponent spellings (`1e-7` vs `1e-07`).
//! The shortest digits themselves come from Rust's `{:e}`, which is also shortest round-trip.

/// Shortest decimal digits of |f| and the decimal point position: f = 0.d1d2d3… × 10^dp.
fn shortest_digits(f: f64) -> (Vec<u8>, i32) {
    let s = format!("{:e}", f.abs());
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: Vec<u8> = mant.bytes().filter(|b| b.is_ascii_digit()).collect();
    if digits.iter().all(|&d| d == b'0') {
        return (vec![b'0'], 1);
    }
    (digits, exp + 1)
}

fn special(f: f64) -> Option<String> {
    if f.is_nan() {
        Some("NaN".into())
    } else if f.is_infinite() {
        Some(if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        })
    } else {
        None
    }
}

fn sign(f: f64) -> &'static str {
    if f.is_sign_negative() {
        "-"
    } else {
        ""
    }
}

fn fmt_e(neg: &str, digits: &[u8], dp: i32, prec: usize) -> String {
    let mut out = String::from(neg);
    out.push(digits[0] as char);
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            out.push(*digits.get(i).unwrap_or(&b'0') as char);
        }
    }
    let exp = if digits == [b'0'] { 0 } else { dp - 1 };
    out.push('e');
    out.push(if exp < 0 { '-' } else { '+' });
    let e = exp.unsigned_abs();
    if e < 10 {
        out.push('0');
    }
    out.push_str(&e.to_string());
    out
}

fn fmt_f(neg: &str, digits: &[u8], dp: i32, prec: usize) -> String {
    let mut out = String::from(neg);
    if dp > 0 {
        for i in 0..dp as usize {
            out.push(*digits.get(i).unwrap_or(&b'0') as char);
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for i in 0..prec as i32 {
            let j = dp + i;
            let d = if j >= 0 {
                digits.get(j as usize).copied().unwrap_or(b'0')
            } else {
                b'0'
            };
            out.push(d as char);
        }
    }
    out
}

/// `strconv.FormatFloat(f, 'g', -1, 64)`: also what `fmt` prints for `%v` of a float64.
pub fn format_g(f: f64) -> String {
    if let Some(s) = special(f) {
        return s;
    }
    let (digits, dp) = shortest_digits(f);
    let exp = dp - 1;
    // Shortest form: Go chooses %e vs %f as if the precision were 6 (strconv/ftoa.go),
    // but keeps every digit.
    if !(-4..6).contains(&exp) {
        fmt_e(sign(f), &digits, dp, digits.len() - 1)
    } else {
        let prec = (digits.len() as i32 - dp).max(0) as usize;
        fmt_f(sign(f), &digits, dp, prec)
    }
}

/// `strconv.FormatFloat(f, 'e', -1, 64)`.
pub fn format_e(f: f64) -> String {
    if let Some(s) = special(f) {
        return s;
    }
    let (digits, dp) = shortest_digits(f);
    fmt_e(sign(f), &digits, dp, digits.len() - 1)
}

/// `strconv.FormatFloat(f, 'f', -1, 64)`.
pub fn format_f(f: f64) -> String {
    if let Some(s) = special(f) {
        return s;
    }
    let (digits, dp) = shortest_digits(f);
    let prec = (digits.len() as i32 - dp).max(0) as usize;
    fmt_f(sign(f), &digits, dp, prec)
}

/// How `encoding/json` writes a float64 (`floatEncoder.encode`): `'f'` between 1e-6 and
/// 1e21, else `'e'` with a one-digit negative exponent (`1e-7`, but `1e+21`). `None` for
/// NaN/±Inf, which json.Marshal refuses (`UnsupportedValueError`).
pub fn format_json(f: f64) -> Option<String> {
    if f.is_nan() || f.is_infinite() {
        return None;
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let mut s = format_e(f);
        let b = s.as_bytes();
        let n = b.len();
        if n >= 4 && b[n - 4] == b'e' && b[n - 3] == b'-' && b[n - 2] == b'0' {
            s.remove(n - 2);
        }
        Some(s)
    } else {
        Some(format_f(f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g_matches_go() {
        for (f, want) in [
            (3.0, "3"),
            (0.5, "0.5"),
            (1e6, "1e+06"),
            (123456.0, "123456"),
            (1234567.0, "1.234567e+06"),
            (12345678901.0, "1.2345678901e+10"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.2345678901234568e20, "1.2345678901234568e+20"),
            (-2.5, "-2.5"),
            (0.0, "0"),
            (-0.0, "-0"),
            (1e100, "1e+100"),
            (f64::INFINITY, "+Inf"),
            (0.1 + 0.2, "0.30000000000000004"),
        ] {
            assert_eq!(format_g(f), want, "{f}");
        }
    }

    #[test]
    fn json_matches_go() {
        for (f, want) in [
            (3.0, "3"),
            (1e6, "1000000"),
            (12345678901.0, "12345678901"),
            (0.000001, "0.000001"),
            (0.0000001, "1e-7"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (-1.5, "-1.5"),
            (1.5e-10, "1.5e-10"),
        ] {
            assert_eq!(format_json(f).unwrap(), want, "{f}");
        }
    }
}
