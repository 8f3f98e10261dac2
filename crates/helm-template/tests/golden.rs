//! The golden suite: every case of `tests/golden/cases/*.yaml` rendered by the engine for
//! Helm 3 and Helm 4 behaviour and compared byte for byte with what the real Helm printed
//! (`tests/golden/expected/<major>/<file>.json`, written only by `scripts/gen-template-goldens.sh`).
//!
//! A mismatch fails the test unless the case is listed, with a reason, in
//! `tests/golden/known-failures.txt`; a listed case that passes fails it too, so the list stays
//! honest. `GOLDEN_FILTER=<substring>` runs matching cases only; `GOLDEN_VERBOSE=1` prints whole
//! outputs of failures.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use helm_template::helm_objects;
use helm_template::{Engine, HelmVersion, Options, Value};
use serde_json::Value as Json;
use sha2::{Digest, Sha256};

const CASE_FILE: &str = "golden/templates/case.yaml";
const MAJORS: [(&str, HelmVersion); 2] = [("helm3", HelmVersion::V3), ("helm4", HelmVersion::V4)];

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// One case as written in cases/*.yaml, the file's `defaults` applied.
struct Case {
    stem: String,
    key: String,
    template: String,
    values: String,
    sets: Vec<(&'static str, Vec<String>)>,
    /// Partial file name → text.
    partials: BTreeMap<String, String>,
}

impl Case {
    fn name(&self) -> String {
        format!("{}/{}", self.stem, self.key)
    }

    /// The generator's `source_hash`: each field followed by a NUL.
    fn hash(&self) -> String {
        let mut h = Sha256::new();
        let mut put = |s: &str| {
            h.update(s.as_bytes());
            h.update([0u8]);
        };
        put(&self.template);
        put(&self.values);
        for (flag, items) in &self.sets {
            put(flag);
            for s in items {
                put(s);
            }
        }
        put("partials");
        for (name, text) in &self.partials {
            put(name);
            put(text);
        }
        let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        hex[..16].to_string()
    }
}

fn load_cases() -> Vec<Case> {
    let dir = golden_dir().join("cases");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/golden/cases")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for path in files {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let doc: Json =
            yaml_serde::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let defaults = doc.get("defaults").cloned().unwrap_or(Json::Null);
        let Some(map) = doc.get("cases").and_then(Json::as_object) else {
            continue;
        };
        for (key, raw) in map {
            let field = |name: &str| -> Option<Json> {
                let own = match raw {
                    Json::String(_) if name == "template" => Some(raw.clone()),
                    Json::Object(o) => o.get(name).cloned(),
                    _ => None,
                };
                own.or_else(|| defaults.get(name).cloned())
            };
            let s = |j: Option<Json>| j.and_then(|j| j.as_str().map(str::to_string));
            let list = |j: Option<Json>| -> Vec<String> {
                j.and_then(|j| j.as_array().cloned())
                    .unwrap_or_default()
                    .iter()
                    .map(|x| x.as_str().unwrap().to_string())
                    .collect()
            };
            let partials = field("partials")
                .and_then(|p| p.as_object().cloned())
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k, v.as_str().unwrap().to_string()))
                .collect();
            cases.push(Case {
                stem: stem.clone(),
                key: key.clone(),
                template: s(field("template"))
                    .unwrap_or_else(|| panic!("{stem}/{key}: no template")),
                values: s(field("values")).unwrap_or_default(),
                sets: vec![
                    ("set", list(field("set"))),
                    ("set_string", list(field("set_string"))),
                    ("set_json", list(field("set_json"))),
                ],
                partials,
            });
        }
    }
    cases
}

/// Helm's typed dump of a case's values (`{"float64": 1}`, `{"map": {...}}`, ...) as engine values.
fn typed_value(j: &Json) -> Value {
    let Some(obj) = j.as_object() else {
        assert!(j.is_null(), "typed value {j}");
        return Value::nil();
    };
    let (ty, v) = obj.iter().next().expect("typed value with one key");
    match ty.as_str() {
        "map" => typed_map(v),
        "list" => Value::list(v.as_array().unwrap().iter().map(typed_value).collect()),
        "string" => Value::string(v.as_str().unwrap()),
        "bool" => Value::bool(v.as_bool().unwrap()),
        "float64" => Value::float(v.as_f64().unwrap()),
        "int64" => Value::int64(v.as_i64().unwrap()),
        other => panic!("typed value of Go type {other}"),
    }
}

