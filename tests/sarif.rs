//! The SARIF we emit passes the OASIS SARIF 2.1.0 schema and sarif-multitool's SARIF and
//! GitHub (GHAS) rules, read from its report (its exit code is 0 even on errors). The
//! validators are installed by `scripts/install-tools.sh sarif`.

mod common;
use common::*;

#[test]
fn example_sarif_passes_both_validators() {
    let dir = tmp_dir("sarif");
    for (name, input) in [
        ("bad", "examples/rendered/classic-mistakes.yaml"),
        ("good", "examples/rendered/prod-ready.yaml"),
    ] {
        let path = dir.join(format!("{name}.sarif"));
        let out = run(&[
            "lint",
            input,
            "--format",
            "sarif",
            "--output",
            path.to_str().unwrap(),
            "--category",
            "examples",
        ]);
        assert!(matches!(out.code, 0 | 1), "{}", out.stderr);
        validate_sarif(&path);
    }
}

#[test]
fn sarif_has_rules_locations_and_fingerprints() {
    let out = run(&[
        "lint",
        "examples/rendered/classic-mistakes.yaml",
        "--format",
        "sarif",
    ]);
    let log: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.len() >= 8);
    for r in rules {
        assert!(r["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("## How to fix"));
        assert!(r["defaultConfiguration"]["level"].is_string());
    }
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for res in results {
        let idx = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], res["ruleId"]);
        let loc = &res["locations"][0]["physicalLocation"];
        assert_eq!(
            loc["artifactLocation"]["uri"],
            "examples/rendered/classic-mistakes.yaml"
        );
        assert!(loc["region"]["startLine"].as_u64().unwrap() > 1);
        assert!(loc["region"]["startColumn"].as_u64().unwrap() >= 1);
        assert!(
            res["partialFingerprints"]["chartguard/v1"]
                .as_str()
                .unwrap()
                .len()
                == 32
        );
    }
    let again = super_run();
    assert_eq!(out.stdout, again, "SARIF is stable from run to run");
}

fn super_run() -> String {
    run(&[
        "lint",
        "examples/rendered/classic-mistakes.yaml",
        "--format",
        "sarif",
    ])
    .stdout
}

#[test]
fn security_rules_carry_a_security_severity() {
    let out = run(&[
        "lint",
        "examples/rendered/classic-mistakes.yaml",
        "--format",
        "sarif",
    ]);
    let log: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    for r in log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
    {
        let tags: Vec<&str> = r["properties"]["tags"]
            .as_array()
            .map(|t| t.iter().filter_map(|x| x.as_str()).collect())
            .unwrap_or_default();
        if tags.contains(&"security") {
            let s: f64 = r["properties"]["security-severity"]
                .as_str()
                .expect("security-severity")
                .parse()
                .unwrap();
            assert!((0.1..=10.0).contains(&s));
        }
    }
}
