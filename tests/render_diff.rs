//! The built-in renderer against the real Helm 3.17.2 and 4.1.4 (scripts/render-diff.sh does
//! the same for the corpus): every chart under tests/charts and examples/charts, rendered by
//! `chartguard render --helm-major N` and by `helm template` with the same flags, must print
//! the same documents (byte for byte, or equal once values generated at random are compared
//! by shape), or fail with Helm's message.

mod common;

use common::{helms, root, run_with};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const FLAGS: &[&str] = &[
    "--kube-version",
    "1.32.0",
    "--api-versions",
    "monitoring.coreos.com/v1",
];

/// Top-level charts (not subcharts) under tests/charts and examples/charts.
fn charts() -> Vec<PathBuf> {
    let mut out = Vec::new();
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        if dir.join("Chart.yaml").is_file() {
            out.push(dir.to_path_buf());
            return;
        }
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        let mut dirs: Vec<PathBuf> = rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        for d in dirs {
            walk(&d, out);
        }
    }
    walk(&root().join("tests/charts"), &mut out);
    walk(&root().join("examples/charts"), &mut out);
    out
}

/// Strings generated at render time keep their shape: PEM block types, the shape of what
/// base64 encodes, length and punctuation of random text.
fn shape(s: &str) -> String {
    if s.contains("-----BEGIN") {
        return s
            .lines()
            .filter(|l| l.starts_with("-----BEGIN"))
            .collect::<Vec<_>>()
            .join("|");
    }
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '+' || c == '/' {
                'x'
            } else {
                c
            }
        })
        .collect()
}

fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value::*;
    match (a, b) {
        (Object(x), Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        (Array(x), Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same(v, w)),
        (String(x), String(y)) => x == y || shape(x) == shape(y),
        _ => a == b,
    }
}

/// (`# Source:` path, parsed document) per document.
fn docs(text: &str) -> Vec<(String, serde_json::Value)> {
    let sep = regex::Regex::new(r"(?m)^---\s*$").unwrap();
    sep.split(text)
        .filter(|c| !c.trim().is_empty())
        .map(|chunk| {
            let source = chunk
                .lines()
                .find_map(|l| l.strip_prefix("# Source: "))
                .unwrap_or_default()
                .to_string();
            let value = yaml_serde::from_str(chunk).unwrap_or(serde_json::Value::Null);
            (source, value)
        })
        .collect()
}

#[test]
fn native_renders_as_helm_does() {
    let mut report = Vec::new();
    let mut compared = 0;
    for (name, helm) in helms() {
        let major = &name[4..];
        for chart in charts() {
            let rel = chart
                .strip_prefix(root())
                .unwrap()
                .to_string_lossy()
                .to_string();
            let release = chart.file_name().unwrap().to_string_lossy().to_string();
            let h = Command::new(&helm)
                .arg("template")
                .arg(&release)
                .arg(&rel)
                .args(FLAGS)
                .current_dir(root())
                .output()
                .expect("run helm");
            let mut args = vec!["render", "--helm-major", major, &release, &rel];
            args.extend(FLAGS);
            let n = run_with(&args, None, Duration::from_secs(120));
            compared += 1;
            let hout = String::from_utf8_lossy(&h.stdout).to_string();
            if !h.status.success() {
                let herr = String::from_utf8_lossy(&h.stderr);
                let herr = herr
                    .lines()
                    .find(|l| l.starts_with("Error:"))
                    .unwrap_or_default();
                let nerr = n
                    .stderr
                    .lines()
                    .find(|l| l.starts_with("Error:"))
                    .unwrap_or_default();
                if n.code == 0 || herr != nerr {
                    report.push(format!(
                        "{name} {rel}: Helm failed with {herr:?}, native (exit {}) {nerr:?}",
                        n.code
                    ));
                }
                continue;
            }
            if n.code != 0 {
                report.push(format!("{name} {rel}: native failed: {}", n.stderr.trim()));
                continue;
            }
            if hout == n.stdout {
                continue;
            }
            let (hd, nd) = (docs(&hout), docs(&n.stdout));
            let equal = hd.len() == nd.len()
                && hd
                    .iter()
                    .zip(&nd)
                    .all(|((hs, hv), (ns, nv))| hs == ns && same(hv, nv));
            if !equal {
                let first = hout
                    .lines()
                    .zip(n.stdout.lines())
                    .enumerate()
                    .find(|(_, (a, b))| a != b)
                    .map(|(i, (a, b))| format!("line {}: helm {a:?} vs native {b:?}", i + 1))
                    .unwrap_or_else(|| "one output is longer".into());
                report.push(format!("{name} {rel}: {first}"));
            }
        }
    }
    assert!(compared > 20, "only {compared} renders compared");
    assert!(
        report.is_empty(),
        "the built-in renderer differs from Helm:\n{}",
        report.join("\n")
    );
}

