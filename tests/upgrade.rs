//! `lint --previous`: the upgrade from tests/charts/upgrade-app-v1 to upgrade-app-v2 judged
//! through each form of SOURCE — a rendered manifest (what `helm get manifest` prints), a
//! git ref (a temporary repository made here, the chart committed at v1 and changed to v2
//! in the working tree), and the previous chart's directory — with Helm 3 and Helm 4. Each
//! form must give the same upgrade findings, at the new template lines.

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

const V1: &str = "tests/charts/upgrade-app-v1";
const V2: &str = "tests/charts/upgrade-app-v2";

/// The upgrade findings v1 → v2 must give: (rule, file the location ends with, message part).
const EXPECTED: &[(&str, &str, &str)] = &[
    (
        "upgrade-immutable-field",
        "templates/deployment.yaml",
        "spec.selector changes",
    ),
    (
        "upgrade-data-loss",
        "templates/pvc.yaml",
        "PersistentVolumeClaim upgrade-app-uploads is gone",
    ),
    (
        "upgrade-no-rollout",
        "templates/worker.yaml",
        "reads ConfigMap upgrade-app-settings, whose data changes (LOG_LEVEL)",
    ),
    (
        "upgrade-no-rollout",
        "templates/worker.yaml",
        "reads Secret upgrade-app-db, whose data changes (password)",
    ),
    (
        "upgrade-availability",
        "templates/deployment.yaml",
        "spec.replicas goes from 3 to 1",
    ),
    (
        "upgrade-hook-safety",
        "templates/migrate-job.yaml",
        "pre-upgrade migration Job upgrade-app-migrate",
    ),
];

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=chartguard tests",
            "-c",
            "user.email=tests@chartguard.invalid",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// A repository whose HEAD holds v1 at `app/`, with v2 in the working tree.
fn repository(name: &str) -> PathBuf {
    let repo = tmp_dir(name);
    let _ = std::fs::remove_dir_all(&repo);
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "--quiet", "--initial-branch=main"]);
    copy_dir(&root().join(V1), &repo.join("app"));
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "--quiet", "-m", "v1"]);
    std::fs::remove_dir_all(repo.join("app")).unwrap();
    copy_dir(&root().join(V2), &repo.join("app"));
    repo
}

