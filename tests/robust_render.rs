//! Chart mode is bounded (issue 19, section 4): a Helm that hangs, leaves a child holding its
//! stdout, prints without end or dies of a signal is an input error naming the chart and
//! the limit or signal (exit 2), never a hang; and charts Helm renders (template file names
//! that are not UTF-8) render here too. Real Helm 3 and Helm 4 where Helm is involved.

mod common;
use common::*;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A chart with one ConfigMap template (and `extra` templates: name → text).
fn chart(dir: &Path, extra: &[(&[u8], &str)]) -> PathBuf {
    let c = write_chart(
        dir,
        "robust",
        &[
            ("values.yaml", "n: 3\n"),
            (
                "templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: b\n",
            ),
        ],
    );
    for (name, text) in extra {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(name);
        std::fs::write(c.join("templates").join(name), text).unwrap();
    }
    c
}

fn fake_helm(dir: &Path, script: &str) -> PathBuf {
    let p = dir.join("fake-helm");
    std::fs::write(&p, format!("#!/bin/sh\n{script}\n")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

/// Generous: the limits under test are 2 s; this only catches a hang.
const GUARD: Duration = Duration::from_secs(120);

fn lint(chart: &Path, helm: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "lint",
        chart.to_str().unwrap(),
        "--renderer",
        "helm",
        "--helm-bin",
        helm.to_str().unwrap(),
        "--color",
        "never",
    ];
    args.extend_from_slice(extra);
    run_with(&args, None, GUARD)
}

fn assert_render_error(out: &Output, chart: &Path, needle: &str) {
    assert_eq!(
        out.code, 2,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    assert!(
        out.stderr.contains(&chart.display().to_string()) && out.stderr.contains(needle),
        "expected the chart and {needle:?}:\n{}",
        out.stderr
    );
}

#[test]
fn a_helm_that_sleeps_is_stopped_at_the_render_timeout() {
    let dir = tmp_dir("robust-render-sleep");
    let c = chart(&dir, &[]);
    let helm = fake_helm(&dir, "echo 'apiVersion: v1'\nsleep 600");
    let out = lint(&c, &helm, &["--render-timeout", "2s"]);
    assert_render_error(&out, &c, "did not finish within 2s");
}

#[test]
fn a_child_holding_helms_stdout_does_not_hang_chartguard() {
    let dir = tmp_dir("robust-render-child");
    let c = chart(&dir, &[]);
    // Helm "finishes" but a child it left behind keeps the pipe open.
    let helm = fake_helm(&dir, "sleep 600 &\necho 'apiVersion: v1'\nexit 0");
    let out = lint(&c, &helm, &["--render-timeout", "2"]);
    assert_render_error(&out, &c, "did not finish within 2s");
}

#[test]
fn the_render_timeout_comes_from_the_config_too() {
    let dir = tmp_dir("robust-render-config");
    let c = chart(&dir, &[]);
    std::fs::write(c.join(".chartguard.yaml"), "helm:\n  render-timeout: 2s\n").unwrap();
    let helm = fake_helm(&dir, "sleep 600");
    let out = lint(&c, &helm, &[]);
    assert_render_error(&out, &c, "did not finish within 2s");
    std::fs::write(
        c.join(".chartguard.yaml"),
        "helm:\n  render-timeout: soon\n",
    )
    .unwrap();
    let out = lint(&c, &helm, &[]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("render-timeout `soon`"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_helm_killed_by_a_signal_is_named() {
    let dir = tmp_dir("robust-render-signal");
    let c = chart(&dir, &[]);
    let helm = fake_helm(&dir, "echo partial >&2\nkill -SEGV $$");
    let out = lint(&c, &helm, &[]);
    assert_render_error(&out, &c, "killed by signal 11 (SIGSEGV)");
    assert!(out.stderr.contains("partial"), "{}", out.stderr);
}

#[test]
fn output_past_the_cap_is_a_clear_error_with_both_helms() {
    for (name, helm) in helms() {
        let dir = tmp_dir(&format!("robust-render-cap-{name}"));
        // ~2 MiB of ConfigMaps: over a 1 MiB cap.
        let loop_tpl = "{{- range until 20000 }}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{{ . }}\ndata:\n  a: \"0123456789012345678901234567890123456789\"\n{{- end }}\n";
        let c = chart(&dir, &[(b"loop.yaml", loop_tpl)]);
        std::fs::write(c.join(".chartguard.yaml"), "helm:\n  max-output-mib: 1\n").unwrap();
        let out = lint(&c, Path::new(&helm), &[]);
        assert_render_error(&out, &c, "printed more than 1 MiB");
    }
}

#[test]
fn template_names_that_are_not_utf8_render_with_both_helms() {
    for (name, helm) in helms() {
        let dir = tmp_dir(&format!("robust-render-nonutf8-{name}"));
        // A finding in the oddly named file, so its name is printed too.
        let tpl = "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc\nspec:\n  ports: [{port: \"eighty\"}]\n";
        let c = chart(&dir, &[(b"svc-\xff\xfe.yaml", tpl)]);
        let out = lint(&c, Path::new(&helm), &[]);
        assert_eq!(out.code, 1, "{name}:\n{}\n{}", out.stdout, out.stderr);
        assert!(
            out.stdout.contains("error[schema-invalid]"),
            "{}",
            out.stdout
        );
        assert!(!out.stderr.contains("not UTF-8"), "{}", out.stderr);
    }
}

/// YAML 1.1 numbers the way go-yaml reads them (`-0x-8000000000000000` is a string): for
/// each plain scalar, Helm's own `fromYaml` says string or number, and chartguard must agree —
/// a ConfigMap `data` value that is a number is schema-invalid, a string is not.
#[test]
fn plain_scalars_are_numbers_exactly_when_helm_reads_numbers() {
    let scalars = [
        "-0x-8000000000000000",
        "-0x8000000000000000",
        "0x-1",
        "+0x1F",
        "-9223372036854775808",
        "9223372036854775808",
        "08",
        "0o17",
        "-0o17",
        "0b101",
        "-0b101",
        "1_000",
        "0x_1F",
        "1e3",
        ".5",
        "0.",
        "0x",
        "-0",
        "+-1",
        "0b",
        "-0b-1",
        "0x1p3",
        "1e400",
        "0X1f",
    ];
    let values = format!(
        "s: [{}]\n",
        scalars
            .iter()
            .map(|s| format!("{s:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let tpl = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: raw\ndata:\n{{- range $i, $v := .Values.s }}\n  k{{ $i }}: {{ $v }}\n{{- end }}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: oracle\ndata:\n{{- range $i, $v := .Values.s }}\n  {{- $m := printf \"k: %s\" $v | fromYaml }}\n  k{{ $i }}: {{ kindOf $m.k | quote }}\n{{- end }}\n";
    for (name, helm) in helms() {
        let dir = tmp_dir(&format!("robust-render-numbers-{name}"));
        let c = chart(&dir, &[(b"numbers.yaml", tpl)]);
        std::fs::write(c.join("values.yaml"), &values).unwrap();
        let rendered = std::process::Command::new(&helm)
            .args(["template", c.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(
            rendered.status.success(),
            "{}",
            String::from_utf8_lossy(&rendered.stderr)
        );
        let text = String::from_utf8(rendered.stdout).unwrap();
        let oracle = &text[text.find("name: oracle").unwrap()..];
        let out = lint(&c, Path::new(&helm), &["--format", "json"]);
        assert!(out.code == 0 || out.code == 1, "{}", out.stderr);
        for (i, s) in scalars.iter().enumerate() {
            let helm_number = oracle.contains(&format!("k{i}: \"float64\""))
                || oracle.contains(&format!("k{i}: \"int"));
            assert!(
                helm_number || oracle.contains(&format!("k{i}: \"string\"")),
                "{name}: no oracle for {s}:\n{oracle}"
            );
            let flagged = out
                .stdout
                .contains(&format!("ConfigMap raw: data.k{i}: expected"));
            assert_eq!(
                flagged,
                helm_number,
                "{name}: `{s}`: Helm reads a {}, chartguard {}",
                if helm_number { "number" } else { "string" },
                if flagged { "a number" } else { "a string" }
            );
        }
    }
}
