//! `input.index.pod_refs`: what each pod template names and cannot start without, computed
//! once in Rust instead of per rule in the interpreter. The same entries, field for field,
//! as `relations_lib.pod_spec_refs(pod.path, pod.spec)` (policies/lib/relations_lib.rego,
//! which stays for specs that are not an `input.pods` entry): {"kind", "name", "path",
//! "source"}, optional references and names that are not non-empty strings left out.

use super::rego::obj;
use regorus::value::Array;
use regorus::Value;
use std::collections::BTreeSet;

/// A non-empty string (`_valid_name` in Rego).
fn valid_name(v: &Value) -> bool {
    matches!(v, Value::String(s) if !s.is_empty())
}

/// An object, not optional, with a valid name (`_required` in Rego).
fn required(sel: &Value) -> bool {
    matches!(sel, Value::Object(_))
        && !matches!(sel["optional"], Value::Bool(true))
        && valid_name(&sel["name"])
}

fn array(v: &Value) -> Option<&Array> {
    match v {
        Value::Array(a) => Some(a),
        _ => None,
    }
}

fn is_object(v: &Value) -> bool {
    matches!(v, Value::Object(_))
}

/// `path` (an array value) followed by `tail`.
fn concat(path: &Value, tail: &[Value]) -> Value {
    let mut out: Vec<Value> = array(path).map(|a| a.to_vec()).unwrap_or_default();
    out.extend_from_slice(tail);
    Value::from(out)
}

fn key(k: &str) -> Value {
    Value::from(k)
}

fn num(n: usize) -> Value {
    Value::from(n as u64)
}

/// The references of the PodSpec `spec` at `path` in its object, as a sorted list (the
/// order of the Rego set).
pub(super) fn of(path: &Value, spec: &Value) -> Value {
    let mut refs = BTreeSet::new();
    if !is_object(spec) {
        return Value::from(Vec::<Value>::new());
    }
    // Init and regular containers' env valueFrom and envFrom.
    for (field, type_) in [("initContainers", "init"), ("containers", "container")] {
        let Some(ctrs) = array(&spec[field]) else {
            continue;
        };
        for (n, ctr) in ctrs.iter().enumerate() {
            if !is_object(ctr) {
                continue;
            }
            for (list, sources) in [
                (
                    "env",
                    [("secretKeyRef", "Secret"), ("configMapKeyRef", "ConfigMap")],
                ),
                (
                    "envFrom",
                    [("secretRef", "Secret"), ("configMapRef", "ConfigMap")],
                ),
            ] {
                let Some(entries) = array(&ctr[list]) else {
                    continue;
                };
                for (k, e) in entries.iter().enumerate() {
                    if !is_object(e) {
                        continue;
                    }
                    for (src, kind) in sources {
                        let (sel, at): (&Value, Vec<Value>) = if list == "env" {
                            let vf = &e["valueFrom"];
                            if !is_object(vf) {
                                continue;
                            }
                            (&vf[src], vec![key("valueFrom"), key(src)])
                        } else {
                            (&e[src], vec![key(src)])
                        };
                        if !required(sel) {
                            continue;
                        }
                        let mut tail = vec![key(field), num(n), key(list), num(k)];
                        tail.extend(at);
                        tail.push(key("name"));
                        refs.insert(obj([
                            ("kind", key(kind)),
                            ("name", sel["name"].clone()),
                            ("path", concat(path, &tail)),
                            (
                                "source",
                                obj([
                                    ("type", key(list)),
                                    ("field", key(src)),
                                    (
                                        "container",
                                        obj([("type", key(type_)), ("container", ctr.clone())]),
                                    ),
                                    ("index", num(k)),
                                    ("entry", e.clone()),
                                ]),
                            ),
                        ]));
                    }
                }
            }
        }
    }
    // Volumes and projected volume sources.
    if let Some(vols) = array(&spec["volumes"]) {
        for (n, vol) in vols.iter().enumerate() {
            if !is_object(vol) {
                continue;
            }
            for (src, kind, name_key) in [
                ("secret", "Secret", "secretName"),
                ("configMap", "ConfigMap", "name"),
                (
                    "persistentVolumeClaim",
                    "PersistentVolumeClaim",
                    "claimName",
                ),
            ] {
                let v = &vol[src];
                if !is_object(v)
                    || matches!(v["optional"], Value::Bool(true))
                    || !valid_name(&v[name_key])
                {
                    continue;
                }
                refs.insert(obj([
                    ("kind", key(kind)),
                    ("name", v[name_key].clone()),
                    (
                        "path",
                        concat(path, &[key("volumes"), num(n), key(src), key(name_key)]),
                    ),
                    (
                        "source",
                        obj([
                            ("type", key("volume")),
                            ("field", key(src)),
                            ("index", num(n)),
                            ("entry", vol.clone()),
                        ]),
                    ),
                ]));
            }
            let projected = &vol["projected"];
            if !is_object(projected) {
                continue;
            }
            let Some(sources) = array(&projected["sources"]) else {
                continue;
            };
            for (m, source) in sources.iter().enumerate() {
                if !is_object(source) {
                    continue;
                }
                for (src, kind) in [("secret", "Secret"), ("configMap", "ConfigMap")] {
                    let v = &source[src];
                    if !required(v) {
                        continue;
                    }
                    refs.insert(obj([
                        ("kind", key(kind)),
                        ("name", v["name"].clone()),
                        (
                            "path",
                            concat(
                                path,
                                &[
                                    key("volumes"),
                                    num(n),
                                    key("projected"),
                                    key("sources"),
                                    num(m),
                                    key(src),
                                    key("name"),
                                ],
                            ),
                        ),
                        (
                            "source",
                            obj([
                                ("type", key("projected")),
                                ("field", key(src)),
                                ("index", num(n)),
                                ("entry", vol.clone()),
                            ]),
                        ),
                    ]));
                }
            }
        }
    }
    // The service account (other than "default") and imagePullSecrets.
    for field in ["serviceAccountName", "serviceAccount"] {
        let name = &spec[field];
        if !valid_name(name) || matches!(name, Value::String(s) if s.as_ref() == "default") {
            continue;
        }
        refs.insert(obj([
            ("kind", key("ServiceAccount")),
            ("name", name.clone()),
            ("path", concat(path, &[key(field)])),
            ("source", obj([("type", key("pod")), ("field", key(field))])),
        ]));
    }
    if let Some(secrets) = array(&spec["imagePullSecrets"]) {
        for (n, s) in secrets.iter().enumerate() {
            if !is_object(s) || !valid_name(&s["name"]) {
                continue;
            }
            refs.insert(obj([
                ("kind", key("Secret")),
                ("name", s["name"].clone()),
                (
                    "path",
                    concat(path, &[key("imagePullSecrets"), num(n), key("name")]),
                ),
                (
                    "source",
                    obj([("type", key("pod")), ("field", key("imagePullSecrets"))]),
                ),
            ]));
        }
    }
    Value::from(refs.into_iter().collect::<Vec<_>>())
}
