//! Sprig's date.go: Go `time.Time` values, Go layouts (formatted and parsed by our own code:
//! Go's reference-date layouts have no crate equivalent), durations printed like
//! `time.Duration.String`. chrono does the calendar arithmetic, chrono-tz the IANA zones.

use std::any::Any as StdAny;
use std::borrow::Cow;

use chrono::{
    DateTime, Datelike, FixedOffset, Local, NaiveDate, NaiveDateTime, Offset, TimeZone, Timelike,
    Utc,
};

use super::util::*;
use crate::func::{CallCtx, FuncError, Registry, Sig, Ty};
use crate::value::{Data, Object, Value};

#[allow(unused_imports)]
use Ty::{Any, Bool, Float64, Int, MapAny, String as Str};

/// A Go `time.Time`: an instant, its zone offset and abbreviation.
#[derive(Clone, Debug)]
pub struct GoTime {
    pub t: DateTime<FixedOffset>,
    pub zone: String,
    /// `m=+…` suffix Go prints for times read from the monotonic clock (`now`).
    pub mono: Option<f64>,
}

fn zone_abbrev(off: i32) -> String {
    if off == 0 {
        "UTC".into()
    } else {
        let s = if off < 0 { '-' } else { '+' };
        let a = off.abs();
        if a % 3600 == 0 {
            format!("{s}{:02}", a / 3600)
        } else {
            format!("{s}{:02}{:02}", a / 3600, (a % 3600) / 60)
        }
    }
}

impl GoTime {
    pub fn now() -> GoTime {
        let l = Local::now();
        let off = l.offset().fix();
        let start = process_start();
        GoTime {
            t: l.with_timezone(&off),
            zone: zone_abbrev(off.local_minus_utc()),
            mono: Some(start.elapsed().as_secs_f64()),
        }
    }
    fn from_unix(secs: i64) -> GoTime {
        let utc = Utc.timestamp_opt(secs, 0).single().unwrap_or_default();
        local_of(utc)
    }
    fn in_zone(&self, zone: &str) -> GoTime {
        let utc = self.t.with_timezone(&Utc);
        if zone == "Local" {
            return local_of(utc);
        }
        match zone.parse::<chrono_tz::Tz>() {
            Ok(tz) => {
                let z = utc.with_timezone(&tz);
                let off = z.offset().fix();
                GoTime {
                    t: z.with_timezone(&off),
                    zone: z.format("%Z").to_string(),
                    mono: None,
                }
            }
            Err(_) => GoTime {
                t: utc.fixed_offset(),
                zone: "UTC".into(),
                mono: None,
            },
        }
    }
}

fn local_of(utc: DateTime<Utc>) -> GoTime {
    let l = utc.with_timezone(&Local);
    let off = l.offset().fix();
    GoTime {
        t: l.with_timezone(&off),
        zone: zone_abbrev(off.local_minus_utc()),
        mono: None,
    }
}

fn process_start() -> &'static std::time::Instant {
    static S: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    S.get_or_init(std::time::Instant::now)
}