#[test]
fn native_lint_needs_no_helm_and_places_findings_from_provenance() {
    let out = run_with(
        &[
            "lint",
            "examples/charts/classic-mistakes",
            "--renderer",
            "native",
            "--helm-bin",
            "/nonexistent/helm",
            "--format",
            "json",
        ],
        None,
        Duration::from_secs(120),
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    assert!(
        findings
            .iter()
            // Findings about the chart's values (values-schema-missing) sit in a values file.
            .filter(|f| f["object"]["kind"] != "Chart")
            .all(|f| f["mapped_by"] == "provenance" || f["location"].is_null()),
        "{}",
        out.stdout
    );
    // The ConfigMap's plaintext password is at the values line that sets it; its template
    // line (where the Helm renderer's instrumented render puts it) is the related location.
    let f = findings
        .iter()
        .find(|f| f["rule"] == "plaintext-secret" && f["path"] == "data.DB_PASSWORD")
        .unwrap();
    assert_eq!(
        f["location"]["file"],
        "examples/charts/classic-mistakes/values.yaml"
    );
    assert_eq!(f["location"]["line"], 44);
    assert_eq!(
        f["related"][0]["location"]["file"],
        "examples/charts/classic-mistakes/templates/configmap.yaml"
    );
    assert_eq!(f["related"][0]["location"]["line"], 10);
}

#[test]
fn format_violations_are_left_to_helm_by_name() {
    // `format` violations are worded with Go libraries' own error texts (net/mail's for an
    // email): the built-in renderer names the keyword and leaves the wording to Helm.
    let helm = &helms()[1].1;
    let chart = "tests/charts/values-schema";
    let out = run_with(
        &["render", "x", chart, "--set", "contact=nobody"],
        None,
        Duration::from_secs(120),
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("unsupported by the built-in renderer")
            && out.stderr.contains("`format`"),
        "{}",
        out.stderr
    );
    let h = Command::new(helm)
        .args(["template", "x", chart, "--set", "contact=nobody"])
        .current_dir(root())
        .output()
        .expect("run helm");
    assert!(String::from_utf8_lossy(&h.stderr).contains("is not valid email"));
    // Other keywords are worded by the built-in renderer itself, values masked.
    let out = run_with(
        &[
            "render",
            "x",
            "tests/charts/leaky-forms",
            "--set",
            "note=NOT-LOWER",
        ],
        None,
        Duration::from_secs(120),
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("- at '/note': '****' does not match pattern '^[a-z]+$'"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("NOT-LOWER"), "{}", out.stderr);
}

/// An error text with the lines under each header or list item sorted, recursively: both
/// Helms list an object's properties in Go map order, which changes from run to run.
fn canonical_error(text: &str) -> String {
    fn indent(l: &str) -> usize {
        l.len() - l.trim_start().len()
    }
    fn tree(lines: &[&str]) -> Vec<String> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < lines.len() {
            let head = lines[i];
            let mut j = i + 1;
            while j < lines.len() && indent(lines[j]) > indent(head) {
                j += 1;
            }
            let mut sub = tree(&lines[i + 1..j]);
            sub.sort();
            out.push(format!("{head}\n{}", sub.join("")));
            i = j;
        }
        out
    }
    // Chart headers (`name:`) are items at indent -1: give list items one more level.
    let lines: Vec<String> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            if l.trim_start().starts_with("- ") {
                format!(" {l}")
            } else {
                l.to_string()
            }
        })
        .collect();
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let mut all = tree(&refs);
    all.sort();
    all.join("")
}

