//! A finding names the values line behind its value only when the value came from values:
//! a value hard-coded in the template (even inside a `with .Values.x` block, or in the
//! `else` branch of one) has no values pointer, so the reader edits the template line.
//! tests/charts/values-pointer has both cases for replicas-single and
//! rolling-update-unavailable; rendered with Helm 3 and Helm 4.

mod common;
use common::*;

#[test]
fn hard_coded_values_point_at_the_template_only() {
    for (name, helm) in helms() {
        let out = lint_with_helm(
            &helm,
            &[
                "tests/charts/values-pointer",
                "--format",
                "json",
                "--fail-on",
                "none",
            ],
        );
        assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        let mut got: Vec<(String, String, u64, Option<String>)> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "replicas-single" || f["rule"] == "rolling-update-unavailable")
            .map(|f| {
                (
                    f["rule"].as_str().unwrap().to_string(),
                    f["location"]["file"].as_str().unwrap().to_string(),
                    f["location"]["line"].as_u64().unwrap(),
                    f["value"]["hint"].as_str().map(str::to_string),
                )
            })
            .collect();
        got.sort();
        let dir = "tests/charts/values-pointer";
        assert_eq!(
            got,
            vec![
                (
                    "replicas-single".into(),
                    format!("{dir}/templates/api.yaml"),
                    7,
                    None
                ),
                (
                    "replicas-single".into(),
                    format!("{dir}/templates/worker.yaml"),
                    6,
                    Some(format!("set by {dir}/values.yaml:4 (`worker.replicas`)"))
                ),
                (
                    "rolling-update-unavailable".into(),
                    format!("{dir}/templates/worker.yaml"),
                    15,
                    None
                ),
            ],
            "{name}"
        );
    }
}
