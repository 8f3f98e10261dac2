//! Code scanning end to end through the CLI: suppressions (inline and config) with reasons,
//! baselines, stable fingerprints, `--format github`.

mod common;
use common::*;
use pretty_assertions::assert_eq;
use std::path::Path;

const BAD: &str = "examples/rendered/classic-mistakes.yaml";

fn json_of(out: &Output) -> serde_json::Value {
    serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}\n{}\n{}", out.stdout, out.stderr))
}

fn copy_with(name: &str, edit: impl Fn(String) -> String) -> std::path::PathBuf {
    let dir = tmp_dir(name);
    let path = dir.join("release.yaml");
    std::fs::write(
        &path,
        edit(std::fs::read_to_string(root().join(BAD)).unwrap()),
    )
    .unwrap();
    path
}

#[test]
fn inline_suppression_with_a_reason_round_trips() {
    // Suppress resource-limits on the worker Deployment in the object itself.
    let path = copy_with("inline", |t| {
        t.replacen(
            "  name: classic-mistakes-worker\n",
            "  name: classic-mistakes-worker\n  annotations:\n    chartguard.io/ignore: \"run-as-non-root,pdb-missing -- the worker image is distroless nonroot; one replica tolerated\"\n",
            1,
        )
    });
    let p = path.to_str().unwrap();
    let report = json_of(&run(&["lint", p, "--format", "json", "--fail-on", "none"]));
    let suppressed: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !f["suppression"].is_null())
        .collect();
    assert_eq!(suppressed.len(), 2, "{suppressed:#?}");
    for f in &suppressed {
        assert_eq!(f["object"]["name"], "classic-mistakes-worker");
        assert_eq!(f["suppression"]["kind"], "inSource");
        assert!(f["suppression"]["justification"]
            .as_str()
            .unwrap()
            .contains("distroless"));
    }
    assert_eq!(report["summary"]["suppressed"], 2);
    // Hidden by default, visible on request, never a failure.
    let human = run(&["lint", p]);
    // The worker's other findings (replica-spread) are not suppressed and stay visible.
    for hidden in [
        "classic-mistakes-worker spec.replicas",
        "classic-mistakes-worker spec.template.spec.containers[0].securityContext",
    ] {
        assert!(!human.stdout.contains(hidden), "{hidden}: {}", human.stdout);
    }
    assert!(human
        .stdout
        .lines()
        .last()
        .unwrap()
        .ends_with("(2 suppressed)"));
    let shown = run(&["lint", p, "--show-suppressed"]);
    assert!(
        shown
            .stdout
            .contains("suppressed in the object: the worker image"),
        "{}",
        shown.stdout
    );
    // SARIF: results with suppressions[], which GitHub shows as dismissed.
    let sarif: serde_json::Value =
        serde_json::from_str(&run(&["lint", p, "--format", "sarif"]).stdout).unwrap();
    let dismissed: Vec<_> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["suppressions"].is_array())
        .collect();
    assert_eq!(dismissed.len(), 2);
    assert_eq!(dismissed[0]["suppressions"][0]["kind"], "inSource");
}

#[test]
fn a_suppression_without_reason_or_past_its_date_is_a_finding() {
    let path = copy_with("bad-suppression", |t| {
        t.replacen("  name: classic-mistakes-worker\n", "  name: classic-mistakes-worker\n  annotations:\n    chartguard.io/ignore: \"pdb-missing\"\n", 1)
            .replacen("  name: classic-mistakes-backup\n", "  name: classic-mistakes-backup\n  annotations:\n    chartguard.io/ignore: \"resource-limits until=2020-01-31 -- temporary\"\n", 1)
    });
    let report = json_of(&run(&[
        "lint",
        path.to_str().unwrap(),
        "--format",
        "json",
        "--fail-on",
        "none",
    ]));
    let invalid: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "suppression-invalid")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert!(
        invalid.iter().any(|m| m.contains("has no reason")),
        "{invalid:?}"
    );
    // The pdb-missing finding is not suppressed by a reason-less annotation.
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule"] == "pdb-missing"
            && f["object"]["name"] == "classic-mistakes-worker"
            && f["suppression"].is_null()));
}

#[test]
fn config_suppressions_are_external_and_need_a_reason() {
    let dir = tmp_dir("config-suppression");
    let cfg = dir.join(".chartguard.yaml");
    std::fs::write(&cfg, "suppressions:\n  - rule: resource-limits\n    object: \"Deployment/*/classic-mistakes\"\n    reason: sized by the platform's LimitRange\n").unwrap();
    let report = json_of(&run(&[
        "lint",
        BAD,
        "--config",
        cfg.to_str().unwrap(),
        "--format",
        "json",
        "--fail-on",
        "none",
    ]));
    let s: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "resource-limits")
        .collect();
    assert!(!s.is_empty());
    for f in s {
        assert_eq!(f["suppression"]["kind"], "external");
    }
    std::fs::write(
        &cfg,
        "suppressions:\n  - rule: resource-limits\n    object: \"*\"\n",
    )
    .unwrap();
    let out = run(&["lint", BAD, "--config", cfg.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("missing field `reason`"),
        "{}",
        out.stderr
    );
}

