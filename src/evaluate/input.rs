//! The input document the rules see (shape in `policies/README.md`): the release's objects
//! with their origin and Helm hook data, the [`views`](super::views), and the issues the
//! parse and the suppression annotations found.

use super::views;
use super::Options;
use crate::files::SourceFile;
use crate::model::PathSeg;
use crate::parse::Resource;
use crate::suppress::Problem;
use crate::yaml::{Node, Value as Y};
use regorus::Value;
use std::collections::BTreeMap;

pub(crate) fn to_rego(node: &Node) -> Value {
    match &node.value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::from(*b),
        Y::Int(i) => Value::from(*i),
        Y::Float(f) => Value::from(*f),
        Y::Str(s) => Value::from(s.as_str()),
        Y::Seq(items) => Value::from(items.iter().map(to_rego).collect::<Vec<_>>()),
        Y::Map(entries) => {
            let map: BTreeMap<Value, Value> = entries
                .iter()
                .map(|e| (Value::from(e.key.as_str()), to_rego(&e.value)))
                .collect();
            Value::from(map)
        }
    }
}

pub(super) fn obj<const N: usize>(fields: [(&str, Value); N]) -> Value {
    Value::from(
        fields
            .into_iter()
            .map(|(k, v)| (Value::from(k), v))
            .collect::<BTreeMap<_, _>>(),
    )
}

fn opt_str(s: Option<&str>) -> Value {
    s.map(Value::from).unwrap_or(Value::Null)
}

pub(crate) fn path_value(path: &[PathSeg]) -> Value {
    Value::from(
        path.iter()
            .map(|s| match s {
                PathSeg::Key(k) => Value::from(k.as_str()),
                PathSeg::Index(i) => Value::from(*i as u64),
            })
            .collect::<Vec<_>>(),
    )
}

/// Builds the input document described in `policies/README.md`.
pub(crate) fn build(
    resources: &[Resource],
    opts: &Options,
    files: &[SourceFile],
    suppression_problems: &[Problem],
) -> Value {
    let mut res = Vec::with_capacity(resources.len());
    let mut pods = Vec::new();
    let mut containers = Vec::new();
    let mut issues = Vec::new();
    for (i, r) in resources.iter().enumerate() {
        let hook = match &r.hook {
            None => Value::Null,
            Some(h) => obj([
                (
                    "events",
                    Value::from(
                        h.events
                            .iter()
                            .map(|e| Value::from(e.as_str()))
                            .collect::<Vec<_>>(),
                    ),
                ),
                ("weight", Value::from(h.weight)),
                ("weight_raw", opt_str(h.weight_raw.as_deref())),
                ("weight_valid", Value::from(h.weight_valid)),
                (
                    "delete_policies",
                    Value::from(
                        h.delete_policies
                            .iter()
                            .map(|e| Value::from(e.as_str()))
                            .collect::<Vec<_>>(),
                    ),
                ),
                ("test", Value::from(h.test)),
            ]),
        };
        let object = to_rego(&r.root);
        res.push(obj([
            ("index", Value::from(i as u64)),
            ("api_version", Value::from(r.api_version.as_str())),
            ("kind", Value::from(r.kind.as_str())),
            ("name", Value::from(r.name.as_str())),
            ("namespace", opt_str(r.namespace.as_deref())),
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
            issues.push(obj([
                ("resource", Value::from(i as u64)),
                ("kind", Value::from(issue.kind.as_str())),
                ("path", path_value(&issue.path)),
                ("message", Value::from(issue.message.as_str())),
            ]));
        }
        views::add(i, r, &object, &mut pods, &mut containers);
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
        ("resources", Value::from(res)),
        ("pods", Value::from(pods)),
        ("containers", Value::from(containers)),
        ("schema_issues", Value::from(issues)),
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
