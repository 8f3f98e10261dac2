//! A directory of charts (a monorepo) with real Helm 3 and Helm 4: every chart linted, a
//! library chart skipped with a note, a chart that fails to render reported without
//! stopping the others.

mod common;
use common::*;

const MONOREPO: &str = "tests/charts/monorepo";

#[test]
fn a_monorepo_lints_every_chart_skips_libraries_and_reports_failed_renders() {
    for (name, helm) in helms() {
        let out = lint_with_helm(&helm, &[MONOREPO, "--fail-on", "none"]);
        assert_eq!(
            out.code, 2,
            "{name}: a failed render is exit 2\n{}",
            out.stderr
        );
        let text = &out.stdout;
        // Headers in the order of the directory, whatever order the threads finish in.
        let app = text.find("==> tests/charts/monorepo/app\n").expect(text);
        let broken = text.find("==> tests/charts/monorepo/broken\n").expect(text);
        let lib = text.find("==> tests/charts/monorepo/common\n").expect(text);
        assert!(app < broken && broken < lib, "{name}: {text}");
        assert!(
            text[app..broken].contains("image-tag-mutable"),
            "{name}: {text}"
        );
        assert!(
            text[broken..lib].contains("name is required"),
            "{name}: Helm's message for the failed chart\n{text}"
        );
        assert!(
            text[lib..].contains("skipped: a library chart"),
            "{name}: {text}"
        );
        assert!(
            text.contains("chartguard: 1 chart linted, 1 failed to render, 1 skipped"),
            "{name}: {text}"
        );
        // No progress line in a pipe.
        assert!(!out.stderr.contains('\r'), "{name}: {}", out.stderr);
    }
}

