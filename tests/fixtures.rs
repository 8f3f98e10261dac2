//! Every rule's fixtures run through the real pipeline: `policies/<group>/<rule-id>/fire/*.yaml`
//! must produce that rule's findings exactly on the lines marked `# chartguard: expect
//! <rule-id>` (the rule named twice for two findings on one line), `.../pass/*.yaml` none of
//! them. Adding a rule is adding files; this test picks them up. A fixture may start with
//! `# profile: dev` to run in dev, `# namespace: NS` to lint as a release installed into NS and
//! `# params: {"name": value}` to set the rule's parameters (as `.chartguard.yaml`'s
//! `rules.params.<rule-id>` would).
//!
//! Values rules judge a values file against a chart: `# chart: DIR` (relative to the
//! fixture) lints that chart with the fixture as `-f` and the built-in renderer; markers may
//! also sit in the chart's own values.yaml (for findings located there).
//!
//! Upgrade rules judge a pair of releases: `fire/<case>.previous.yaml` beside
//! `fire/<case>.yaml` is the previous release (`lint <case>.yaml --previous
//! <case>.previous.yaml`). A finding on an object only the previous release has lands in that
//! file, so its markers are there.

mod common;
use common::*;

fn fixtures() -> Vec<(String, bool, std::path::PathBuf)> {
    let mut out = Vec::new();
    for entry in ignore::WalkBuilder::new(root().join("policies"))
        .build()
        .filter_map(Result::ok)
    {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "yaml") || is_previous(path) {
            continue;
        }
        let parent = path.parent().unwrap();
        let kind = parent.file_name().unwrap().to_str().unwrap();
        let rule = parent
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        match kind {
            "fire" => out.push((rule, true, path.to_path_buf())),
            "pass" => out.push((rule, false, path.to_path_buf())),
            _ => {}
        }
    }
    out.sort();
    out
}

fn is_previous(path: &std::path::Path) -> bool {
    path.to_string_lossy().ends_with(".previous.yaml")
}

/// `fire/x.yaml` → `fire/x.previous.yaml`, when there is one.
fn previous_of(path: &std::path::Path) -> Option<std::path::PathBuf> {
    let p = path.with_extension("previous.yaml");
    p.is_file().then_some(p)
}

