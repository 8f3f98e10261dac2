//! `values-schema-invalid` and `values-schema-missing` through the real CLI, with the
//! built-in renderer and with Helm 4.1.4 (tests/charts/values-schema and its cases/).

mod common;

use common::{helms, run_with};
use serde_json::Value;
use std::time::Duration;

const CHART: &str = "tests/charts/values-schema";

fn lint(extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["lint", CHART, "--format", "json"];
    args.extend(extra);
    let out = run_with(&args, None, Duration::from_secs(120));
    let json = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", out.stdout, out.stderr));
    (out.code, json)
}

/// (path, file:line) of each values-schema-invalid finding, sorted.
fn places(report: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "values-schema-invalid")
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                format!(
                    "{}:{}",
                    f["location"]["file"].as_str().unwrap(),
                    f["location"]["line"]
                ),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_violation_at_the_line_that_set_it_with_either_renderer() {
    let helm4 = helms()[1].1.clone();
    let case = format!("{CHART}/cases/types.yaml");
    let mut seen = Vec::new();
    for renderer in [
        vec!["--renderer", "native"],
        vec!["--renderer", "helm", "--helm-bin", &helm4],
    ] {
        let mut args = vec!["-f", case.as_str(), "--set", "replicaCount=30"];
        args.extend(renderer.iter().copied());
        let (code, report) = lint(&args);
        assert_eq!(code, 1, "{report}");
        let p = places(&report);
        let at = |path: &str| {
            p.iter()
                .filter(|(k, _)| k == path)
                .map(|(_, l)| l.as_str())
                .collect::<Vec<_>>()
        };
        // Every violation, not only the first: 17 of them over both charts.
        assert_eq!(p.len(), 17, "{p:#?}");
        assert_eq!(at("image.tag"), [format!("{case}:5")]);
        assert_eq!(
            at("image.registry"),
            [format!("{case}:7")],
            "additionalProperties"
        );
        assert_eq!(
            at("ports[2]"),
            [format!("{case}:11")],
            "a list item via $ref"
        );
        assert_eq!(
            at("store.size").len(),
            2,
            "subchart: maximum and multipleOf"
        );
        // --set wins over the file: named in the message, without its value.
        let f = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == "replicaCount")
            .unwrap();
        assert!(f["message"]
            .as_str()
            .unwrap()
            .contains("set by `--set replicaCount=…`"));
        // No value of the values file is echoed.
        let text = report.to_string();
        for v in [
            "Sometimes",
            "docker.io",
            "NodePort",
            "1.2.3.4.5.6.7",
            "sharded",
        ] {
            assert!(!text.contains(v), "{v} printed");
        }
        // The render went on past the schema: the chart's objects were judged.
        assert_eq!(report["objects"], 2, "{text}");
        seen.push(p);
    }
    assert_eq!(
        seen[0], seen[1],
        "native and Helm place the violations alike"
    );
}

#[test]
fn required_keys_at_the_line_that_removed_them() {
    let case = format!("{CHART}/cases/required.yaml");
    let (code, report) = lint(&["-f", &case, "--renderer", "native"]);
    assert_eq!(code, 1);
    assert_eq!(
        places(&report),
        [
            ("service".to_string(), format!("{case}:2")),
            ("store.zone".to_string(), format!("{case}:4")),
        ]
    );
}

#[test]
fn valid_values_have_no_findings_and_a_schema_is_not_missing() {
    let (_, report) = lint(&[
        "-f",
        &format!("{CHART}/cases/valid.yaml"),
        "--renderer",
        "native",
    ]);
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(
        !rules.iter().any(|r| r.starts_with("values-schema")),
        "{rules:?}"
    );
}

#[test]
fn a_chart_without_schema_gets_a_note_in_prod_only() {
    let chart = "examples/charts/classic-mistakes";
    for (profile, expected) in [("prod", 1), ("dev", 0)] {
        let out = run_with(
            &[
                "lint",
                chart,
                "--renderer",
                "native",
                "--profile",
                profile,
                "--format",
                "json",
            ],
            None,
            Duration::from_secs(120),
        );
        let report: Value = serde_json::from_str(&out.stdout).unwrap();
        let notes: Vec<&Value> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "values-schema-missing")
            .collect();
        assert_eq!(notes.len(), expected, "{profile}");
        if let Some(n) = notes.first() {
            assert_eq!(n["severity"], "note");
            assert_eq!(n["location"]["file"], format!("{chart}/values.yaml"));
        }
    }
}