fn helm_template(helm: &str, chart: &str) -> String {
    let out = Command::new(helm)
        .current_dir(root())
        .args(["template", "upgrade-app", chart])
        .output()
        .expect("helm");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json_lint(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["lint", "--format", "json", "--fail-on", "none"];
    all.extend_from_slice(args);
    let out = run(&all);
    assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

fn upgrade_findings(report: &serde_json::Value) -> Vec<(String, String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"].as_str().unwrap().starts_with("upgrade-"))
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["location"]["file"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Every expected finding, and no other upgrade finding; `previous_file`: where the removed
/// claim's finding lands for this form of SOURCE.
fn check(what: &str, report: &serde_json::Value, previous_file: &str) {
    let found = upgrade_findings(report);
    for (rule, file, message) in EXPECTED {
        let file = if *rule == "upgrade-data-loss" {
            previous_file
        } else {
            file
        };
        assert!(
            found.iter().any(|(r, f, m)| r == rule
                && (f.ends_with(file) || f.contains(file))
                && m.contains(message)),
            "{what}: no {rule} at {file} saying {message:?}; found {found:#?}"
        );
    }
    let rules: Vec<&str> = found.iter().map(|(r, _, _)| r.as_str()).collect();
    assert_eq!(
        rules.len(),
        EXPECTED.len(),
        "{what}: upgrade findings other than expected: {found:#?}"
    );
}

#[test]
fn each_form_of_previous_gives_the_same_upgrade_findings_with_both_helms() {
    for (name, helm) in helms() {
        // A rendered manifest, as `helm get manifest` prints it.
        let dir = tmp_dir(&format!("upgrade-manifest-{name}"));
        std::fs::create_dir_all(&dir).unwrap();
        let old = dir.join("previous.yaml");
        std::fs::write(&old, helm_template(&helm, V1)).unwrap();
        let report = json_lint(&[
            V2,
            "--renderer",
            "helm",
            "--helm-bin",
            &helm,
            "--previous",
            old.to_str().unwrap(),
        ]);
        check(&format!("{name}, rendered file"), &report, "previous.yaml");

        // The previous chart's directory.
        let report = json_lint(&[
            V2,
            "--renderer",
            "helm",
            "--helm-bin",
            &helm,
            "--previous",
            V1,
        ]);
        check(
            &format!("{name}, chart directory"),
            &report,
            "upgrade-app-v1/templates/pvc.yaml",
        );

        // A git ref: HEAD holds v1, the working tree v2.
        let repo = repository(&format!("upgrade-git-{name}"));
        let chart = repo.join("app");
        let report = json_lint(&[
            chart.to_str().unwrap(),
            "--renderer",
            "helm",
            "--helm-bin",
            &helm,
            "--previous",
            "HEAD",
        ]);
        check(
            &format!("{name}, git ref"),
            &report,
            "HEAD:app/templates/pvc.yaml",
        );
        // The temporary worktree is gone, and git's record of it too.
        let list = Command::new("git")
            .arg("-C")
            .arg(&repo)
            .args(["worktree", "list"])
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&list.stdout).lines().count(),
            1,
            "{name}: a worktree was left behind: {}",
            String::from_utf8_lossy(&list.stdout)
        );
    }
}

/// The built-in renderer (`--renderer native`) renders both releases of each form and the
/// upgrade rules judge the pair the same way as with Helm.
#[test]
fn the_built_in_renderer_gives_the_same_upgrade_findings() {
    let native = ["--renderer", "native"];
    let dir = tmp_dir("upgrade-manifest-native");
    std::fs::create_dir_all(&dir).unwrap();
    let old = dir.join("previous.yaml");
    std::fs::write(&old, helm_template(&helms()[1].1, V1)).unwrap();
    let report = json_lint(&[
        V2,
        native[0],
        native[1],
        "--previous",
        old.to_str().unwrap(),
    ]);
    check_native("native, rendered file", report, "previous.yaml");
    let report = json_lint(&[V2, native[0], native[1], "--previous", V1]);
    check_native(
        "native, chart directory",
        report,
        "upgrade-app-v1/templates/pvc.yaml",
    );
    let repo = repository("upgrade-git-native");
    let chart = repo.join("app");
    let report = json_lint(&[
        chart.to_str().unwrap(),
        native[0],
        native[1],
        "--previous",
        "HEAD",
    ]);
    check_native("native, git ref", report, "HEAD:app/templates/pvc.yaml");
}

/// [`check`] for the built-in renderer: the replicas that drop come from values.yaml, so
/// that finding sits at the values line, with the template line as its first related
/// location (where the Helm renderer puts it).
fn check_native(what: &str, mut report: serde_json::Value, previous_file: &str) {
    for f in report["findings"].as_array_mut().unwrap() {
        if f["rule"] == "upgrade-availability" {
            let file = f["location"]["file"].as_str().unwrap().to_string();
            assert!(file.ends_with("values.yaml"), "{what}: {f:#}");
            f["location"] = f["related"][0]["location"].clone();
        }
    }
    check(what, &report, previous_file);
}

/// The upgrade the corpus run makes of every chart (scripts/upgrade-corpus.sh): a new image
/// tag only. What is left is the one finding the new tag deserves: the migration hook runs
/// a new image with no backup before it.
#[test]
fn the_same_chart_with_a_new_image_is_a_clean_upgrade_but_for_the_migration() {
    let helm = &helms()[1].1;
    let dir = tmp_dir("upgrade-same-chart");
    std::fs::create_dir_all(&dir).unwrap();
    let old = dir.join("previous.yaml");
    std::fs::write(&old, helm_template(helm, V1)).unwrap();
    let report = json_lint(&[
        V1,
        "--renderer",
        "helm",
        "--helm-bin",
        helm,
        "--previous",
        old.to_str().unwrap(),
        "--set",
        "image.tag=1.0.1",
    ]);
    let found = upgrade_findings(&report);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].0, "upgrade-hook-safety");
    assert!(
        found[0]
            .2
            .contains("its image, command or arguments change"),
        "{found:#?}"
    );
}

/// `lint V2 --previous V1` (the previous chart's directory), never failing on findings.
fn v2_from_v1(helm: &str, more: &[&str]) -> Output {
    let mut args = vec![
        "lint",
        V2,
        "--renderer",
        "helm",
        "--helm-bin",
        helm,
        "--previous",
        V1,
        "--fail-on",
        "none",
    ];
    args.extend_from_slice(more);
    run(&args)
}

