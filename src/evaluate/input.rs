//! The input document the rules see (shape in `policies/README.md`): the release's objects
//! with their origin and Helm hook data, the [`views`](super::views), and the issues the
//! parse and the suppression annotations found.

use super::rego::{obj, opt_str, path_value, strings, to_rego};
use super::views;
use super::Options;
use crate::files::SourceFile;
use crate::parse::Resource;
use crate::suppress::Problem;
use regorus::Value;

/// Builds the input document described in `policies/README.md`.
pub(crate) fn build(
    resources: &[Resource],
    opts: &Options,
    files: &[SourceFile],
    suppression_problems: &[Problem],
) -> Value {
    let mut input = without_index(resources, opts, files, suppression_problems);
    // Computed from the document above, so the same code serves every caller of the index.
    let index = super::index::build(&input);
    if let Ok(map) = input.as_object_mut() {
        map.insert(Value::from("index"), index);
    }
    input
}

/// The input document without `index`: for a release only compared with, never judged
/// (`--previous`), whose index no rule reads.
pub(crate) fn without_index(
    resources: &[Resource],
    opts: &Options,
    files: &[SourceFile],
    suppression_problems: &[Problem],
) -> Value {
    // Objects convert independently: on every core (at 10,000 objects this stage ran on
    // one core while the other waited), in release order.
    let parts = crate::parallel::shares(resources, |first, part| convert(first, part, files));
    let mut all = Converted::default();
    for part in parts {
        all.resources.extend(part.resources);
        all.pods.extend(part.pods);
        all.containers.extend(part.containers);
        all.issues.extend(part.issues);
    }
    let release = match &opts.release {
        Some(release) => obj([
            ("name", Value::from(release.name.as_str())),
            ("namespace", Value::from(release.namespace.as_str())),
        ]),
        None => Value::Null,
    };
    obj([
        ("release", release),
        ("profile", Value::from(opts.profile.as_str())),
        ("kube_version", Value::from(opts.kube_version.as_str())),
        ("resources", Value::from(all.resources)),
        ("pods", Value::from(all.pods)),
        ("containers", Value::from(all.containers)),
        ("schema_issues", Value::from(all.issues)),
        // Filled by `add_capability_checks` when the release was rendered from a chart.
        ("capability_checks", Value::new_object()),
        (
            "suppression_issues",
            Value::from(
                suppression_problems
                    .iter()
                    .map(|p| {
                        obj([
                            ("resource", Value::from(p.resource as u64)),
                            ("path", path_value(&p.path)),
                            ("message", Value::from(p.message.as_str())),
                        ])
                    })
                    .collect::<Vec<_>>(),
            ),
        ),
    ])
}

/// `input.resources`, `input.pods`, `input.containers` and `input.schema_issues` entries of
/// a run of objects.
#[derive(Default)]
struct Converted {
    resources: Vec<Value>,
    pods: Vec<Value>,
    containers: Vec<Value>,
    issues: Vec<Value>,
}

