//! A bounded mutation fuzzer for the YAML front end and the whole lint pipeline (issue 19,
//! "Done when"): the example manifests and the test fixtures, mutated byte- and
//! structure-wise, are linted in-process in every output format with secrets planted in
//! documents the mutations do not touch. Every case must end as findings or an input error:
//! no panic, no hang, no rule failing to evaluate, no planted secret in any output or error.
//!
//! CI runs a few dozen cases (`CHARTGUARD_FUZZ_CASES`, default 24). A long run:
//! `CHARTGUARD_FUZZ_SECONDS=3600 cargo test --test robust_fuzz -- --nocapture` prints
//! progress and, at the end, the counts (cases, panics, hangs, rule crashes, leaks).
//! `CHARTGUARD_FUZZ_SEED` picks another sequence; failing cases are written to
//! `target/fuzz-failures/` to be replayed with `chartguard lint FILE`.
//!
//! cargo-fuzz is not used: it needs a nightly toolchain and libFuzzer in CI, and most of the
//! pipeline's cost is the rule engine, not the mutation; a hand-rolled mutator on stable
//! runs everywhere the tests run.

mod common;
use chartguard::cli::args::{Cli, Command};
use clap::Parser;
use common::*;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// xorshift64*: deterministic, no dependency, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Tokens that stress YAML and the typed parse: indicators, tags, anchors, YAML 1.1
/// scalars, huge numbers, control characters, escapes for terminals.
const TOKENS: &[&str] = &[
    ": ",
    "- ",
    "{",
    "}",
    "[",
    "]",
    ",",
    "&a ",
    "*a",
    "<<: *a",
    "!!binary ",
    "!!str ",
    "!!int ",
    "!custom ",
    "---\n",
    "...\n",
    "\t",
    "'",
    "\"",
    "|\n",
    ">-\n",
    "#",
    "? ",
    "%YAML 1.2\n",
    "0x-8000000000000000",
    "-0x-8000000000000000",
    "0o777",
    "0b101",
    "1_000",
    "1e400",
    "-.inf",
    ".nan",
    "~",
    "null",
    "yes",
    "off",
    "2027-02-30",
    "99999999999999999999999",
    "-0",
    "\u{1b}[31mred\u{1b}[0m",
    "\u{1b}]0;title\u{7}",
    "\u{202e}",
    "\u{0}",
    "\r",
    "\u{85}",
    "\u{feff}",
    "😀",
    "name",
    "spec",
    "containers",
    "kind: Secret",
    "data",
    "stringData",
    "apiVersion",
    "helm.sh/hook",
    "helm.sh/hook-weight",
    "\"-10\"",
    "resources",
    "image",
    "securityContext",
    "privileged: true",
    "replicas",
    "selector",
    "matchLabels",
    "ports",
];

/// Values of the wrong type for a `key: value` line.
const VALUES: &[&str] = &[
    "5",
    "-1",
    "1.5",
    "true",
    "null",
    "\"\"",
    "{a: b}",
    "[x, 1]",
    "[]",
    "{}",
    "\"x\"",
    "!!binary aGk=",
    "*undefined",
    "&x 1",
    "0x-8000000000000000",
    "\"\\u0000\"",
];

