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
fn auto_falls_back_to_helm_naming_the_feature() {
    // The values break the chart's values.schema.json: the built-in renderer leaves the
    // wording to Helm.
    let helm = &helms()[1].1;
    let args = [
        "lint",
        "tests/charts/leaky-forms",
        "--set",
        "note=NOT-LOWER",
        "--helm-bin",
        helm,
    ];
    let mut auto = args.to_vec();
    auto.extend(["--renderer", "auto"]);
    let out = run_with(&auto, None, Duration::from_secs(120));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("values.schema.json")
            && out.stderr.contains("don't meet the specifications"),
        "{}",
        out.stderr
    );
    let mut native = args.to_vec();
    native.extend(["--renderer", "native"]);
    let out = run_with(&native, None, Duration::from_secs(120));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("the built-in renderer does not support this chart"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("NOT-LOWER"), "{}", out.stderr);
}