#[test]
fn baseline_round_trip() {
    let dir = tmp_dir("baseline");
    let baseline = dir.join("baseline.json");
    let b = baseline.to_str().unwrap();
    let out = run(&["lint", BAD, "--write-baseline", b]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let first = std::fs::read_to_string(&baseline).unwrap();
    run(&["lint", BAD, "--write-baseline", b]);
    assert_eq!(
        first,
        std::fs::read_to_string(&baseline).unwrap(),
        "baselines are stable across runs"
    );
    let parsed: serde_json::Value = serde_json::from_str(&first).unwrap();
    let fps: Vec<&str> = parsed["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["fingerprint"].as_str().unwrap())
        .collect();
    let mut sorted = fps.clone();
    sorted.sort();
    assert_eq!(fps, sorted, "baseline entries are sorted");
    // Nothing new: exit 0 and no findings.
    let out = run(&["lint", BAD, "--baseline", b, "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(json_of(&out)["findings"].as_array().unwrap().len(), 0);
    // A new problem is reported; a fixed one is listed as gone.
    let changed = copy_with("baseline-changed", |t| {
        t.replace(
            "image: \"example/billing-worker:",
            "image: \"example/billing-worker-renamed:",
        )
        .replacen(
            "    \"helm.sh/hook-weight\": \"five\"",
            "    \"helm.sh/hook-weight\": \"5\"",
            1,
        )
        .replacen(
            "  replicas: 2",
            "  replicas: 2\n  revisionHistoryLimit: \"ten\"",
            1,
        )
    });
    let out = run(&[
        "lint",
        changed.to_str().unwrap(),
        "--baseline",
        b,
        "--format",
        "json",
        "--fail-on",
        "warning",
    ]);
    let report = json_of(&out);
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, vec!["schema-invalid"], "{}", out.stdout);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains(
            "baseline entry no longer occurs: hook-weight-order Job/-/classic-mistakes-notify"
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn fingerprints_survive_lines_added_above() {
    let moved = copy_with("moved", |t| format!("# a comment\n# and another\n\n{t}"));
    let a = json_of(&run(&[
        "lint",
        BAD,
        "--format",
        "json",
        "--fail-on",
        "none",
    ]));
    let b = json_of(&run(&[
        "lint",
        moved.to_str().unwrap(),
        "--format",
        "json",
        "--fail-on",
        "none",
    ]));
    let fp = |r: &serde_json::Value| {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["fingerprint"].as_str().unwrap().to_string(),
                    f["location"]["line"].as_u64().unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    let (fa, fb) = (fp(&a), fp(&b));
    assert_eq!(fa.len(), fb.len());
    for ((x, lx), (y, ly)) in fa.iter().zip(&fb) {
        assert_eq!(x, y, "same finding, same fingerprint");
        assert_eq!(lx + 3, *ly, "lines moved by three");
    }
    // SARIF partialFingerprints carry the same value.
    let s: serde_json::Value =
        serde_json::from_str(&run(&["lint", moved.to_str().unwrap(), "--format", "sarif"]).stdout)
            .unwrap();
    assert_eq!(
        s["runs"][0]["results"][0]["partialFingerprints"]["chartguard/v1"],
        fb[0].0.as_str()
    );
}

#[test]
fn github_format_writes_annotations_and_a_step_summary() {
    let dir = tmp_dir("github");
    let summary = dir.join("summary.md");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_chartguard"));
    cmd.args(["lint", BAD, "--format", "github"])
        .current_dir(root())
        .env("GITHUB_STEP_SUMMARY", &summary);
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with(&format!("::error file={BAD},line=")),
        "{first}"
    );
    assert!(first.contains(",title=chartguard "), "{first}");
    assert!(text.lines().all(|l| l.starts_with("::error ")
        || l.starts_with("::warning ")
        || l.starts_with("::notice ")));
    let md = std::fs::read_to_string(Path::new(&summary)).unwrap();
    assert!(md.contains("| `plaintext-secret` | error |"), "{md}");
    for s in example_secrets() {
        assert!(!text.contains(&s) && !md.contains(&s));
    }
}

#[test]
fn the_action_script_writes_sarif_annotations_and_its_output() {
    let dir = tmp_dir("action");
    let out_file = dir.join("github_output");
    let sarif = dir.join("out.sarif");
    let helm_dir = root().join(".tools/helm4");
    let path = format!(
        "{}:{}",
        helm_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = std::process::Command::new("bash")
        .arg(root().join("scripts/action.sh"))
        .current_dir(root())
        .env("PATH", path)
        .env("CHARTGUARD_BIN", env!("CARGO_BIN_EXE_chartguard"))
        .env("INPUT_CHARTS", "examples/charts/classic-mistakes")
        .env("INPUT_ALL_ENVIRONMENTS", "true")
        .env("INPUT_FAIL_ON", "error")
        .env("INPUT_CATEGORY", "examples/classic-mistakes")
        .env("INPUT_SARIF_FILE", &sarif)
        .env("GITHUB_OUTPUT", &out_file)
        .env("GITHUB_STEP_SUMMARY", dir.join("summary.md"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "fails on errors: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("::error file=examples/charts/classic-mistakes/templates/"),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read_to_string(&out_file).unwrap(),
        format!("sarif-file={}\n", sarif.display())
    );
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(
        log["runs"][0]["automationDetails"]["id"],
        "examples/classic-mistakes/"
    );
}