/// Byte-level mutations mostly give broken YAML (an input error, which is tested too); half
/// the cases use structure-aware mutations only, which keep YAML that reaches the rules.
fn mutate(rng: &mut Rng, text: &str) -> String {
    let structural = rng.below(2) == 0;
    let mut s: Vec<u8> = text.as_bytes().to_vec();
    for _ in 0..1 + rng.below(3) {
        if s.is_empty() {
            s.extend_from_slice(rng.pick(TOKENS).as_bytes());
            continue;
        }
        let at = rng.below(s.len());
        match if structural { 11 } else { rng.below(12) } {
            0 => s[at] ^= 1 << rng.below(8),
            1 => {
                let end = (at + 1 + rng.below(64)).min(s.len());
                s.drain(at..end);
            }
            2 => {
                let end = (at + 1 + rng.below(256)).min(s.len());
                let chunk = s[at..end].to_vec();
                let to = rng.below(s.len());
                s.splice(to..to, chunk);
            }
            3 | 4 => {
                let token = rng.pick(TOKENS).as_bytes().to_vec();
                s.splice(at..at, token);
            }
            _ => {
                // Structure-aware: on a `key: value` line, replace the value with one of
                // another type, or indent/dedent the line, or swap it with the next.
                let text = String::from_utf8_lossy(&s).into_owned();
                let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
                if lines.is_empty() {
                    continue;
                }
                let i = rng.below(lines.len());
                match if structural { 0 } else { rng.below(4) } {
                    0 | 1 => {
                        if let Some(pos) = lines[i].find(": ") {
                            let head = lines[i][..pos + 2].to_string();
                            lines[i] = format!("{head}{}", rng.pick(VALUES));
                        }
                    }
                    2 => {
                        if rng.below(2) == 0 {
                            lines[i].insert_str(0, "  ");
                        } else if lines[i].starts_with("  ") {
                            lines[i].drain(..2);
                        }
                    }
                    _ => {
                        if i + 1 < lines.len() {
                            lines.swap(i, i + 1);
                        }
                    }
                }
                s = (lines.join("\n") + "\n").into_bytes();
            }
        }
    }
    // Documents are text: chartguard rejects binary input up front, which the fuzzer
    // would otherwise mostly hit.
    let mut out = String::from_utf8_lossy(&s).into_owned();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// Planted secrets, and the documents holding them (appended after a document marker, which
/// no mutation of the text before it can swallow).
fn planted(case: u64) -> (Vec<String>, String) {
    let a = format!("Pl4ntedSecretA{case:x}q");
    let b = format!("Pl4ntedSecretB{case:x}q");
    let c = format!("Pl4ntedSecretC{case:x}q");
    let c64 = base64(c.as_bytes());
    let docs = format!(
        "\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: planted\nstringData:\n  password: {a}\ndata:\n  token: {c64}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: planted\nspec:\n  selector: {{matchLabels: {{app: planted}}}}\n  template:\n    metadata: {{labels: {{app: planted}}}}\n    spec:\n      containers:\n        - name: app\n          image: nginx\n          env:\n            - name: DB_PASSWORD\n              value: {b}\n"
    );
    (vec![a, b, c, c64], docs)
}

fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |acc, b| (acc << 8) | *b as u32) << (8 * (3 - chunk.len()));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn seeds() -> Vec<String> {
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in ["examples/rendered", "tests"] {
        for e in walk(&root().join(dir)) {
            if e.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                files.push(e);
            }
        }
    }
    files.sort();
    let mut out: Vec<String> = files
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        // Templates and values files are not manifests: every case would be an input error.
        .filter(|t| !t.contains("{{") && t.contains("apiVersion") && t.contains("kind:"))
        .collect();
    out.push(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  password: aHVudGVy\n".into(),
    );
    out.push("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: r\nrules:\n  - apiGroups: [\"\"]\n    resources: [secrets]\n    verbs: [get]\n".into());
    out.push("apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec: \"x\"\n".into());
    out.push("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: h\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: 123}\n  maxReplicas: 3\n".into());
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[derive(Default, Debug)]
struct Counts {
    cases: u64,
    findings_exit: u64,
    input_errors: u64,
    panics: u64,
    hangs: u64,
    rule_crashes: u64,
    leaks: u64,
}

enum Outcome {
    Done(Result<u8, String>, String),
    Panicked(String),
}

/// Lints `file` in-process in `format`; the report goes to `out`.
fn lint_once(file: &Path, format: &str, out: &Path) -> Outcome {
    let args = [
        "chartguard",
        "lint",
        file.to_str().unwrap(),
        "--format",
        format,
        "--color",
        "never",
        "--no-config",
        "-o",
        out.to_str().unwrap(),
    ];
    let Command::Lint(args) = Cli::try_parse_from(args).expect("arguments parse").command else {
        unreachable!("lint")
    };
    let result = std::panic::catch_unwind(|| chartguard::commands::lint(&args));
    match result {
        Ok(r) => {
            let report = std::fs::read_to_string(out).unwrap_or_default();
            let _ = std::fs::remove_file(out);
            Outcome::Done(r.map_err(|e| format!("{e:#}")), report)
        }
        Err(p) => Outcome::Panicked(
            p.downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default(),
        ),
    }
}

