//! `semver` and `semverCompare`: a port of Masterminds/semver v3.3.0 (the version Sprig
//! v3.3.0 pins) — its loose version syntax, constraint grammar (`||`, commas, hyphen
//! ranges, `x`/`*` wildcards, `~ ^ != >= =<`…) and its pre-release rule. The `semver` crate
//! implements Cargo's rules, which differ (`^0.x`, wildcards, pre-releases), hence the port.

use std::any::Any as StdAny;
use std::borrow::Cow;
use std::cmp::Ordering;
use std::sync::OnceLock;

use regex::Regex;

use super::util::*;
use crate::func::{CallCtx, FuncError, HelmVersion, Registry, Sig, Ty};
use crate::value::{Object, Value};

#[allow(unused_imports)]
use Ty::{Any, Bool, Float64, Int, MapAny, String as Str};

pub fn register(r: &mut Registry) {
    // Helm 3 links Masterminds/semver v3.3.0, Helm 4 v3.4.0: lower-case error texts, and a
    // pre-release version is admitted by a whole `||` group when any constraint of the group
    // names a pre-release (v3.3.0: only by the constraint that names one).
    r.insert("semver", Sig::new(&[Str]), |c, a| {
        let v4 = c.helm_version() == HelmVersion::V4;
        let v = Version::parse(s(&a[0])).map_err(|e| FuncError::new(errcase(e, v4)))?;
        Ok(Value::object(v))
    });
    r.insert("semverCompare", Sig::new(&[Str, Str]), |c, a| {
        let v4 = c.helm_version() == HelmVersion::V4;
        let cs = Constraints::parse(s(&a[0])).map_err(|e| FuncError::new(errcase(e, v4)))?;
        let v = Version::parse(s(&a[1])).map_err(|e| FuncError::new(errcase(e, v4)))?;
        Ok(Value::bool(if v4 {
            cs.check_v34(&v)
        } else {
            cs.check(&v)
        }))
    });
}

/// v3.4.0 spells its errors in lower case.
fn errcase(e: String, v4: bool) -> String {
    if !v4 {
        return e;
    }
    match e.as_str() {
        "Invalid Semantic Version" => "invalid semantic version".into(),
        "Version segment starts with 0" => "version segment starts with 0".into(),
        "constraint Parser Error" => "constraint parser error".into(),
        _ => match e.strip_prefix("Error parsing version segment") {
            Some(rest) => format!("error parsing version segment{rest}"),
            None => e,
        },
    }
}

const SEMVER: &str = r"v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";
const CV: &str = r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";
const OPS: &str = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^";

struct Res {
    version: Regex,
    constraint: Regex,
    range: Regex,
    find: Regex,
    valid: Regex,
}

fn res() -> &'static Res {
    static R: OnceLock<Res> = OnceLock::new();
    R.get_or_init(|| Res {
        version: Regex::new(&format!("^{SEMVER}$")).unwrap(),
        constraint: Regex::new(&format!(r"^\s*({OPS})\s*({CV})\s*$")).unwrap(),
        range: Regex::new(&format!(r"\s*({CV})\s+-\s+({CV})\s*")).unwrap(),
        find: Regex::new(&format!(r"({OPS})\s*({CV})")).unwrap(),
        valid: Regex::new(&format!(
            r"^(\s*({OPS})\s*({CV})\s*)((?:\s+|,\s*)({OPS})\s*({CV})\s*)*$"
        ))
        .unwrap(),
    })
}

/// A Masterminds `*semver.Version`.
#[derive(Clone, Debug)]
pub struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
    metadata: String,
    original: String,
}

impl Version {
    pub fn parse(v: &str) -> Result<Version, String> {
        let m = res()
            .version
            .captures(v)
            .ok_or("Invalid Semantic Version")?;
        let seg = |k: usize| -> Result<u64, String> {
            match m.get(k) {
                None => Ok(0),
                Some(x) => x.as_str().trim_start_matches('.').parse::<u64>().map_err(|_| {
                    format!(
                        "Error parsing version segment: strconv.ParseUint: parsing {}: value out of range",
                        super::strings::go_quote(x.as_str().trim_start_matches('.'))
                    )
                }),
            }
        };
        let pre = m.get(5).map(|x| x.as_str().to_string()).unwrap_or_default();
        if !pre.is_empty() {
            for p in pre.split('.') {
                if p.bytes().all(|b| b.is_ascii_digit()) && p.len() > 1 && p.starts_with('0') {
                    return Err("Version segment starts with 0".into());
                }
            }
        }
        Ok(Version {
            major: seg(1)?,
            minor: seg(2)?,
            patch: seg(3)?,
            pre,
            metadata: m.get(8).map(|x| x.as_str().to_string()).unwrap_or_default(),
            original: v.to_string(),
        })
    }

