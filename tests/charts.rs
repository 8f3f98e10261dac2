//! Charts rendered by real Helm 3 and Helm 4 (installed by `scripts/install-tools.sh helm`):
//! the same findings as the rendered output, at the template line, per environment.

mod common;
use common::*;
use pretty_assertions::assert_eq;
use std::collections::BTreeSet;
use std::path::PathBuf;

const BAD: &str = "examples/charts/classic-mistakes";
const GOOD: &str = "examples/charts/prod-ready";

fn lint_json(args: &[&str]) -> (i32, serde_json::Value, String) {
    let mut all = vec!["lint", "--format", "json", "--fail-on", "none"];
    all.extend_from_slice(args);
    let out = run(&all);
    let v = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", out.stdout, out.stderr));
    (out.code, v, out.stderr)
}

fn findings(report: &serde_json::Value) -> &Vec<serde_json::Value> {
    report["findings"].as_array().unwrap()
}

/// (rule, object kind/name, field path) — what a finding is, wherever it is reported.
fn identities(report: &serde_json::Value) -> BTreeSet<(String, String, String)> {
    findings(report)
        .iter()
        // Findings about the chart itself (values-schema-missing) have no rendered object.
        .filter(|f| f["object"]["kind"] != "Chart")
        .map(|f| {
            (
                f["rule"].as_str().unwrap().into(),
                format!(
                    "{}/{}",
                    f["object"]["kind"].as_str().unwrap(),
                    f["object"]["name"].as_str().unwrap()
                ),
                f["path"].as_str().unwrap().into(),
            )
        })
        .collect()
}

/// `# chartguard: expect` markers of every template of a chart: (file, line, rule).
fn template_markers(chart: &str) -> BTreeSet<(String, usize, String)> {
    let mut out = BTreeSet::new();
    for e in ignore::WalkBuilder::new(root().join(chart).join("templates"))
        .build()
        .filter_map(Result::ok)
    {
        if e.path().is_file() {
            let rel = e
                .path()
                .strip_prefix(root())
                .unwrap()
                .to_string_lossy()
                .to_string();
            for (line, rule) in expected_markers(e.path()) {
                out.insert((rel.clone(), line, rule));
            }
        }
    }
    out
}

/// Helm 3 and Helm 4 (findings placed by instrumented-render markers), then the default
/// renderer (the built-in one, placing findings by its record of each line): (name, lint
/// arguments, `mapped_by` of the findings).
fn renderers() -> Vec<(&'static str, Vec<String>, &'static str)> {
    common::renderers()
        .into_iter()
        .map(|(name, args)| {
            let mapped_by = if args.is_empty() {
                "provenance"
            } else {
                "marker"
            };
            (name, args, mapped_by)
        })
        .collect()
}

/// `lint ARGS --format json` with each of [`renderers`], on a machine without Helm.
fn lint_json_without_helm(args: &[&str], extra: &[String]) -> (i32, serde_json::Value, String) {
    let mut all = vec!["lint", "--format", "json", "--fail-on", "none"];
    all.extend_from_slice(args);
    all.extend(extra.iter().map(String::as_str));
    let out = run_without_helm(&all);
    let v = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", out.stdout, out.stderr));
    (out.code, v, out.stderr)
}

#[test]
fn chart_findings_equal_rendered_findings_and_sit_at_template_lines() {
    let (_, rendered, _) = lint_json(&["examples/rendered/classic-mistakes.yaml"]);
    let expected = template_markers(BAD);
    assert!(expected.len() >= 10);
    let values = format!("{BAD}/values-prod.yaml");
    for (name, extra, mapped_by) in renderers() {
        let (code, report, stderr) = lint_json_without_helm(&[BAD, "-f", &values], &extra);
        assert_eq!(code, 0, "{name}: {stderr}");
        assert_eq!(
            identities(&report),
            identities(&rendered),
            "{name}: chart and rendered output must give the same findings"
        );
        let at: BTreeSet<(String, usize, String)> = findings(&report)
            .iter()
            .filter(|f| f["object"]["kind"] != "Chart")
            .map(|f| {
                // The built-in renderer puts a finding whose value a values file set at that
                // values line; the template line that wrote it is then its first related one.
                let loc = if f["location"]["file"]
                    .as_str()
                    .unwrap()
                    .contains("/templates/")
                {
                    &f["location"]
                } else {
                    assert_eq!(mapped_by, "provenance", "{name}: {f}");
                    &f["related"][0]["location"]
                };
                (
                    loc["file"].as_str().unwrap().into(),
                    loc["line"].as_u64().unwrap() as usize,
                    f["rule"].as_str().unwrap().into(),
                )
            })
            .collect();
        assert_eq!(
            at, expected,
            "{name}: every finding at its template's `# chartguard: expect` line"
        );
        for f in findings(&report)
            .iter()
            .filter(|f| f["object"]["kind"] != "Chart")
        {
            assert_eq!(f["mapped_by"], mapped_by, "{name}: {f}");
            assert!(
                f["rendered"]["file"]
                    .as_str()
                    .unwrap()
                    .ends_with("(rendered)"),
                "{f}"
            );
        }
    }
}