/// Helm's message as chartguard shows it: a values string Helm quotes is masked (chartguard
/// never prints a value of a values file: any of them could be a password).
fn masked(text: &str, chart: &Path, case: &str) -> String {
    fn strings(v: &serde_json::Value, out: &mut Vec<String>, numbers: &mut Vec<i64>) {
        match v {
            serde_json::Value::String(s) => out.push(s.clone()),
            serde_json::Value::Number(n) => numbers.extend(n.as_i64()),
            serde_json::Value::Array(a) => a.iter().for_each(|v| strings(v, out, numbers)),
            serde_json::Value::Object(o) => o.values().for_each(|v| strings(v, out, numbers)),
            _ => {}
        }
    }
    let mut values = Vec::new();
    let mut numbers = Vec::new();
    let mut files = vec![chart.join("values.yaml"), root().join(case)];
    if let Ok(rd) = std::fs::read_dir(chart.join("charts")) {
        files.extend(rd.flatten().map(|e| e.path().join("values.yaml")));
    }
    for f in files {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        let v: serde_json::Value = yaml_serde::from_str(&text).unwrap_or_default();
        strings(&v, &mut values, &mut numbers);
    }
    let mut out = text.to_string();
    // As chartguard masks: values of three characters or more.
    for v in values.iter().filter(|v| v.trim().chars().count() >= 3) {
        out = out
            .replace(&format!("'{v}'"), "'****'")
            .replace(&format!("\"{v}\""), "\"****\"");
    }
    // And integers from 1000 up, in the forms Helm 4's schema messages print them
    // (`got 70,000`, `got 1.234567×10⁰⁶`): a numeric password is a value too.
    for i in numbers.iter().filter(|i| i.unsigned_abs() >= 1000) {
        for form in helm4_number_forms(*i) {
            out = out.replace(&format!("got {form},"), "got ****,");
        }
    }
    out
}

/// `70,000`; from 10⁶ up also `1.234567×10⁰⁶` (Go's x/text/message, as Helm 4 prints).
fn helm4_number_forms(i: i64) -> Vec<String> {
    let digits = i.unsigned_abs().to_string();
    let sign = if i < 0 { "-" } else { "" };
    let mut grouped = String::new();
    for (n, c) in digits.chars().enumerate() {
        if n > 0 && (digits.len() - n).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let mut forms = vec![format!("{sign}{grouped}")];
    let exp = digits.len() - 1;
    if exp >= 6 {
        let rest = digits[1..].trim_end_matches('0');
        let mantissa = if rest.is_empty() {
            digits[..1].to_string()
        } else {
            format!("{}.{rest}", &digits[..1])
        };
        let sup = |d: char| {
            "⁰¹²³⁴⁵⁶⁷⁸⁹"
                .chars()
                .nth(d.to_digit(10).unwrap() as usize)
                .unwrap()
        };
        let e: String = format!("{exp:02}").chars().map(sup).collect();
        forms.push(format!("{sign}{mantissa}×10{e}"));
    }
    forms
}

/// Values that break a chart's values.schema.json (tests/charts/*/cases/*.yaml): the
/// built-in renderer fails with each Helm's own wording of every violation (order aside).
#[test]
fn schema_violations_are_worded_as_helm_words_them() {
    let mut report = Vec::new();
    let mut compared = 0;
    for (name, helm) in helms() {
        let major = &name[4..];
        for chart in charts() {
            let Ok(rd) = std::fs::read_dir(chart.join("cases")) else {
                continue;
            };
            let mut cases: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
            cases.sort();
            let rel = chart
                .strip_prefix(root())
                .unwrap()
                .to_string_lossy()
                .to_string();
            for case in cases {
                let case = case
                    .strip_prefix(root())
                    .unwrap()
                    .to_string_lossy()
                    .to_string();
                let h = Command::new(&helm)
                    .args(["template", "x", &rel, "-f", &case])
                    .args(FLAGS)
                    .current_dir(root())
                    .output()
                    .expect("run helm");
                let mut args = vec!["render", "--helm-major", major, "x", &rel, "-f", &case];
                args.extend(FLAGS);
                let n = run_with(&args, None, Duration::from_secs(120));
                compared += 1;
                let herr = masked(&String::from_utf8_lossy(&h.stderr), &chart, &case);
                if h.status.success() != (n.code == 0)
                    || canonical_error(&herr) != canonical_error(&n.stderr)
                {
                    report.push(format!(
                        "{name} {rel} -f {case}:\n--- helm (exit {:?})\n{herr}--- native (exit {})\n{}",
                        h.status.code(),
                        n.code,
                        n.stderr
                    ));
                }
            }
        }
    }
    assert!(compared >= 8, "only {compared} renders compared");
    assert!(report.is_empty(), "{}", report.join("\n"));
}