impl Object for GoTime {
    fn type_name(&self) -> Cow<'_, str> {
        "time.Time".into()
    }
    fn kind_name(&self) -> &'static str {
        "struct"
    }
    fn method(&self, name: &str) -> Option<Sig> {
        match name {
            "Format" => Some(Sig::new(&[Str])),
            "Unix" | "UTC" | "Year" | "YearDay" | "Day" | "Hour" | "Minute" | "Second"
            | "Nanosecond" | "Month" | "Weekday" | "String" | "UnixNano" | "UnixMilli"
            | "Local" | "IsZero" => Some(Sig::new(&[])),
            _ => None,
        }
    }
    fn call_method(
        &self,
        _: &mut CallCtx<'_>,
        name: &str,
        a: Vec<Value>,
    ) -> Result<Value, FuncError> {
        let t = &self.t;
        Ok(match name {
            "Format" => Value::string(format_layout(self, s(&a[0]))),
            "Unix" => Value::int64(t.timestamp()),
            "UnixNano" => Value::int64(t.timestamp_nanos_opt().unwrap_or(0)),
            "UnixMilli" => Value::int64(t.timestamp_millis()),
            "UTC" => Value::object(GoTime {
                t: t.with_timezone(&Utc).fixed_offset(),
                zone: "UTC".into(),
                mono: None,
            }),
            "Local" => Value::object(local_of(t.with_timezone(&Utc))),
            "Year" => Value::int(t.year() as i64),
            "YearDay" => Value::int(t.ordinal() as i64),
            "Day" => Value::int(t.day() as i64),
            "Hour" => Value::int(t.hour() as i64),
            "Minute" => Value::int(t.minute() as i64),
            "Second" => Value::int(t.second() as i64),
            "Nanosecond" => Value::int(t.nanosecond() as i64),
            "Month" => Value::string(MONTHS[t.month0() as usize]),
            "Weekday" => Value::string(DAYS[t.weekday().num_days_from_sunday() as usize]),
            "IsZero" => Value::bool(false),
            _ => Value::string(self.go_string()),
        })
    }
    /// `time.Time.String()`: `2006-01-02 15:04:05.999999999 -0700 MST`, plus `m=±…` when
    /// the time carries a monotonic reading.
    fn go_string(&self) -> String {
        let mut s = format_layout(self, "2006-01-02 15:04:05.999999999 -0700 MST");
        if let Some(m) = self.mono {
            s.push_str(&format!(" m=+{m:.9}"));
        }
        s
    }
    /// encoding/json marshals a time as RFC 3339 with nanoseconds.
    fn to_plain(&self) -> Option<Value> {
        Some(Value::string(format_layout(
            self,
            "2006-01-02T15:04:05.999999999Z07:00",
        )))
    }
    fn as_any(&self) -> &dyn StdAny {
        self
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

pub fn register(r: &mut Registry) {
    r.insert("now", Sig::new(&[]), |_, _| {
        Ok(Value::object(GoTime::now()))
    });
    r.insert("date", Sig::new(&[Str, Any]), |_, a| {
        string(date_in_zone(s(&a[0]), &a[1], "Local"))
    });
    r.insert("htmlDate", Sig::new(&[Any]), |_, a| {
        string(date_in_zone("2006-01-02", &a[0], "Local"))
    });
    for n in ["dateInZone", "date_in_zone"] {
        r.insert(n, Sig::new(&[Str, Any, Str]), |_, a| {
            string(date_in_zone(s(&a[0]), &a[1], s(&a[2])))
        });
    }
    r.insert("htmlDateInZone", Sig::new(&[Any, Str]), |_, a| {
        string(date_in_zone("2006-01-02", &a[0], s(&a[1])))
    });
    for n in ["dateModify", "date_modify"] {
        r.insert(n, Sig::new(&[Str, Any]), |_, a| {
            let t = as_time(&a[1])?;
            Ok(match parse_duration(s(&a[0])) {
                Ok(d) => Value::object(add_nanos(&t, d)),
                Err(_) => a[1].clone(),
            })
        });
    }
    for n in ["mustDateModify", "must_date_modify"] {
        r.insert(n, Sig::new(&[Str, Any]), |_, a| {
            let t = as_time(&a[1])?;
            let d = parse_duration(s(&a[0])).map_err(FuncError::new)?;
            Ok(Value::object(add_nanos(&t, d)))
        });
    }
    r.insert("ago", Sig::new(&[Any]), |_, a| {
        let t = match &a[0].data {
            Data::Int(x) | Data::Int64(x) => GoTime::from_unix(*x),
            _ => match time_of(&a[0]) {
                Some(t) => t,
                None => GoTime::now(),
            },
        };
        let d = Utc::now()
            .signed_duration_since(t.t)
            .num_nanoseconds()
            .unwrap_or(0);
        string(go_duration(round_to(d, 1_000_000_000)))
    });
    r.insert("duration", Sig::new(&[Any]), |_, a| {
        let secs = match &a[0].data {
            Data::Str(x) => x.parse::<i64>().unwrap_or(0),
            // Sprig switches on int64 only: a Go int (a template literal) gives 0.
            Data::Int64(x) => *x,
            _ => 0,
        };
        string(go_duration(secs.saturating_mul(1_000_000_000)))
    });
    r.insert("durationRound", Sig::new(&[Any]), |_, a| {
        let d: i64 = match &a[0].data {
            Data::Str(x) => parse_duration(x).unwrap_or(0),
            Data::Int64(x) => *x,
            Data::Object(_) => {
                let t = time_of(&a[0]).ok_or_else(|| FuncError::new("bad time"))?;
                Utc::now()
                    .signed_duration_since(t.t)
                    .num_nanoseconds()
                    .unwrap_or(0)
            }
            _ => 0,
        };
        string(duration_round(d))
    });
    r.insert("toDate", Sig::new(&[Str, Str]), |_, a| {
        Ok(parse_layout(s(&a[0]), s(&a[1]))
            .map(Value::object)
            .unwrap_or_else(|_| Value::object(zero_time())))
    });
    r.insert("mustToDate", Sig::new(&[Str, Str]), |_, a| {
        parse_layout(s(&a[0]), s(&a[1]))
            .map(Value::object)
            .map_err(FuncError::new)
    });
    r.insert("unixEpoch", Sig::new(&[Any]), |_, a| {
        let t = as_time(&a[0])?;
        string(t.t.timestamp().to_string())
    });
}

fn zero_time() -> GoTime {
    let t = NaiveDate::from_ymd_opt(1, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    GoTime {
        t: Utc.from_utc_datetime(&t).fixed_offset(),
        zone: "UTC".into(),
        mono: None,
    }
}

fn time_of(v: &Value) -> Option<GoTime> {
    match &v.data {
        Data::Object(o) => o.as_any().downcast_ref::<GoTime>().cloned(),
        _ => None,
    }
}

fn as_time(v: &Value) -> Result<GoTime, FuncError> {
    time_of(v).ok_or_else(|| {
        FuncError::new(format!(
            "wrong type for value; expected time.Time; got {}",
            v.type_name()
        ))
    })
}

fn add_nanos(t: &GoTime, d: i64) -> GoTime {
    GoTime {
        t: t.t + chrono::Duration::nanoseconds(d),
        zone: t.zone.clone(),
        mono: t.mono.map(|m| m + d as f64 / 1e9),
    }
}

fn date_in_zone(layout: &str, date: &Value, zone: &str) -> String {
    let t = match &date.data {
        Data::Int(x) | Data::Int64(x) => GoTime::from_unix(*x),
        _ => time_of(date).unwrap_or_else(GoTime::now),
    };
    format_layout(&t.in_zone(zone), layout)
}

/// Go's `time.ParseDuration`, in nanoseconds.
pub fn parse_duration(s0: &str) -> Result<i64, String> {
    let bad = || format!("time: invalid duration {}", super::strings::go_quote(s0));
    let mut s = s0;
    let mut neg = false;
    if let Some(r) = s.strip_prefix('-') {
        neg = true;
        s = r;
    } else if let Some(r) = s.strip_prefix('+') {
        s = r;
    }
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(bad());
    }
    let mut total: f64 = 0.0;
    while !s.is_empty() {
        let n = s
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(s.len());
        if n == 0 {
            return Err(bad());
        }
        let num: f64 = s[..n].parse().map_err(|_| bad())?;
        s = &s[n..];
        let u = s
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(s.len());
        let unit = match &s[..u] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            "" => {
                return Err(format!(
                    "time: missing unit in duration {}",
                    super::strings::go_quote(s0)
                ))
            }
            other => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    super::strings::go_quote(other),
                    super::strings::go_quote(s0)
                ))
            }
        };
        total += num * unit;
        s = &s[u..];
    }
    if total > i64::MAX as f64 {
        return Err(bad());
    }
    Ok(if neg { -(total as i64) } else { total as i64 })
}