#[test]
fn findings_name_the_values_file_that_sets_the_value() {
    let helm = &helms()[1].1;
    let (_, report, _) = lint_json(&[
        BAD,
        "--renderer",
        "helm",
        "--helm-bin",
        helm,
        "-f",
        &format!("{BAD}/values-prod.yaml"),
    ]);
    let replicas = findings(&report)
        .iter()
        .find(|f| f["rule"] == "schema-invalid" && f["path"] == "spec.replicas")
        .expect("schema-invalid on replicas");
    assert_eq!(replicas["value"]["key"], "replicaCount");
    assert_eq!(replicas["value"]["file"], format!("{BAD}/values-prod.yaml"));
    let values = std::fs::read_to_string(root().join(BAD).join("values-prod.yaml")).unwrap();
    let line = values
        .lines()
        .position(|l| l.starts_with("replicaCount:"))
        .unwrap()
        + 1;
    assert_eq!(replicas["value"]["line"], line);
}

#[test]
fn good_chart_is_clean_in_prod_with_both_helms() {
    for (name, helm) in helms() {
        let out = lint_with_helm(&helm, &[GOOD, "-f", &format!("{GOOD}/values-prod.yaml")]);
        assert_eq!(out.code, 0, "{name}:\n{}{}", out.stdout, out.stderr);
    }
}