#[test]
fn every_fixture_fires_or_passes_as_its_folder_says() {
    let all = fixtures();
    let mut failures = Vec::new();
    for (rule, fire, path) in &all {
        let text = std::fs::read_to_string(path).unwrap();
        // Leading `# profile: dev` / `# namespace: team-a` comments set those options.
        let header = |key: &str| {
            text.lines()
                .take_while(|l| l.starts_with('#'))
                .find_map(|l| {
                    l.strip_prefix(&format!("# {key}: "))
                        .map(|v| v.trim().to_string())
                })
        };
        let profile = header("profile").unwrap_or_else(|| "prod".into());
        let chart = header("chart").map(|c| path.parent().unwrap().join(c));
        let mut args = vec![
            "lint".to_string(),
            match &chart {
                Some(c) => c.to_str().unwrap().into(),
                None => path.to_str().unwrap().into(),
            },
            "--format".into(),
            "json".into(),
            "--profile".into(),
            profile,
            "--fail-on".into(),
            "none".into(),
        ];
        if chart.is_some() {
            args.extend([
                "-f".into(),
                path.to_str().unwrap().into(),
                "--renderer".into(),
                "native".into(),
            ]);
        }
        if let Some(ns) = header("namespace") {
            args.extend(["--namespace".into(), ns]);
        }
        if let Some(params) = header("params") {
            let config = std::env::temp_dir().join(format!(
                "cg-fixture-{}-{}-{}.yaml",
                std::process::id(),
                rule,
                path.file_stem().unwrap().to_string_lossy()
            ));
            // JSON is YAML: the header's object goes under the rule's id as written.
            std::fs::write(
                &config,
                format!("rules:\n  params:\n    {rule}: {params}\n"),
            )
            .unwrap();
            args.extend(["--config".into(), config.to_string_lossy().into_owned()]);
        }
        let previous = previous_of(path);
        if let Some(p) = &previous {
            args.extend(["--previous".into(), p.to_str().unwrap().into()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(&args);
        if out.code != 0 {
            failures.push(format!(
                "{}: exit {}: {}",
                path.display(),
                out.code,
                out.stderr
            ));
            continue;
        }
        let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        // Only this rule's findings: a fixture shows one rule, others may fire on it too.
        // (file, line): the fixture is "", its previous release "previous".
        let chart_values = chart.as_ref().map(|c| c.join("values.yaml"));
        let in_chart_values = |f: &serde_json::Value| {
            chart.is_some()
                && f["location"]["file"]
                    .as_str()
                    .unwrap_or("")
                    .ends_with("values.yaml")
        };
        let in_previous = |f: &serde_json::Value| {
            previous.as_ref().is_some_and(|p| {
                let file = f["location"]["file"].as_str().unwrap_or("");
                file.ends_with(&*p.file_name().unwrap().to_string_lossy())
            })
        };
        let mut at: Vec<(&str, usize, String)> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == rule.as_str())
            .map(|f| {
                (
                    if in_previous(f) {
                        "previous"
                    } else if in_chart_values(f) {
                        "values.yaml"
                    } else {
                        ""
                    },
                    f["location"]["line"].as_u64().unwrap() as usize,
                    rule.clone(),
                )
            })
            .collect();
        at.sort();
        let mut expected: Vec<(&str, usize, String)> = expected_markers(path)
            .into_iter()
            .map(|(l, r)| ("", l, r))
            .collect();
        if let Some(p) = &previous {
            expected.extend(
                expected_markers(p)
                    .into_iter()
                    .map(|(l, r)| ("previous", l, r)),
            );
        }
        if let Some(v) = chart_values.filter(|v| v.is_file()) {
            expected.extend(
                expected_markers(&v)
                    .into_iter()
                    .filter(|(_, r)| r == rule)
                    .map(|(l, r)| ("values.yaml", l, r)),
            );
        }
        expected.sort();
        if *fire && expected.is_empty() {
            failures.push(format!(
                "{}: a fire fixture needs `# chartguard: expect {rule}` on the lines where its findings land",
                path.display()
            ));
        } else if at != expected {
            failures.push(format!(
                "{}: `{rule}` findings at (line, rule) {at:?}, the `# chartguard: expect` markers say {expected:?}",
                path.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures wrong:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

#[test]
fn every_bundled_rule_has_tests_and_fixtures() {
    let out = run(&["rules", "--format", "json"]);
    let rules: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let all = fixtures();
    let mut missing = Vec::new();
    for r in rules.as_array().unwrap() {
        let id = r["id"].as_str().unwrap();
        let group = r["group"].as_str().unwrap();
        for file in [format!("{id}.rego"), format!("{id}_test.rego")] {
            let path = format!("policies/{group}/{id}/{file}");
            if !root().join(&path).is_file() {
                missing.push(format!("{id}: no {path}"));
            }
        }
        let charts = chart_fixtures();
        if !all.iter().any(|(rule, fire, _)| rule == id && *fire)
            && !charts.iter().any(|(rule, fire, _)| rule == id && *fire)
        {
            missing.push(format!("{id}: no fire/ fixture"));
        }
        if !all.iter().any(|(rule, fire, _)| rule == id && !*fire)
            && !charts.iter().any(|(rule, fire, _)| rule == id && !*fire)
        {
            missing.push(format!("{id}: no pass/ fixture"));
        }
    }
    // Regal's layout: besides lib/, a .rego file lives only in its own rule's folder.
    let folders: Vec<String> = rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{}/{}",
                r["group"].as_str().unwrap(),
                r["id"].as_str().unwrap()
            )
        })
        .collect();
    for e in ignore::WalkBuilder::new(root().join("policies"))
        .build()
        .filter_map(Result::ok)
    {
        let rel = e.path().strip_prefix(root().join("policies")).unwrap();
        let rel = rel.to_string_lossy().replace('\\', "/");
        if !rel.ends_with(".rego") || rel.starts_with("lib/") {
            continue;
        }
        let (folder, file) = rel.rsplit_once('/').unwrap_or(("", &rel));
        let id = folder.rsplit('/').next().unwrap_or("");
        if !folders.iter().any(|f| f == folder)
            || ![format!("{id}.rego"), format!("{id}_test.rego")].contains(&file.to_string())
        {
            missing.push(format!(
                "policies/{rel}: outside policies/lib/ a .rego file is policies/<group>/<id>/<id>.rego or <id>_test.rego"
            ));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// Chart fixtures (`fire/<case>/Chart.yaml`, `pass/<case>/Chart.yaml`), for rules whose input
/// only a render gives (`input.generated`): (rule, fire, chart dir).
fn chart_fixtures() -> Vec<(String, bool, std::path::PathBuf)> {
    let mut out = Vec::new();
    for entry in ignore::WalkBuilder::new(root().join("policies"))
        .build()
        .filter_map(Result::ok)
    {
        let path = entry.path();
        if path.file_name().is_none_or(|n| n != "Chart.yaml") {
            continue;
        }
        let chart = path.parent().unwrap();
        let kind = chart.parent().unwrap();
        let rule = kind
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_string();
        match kind.file_name().unwrap().to_str().unwrap() {
            "fire" => out.push((rule, true, chart.to_path_buf())),
            "pass" => out.push((rule, false, chart.to_path_buf())),
            _ => {}
        }
    }
    out.sort();
    out
}

/// A chart fixture, linted with the built-in renderer: its rule's findings land exactly on
/// the lines marked `# chartguard: expect <rule>` in its templates or values files (none in
/// a pass/ chart).
#[test]
fn every_chart_fixture_fires_or_passes_as_its_folder_says() {
    let mut failures = Vec::new();
    for (rule, fire, chart) in chart_fixtures() {
        let rel = chart
            .strip_prefix(root())
            .unwrap()
            .to_string_lossy()
            .to_string();
        let mut expected = Vec::new();
        for entry in ignore::WalkBuilder::new(&chart).build().flatten() {
            let Ok(text) = std::fs::read_to_string(entry.path()) else {
                continue;
            };
            let file = entry
                .path()
                .strip_prefix(root())
                .unwrap()
                .to_string_lossy()
                .to_string();
            for (i, line) in text.lines().enumerate() {
                let n = line
                    .matches(&format!("# chartguard: expect {rule}"))
                    .count();
                for _ in 0..n {
                    expected.push(format!("{file}:{}", i + 1));
                }
            }
        }
        expected.sort();
        let out = run(&["lint", &rel, "--renderer", "native", "--format", "json"]);
        let report: serde_json::Value = serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("{rel}: {e}: {}", out.stderr));
        let mut found: Vec<String> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == rule.as_str())
            .map(|f| {
                format!(
                    "{}:{}",
                    f["location"]["file"].as_str().unwrap(),
                    f["location"]["line"]
                )
            })
            .collect();
        found.sort();
        if fire && expected.is_empty() {
            failures.push(format!(
                "{rel}: a fire chart needs `# chartguard: expect {rule}` markers"
            ));
        }
        if found != expected {
            failures.push(format!("{rel}: expected {expected:?}, found {found:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