fn round_to(d: i64, m: i64) -> i64 {
    let r = d % m;
    if d < 0 {
        let r = -r;
        if r + r < m {
            d + r
        } else {
            d - m + r
        }
    } else if r + r < m {
        d - r
    } else {
        d + m - r
    }
}

/// Go's `time.Duration.String()`.
pub fn go_duration(d: i64) -> String {
    if d == 0 {
        return "0s".into();
    }
    let neg = d < 0;
    let u = d.unsigned_abs();
    let mut out = String::new();
    if u < 1_000_000_000 {
        let (unit, div) = if u < 1_000 {
            ("ns", 1u64)
        } else if u < 1_000_000 {
            ("µs", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        out.push_str(&frac(u, div));
        out.push_str(unit);
    } else {
        let h = u / 3_600_000_000_000;
        let m = (u / 60_000_000_000) % 60;
        let sec_ns = u % 60_000_000_000;
        if h > 0 {
            out.push_str(&format!("{h}h"));
        }
        if h > 0 || m > 0 {
            out.push_str(&format!("{m}m"));
        }
        out.push_str(&frac(sec_ns, 1_000_000_000));
        out.push('s');
    }
    if neg {
        format!("-{out}")
    } else {
        out
    }
}

fn frac(v: u64, div: u64) -> String {
    let int = v / div;
    let rem = v % div;
    if rem == 0 {
        return int.to_string();
    }
    let width = (div as f64).log10() as usize;
    let f = format!("{rem:0width$}");
    format!("{int}.{}", f.trim_end_matches('0'))
}

/// Sprig `durationRound`: the largest unit only (`2h`, `3d`, `1y`), sign dropped, each
/// unit used only when strictly exceeded.
fn duration_round(d: i64) -> String {
    let u = d.unsigned_abs();
    let sec = 1_000_000_000u64;
    let units = [
        (3600 * 24 * 365 * sec, "y"),
        (3600 * 24 * 30 * sec, "mo"),
        (3600 * 24 * sec, "d"),
        (3600 * sec, "h"),
        (60 * sec, "m"),
        (sec, "s"),
    ];
    for (size, name) in units {
        if u > size {
            return format!("{}{name}", u / size);
        }
    }
    "0s".into()
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Lit(String),
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    PM,
    Pm,
    TZ,
    /// (z_for_utc, colons, seconds, hours_only)
    Offset(bool, bool, bool, bool),
    /// (digits, trim_zeros, comma)
    Frac(usize, bool, bool),
}

/// Go's `nextStdChunk`, as a tokenizer.
fn tokenize(layout: &str) -> Vec<Tok> {
    tokenize_with_text(layout)
        .into_iter()
        .map(|(t, _)| t)
        .collect()
}

/// Tokens with the layout text each came from (Go's parse errors quote it).
fn tokenize_with_text(layout: &str) -> Vec<(Tok, String)> {
    let b = layout.as_bytes();
    let mut toks: Vec<(Tok, String)> = vec![];
    let mut lit = String::new();
    let mut i = 0;
    let starts = |i: usize, p: &str| layout[i..].starts_with(p);
    while i < b.len() {
        let mut t: Option<(Tok, usize)> = None;
        match b[i] {
            b'J' => {
                if starts(i, "January") {
                    t = Some((Tok::LongMonth, 7));
                } else if starts(i, "Jan") {
                    t = Some((Tok::Month, 3));
                }
            }
            b'M' => {
                if starts(i, "Monday") {
                    t = Some((Tok::LongWeekDay, 6));
                } else if starts(i, "Mon") {
                    t = Some((Tok::WeekDay, 3));
                } else if starts(i, "MST") {
                    t = Some((Tok::TZ, 3));
                }
            }
            b'0' => {
                if i + 1 < b.len() && (b'1'..=b'6').contains(&b[i + 1]) {
                    t = Some((
                        match b[i + 1] {
                            b'1' => Tok::ZeroMonth,
                            b'2' => Tok::ZeroDay,
                            b'3' => Tok::ZeroHour12,
                            b'4' => Tok::ZeroMinute,
                            b'5' => Tok::ZeroSecond,
                            _ => Tok::Year,
                        },
                        2,
                    ));
                }
                if starts(i, "002") {
                    t = Some((Tok::ZeroYearDay, 3));
                }
            }
            b'1' => {
                if starts(i, "15") {
                    t = Some((Tok::Hour, 2));
                } else {
                    t = Some((Tok::NumMonth, 1));
                }
            }
            b'2' => {
                if starts(i, "2006") {
                    t = Some((Tok::LongYear, 4));
                } else {
                    t = Some((Tok::Day, 1));
                }
            }
            b'_' => {
                if starts(i, "_2") {
                    if starts(i, "_2006") {
                        // "_" then a year.
                    } else if starts(i, "__2") {
                    } else {
                        t = Some((Tok::UnderDay, 2));
                    }
                }
                if starts(i, "__2") {
                    t = Some((Tok::UnderYearDay, 3));
                }
            }
            b'3' => t = Some((Tok::Hour12, 1)),
            b'4' => t = Some((Tok::Minute, 1)),
            b'5' => t = Some((Tok::Second, 1)),
            b'P' if starts(i, "PM") => t = Some((Tok::PM, 2)),
            b'p' if starts(i, "pm") => t = Some((Tok::Pm, 2)),
            b'-' | b'Z' => {
                let z = b[i] == b'Z';
                for (p, colons, secs, hours) in [
                    ("070000", false, true, false),
                    ("07:00:00", true, true, false),
                    ("0700", false, false, false),
                    ("07:00", true, false, false),
                    ("07", false, false, true),
                ] {
                    if starts(i + 1, p) {
                        t = Some((Tok::Offset(z, colons, secs, hours), 1 + p.len()));
                        break;
                    }
                }
            }
            b'.' | b',' if i + 1 < b.len() && (b[i + 1] == b'0' || b[i + 1] == b'9') => {
                {
                    let ch = b[i + 1];
                    let mut j = i + 1;
                    while j < b.len() && b[j] == ch {
                        j += 1;
                    }
                    // A fraction only if not followed by another digit.
                    if !(j < b.len() && b[j].is_ascii_digit()) {
                        t = Some((Tok::Frac(j - i - 1, ch == b'9', b[i] == b','), j - i));
                    }
                }
            }
            _ => {}
        }
        match t {
            Some((tok, n)) => {
                if !lit.is_empty() {
                    let l = std::mem::take(&mut lit);
                    toks.push((Tok::Lit(l.clone()), l));
                }
                toks.push((tok, layout[i..i + n].to_string()));
                i += n;
            }
            None => {
                let c = layout[i..].chars().next().unwrap();
                lit.push(c);
                i += c.len_utf8();
            }
        }
    }
    if !lit.is_empty() {
        toks.push((Tok::Lit(lit.clone()), lit));
    }
    toks
}

/// Go's `Time.Format`.
pub fn format_layout(gt: &GoTime, layout: &str) -> String {
    let t = &gt.t;
    let mut out = String::new();
    for tok in tokenize(layout) {
        match tok {
            Tok::Lit(s) => out.push_str(&s),
            Tok::LongMonth => out.push_str(MONTHS[t.month0() as usize]),
            Tok::Month => out.push_str(&MONTHS[t.month0() as usize][..3]),
            Tok::NumMonth => out.push_str(&t.month().to_string()),
            Tok::ZeroMonth => out.push_str(&format!("{:02}", t.month())),
            Tok::LongWeekDay => out.push_str(DAYS[t.weekday().num_days_from_sunday() as usize]),
            Tok::WeekDay => out.push_str(&DAYS[t.weekday().num_days_from_sunday() as usize][..3]),
            Tok::Day => out.push_str(&t.day().to_string()),
            Tok::UnderDay => out.push_str(&format!("{:>2}", t.day())),
            Tok::ZeroDay => out.push_str(&format!("{:02}", t.day())),
            Tok::UnderYearDay => out.push_str(&format!("{:>3}", t.ordinal())),
            Tok::ZeroYearDay => out.push_str(&format!("{:03}", t.ordinal())),
            Tok::Hour => out.push_str(&format!("{:02}", t.hour())),
            Tok::Hour12 => out.push_str(&h12(t.hour()).to_string()),
            Tok::ZeroHour12 => out.push_str(&format!("{:02}", h12(t.hour()))),
            Tok::Minute => out.push_str(&t.minute().to_string()),
            Tok::ZeroMinute => out.push_str(&format!("{:02}", t.minute())),
            Tok::Second => out.push_str(&t.second().to_string()),
            Tok::ZeroSecond => out.push_str(&format!("{:02}", t.second())),
            Tok::LongYear => out.push_str(&format!("{:04}", t.year())),
            Tok::Year => out.push_str(&format!("{:02}", t.year().rem_euclid(100))),
            Tok::PM => out.push_str(if t.hour() >= 12 { "PM" } else { "AM" }),
            Tok::Pm => out.push_str(if t.hour() >= 12 { "pm" } else { "am" }),
            Tok::TZ => out.push_str(&gt.zone),
            Tok::Offset(z, colons, secs, hours) => {
                let off = t.offset().local_minus_utc();
                if z && off == 0 {
                    out.push('Z');
                    continue;
                }
                let sign = if off < 0 { '-' } else { '+' };
                let a = off.abs();
                out.push(sign);
                out.push_str(&format!("{:02}", a / 3600));
                if !hours {
                    if colons {
                        out.push(':');
                    }
                    out.push_str(&format!("{:02}", (a % 3600) / 60));
                }
                if secs {
                    if colons {
                        out.push(':');
                    }
                    out.push_str(&format!("{:02}", a % 60));
                }
            }
            Tok::Frac(n, trim, comma) => {
                let ns = format!("{:09}", t.nanosecond() % 1_000_000_000);
                let digits = &ns[..n.min(9)];
                let digits = if trim {
                    digits.trim_end_matches('0')
                } else {
                    digits
                };
                if !digits.is_empty() {
                    out.push(if comma { ',' } else { '.' });
                    out.push_str(digits);
                }
            }
        }
    }
    out
}

fn h12(h: u32) -> u32 {
    match h % 12 {
        0 => 12,
        x => x,
    }
}

/// Go's `time.ParseInLocation(layout, value, time.Local)` for the common layout elements.
pub fn parse_layout(layout: &str, value: &str) -> Result<GoTime, String> {
    let err = |what: &str, elem: &str| {
        format!(
            "parsing time {} as {}: cannot parse {} as {}",
            super::strings::go_quote(value),
            super::strings::go_quote(layout),
            super::strings::go_quote(what),
            super::strings::go_quote(elem)
        )
    };
    let (mut year, mut month, mut day, mut hour, mut min, mut sec, mut nsec) =
        (1i32, 1u32, 1u32, 0u32, 0u32, 0u32, 0u32);
    let mut pm: Option<bool> = None;
    let mut off: Option<i32> = None;
    let mut v = value;
    let num = |v: &mut &str, min_d: usize, max_d: usize| -> Option<u32> {
        let n = v.bytes().take(max_d).take_while(u8::is_ascii_digit).count();
        if n < min_d {
            return None;
        }
        let x = v[..n].parse().ok()?;
        *v = &v[n..];
        Some(x)
    };
    for (tok, elem) in tokenize_with_text(layout) {
        let before = v;
        let ok = match tok {
            Tok::Lit(l) => match v.strip_prefix(l.as_str()) {
                Some(r) => {
                    v = r;
                    true
                }
                None => false,
            },
            Tok::LongMonth | Tok::Month => {
                let long = tok == Tok::LongMonth;
                let found = MONTHS.iter().enumerate().find(|(_, m)| {
                    let name = if long { &m[..] } else { &m[..3] };
                    v.len() >= name.len() && v[..name.len()].eq_ignore_ascii_case(name)
                });
                match found {
                    Some((k, m)) => {
                        month = k as u32 + 1;
                        v = &v[if long { m.len() } else { 3 }..];
                        true
                    }
                    None => false,
                }
            }
            Tok::LongWeekDay | Tok::WeekDay => {
                let long = tok == Tok::LongWeekDay;
                let found = DAYS.iter().find(|d| {
                    let name = if long { &d[..] } else { &d[..3] };
                    v.len() >= name.len() && v[..name.len()].eq_ignore_ascii_case(name)
                });
                match found {
                    Some(d) => {
                        v = &v[if long { d.len() } else { 3 }..];
                        true
                    }
                    None => false,
                }
            }
            Tok::NumMonth | Tok::ZeroMonth => {
                num(&mut v, if tok == Tok::ZeroMonth { 2 } else { 1 }, 2)
                    .map(|x| month = x)
                    .is_some()
            }
            Tok::Day | Tok::ZeroDay => num(&mut v, if tok == Tok::ZeroDay { 2 } else { 1 }, 2)
                .map(|x| day = x)
                .is_some(),
            Tok::UnderDay => {
                if v.starts_with(' ') {
                    v = &v[1..];
                }
                num(&mut v, 1, 2).map(|x| day = x).is_some()
            }
            Tok::UnderYearDay | Tok::ZeroYearDay => num(&mut v, 1, 3).is_some(),
            Tok::Hour => num(&mut v, 2, 2).map(|x| hour = x).is_some(),
            Tok::Hour12 | Tok::ZeroHour12 => {
                num(&mut v, if tok == Tok::ZeroHour12 { 2 } else { 1 }, 2)
                    .map(|x| hour = x)
                    .is_some()
            }
            Tok::Minute | Tok::ZeroMinute => {
                num(&mut v, if tok == Tok::ZeroMinute { 2 } else { 1 }, 2)
                    .map(|x| min = x)
                    .is_some()
            }
            Tok::Second | Tok::ZeroSecond => {
                let ok = num(&mut v, if tok == Tok::ZeroSecond { 2 } else { 1 }, 2)
                    .map(|x| sec = x)
                    .is_some();
                // Go accepts a fraction after seconds even when the layout has none.
                if ok
                    && (v.starts_with('.') || v.starts_with(','))
                    && v[1..].starts_with(|c: char| c.is_ascii_digit())
                {
                    let n = v[1..].bytes().take_while(u8::is_ascii_digit).count();
                    let f = format!("{:0<9}", &v[1..1 + n.min(9)]);
                    nsec = f.parse().unwrap_or(0);
                    v = &v[1 + n..];
                }
                ok
            }
            Tok::LongYear => num(&mut v, 4, 4).map(|x| year = x as i32).is_some(),
            Tok::Year => num(&mut v, 2, 2)
                .map(|x| {
                    year = if x >= 69 {
                        1900 + x as i32
                    } else {
                        2000 + x as i32
                    }
                })
                .is_some(),
            Tok::PM | Tok::Pm => {
                let p = v.get(..2).map(|x| x.to_ascii_uppercase());
                match p.as_deref() {
                    Some("PM") => {
                        pm = Some(true);
                        v = &v[2..];
                        true
                    }
                    Some("AM") => {
                        pm = Some(false);
                        v = &v[2..];
                        true
                    }
                    _ => false,
                }
            }
            Tok::TZ => {
                let n = v.bytes().take_while(|b| b.is_ascii_uppercase()).count();
                if n >= 3 {
                    if &v[..n] == "UTC" || &v[..n] == "GMT" {
                        off = Some(0);
                    }
                    v = &v[n..];
                    true
                } else {
                    false
                }
            }
            Tok::Offset(z, colons, secs, hours) => {
                if z && v.starts_with('Z') {
                    v = &v[1..];
                    off = Some(0);
                    true
                } else if v.starts_with('+') || v.starts_with('-') {
                    let neg = v.starts_with('-');
                    v = &v[1..];
                    let h = num(&mut v, 2, 2);
                    let mut m = Some(0);
                    let mut sx = Some(0);
                    if !hours {
                        if colons {
                            v = v.strip_prefix(':').unwrap_or(v);
                        }
                        m = num(&mut v, 2, 2);
                    }
                    if secs {
                        if colons {
                            v = v.strip_prefix(':').unwrap_or(v);
                        }
                        sx = num(&mut v, 2, 2);
                    }
                    match (h, m, sx) {
                        (Some(h), Some(m), Some(sx)) => {
                            let o = (h * 3600 + m * 60 + sx) as i32;
                            off = Some(if neg { -o } else { o });
                            true
                        }
                        _ => false,
                    }
                } else {
                    false
                }
            }
            Tok::Frac(n, trim, _) => {
                if v.starts_with('.') || v.starts_with(',') {
                    let k = v[1..].bytes().take_while(u8::is_ascii_digit).count();
                    if !trim && k != n {
                        false
                    } else {
                        let f = format!("{:0<9}", &v[1..1 + k.min(9)]);
                        nsec = f.parse().unwrap_or(0);
                        v = &v[1 + k..];
                        true
                    }
                } else {
                    trim
                }
            }
        };
        if !ok {
            return Err(err(before, &elem));
        }
    }
    if !v.is_empty() {
        return Err(format!(
            "parsing time {}: extra text: {}",
            super::strings::go_quote(value),
            super::strings::go_quote(v)
        ));
    }
    if let Some(p) = pm {
        if p && hour < 12 {
            hour += 12;
        } else if !p && hour == 12 {
            hour = 0;
        }
    }
    let date = NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| {
        format!(
            "parsing time {}: day out of range",
            super::strings::go_quote(value)
        )
    })?;
    let naive: NaiveDateTime = date.and_hms_nano_opt(hour, min, sec, nsec).ok_or_else(|| {
        format!(
            "parsing time {}: hour out of range",
            super::strings::go_quote(value)
        )
    })?;
    Ok(match off {
        Some(o) => {
            let fo = FixedOffset::east_opt(o).unwrap_or(FixedOffset::east_opt(0).unwrap());
            let t = fo.from_local_datetime(&naive).single().unwrap_or_default();
            let zone = if o == 0 {
                "UTC".to_string()
            } else {
                String::new()
            };
            GoTime {
                t,
                zone,
                mono: None,
            }
        }
        None => {
            let l = Local
                .from_local_datetime(&naive)
                .earliest()
                .unwrap_or_else(|| Local.from_utc_datetime(&naive));
            let fo = l.offset().fix();
            GoTime {
                t: l.with_timezone(&fo),
                zone: zone_abbrev(fo.local_minus_utc()),
                mono: None,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts() {
        let t = parse_layout("2006-01-02 15:04:05 -0700", "2024-03-05 07:08:09 +0000").unwrap();
        assert_eq!(
            format_layout(&t, "Mon Jan _2 3:04PM 2006 .000 Z07:00"),
            "Tue Mar  5 7:08AM 2024 .000 Z"
        );
        assert_eq!(format_layout(&t, time_rfc3339()), "2024-03-05T07:08:09Z");
        assert!(parse_layout("2006-01-02", "2024-13-01").is_err());
        assert_eq!(go_duration(90 * 1_000_000_000), "1m30s");
        assert_eq!(go_duration(1_500_000), "1.5ms");
        assert_eq!(parse_duration("1h30m").unwrap(), 5_400_000_000_000);
        assert_eq!(duration_round(3 * 86_400_000_000_000 + 5), "3d");
    }

    fn time_rfc3339() -> &'static str {
        "2006-01-02T15:04:05Z07:00"
    }
}