#[test]
fn mutated_manifests_never_panic_hang_crash_a_rule_or_leak() {
    let seconds: Option<u64> = std::env::var("CHARTGUARD_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok());
    let max_cases: u64 = std::env::var("CHARTGUARD_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if seconds.is_some() { u64::MAX } else { 24 });
    let seed: u64 = std::env::var("CHARTGUARD_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_c4a7_9a4d);
    // A hang guard, not a speed limit: a debug build lints a mutated example in about a
    // second on a shared machine.
    let guard = Duration::from_secs(300);
    let started = Instant::now();
    let seeds = seeds();
    assert!(!seeds.is_empty());
    let dir = tmp_dir("robust-fuzz");
    let failures = root().join("target/fuzz-failures");
    let mut rng = Rng(seed | 1);
    let mut counts = Counts::default();
    let formats = ["human", "json", "sarif", "github"];
    let mut problems: Vec<String> = Vec::new();
    eprintln!("robust_fuzz: seed {seed}, {} seed documents", seeds.len());
    // The default hook prints each caught panic with its location: keep it (it is the
    // report), but in-process panics are counted, not fatal.
    while counts.cases < max_cases && seconds.is_none_or(|s| started.elapsed().as_secs() < s) {
        let case = counts.cases;
        counts.cases += 1;
        let base = rng.pick(&seeds).clone();
        let mutated = mutate(&mut rng, &base);
        let (secrets, docs) = planted(case);
        let text = format!("{mutated}{docs}");
        let file = dir.join(format!("case-{}.yaml", case % 4));
        std::fs::write(&file, &text).unwrap();
        let format = formats[(case % 4) as usize];
        let out = dir.join(format!("out-{}.txt", case % 4));
        let (tx, rx) = mpsc::channel();
        let (f2, o2, fmt) = (file.clone(), out.clone(), format.to_string());
        std::thread::spawn(move || {
            let _ = tx.send(lint_once(&f2, &fmt, &o2));
        });
        let mut bad: Option<&str> = None;
        match rx.recv_timeout(guard) {
            Err(_) => {
                counts.hangs += 1;
                bad = Some("hang");
            }
            Ok(Outcome::Panicked(msg)) => {
                counts.panics += 1;
                problems.push(format!("case {case}: panic: {msg}"));
                bad = Some("panic");
            }
            Ok(Outcome::Done(result, report)) => {
                let error = match &result {
                    Ok(1) => {
                        counts.findings_exit += 1;
                        String::new()
                    }
                    Ok(_) => String::new(),
                    Err(e) => {
                        counts.input_errors += 1;
                        if std::env::var_os("CHARTGUARD_FUZZ_VERBOSE").is_some() {
                            eprintln!("robust_fuzz: case {case}: {e}");
                        }
                        e.clone()
                    }
                };
                let all = format!("{report}\n{error}");
                if all.contains("failed to evaluate") {
                    counts.rule_crashes += 1;
                    bad = Some("rule-crash");
                }
                if let Some(s) = secrets.iter().find(|s| all.contains(s.as_str())) {
                    counts.leaks += 1;
                    problems.push(format!(
                        "case {case} ({format}): planted secret {s} printed"
                    ));
                    bad = Some("leak");
                }
            }
        }
        if let Some(kind) = bad {
            let _ = std::fs::create_dir_all(&failures);
            let path = failures.join(format!("{kind}-seed{seed}-case{case}.yaml"));
            let _ = std::fs::write(&path, &text);
            eprintln!(
                "robust_fuzz: {kind} in case {case} ({format}): {}",
                path.display()
            );
            if kind == "hang" {
                // The hung thread cannot be stopped; end the run with what is known.
                break;
            }
        }
        if counts.cases % 100 == 0 {
            eprintln!(
                "robust_fuzz: {:?} after {}s",
                counts,
                started.elapsed().as_secs()
            );
        }
    }
    eprintln!(
        "robust_fuzz: done after {}s (seed {seed}): {} cases ({} with findings, {} input errors), {} panics, {} hangs, {} rule crashes, {} leaks",
        started.elapsed().as_secs(),
        counts.cases,
        counts.findings_exit,
        counts.input_errors,
        counts.panics,
        counts.hangs,
        counts.rule_crashes,
        counts.leaks
    );
    assert!(
        counts.panics + counts.hangs + counts.rule_crashes + counts.leaks == 0,
        "{counts:?}\n{}",
        problems.join("\n")
    );
}