#[test]
fn a_monorepo_in_json_still_reports_findings_and_exits_2_only_for_a_failed_render() {
    for (name, helm) in helms() {
        let out = lint_with_helm(&helm, &[MONOREPO, "--format", "json", "--fail-on", "none"]);
        assert_eq!(out.code, 2, "{name}: {}", out.stderr);
        let v: serde_json::Value = serde_json::from_str(&out.stdout).expect(&out.stdout);
        assert!(
            v["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["rule"] == "image-tag-mutable"),
            "{name}: {}",
            out.stdout
        );
        assert!(
            out.stderr.contains("broken: failed to render"),
            "{name}: {}",
            out.stderr
        );
        assert!(
            out.stderr.contains("1 chart linted, 1 failed to render"),
            "{}",
            out.stderr
        );

        // Without the broken chart: the library is skipped, exit follows --fail-on.
        let app = format!("{MONOREPO}/app");
        let lib = format!("{MONOREPO}/common");
        let out = lint_with_helm(&helm, &[&app, &lib, "--fail-on", "none"]);
        assert_eq!(out.code, 0, "{name}: {}{}", out.stdout, out.stderr);
        assert!(out
            .stdout
            .contains("1 chart linted, 0 failed to render, 1 skipped"));
        // A library chart alone is a note, not Helm's "not installable" error.
        let out = lint_with_helm(&helm, &[&lib]);
        assert_eq!(out.code, 0, "{name}: {}{}", out.stdout, out.stderr);
        assert!(
            out.stderr.contains("library chart"),
            "{name}: {}",
            out.stderr
        );
    }
}

/// helm-test pods with `randAlphaNum` names and `generateName` Jobs: a baseline written by
/// one run hides every finding of the next (0 new), the two Jobs (same generateName) and
/// the two test pods stay apart, and a suppressed finding is never counted as new.
#[test]
fn fingerprints_survive_generated_names_and_a_baseline_reports_0_new() {
    let chart = "tests/charts/generated-names";
    for (name, helm) in helms() {
        let baseline = write_baseline(chart, &helm, &format!("fingerprints-{name}"));
        let baseline = baseline.as_str();

        let out = lint_with_helm(&helm, &[chart, "--format", "json", "--fail-on", "none"]);
        let v: serde_json::Value = serde_json::from_str(&out.stdout).expect(&out.stdout);
        let findings = v["findings"].as_array().unwrap();
        let tag = |kind: &str| {
            findings
                .iter()
                .filter(|f| f["rule"] == "image-tag-mutable" && f["object"]["kind"] == kind)
                .map(|f| f["fingerprint"].as_str().unwrap().to_string())
                .collect::<std::collections::BTreeSet<_>>()
                .len()
        };
        assert_eq!(tag("Job"), 2, "{name}: two generateName Jobs stay apart");
        assert_eq!(tag("Pod"), 2, "{name}: two helm-test pods stay apart");
        assert!(
            findings.iter().any(|f| !f["suppression"].is_null()),
            "{name}"
        );

        // Renders again (new random names): nothing is new, suppressed findings included.
        assert_nothing_new(chart, &helm, baseline, name);
    }
}

/// `lint CHART --write-baseline` into a fresh directory named `dir`: the baseline's path.
fn write_baseline(chart: &str, helm: &str, dir: &str) -> String {
    let baseline = tmp_dir(dir).join("baseline.json");
    let baseline = baseline.to_str().unwrap().to_string();
    let out = lint_with_helm(helm, &[chart, "--write-baseline", &baseline]);
    assert_eq!(out.code, 0, "{dir}: {}", out.stderr);
    baseline
}

/// Linting `chart` again against `baseline` finds nothing new and nothing gone.
fn assert_nothing_new(chart: &str, helm: &str, baseline: &str, name: &str) {
    let out = lint_with_helm(helm, &[chart, "--baseline", baseline]);
    assert_eq!(out.code, 0, "{name}: {}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains(", 0 new"), "{name}: {}", out.stderr);
    assert!(
        !out.stderr.contains("no longer occurs"),
        "{name}: {}",
        out.stderr
    );
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Unbuilt dependencies: Helm's error suggests --dependency-update, which fetches them
/// (a file:// dependency: no network) so the chart renders with its subchart.
#[test]
fn dependency_update_fetches_dependencies_and_the_error_suggests_it() {
    for (name, helm) in helms() {
        let dir = tmp_dir(&format!("deps-{name}"));
        copy_dir(&root().join("tests/charts/with-deps"), &dir);
        let app = dir.join("app");
        let app = app.to_str().unwrap();
        let out = lint_with_helm(&helm, &[app, "--fail-on", "none"]);
        assert_eq!(out.code, 2, "{name}: {}{}", out.stdout, out.stderr);
        assert!(
            out.stderr.contains("--dependency-update"),
            "{name}: {}",
            out.stderr
        );

        let out = lint_with_helm(
            &helm,
            &[
                app,
                "--fail-on",
                "none",
                "--format",
                "json",
                "--dependency-update",
            ],
        );
        assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        let v: serde_json::Value = serde_json::from_str(&out.stdout).expect(&out.stdout);
        assert_eq!(
            v["objects"], 2,
            "{name}: the subchart's ConfigMap is rendered too"
        );
    }
}

#[test]
fn remote_chart_references_say_how_to_pull_them() {
    for arg in ["oci://ghcr.io/example/charts/web:1.2.3", "example-repo/web"] {
        let out = run(&["lint", arg]);
        assert_eq!(out.code, 2, "{arg}: {}", out.stderr);
        assert!(
            out.stderr.contains("chartguard lints local charts"),
            "{}",
            out.stderr
        );
        assert!(
            out.stderr.contains(&format!("helm pull {arg} --untar")),
            "{}",
            out.stderr
        );
    }
}

/// A chart that renders no objects is a finding in every format, SARIF included (with a
/// rule descriptor and a file URI), not a clean run.
#[test]
fn a_render_with_no_objects_is_a_finding_in_sarif() {
    for (name, helm) in helms() {
        let dir = tmp_dir(&format!("empty-{name}"));
        let sarif = dir.join("out.sarif");
        let out = lint_with_helm(
            &helm,
            &[
                "tests/charts/empty",
                "--format",
                "sarif",
                "-o",
                sarif.to_str().unwrap(),
            ],
        );
        assert_eq!(out.code, 1, "{name}: {}", out.stderr);
        validate_sarif(&sarif);
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
        let run0 = &v["runs"][0];
        // values-schema-missing (a note about the chart's values) may come first.
        let result = run0["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["ruleId"] == "helm-render-empty")
            .unwrap_or(&run0["results"][0]);
        assert_eq!(result["ruleId"], "helm-render-empty", "{name}");
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            run0["tool"]["driver"]["rules"][index]["id"],
            "helm-render-empty"
        );
        assert_eq!(
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "tests/charts/empty/Chart.yaml"
        );
    }
}

/// A subchart packaged as a .tgz has no template file on disk: its findings' SARIF
/// locations point at a file that exists (the umbrella's Chart.yaml), never at the
/// rendered output's name.
#[test]
fn packaged_subchart_findings_have_file_uris_in_sarif() {
    for (name, helm) in helms() {
        let dir = tmp_dir(&format!("tgz-{name}"));
        let chart = dir.join("umbrella");
        copy_dir(&root().join("tests/charts/with-subchart"), &chart);
        let status = std::process::Command::new(&helm)
            .args(["package", "charts/sub", "-d", "charts"])
            .current_dir(&chart)
            .output()
            .unwrap();
        assert!(status.status.success(), "{name}: {status:?}");
        std::fs::remove_dir_all(chart.join("charts/sub")).unwrap();
        let out = lint_with_helm(
            &helm,
            &[
                chart.to_str().unwrap(),
                "--format",
                "sarif",
                "--fail-on",
                "none",
                "--root",
                dir.to_str().unwrap(),
            ],
        );
        assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        let results = v["runs"][0]["results"].as_array().unwrap();
        assert!(!results.is_empty(), "{name}");
        for r in results {
            for l in r["locations"].as_array().unwrap() {
                let uri = l["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap();
                assert!(dir.join(uri).is_file(), "{name}: {uri} is not a file");
            }
        }
    }
}

/// `charts:` in `.chartguard.yaml` gives single charts of a directory their own values,
/// `--set`s, release name and namespace (paths relative to the config file); the command
/// line's `-f`/`--set` apply to every chart, after the chart's own, and its release name
/// and namespace win.
#[test]
fn per_chart_settings_in_the_config_apply_to_their_chart_only() {
    for (name, helm) in helms() {
        let root = tmp_dir(&format!("per-chart-{name}"));
        copy_dir(&common::root().join(MONOREPO), &root);
        std::fs::create_dir_all(root.join("ci")).unwrap();
        std::fs::write(root.join("ci/app.yaml"), "image: nginx:1.27.0\n").unwrap();
        std::fs::write(root.join("ci/all.yaml"), "image: nginx:latest\n").unwrap();
        std::fs::write(
            root.join(".chartguard.yaml"),
            "charts:\n  broken:\n    set: [name=from-config]\n    namespace: tools\n  \
             app:\n    values: [ci/app.yaml]\n    release-name: web\n",
        )
        .unwrap();
        let dir = root.to_str().unwrap();
        let json = |extra: &[&str]| {
            let mut args = vec![
                "lint",
                dir,
                "--renderer",
                "helm",
                "--helm-bin",
                &helm,
                "--format",
                "json",
            ];
            args.extend_from_slice(&["--fail-on", "none"]);
            args.extend_from_slice(extra);
            let out = run(&args);
            let v: serde_json::Value = serde_json::from_str(&out.stdout)
                .unwrap_or_else(|_| panic!("{name}: {}{}", out.stdout, out.stderr));
            (out, v["findings"].as_array().unwrap().clone())
        };
        // Before `charts:` existed, `broken` failed to render ("name is required").
        let (out, findings) = json(&[]);
        assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        assert!(
            out.stderr
                .contains("2 charts linted, 0 failed to render, 1 skipped"),
            "{name}: {}",
            out.stderr
        );
        assert!(
            findings
                .iter()
                .any(|f| f["object"]["kind"] == "Deployment" && f["object"]["name"] == "web"),
            "{name}: the chart's release name"
        );
        assert!(
            !findings.iter().any(|f| f["rule"] == "image-tag-mutable"),
            "{name}: the chart's values file"
        );
        // The command line's -f comes after the chart's own values files, for every chart.
        let all = root.join("ci/all.yaml");
        let (out, findings) = json(&["-f", all.to_str().unwrap(), "--release-name", "cli"]);
        assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        let tag = findings
            .iter()
            .find(|f| f["rule"] == "image-tag-mutable")
            .unwrap_or_else(|| panic!("{name}: -f applies after the chart's values"));
        assert_eq!(tag["object"]["name"], "cli", "{name}: --release-name wins");
    }
}

#[test]
fn per_chart_settings_are_checked_like_the_rest_of_the_config() {
    let root = tmp_dir("per-chart-invalid");
    copy_dir(&common::root().join(MONOREPO), &root);
    let config = root.join(".chartguard.yaml");
    for (text, needle) in [
        (
            "charts:\n  app:\n    valuez: [x.yaml]\n",
            "unknown field `valuez`",
        ),
        ("charts:\n  ap: {}\n", "charts: `ap`: no such chart"),
        (
            "charts:\n  app:\n    values: [missing.yaml]\n",
            "charts.app.values: `missing.yaml`: no such file",
        ),
    ] {
        std::fs::write(&config, text).unwrap();
        let out = run(&["lint", root.to_str().unwrap()]);
        assert_eq!(out.code, 2, "{text}: {}", out.stderr);
        assert!(
            out.stderr.contains(needle) && out.stderr.contains(".chartguard.yaml"),
            "{text}: {}",
            out.stderr
        );
    }
}

/// `--write-baseline` over a directory where a chart fails to render: that chart is named
/// and the run exits 2 (its findings are not in the baseline); before, it exited 0 silently.
#[test]
fn write_baseline_does_not_hide_a_failed_render() {
    for (name, helm) in helms() {
        let baseline = tmp_dir(&format!("write-baseline-{name}")).join("b.json");
        let out = lint_with_helm(
            &helm,
            &[MONOREPO, "--write-baseline", baseline.to_str().unwrap()],
        );
        assert_eq!(out.code, 2, "{name}: {}", out.stderr);
        assert!(
            out.stderr.contains("1 chart linted, 1 failed to render")
                && out.stderr.contains("broken: failed to render"),
            "{name}: {}",
            out.stderr
        );
        assert!(baseline.is_file(), "{name}");
    }
}

/// A random segment in the middle of a helm-test pod's and its container's names
/// (elastic's elasticsearch chart: `<release>-<rand>-test`): a baseline written by one run
/// hides every finding of the next. Before, the corpus run reported 6 new findings here.
#[test]
fn a_random_middle_segment_keeps_fingerprints_stable() {
    let chart = "tests/charts/random-middle";
    for (name, helm) in helms() {
        let baseline = write_baseline(chart, &helm, &format!("random-middle-{name}"));
        for _ in 0..2 {
            assert_nothing_new(chart, &helm, &baseline, name);
        }
    }
}