fn typed_map(v: &Json) -> Value {
    let entries = v
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (Rc::from(k.as_str()), typed_value(v)))
        .collect();
    Value::map(entries)
}

/// The dot a case sees. Cases that render were executed by Helm through a wrapper passing a
/// `dict` (plain maps), cases that fail as their chart's own template (Helm's top-level object).
fn top(helm: HelmVersion, values: &Json, as_file: bool) -> Value {
    let values = typed_map(values);
    let chart = helm_objects::chart(
        helm,
        &serde_json::json!({"apiVersion": "v2", "name": "golden", "version": "0.1.0"}),
        true,
    );
    let release = helm_objects::release("release-name", "default", false, 1);
    let capabilities = helm_objects::default_capabilities(helm);
    let files = Value::object(helm_objects::Files::new(Vec::<(String, Vec<u8>)>::new()));
    if as_file {
        return helm_objects::top(
            helm,
            helm_objects::Top {
                values,
                release,
                chart,
                capabilities,
                files,
                subcharts: Value::empty_map(),
                template_name: CASE_FILE.to_string(),
                base_path: "golden/templates".to_string(),
            },
        );
    }
    let mut tm = BTreeMap::new();
    tm.insert(Rc::from("Name"), Value::string(CASE_FILE));
    tm.insert(Rc::from("BasePath"), Value::string("golden/templates"));
    let mut m = BTreeMap::new();
    m.insert(Rc::from("Values"), values);
    m.insert(Rc::from("Release"), release);
    m.insert(Rc::from("Chart"), chart);
    m.insert(Rc::from("Capabilities"), capabilities);
    m.insert(Rc::from("Files"), files);
    m.insert(Rc::from("Subcharts"), Value::empty_map());
    m.insert(Rc::from("Template"), Value::map(tm));
    Value::map(m)
}

/// Renders a case as Helm did: the case file, then its partials in Helm's parse order (reverse
/// byte order at equal depth). Err is the message as `helm template` prints it.
fn render(case: &Case, helm: HelmVersion, values: &Json, as_file: bool) -> Result<String, String> {
    let mut engine = Engine::new(Options {
        helm,
        ..Options::default()
    });
    let mut files = vec![(CASE_FILE.to_string(), case.template.clone())];
    for (name, text) in &case.partials {
        files.push((format!("golden/templates/{name}"), text.clone()));
    }
    files.sort_by(|a, b| b.0.cmp(&a.0));
    for (name, text) in &files {
        engine
            .add_template(name, text)
            .map_err(|e| e.helm_message(helm, name))?;
    }
    engine
        .render(CASE_FILE, top(helm, values, as_file))
        .map(|r| r.output)
        .map_err(|e| e.helm_message(helm, CASE_FILE))
}

enum Outcome {
    Pass,
    Fail(String),
}

fn first_difference(want: &str, got: &str) -> String {
    let (w, g): (Vec<_>, Vec<_>) = (want.split('\n').collect(), got.split('\n').collect());
    let i = (0..w.len().max(g.len()))
        .find(|&i| w.get(i) != g.get(i))
        .unwrap_or(0);
    let clip = |s: Option<&&str>| match s {
        None => "<end>".to_string(),
        Some(s) if s.chars().count() > 100 => {
            format!("{:?}…", s.chars().take(100).collect::<String>())
        }
        Some(s) => format!("{s:?}"),
    };
    format!(
        "line {}: want {} got {}",
        i + 1,
        clip(w.get(i)),
        clip(g.get(i))
    )
}

