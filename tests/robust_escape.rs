//! Terminal escape injection (issue 19, section 5): control characters in names, labels and
//! template lines reach no terminal — human output with and without colour, the gate's
//! report on stderr and in `--report`, and error messages all show them escaped.

mod common;
use common::*;
use std::time::Duration;

/// A Deployment whose name, label and a comment carry ESC sequences (OSC retitle, clear
/// screen), BEL, CR and a C1 CSI.
const HOSTILE: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: \"web\\e]0;pwned\\a\"\n  labels: {app: \"x\\e[2J\\r\\u009b\"}\nspec:\n  replicas: \"2\"\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n        - name: app # \u{1b}[31mred\u{1b}[0m\n          image: nginx:latest\n";

fn assert_no_raw_controls(what: &str, text: &str) {
    for (i, c) in text.char_indices() {
        let allowed = c == '\n' || c == '\t';
        assert!(
            allowed || !(c.is_control()),
            "{what}: raw control character {c:?} at byte {i}:\n{}",
            text.escape_debug()
        );
    }
}

#[test]
fn human_output_escapes_control_characters_without_colour() {
    let dir = tmp_dir("robust-escape-human");
    let path = dir.join("hostile.yaml");
    std::fs::write(&path, HOSTILE).unwrap();
    let out = run_with(
        &["lint", path.to_str().unwrap(), "--color", "never"],
        None,
        Duration::from_secs(120),
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stdout.contains("web\\x1b]0;pwned\\x07"),
        "{}",
        out.stdout
    );
    assert_no_raw_controls("stdout", &out.stdout);
    assert_no_raw_controls("stderr", &out.stderr);
}

#[test]
fn human_output_escapes_control_characters_with_colour_but_keeps_its_own() {
    let dir = tmp_dir("robust-escape-colour");
    let path = dir.join("hostile.yaml");
    std::fs::write(&path, HOSTILE).unwrap();
    let out = run_with(
        &["lint", path.to_str().unwrap(), "--color", "always"],
        None,
        Duration::from_secs(120),
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stdout.contains("web\\x1b]0;pwned\\x07"),
        "{}",
        out.stdout
    );
    // chartguard's own colour codes are SGR sequences (ESC [ … m); nothing else.
    let stripped: String = {
        let mut s = String::new();
        let mut rest = out.stdout.as_str();
        while let Some(i) = rest.find('\u{1b}') {
            s.push_str(&rest[..i]);
            let tail = &rest[i..];
            let end = tail.find('m').expect("an SGR sequence ends with m");
            assert!(
                tail[1..end].starts_with('[')
                    && tail[2..end].chars().all(|c| c.is_ascii_digit() || c == ';'),
                "a raw escape that is not chartguard's colour: {:?}",
                &tail[..end.min(20)]
            );
            rest = &tail[end + 1..];
        }
        s.push_str(rest);
        s
    };
    assert_no_raw_controls("stdout without colour codes", &stripped);
}

#[test]
fn the_gate_report_escapes_control_characters() {
    let dir = tmp_dir("robust-escape-gate");
    let report = dir.join("report.txt");
    let out = run_with(
        &[
            "gate",
            "--fail-on",
            "warning",
            "--report",
            report.to_str().unwrap(),
        ],
        Some(HOSTILE.as_bytes()),
        Duration::from_secs(120),
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("\\x1b]0;pwned"), "{}", out.stderr);
    assert_no_raw_controls("gate stderr", &out.stderr);
    assert_no_raw_controls("gate report", &std::fs::read_to_string(&report).unwrap());
}

#[test]
fn error_messages_escape_control_characters() {
    let dir = tmp_dir("robust-escape-error");
    let path = dir.join("bad\u{1b}[2Jname.yaml");
    std::fs::write(&path, "apiVersion: v1\nkind: [\n").unwrap();
    let out = run_with(
        &["lint", path.to_str().unwrap(), "--color", "never"],
        None,
        Duration::from_secs(120),
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("bad\\x1b[2Jname.yaml"),
        "{}",
        out.stderr
    );
    assert_no_raw_controls("stderr", &out.stderr);
}
