//! `lint --shard K/N` and `merge`: the shards of a directory of charts, merged, are the
//! unsharded lint (JSON byte for byte; SARIF as one run per tool and category that both
//! validators accept), and merge's errors and exit codes.

mod common;
use common::*;
use serde_json::{json, Value};
use std::path::Path;

/// Charts of every kind: findings, a failing render, a library chart, subcharts.
const CHARTS: &str = "tests/charts";
const SHARDS: u32 = 3;

/// The report with the names tests/charts/generated-names draws at random (`randAlphaNum
/// 5`) masked: they differ between any two renders.
fn masked(report: &str) -> String {
    let mut out = report.to_string();
    for prefix in [
        "generated-names-http-test-",
        "generated-names-grpc-test-",
        "random-middle-",
    ] {
        let mut at = 0;
        while let Some(i) = out[at..].find(prefix) {
            let start = at + i + prefix.len();
            let end = (start + 5).min(out.len());
            out.replace_range(start..end, "*****");
            at = end;
        }
    }
    out
}

fn write(path: &Path, v: &Value) {
    std::fs::write(path, serde_json::to_string_pretty(v).unwrap()).unwrap();
}

#[test]
fn the_shards_of_a_directory_merge_into_the_unsharded_lint() {
    let (_, helm) = helms().pop().unwrap();
    let dir = tmp_dir("shards");
    let lint = |extra: &[&str], name: &str| {
        let json = dir.join(format!("{name}.json"));
        let sarif = dir.join(format!("{name}.sarif"));
        let mut args = vec![
            "lint",
            CHARTS,
            "--renderer",
            "helm",
            "--helm-bin",
            &helm,
            "--format",
            "json",
            "--fail-on",
            "none",
            "--no-config",
            "-o",
            json.to_str().unwrap(),
            "--sarif-output",
            sarif.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let out = run(&args);
        // tests/charts holds charts that fail to render on purpose: exit 2 where one is,
        // the report written all the same.
        assert!(out.code == 0 || out.code == 2, "{name}: {}", out.stderr);
        assert!(json.is_file() && sarif.is_file(), "{name}: {}", out.stderr);
        (json, sarif, out.code)
    };
    let (whole_json, whole_sarif, code) = lint(&[], "whole");
    assert_eq!(code, 2);
    let mut failed_shards = 0;
    let mut shard_json = Vec::new();
    let mut shard_sarif = Vec::new();
    for k in 1..=SHARDS {
        let shard = format!("{k}/{SHARDS}");
        let (j, s, code) = lint(&["--shard", &shard], &format!("shard{k}"));
        failed_shards += usize::from(code == 2);
        shard_json.push(j.to_str().unwrap().to_string());
        shard_sarif.push(s.to_str().unwrap().to_string());
    }
    assert!(failed_shards >= 1);
    // Each chart in one shard: its findings and objects once in the merge, none missing.
    let mut args = vec!["merge", "--fail-on", "none"];
    args.extend(shard_json.iter().map(String::as_str));
    let merged = run(&args);
    assert_eq!(merged.code, 0, "{}", merged.stderr);
    let whole = std::fs::read_to_string(&whole_json).unwrap();
    assert_eq!(
        masked(&merged.stdout),
        masked(&whole),
        "merged shards differ from the whole lint"
    );
    let parsed: Value = serde_json::from_str(&whole).unwrap();
    assert!(parsed["findings"].as_array().unwrap().len() > 10);
    // The shards split the work: none holds everything.
    for j in &shard_json {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(j).unwrap()).unwrap();
        assert!(v["objects"].as_u64() < parsed["objects"].as_u64(), "{j}");
    }
    // SARIF: merging the shards gives what merging the whole run gives, and it validates.
    let merged_sarif = dir.join("merged.sarif");
    let mut args = vec!["merge", "--format", "sarif", "--fail-on", "none", "-o"];
    args.push(merged_sarif.to_str().unwrap());
    args.extend(shard_sarif.iter().map(String::as_str));
    assert_eq!(run(&args).code, 0);
    let whole_merged = run(&[
        "merge",
        "--format",
        "sarif",
        "--fail-on",
        "none",
        whole_sarif.to_str().unwrap(),
    ]);
    assert_eq!(
        masked(&std::fs::read_to_string(&merged_sarif).unwrap()),
        masked(&whole_merged.stdout)
    );
    let log: Value = serde_json::from_str(&whole_merged.stdout).unwrap();
    assert_eq!(
        log["runs"].as_array().unwrap().len(),
        1,
        "one tool, one category"
    );
    validate_sarif(&merged_sarif);
    // Exit code as lint's: the merged findings reach --fail-on warning.
    let mut args = vec!["merge", "--fail-on", "warning"];
    args.extend(shard_json.iter().map(String::as_str));
    assert_eq!(run(&args).code, 1);
}

