//! Values provenance of the built-in renderer (`--renderer native`): a finding whose value
//! came from a values file sits at the line of that file that set it (the template line
//! that wrote it is a related location); a value set with `--set` names the flag; a literal
//! in the template stays at the template line and its fix says it is hard-coded there.
//! tests/charts/provenance: values.yaml, values-prod.yaml over it, a subchart `worker`
//! under the alias `jobs` (its own values.yaml, the parent's `jobs:` and `global:`), and a
//! `toYaml .Values.resources` subtree.

mod common;
use common::*;
use serde_json::Value;

const DIR: &str = "tests/charts/provenance";

fn lint(extra: &[&str]) -> Vec<Value> {
    let mut args = vec![
        "lint",
        DIR,
        "--renderer",
        "native",
        "--format",
        "json",
        "--fail-on",
        "none",
    ];
    args.extend_from_slice(extra);
    let out = run(&args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    report["findings"].as_array().unwrap().clone()
}

/// The finding of `rule` on the object named `name`, at `path` when given.
fn find<'a>(findings: &'a [Value], rule: &str, name: &str, path: Option<&str>) -> &'a Value {
    findings
        .iter()
        .find(|f| {
            f["rule"] == rule && f["object"]["name"] == name && path.is_none_or(|p| f["path"] == p)
        })
        .unwrap_or_else(|| panic!("no {rule} on {name} in {findings:#?}"))
}

fn at(f: &Value) -> String {
    format!(
        "{}:{}:{}",
        f["location"]["file"].as_str().unwrap(),
        f["location"]["line"],
        f["location"]["column"]
    )
}

/// The related location the template line moved to.
fn template_line(f: &Value) -> Option<String> {
    f["related"].as_array()?.iter().find_map(|r| {
        r["message"]
            .as_str()?
            .starts_with("written by template")
            .then(|| {
                format!(
                    "{}:{}",
                    r["location"]["file"].as_str().unwrap(),
                    r["location"]["line"]
                )
            })
    })
}

#[test]
fn chart_defaults_subchart_scope_global_and_to_yaml() {
    let f = lint(&[]);
    let web = "prov-web";
    let worker = "prov-worker";

    // A value from the chart's values.yaml.
    let r = find(&f, "replicas-single", web, None);
    assert_eq!(at(r), format!("{DIR}/values.yaml:2:1"));
    assert_eq!(r["mapped_by"], "provenance");
    assert_eq!(r["value"]["key"], "replicaCount");
    assert_eq!(
        template_line(r).as_deref(),
        Some(format!("{DIR}/templates/deployment.yaml:6").as_str())
    );

    // A subtree written by `toYaml .Values.resources | nindent 12`: the line of its own key.
    let r = find(
        &f,
        "resource-requests-exceed-limits",
        web,
        Some("spec.template.spec.containers[0].resources.requests.cpu"),
    );
    assert_eq!(at(r), format!("{DIR}/values.yaml:8:5"));
    assert_eq!(r["value"]["key"], "resources.requests.cpu");

    // The subchart (alias `jobs`): its `.Values.image.tag` is the parent's `jobs.image.tag`,
    // which wins over the subchart's own values.yaml.
    let r = find(&f, "image-tag-mutable", worker, None);
    assert_eq!(at(r), format!("{DIR}/values.yaml:17:5"));
    assert_eq!(r["value"]["key"], "jobs.image.tag");
    assert_eq!(
        template_line(r).as_deref(),
        Some(format!("{DIR}/charts/worker/templates/deployment.yaml:17").as_str())
    );

    // `.Values.global.replicas` in the subchart: the parent's `global.replicas`.
    let r = find(&f, "replicas-single", worker, None);
    assert_eq!(at(r), format!("{DIR}/values.yaml:14:3"));
    assert_eq!(r["value"]["key"], "global.replicas");

    // A literal in the template: the template line, and the fix says so.
    let r = find(&f, "host-namespaces", web, None);
    assert_eq!(
        at(r),
        format!("{DIR}/templates/deployment.yaml:15:7"),
        "{r:#}"
    );
    assert!(r.get("value").is_none(), "{r:#}");
    let fix = r["fix"].as_str().unwrap();
    assert!(
        fix.contains(&format!(
            "hard-coded in the template ({DIR}/templates/deployment.yaml:15)"
        )),
        "{fix}"
    );
}