fn check(case: &Case, helm: HelmVersion, exp: &Json) -> Outcome {
    let values = exp.get("values").cloned().unwrap_or(Json::Null);
    let expected_error = exp.get("error").and_then(Json::as_str);
    let result = catch_unwind(AssertUnwindSafe(|| {
        render(case, helm, &values, expected_error.is_some())
    }));
    let got = match result {
        Ok(r) => r,
        Err(p) => {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            return Outcome::Fail(format!("engine panicked: {msg}"));
        }
    };
    let verbose = std::env::var_os("GOLDEN_VERBOSE").is_some();
    let detail = |kind: &str, want: &str, got: &str| {
        let mut s = format!("{kind}: {}", first_difference(want, got));
        if verbose {
            let _ = write!(s, "\n    want: {want:?}\n    got:  {got:?}");
        }
        s
    };
    if let Some(shape) = exp.get("shape").and_then(Json::as_str) {
        let sample = exp.get("sample").and_then(Json::as_str).unwrap_or_default();
        if let Err(e) = shapes::check(shape, sample, sample) {
            return Outcome::Fail(format!(
                "Helm's own sample fails the shape check {shape}: {e}"
            ));
        }
        return match got {
            Ok(out) => match shapes::check(shape, &out, sample) {
                Ok(()) => Outcome::Pass,
                Err(e) => Outcome::Fail(format!("shape {shape}: {e}")),
            },
            Err(e) => Outcome::Fail(format!("unexpected error: {e}")),
        };
    }
    match (expected_error, got) {
        (Some(want), Err(got)) if want == got => Outcome::Pass,
        (Some(want), Err(got)) => Outcome::Fail(detail("error differs", want, &got)),
        (Some(want), Ok(out)) => Outcome::Fail(format!(
            "rendered {:?} where Helm fails with {want:?}",
            out.chars().take(80).collect::<String>()
        )),
        (None, Err(got)) => Outcome::Fail(format!("unexpected error: {got}")),
        (None, Ok(out)) => {
            let want = match exp.get("output").and_then(Json::as_str) {
                Some(w) => w.to_string(),
                None => return Outcome::Fail(
                    "Helm's output is not UTF-8 (output_b64): the engine's strings cannot hold it"
                        .into(),
                ),
            };
            if want == out {
                Outcome::Pass
            } else {
                Outcome::Fail(detail("output differs", &want, &out))
            }
        }
    }
}

/// `tests/golden/known-failures.txt`: `<helm3|helm4|*> <file>/<case>  <reason>`, `#` comments.
fn known_failures() -> BTreeMap<(String, String), String> {
    let text = std::fs::read_to_string(golden_dir().join("known-failures.txt")).unwrap_or_default();
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.splitn(3, char::is_whitespace);
        let (major, case, reason) = (parts.next().unwrap(), parts.next(), parts.next());
        let (Some(case), Some(reason)) = (case, reason.map(str::trim).filter(|r| !r.is_empty()))
        else {
            panic!(
                "known-failures.txt:{}: want `<major> <file>/<case> <reason>`",
                n + 1
            );
        };
        let majors: &[&str] = if major == "*" {
            &["helm3", "helm4"]
        } else {
            &[major]
        };
        for m in majors {
            out.insert((m.to_string(), case.to_string()), reason.to_string());
        }
    }
    out
}

#[test]
fn golden_cases_match_helm() {
    // Deep (legal) recursion such as 1000 nested includes needs more than a test thread's
    // 2 MiB in a debug build; the stack is reserved, not committed.
    std::thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(run_golden_cases)
        .unwrap()
        .join()
        .unwrap();
}

fn run_golden_cases() {
    let cases = load_cases();
    let filter = std::env::var("GOLDEN_FILTER").unwrap_or_default();
    let known = known_failures();
    let mut report = String::new();
    let mut hard_failures = 0usize;
    let mut listed_seen = BTreeSet::new();
    for (major, helm) in MAJORS {
        let mut expected: BTreeMap<String, Json> = BTreeMap::new();
        let (mut passed, mut failed, mut known_failed, mut total) = (0, 0, 0, 0);
        for case in cases.iter().filter(|c| c.name().contains(&filter)) {
            let exp_file = expected.entry(case.stem.clone()).or_insert_with(|| {
                let p = golden_dir().join(format!("expected/{major}/{}.json", case.stem));
                let text = std::fs::read_to_string(&p).unwrap_or_else(|_| {
                    panic!(
                        "{} missing: run scripts/gen-template-goldens.sh",
                        p.display()
                    )
                });
                serde_json::from_str(&text).unwrap()
            });
            let name = case.name();
            total += 1;
            let Some(exp) = exp_file.get("cases").and_then(|c| c.get(&case.key)) else {
                hard_failures += 1;
                let _ = writeln!(
                    report,
                    "  {major} {name}: no golden: run scripts/gen-template-goldens.sh"
                );
                continue;
            };
            if exp.get("hash").and_then(Json::as_str) != Some(case.hash().as_str()) {
                hard_failures += 1;
                let _ = writeln!(report, "  {major} {name}: case changed since its golden: run scripts/gen-template-goldens.sh");
                continue;
            }
            let listed = known.get(&(major.to_string(), name.clone()));
            if listed.is_some() {
                listed_seen.insert((major.to_string(), name.clone()));
            }
            match (check(case, helm, exp), listed) {
                (Outcome::Pass, None) => passed += 1,
                (Outcome::Pass, Some(_)) => {
                    passed += 1;
                    hard_failures += 1;
                    let _ = writeln!(
                        report,
                        "  {major} {name}: passes now: remove it from known-failures.txt"
                    );
                }
                (Outcome::Fail(why), None) => {
                    failed += 1;
                    hard_failures += 1;
                    let _ = writeln!(report, "  {major} {name}: {why}");
                }
                (Outcome::Fail(why), Some(reason)) => {
                    known_failed += 1;
                    if std::env::var_os("GOLDEN_VERBOSE").is_some() {
                        let _ = writeln!(report, "  {major} {name} (known: {reason}): {why}");
                    }
                }
            }
        }
        println!(
            "golden {major}: {passed}/{total} pass byte for byte, {failed} fail, {known_failed} known failures"
        );
    }
    if filter.is_empty() {
        for key in known.keys().filter(|k| !listed_seen.contains(*k)) {
            hard_failures += 1;
            let _ = writeln!(
                report,
                "  known-failures.txt lists {} {}, which is no case",
                key.0, key.1
            );
        }
    }
    if !report.is_empty() {
        println!("{report}");
    }
    assert_eq!(hard_failures, 0, "golden mismatches (see the report above)");
}

