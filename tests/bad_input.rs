//! Bad input never panics or hangs: it is an input error (exit 2, naming file and line) or,
//! when it is a valid object with wrong types, findings.

mod common;
use common::*;
use std::time::Duration;

fn lint_text(name: &str, text: &[u8]) -> Output {
    lint_text_within(name, text, Duration::from_secs(30))
}

/// `limit` is a hang guard, not a speed assertion.
fn lint_text_within(name: &str, text: &[u8], limit: Duration) -> Output {
    let dir = tmp_dir(name);
    let path = dir.join(format!("{name}.yaml"));
    std::fs::write(&path, text).unwrap();
    run_with(&["lint", path.to_str().unwrap()], None, limit)
}

fn assert_input_error(out: &Output, needle: &str) {
    assert_eq!(
        out.code, 2,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    assert!(
        out.stderr.contains(needle),
        "stderr should mention {needle:?}:\n{}",
        out.stderr
    );
}

#[test]
fn truncated_yaml_names_file_line_and_column() {
    let full =
        std::fs::read_to_string(root().join("examples/rendered/classic-mistakes.yaml")).unwrap();
    // Cut inside a flow sequence so the document cannot be valid.
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [b, c\n";
    let out = lint_text("truncated", text.as_bytes());
    assert_input_error(&out, "truncated.yaml:");
    assert!(out.stderr.contains("invalid YAML"), "{}", out.stderr);
    // Every prefix of a real release either lints or is an input error: never a crash.
    for cut in (0..full.len()).step_by(full.len() / 25) {
        let mut end = cut;
        while !full.is_char_boundary(end) {
            end += 1;
        }
        let out = lint_text("prefix", &full.as_bytes()[..end]);
        assert!(matches!(out.code, 0..=2), "cut at {cut}: {}", out.stderr);
    }
}

#[test]
fn binary_input_is_refused() {
    let out = lint_text("binary", b"\x7fELF\x02\x01\x01\x00\x00\x00garbage");
    assert_input_error(&out, "binary.yaml:1: binary data");
}

#[test]
fn empty_input_is_not_an_error() {
    let out = lint_text("empty", b"");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("no Kubernetes objects"),
        "{}",
        out.stderr
    );
    let out = run_with(
        &["lint", "-"],
        Some(b"---\n# nothing\n---\n"),
        Duration::from_secs(30),
    );
    assert_eq!(out.code, 0);
}

#[test]
fn deep_nesting_is_refused_quickly() {
    let mut text =
        String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata:\n  x: ");
    text.push_str(&"[".repeat(100_000));
    let out = lint_text("deep", text.as_bytes());
    assert_input_error(&out, "deep.yaml:5:");
    assert!(out.stderr.contains("nesting deeper"), "{}", out.stderr);
}

#[test]
fn alias_bombs_are_refused() {
    let mut text = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\nx0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..15 {
        let p = i - 1;
        text.push_str(&format!(
            "x{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let out = lint_text("aliases", text.as_bytes());
    assert_input_error(&out, "aliases.yaml:");
    assert!(out.stderr.contains("aliases expand"), "{}", out.stderr);
}

#[test]
fn modest_aliases_are_fine() {
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: &l {app: web}}\n  template:\n    metadata: {labels: *l}\n    spec:\n      containers: [{name: a, image: 'x:1'}]\n";
    let out = lint_text("aliases-ok", text.as_bytes());
    assert!(matches!(out.code, 0 | 1), "{}", out.stderr);
}

#[test]
fn not_kubernetes_objects_are_input_errors() {
    assert_input_error(
        &lint_text("list", b"- a\n- b\n"),
        "list.yaml:1:1: document is a list",
    );
    assert_input_error(
        &lint_text("nokind", b"apiVersion: v1\nmetadata: {name: x}\n"),
        "nokind.yaml:1:1: document has no `kind`",
    );
    assert_input_error(&lint_text("scalar", b"just text\n"), "scalar.yaml:1:1");
}

#[test]
fn type_errors_are_findings_not_crashes() {
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: \"3\"\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: {name: a}\n";
    let out = run_with(
        &["lint", "-", "--format", "json"],
        Some(text.as_bytes()),
        Duration::from_secs(30),
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let schema: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "schema-invalid")
        .collect();
    assert!(
        schema
            .iter()
            .any(|f| f["path"] == "spec.replicas" && f["location"]["line"] == 5),
        "{schema:#?}"
    );
    assert!(
        schema
            .iter()
            .any(|f| f["path"] == "spec.template.spec.containers"),
        "{schema:#?}"
    );
}

#[test]
fn huge_documents_stay_bounded() {
    // 200k keys in one ConfigMap: large but legitimate; must finish, not hang.
    let mut text = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n");
    for i in 0..200_000 {
        text.push_str(&format!("  k{i}: v\n"));
    }
    // A hang guard, not a benchmark: the limit is CPU time (see run_with), generous for a
    // debug build (speed is measured in scripts/bench.sh).
    let out = lint_text_within("huge", text.as_bytes(), Duration::from_secs(300));
    assert!(matches!(out.code, 0 | 1), "{}", out.stderr);
}