    fn compare(&self, o: &Version) -> Ordering {
        self.major
            .cmp(&o.major)
            .then(self.minor.cmp(&o.minor))
            .then(self.patch.cmp(&o.patch))
            .then_with(|| match (self.pre.is_empty(), o.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => compare_prerelease(&self.pre, &o.pre),
            })
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.metadata.is_empty() {
            write!(f, "+{}", self.metadata)?;
        }
        Ok(())
    }
}

fn compare_prerelease(a: &str, b: &str) -> Ordering {
    let sa: Vec<&str> = a.split('.').collect();
    let sb: Vec<&str> = b.split('.').collect();
    for k in 0..sa.len().max(sb.len()) {
        let d = compare_pre_part(
            sa.get(k).copied().unwrap_or(""),
            sb.get(k).copied().unwrap_or(""),
        );
        if d != Ordering::Equal {
            return d;
        }
    }
    Ordering::Equal
}

fn compare_pre_part(s: &str, o: &str) -> Ordering {
    if s == o {
        return Ordering::Equal;
    }
    if s.is_empty() {
        return Ordering::Less;
    }
    if o.is_empty() {
        return Ordering::Greater;
    }
    match (s.parse::<u64>(), o.parse::<u64>()) {
        (Err(_), Err(_)) => {
            if s > o {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Ok(x), Ok(y)) => {
            if x > y {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
    }
}

impl Object for Version {
    fn type_name(&self) -> Cow<'_, str> {
        "*semver.Version".into()
    }
    fn method(&self, name: &str) -> Option<Sig> {
        match name {
            "Major" | "Minor" | "Patch" | "Prerelease" | "Metadata" | "Original" | "String" => {
                Some(Sig::new(&[]))
            }
            "Compare" | "LessThan" | "GreaterThan" | "Equal" => Some(Sig::new(&[Any])),
            _ => None,
        }
    }
    fn call_method(
        &self,
        _: &mut CallCtx<'_>,
        name: &str,
        args: Vec<Value>,
    ) -> Result<Value, FuncError> {
        Ok(match name {
            // uint64 in Go; printed the same.
            "Major" => Value::int64(self.major as i64),
            "Minor" => Value::int64(self.minor as i64),
            "Patch" => Value::int64(self.patch as i64),
            "Prerelease" => Value::string(self.pre.as_str()),
            "Metadata" => Value::string(self.metadata.as_str()),
            "Original" => Value::string(self.original.as_str()),
            "String" => Value::string(self.to_string()),
            "Compare" | "LessThan" | "GreaterThan" | "Equal" => {
                let other = match args.first().map(|v| &v.data) {
                    Some(crate::value::Data::Object(o)) => {
                        o.as_any().downcast_ref::<Version>().cloned()
                    }
                    _ => None,
                };
                let Some(o) = other else {
                    let t = args
                        .first()
                        .map(|v| v.type_name().into_owned())
                        .unwrap_or_default();
                    return Err(FuncError::new(format!(
                        "wrong type for value; expected *semver.Version; got {t}"
                    )));
                };
                let c = self.compare(&o);
                match name {
                    "Compare" => Value::int(c as i64),
                    "LessThan" => Value::bool(c == Ordering::Less),
                    "GreaterThan" => Value::bool(c == Ordering::Greater),
                    _ => Value::bool(c == Ordering::Equal),
                }
            }
            _ => return Err(FuncError::new(format!("no method {name}"))),
        })
    }
    fn go_string(&self) -> String {
        self.to_string()
    }
    fn to_plain(&self) -> Option<Value> {
        Some(Value::string(self.to_string()))
    }
    fn as_any(&self) -> &dyn StdAny {
        self
    }
}

#[derive(Debug)]
struct Constraint {
    con: Version,
    #[allow(dead_code)] // kept for error messages (Validate), as in Masterminds
    orig: String,
    op: String,
    minor_dirty: bool,
    dirty: bool,
    patch_dirty: bool,
}

#[derive(Debug)]
pub struct Constraints(Vec<Vec<Constraint>>);

fn is_x(x: &str) -> bool {
    matches!(x, "x" | "*" | "X")
}

impl Constraints {
    pub fn parse(c: &str) -> Result<Constraints, String> {
        let c = rewrite_range(c);
        let mut or = vec![];
        for v in c.split("||") {
            if !res().valid.is_match(v) {
                return Err(format!("improper constraint: {v}"));
            }
            let mut cs: Vec<String> = res()
                .find
                .find_iter(v)
                .map(|m| m.as_str().to_string())
                .collect();
            if cs.is_empty() {
                cs.push(v.to_string());
            }
            or.push(
                cs.iter()
                    .map(|s| parse_constraint(s))
                    .collect::<Result<Vec<_>, _>>()?,
            );
        }
        Ok(Constraints(or))
    }

    pub fn check(&self, v: &Version) -> bool {
        self.0
            .iter()
            .any(|and| and.iter().all(|c| c.check(v, !c.con.pre.is_empty(), false)))
    }

    /// Masterminds/semver v3.4.0's `Check`.
    pub fn check_v34(&self, v: &Version) -> bool {
        self.0.iter().any(|and| {
            let include_pre = and.iter().any(|c| !c.con.pre.is_empty());
            and.iter().all(|c| c.check(v, include_pre, true))
        })
    }
}

fn rewrite_range(i: &str) -> String {
    let mut o = i.to_string();
    let caps: Vec<(String, String, String)> = res()
        .range
        .captures_iter(i)
        .map(|m| (m[0].to_string(), m[1].to_string(), m[11].to_string()))
        .collect();
    for (all, a, b) in caps {
        o = o.replacen(&all, &format!(">= {a}, <= {b} "), 1);
    }
    o
}

fn parse_constraint(c: &str) -> Result<Constraint, String> {
    if c.is_empty() {
        return Ok(Constraint {
            con: Version::parse("0.0.0")?,
            orig: c.into(),
            op: String::new(),
            minor_dirty: false,
            patch_dirty: false,
            dirty: true,
        });
    }
    let m = res()
        .constraint
        .captures(c)
        .ok_or_else(|| format!("improper constraint: {c}"))?;
    let g = |k: usize| m.get(k).map(|x| x.as_str()).unwrap_or("");
    let (mut ver, mut minor_dirty, mut patch_dirty, mut dirty) =
        (g(2).to_string(), false, false, false);
    if is_x(g(3)) || g(3).is_empty() {
        ver = format!("0.0.0{}", g(6));
        dirty = true;
    } else if is_x(g(4).trim_start_matches('.')) || g(4).is_empty() {
        minor_dirty = true;
        dirty = true;
        ver = format!("{}.0.0{}", g(3), g(6));
    } else if is_x(g(5).trim_start_matches('.')) || g(5).is_empty() {
        dirty = true;
        patch_dirty = true;
        ver = format!("{}{}.0{}", g(3), g(4), g(6));
    }
    let con = Version::parse(&ver).map_err(|_| "constraint Parser Error".to_string())?;
    Ok(Constraint {
        con,
        orig: g(2).into(),
        op: g(1).into(),
        minor_dirty,
        dirty,
        patch_dirty,
    })
}

impl Constraint {
    /// `include_pre`: whether a pre-release version may match; `v34`: v3.4.0 applies that
    /// to `!=` too (v3.3.0 only to a wildcard `!=`).
    fn check(&self, v: &Version, include_pre: bool, v34: bool) -> bool {
        let c = &self.con;
        if !v.pre.is_empty() && !include_pre && (v34 || self.op != "!=" || self.dirty) {
            return false;
        }
        let cmp = v.compare(c);
        match self.op.as_str() {
            "" | "=" => {
                if self.dirty {
                    self.tilde(v)
                } else {
                    cmp == Ordering::Equal
                }
            }
            "!=" => {
                if self.dirty {
                    if c.major != v.major {
                        return true;
                    }
                    if c.minor != v.minor && !self.minor_dirty {
                        return true;
                    } else if self.minor_dirty {
                        return false;
                    } else if c.patch != v.patch && !self.patch_dirty {
                        return true;
                    } else if self.patch_dirty {
                        if !v.pre.is_empty() || !c.pre.is_empty() {
                            return compare_prerelease(&v.pre, &c.pre) != Ordering::Equal;
                        }
                        return false;
                    }
                }
                cmp != Ordering::Equal
            }
            ">" => {
                if !self.dirty {
                    return cmp == Ordering::Greater;
                }
                if v.major > c.major {
                    true
                } else if v.major < c.major || self.minor_dirty {
                    false
                } else if self.patch_dirty {
                    v.minor > c.minor
                } else {
                    cmp == Ordering::Greater
                }
            }
            "<" => cmp == Ordering::Less,
            ">=" | "=>" => cmp != Ordering::Less,
            "<=" | "=<" => {
                if !self.dirty {
                    return cmp != Ordering::Greater;
                }
                !(v.major > c.major
                    || (v.major == c.major && v.minor > c.minor && !self.minor_dirty))
            }
            "~" | "~>" => self.tilde(v),
            "^" => {
                if cmp == Ordering::Less {
                    return false;
                }
                if c.major > 0 || self.minor_dirty {
                    return v.major == c.major;
                }
                if c.major == 0 && v.major > 0 {
                    return false;
                }
                if c.minor > 0 || self.patch_dirty {
                    return v.minor == c.minor;
                }
                if c.minor == 0 && v.minor > 0 {
                    return false;
                }
                c.patch == v.patch
            }
            _ => false,
        }
    }

    fn tilde(&self, v: &Version) -> bool {
        let c = &self.con;
        if v.compare(c) == Ordering::Less {
            return false;
        }
        if c.major == 0 && c.minor == 0 && c.patch == 0 && !self.minor_dirty && !self.patch_dirty {
            return true;
        }
        if v.major != c.major {
            return false;
        }
        v.minor == c.minor || self.minor_dirty
    }
}

/// Helm's `IsCompatibleRange(constraint, version)` (chart `kubeVersion`, dependency
/// versions): false when either side does not parse. Masterminds v3.3.0 for Helm 3, v3.4.0
/// for Helm 4, as `semverCompare`.
pub fn is_compatible_range(constraint: &str, version: &str, helm: HelmVersion) -> bool {
    let (Ok(cs), Ok(v)) = (Constraints::parse(constraint), Version::parse(version)) else {
        return false;
    };
    if helm == HelmVersion::V4 {
        cs.check_v34(&v)
    } else {
        cs.check(&v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(c: &str, v: &str) -> bool {
        Constraints::parse(c)
            .unwrap()
            .check(&Version::parse(v).unwrap())
    }

    #[test]
    fn masterminds_rules() {
        assert!(ok(">=1.21-0", "1.25.3"));
        assert!(ok(">=1.21-0", "1.25.3-gke.100"));
        assert!(!ok(">=1.21", "1.25.3-gke.100"));
        assert!(ok("^1.2.3", "1.9.0"));
        assert!(!ok("^0.2.3", "0.3.0"));
        assert!(ok("~1.2", "1.2.9"));
        assert!(ok("1.2.x", "1.2.7"));
        assert!(ok(">1.x", "2.0.0"));
        assert!(!ok(">1.x", "1.9.0"));
        assert!(ok("1.1 - 1.3", "1.2.0"));
        assert!(ok("<1.0 || >=2.0", "2.1.0"));
        assert!(ok(">= 1.2, < 2", "1.5.0"));
        assert!(ok("!=1.2.3", "1.2.4"));
        assert!(ok("*", "5.0.0"));
        assert_eq!(Version::parse("v1.2").unwrap().to_string(), "1.2.0");
        assert!(Version::parse("1.2.3.4").is_err());
        assert!(Constraints::parse(">= foo").is_err());
        // Checked with Helm 3.17 (semver v3.3.0) and Helm 4.1 (v3.4.0).
        let c = Constraints::parse(">=1.0.0-0 <2.0.0").unwrap();
        let pre = Version::parse("1.5.0-beta").unwrap();
        assert!(!c.check(&pre) && c.check_v34(&pre));
        let ne = Constraints::parse("!=1.2.3").unwrap();
        let rc = Version::parse("1.2.4-rc1").unwrap();
        assert!(ne.check(&rc) && !ne.check_v34(&rc));
    }
}