/// Checks of non-deterministic output by shape (`shape:` in a case), applied to the engine's
/// output and to the sample Helm printed (so a check Helm itself fails is caught).
mod shapes {
    use x509_parser::prelude::*;

    pub fn check(shape: &str, out: &str, helm_sample: &str) -> Result<(), String> {
        let parts: Vec<&str> = shape.split(':').collect();
        match parts[0] {
            "bcrypt" => bcrypt_hash(out, parts[1]),
            "htpasswd" => {
                let rest = out
                    .strip_prefix(&format!("{}:", parts[1]))
                    .ok_or_else(|| format!("does not start with {}:", parts[1]))?;
                bcrypt_hash(rest, parts[2])
            }
            "lines-permutation" => {
                let mut a: Vec<&str> = out.lines().collect();
                let mut b: Vec<&str> = helm_sample.lines().collect();
                a.sort();
                b.sort();
                if a == b {
                    Ok(())
                } else {
                    Err(format!("lines {a:?} are not those of Helm's {b:?}"))
                }
            }
            "pem" => private_key(out, parts[1], parts[2]),
            "cert" => certificate(out, &parts[1..]),
            other => Err(format!("unknown shape {other}")),
        }
    }

    fn bcrypt_hash(hash: &str, password: &str) -> Result<(), String> {
        if !hash.starts_with("$2a$10$") || hash.len() != 60 {
            return Err(format!("{hash:?} is not a $2a$10$ bcrypt hash"));
        }
        match bcrypt::verify(password, hash) {
            Ok(true) => Ok(()),
            Ok(false) => Err("bcrypt hash does not verify".into()),
            Err(e) => Err(format!("bcrypt: {e}")),
        }
    }

    fn blocks(out: &str) -> Result<Vec<::pem::Pem>, String> {
        let b = ::pem::parse_many(out).map_err(|e| format!("PEM: {e}"))?;
        if b.is_empty() {
            return Err(format!(
                "no PEM block in {:?}",
                out.chars().take(60).collect::<String>()
            ));
        }
        Ok(b)
    }