#[test]
fn the_human_report_starts_with_the_change_list() {
    let helm = &helms()[1].1;
    let out = v2_from_v1(helm, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let first: Vec<&str> = out.stdout.lines().take(8).collect();
    assert!(
        first[0].starts_with(&format!(
            "{V2}: changes from {V1}: 0 added, 1 removed, 4 changed, 1 unchanged"
        )),
        "{}",
        out.stdout
    );
    let text = first.join("\n");
    assert!(
        text.contains("  - PersistentVolumeClaim upgrade-app-uploads"),
        "{text}"
    );
    assert!(
        text.contains("  ~ Deployment upgrade-app changed: metadata.labels[\"helm.sh/chart\"], spec.replicas, spec.selector.matchLabels[\"app.kubernetes.io/version\"]"),
        "{text}"
    );
    assert!(
        text.contains("  ~ Secret upgrade-app-db changed: data.password (values not shown)"),
        "{text}"
    );
    // Previous places are shown with their snippet: the removed claim's template line, and
    // the selector as it was beside the one that changes.
    for shown in [
        "┌─ tests/charts/upgrade-app-v1/templates/pvc.yaml:4:3",
        "4 │   name: {{ .Release.Name }}-uploads",
        "-------- in the previous release (tests/charts/upgrade-app-v1)",
    ] {
        assert!(out.stdout.contains(shown), "no `{shown}`:\n{}", out.stdout);
    }
    assert!(!out.stdout.contains("<unknown>"), "{}", out.stdout);
}

#[test]
fn sarif_shows_the_previous_line_as_a_related_location() {
    let helm = &helms()[1].1;
    let dir = tmp_dir("upgrade-sarif");
    std::fs::create_dir_all(&dir).unwrap();
    let sarif = dir.join("out.sarif");
    let out = v2_from_v1(helm, &["--format", "sarif", "-o", sarif.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    validate_sarif(&sarif);
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    let result = doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "upgrade-immutable-field")
        .expect("an upgrade-immutable-field result");
    let related = result["relatedLocations"]
        .as_array()
        .expect("related locations");
    assert!(
        related.iter().any(|l| {
            let uri = l["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap_or("");
            uri.ends_with("upgrade-app-v1/templates/deployment.yaml")
                && l["physicalLocation"]["region"]["startLine"] == 10
        }),
        "{related:#?}"
    );
}

#[test]
fn previous_errors_are_clear_and_exit_2() {
    let out = run(&["lint", V2, "--previous", "no-such-release.yaml"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "--previous no-such-release.yaml: no such file or directory, and not a git ref"
        ),
        "{}",
        out.stderr
    );
    // A name that is a directory and a branch: refused, not guessed.
    let repo = repository("upgrade-ambiguous");
    git(&repo, &["branch", "app"]);
    let out = Command::new(env!("CARGO_BIN_EXE_chartguard"))
        .current_dir(&repo)
        .args(["lint", "app", "--previous", "app"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("both a path and a git ref"), "{err}");
    // A file with no Kubernetes objects.
    let dir = tmp_dir("upgrade-empty-previous");
    std::fs::create_dir_all(&dir).unwrap();
    let empty = dir.join("empty.yaml");
    std::fs::write(&empty, "# nothing\n").unwrap();
    let out = run(&["lint", V2, "--previous", empty.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("no Kubernetes objects in the previous release"),
        "{}",
        out.stderr
    );
    // --helm-timeout needs --previous.
    let out = run(&["lint", V2, "--helm-timeout", "10m"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
}

/// The leak suite's check for upgrades: the Secret's password differs between the two
/// releases (planted in both values.yaml files), and neither value — plain or as the
/// base64 in `data` — reaches any output format, whichever form the previous release
/// comes in. The change list names the key as changed.
#[test]
fn secrets_of_either_release_never_reach_any_format() {
    let secrets = [
        "planted-OLD-s3cret-7f3a",
        "planted-NEW-s3cret-9c1e",
        "cGxhbnRlZC1PTEQtczNjcmV0LTdmM2E",
        "cGxhbnRlZC1ORVctczNjcmV0LTljMWU",
        // Enough of each to catch a partial print.
        "s3cret-7f3a",
        "s3cret-9c1e",
    ];
    let helm = &helms()[1].1;
    let dir = tmp_dir("upgrade-leaks");
    std::fs::create_dir_all(&dir).unwrap();
    let old = dir.join("previous.yaml");
    std::fs::write(&old, helm_template(helm, V1)).unwrap();
    let repo = repository("upgrade-leaks-git");
    let git_chart = repo.join("app");
    let forms: [(&str, &str, &str); 3] = [
        ("rendered file", V2, old.to_str().unwrap()),
        ("chart directory", V2, V1),
        ("git ref", git_chart.to_str().unwrap(), "HEAD"),
    ];
    for (form, chart, previous) in forms {
        for format in [
            "human", "json", "sarif", "github", "junit", "gitlab", "markdown",
        ] {
            let out = lint_with_helm(
                helm,
                &[
                    chart,
                    "--previous",
                    previous,
                    "--format",
                    format,
                    "--color",
                    "always",
                    "--show-suppressed",
                    "--statistics",
                ],
            );
            assert_eq!(out.code, 1, "{form} {format}: {}", out.stderr);
            let text = out.stdout + &out.stderr;
            for s in secrets {
                assert!(!text.contains(s), "{form} {format} prints {s}:\n{text}");
            }
            if format == "human" {
                assert!(
                    text.contains(
                        "Secret upgrade-app-db changed: data.password (values not shown)"
                    ),
                    "{form}: {text}"
                );
            }
        }
    }
}

/// A packaged previous chart (`helm package`): rendered like a directory; with no template
/// files to point at, a removed object's finding points at the previous rendered line.
#[test]
fn a_packaged_previous_chart_is_rendered_too() {
    let helm = &helms()[1].1;
    let dir = tmp_dir("upgrade-tgz");
    std::fs::create_dir_all(&dir).unwrap();
    let out = Command::new(helm)
        .current_dir(root())
        .args(["package", V1, "-d", dir.to_str().unwrap()])
        .output()
        .expect("helm package");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tgz = dir.join("upgrade-app-1.0.0.tgz");
    let report = json_lint(&[
        V2,
        "--renderer",
        "helm",
        "--helm-bin",
        helm,
        "--previous",
        tgz.to_str().unwrap(),
    ]);
    check("helm4, packaged chart", &report, "(previous: ");
}