/// Converts `part`, the objects from index `first` of the release.
fn convert(first: usize, part: &[Resource], files: &[SourceFile]) -> Converted {
    let mut out = Converted {
        resources: Vec::with_capacity(part.len()),
        ..Converted::default()
    };
    for (i, r) in part.iter().enumerate().map(|(n, r)| (first + n, r)) {
        let hook = match &r.hook {
            None => Value::Null,
            Some(h) => obj([
                ("events", strings(&h.events)),
                ("weight", Value::from(h.weight)),
                ("weight_raw", opt_str(h.weight_raw.as_deref())),
                ("weight_valid", Value::from(h.weight_valid)),
                ("delete_policies", strings(&h.delete_policies)),
                ("test", Value::from(h.test)),
            ]),
        };
        let object = to_rego(r.for_rules());
        out.resources.push(obj([
            ("index", Value::from(i as u64)),
            ("api_version", Value::from(r.api_version.as_str())),
            ("kind", Value::from(r.kind.as_str())),
            ("name", Value::from(r.name.as_str())),
            ("namespace", opt_str(r.namespace.as_deref())),
            ("title", Value::from(title(r))),
            ("object", object.clone()),
            (
                "origin",
                obj([
                    (
                        "file",
                        Value::from(
                            files
                                .get(r.origin.file)
                                .map(|f| f.name.as_str())
                                .unwrap_or(""),
                        ),
                    ),
                    ("line", Value::from(r.origin.line as u64)),
                    ("template", opt_str(r.origin.template.as_deref())),
                ]),
            ),
            ("hook", hook),
        ]));
        for issue in &r.issues {
            out.issues.push(obj([
                ("resource", Value::from(i as u64)),
                ("kind", Value::from(issue.kind.as_str())),
                ("path", path_value(&issue.path)),
                ("message", Value::from(issue.message.as_str())),
            ]));
        }
        views::add(i, r, &object, &mut out.pods, &mut out.containers);
    }
    out
}

/// How messages name the object (`lib.describe`): "Deployment web", "Deployment prod/web".
/// Written once here: building it in Rego cost a call, a sprintf and an `else` per finding.
fn title(r: &Resource) -> String {
    match &r.namespace {
        Some(ns) => format!("{} {}/{}", r.kind, ns, r.name),
        None => format!("{} {}", r.kind, r.name),
    }
}

/// `input.capability_checks`: template (`# Source:` path) → the API versions it checks with
/// `.Capabilities.APIVersions.Has`, for the templates of `resources` that check any.
pub(crate) fn add_capability_checks(
    input: &mut Value,
    resources: &[Resource],
    checks_of: &dyn Fn(&str) -> Vec<String>,
) {
    let mut by_template = std::collections::BTreeMap::new();
    for r in resources {
        let Some(t) = r.origin.template.as_deref() else {
            continue;
        };
        if by_template.contains_key(&Value::from(t)) {
            continue;
        }
        let checks = checks_of(t);
        if !checks.is_empty() {
            by_template.insert(Value::from(t), strings(&checks));
        }
    }
    if let Ok(map) = input.as_object_mut() {
        map.insert(Value::from("capability_checks"), Value::from(by_template));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Profile;

    /// Rule authors learn the input's shape from policies/README.md, so every top-level key
    /// the code builds must appear there. The convention is kept simple: a key counts as
    /// documented when the README has `"<key>":` (a key of the example input document in
    /// "The input document") or `input.<key>` (prose or a rule snippet).
    #[test]
    fn every_top_level_input_key_is_documented() {
        let readme = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/README.md"),
        )
        .expect("policies/README.md");
        let opts = Options {
            profile: Profile::Prod,
            kube_version: "1.33".into(),
            disabled: Vec::new(),
            release: None,
        };
        let Value::Object(input) = build(&[], &opts, &[], &[]) else {
            panic!("the input is an object");
        };
        let missing: Vec<String> = input
            .keys()
            .map(|k| k.as_string().expect("keys are strings").to_string())
            .filter(|k| {
                !readme.contains(&format!("\"{k}\":")) && !readme.contains(&format!("input.{k}"))
            })
            .collect();
        assert!(
            missing.is_empty(),
            "top-level input keys missing from policies/README.md: {missing:?}"
        );
    }

    /// What lib.describe builds in Rego for an input written by hand (lib_test.rego).
    #[test]
    fn titles_name_the_namespace_when_the_object_does() {
        let resources = crate::parse::parse_files(&[SourceFile {
            name: "x.yaml".into(),
            text: "kind: Service\napiVersion: v1\nmetadata: {name: web, namespace: prod}\n---\nkind: ConfigMap\napiVersion: v1\nmetadata: {name: settings}\n".into(),
        }])
        .unwrap();
        let titles: Vec<String> = resources.iter().map(title).collect();
        assert_eq!(titles, ["Service prod/web", "ConfigMap settings"]);
    }
}
