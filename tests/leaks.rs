//! The leak suite: secrets planted in every place and form a snippet or a message could
//! show them (tests/charts/leaky-forms: strings where lists belong, typos under a secret
//! env entry, a misspelled Secret field, flow-style lines, credential forms in args; Helm
//! errors echoing values from values files, subchart defaults, escaped `--set` values and
//! numbers, a packaged subchart's defaults), checked absent from every output format and the gate's report, with both Helms
//! and the built-in renderer (its errors are Helm 4's texts, masked the same way), and a
//! fixed-width mask present where they were.

mod common;
use common::{gate_with_report, helms, renderers, root, run_without_helm, tmp_dir};

const CHART: &str = "tests/charts/leaky-forms";

/// Every planted secret: `LEAK` and a tag (`LEAKF07`, `LEAKH03`) is enough to find one,
/// whatever part of it an output would keep.
fn planted(chart_files: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for f in chart_files {
        let text = std::fs::read_to_string(root().join(CHART).join(f)).unwrap();
        let mut rest = text.as_str();
        while let Some(at) = rest.find("LEAK") {
            let tag: String = rest[at..].chars().take(7).collect();
            out.push(tag);
            rest = &rest[at + 4..];
        }
    }
    out.sort();
    out.dedup();
    assert!(out.len() >= 3, "{out:?}");
    out
}

fn assert_clean(what: &str, text: &str, secrets: &[String]) {
    for s in secrets {
        assert!(!text.contains(s.as_str()), "{what} prints {s}:\n{text}");
    }
}

/// Lint mode, every format: findings on each leaky line are reported, their snippets masked.
#[test]
fn planted_secrets_never_reach_any_format() {
    let secrets = planted(&[
        "values.yaml",
        "templates/deployment.yaml",
        "templates/secret.yaml",
    ]);
    for (name, renderer) in renderers() {
        for format in ["human", "json", "sarif", "github"] {
            let mut args = vec![
                "lint",
                CHART,
                "--format",
                format,
                "--color",
                "always",
                "--show-suppressed",
            ];
            args.extend(renderer.iter().map(String::as_str));
            let out = run_without_helm(&args);
            assert_eq!(out.code, 1, "{name} {format}: {}", out.stderr);
            let text = out.stdout + &out.stderr;
            assert_clean(&format!("{name} {format}"), &text, &secrets);
            if format == "human" {
                // The findings on those lines are there, and show a fixed-width mask.
                for shown in ["args: ****", "command: ****", "env: ****", "valeu: ****"] {
                    assert!(text.contains(shown), "{name}: no `{shown}`:\n{text}");
                }
            }
        }
    }
}

/// The gate's report, on stderr and in `--report`, over Helm's output.
#[test]
fn the_gate_report_masks_planted_secrets() {
    let secrets = planted(&[
        "values.yaml",
        "templates/deployment.yaml",
        "templates/secret.yaml",
    ]);
    for (name, helm) in helms() {
        let rendered = std::process::Command::new(&helm)
            .args(["template", "leaky", CHART])
            .current_dir(root())
            .output()
            .unwrap();
        assert!(rendered.status.success(), "{name}");
        let (code, text) = gate_with_report(
            &format!("leaks-gate-{name}"),
            &rendered.stdout,
            std::time::Duration::from_secs(60),
        );
        assert_eq!(code, 1, "{name}: {text}");
        assert_clean(&format!("{name} gate"), &text, &secrets);
        assert!(text.contains("****"), "{name}: no mask:\n{text}");
    }
}

/// Helm's own error messages, on stderr and in SARIF: schema failures quoting values (Helm
/// 4), `fail` echoing values with Go escapes (a PEM key, a tab, quotes), a numeric
/// password printed as a float, an escaped comma in `--set`, a subchart's default.
#[test]
fn helm_errors_never_echo_a_value() {
    let cases: [&[&str]; 4] = [
        &["-f", "tests/charts/leaky-forms/errors.yaml"],
        &[
            "-f",
            "tests/charts/leaky-forms/fail.yaml",
            "--set",
            r"tls.password=LEAKH06\,LEAKH09-after-comma",
        ],
        &["--set", "sub.boom=true"],
        &["--set", "packed.boom=true"],
    ];
    let mut secrets = planted(&[
        "errors.yaml",
        "fail.yaml",
        "charts/sub/values.yaml",
        "values.yaml",
    ]);
    secrets.extend([
        "LEAKH06".to_string(),
        "LEAKH09".into(),
        "98765432".into(),
        "9.8765432e+07".into(),
    ]);
    for (name, renderer) in renderers() {
        for (i, args) in cases.iter().enumerate() {
            let dir = tmp_dir(&format!("leaks-helm-{name}-{i}"));
            let sarif = dir.join("err.sarif");
            let mut all = vec!["lint", CHART, "--format", "sarif"];
            all.extend(renderer.iter().map(String::as_str));
            all.extend(["--output", sarif.to_str().unwrap()]);
            all.extend(args.iter().copied());
            let out = run_without_helm(&all);
            // Values that break the schema are values-schema-invalid findings (exit 1),
            // worded without the values, and the render goes on without Helm's check.
            let schema_case = i == 0;
            assert_eq!(
                out.code,
                if schema_case { 1 } else { 2 },
                "{name} {args:?}: {}",
                out.stderr
            );
            let sarif = std::fs::read_to_string(&sarif).unwrap_or_default();
            if schema_case {
                assert!(sarif.contains("values-schema-invalid"), "{name}: {sarif}");
            } else {
                assert!(
                    sarif.contains("****"),
                    "{name} {args:?}: no mask in SARIF:\n{sarif}"
                );
                assert!(
                    out.stderr.contains("****"),
                    "{name} {args:?}: {}",
                    out.stderr
                );
            }
            let text = out.stdout + &out.stderr + &sarif;
            assert_clean(&format!("{name} {args:?}"), &text, &secrets);
        }
    }
}