    fn private_key(out: &str, label: &str, kind: &str) -> Result<(), String> {
        let b = blocks(out)?;
        if b.len() != 1 || b[0].tag() != label || !out.ends_with("-----\n") {
            return Err(format!(
                "want one {label} block ending in a newline, got {:?}",
                b.iter().map(|p| p.tag()).collect::<Vec<_>>()
            ));
        }
        let der = b[0].contents();
        let (_, obj) = x509_parser::der_parser::parse_der(der).map_err(|e| format!("DER: {e}"))?;
        let seq = obj.as_sequence().map_err(|e| format!("DER: {e}"))?;
        match kind {
            "rsa4096" => {
                // PKCS#1: version, modulus, ...; the modulus' big-endian bytes (a leading 0 keeps it positive).
                let n = seq
                    .get(1)
                    .and_then(|o| o.as_slice().ok())
                    .ok_or("no RSA modulus")?;
                let n: Vec<u8> = n.iter().copied().skip_while(|&b| b == 0).collect();
                let bits = n.len() * 8 - n.first().map_or(8, |b| b.leading_zeros() as usize);
                if bits != 4096 {
                    return Err(format!("RSA modulus of {bits} bits"));
                }
            }
            // SEC1 ECPrivateKey [0] parameters: the P-256 OID.
            "p256" if contains(der, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]) => {}
            // PKCS#8 with the Ed25519 OID 1.3.101.112.
            "ed25519" if contains(der, &[0x06, 0x03, 0x2b, 0x65, 0x70]) => {}
            _ => return Err(format!("not a {kind} key")),
        }
        Ok(())
    }

    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    /// `ca|self|signed|ca-ecdsa : CN : days [: ip=a,b] [: dns=a,b] [: key-equal]`.
    fn certificate(out: &str, spec: &[&str]) -> Result<(), String> {
        let (kind, cn, days) = (spec[0], spec[1], spec[2].parse::<i64>().unwrap());
        let b = blocks(out)?;
        if b[0].tag() != "CERTIFICATE" {
            return Err(format!("first block is {}", b[0].tag()));
        }
        let (_, cert) =
            X509Certificate::from_der(b[0].contents()).map_err(|e| format!("X.509: {e}"))?;
        let got_cn = cert
            .subject()
            .iter_common_name()
            .next()
            .and_then(|c| c.as_str().ok())
            .unwrap_or_default();
        if got_cn != cn {
            return Err(format!("CN {got_cn:?}, want {cn:?}"));
        }
        let v = cert.validity();
        let span = (v.not_after.timestamp() - v.not_before.timestamp()) / 86400;
        if span != days {
            return Err(format!("valid for {span} days, want {days}"));
        }
        let is_ca = cert
            .basic_constraints()
            .ok()
            .flatten()
            .is_some_and(|b| b.value.ca);
        let want_ca = kind.starts_with("ca");
        if is_ca != want_ca {
            return Err(format!("CA flag {is_ca}, want {want_ca}"));
        }
        if cert.tbs_certificate.serial.bits() < 64 {
            return Err("serial shorter than 64 bits".into());
        }
        let want_key = if kind == "ca-ecdsa" {
            "EC PRIVATE KEY"
        } else {
            "RSA PRIVATE KEY"
        };
        match b.get(1) {
            Some(k) if k.tag() == want_key => {}
            _ if spec.contains(&"key-equal") => {
                if !out.trim_end().ends_with("true") {
                    return Err("the key given is not the key returned".into());
                }
            }
            other => {
                return Err(format!(
                    "second block {:?}, want {want_key}",
                    other.map(|p| p.tag())
                ))
            }
        }
        if kind != "ca-ecdsa" {
            let bits = match cert.public_key().parsed() {
                Ok(x509_parser::public_key::PublicKey::RSA(k)) => k.key_size(),
                _ => 0,
            };
            if bits != 2048 {
                return Err(format!("certificate key of {bits} bits, want RSA 2048"));
            }
        }
        for s in &spec[3..] {
            let Some((what, list)) = s.split_once('=') else {
                continue;
            };
            let want: Vec<String> = list.split(',').map(str::to_string).collect();
            let mut got = Vec::new();
            if let Ok(Some(san)) = cert.subject_alternative_name() {
                for n in &san.value.general_names {
                    match (what, n) {
                        ("dns", GeneralName::DNSName(d)) => got.push(d.to_string()),
                        ("ip", GeneralName::IPAddress(ip)) if ip.len() == 4 => {
                            got.push(format!("{}.{}.{}.{}", ip[0], ip[1], ip[2], ip[3]))
                        }
                        _ => {}
                    }
                }
            }
            if got != want {
                return Err(format!("{what} SANs {got:?}, want {want:?}"));
            }
        }
        if kind == "signed" {
            let ca = b.get(2).ok_or("no CA certificate after the key")?;
            let (_, ca) =
                X509Certificate::from_der(ca.contents()).map_err(|e| format!("CA X.509: {e}"))?;
            if cert.issuer() != ca.subject() {
                return Err("issuer is not the CA's subject".into());
            }
            let aki = cert
                .extensions()
                .iter()
                .find_map(|e| match e.parsed_extension() {
                    ParsedExtension::AuthorityKeyIdentifier(a) => {
                        a.key_identifier.as_ref().map(|k| k.0.to_vec())
                    }
                    _ => None,
                });
            let ski = ca
                .extensions()
                .iter()
                .find_map(|e| match e.parsed_extension() {
                    ParsedExtension::SubjectKeyIdentifier(k) => Some(k.0.to_vec()),
                    _ => None,
                });
            if aki.is_none() || aki != ski {
                return Err("authority key id is not the CA's subject key id".into());
            }
        }
        Ok(())
    }
}
