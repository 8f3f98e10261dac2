//! Charts are rendered for the Kubernetes version the rules judge: chartguard passes
//! `--kube-version` (default 1.33) to Helm with the built-in API versions that version
//! serves, so `.Capabilities` answers as that cluster would, with Helm 3 and Helm 4 alike
//! (on their own they render for 1.32 and 1.35, without `apiregistration.k8s.io/v1` or any
//! group/version/Kind). tests/charts/capabilities fails to render when Helm renders for
//! another minor than `expectMinor`.

mod common;
use common::*;

const CHART: &str = "tests/charts/capabilities";

fn api_deprecated(helm: &str, extra: &[&str]) -> Vec<serde_json::Value> {
    let mut args = vec![
        "lint",
        CHART,
        "--helm-bin",
        helm,
        "--format",
        "json",
        "--fail-on",
        "none",
    ];
    // Helm's render unless the caller names a renderer.
    if !extra.contains(&"--renderer") {
        args.extend(["--renderer", "helm"]);
    }
    args.extend_from_slice(extra);
    let out = run(&args);
    assert_eq!(out.code, 0, "{helm} {extra:?}: {}", out.stderr);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "api-deprecated")
        .cloned()
        .collect()
}

#[test]
fn capabilities_branches_take_the_api_the_judged_version_serves() {
    for (name, helm) in helms() {
        // 1.33: apiregistration.k8s.io/v1 and policy/v1/PodDisruptionBudget (asked in
        // _helpers.tpl) are served, so nothing deprecated is rendered.
        let found = api_deprecated(&helm, &[]);
        assert!(found.is_empty(), "{name}: {found:#?}");
        // The version is passed on: the chart fails to render for any other minor (Helm 3
        // prints it v1.31.0, Helm 4 v1.31).
        let out = lint_with_helm(&helm, &[CHART, "--kube-version", "1.31"]);
        assert_eq!(out.code, 2, "{name}: {}", out.stderr);
        assert!(
            out.stderr.contains("rendered for Kubernetes v1.31")
                && out.stderr.contains("expected minor 33"),
            "{name}: {}",
            out.stderr
        );
    }
}

/// The built-in renderer renders for the same version and API list as Helm: the chart
/// renders (it fails for any minor but the judged one) and nothing deprecated is chosen.
#[test]
fn the_built_in_renderer_takes_the_same_capabilities() {
    let helm = &helms()[1].1;
    let found = api_deprecated(helm, &["--renderer", "native"]);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn a_template_that_already_switches_is_not_told_to_switch() {
    for (name, helm) in helms() {
        // 1.26 does not serve flowcontrol.apiserver.k8s.io/v1, so the FlowSchema takes its
        // v1beta2 branch (deprecated in 1.26): the finding says the template already switches.
        let found = api_deprecated(
            &helm,
            &["--kube-version", "1.26", "--set", "expectMinor=26"],
        );
        assert_eq!(found.len(), 1, "{name}: {found:#?}");
        let f = &found[0];
        let message = f["message"].as_str().unwrap();
        assert!(
            message.contains("flowcontrol.apiserver.k8s.io/v1beta2")
                && message.contains("the template already switches to flowcontrol.apiserver.k8s.io/v1 when .Capabilities.APIVersions.Has \"flowcontrol.apiserver.k8s.io/v1/FlowSchema\"")
                && !message.contains(": use "),
            "{name}: {message}"
        );
        assert_eq!(
            f["location"]["file"], "tests/charts/capabilities/templates/flowschema.yaml",
            "{name}"
        );
    }
}
