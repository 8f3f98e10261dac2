//! Values of the wrong type never crash a rule (issue 19, section 3): they are
//! `schema-invalid` findings at the user's line, the rules see the object without them, and a
//! rule that still fails is a finding of that rule on the object, not an input error.

mod common;
use common::*;
use std::time::Duration;

fn lint_yaml(name: &str, text: &str, extra: &[&str]) -> Output {
    let dir = tmp_dir(&format!("robust-types-{name}"));
    let path = dir.join(format!("{name}.yaml"));
    std::fs::write(&path, text).unwrap();
    let mut args = vec!["lint", path.to_str().unwrap(), "--color", "never"];
    args.extend_from_slice(extra);
    run_with(&args, None, Duration::from_secs(120))
}

/// Exit 1 with a `schema-invalid` finding containing `needle`, at `line`, and no value or
/// engine error on any stream.
fn assert_schema_invalid(out: &Output, needle: &str, line: usize, secret: &str) {
    let all = format!("{}\n{}", out.stdout, out.stderr);
    assert_eq!(out.code, 1, "{all}");
    assert!(
        all.contains("error[schema-invalid]") && all.contains(needle),
        "expected schema-invalid with {needle:?}:\n{all}"
    );
    assert!(
        all.contains(&format!(":{line}:")),
        "expected line {line}:\n{all}"
    );
    assert!(!all.contains("failed to evaluate"), "{all}");
    for line in all.lines().filter(|l| !l.contains('│')) {
        assert!(
            !line.contains(secret),
            "value {secret:?} in a message:\n{all}"
        );
    }
}

#[test]
fn secret_data_not_base64_is_its_own_finding() {
    let out = lint_yaml(
        "secret-b64",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  password: hunter2\n  ok: aHVudGVyMg==\n",
        &[],
    );
    assert_schema_invalid(&out, "not valid base64", 6, "hunter2");
    // JSON as well: the finding, and still no value.
    let out = lint_yaml(
        "secret-b64-json",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  password: \"s3cr3t-p4ss!\"\n",
        &["--format", "json"],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.contains("not valid base64"), "{}", out.stdout);
    assert!(!out.stdout.contains("s3cr3t") && !out.stderr.contains("s3cr3t"));
}

#[test]
fn service_spec_string_is_schema_invalid() {
    let out = lint_yaml(
        "svc-spec",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc\nspec: \"x-very-odd\"\n",
        &[],
    );
    assert_schema_invalid(&out, "spec: expected", 5, "x-very-odd");
}

#[test]
fn role_resources_as_a_string_is_schema_invalid() {
    let out = lint_yaml(
        "role",
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: r\nrules:\n  - apiGroups: [\"\"]\n    resources: secrets-odd\n    verbs: [get]\n",
        &[],
    );
    assert_schema_invalid(
        &out,
        "rules[0].resources: expected a list",
        7,
        "secrets-odd",
    );
}

#[test]
fn container_name_number_or_mapping_is_schema_invalid_and_other_rules_still_run() {
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec:\n      containers:\n        - name: 5\n          image: nginx:1\n        - name: {odd: valueX}\n          image: nginx:1\n";
    for (name, extra) in [("cname", &[][..]), ("cname-dev", &["--profile", "dev"][..])] {
        let out = lint_yaml(name, text, extra);
        assert_schema_invalid(&out, "containers[0].name: expected a string", 11, "valueX");
        assert!(out
            .stdout
            .contains("containers[1].name: expected a string, found a mapping"));
    }
    let out = lint_yaml("cname-prod", text, &[]);
    // Rules that do not need the name still judge the object.
    assert!(out.stdout.contains("replicas-single"), "{}", out.stdout);
}

#[test]
fn hpa_target_name_number_is_schema_invalid() {
    let out = lint_yaml(
        "hpa",
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: h\nspec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: 12345\n  minReplicas: 1\n  maxReplicas: 3\n",
        &[],
    );
    assert_schema_invalid(&out, "scaleTargetRef.name: expected a string", 9, "12345");
}

const CRASHY: &str = r#"# METADATA
# title: Decodes an annotation
# description: A test rule that fails on an annotation that is not base64.
# custom:
#   id: crashy
#   severity: note
#   profiles: [dev, prod]
#   scope: object
#   tags: [test]
#   why: test
#   fix: test
package chartguard.rules.custom["crashy"]

import data.chartguard.lib

report contains lib.violation(r.index, ["metadata"], msg) if {
	some r in input.resources
	x := base64.decode(r.object.metadata.annotations.blob)
	x == "boom"
	msg := sprintf("%s says boom", [lib.describe(r.index)])
}
"#;

#[test]
fn a_rule_that_fails_is_a_finding_on_the_object_and_other_findings_stay() {
    let dir = tmp_dir("robust-types-crashy");
    std::fs::create_dir_all(dir.join("pol")).unwrap();
    std::fs::write(dir.join("pol/crashy.rego"), CRASHY).unwrap();
    let pol = dir.join("pol");
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations: {blob: \"Ym9vbQ==\"}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  annotations: {blob: \"hunter2-planted!\"}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations: {blob: \"Ym9vbQ==\"}\n";
    for format in ["human", "json"] {
        let out = lint_yaml(
            &format!("crashy-{format}"),
            text,
            &[
                "--policy-dir",
                pol.to_str().unwrap(),
                "--profile",
                "dev",
                "--format",
                format,
            ],
        );
        let all = format!("{}\n{}", out.stdout, out.stderr);
        assert_eq!(out.code, 1, "{all}");
        assert!(
            all.contains("rule crashy failed to evaluate on ConfigMap b"),
            "{all}"
        );
        assert!(all.contains("ConfigMap a says boom"), "{all}");
        assert!(all.contains("ConfigMap c says boom"), "{all}");
        assert!(!all.contains("hunter2"), "{all}");
        assert!(!all.contains("decode failed"), "{all}");
    }
}
