//! Bounded fuzzing of the lexer, parser and executor (stable Rust, so proptest rather than
//! cargo-fuzz): on any input, parsing and rendering with a small budget return Ok or Err, never
//! panic and never run away. Three generators: arbitrary Unicode, templates assembled from the
//! language's tokens, and mutations of the golden suite's templates.
//!
//! `FUZZ_CASES=<n>` sets the number of inputs per generator (default 600, what CI runs).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::time::{Duration, Instant};

use helm_template::{Engine, HelmVersion, Options, Value};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// Functions too slow for a fuzz loop in a debug build (key generation, key stretching).
const SLOW: &[&str] = &[
    "genPrivateKey",
    "genCA",
    "genSelfSigned",
    "genSignedCert",
    "bcrypt",
    "htpasswd",
    "derivePassword",
];

const TOKENS: &[&str] = &[
    "{{",
    "}}",
    "{{- ",
    " -}}",
    "{{/*",
    "*/}}",
    " ",
    "\n",
    "\t",
    "if",
    "else",
    "else if",
    "end",
    "range",
    "with",
    "break",
    "continue",
    "define \"d\"",
    "template \"d\"",
    "block \"b\" .",
    "include \"d\" .",
    "tpl",
    ".",
    ".Values",
    ".Values.a",
    ".Values.list",
    ".Values.map.k",
    "$",
    "$x",
    "$x :=",
    "$x =",
    "$i, $v :=",
    "|",
    "(",
    ")",
    "\"s\"",
    "\"\"",
    "`raw`",
    "'c'",
    "0",
    "1",
    "-1",
    "1.5",
    "1e3",
    "0x1F",
    "nil",
    "true",
    "false",
    "and",
    "or",
    "not",
    "eq",
    "ne",
    "lt",
    "len",
    "index",
    "slice",
    "print",
    "printf \"%v %d %s\"",
    "println",
    "html",
    "js",
    "call",
    "toYaml",
    "toJson",
    "fromYaml",
    "fromJson",
    "toToml",
    "default",
    "required \"m\"",
    "fail \"f\"",
    "quote",
    "upper",
    "indent 2",
    "nindent 2",
    "list",
    "dict \"k\"",
    "until 3",
    "seq 3",
    "repeat 3",
    "trunc 2",
    "regexMatch \"a\"",
    "semver",
    "b64enc",
    "sha256sum",
    ":=",
    "=",
    ",",
    "\"",
    "{",
    "}",
    "-",
    "é",
    "\u{0}",
    "\\",
];

fn options() -> Options {
    Options {
        helm: HelmVersion::V4,
        max_steps: 20_000,
        max_output_bytes: 1 << 20,
        max_duration: Duration::from_secs(2),
        max_depth: 200,
        max_include_depth: 50,
        ..Options::default()
    }
}

fn data() -> Value {
    Value::from_json(&serde_json::json!({
        "Values": {"a": "x", "n": 3, "list": [1, "two", null, {"k": "v"}], "map": {"k": [1, 2]}, "nil": null},
        "Release": {"Name": "r", "Namespace": "ns"},
        "Template": {"Name": "fuzz/templates/t.yaml", "BasePath": "fuzz/templates"},
    }))
}

/// Parses and renders `src` (and a helper file defining "d"); panics are the failures.
fn exercise(src: &str) -> Result<(), TestCaseError> {
    if SLOW.iter().any(|f| src.contains(f)) {
        return Ok(());
    }
    let started = Instant::now();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        for helm in [HelmVersion::V3, HelmVersion::V4] {
            let mut e = Engine::new(Options { helm, ..options() });
            let _ = e.add_template(
                "fuzz/templates/_h.tpl",
                "{{ define \"d\" }}[{{ . }}]{{ end }}",
            );
            if e.add_template("fuzz/templates/t.yaml", src).is_ok() {
                let _ = e.render("fuzz/templates/t.yaml", data());
            }
        }
    }));
    if let Err(p) = outcome {
        let msg = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        return Err(TestCaseError::fail(format!("panic on {src:?}: {msg}")));
    }
    // The budget is 2 s per render; far beyond it means a loop the budget does not see.
    let took = started.elapsed();
    prop_assert!(took < Duration::from_secs(30), "{src:?} took {took:?}");
    Ok(())
}

fn cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600)
}

fn runner() -> TestRunner {
    // A fixed seed source would hide new inputs; failures print the minimal input to reproduce.
    TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    })
}

/// Runs on a thread with a large stack: deep nesting is legal input, and a debug build's
/// frames are big.
fn on_big_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn fuzz_arbitrary_unicode() {
    on_big_stack(|| {
        runner().run(&".{0,200}", |s| exercise(&s)).unwrap();
    });
}

#[test]
fn fuzz_token_soup() {
    on_big_stack(|| {
        let soup =
            prop::collection::vec(prop::sample::select(TOKENS), 0..60).prop_map(|t| t.concat());
        runner().run(&soup, |s| exercise(&s)).unwrap();
    });
}

/// The golden templates, mutated: bytes inserted, deleted or swapped for tokens, so the
/// inputs are mostly well-formed and reach deep into the executor.
#[test]
fn fuzz_mutated_goldens() {
    on_big_stack(|| {
        let seeds = golden_templates();
        assert!(seeds.len() > 100, "golden templates not found");
        let n = seeds.len();
        let edit = (
            any::<prop::sample::Index>(),
            0..3u8,
            prop::sample::select(TOKENS),
        );
        let strategy = (0..n, prop::collection::vec(edit, 1..6));
        runner()
            .run(&strategy, |(i, edits)| {
                let mut s: Vec<char> = seeds[i].chars().collect();
                for (at, op, tok) in edits {
                    let at = if s.is_empty() { 0 } else { at.index(s.len()) };
                    match op {
                        0 => s.splice(at..at, tok.chars()).for_each(drop),
                        1 if !s.is_empty() => {
                            s.remove(at);
                        }
                        _ => {
                            let end = (at + tok.len()).min(s.len());
                            s.splice(at..end, tok.chars()).for_each(drop);
                        }
                    }
                }
                exercise(&s.into_iter().collect::<String>())
            })
            .unwrap();
    });
}

fn golden_templates() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/cases");
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
        let doc: serde_json::Value = yaml_serde::from_str(&text).unwrap();
        for (_, c) in doc["cases"].as_object().into_iter().flatten() {
            let t = c.as_str().or_else(|| c["template"].as_str());
            out.extend(t.map(str::to_string));
        }
    }
    out.sort();
    out
}