#[test]
fn all_environments_lints_dev_and_prod_with_their_profiles() {
    let helm = &helms()[1].1;
    let (_, report, stderr) = lint_json(&[
        BAD,
        "--renderer",
        "helm",
        "--helm-bin",
        helm,
        "--all-environments",
    ]);
    let mut by_rule: std::collections::BTreeMap<String, BTreeSet<String>> = Default::default();
    for f in findings(&report) {
        let envs = f["environments"]
            .as_array()
            .unwrap_or_else(|| panic!("environments missing: {f}\n{stderr}"));
        for e in envs {
            by_rule
                .entry(f["rule"].as_str().unwrap().into())
                .or_default()
                .insert(e.as_str().unwrap().into());
        }
    }
    // prod-only rules fire in prod only; the seed's dev strategy is allowed in dev.
    assert_eq!(
        by_rule.get("rolling-update-unavailable"),
        Some(&BTreeSet::from(["prod".to_string()])),
        "{by_rule:?}"
    );
    assert_eq!(
        by_rule.get("pdb-missing"),
        Some(&BTreeSet::from(["prod".to_string()])),
        "{by_rule:?}"
    );
    // A finding of every environment is reported once, naming both.
    let shared = findings(&report)
        .iter()
        .filter(|f| f["rule"] == "hook-weight-order")
        .collect::<Vec<_>>();
    assert!(!shared.is_empty());
    for f in shared {
        let envs: Vec<&str> = f["environments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e.as_str().unwrap())
            .collect();
        assert_eq!(envs, vec!["dev", "prod"], "{f}");
    }
    // The good chart: clean in prod, and dev's looser settings do not fail it.
    let out = lint_with_helm(helm, &[GOOD, "--all-environments"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
}

#[test]
fn a_failing_required_is_exit_2_with_helms_message() {
    for (name, helm) in helms() {
        let out = lint_with_helm(&helm, &["tests/charts/required-fails"]);
        assert_eq!(out.code, 2, "{name}: {}", out.stderr);
        assert!(
            out.stderr.contains("image.tag is required"),
            "{name}: {}",
            out.stderr
        );
        assert!(
            out.stderr
                .contains("required-fails/templates/deployment.yaml:17:52"),
            "{name}: {}",
            out.stderr
        );
        assert!(out.stdout.is_empty() || !out.stdout.contains("no findings"));
    }
}

#[test]
fn a_failing_render_is_an_error_result_in_sarif() {
    let helm = &helms()[0].1;
    let dir = tmp_dir("render-error-sarif");
    let path = dir.join("out.sarif");
    let out = lint_with_helm(
        helm,
        &[
            "tests/charts/required-fails",
            "--format",
            "sarif",
            "--output",
            path.to_str().unwrap(),
        ],
    );
    assert_eq!(out.code, 2);
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["level"], "error");
    assert_eq!(result["ruleId"], "helm-render-error");
    assert!(result["message"]["text"]
        .as_str()
        .unwrap()
        .contains("image.tag is required"));
    let loc = &result["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "tests/charts/required-fails/templates/deployment.yaml"
    );
    assert_eq!(loc["region"]["startLine"], 17);
    validate_sarif(&path);
}

#[test]
fn a_chart_that_renders_nothing_is_a_warning() {
    let helm = &helms()[1].1;
    let out = lint_with_helm(helm, &["tests/charts/empty"]);
    // A finding (helm-render-empty, a warning), so the default --fail-on fails.
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.contains("warning[helm-render-empty]"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr.contains("renders no Kubernetes objects"),
        "{}",
        out.stderr
    );
}

#[test]
fn subchart_findings_point_into_the_subchart() {
    for (name, helm) in helms() {
        let (_, report, stderr) = lint_json(&[
            "tests/charts/with-subchart",
            "--renderer",
            "helm",
            "--helm-bin",
            &helm,
        ]);
        let f = findings(&report)
            .iter()
            .find(|f| f["rule"] == "resource-limits")
            .unwrap_or_else(|| panic!("{name}: {report}\n{stderr}"));
        assert_eq!(
            f["location"]["file"],
            "tests/charts/with-subchart/charts/sub/templates/deployment.yaml",
            "{name}"
        );
        assert_eq!(
            f["location"]["template"],
            "with-subchart/charts/sub/templates/deployment.yaml"
        );
    }
}

#[test]
fn a_missing_helm_names_the_flag() {
    let out = lint_with_helm("/nonexistent/helm", &[BAD]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--helm-bin"), "{}", out.stderr);
}

/// A chart the built-in renderer reports unsupported: a template whose output exceeds the
/// engine's output budget (a `repeat` it refuses before allocating). The values
/// (`note`) are secret-shaped to show they are never echoed.
fn beyond_budget_chart(name: &str) -> String {
    let dir = write_chart(
        &tmp_dir(name),
        "beyond-budget",
        &[
            ("values.yaml", "note: lower\n"),
            (
                "templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  note: {{ .Values.note | quote }}\n  x: {{ repeat 300000000 \"a\" | quote }}\n",
            ),
        ],
    );
    dir.to_str().unwrap().to_string()
}

/// The default renderer needs no Helm for a chart it supports, and names the feature when
/// it would need Helm and there is none.
#[test]
fn without_helm_the_default_renderer_lints_and_names_what_it_would_need_helm_for() {
    let out = run_without_helm(&["lint", GOOD, "-f", &format!("{GOOD}/values-prod.yaml")]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(!out.stderr.contains("Helm"), "{}", out.stderr);
    // A template beyond the engine's budget: only Helm would render it.
    let chart = beyond_budget_chart("no-helm-budget");
    let out = run_without_helm(&["lint", &chart, "--set", "note=NOT-LOWER"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("the built-in renderer does not support this chart")
            && out.stderr.contains("budget")
            && out.stderr.contains("not found"),
        "{}",
        out.stderr
    );
    assert_eq!(
        out.stderr.matches("does not support").count(),
        1,
        "said once: {}",
        out.stderr
    );
    assert!(!out.stderr.contains("NOT-LOWER"), "{}", out.stderr);
}

#[test]
fn chart_output_never_shows_a_secret() {
    let secrets = example_secrets();
    let helm = &helms()[1].1;
    for format in ["human", "json", "sarif"] {
        let out = lint_with_helm(
            helm,
            &[
                BAD,
                "--all-environments",
                "--format",
                format,
                "--color",
                "always",
            ],
        );
        let text = out.stdout + &out.stderr;
        for s in &secrets {
            assert!(!text.contains(s.as_str()), "{format} output leaks a secret");
        }
    }
}

#[test]
fn chart_sarif_passes_both_validators_and_points_at_templates() {
    let helm = &helms()[1].1;
    let dir = tmp_dir("chart-sarif");
    let path = dir.join("chart.sarif");
    let out = lint_with_helm(
        helm,
        &[
            BAD,
            "--all-environments",
            "--format",
            "sarif",
            "--output",
            path.to_str().unwrap(),
            "--category",
            "classic-mistakes",
        ],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for r in log["runs"][0]["results"].as_array().unwrap() {
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(
            uri.starts_with("examples/charts/classic-mistakes/templates/")
                || (r["ruleId"] == "values-schema-missing"
                    && uri == "examples/charts/classic-mistakes/values.yaml"),
            "{uri}"
        );
    }
    validate_sarif(&path);
}

#[test]
fn upgrade_only_hooks_are_linted() {
    // The container's line: where the missing resources are to be added.
    let template = "tests/charts/upgrade-only/templates/upgrade-hook.yaml";
    let line = std::fs::read_to_string(root().join(template))
        .unwrap()
        .lines()
        .position(|l| l.contains("- name: reindex"))
        .unwrap()
        + 1;
    for (name, extra, mapped_by) in renderers() {
        let (_, report, stderr) = lint_json_without_helm(&["tests/charts/upgrade-only"], &extra);
        let f = findings(&report)
            .iter()
            .find(|f| {
                f["rule"] == "resource-limits" && f["object"]["name"] == "upgrade-only-reindex"
            })
            .unwrap_or_else(|| {
                panic!("{name}: the pre-upgrade-only hook must be linted: {report}\n{stderr}")
            });
        assert_eq!(f["location"]["file"], template, "{name}");
        assert_eq!(f["location"]["line"], line, "{name}: {f}");
        assert_eq!(f["mapped_by"], mapped_by, "{name}: {f}");
        assert!(
            f["rendered"]["file"]
                .as_str()
                .unwrap()
                .ends_with("(rendered --is-upgrade)"),
            "{f}"
        );
        // The install render's ConfigMap is linted once, not twice.
        assert_eq!(report["objects"], 2, "{name}");
    }
}

#[test]
fn an_upgrade_render_failure_is_a_loud_warning_not_a_silent_skip() {
    for (name, extra, _) in renderers() {
        let mut args = vec![
            "lint",
            "tests/charts/upgrade-only",
            "--set",
            "requireOnUpgrade=true",
            "--fail-on",
            "none",
        ];
        args.extend(extra.iter().map(String::as_str));
        let out = run_without_helm(&args);
        assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        assert!(
            out.stderr.contains("--is-upgrade` failed")
                && out.stderr.contains("previousVersion is required"),
            "{name}: {}",
            out.stderr
        );
    }
}

#[test]
fn a_document_helm_drops_for_an_unknown_hook_is_reported() {
    for (name, extra, _) in renderers() {
        let mut args = vec!["lint", "tests/charts/unknown-hook"];
        args.extend(extra.iter().map(String::as_str));
        let out = run_without_helm(&args);
        assert!(
            out.stderr
                .contains("\"pre-instal\", an event it does not know")
                && out
                    .stderr
                    .contains("tests/charts/unknown-hook/templates/migrate.yaml:6"),
            "{name}: {}",
            out.stderr
        );
    }
}

#[test]
fn the_chart_that_deploys_chartguard_passes_its_own_prod_lint() {
    for (name, helm) in helms() {
        let out = lint_with_helm(
            &helm,
            &[
                "deploy/chartguard",
                "-f",
                "deploy/chartguard/values-prod.yaml",
                "--profile",
                "prod",
                "--fail-on",
                "note",
            ],
        );
        assert_eq!(out.code, 0, "{name}:\n{}{}", out.stdout, out.stderr);
    }
}

#[test]
fn packaged_charts_and_directories_of_charts_are_rendered() {
    let helm = &helms()[1].1;
    let dir = tmp_dir("package");
    let out = std::process::Command::new(helm)
        .args(["package", BAD, "--destination"])
        .arg(&dir)
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tgz = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .find(|e| e.path().extension().is_some_and(|x| x == "tgz"))
        .unwrap()
        .path();
    let (_, report, stderr) = lint_json(&[
        tgz.to_str().unwrap(),
        "--renderer",
        "helm",
        "--helm-bin",
        helm,
        "-f",
        &format!("{BAD}/values-prod.yaml"),
    ]);
    let (_, rendered, _) = lint_json(&["examples/rendered/classic-mistakes.yaml"]);
    assert_eq!(identities(&report), identities(&rendered), "{stderr}");
    // No template files on disk: findings stay in the rendered output, which names the template.
    for f in findings(&report) {
        assert!(
            f["location"]["template"]
                .as_str()
                .unwrap()
                .starts_with("classic-mistakes/templates/"),
            "{f}"
        );
    }
    // A directory holding several charts lints each as its own release.
    let (_, both, stderr) =
        lint_json(&["examples/charts", "--renderer", "helm", "--helm-bin", helm]);
    let files: BTreeSet<&str> = findings(&both)
        .iter()
        .map(|f| f["location"]["file"].as_str().unwrap())
        .collect();
    assert!(
        files
            .iter()
            .any(|f| f.starts_with("examples/charts/classic-mistakes/templates/")),
        "{files:?}\n{stderr}"
    );
    assert!(both["objects"].as_u64().unwrap() >= 20, "{stderr}");
}

/// Every leak the review found, in one chart: args flags and their values (flow and block
/// style), literal Secret data in the template, --set values echoed in Helm's errors.
#[test]
fn leaky_chart_never_prints_a_secret() {
    let leaks = [
        "LEAKV1", "LEAKT1", "LEAKT2", "LEAKA1", "LEAKA2", "LEAKA3", "LEAKS1", "LEAKS2",
    ];
    for (name, helm) in helms() {
        let mut outputs = Vec::new();
        for format in ["human", "json", "sarif", "github"] {
            let out = lint_with_helm(
                &helm,
                &[
                    "tests/charts/leaky",
                    "--format",
                    format,
                    "--color",
                    "always",
                    "--show-suppressed",
                ],
            );
            assert!(matches!(out.code, 0 | 1), "{name} {format}: {}", out.stderr);
            outputs.push((format.to_string(), out.stdout + &out.stderr));
        }
        // Helm echoes --set values in its errors: "key \"LEAKS2\" has no value".
        let dir = tmp_dir("leaky-sarif");
        let sarif = dir.join("err.sarif");
        let out = lint_with_helm(
            &helm,
            &[
                "tests/charts/leaky",
                "--set",
                "db.password=LEAKS1,LEAKS2",
                "--format",
                "sarif",
                "--output",
                sarif.to_str().unwrap(),
            ],
        );
        assert_eq!(out.code, 2, "{name}: {}", out.stderr);
        outputs.push((
            "helm error".into(),
            out.stdout + &out.stderr + &std::fs::read_to_string(&sarif).unwrap_or_default(),
        ));
        for (what, text) in &outputs {
            for leak in leaks {
                assert!(!text.contains(leak), "{name} {what} prints {leak}:\n{text}");
            }
        }
    }
    // The gate's report, on stderr and in --report.
    let rendered = std::process::Command::new(&helms()[0].1)
        .args(["template", "leaky", "tests/charts/leaky"])
        .current_dir(root())
        .output()
        .unwrap();
    let (code, text) = gate_with_report(
        "leaky-gate",
        &rendered.stdout,
        std::time::Duration::from_secs(30),
    );
    assert_eq!(code, 1, "{text}");
    for leak in leaks {
        assert!(!text.contains(leak), "gate prints {leak}:\n{text}");
    }
}

#[test]
fn set_string_and_partial_set_keys_are_credited_to_the_command_line() {
    let helm = &helms()[1].1;
    for flag in ["--set", "--set-string"] {
        let (_, report, stderr) = lint_json(&[
            "tests/charts/leaky",
            "--renderer",
            "helm",
            "--helm-bin",
            helm,
            flag,
            "replicas=1",
        ]);
        let f = findings(&report)
            .iter()
            .find(|f| f["rule"] == "replicas-single")
            .unwrap_or_else(|| panic!("{stderr}"));
        assert_eq!(f["value"]["command_line"], true, "{flag}: {f}");
    }
}

#[test]
fn chart_yaml_paths_lists_and_yaml_directives() {
    let helm = &helms()[1].1;
    let out = lint_with_helm(
        helm,
        &["tests/charts/leaky/Chart.yaml", "--fail-on", "none"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let dir = tmp_dir("list");
    let list = dir.join("list.yaml");
    std::fs::write(&list, "%YAML 1.2\n---\napiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: a}\n    data: {DB_PASSWORD: hunter2-in-a-list}\n").unwrap();
    let (code, report, stderr) = lint_json(&[list.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let f = findings(&report)
        .iter()
        .find(|f| f["rule"] == "plaintext-secret")
        .unwrap_or_else(|| panic!("a List's items are linted: {report}"));
    assert_eq!(f["location"]["line"], 9);
    assert_eq!(report["objects"], 1);
}

#[test]
fn environments_linted_in_parallel_report_exactly_what_serial_reports() {
    // --jobs 1 lints dev then prod on one thread; --jobs 4 lints them at once. The report
    // is the same, byte for byte, in every format.
    for format in ["json", "human", "sarif"] {
        let run_with = |jobs: &str| {
            run(&[
                "lint",
                BAD,
                "--all-environments",
                "--fail-on",
                "none",
                "--format",
                format,
                "--jobs",
                jobs,
            ])
        };
        let serial = run_with("1");
        let parallel = run_with("4");
        assert_eq!(serial.code, 0, "{}", serial.stderr);
        assert!(serial.stdout.contains("prod") && serial.stdout.contains("dev"));
        assert_eq!(serial.stdout, parallel.stdout, "{format}");
        assert_eq!(serial.stderr, parallel.stderr, "{format}");
    }
}

/// A chart that fails to render fails with the same message whichever renders it: a failed
/// `required`, a template error, a missing dependency (the built-in renderer words them as
/// Helm 4.1.4 does, and masks values the same way).
#[test]
fn the_built_in_renderers_failures_read_as_helm_4s() {
    let helm4 = &helms()[1].1;
    for chart in [
        "tests/charts/required-fails",
        "tests/charts/monorepo/broken",
        "tests/charts/with-deps/app",
    ] {
        let helm = lint_with_helm(helm4, &[chart]);
        let native = run_without_helm(&["lint", chart]);
        assert_eq!(helm.code, 2, "{chart}: {}", helm.stderr);
        assert_eq!(native.code, 2, "{chart}: {}", native.stderr);
        assert!(native.stderr.contains("Error: "), "{}", native.stderr);
        assert_eq!(native.stderr, helm.stderr, "{chart}");
    }
}

/// `auto` (the default) falls back to the Helm binary for what the built-in renderer does
/// not support, saying so once and naming the feature. The Helm here is a stand-in on PATH
/// that renders one ConfigMap whatever it is asked, so the test shows which renderer ran.
#[test]
fn the_default_renderer_falls_back_to_helm_once_naming_the_feature() {
    let dir = tmp_dir("fallback-helm");
    let chart = beyond_budget_chart("fallback-helm-chart");
    let helm = dir.join("helm");
    std::fs::write(
        &helm,
        "#!/bin/sh\nprintf -- '---\\n# Source: beyond-budget/templates/cm.yaml\\napiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: from-helm\\n'\n",
    )
    .unwrap();
    std::fs::set_permissions(&helm, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let out = run_with_env(
        &[
            "lint",
            &chart,
            "--set",
            "note=NOT-LOWER",
            "--format",
            "json",
            "--fail-on",
            "none",
        ],
        None,
        std::time::Duration::from_secs(60),
        &[("PATH", dir.to_str().unwrap())],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stderr.matches("rendered with Helm").count(),
        1,
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("budget"), "{}", out.stderr);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["objects"], 1, "{report}");
    assert!(!out.stderr.contains("NOT-LOWER"), "{}", out.stderr);
}

/// The Helm renderer's map on a chart written to stress it: long runs of literal lines (one
/// marker stands for each run), a block scalar and a conditional among them, and one
/// template rendering three documents of the same shape (paired one template at a time, only
/// where findings point). Every finding sits at its `# chartguard: expect` line with Helm 3,
/// Helm 4 and the built-in renderer alike.
#[test]
fn findings_in_runs_of_literal_lines_and_repeated_documents_sit_at_their_lines() {
    const CHART: &str = "tests/charts/marker-runs";
    let expected = template_markers(CHART);
    assert!(expected.len() >= 10);
    for (name, extra, mapped_by) in renderers() {
        let (code, report, stderr) = lint_json_without_helm(&[CHART], &extra);
        assert_eq!(code, 0, "{name}: {stderr}");
        let objects: Vec<&serde_json::Value> = findings(&report)
            .iter()
            .filter(|f| f["object"]["kind"] != "Chart")
            .collect();
        let at: BTreeSet<(String, usize, String)> = objects
            .iter()
            .map(|f| {
                (
                    f["location"]["file"].as_str().unwrap().into(),
                    f["location"]["line"].as_u64().unwrap() as usize,
                    f["rule"].as_str().unwrap().into(),
                )
            })
            .collect();
        assert_eq!(at, expected, "{name}: every finding at its expect line");
        // The token is in all three ConfigMaps, the password only in the second.
        let secrets = objects
            .iter()
            .filter(|f| f["rule"] == "plaintext-secret")
            .count();
        assert_eq!(secrets, 4, "{name}");
        assert!(
            objects.iter().all(|f| f["mapped_by"] == mapped_by),
            "{name}"
        );
    }
}

/// With `--renderer helm` the map from rendered lines to template lines comes from the
/// built-in renderer's record when it renders the chart, else from Helm's instrumented render
/// (forced here with CHARTGUARD_MAP_WITH_MARKERS): both give every finding the same line.
#[test]
fn the_built_in_record_and_the_markers_map_findings_to_the_same_lines() {
    let values = format!("{BAD}/values-prod.yaml");
    let cases: [&[&str]; 4] = [
        &["tests/charts/marker-runs"],
        &[BAD, "-f", &values],
        &["tests/charts/upgrade-only"],
        &["tests/charts/with-subchart"],
    ];
    for (name, helm) in common::helms() {
        for case in cases {
            if !root().join(case[0]).exists() {
                continue;
            }
            let mut args = vec!["lint", "--format", "json", "--fail-on", "none"];
            args.extend_from_slice(case);
            args.extend(["--renderer", "helm", "--helm-bin", &helm]);
            let limit = std::time::Duration::from_secs(120);
            let record = common::run_with_env(&args, None, limit, &[]);
            let markers =
                common::run_with_env(&args, None, limit, &[("CHARTGUARD_MAP_WITH_MARKERS", "1")]);
            assert_eq!(record.code, 0, "{name} {case:?}: {}", record.stderr);
            assert_eq!(record.stdout, markers.stdout, "{name} {case:?}");
            assert!(
                record.stdout.contains("\"mapped_by\": \"marker\""),
                "{name} {case:?}"
            );
        }
    }
}

/// The Helm renderer's instrumented copy links the chart's files instead of copying them
/// and replaces the templates it marks: the chart itself stays as it was, byte for byte,
/// with no file added and no link left behind.
#[cfg(unix)]
#[test]
fn the_instrumented_copy_never_changes_the_chart() {
    use std::os::unix::fs::MetadataExt;
    let chart = tmp_dir("untouched").join("marker-runs");
    let from = root().join("tests/charts/marker-runs");
    for e in ignore::WalkBuilder::new(&from)
        .build()
        .filter_map(Result::ok)
    {
        let to = chart.join(e.path().strip_prefix(&from).unwrap());
        if e.path().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(e.path(), &to).unwrap();
        }
    }
    let state = || -> Vec<(PathBuf, Vec<u8>, u64, i64)> {
        let mut out: Vec<_> = ignore::WalkBuilder::new(&chart)
            .hidden(false)
            .build()
            .filter_map(Result::ok)
            .filter(|e| e.path().is_file())
            .map(|e| {
                let m = e.metadata().unwrap();
                let text = std::fs::read(e.path()).unwrap();
                (e.path().to_path_buf(), text, m.nlink(), m.mtime())
            })
            .collect();
        out.sort();
        out
    };
    let before = state();
    assert!(before.iter().all(|(_, _, links, _)| *links == 1));
    for (name, helm) in helms() {
        let chart = chart.to_string_lossy();
        let (code, report, stderr) =
            lint_json(&[&chart, "--renderer", "helm", "--helm-bin", &helm]);
        assert_eq!(code, 0, "{name}: {stderr}");
        assert!(
            findings(&report).iter().any(|f| f["mapped_by"] == "marker"),
            "{name}: the instrumented render mapped findings"
        );
        assert_eq!(state(), before, "{name}: the chart is as it was");
    }
}
