//! Values analysis end to end on tests/charts/values-keys (written for it), without Helm
//! except where the Helm renderer itself is the subject: keys nothing reads
//! (`values-key-unknown`) across environments and `--set`, dead defaults
//! (`values-default-unused`), fixes that name the chart's toggle, and the note that the
//! Helm renderer cannot say what a render read. The scoping cases (subchart, alias, global,
//! toYaml subtree, range, tpl, computed index, untaken branch) are the rule's fixtures
//! (policies/values/values-key-unknown/{fire,pass}), each key with and without a finding.

mod common;
use common::*;
use std::path::Path;

fn chart() -> String {
    root()
        .join("tests/charts/values-keys")
        .to_string_lossy()
        .into_owned()
}

fn findings(out: &Output) -> Vec<serde_json::Value> {
    let report: serde_json::Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", out.stdout, out.stderr));
    report["findings"].as_array().unwrap().clone()
}

fn of_rule<'a>(all: &'a [serde_json::Value], rule: &str) -> Vec<&'a serde_json::Value> {
    all.iter().filter(|f| f["rule"] == rule).collect()
}

fn lint(extra: &[&str]) -> Output {
    lint_chart(&chart(), extra)
}

fn lint_chart(c: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "lint",
        c,
        "--renderer",
        "native",
        "--format",
        "json",
        "--fail-on",
        "none",
    ];
    args.extend_from_slice(extra);
    run(&args)
}

/// A copy of the chart with environment values files beside its values.yaml.
fn chart_with_envs(name: &str, envs: &[(&str, &str)]) -> std::path::PathBuf {
    let dir = tmp_dir(name).join("app");
    copy_dir(&root().join("tests/charts/values-keys"), &dir);
    for (env, text) in envs {
        std::fs::write(dir.join(format!("values-{env}.yaml")), text).unwrap();
    }
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn a_key_read_only_on_another_environments_branch_is_known() {
    // metrics.port is read only when metrics.enabled: prod takes the branch, dev does not.
    // dev's metrics.port is still a key the chart reads (statically, on the untaken
    // branch); its typo metrics.prot is not.
    let dir = chart_with_envs(
        "untaken",
        &[
            ("dev", "metrics:\n  port: 9000\n  prot: 1\n"),
            ("prod", "metrics:\n  enabled: true\n  port: 9090\n"),
        ],
    );
    let out = lint_chart(dir.to_str().unwrap(), &["--all-environments"]);
    let all = findings(&out);
    let unknown = of_rule(&all, "values-key-unknown");
    assert_eq!(unknown.len(), 1, "{unknown:#?}");
    assert_eq!(unknown[0]["path"], "metrics.prot");
    assert_eq!(unknown[0]["location"]["line"], 3);
    assert!(unknown[0]["location"]["file"]
        .as_str()
        .unwrap()
        .ends_with("values-dev.yaml"));
    assert_eq!(unknown[0]["environments"], serde_json::json!(["dev"]));
    assert!(unknown[0]["message"]
        .as_str()
        .unwrap()
        .contains("did you mean `metrics.port`?"));
}

#[test]
fn set_flags_are_checked_and_values_never_printed() {
    let out = lint(&[
        "--set",
        "replicaCont=3,image.tag=x",
        "--set",
        "dbPasswrod=hunter2-secret",
    ]);
    let all = findings(&out);
    let unknown = of_rule(&all, "values-key-unknown");
    let mut keys: Vec<&str> = unknown
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    keys.sort();
    assert_eq!(keys, ["dbPasswrod", "replicaCont"]);
    assert!(!out.stdout.contains("hunter2-secret") && !out.stderr.contains("hunter2-secret"));
    let human = run(&[
        "lint",
        &chart(),
        "--renderer",
        "native",
        "--set",
        "dbPasswrod=hunter2-secret",
        "--fail-on",
        "none",
    ]);
    assert!(human.stdout.contains("dbPasswrod"), "{}", human.stdout);
    assert!(!human.stdout.contains("hunter2-secret") && !human.stderr.contains("hunter2-secret"));
}

#[test]
fn dead_defaults_are_notes_in_dev_only() {
    let dev = findings(&lint(&["--profile", "dev"]));
    let mut dead: Vec<&str> = of_rule(&dev, "values-default-unused")
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    dead.sort();
    assert_eq!(dead, ["legacyMode", "service.oldPort"]);
    let prod = findings(&lint(&[]));
    assert!(of_rule(&prod, "values-default-unused").is_empty());
}

#[test]
fn fixes_name_the_toggle_and_the_users_values_file() {
    let dir = tmp_dir("toggle");
    let prod = dir.join("values-prod.yaml");
    std::fs::write(&prod, "replicaCount: 3\n").unwrap();
    let all = findings(&lint(&["-f", prod.to_str().unwrap()]));
    let pdb = of_rule(&all, "pdb-missing");
    assert_eq!(pdb.len(), 1, "{all:#?}");
    let fix = pdb[0]["fix"].as_str().unwrap();
    assert!(
        fix.contains("set `podDisruptionBudget.enabled: true` in ")
            && fix.contains("values-prod.yaml")
            && fix.contains("app/templates/pdb.yaml"),
        "{fix}"
    );
    let nonroot = of_rule(&all, "run-as-non-root");
    assert!(!nonroot.is_empty());
    for f in nonroot {
        let fix = f["fix"].as_str().unwrap();
        assert!(
            fix.contains("set `containerSecurityContext.enabled: true` in "),
            "{fix}"
        );
        // `if .Values.podSecurityContext` tests data for presence: not a toggle to name.
        assert!(!fix.contains("podSecurityContext"), "{fix}");
    }
    // Without a values file of the user's, the chart's values.yaml is the one to edit.
    let plain = findings(&lint(&["--set", "replicaCount=3"]));
    let fix = of_rule(&plain, "pdb-missing")[0]["fix"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(fix.contains("values-keys/values.yaml"), "{fix}");
    // With the toggle on, the chart renders the PDB: no finding, no toggle fix.
    std::fs::write(
        &prod,
        "replicaCount: 3\npodDisruptionBudget:\n  enabled: true\n",
    )
    .unwrap();
    let on = findings(&lint(&["-f", prod.to_str().unwrap()]));
    assert!(of_rule(&on, "pdb-missing").is_empty());
}

#[test]
fn the_helm_renderer_says_values_analysis_is_unavailable() {
    let Some((_, helm)) = helms().into_iter().next() else {
        return;
    };
    let c = chart();
    let lint_helm = |extra: &[&str]| {
        let mut args = vec!["lint", &c, "--renderer", "helm", "--helm-bin", &helm];
        args.extend_from_slice(extra);
        args.extend(["--fail-on", "none"]);
        run(&args)
    };
    let out = lint_helm(&["--set", "replicaCont=3"]);
    assert_eq!(
        out.stderr
            .matches(
                "values-key-unknown is not checked: values analysis needs the built-in renderer"
            )
            .count(),
        1,
        "{}",
        out.stderr
    );
    assert!(!out.stdout.contains("values-key-unknown"));
    // Dead defaults need no render record: the templates are read on every branch.
    let dev = lint_helm(&["--profile", "dev", "--format", "json"]);
    let all = findings(&dev);
    assert_eq!(of_rule(&all, "values-default-unused").len(), 2, "{all:#?}");
    assert!(!dev.stderr.contains("is not checked"), "{}", dev.stderr);
}
