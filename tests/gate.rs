//! The CD gate driven by real Helm binaries: `chartguard gate` as Helm 3's post-renderer
//! executable and as Helm 4's postrenderer/v1 plugin, and the `helm chartguard` cli plugin.

mod common;
use common::*;
use pretty_assertions::assert_eq;
use std::path::{Path, PathBuf};
use std::process::Command;

const GOOD: &str = "examples/charts/prod-ready";
const BAD: &str = "examples/charts/classic-mistakes";

fn helm(var: &str, default: &str) -> PathBuf {
    let p = std::env::var(var)
        .map(PathBuf::from)
        .unwrap_or_else(|_| root().join(default));
    assert!(
        p.is_file(),
        "{} not found; run `scripts/install-tools.sh helm`",
        p.display()
    );
    p
}

/// A Helm whose plugins, config and cache live in a fresh directory, with chartguard found
/// through CHARTGUARD_BIN.
struct Helm {
    bin: PathBuf,
    home: PathBuf,
}

impl Helm {
    fn new(bin: PathBuf, name: &str) -> Helm {
        let home = tmp_dir(name);
        Helm { bin, home }
    }

    /// `helm plugin install DIR`, which must succeed.
    fn install_plugin(&self, dir: &Path) {
        let out = self.cmd(&["plugin", "install", dir.to_str().unwrap()]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{} {}: {}{}",
            self.bin.display(),
            dir.display(),
            text(&out.stdout),
            text(&out.stderr)
        );
    }

    /// `helm template app CHART -f <its values> ARGS…` (ARGS: the post-renderer flags).
    fn template(&self, chart: &str, args: &[&str]) -> std::process::Output {
        let values = values(chart);
        let mut all = vec!["template", "app", chart, "-f", &values];
        all.extend_from_slice(args);
        self.cmd(&all)
    }

