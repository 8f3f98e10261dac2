//! YAML conformance: the constructs Kubernetes manifests are written with, each read the way
//! the API server reads it (go-yaml v2, YAML 1.1 scalars), checked through the real pipeline.
//!
//! The cases are our own, modelled on the YAML test suite's groups for these constructs
//! (quoted and plain multi-line scalars, block scalars with indicators, anchors and aliases,
//! flow collections, comments, document markers, tabs); the suite's data is not vendored.
//! A custom rule (written to a temporary policy dir) reports each `Sample` object's `spec`
//! as JSON, so what is compared is exactly what the rules see. Expected values were checked
//! against PyYAML, apart from go-yaml's own readings (`y` is true, `0o17` and `1e3` are
//! numbers) and chartguard's documented one: a key set to null is absent for the rules.

mod common;

use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Duration;

const DUMP_RULE: &str = r#"# METADATA
# title: Dump spec
# description: Reports each Sample's spec as JSON (tests/yaml_conformance.rs).
# custom:
#   id: yaml-dump
#   severity: note
#   profiles: [dev, prod]
#   scope: object
#   why: A test rule.
#   fix: None.
package chartguard.rules.custom["yaml-dump"]

import data.chartguard.lib

report contains lib.violation(r.index, _path(r.object.spec), msg) if {
	some r in input.resources
	r.kind == "Sample"
	msg := json.marshal(r.object.spec)
}

_path(spec) := ["spec", "here"] if spec.here
else := ["spec"]
"#;

fn policy_dir(name: &str) -> PathBuf {
    let dir = common::tmp_dir(&format!("yaml-conformance-policy-{name}"));
    std::fs::write(dir.join("dump.rego"), DUMP_RULE).unwrap();
    dir
}

const HEAD: &str = "apiVersion: test.chartguard.io/v1\nkind: Sample\nmetadata:\n  name: x\n";

/// Lints `text` as a manifest file with only the dump rule; the JSON findings and the output.
fn lint(name: &str, text: &str) -> (Vec<Value>, common::Output) {
    let policies = policy_dir(name);
    let file = common::tmp_dir(&format!("yaml-conformance-{name}")).join("in.yaml");
    std::fs::write(&file, text).unwrap();
    let out = common::run_with(
        &[
            "lint",
            file.to_str().unwrap(),
            "--no-config",
            "--policy-dir",
            policies.to_str().unwrap(),
            "--select",
            "yaml-dump",
            "--format",
            "json",
            "--fail-on",
            "none",
        ],
        None,
        Duration::from_secs(60),
    );
    let findings = serde_json::from_str::<Value>(&out.stdout)
        .ok()
        .and_then(|v| v["findings"].as_array().cloned())
        .unwrap_or_default();
    (findings, out)
}

/// The `spec` the rules see for one object written as `HEAD` + `body`.
fn spec_of(name: &str, body: &str) -> Value {
    let (findings, out) = lint(name, &format!("{HEAD}{body}"));
    assert_eq!(out.code, 0, "{name}: chartguard failed:\n{}", out.stderr);
    assert_eq!(findings.len(), 1, "{name}: {}", out.stdout);
    serde_json::from_str(findings[0]["message"].as_str().unwrap()).unwrap()
}