#[test]
fn a_values_file_over_the_default_and_a_set_flag() {
    let prod = format!("{DIR}/values-prod.yaml");
    let f = lint(&["-f", &prod]);
    let web = "prov-web";
    // values-prod.yaml sets the tag the chart's values.yaml also sets: the user's file.
    let r = find(&f, "image-tag-mutable", web, None);
    assert_eq!(at(r), format!("{prod}:3:3"));
    assert_eq!(r["value"]["key"], "image.tag");
    // Merged subtree: requests.memory from values-prod.yaml, requests.cpu still the chart's.
    let mem = find(
        &f,
        "resource-requests-exceed-limits",
        web,
        Some("spec.template.spec.containers[0].resources.requests.memory"),
    );
    assert_eq!(at(mem), format!("{prod}:6:5"));
    let cpu = find(
        &f,
        "resource-requests-exceed-limits",
        web,
        Some("spec.template.spec.containers[0].resources.requests.cpu"),
    );
    assert_eq!(at(cpu), format!("{DIR}/values.yaml:8:5"));

    // `--set` wins over both files; a flag is not a line to edit: the template line stays
    // primary and the value names the flag (never its value).
    let f = lint(&["-f", &prod, "--set", "image.tag=latest"]);
    let r = find(&f, "image-tag-mutable", web, None);
    assert_eq!(at(r), format!("{DIR}/templates/deployment.yaml:18:11"));
    assert_eq!(r["value"]["command_line"], true);
    let hint = r["value"]["hint"].as_str().unwrap();
    assert!(
        hint.starts_with("set on the command line (--set image.tag=…); set by ")
            && !hint.contains("latest"),
        "{hint}"
    );
}

#[test]
fn fingerprints_do_not_depend_on_the_renderer() {
    let helm = &helms()[1].1;
    let native = lint(&[]);
    let out = lint_with_helm(helm, &[DIR, "--format", "json", "--fail-on", "none"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    let prints = |fs: &[Value]| {
        let mut v: Vec<String> = fs
            .iter()
            .map(|f| f["fingerprint"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        prints(&native),
        prints(report["findings"].as_array().unwrap())
    );
}

#[test]
fn render_provenance_annotates_template_and_values_lines() {
    let out = run(&[
        "render",
        "--provenance",
        DIR,
        "-f",
        &format!("{DIR}/values-prod.yaml"),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let line = |needle: &str| {
        out.stdout
            .lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle} in\n{}", out.stdout))
            .to_string()
    };
    let image = line("image: \"busybox:latest\"");
    assert!(
        image.contains("# prov/charts/jobs/templates/deployment.yaml:17")
            && image.contains(&format!(
                ".Values.jobs.image.repository <- {DIR}/charts/worker/values.yaml:2"
            ))
            && image.contains(&format!(".Values.jobs.image.tag <- {DIR}/values.yaml:17")),
        "{image}"
    );
    let mem = line("memory: 512Mi");
    assert!(
        mem.contains("# prov/templates/deployment.yaml:20")
            && mem.contains(&format!(
                ".Values.resources.requests.memory <- {DIR}/values-prod.yaml:6"
            )),
        "{mem}"
    );
    // A key of the subtree: the values line of that key, not of the subtree's root.
    let limits = line("limits:");
    assert!(
        limits.ends_with(&format!(".Values.resources.limits <- {DIR}/values.yaml:10")),
        "{limits}"
    );
    let host = line("hostNetwork: true");
    assert!(
        host.ends_with("# prov/templates/deployment.yaml:15"),
        "{host}"
    );
    // Without --provenance: exactly what Helm prints.
    let plain = run(&["render", DIR]);
    let helm = std::process::Command::new(&helms()[1].1)
        .args(["template", DIR])
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(plain.stdout, String::from_utf8_lossy(&helm.stdout));
}

/// A finding moved to a values line shows that values file's line as a snippet: it is
/// masked like a template's (tests/charts/leaky-forms plants `LEAK…` secrets in values).
#[test]
fn values_lines_shown_as_snippets_never_print_a_secret() {
    for format in ["human", "json", "sarif", "github"] {
        let out = run(&[
            "lint",
            "tests/charts/leaky-forms",
            "--renderer",
            "native",
            "--format",
            format,
            "--show-suppressed",
            "--fail-on",
            "none",
        ]);
        assert_eq!(out.code, 0, "{format}: {}", out.stderr);
        let text = out.stdout + &out.stderr;
        assert!(!text.contains("LEAK"), "{format} prints a secret:\n{text}");
        if format == "json" {
            let report: Value = serde_json::from_str(&text).unwrap();
            assert!(
                report["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|f| f["location"]["file"]
                        .as_str()
                        .unwrap()
                        .ends_with("values.yaml")),
                "no finding at a values line"
            );
        }
    }
}
