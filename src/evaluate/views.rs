//! Views many rules need, computed once in Rust: each pod template of a pod-bearing kind,
//! and each of its containers, with their paths. This file holds the one table of
//! pod-bearing kinds and their PodSpec paths; rules read `input.pods`/`input.containers`
//! instead of repeating it.

use super::rego::{obj, path_value};
use crate::model::{keys, PathSeg};
use crate::parse::Resource;
use crate::yaml::{locate, Value as Y};
use regorus::Value;

/// Path of the pod template's spec for pod-bearing kinds.
pub(crate) fn pod_spec_path(kind: &str) -> Option<Vec<PathSeg>> {
    Some(match kind {
        "Pod" => keys(&["spec"]),
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "Job" => keys(&["spec", "template", "spec"]),
        "CronJob" => keys(&["spec", "jobTemplate", "spec", "template", "spec"]),
        _ => return None,
    })
}

/// The part of an already converted value at `path` (a cheap reference-counted clone), so
/// views share the resource's tree instead of converting it again.
fn sub_value(v: &Value, path: &[PathSeg]) -> Value {
    let mut cur = v;
    for seg in path {
        cur = match seg {
            PathSeg::Key(k) => &cur[k.as_str()],
            PathSeg::Index(i) => &cur[*i as u64],
        };
    }
    cur.clone()
}

/// Adds the pod view of resource `i` (when its kind bears pods and the PodSpec is a
/// mapping) and a container view for each of its containers. `object` is the resource
/// already converted, so views share its values instead of converting them again.
pub(super) fn add(
    i: usize,
    r: &Resource,
    object: &Value,
    pods: &mut Vec<Value>,
    containers: &mut Vec<Value>,
) {
    let Some(spec_path) = pod_spec_path(&r.kind) else {
        return;
    };
    let root = r.for_rules();
    let (spec, _, depth) = locate(root, &spec_path);
    if depth != spec_path.len() || !matches!(spec.value, Y::Map(_)) {
        return;
    }
    let mut labels_path = spec_path[..spec_path.len() - 1].to_vec();
    labels_path.extend(keys(&["metadata", "labels"]));
    let (labels, _, ldepth) = locate(root, &labels_path);
    let labels = if ldepth == labels_path.len() && matches!(labels.value, Y::Map(_)) {
        sub_value(object, &labels_path)
    } else {
        Value::new_object()
    };
    let spec_value = sub_value(object, &spec_path);
    // What every container of the pod shares, for the securityContext rules:
    // `workloads_lib.pod_sc` and `windows_pod` read these instead of walking the object.
    let pod_sc = match &spec_value["securityContext"] {
        v @ Value::Object(_) => v.clone(),
        _ => Value::new_object(),
    };
    let windows = Value::from(
        matches!(&spec_value["os"]["name"], Value::String(s) if s.as_ref() == "windows"),
    );
    pods.push(obj([
        ("resource", Value::from(i as u64)),
        ("path", path_value(&spec_path)),
        ("spec", spec_value),
        ("labels", labels),
        ("labels_path", path_value(&labels_path)),
    ]));
    for (field, kind) in [
        ("initContainers", "init"),
        ("containers", "container"),
        ("ephemeralContainers", "ephemeral"),
    ] {
        let Some(list) = spec.get(field) else {
            continue;
        };
        for (n, c) in list.items().iter().enumerate() {
            if !matches!(c.value, Y::Map(_)) {
                continue;
            }
            let mut path = spec_path.clone();
            path.push(PathSeg::Key(field.to_string()));
            path.push(PathSeg::Index(n));
            let container = sub_value(object, &path);
            let effective = effective_security_context(&pod_sc, &container["securityContext"]);
            let title = container_title(kind, &container["name"]).map_or(Value::Null, Value::from);
            containers.push(obj([
                ("resource", Value::from(i as u64)),
                ("pod_path", path_value(&spec_path)),
                ("path", path_value(&path)),
                ("type", Value::from(kind)),
                ("title", title),
                ("container", container),
                ("pod_security_context", pod_sc.clone()),
                ("effective_security_context", effective),
                ("windows", windows.clone()),
            ]));
        }
    }
}

/// How messages name a container (`lib.container_label`): `container "app"`, `init container
/// "wait"`, `container "(unnamed)"` when its name is not a string. Written once here (a call,
/// an `else` chain and a sprintf per finding in Rego), for names that `%q` writes as they are:
/// printable ASCII without quotes or backslashes; others are left to the Rego (null).
fn container_title(kind: &str, name: &Value) -> Option<String> {
    let name = match name {
        Value::String(s) => s.as_ref(),
        _ => "(unnamed)",
    };
    if !name
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
    {
        return None;
    }
    let kind = match kind {
        "init" => "init container",
        "ephemeral" => "ephemeral container",
        _ => "container",
    };
    Some(format!("{kind} \"{name}\""))
}

/// The securityContext fields that apply to a container: each non-null field of its own
/// securityContext, else of its pod's (`workloads_lib.effective_sc`).
fn effective_security_context(pod_sc: &Value, container_sc: &Value) -> Value {
    let mut out = std::collections::BTreeMap::new();
    for sc in [pod_sc, container_sc] {
        if let Value::Object(o) = sc {
            for (k, v) in o.iter() {
                if !matches!(v, Value::Null) {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
    }
    Value::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What lib.container_label builds in Rego (lib_test.rego), for the names `%q` writes as
    /// they are; the others are left to it.
    #[test]
    fn container_titles_are_left_to_the_rules_when_quoting_would_escape() {
        let name = |s: &str| Value::from(s);
        assert_eq!(
            container_title("container", &name("app")).as_deref(),
            Some("container \"app\"")
        );
        assert_eq!(
            container_title("init", &name("wait-for-db")).as_deref(),
            Some("init container \"wait-for-db\"")
        );
        assert_eq!(
            container_title("ephemeral", &Value::Null).as_deref(),
            Some("ephemeral container \"(unnamed)\"")
        );
        for odd in ["a\"b", "a\\b", "tab\there", "ünï"] {
            assert_eq!(container_title("container", &name(odd)), None, "{odd}");
        }
    }
}