fn sarif_run(category: Option<&str>, rules: &[&str], results: &[(&str, &str, &str)]) -> Value {
    let mut run = json!({
        "tool": {"driver": {"name": "chartguard", "rules": rules.iter().map(|r| json!({"id": r})).collect::<Vec<_>>()}},
        "artifacts": results.iter().map(|(_, _, uri)| json!({"location": {"uri": uri}})).collect::<Vec<_>>(),
        "results": results.iter().enumerate().map(|(i, (rule, level, uri))| json!({
            "ruleId": rule,
            "ruleIndex": rules.iter().position(|r| r == rule).unwrap(),
            "level": level,
            "message": {"text": format!("{rule} in {uri}")},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri, "index": i}, "region": {"startLine": 1}}}]
        })).collect::<Vec<_>>(),
    });
    if let Some(c) = category {
        run["automationDetails"] = json!({"id": c});
    }
    run
}

#[test]
fn sarif_runs_of_one_category_become_one_run_with_rules_and_artifacts_remapped() {
    let dir = tmp_dir("merge-sarif");
    let a = dir.join("a.sarif");
    let b = dir.join("b.sarif");
    write(
        &a,
        &json!({"version": "2.1.0", "runs": [sarif_run(Some("charts/"), &["x", "y"], &[("y", "warning", "a.yaml"), ("x", "note", "shared.yaml")])]}),
    );
    write(
        &b,
        &json!({"version": "2.1.0", "runs": [
            sarif_run(Some("charts/"), &["z", "y", "x"], &[("z", "error", "shared.yaml"), ("y", "warning", "b.yaml")]),
            sarif_run(Some("other/"), &["x"], &[("x", "note", "c.yaml")]),
        ]}),
    );
    let out = run(&[
        "merge",
        "--format",
        "sarif",
        "--fail-on",
        "error",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 1, "an error-level result reaches --fail-on error");
    let log: Value = serde_json::from_str(&out.stdout).unwrap();
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2, "one run per category");
    let run0 = &runs[0];
    assert_eq!(run0["automationDetails"]["id"], "charts/");
    let rules: Vec<&str> = run0["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(rules, vec!["x", "y", "z"], "rules deduplicated");
    let artifacts: Vec<&str> = run0["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["location"]["uri"].as_str().unwrap())
        .collect();
    assert_eq!(artifacts, vec!["a.yaml", "shared.yaml", "b.yaml"]);
    let results = run0["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    assert_eq!(results[0]["level"], "error", "most severe first");
    for r in results {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i], r["ruleId"].as_str().unwrap());
        let loc = &r["locations"][0]["physicalLocation"]["artifactLocation"];
        let j = loc["index"].as_u64().unwrap() as usize;
        assert_eq!(artifacts[j], loc["uri"].as_str().unwrap());
    }
    assert_eq!(runs[1]["automationDetails"]["id"], "other/");
    assert_eq!(runs[1]["results"].as_array().unwrap().len(), 1);
}

#[test]
fn merge_refuses_what_it_cannot_merge_with_exit_2() {
    let dir = tmp_dir("merge-bad");
    let broken = dir.join("broken.json");
    std::fs::write(&broken, "{\n  \"findings\": [\n}").unwrap();
    let out = run(&["merge", broken.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("broken.json:3:1: not JSON"),
        "{}",
        out.stderr
    );
    let report = |version: &str| {
        json!({"schema_version": 1, "tool": {"name": "chartguard", "version": version},
               "profile": "prod", "objects": 1, "summary": {}, "findings": []})
    };
    let (a, b) = (dir.join("a.json"), dir.join("b.json"));
    write(&a, &report("0.1.0"));
    write(&b, &report("0.2.0"));
    let out = run(&["merge", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("b.json: tool/version"),
        "{}",
        out.stderr
    );
    let out = run(&["merge", "--format", "sarif", a.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("not a SARIF 2.1.0 log"),
        "{}",
        out.stderr
    );
    // Two empty shards: a clean merge.
    let out = run(&["merge", a.to_str().unwrap(), a.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("\"objects\": 2"), "{}", out.stdout);
    let out = run(&["lint", CHARTS, "--shard", "0/3"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("K counts from 1 to N"),
        "{}",
        out.stderr
    );
}
