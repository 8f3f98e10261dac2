//! End-to-end tests of `chartguard lint` on the committed rendered examples (the `lint -`
//! path), exit codes, output formats and bad input.

mod common;
use common::*;
use pretty_assertions::assert_eq;
use std::time::Duration;

const BAD: &str = "examples/rendered/classic-mistakes.yaml";
const GOOD: &str = "examples/rendered/prod-ready.yaml";

fn json(args: &[&str]) -> (i32, serde_json::Value) {
    let mut all = vec!["lint", "--format", "json"];
    all.extend_from_slice(args);
    let out = run(&all);
    let v: serde_json::Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}\n{}\n{}", out.stdout, out.stderr));
    (out.code, v)
}

fn found(report: &serde_json::Value) -> Vec<(usize, String)> {
    let mut v: Vec<(usize, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["location"]["line"].as_u64().unwrap() as usize,
                f["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

#[test]
fn bad_example_fires_every_marked_rule_at_its_line() {
    let (code, report) = json(&[BAD]);
    assert_eq!(code, 1);
    let expected = expected_markers(&root().join(BAD));
    assert!(!expected.is_empty());
    assert_eq!(
        found(&report),
        expected,
        "findings (line, rule) must match the `# chartguard: expect` markers"
    );
}

#[test]
fn bad_example_via_stdin_gives_the_same_findings() {
    let text = std::fs::read(root().join(BAD)).unwrap();
    let out = run_with(
        &["lint", "--format", "json", "-"],
        Some(&text),
        Duration::from_secs(60),
    );
    assert_eq!(out.code, 1);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(found(&report), expected_markers(&root().join(BAD)));
    assert_eq!(report["findings"][0]["location"]["file"], "<stdin>");
}

#[test]
fn every_finding_says_what_where_why_and_how() {
    let (_, report) = json(&[BAD]);
    for f in report["findings"].as_array().unwrap() {
        for key in [
            "rule",
            "severity",
            "message",
            "path",
            "why",
            "fix",
            "fingerprint",
        ] {
            assert!(
                f[key].as_str().is_some_and(|s| !s.is_empty()),
                "{key} missing in {f}"
            );
        }
        assert!(
            f["object"]["kind"].as_str().is_some_and(|s| !s.is_empty()),
            "{f}"
        );
        assert!(f["object"]["name"].is_string(), "{f}");
        assert_eq!(f["location"]["file"], BAD);
        assert!(
            f["location"]["template"]
                .as_str()
                .is_some_and(|t| t.starts_with("classic-mistakes/templates/")),
            "{f}"
        );
        assert!(f["location"]["line"].as_u64().unwrap() >= 1);
        assert!(f["location"]["column"].as_u64().unwrap() >= 1);
    }
}

#[test]
fn good_example_is_clean_in_prod() {
    let out = run(&["lint", GOOD]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let (_, report) = json(&[GOOD, "--profile", "prod"]);
    let serious: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] != "note")
        .collect();
    assert!(serious.is_empty(), "{serious:#?}");
}

#[test]
fn exit_codes_follow_fail_on() {
    assert_eq!(run(&["lint", BAD, "--fail-on", "none"]).code, 0);
    assert_eq!(run(&["lint", BAD, "--fail-on", "error"]).code, 1);
    assert_eq!(run(&["lint", BAD]).code, 1);
    assert_eq!(run(&["lint", GOOD, "--fail-on", "warning"]).code, 0);
    // Usage errors.
    assert_eq!(run(&["lint"]).code, 2);
    assert_eq!(run(&["lint", BAD, "--format", "xml"]).code, 2);
    assert_eq!(run(&["lint", BAD, "--disable", "no-such-rule"]).code, 2);
    assert_eq!(run(&["lint", "does/not/exist.yaml"]).code, 2);
}

#[test]
fn human_output_has_snippets_and_a_summary() {
    let out = run(&["lint", BAD]);
    assert!(
        out.stdout.contains("warning[resource-limits]"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains(&format!("┌─ {BAD}:")), "{}", out.stdout);
    assert!(out.stdout.contains("= why: "));
    assert!(out.stdout.contains("= fix: "));
    let last = out.stdout.lines().last().unwrap();
    assert!(
        last.starts_with("chartguard: ") && last.ends_with(" objects"),
        "{last}"
    );
    assert!(
        !out.stdout.contains("\u{1b}["),
        "no colour when not a terminal"
    );
    let forced = run(&["lint", BAD, "--color", "always"]);
    assert!(forced.stdout.contains("\u{1b}["));
}

#[test]
fn output_file_is_written() {
    let dir = tmp_dir("output");
    let path = dir.join("out.sarif");
    let out = run(&[
        "lint",
        BAD,
        "--format",
        "sarif",
        "--output",
        path.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.is_empty());
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(
        out.stderr.contains("chartguard: "),
        "summary on stderr: {}",
        out.stderr
    );
}

#[test]
fn no_secret_value_appears_in_any_output() {
    let secrets = example_secrets();
    let rendered = std::fs::read_to_string(root().join(BAD)).unwrap();
    assert!(
        secrets.iter().any(|s| rendered.contains(s.as_str())),
        "the example must contain the secrets it tests"
    );
    let mut outputs = Vec::new();
    for format in ["human", "json", "sarif"] {
        for profile in ["prod", "dev"] {
            let out = run(&[
                "lint",
                BAD,
                "--format",
                format,
                "--profile",
                profile,
                "--color",
                "always",
            ]);
            outputs.push((format!("{format}/{profile}"), out.stdout + &out.stderr));
        }
    }
    let out = run(&["lint", BAD, "--timings"]);
    outputs.push(("timings".into(), out.stdout + &out.stderr));
    for (name, text) in &outputs {
        for s in &secrets {
            assert!(
                !text.contains(s.as_str()),
                "{name} output leaks a secret value"
            );
            // Also the parts of a DSN: the password alone.
            if let Some(pw) = s
                .split("://")
                .nth(1)
                .and_then(|r| r.split('@').next())
                .and_then(|c| c.split(':').nth(1))
            {
                assert!(!text.contains(pw), "{name} output leaks a DSN password");
            }
        }
    }
}

#[test]
fn directories_and_globs_are_walked() {
    let (_, by_dir) = json(&["examples/rendered"]);
    let (_, by_glob) = json(&["examples/rendered/*.yaml"]);
    assert_eq!(by_dir["objects"], by_glob["objects"]);
    let (_, one) = json(&[BAD]);
    let (_, two) = json(&[GOOD]);
    assert_eq!(
        by_dir["objects"].as_u64().unwrap(),
        one["objects"].as_u64().unwrap() + two["objects"].as_u64().unwrap()
    );
}

#[test]
fn rules_list_and_explain() {
    let out = run(&["rules"]);
    assert_eq!(out.code, 0);
    for id in [
        "resource-limits",
        "run-as-non-root",
        "pdb-missing",
        "rolling-update-unavailable",
        "plaintext-secret",
        "hook-weight-order",
        "schema-invalid",
        "unknown-field",
    ] {
        assert!(out.stdout.contains(id), "rules lists {id}");
        let explain = run(&["rules", "explain", id]);
        assert_eq!(explain.code, 0);
        assert!(
            explain.stdout.contains("Why it matters:") && explain.stdout.contains("How to fix:"),
            "{}",
            explain.stdout
        );
    }
    let out = run(&["rules", "explain", "nope"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no rule `nope`"));
    let listed: serde_json::Value =
        serde_json::from_str(&run(&["rules", "--format", "json"]).stdout).unwrap();
    assert!(listed.as_array().unwrap().len() >= 8);
}

#[test]
fn readme_rules_table_matches_the_registry() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let table = run(&["rules", "--format", "markdown"]).stdout;
    assert!(readme.contains(&table), "README's rules table is out of date; regenerate it with `chartguard rules --format markdown`:\n{table}");
}

#[test]
fn bundled_policy_tests_pass() {
    let out = run(&["policy", "test"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.stdout.contains(" passed, 0 failed"), "{}", out.stdout);
}

#[test]
fn user_policies_are_loaded_and_tested() {
    let out = run(&["policy", "test", "examples/policies"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let out = run(&[
        "lint",
        BAD,
        "--policy-dir",
        "examples/policies",
        "--format",
        "json",
        "--fail-on",
        "none",
    ]);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "team-label"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_broken_user_policy_is_an_input_error() {
    let dir = tmp_dir("broken-policy");
    std::fs::write(
        dir.join("x.rego"),
        "package chartguard.rules.custom[\"x\"]\nreport contains 1 if {\n",
    )
    .unwrap();
    let out = run(&["lint", GOOD, "--policy-dir", dir.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("x.rego"), "{}", out.stderr);
}

/// A policy that parses but does not compile (an unsafe variable) is the user's error to fix
/// in that file, not a "failed to evaluate" finding on every object for every rule.
#[test]
fn a_user_policy_that_does_not_compile_is_an_input_error() {
    let dir = tmp_dir("unsafe-policy");
    std::fs::write(
        dir.join("unsafe.rego"),
        "# METADATA\n# title: Unsafe\n# description: x.\n# custom:\n#   id: unsafe-var\n\
         #   severity: warning\n#   profiles: [dev, prod]\n#   scope: object\n#   why: x\n\
         #   fix: y\npackage chartguard.rules.custom[\"unsafe-var\"]\n\n\
         import data.chartguard.lib\n\n\
         report contains lib.violation(i, [], \"x\") if {\n\tsome i, r in input.resources\n\
         \tr.kind == zzz\n}\n",
    )
    .unwrap();
    let out = run(&["lint", GOOD, "--policy-dir", dir.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("unsafe.rego:17"), "{}", out.stderr);
    assert!(out.stderr.contains("zzz"), "{}", out.stderr);
    assert!(!out.stdout.contains("failed to evaluate"), "{}", out.stdout);
}

/// Rules run one at a time on every core, but a report that is not a set is the same error on
/// every run: the first such rule in the queue's order, whichever thread ran it.
#[test]
fn two_rules_with_malformed_reports_give_the_same_error_every_run() {
    let dir = tmp_dir("malformed-reports");
    for (id, padding) in [
        ("bad-short", ""),
        ("bad-long", "# a longer rule\n# is first\n"),
    ] {
        std::fs::write(
            dir.join(format!("{id}.rego")),
            format!(
                "# METADATA\n# title: Bad\n# description: x.\n# custom:\n#   id: {id}\n\
                 #   severity: warning\n#   profiles: [dev, prod]\n#   scope: object\n\
                 #   why: x\n#   fix: y\npackage chartguard.rules.custom[\"{id}\"]\n\n\
                 {padding}report := 3\n"
            ),
        )
        .unwrap();
    }
    let runs: Vec<Output> = (0..5)
        .map(|_| run(&["lint", GOOD, "--policy-dir", dir.to_str().unwrap()]))
        .collect();
    for out in &runs {
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert!(out.stderr.contains("bad-long"), "{}", out.stderr);
        assert_eq!(out.stderr, runs[0].stderr);
    }
}

#[test]
fn rule_doc_pages_match_the_registry() {
    let listed: serde_json::Value =
        serde_json::from_str(&run(&["rules", "--format", "json"]).stdout).unwrap();
    let ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for id in &ids {
        let page = std::fs::read_to_string(root().join(format!("docs/rules/{id}.md")))
            .unwrap_or_else(|_| panic!("docs/rules/{id}.md missing; run scripts/gen-docs.sh"));
        assert_eq!(
            page,
            run(&["rules", "explain", id, "--markdown"]).stdout,
            "docs/rules/{id}.md is stale; run scripts/gen-docs.sh"
        );
    }
    let pages = std::fs::read_dir(root().join("docs/rules"))
        .unwrap()
        .count();
    assert_eq!(
        pages,
        ids.len(),
        "docs/rules has pages for rules that no longer exist"
    );
}

#[test]
fn concise_statistics_quiet_and_why_once_per_rule() {
    let (_, v) = json(&[BAD, "--fail-on", "none"]);
    let total = v["findings"].as_array().unwrap().len();
    let rules: std::collections::BTreeSet<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();

    let out = run(&["lint", BAD, "--concise", "--fail-on", "none"]);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), total + 1, "{}", out.stdout);
    for l in &lines[..total] {
        // path:line:col: level[rule] message
        let (place, rest) = l.split_once(": ").unwrap();
        let parts: Vec<&str> = place.rsplitn(3, ':').collect();
        assert_eq!(parts[2], BAD, "{l}");
        assert!(
            parts[0].parse::<usize>().is_ok() && parts[1].parse::<usize>().is_ok(),
            "{l}"
        );
        let (level, _) = rest.split_once('[').unwrap();
        assert!(["error", "warning", "note"].contains(&level), "{l}");
    }
    assert!(lines[total].starts_with("chartguard: "));

    // The default format explains each rule once, after its first finding.
    let out = run(&["lint", BAD, "--fail-on", "none"]);
    assert_eq!(
        out.stdout.matches("= why: ").count(),
        rules.len(),
        "{}",
        out.stdout
    );

    let out = run(&[
        "lint",
        BAD,
        "--statistics",
        "--concise",
        "--fail-on",
        "none",
    ]);
    for rule in &rules {
        assert!(
            out.stdout
                .lines()
                .any(|l| l.split_whitespace().nth(1) == Some(rule)),
            "{rule}: {}",
            out.stdout
        );
    }

    let out = run(&["lint", BAD, "--quiet", "--concise", "--fail-on", "none"]);
    assert_eq!(out.stdout.lines().count(), total, "{}", out.stdout);
    assert!(!out.stdout.contains("chartguard:"), "{}", out.stdout);
    assert_eq!(out.stderr, "");
}

#[test]
fn select_runs_only_the_named_rules() {
    let (_, v) = json(&[
        BAD,
        "--fail-on",
        "none",
        "--select",
        "pdb-missing,run-as-non-root",
    ]);
    let rules: std::collections::BTreeSet<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules.into_iter().collect::<Vec<_>>(),
        vec!["pdb-missing", "run-as-non-root"]
    );

    let dir = tmp_dir("select-config");
    let cfg = dir.join("chartguard.yaml");
    std::fs::write(&cfg, "rules:\n  select: [pdb-missing]\n").unwrap();
    let (_, v) = json(&[BAD, "--fail-on", "none", "--config", cfg.to_str().unwrap()]);
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["rule"] == "pdb-missing"));
}

#[test]
fn unknown_rule_ids_get_a_did_you_mean_naming_where_they_were_written() {
    let out = run(&["lint", BAD, "--disable", "image-tag-mutabel"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("--disable image-tag-mutabel"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("did you mean `image-tag-mutable`?"),
        "{}",
        out.stderr
    );

    let out = run(&["lint", BAD, "--select", "pdb-mising"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("did you mean `pdb-missing`?"),
        "{}",
        out.stderr
    );

    let out = run(&["rules", "explain", "hook-weight"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("did you mean `hook-weight-order`?"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("pdb-missing"),
        "no list of every rule: {}",
        out.stderr
    );

    // A typo in the config is the config's, not a --disable flag's.
    let dir = tmp_dir("typo-config");
    let cfg = dir.join("chartguard.yaml");
    std::fs::write(&cfg, "rules:\n  disable: [helm-test-mising]\n").unwrap();
    let out = run(&["lint", BAD, "--config", cfg.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("rules.disable names `helm-test-mising`"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("chartguard.yaml"), "{}", out.stderr);
    assert!(!out.stderr.contains("--disable"), "{}", out.stderr);
    assert!(
        out.stderr.contains("did you mean `helm-test-missing`?"),
        "{}",
        out.stderr
    );

    // An inline suppression with a typo.
    let manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  annotations:\n    chartguard.io/ignore: \"pdb-mising -- typo\"\n";
    let out = run_with(
        &["lint", "-", "--format", "json", "--fail-on", "none"],
        Some(manifest.as_bytes()),
        Duration::from_secs(60),
    );
    assert!(
        out.stdout.contains("did you mean `pdb-missing`?"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_malformed_config_suppression_is_an_error_naming_the_file() {
    let dir = tmp_dir("bad-suppression");
    let cfg = dir.join("chartguard.yaml");
    let cfg_s = cfg.to_str().unwrap();
    for (body, expect) in [
        ("object: Deployment/legacy", "must be `kind/namespace/name`"),
        ("object: \"Deployment/*/[legacy\"", "not a valid glob"),
        (
            "object: \"*/*/*\"\n    rule: pdb-mising",
            "did you mean `pdb-missing`?",
        ),
    ] {
        let rule = if body.contains("rule:") {
            ""
        } else {
            "\n    rule: pdb-missing"
        };
        std::fs::write(
            &cfg,
            format!("suppressions:\n  - {body}{rule}\n    reason: legacy\n"),
        )
        .unwrap();
        let out = run(&["lint", BAD, "--config", cfg_s]);
        assert_eq!(out.code, 2, "{body}: {}", out.stderr);
        assert!(
            out.stderr.contains("suppressions[0]"),
            "{body}: {}",
            out.stderr
        );
        assert!(
            out.stderr.contains("chartguard.yaml"),
            "{body}: {}",
            out.stderr
        );
        assert!(out.stderr.contains(expect), "{body}: {}", out.stderr);
    }
}

#[test]
fn show_settings_names_where_each_setting_came_from() {
    let dir = tmp_dir("show-settings");
    let cfg = dir.join("chartguard.yaml");
    std::fs::write(&cfg, "kube-version: \"1.30\"\nhelm:\n  namespace: apps\n").unwrap();
    let out = run(&[
        "lint",
        BAD,
        "--show-settings",
        "--config",
        cfg.to_str().unwrap(),
        "--profile",
        "dev",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let line = |key: &str| {
        out.stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(key))
            .unwrap_or_else(|| panic!("{key}: {}", out.stdout))
            .to_string()
    };
    assert!(line("profile").contains("dev  (flag)"), "{}", out.stdout);
    assert!(
        line("kube-version").contains("1.30  (config "),
        "{}",
        out.stdout
    );
    assert!(
        line("helm.namespace").contains("apps  (config "),
        "{}",
        out.stdout
    );
    assert!(line("helm.bin").contains("(default)"), "{}", out.stdout);
    assert!(
        line("helm.include-crds").contains("false"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_config_suppression_that_matches_nothing_is_reported() {
    let dir = tmp_dir("unused-suppression");
    let cfg = dir.join("chartguard.yaml");
    std::fs::write(
        &cfg,
        "suppressions:\n  - rule: pdb-missing\n    object: \"Deployment/*/gone-*\"\n    reason: old\n  - rule: resource-limits\n    object: \"*\"\n    reason: used\n  - rule: image-tag-mutable\n    object: \"Deployment/*/gone\"\n    reason: rule disabled\n",
    )
    .unwrap();
    let out = run(&[
        "lint",
        BAD,
        "--config",
        cfg.to_str().unwrap(),
        "--fail-on",
        "none",
        "--disable",
        "image-tag-mutable",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("suppression of `pdb-missing` for `Deployment/*/gone-*` matched no finding"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("`resource-limits` for"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("`image-tag-mutable` for"),
        "{}",
        out.stderr
    );
}

/// Rule parameters from `.chartguard.yaml`: allow-lists change what rules report, the two
/// opt-in rules start reporting, and a wrong key or value is exit 2 naming file and key.
#[test]
fn config_params_configure_rules_and_bad_params_are_errors() {
    let dir = tmp_dir("params");
    let manifest = dir.join("vpn.yaml");
    std::fs::write(
        &manifest,
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: vpn\nspec:\n  containers:\n    - name: vpn\n      image: nginx:1.27.3\n      securityContext:\n        capabilities:\n          drop: [ALL]\n          add: [NET_ADMIN]\n",
    )
    .unwrap();
    let config = dir.join(".chartguard.yaml");
    let lint = |config_text: &str| {
        std::fs::write(&config, config_text).unwrap();
        run(&[
            "lint",
            manifest.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
            "--format",
            "json",
            "--fail-on",
            "none",
            "--select",
            "capabilities-dangerous,image-registry-allowed,labels-required",
        ])
    };
    let rules_of = |out: &Output| -> Vec<String> {
        let report: serde_json::Value =
            serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stderr));
        let mut rules: Vec<String> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect();
        rules.sort();
        rules
    };
    // Defaults: NET_ADMIN is reported, the opt-in rules are quiet.
    let out = lint("");
    assert_eq!(rules_of(&out), vec!["capabilities-dangerous"]);
    let out = lint(
        "rules:\n  params:\n    capabilities-dangerous: {allowed: [NET_BIND_SERVICE, NET_ADMIN]}\n    image-registry-allowed: {registries: [registry.example.com]}\n    labels-required: {labels: [team], kinds: [Pod]}\n",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        rules_of(&out),
        vec!["image-registry-allowed", "labels-required"]
    );
    assert!(out.stdout.contains("pulls \\\"nginx:1.27.3\\\" (docker.io/library/nginx), which is not in an allowed registry (registry.example.com)"), "{}", out.stdout);
    for (text, needle) in [
        (
            "rules:\n  params:\n    capabilities-dangerous: {alowed: [NET_ADMIN]}\n",
            "rules.params.capabilities-dangerous.alowed: `capabilities-dangerous` has no parameter `alowed`; did you mean `allowed`?",
        ),
        (
            "rules:\n  params:\n    image-registry-alowed: {registries: []}\n",
            "rules.params.image-registry-alowed: no such rule; did you mean `image-registry-allowed`?",
        ),
        (
            "rules:\n  params:\n    capabilities-dangerous: {allowed: NET_ADMIN}\n",
            "rules.params.capabilities-dangerous.allowed: \"NET_ADMIN\" is not of type \"array\"",
        ),
        (
            "rules:\n  params:\n    pdb-missing: {x: 1}\n",
            "rules.params.pdb-missing: rule `pdb-missing` takes no parameters",
        ),
    ] {
        let out = lint(text);
        assert_eq!(out.code, 2, "{text}: {}", out.stderr);
        assert!(
            out.stderr.contains(".chartguard.yaml: ") && out.stderr.contains(needle),
            "{text}: {}",
            out.stderr
        );
    }
    // --show-settings shows what the config sets.
    std::fs::write(
        &config,
        "rules:\n  params:\n    priority-class: {allowed: [platform-high]}\n",
    )
    .unwrap();
    let out = run(&[
        "lint",
        manifest.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
        "--show-settings",
    ]);
    assert!(
        out.stdout.lines().any(|l| l.starts_with("rules.params")
            && l.contains(r#"{"priority-class":{"allowed":["platform-high"]}}"#)
            && l.contains("(config ")),
        "{}",
        out.stdout
    );
    // `rules explain` shows each parameter with its default and schema.
    let out = run(&["rules", "explain", "capabilities-dangerous"]);
    assert!(
        out.stdout
            .contains("rules.params.capabilities-dangerous.<name>")
            && out.stdout.contains("  allowed: ")
            && out.stdout.contains("default: [\"NET_BIND_SERVICE\"]")
            && out.stdout.contains("schema:  {\"type\":\"array\""),
        "{}",
        out.stdout
    );
}

/// An inline suppression that suppressed nothing is a `suppression-unused` finding at its
/// annotation (like ruff's unused `noqa`) — but not when its rule did not run (disabled,
/// not selected), and with --all-environments only when it is unused in every environment
/// that renders its object. Before: nothing was reported for stale inline suppressions.
#[test]
fn unused_inline_suppressions_are_findings_only_when_unused_everywhere() {
    let chart = tmp_dir("unused-suppressions");
    let w = |path: &str, text: &str| {
        let p = chart.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    w(
        "Chart.yaml",
        "apiVersion: v2\nname: unused\nversion: 0.1.0\n",
    );
    w("values.yaml", "password: \"\"\nextra: false\n");
    w("values-dev.yaml", "password: \"\"\n");
    w(
        "values-prod.yaml",
        "password: hunter2-local-only\nextra: true\n",
    );
    let cm = |name: &str, body: &str| {
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  annotations:\n    \
             chartguard.io/ignore: \"plaintext-secret -- the demo stack's throwaway password\"\n\
             data:\n  mode: fast\n{body}"
        )
    };
    // Used in prod (a password), unused in dev: not reported with --all-environments.
    w(
        "templates/app.yaml",
        &cm(
            "app-config",
            "{{- if .Values.password }}\n  password: {{ .Values.password }}\n{{- end }}\n",
        ),
    );
    // Rendered in prod only, unused there: reported (dev does not render it).
    w(
        "templates/extra.yaml",
        &format!(
            "{{{{- if .Values.extra }}}}\n{}{{{{- end }}}}\n",
            cm("extra", "")
        ),
    );
    // Unused wherever it renders.
    w("templates/stale.yaml", &cm("stale", ""));
    let dir = chart.to_str().unwrap();
    for (name, helm) in helms() {
        let unused = |extra: &[&str]| {
            let mut args = vec![
                "lint",
                dir,
                "--renderer",
                "helm",
                "--helm-bin",
                &helm,
                "--format",
                "json",
                "--fail-on",
                "none",
            ];
            args.extend_from_slice(extra);
            let out = run(&args);
            let v: serde_json::Value = serde_json::from_str(&out.stdout)
                .unwrap_or_else(|_| panic!("{name}: {}{}", out.stdout, out.stderr));
            let mut objects: Vec<String> = v["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["rule"] == "suppression-unused")
                .map(|f| {
                    assert_eq!(
                        f["path"], "metadata.annotations[\"chartguard.io/ignore\"]",
                        "{name}: {f}"
                    );
                    assert!(
                        f["location"]["file"]
                            .as_str()
                            .unwrap()
                            .contains("templates/"),
                        "{name}: at the template line: {f}"
                    );
                    f["object"]["name"].as_str().unwrap().to_string()
                })
                .collect();
            objects.sort();
            objects
        };
        assert_eq!(
            unused(&[]),
            ["app-config", "stale"],
            "{name}: default values"
        );
        assert_eq!(
            unused(&["--all-environments"]),
            ["extra", "stale"],
            "{name}"
        );
        assert!(
            unused(&["--all-environments", "--disable", "plaintext-secret"]).is_empty(),
            "{name}"
        );
        assert!(
            unused(&["--select", "plaintext-secret"]).is_empty(),
            "{name}"
        );
        assert_eq!(
            unused(&["--select", "plaintext-secret,suppression-unused"]),
            ["app-config", "stale"],
            "{name}"
        );
    }
}

/// `gate --help` describes the gate: no lint-only options or behaviour (environments,
/// rendering with helm, a target to search the config from, CI report formats), and it says
/// what Helm 3 and Helm 4 give the gate. Before, it shared lint's help for these.
#[test]
fn gate_help_speaks_of_the_gate_only() {
    let out = run(&["gate", "--help"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for lint_only in [
        "--all-environments",
        "passed to helm",
        "from the target",
        "GITHUB_STEP_SUMMARY",
        "junit",
        "testsuite per chart",
    ] {
        assert!(
            !out.stdout.contains(lint_only),
            "{lint_only}:\n{}",
            out.stdout
        );
    }
    for said in [
        "hook rules",
        "chartguard-gate-report.txt",
        "human, json or sarif",
    ] {
        assert!(out.stdout.contains(said), "{said}:\n{}", out.stdout);
    }
}

/// Snippets show only the lines around findings; with `--all-environments` a template every
/// environment renders is shown from all of them, so a finding only one environment has
/// (far from the others' findings) still shows its line. Before, the last environment's
/// text, blank there, replaced the first's.
#[test]
fn a_finding_of_one_environment_shows_its_template_line() {
    let dir = tmp_dir("env-snippets");
    let selector: String = (0..20).map(|i| format!("    l{i}: v{i}\n")).collect();
    let pod = format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: nginx:1.27.0\n  nodeSelector:\n{selector}  {{{{- if .Values.priv }}}}\n  hostPID: true\n  {{{{- end }}}}\n"
    );
    let chart = write_chart(
        &dir,
        "app",
        &[
            ("values.yaml", "priv: false\n"),
            ("values-a.yaml", "priv: true\n"),
            ("values-b.yaml", "priv: false\n"),
            ("templates/pod.yaml", &pod),
        ],
    );
    let out = run(&[
        "lint",
        chart.to_str().unwrap(),
        "--all-environments",
        "--no-config",
        "--fail-on",
        "none",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let finding = out
        .stdout
        .split("\n\n")
        .find(|d| d.contains("[host-namespaces]"))
        .unwrap_or_else(|| panic!("no host-namespaces finding:\n{}", out.stdout));
    assert!(finding.contains("templates/pod.yaml:31:3"), "{finding}");
    assert!(finding.contains("31 │   hostPID: true"), "{finding}");
    let _ = std::fs::remove_dir_all(&dir);
}
