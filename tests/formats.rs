//! The CI formats (`--format junit|gitlab|markdown`, `--sarif-output`), shell completions,
//! the man page and the config JSON Schema, through the real binary. JUnit XML is validated
//! against the published tests/schemas/jenkins-junit-10.xsd (vendored, see
//! tests/schemas/README.md) and our stricter tests/schemas/junit.xsd, GitLab's report against
//! tests/schemas/gitlab-codequality.schema.json (and GitLab's own entry schema,
//! tests/schemas/gitlab-codeclimate.json) with Python's xmlschema and jsonschema
//! (`scripts/install-tools.sh ship`).

mod common;

use common::{example_secrets, lint_with_helm, root, run, tmp_dir, validate_sarif};
use std::path::Path;
use std::process::Command;

const BAD: &str = "examples/rendered/classic-mistakes.yaml";
const GOOD: &str = "examples/rendered/prod-ready.yaml";
const CHART: &str = "examples/charts/classic-mistakes";

fn helm() -> String {
    std::env::var("CHARTGUARD_HELM4")
        .unwrap_or_else(|_| root().join(".tools/helm4/helm").display().to_string())
}

/// Runs Python from the packaging tools' venv; a missing venv fails with the install command.
fn python(code: &str, args: &[&Path]) -> String {
    let py = root().join(".tools/ship/venv/bin/python");
    assert!(
        py.exists(),
        "{} is missing: run `scripts/install-tools.sh ship`",
        py.display()
    );
    let out = Command::new(py)
        .arg("-c")
        .arg(code)
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

/// Validates JUnit XML against the published Jenkins xunit-plugin XSD and our stricter one,
/// and returns `suite tests failures skipped` lines,
/// then `case <suite> <rule> <failures>` lines.
fn junit_summary(path: &Path) -> String {
    python(
        r#"
import sys, xmlschema, xml.etree.ElementTree as ET
xmlschema.XMLSchema("tests/schemas/jenkins-junit-10.xsd").validate(sys.argv[1])
xmlschema.XMLSchema("tests/schemas/junit.xsd").validate(sys.argv[1])
root = ET.parse(sys.argv[1]).getroot()
total = 0
for s in root.findall("testsuite"):
    cases = s.findall("testcase")
    fails = sum(1 for c in cases if c.find("failure") is not None)
    skips = sum(1 for c in cases if c.find("skipped") is not None)
    assert int(s.get("tests")) == len(cases), s.get("name")
    assert int(s.get("failures")) == fails, s.get("name")
    assert int(s.get("skipped")) == skips, s.get("name")
    total += len(cases)
    print("suite", s.get("name"), len(cases), fails, skips)
    for c in cases:
        print("case", s.get("name"), c.get("name"), len(c.findall("failure")))
assert int(root.get("tests")) == total
"#,
        &[path],
    )
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn junit_has_a_suite_per_environment_a_case_per_rule_and_validates() {
    let dir = tmp_dir("junit");
    let out = lint_with_helm(
        &helm(),
        &[
            CHART,
            "--all-environments",
            "--format",
            "junit",
            "--fail-on",
            "error",
        ],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let summary = junit_summary(&write(&dir, "junit.xml", &out.stdout));
    let suites: Vec<&str> = summary
        .lines()
        .filter(|l| l.starts_with("suite "))
        .collect();
    assert_eq!(suites.len(), 2, "{summary}");
    assert!(
        suites[0].starts_with(&format!("suite {CHART} [dev] ")),
        "{summary}"
    );
    assert!(
        suites[1].starts_with(&format!("suite {CHART} [prod] ")),
        "{summary}"
    );
    // prod has the prod-only rules too.
    let tests = |s: &str| {
        s.split_whitespace()
            .nth(3)
            .unwrap()
            .parse::<usize>()
            .unwrap()
    };
    assert!(tests(suites[1]) > tests(suites[0]), "{summary}");
    // Errors fail their rule's case; warnings (below --fail-on error) do not.
    assert!(
        summary.contains(&format!("case {CHART} [prod] hook-weight-order ")),
        "{summary}"
    );
    assert!(
        summary.lines().any(
            |l| l.starts_with(&format!("case {CHART} [prod] plaintext-secret "))
                && !l.ends_with(" 0")
        ),
        "{summary}"
    );
    assert!(
        summary.lines().any(
            |l| l.starts_with(&format!("case {CHART} [prod] probes-missing ")) && l.ends_with(" 0")
        ),
        "{summary}"
    );
    for s in example_secrets() {
        assert!(
            !out.stdout.contains(&s),
            "a secret value in the JUnit report"
        );
    }
}

#[test]
fn junit_of_a_clean_release_passes() {
    let dir = tmp_dir("junit-clean");
    let out = run(&["lint", GOOD, "--format", "junit"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let summary = junit_summary(&write(&dir, "junit.xml", &out.stdout));
    assert!(
        summary
            .lines()
            .filter(|l| l.starts_with("suite "))
            .all(|l| l.ends_with(" 0 0")),
        "{summary}"
    );
}

fn gitlab(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["lint"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "gitlab", "--fail-on", "none"]);
    let out = run(&all);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for s in example_secrets() {
        assert!(
            !out.stdout.contains(&s),
            "a secret value in the GitLab report"
        );
    }
    serde_json::from_str(&out.stdout).unwrap()
}

fn validate_gitlab(dir: &Path, report: &serde_json::Value) {
    let path = write(dir, "gl-code-quality-report.json", &report.to_string());
    python(
        r#"
import json, sys, jsonschema
schema = json.load(open("tests/schemas/gitlab-codequality.schema.json"))
jsonschema.Draft7Validator.check_schema(schema)
report = json.load(open(sys.argv[1]))
jsonschema.validate(report, schema)
# GitLab's own validator schema, entry by entry, as GitLab applies it.
gitlab = json.load(open("tests/schemas/gitlab-codeclimate.json"))
jsonschema.Draft7Validator.check_schema(gitlab)
for entry in report:
    jsonschema.validate(entry, gitlab)
"#,
        &[&path],
    );
}

#[test]
fn gitlab_code_quality_validates_with_unique_stable_fingerprints() {
    let dir = tmp_dir("gitlab");
    let report = gitlab(&[BAD]);
    validate_gitlab(&dir, &report);
    let issues = report.as_array().unwrap();
    assert!(issues.len() >= 10, "{report}");
    let prints: std::collections::BTreeSet<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(prints.len(), issues.len(), "fingerprints are unique");
    assert!(issues.iter().all(|i| i["location"]["path"] == BAD));
    assert!(issues
        .iter()
        .any(|i| i["check_name"] == "plaintext-secret" && i["severity"] == "critical"));
    // The same findings a few lines lower keep their fingerprints (they name rule, object
    // and field, not the line), so GitLab does not see them as new.
    let text = std::fs::read_to_string(root().join(BAD)).unwrap();
    let moved_dir = dir.join("moved");
    std::fs::create_dir_all(&moved_dir).unwrap();
    let original = write(&moved_dir, "release.yaml", &text);
    let first = gitlab(&[original.to_str().unwrap()]);
    write(
        &moved_dir,
        "release.yaml",
        &format!("# a comment\n# another\n{text}"),
    );
    let second = gitlab(&[original.to_str().unwrap()]);
    let key = |r: &serde_json::Value| {
        let mut v: Vec<(String, i64)> = r
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["fingerprint"].as_str().unwrap().to_string(),
                    i["location"]["lines"]["begin"].as_i64().unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let (a, b) = (key(&first), key(&second));
    assert_eq!(
        a.iter().map(|x| &x.0).collect::<Vec<_>>(),
        b.iter().map(|x| &x.0).collect::<Vec<_>>()
    );
    assert!(
        a.iter().zip(&b).all(|(x, y)| y.1 == x.1 + 2),
        "lines moved by two"
    );
}

#[test]
fn gitlab_of_a_clean_release_is_an_empty_array() {
    let dir = tmp_dir("gitlab-clean");
    let report = gitlab(&[GOOD]);
    validate_gitlab(&dir, &report);
    assert_eq!(report, serde_json::json!([]));
}

#[test]
fn markdown_summarises_for_a_pull_request_comment() {
    let out = run(&["lint", BAD, "--format", "markdown"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let md = &out.stdout;
    assert!(md.starts_with("## ❌ chartguard: "), "{md}");
    assert!(md.contains("| rule | severity | findings |"), "{md}");
    assert!(md.contains("[`plaintext-secret`]("), "{md}");
    // Relative links, or the commit's blob URL when run on GitHub Actions or GitLab CI.
    assert!(md.contains(&format!("{BAD}#L")), "links to lines: {md}");
    for s in example_secrets() {
        assert!(!md.contains(&s), "a secret value in the Markdown summary");
    }
    let clean = run(&["lint", GOOD, "--format", "markdown"]);
    assert_eq!(clean.code, 0);
    assert!(
        clean.stdout.starts_with("## ✅ chartguard: 0 errors"),
        "{}",
        clean.stdout
    );
}

#[test]
fn one_lint_writes_annotations_and_sarif() {
    let dir = tmp_dir("sarif-output");
    let sarif = dir.join("out.sarif");
    let out = run(&[
        "lint",
        BAD,
        "--format",
        "github",
        "--sarif-output",
        sarif.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.starts_with("::error file="), "{}", out.stdout);
    validate_sarif(&sarif);
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap().len();
    assert_eq!(
        results,
        out.stdout.lines().filter(|l| l.starts_with("::")).count(),
        "the same findings in both"
    );
}

#[test]
fn completions_for_every_shell() {
    let dir = tmp_dir("completions");
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = run(&["completions", shell]);
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        assert!(
            out.stdout.contains("lint") && out.stdout.contains("--fail-on"),
            "{shell}"
        );
        let file = write(&dir, &format!("chartguard.{shell}"), &out.stdout);
        // Syntax-check with the shell itself where it is installed (bash always is).
        let checker = match shell {
            "bash" => Some(("bash", vec!["-n"])),
            "zsh" => Some(("zsh", vec!["-n"])),
            "fish" => Some(("fish", vec!["--no-execute"])),
            _ => None,
        };
        if let Some((bin, flags)) = checker {
            if let Ok(o) = Command::new(bin).args(&flags).arg(&file).output() {
                assert!(
                    o.status.success(),
                    "{shell}: {}",
                    String::from_utf8_lossy(&o.stderr)
                );
            } else {
                assert_ne!(shell, "bash", "bash must be there");
            }
        }
    }
    let bad = run(&["completions", "tcsh"]);
    assert_eq!(bad.code, 2);
}

#[test]
fn man_page_documents_every_subcommand() {
    let out = run(&["man"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let page = &out.stdout;
    assert!(page.contains(".TH chartguard 1"), "{page}");
    assert!(
        page.contains(".SH NAME") && page.contains(".SH SYNOPSIS"),
        "{page}"
    );
    for sub in [
        "lint",
        "merge",
        "gate",
        "rules",
        "serve",
        "completions",
        "man",
        "config",
    ] {
        assert!(page.contains(sub), "{sub} missing from the man page");
    }
    // groff, where installed, renders it without warnings.
    if let Ok(o) = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(page.as_bytes())?;
            c.wait_with_output()
        })
    {
        assert!(
            o.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
fn config_schema_is_current_and_checks_configs() {
    let out = run(&["config", "schema"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let committed = std::fs::read_to_string(root().join("docs/chartguard.schema.json")).unwrap();
    assert!(
        out.stdout == committed,
        "docs/chartguard.schema.json is stale: run `cargo run -q -- config schema > docs/chartguard.schema.json`"
    );
    let dir = tmp_dir("config-schema");
    let good = write(
        &dir,
        "good.json",
        r#"{"profile": "prod", "kube-version": "1.33", "policy-dirs": ["policies/team"],
            "unknown-environment-profile": "prod",
            "environments": {"staging": {"values": ["values-staging.yaml"], "profile": "prod"}},
            "rules": {"disable": ["pdb-missing"], "severity": {"resource-limits": "error"}},
            "helm": {"release-name": "myapp", "namespace": "apps"},
            "suppressions": [{"rule": "resource-limits", "object": "Deployment/*/legacy-*",
                              "reason": "sized by the LimitRange", "until": "2027-01-31"}]}"#,
    );
    let bad = write(
        &dir,
        "bad.json",
        r#"{"profle": "prod", "rules": {"severity": {"x": "fatal"}}}"#,
    );
    let verdicts = python(
        r#"
import json, sys, jsonschema
schema = json.load(open("docs/chartguard.schema.json"))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
for f in sys.argv[1:]:
    print(f.rsplit("/", 1)[1], len(list(v.iter_errors(json.load(open(f))))))
"#,
        &[&good, &bad],
    );
    assert!(verdicts.contains("good.json 0"), "{verdicts}");
    assert!(!verdicts.contains("bad.json 0"), "{verdicts}");
}