/// Every case's `spec` as expected; all differences at once.
fn check(cases: &[(&str, &str, Value)]) {
    let mut failed = Vec::new();
    for (name, body, want) in cases {
        let got = spec_of(name, body);
        if &got != want {
            failed.push(format!("{name}:\n   got  {got}\n   want {want}"));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn scalars_collections_and_comments_read_like_kubernetes() {
    let cases: &[(&str, &str, Value)] = &[
        (
            "single-quoted-multiline",
            "spec:\n  v: 'first\n    second\n\n    third  '\n",
            json!({"v": "first second\nthird  "}),
        ),
        (
            "single-quoted-escape",
            "spec:\n  v: 'it''s ''quoted'''\n",
            json!({"v": "it's 'quoted'"}),
        ),
        (
            "double-quoted-escapes-and-folding",
            "spec:\n  v: \"tab\\there \\u00e9\\x41 \\\"q\\\" \\\\\n    folded\n\n    kept \\\n    joined\"\n",
            json!({"v": "tab\there \u{e9}A \"q\" \\ folded\nkept joined"}),
        ),
        (
            "plain-multiline",
            "spec:\n  v: one\n    two\n\n    three\n  w: a # not part of it\n",
            json!({"v": "one two\nthree", "w": "a"}),
        ),
        (
            "block-literal-chomping-and-indentation-indicator",
            "spec:\n  clip: |\n    a\n     b\n\n  strip: |-\n    a\n\n  keep: |+\n    a\n\n  indent: |2\n      x\n    y\n  last: end\n",
            json!({"clip": "a\n b\n", "strip": "a", "keep": "a\n\n", "indent": "  x\ny\n", "last": "end"}),
        ),
        (
            "block-folded",
            "spec:\n  v: >\n    one\n    two\n\n    three\n      indented\n    four\n  s: >-\n    x\n    y\n",
            json!({"v": "one two\nthree\n  indented\nfour\n", "s": "x y"}),
        ),
        (
            "block-scalar-hash-and-tab",
            "spec:\n  v: |\n    # not a comment\n    a\tb\n  # a comment\n  w: 1\n",
            json!({"v": "# not a comment\na\tb\n", "w": 1}),
        ),
        (
            "anchors-aliases-merge-keys",
            "spec:\n  base: &b {cpu: 100m, memory: 1Gi}\n  copy: *b\n  merged:\n    <<: *b\n    memory: 2Gi\n  list: &l [1, 2]\n  again: *l\n",
            json!({
                "base": {"cpu": "100m", "memory": "1Gi"},
                "copy": {"cpu": "100m", "memory": "1Gi"},
                "merged": {"cpu": "100m", "memory": "2Gi"},
                "list": [1, 2],
                "again": [1, 2],
            }),
        ),
        (
            "flow-collections",
            "spec:\n  m: {a: 1, b: [x, \"y\", 'z'], c: {d: e},}\n  multi: [\n    one,\n    two, {k: v}\n  ]\n  empty: {}\n  none: []\n",
            json!({"m": {"a": 1, "b": ["x", "y", "z"], "c": {"d": "e"}}, "multi": ["one", "two", {"k": "v"}], "empty": {}, "none": []}),
        ),
        (
            "comments",
            "# top\nspec: # after a key\n  # before an entry\n  a: 1 # after a value\n  b: 'x # in quotes'\n  c: x#y\n  d: # only a comment below\n    # here\n",
            json!({"a": 1, "b": "x # in quotes", "c": "x#y"}),
        ),
        (
            "yaml-1.1-scalars-as-go-yaml-reads-them",
            "spec:\n  b: [yes, No, on, OFF, true, y]\n  n: [010, 0x1F, 1_000, -5, +3, .5, 1e3, 0o17]\n  s: ['010', \"true\", 1.2.3, '1e3']\n",
            json!({"b": [true, false, true, false, true, true], "n": [8, 31, 1000, -5, 3, 0.5, 1000, 15], "s": ["010", "true", "1.2.3", "1e3"]}),
        ),
        (
            "compact-sequences",
            "spec:\n  a:\n  - x\n  - k: 1\n    j: 2\n  - - nested\n    - again\n  b: [ ]\n",
            json!({"a": ["x", {"k": 1, "j": 2}, ["nested", "again"]], "b": []}),
        ),
        (
            "keys",
            "spec:\n  \"quoted key\": 1\n  'single': 2\n  ? complex\n  : 3\n  80: port\n",
            json!({"quoted key": 1, "single": 2, "complex": 3, "80": "port"}),
        ),
        (
            "tabs-in-content-and-before-comments",
            "spec:\n  c: 'x\ty'\n  d: |\n    a\tb\n  e: 1\t# a tab before a comment\n",
            json!({"c": "x\ty", "d": "a\tb\n", "e": 1}),
        ),
        (
            "crlf-line-ends",
            "spec:\r\n  a: 1\r\n  b: |\r\n    x\r\n    y\r\n  c: \"p\r\n    q\"\r\n",
            json!({"a": 1, "b": "x\ny\n", "c": "p q"}),
        ),
    ];
    check(cases);
}

/// go-yaml (and so kubectl and Helm), libyaml and PyYAML accept a multi-line quoted scalar
/// whose continuation lines are indented no further than its key (YAML 1.2 says they must
/// be, test-suite case QB6E); controller-gen writes CRDs like that (flagger's under
/// --include-crds). Before the fix: exit 2, "invalid indentation in quoted scalar".
#[test]
fn quoted_scalars_indented_like_controller_gen_crds_are_read() {
    let cases: &[(&str, &str, Value)] = &[
        (
            "single-at-key-indent",
            "spec:\n  props:\n    description: 'APIVersion defines the\n    versioned schema; it''s\n    here.'\n    type: string\n",
            json!({"props": {"description": "APIVersion defines the versioned schema; it's here.", "type": "string"}}),
        ),
        (
            "double-at-key-indent",
            "spec:\n  v: \"one\n  two \\\"three\\\"\n  four\"\n",
            json!({"v": "one two \"three\" four"}),
        ),
        (
            "closing-quote-at-column-zero",
            "spec:\n  v: 'a\nb\n'\n  w: 1\n",
            json!({"v": "a b ", "w": 1}),
        ),
        (
            "in-a-sequence",
            "spec:\n  l:\n  - d: 'x\n    y'\n  - 'p\n  q'\n",
            json!({"l": [{"d": "x y"}, "p q"]}),
        ),
        (
            "several-in-one-document-with-blank-lines",
            "spec:\n  a: 'one\n\n  two'\n  b: 'three\n  four'\n  c: \"five\n  six\"\n",
            json!({"a": "one\ntwo", "b": "three four", "c": "five six"}),
        ),
    ];
    check(cases);

    // Lines stay where they were written: the key after the re-indented scalar (line 8).
    let (findings, out) = lint(
        "positions",
        &format!("{HEAD}spec:\n  v: 'a\n  b\n  c'\n  here: 1\n"),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(findings[0]["location"]["line"], 9, "{}", out.stdout);
    assert_eq!(findings[0]["location"]["column"], 3, "{}", out.stdout);
}

#[test]
fn document_markers_split_and_end_documents() {
    let text = format!(
        "---\n{HEAD}spec: {{a: 1}}\n...\n--- # second\n{HEAD}spec: {{a: 2}}\n---\n# only a comment\n---\n\n{HEAD}spec: {{a: 3}}\n"
    );
    let (findings, out) = lint("markers", &text);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let specs: Vec<String> = findings
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        specs,
        [r#"{"a":1}"#, r#"{"a":2}"#, r#"{"a":3}"#],
        "{}",
        out.stdout
    );
}

/// What go-yaml refuses is an input error naming the line: exit 2, never a guess.
#[test]
fn broken_yaml_is_an_error_at_its_line() {
    for (name, body, at, message) in [
        ("tab-indentation", "spec:\n\ta: 1\n", "6:2", "tabs"),
        (
            "unclosed-quote",
            "spec:\n  a: 'open\n  b: 1\n",
            "6:6",
            "never closed",
        ),
        (
            "document-marker-inside-quotes",
            "spec:\n  a: \"x\n...\n  y\"\n",
            "6:6",
            "end of stream",
        ),
        ("bad-flow", "spec:\n  a: [1, 2\n  b: 3\n", "7:4", "':'"),
    ] {
        let (_, out) = lint(name, &format!("{HEAD}{body}"));
        assert_eq!(out.code, 2, "{name}: {}{}", out.stdout, out.stderr);
        assert!(
            out.stderr.contains(&format!("in.yaml:{at}: invalid YAML"))
                && out.stderr.contains(message),
            "{name}: {}",
            out.stderr
        );
    }
}

/// Each such scalar costs a parse of its document, so their number is bounded (256 per
/// document): up to it they are read, past it the document is an error that says why.
#[test]
fn under_indented_quoted_scalars_are_bounded_per_document() {
    let doc = |n: usize| {
        let mut text = format!("{HEAD}spec:\n");
        for i in 0..n {
            text.push_str(&format!("  k{i}: 'a\n  b'\n"));
        }
        text
    };
    let (findings, out) = lint("bounded-ok", &doc(200));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let spec: Value = serde_json::from_str(findings[0]["message"].as_str().unwrap()).unwrap();
    assert_eq!(spec["k199"], "a b");
    let (_, out) = lint("bounded-too-many", &doc(300));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("and 256 more before it in this document"),
        "{}",
        out.stderr
    );
}