    fn cmd(&self, args: &[&str]) -> std::process::Output {
        Command::new(&self.bin)
            .args(args)
            .current_dir(root())
            .env("HELM_DATA_HOME", self.home.join("data"))
            .env("HELM_CONFIG_HOME", self.home.join("config"))
            .env("HELM_CACHE_HOME", self.home.join("cache"))
            .env("HELM_PLUGINS", self.home.join("data/plugins"))
            .env("CHARTGUARD_BIN", env!("CARGO_BIN_EXE_chartguard"))
            .env("NO_COLOR", "1")
            .output()
            .expect("run helm")
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn values(chart: &str) -> String {
    format!("{chart}/values-prod.yaml")
}

#[test]
fn helm3_post_renderer_passes_clean_charts_and_stops_bad_ones() {
    let h = Helm::new(helm("CHARTGUARD_HELM3", ".tools/helm3/helm"), "gate-helm3");
    let cg = env!("CARGO_BIN_EXE_chartguard");
    let plain = h.template(GOOD, &[]);
    let gated = h.template(
        GOOD,
        &["--post-renderer", cg, "--post-renderer-args", "gate"],
    );
    assert_eq!(gated.status.code(), Some(0), "{}", text(&gated.stderr));
    assert_eq!(
        text(&gated.stdout),
        text(&plain.stdout),
        "the clean chart passes through unchanged"
    );

    let bad = h.template(
        BAD,
        &["--post-renderer", cg, "--post-renderer-args", "gate"],
    );
    assert_ne!(bad.status.code(), Some(0));
    let err = text(&bad.stderr);
    assert!(err.contains("error while running post render"), "{err}");
    assert!(
        err.contains("error[plaintext-secret]") && err.contains("chartguard gate: blocked"),
        "{err}"
    );
    assert!(
        text(&bad.stdout).is_empty(),
        "nothing rendered reaches the output"
    );
}

#[test]
fn gate_is_byte_for_byte() {
    // CRLF, a BOM, comments and odd spacing all survive.
    let input = "\u{feff}# Source: x/templates/cm.yaml\r\napiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name:   cm   # spaced\r\ndata: {a: \"1\"}\r\n";
    let out = run_with(
        &["gate"],
        Some(input.as_bytes()),
        std::time::Duration::from_secs(30),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.as_bytes(), input.as_bytes());
    let broken = run_with(
        &["gate"],
        Some(b"a: [\n"),
        std::time::Duration::from_secs(30),
    );
    assert_eq!(broken.code, 2);
    assert!(
        broken.stdout.is_empty() && broken.stderr.contains("<stdin>:"),
        "{}",
        broken.stderr
    );
}

#[test]
fn helm4_post_renderer_plugin_sees_hooks_and_reports_to_a_file() {
    let h = Helm::new(helm("CHARTGUARD_HELM4", ".tools/helm4/helm"), "gate-helm4");
    h.install_plugin(&root().join("plugins/chartguard-gate"));

    // Helm 4 re-serializes what it hands a post-renderer, so compare with a plugin that
    // only copies stdin to stdout.
    let cat = h.home.join("passthrough");
    std::fs::create_dir_all(&cat).unwrap();
    std::fs::write(
        cat.join("plugin.yaml"),
        "apiVersion: v1\ntype: postrenderer/v1\nname: passthrough\nversion: 0.1.0\nruntime: subprocess\nruntimeConfig:\n  platformCommand:\n    - command: cat\n",
    )
    .unwrap();
    h.install_plugin(&cat);
    let plain = h.template(GOOD, &["--post-renderer", "passthrough"]);
    let gated = h.template(GOOD, &["--post-renderer", "chartguard-gate"]);
    assert_eq!(gated.status.code(), Some(0), "{}", text(&gated.stderr));
    assert_eq!(
        text(&gated.stdout),
        text(&plain.stdout),
        "the clean chart passes through unchanged"
    );

    let report = h.home.join("gate-report.txt");
    let bad = h.template(
        BAD,
        &[
            "--post-renderer",
            "chartguard-gate",
            "--post-renderer-args",
            &format!("--report={}", report.display()),
        ],
    );
    assert_ne!(bad.status.code(), Some(0));
    assert!(
        text(&bad.stderr).contains("chartguard-gate"),
        "{}",
        text(&bad.stderr)
    );
    let written = std::fs::read_to_string(&report)
        .expect("the gate writes its report where Helm 4 cannot hide it");
    assert!(written.contains("chartguard gate: blocked"), "{written}");
    // Helm 4 gives post-renderers the hooks: the hook-weight race is caught at the gate,
    // and findings name the template from Helm's filename annotation.
    assert!(written.contains("error[hook-weight-order]"), "{written}");
    assert!(
        written.contains("classic-mistakes/templates/hooks-migration-job.yaml")
            || written.contains("hooks-migration-job.yaml"),
        "{written}"
    );
}

#[test]
fn cli_plugin_works_with_both_helms() {
    for (var, default, name) in [
        ("CHARTGUARD_HELM3", ".tools/helm3/helm", "cli-helm3"),
        ("CHARTGUARD_HELM4", ".tools/helm4/helm", "cli-helm4"),
    ] {
        let h = Helm::new(helm(var, default), name);
        h.install_plugin(&root().join("plugins/chartguard"));
        let good = h.cmd(&["chartguard", "lint", GOOD, "-f", &values(GOOD)]);
        assert_eq!(
            good.status.code(),
            Some(0),
            "{name}: {}{}",
            text(&good.stdout),
            text(&good.stderr)
        );
        let bad = h.cmd(&[
            "chartguard",
            "lint",
            BAD,
            "-f",
            &values(BAD),
            "--format",
            "json",
            "-n",
            "payments",
        ]);
        assert_eq!(bad.status.code(), Some(1), "{name}: {}", text(&bad.stderr));
        let report: serde_json::Value = serde_json::from_str(&text(&bad.stdout)).unwrap();
        assert!(
            report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["rule"] == "hook-weight-order"),
            "{name}"
        );
        assert!(Path::new(&h.home).exists());

        // No -n: Helm's `default` must not override helm.namespace from the config.
        let dir = tmp_dir(&format!("{name}-ns"));
        let cfg = dir.join("chartguard.yaml");
        std::fs::write(&cfg, "helm:\n  namespace: apps\n").unwrap();
        let shown = h.cmd(&[
            "chartguard",
            "lint",
            GOOD,
            "--config",
            cfg.to_str().unwrap(),
            "--show-settings",
        ]);
        let shown = text(&shown.stdout);
        assert!(
            shown
                .lines()
                .any(|l| l.starts_with("helm.namespace") && l.contains("apps  (config")),
            "{name}: {shown}"
        );
    }
}

#[test]
fn gate_reports_never_show_dropped_duplicates_or_binary_data() {
    let input = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {password: LEAKG1, password: other}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\nbinaryData:\n  blob: \"LEAKG2-not-base64!\"\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - {name: c, image: \"x:1\", env: [{name: DB_PASSWORD, value: LEAKG3, value: again}]}\n";
    let dir = tmp_dir("gate-dups");
    let report = dir.join("r.txt");
    for format in ["human", "json", "sarif", "github"] {
        let out = run_with(
            &[
                "gate",
                "--fail-on",
                "note",
                "--format",
                format,
                "--report",
                report.to_str().unwrap(),
            ],
            Some(input.as_bytes()),
            std::time::Duration::from_secs(30),
        );
        assert_eq!(out.code, 1, "{format}: {}", out.stderr);
        let text = out.stderr + &std::fs::read_to_string(&report).unwrap();
        for leak in ["LEAKG1", "LEAKG2", "LEAKG3"] {
            assert!(!text.contains(leak), "{format} prints {leak}:\n{text}");
        }
    }
}

/// Helm 3 passes a post-renderer no hooks and no helm tests: the hook rules are skipped
/// (helm-test-missing fired on classic-mistakes, which has a test, before) and the report
/// says so once. The same manifests with their hooks (`helm template | chartguard gate`)
/// are judged by every rule.
#[test]
fn helm3_gate_skips_hook_rules_and_says_so_once() {
    let h = Helm::new(
        helm("CHARTGUARD_HELM3", ".tools/helm3/helm"),
        "gate-helm3-hooks",
    );
    let cg = env!("CARGO_BIN_EXE_chartguard");
    let bad = h.template(
        BAD,
        &[
            "--post-renderer",
            cg,
            "--post-renderer-args",
            "gate",
            "--post-renderer-args",
            "--fail-on=note",
        ],
    );
    assert_ne!(bad.status.code(), Some(0));
    let err = text(&bad.stderr);
    assert_eq!(
        err.matches("so these rules were skipped").count(),
        1,
        "{err}"
    );
    assert!(
        err.contains("helm-test-missing") && err.contains("hook-weight-order"),
        "{err}"
    );
    assert!(
        !err.contains("[helm-test-missing]") && !err.contains("[hook-"),
        "{err}"
    );
    assert!(err.contains("chartguard gate: blocked"), "{err}");

    // With --report: once on stderr, once in the file.
    let manifest = b"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: nginx}]}\n";
    let report = h.home.join("helm3-report.txt");
    let out = run_with(
        &[
            "gate",
            "--fail-on",
            "note",
            "--report",
            report.to_str().unwrap(),
        ],
        Some(manifest),
        std::time::Duration::from_secs(60),
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let file = std::fs::read_to_string(&report).unwrap();
    for text in [&out.stderr, &file] {
        assert_eq!(
            text.matches("so these rules were skipped").count(),
            1,
            "{text}"
        );
    }

    let rendered = h.template(BAD, &[]);
    let (code, report) = gate_with_report(
        "gate-with-hooks",
        &rendered.stdout,
        std::time::Duration::from_secs(120),
    );
    assert_eq!(code, 1);
    assert!(report.contains("error[hook-weight-order]"), "{report}");
    assert!(!report.contains("were skipped"), "{report}");
}

/// Helm 4 in CI (no terminal, no --report): the plugin gives the gate a report file
/// ($CHARTGUARD_GATE_REPORT, default ./chartguard-gate-report.txt), since Helm 4 shows only
/// "plugin exited with error"; without chartguard on PATH its message lands there too.
#[test]
fn helm4_gate_plugin_leaves_a_report_in_ci_and_says_when_chartguard_is_missing() {
    let h = Helm::new(
        helm("CHARTGUARD_HELM4", ".tools/helm4/helm"),
        "gate-helm4-ci",
    );
    h.install_plugin(&root().join("plugins/chartguard-gate"));
    let report = h.home.join("ci-report.txt");
    let run = |bin: Option<&str>| {
        let mut cmd = Command::new(&h.bin);
        cmd.args([
            "template",
            "app",
            BAD,
            "-f",
            &values(BAD),
            "--post-renderer",
            "chartguard-gate",
        ])
        .current_dir(root())
        .env("HELM_DATA_HOME", h.home.join("data"))
        .env("HELM_CONFIG_HOME", h.home.join("config"))
        .env("HELM_CACHE_HOME", h.home.join("cache"))
        .env("HELM_PLUGINS", h.home.join("data/plugins"))
        .env("CHARTGUARD_GATE_REPORT", &report)
        .env("PATH", "/usr/bin:/bin")
        .env_remove("CHARTGUARD_BIN");
        if let Some(bin) = bin {
            cmd.env("CHARTGUARD_BIN", bin);
        }
        let _ = std::fs::remove_file(&report);
        cmd.output().expect("run helm")
    };
    let out = run(Some(env!("CARGO_BIN_EXE_chartguard")));
    assert_ne!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("exited with error"),
        "{}",
        text(&out.stderr)
    );
    let written = std::fs::read_to_string(&report).expect("the plugin passes --report");
    assert!(written.contains("chartguard gate: blocked"), "{written}");
    assert!(
        written.contains("error[hook-weight-order]"),
        "Helm 4 gives hooks: {written}"
    );
    assert!(!written.contains("were skipped"), "{written}");

    let out = run(None);
    assert_ne!(
        out.status.code(),
        Some(0),
        "no chartguard: the release is blocked"
    );
    let written = std::fs::read_to_string(&report).expect("the message survives in the report");
    assert!(written.contains("chartguard is not on PATH"), "{written}");
}

/// Each plugin with each Helm, in fresh plugin directories: the cli plugin installs, lists,
/// runs and uninstalls with both; the gate plugin with Helm 4. Helm 3.17 reads only the
/// legacy plugin format and refuses the postrenderer/v1 gate plugin (and then every plugin
/// in that directory): the documented guard is to install it with Helm 4 only, into a
/// plugins directory of Helm 4's own when both Helms share a machine, and the documented
/// recovery (remove the link) is tested here.
#[test]
fn installing_each_plugin_with_both_helms() {
    let cli = root().join("plugins/chartguard");
    let gate = root().join("plugins/chartguard-gate");
    for (var, default, name) in [
        ("CHARTGUARD_HELM3", ".tools/helm3/helm", "plugins-helm3"),
        ("CHARTGUARD_HELM4", ".tools/helm4/helm", "plugins-helm4"),
    ] {
        let h = Helm::new(helm(var, default), name);
        h.install_plugin(&cli);
        let list = text(&h.cmd(&["plugin", "list"]).stdout);
        assert!(list.contains("chartguard"), "{name}: {list}");
        let out = h.cmd(&["chartguard", "lint", GOOD, "-f", &values(GOOD)]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", text(&out.stderr));
        let out = h.cmd(&["plugin", "uninstall", "chartguard"]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", text(&out.stderr));
    }

    let h4 = Helm::new(
        helm("CHARTGUARD_HELM4", ".tools/helm4/helm"),
        "plugins-gate-helm4",
    );
    h4.install_plugin(&gate);
    let list = text(&h4.cmd(&["plugin", "list"]).stdout);
    assert!(
        list.contains("chartguard-gate") && list.contains("postrenderer/v1"),
        "{list}"
    );
    let out = h4.cmd(&["plugin", "uninstall", "chartguard-gate"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    // Helm 3: the install is refused, and the link it leaves hides every plugin until it
    // is removed (`rm "$(helm env HELM_PLUGINS)/chartguard-gate"`, as the README says).
    let h3 = Helm::new(
        helm("CHARTGUARD_HELM3", ".tools/helm3/helm"),
        "plugins-gate-helm3",
    );
    h3.install_plugin(&cli);
    let out = h3.cmd(&["plugin", "install", gate.to_str().unwrap()]);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("apiVersion"),
        "{}",
        text(&out.stderr)
    );
    assert_ne!(h3.cmd(&["plugin", "list"]).status.code(), Some(0));
    std::fs::remove_file(h3.home.join("data/plugins/chartguard-gate")).unwrap();
    let out = h3.cmd(&["plugin", "list"]);
    assert!(
        text(&out.stdout).contains("chartguard"),
        "{}",
        text(&out.stderr)
    );

    // Both Helms on one machine: Helm 4 with a data directory of its own (Helm 4 installs
    // into $HELM_DATA_HOME/plugins) keeps its gate plugin away from Helm 3's plugins.
    let own = h3.home.join("helm4-data");
    let helm4 = |args: &[&str]| {
        Command::new(&h4.bin)
            .args(args)
            .current_dir(root())
            .env("HELM_DATA_HOME", &own)
            .env("HELM_PLUGINS", own.join("plugins"))
            .env("HELM_CONFIG_HOME", h3.home.join("config"))
            .env("HELM_CACHE_HOME", h3.home.join("cache"))
            .output()
            .unwrap()
    };
    let out = helm4(&["plugin", "install", gate.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&helm4(&["plugin", "list"]).stdout).contains("chartguard-gate"));
    let out = h3.cmd(&["plugin", "list"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("chartguard"));
}
