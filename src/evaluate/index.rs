//! `input.index`: the facts cross-object rules would otherwise re-derive in the interpreter
//! (objects by kind and name, pod templates by label, each selector resolved to what it
//! selects, the Secrets and ConfigMaps the release creates, every credential-looking value),
//! computed once in Rust. Shape in `policies/README.md`.
//!
//! Computed from the input document itself (its `resources`, `pods`, `containers` and
//! `release`), not from the parse: the same function serves the CLI and the webhook, the
//! bisection of a failing rule (which stubs objects out), and Rego tests that build their
//! input by hand (through the `chartguard.index` extension, see [`register`]).

use super::rego::{obj, path_value};
use crate::credentials;
use crate::model::PathSeg;
use regorus::value::Object;
use regorus::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Labels controllers add to the pods they create, never in a pod template: a Service
/// selector using them (one Service per StatefulSet pod) is resolved on its other labels.
const CONTROLLER_LABELS: &[&str] = &[
    "statefulset.kubernetes.io/pod-name",
    "apps.kubernetes.io/pod-index",
    "controller-revision-hash",
    "pod-template-hash",
    "pod-template-generation",
    "job-name",
    "batch.kubernetes.io/job-name",
    "controller-uid",
    "batch.kubernetes.io/controller-uid",
    "batch.kubernetes.io/job-completion-index",
];

fn s(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s),
        _ => None,
    }
}

fn items(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(a) => a.iter().collect(),
        _ => Vec::new(),
    }
}

fn entries(v: &Value) -> Option<&Object> {
    match v {
        Value::Object(o) => Some(o),
        _ => None,
    }
}

fn indexes(list: &[usize]) -> Value {
    Value::from(
        list.iter()
            .map(|&i| Value::from(i as u64))
            .collect::<Vec<_>>(),
    )
}

/// One object of the input, as the index needs it.
struct Obj<'a> {
    kind: &'a str,
    name: &'a str,
    api_version: &'a str,
    namespace: Option<&'a str>,
    hook: bool,
    object: &'a Value,
}

/// A null namespace is the release's, which may be the one another object names: only two
/// different explicit namespaces are known to differ (as `relations_lib.same_namespace`).
fn same_namespace(a: &Obj<'_>, b: &Obj<'_>) -> bool {
    match (a.namespace, b.namespace) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    }
}

/// `input.index` for an input document.
pub(crate) fn build(input: &Value) -> Value {
    let objs: Vec<Obj<'_>> = items(&input["resources"])
        .into_iter()
        .map(|r| Obj {
            kind: s(&r["kind"]).unwrap_or(""),
            name: s(&r["name"]).unwrap_or(""),
            api_version: s(&r["api_version"]).unwrap_or(""),
            namespace: s(&r["namespace"]),
            // As `r.hook == null` in Rego: an input without the key is no ordinary object.
            hook: !matches!(r["hook"], Value::Null),
            object: &r["object"],
        })
        .collect();
    let pods = items(&input["pods"]);
    // Three views that need nothing of the others: for a large release built on another
    // core meanwhile (a webhook request's one object is not worth a thread).
    let others = || {
        let pod_refs: Vec<Value> = pods
            .iter()
            .map(|p| super::pod_refs::of(&p["path"], &p["spec"]))
            .collect();
        (created(&objs), credentials_of(input, &objs), pod_refs)
    };
    let (mut index, (created, credentials, pod_refs)) = if objs.len() < 256 {
        (relations(&objs, &pods), others())
    } else {
        std::thread::scope(|scope| {
            let others = scope.spawn(others);
            let index = relations(&objs, &pods);
            let others = others
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
            (index, others)
        })
    };
    if let Ok(map) = index.as_object_mut() {
        map.insert(Value::from("created"), created);
        map.insert(Value::from("credentials"), credentials);
        map.insert(Value::from("pod_refs"), Value::from(pod_refs));
    }
    index
}

/// The index's objects by kind and name, hooks, labels, and selectors resolved both ways.
fn relations(objs: &[Obj<'_>], pods: &[&Value]) -> Value {
    let mut by_kind: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut by_name: BTreeMap<&str, BTreeMap<&str, Vec<usize>>> = BTreeMap::new();
    // A dozen pairs for the rules asking what kinds of objects the release holds, where a
    // pass over the objects cost each of them ~15 ms at 10,000 objects.
    let mut api_versions: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (i, o) in objs.iter().enumerate() {
        by_kind.entry(o.kind).or_default().push(i);
        api_versions
            .entry(o.kind)
            .or_default()
            .insert(o.api_version);
        by_name
            .entry(o.kind)
            .or_default()
            .entry(o.name)
            .or_default()
            .push(i);
    }

    // Hook rules look at a few objects of thousands: iterating these instead of every
    // resource saves each rule a pass over the release.
    let hooks: Vec<usize> = (0..objs.len()).filter(|&i| objs[i].hook).collect();
    let hook_annotated: Vec<usize> = (0..objs.len())
        .filter(|&i| {
            objs[i].hook
                || !matches!(
                    objs[i].object["metadata"]["annotations"]["helm.sh/hook"],
                    Value::Undefined | Value::Null
                )
        })
        .collect();

    // Pod templates that serve traffic and count for budgets: those of ordinary objects.
    let pod_resource = |p: &Value| p["resource"].as_u64().ok().map(|r| r as usize);
    let target_pods: Vec<(usize, usize, &Object)> = pods
        .iter()
        .enumerate()
        .filter_map(|(p, pod)| {
            let r = pod_resource(pod)?;
            let o = objs.get(r)?;
            (!o.hook).then_some((p, r, entries(&pod["labels"])?))
        })
        .collect();
    let mut pods_by_label: BTreeMap<&Value, BTreeMap<&Value, Vec<usize>>> = BTreeMap::new();
    for &(p, _, labels) in &target_pods {
        for (k, v) in labels {
            pods_by_label
                .entry(k)
                .or_default()
                .entry(v)
                .or_default()
                .push(p);
        }
    }
    let services: BTreeMap<usize, Option<&Object>> = by_kind
        .get("Service")
        .into_iter()
        .flatten()
        .filter(|&&i| !objs[i].hook)
        .map(|&i| (i, entries(&objs[i].object["metadata"]["labels"])))
        .collect();
    let mut services_by_label: BTreeMap<&Value, BTreeMap<&Value, Vec<usize>>> = BTreeMap::new();
    for (&i, labels) in &services {
        for (k, v) in labels.iter().flat_map(|l| l.iter()) {
            services_by_label
                .entry(k)
                .or_default()
                .entry(v)
                .or_default()
                .push(i);
        }
    }

    // Each ordinary object's selector resolved, and the reverse.
    let mut selects: Vec<Value> = Vec::with_capacity(objs.len());
    let mut selected_by: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); objs.len()];
    let empty = Value::new_object();
    for (i, o) in objs.iter().enumerate() {
        let spec = &o.object["spec"];
        let selection = if o.hook {
            None
        } else {
            match o.kind {
                "Service" => Some((
                    "pods",
                    service_pods(o, spec, objs, &target_pods, &pods_by_label),
                )),
                "PodDisruptionBudget" => {
                    let sel = &spec["selector"];
                    let none = entries(sel).is_none()
                        || (o.api_version.starts_with("policy/v1beta1")
                            && entries(sel).is_some_and(|m| m.is_empty()));
                    let found = if none {
                        Vec::new()
                    } else {
                        pods_selected(o, sel, objs, &target_pods, &pods_by_label)
                    };
                    Some(("pods", found))
                }
                "NetworkPolicy" if entries(&spec["podSelector"]).is_some() => Some((
                    "pods",
                    pods_selected(o, &spec["podSelector"], objs, &target_pods, &pods_by_label),
                )),
                "ServiceMonitor" if o.api_version.starts_with("monitoring.coreos.com/") => {
                    // A missing selector reads as empty: every Service of the namespace.
                    let sel = if entries(&spec["selector"]).is_some() {
                        &spec["selector"]
                    } else {
                        &empty
                    };
                    let candidates = candidates(sel, &services_by_label)
                        .unwrap_or_else(|| services.keys().copied().collect());
                    let found = candidates
                        .into_iter()
                        .filter(|s| {
                            same_namespace(o, &objs[*s])
                                && services.get(s).is_some_and(|l| {
                                    selector_matches(sel, l.unwrap_or(&Object::default()))
                                })
                        })
                        .collect();
                    Some(("services", found))
                }
                "HorizontalPodAutoscaler" => {
                    let r = &spec["scaleTargetRef"];
                    let found = match (s(&r["kind"]), s(&r["name"])) {
                        (Some(kind), Some(name)) => by_name
                            .get(kind)
                            .and_then(|m| m.get(name))
                            .into_iter()
                            .flatten()
                            .copied()
                            .filter(|&t| !objs[t].hook && same_namespace(o, &objs[t]))
                            .collect(),
                        _ => Vec::new(),
                    };
                    Some(("targets", found))
                }
                _ => None,
            }
        };
        match selection {
            Some((field, found)) => {
                for &x in &found {
                    let target = if field == "pods" {
                        pod_resource(pods[x])
                    } else {
                        Some(x)
                    };
                    if let Some(t) = target {
                        selected_by[t].insert(i);
                    }
                }
                selects.push(obj([(field, indexes(&found))]));
            }
            None => selects.push(empty.clone()),
        }
    }

    let kinds_value = |m: BTreeMap<&str, Vec<usize>>| {
        Value::from(
            m.into_iter()
                .map(|(k, v)| (Value::from(k), indexes(&v)))
                .collect::<BTreeMap<_, _>>(),
        )
    };
    let label_value = |m: BTreeMap<&Value, BTreeMap<&Value, Vec<usize>>>| {
        Value::from(
            m.into_iter()
                .map(|(k, vs)| {
                    let inner = vs
                        .into_iter()
                        .map(|(v, l)| (v.clone(), indexes(&l)))
                        .collect::<BTreeMap<_, _>>();
                    (k.clone(), Value::from(inner))
                })
                .collect::<BTreeMap<_, _>>(),
        )
    };
    obj([
        ("by_kind", kinds_value(by_kind)),
        (
            "api_versions",
            Value::from(
                api_versions
                    .into_iter()
                    .map(|(kind, versions)| {
                        let versions = versions.into_iter().map(Value::from).collect::<Vec<_>>();
                        (Value::from(kind), Value::from(versions))
                    })
                    .collect::<BTreeMap<_, _>>(),
            ),
        ),
        (
            "by_name",
            Value::from(
                by_name
                    .into_iter()
                    .map(|(k, names)| (Value::from(k), kinds_value(names)))
                    .collect::<BTreeMap<_, _>>(),
            ),
        ),
        ("hooks", indexes(&hooks)),
        ("hook_annotated", indexes(&hook_annotated)),
        ("pods_by_label", label_value(pods_by_label)),
        ("services_by_label", label_value(services_by_label)),
        ("selects", Value::from(selects)),
        (
            "selected_by",
            Value::from(
                selected_by
                    .iter()
                    .map(|s| indexes(&s.iter().copied().collect::<Vec<_>>()))
                    .collect::<Vec<_>>(),
            ),
        ),
    ])
}

/// A Service's `spec.selector` (a plain map, controller labels left out): the target pod
/// templates of its namespace that carry every pair. An empty selector selects nothing.
fn service_pods(
    o: &Obj<'_>,
    spec: &Value,
    objs: &[Obj<'_>],
    target_pods: &[(usize, usize, &Object)],
    by_label: &BTreeMap<&Value, BTreeMap<&Value, Vec<usize>>>,
) -> Vec<usize> {
    let Some(sel) = entries(&spec["selector"]) else {
        return Vec::new();
    };
    let pairs: Vec<(&Value, &Value)> = sel
        .iter()
        .filter(|(k, _)| !s(k).is_some_and(|k| CONTROLLER_LABELS.contains(&k)))
        .collect();
    if pairs.is_empty() {
        return Vec::new();
    }
    let ml: BTreeMap<Value, Value> = pairs
        .iter()
        .map(|(k, v)| ((*k).clone(), (*v).clone()))
        .collect();
    let sel = obj([("matchLabels", Value::from(ml))]);
    pods_selected(o, &sel, objs, target_pods, by_label)
}

/// The target pod templates of o's namespace a LabelSelector selects.
fn pods_selected(
    o: &Obj<'_>,
    sel: &Value,
    objs: &[Obj<'_>],
    target_pods: &[(usize, usize, &Object)],
    by_label: &BTreeMap<&Value, BTreeMap<&Value, Vec<usize>>>,
) -> Vec<usize> {
    let all = || target_pods.iter().map(|(p, _, _)| *p).collect::<Vec<_>>();
    let cands = candidates(sel, by_label).unwrap_or_else(all);
    cands
        .into_iter()
        .filter_map(|p| {
            let at = target_pods.binary_search_by_key(&p, |(q, _, _)| *q).ok()?;
            let (_, r, labels) = target_pods[at];
            (same_namespace(o, &objs[r]) && selector_matches(sel, labels)).then_some(p)
        })
        .collect()
}

/// The objects holding a LabelSelector's rarest matchLabels pair (it can select nothing
/// else); `None` when it has no matchLabels (every object is a candidate).
fn candidates(
    sel: &Value,
    by_label: &BTreeMap<&Value, BTreeMap<&Value, Vec<usize>>>,
) -> Option<Vec<usize>> {
    let ml = entries(&sel["matchLabels"]).filter(|m| !m.is_empty())?;
    let mut best: Option<&Vec<usize>> = None;
    static NONE: Vec<usize> = Vec::new();
    for (k, v) in ml {
        let bucket = by_label.get(k).and_then(|m| m.get(v)).unwrap_or(&NONE);
        if best.is_none_or(|b| bucket.len() < b.len()) {
            best = Some(bucket);
        }
    }
    best.cloned()
}

/// The API's LabelSelector: every matchLabels pair present, every matchExpressions
/// requirement holds (an empty selector matches everything). A malformed requirement holds
/// for nothing, as in `lib.selector_matches`.
pub(crate) fn selector_matches(sel: &Value, labels: &Object) -> bool {
    if let Some(ml) = entries(&sel["matchLabels"]) {
        if !ml.iter().all(|(k, v)| labels.get(k) == Some(v)) {
            return false;
        }
    }
    items(&sel["matchExpressions"]).into_iter().all(|e| {
        let value = labels.get(&e["key"]);
        let values = match &e["values"] {
            Value::Array(a) => Some(a),
            _ => None,
        };
        match s(&e["operator"]) {
            Some("In") => value.is_some_and(|v| values.is_some_and(|vs| vs.contains(v))),
            Some("NotIn") => match value {
                None => true,
                Some(v) => values.is_some_and(|vs| !vs.contains(v)),
            },
            Some("Exists") => value.is_some(),
            Some("DoesNotExist") => value.is_none(),
            _ => false,
        }
    })
}

/// Secret and ConfigMap names → the objects of the release that create them (hooks
/// included): Secrets, ExternalSecrets and PushSecrets (spec.target.name, default their own
/// name), SealedSecrets, cert-manager Certificates (spec.secretName), Vault Secrets Operator
/// objects (spec.destination.name), SecretProviderClass secretObjects, CloudNativePG Clusters
/// (db-app, db-superuser, …) and Crossplane-style spec.writeConnectionSecretToRef; ConfigMaps.
fn created(objs: &[Obj<'_>]) -> Value {
    let mut secrets: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    let mut configmaps: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    for (i, o) in objs.iter().enumerate() {
        let spec = &o.object["spec"];
        let mut add = |name: &str| {
            secrets.entry(name.to_string()).or_default().insert(i);
        };
        match o.kind {
            "Secret" => add(o.name),
            "ConfigMap" => {
                configmaps.entry(o.name.to_string()).or_default().insert(i);
            }
            "ExternalSecret" | "PushSecret"
                if o.api_version.starts_with("external-secrets.io/") =>
            {
                match s(&spec["target"]["name"]).filter(|n| !n.is_empty()) {
                    Some(n) => add(n),
                    None => add(o.name),
                }
            }
            "SealedSecret" => match &spec["template"]["metadata"]["name"] {
                Value::Undefined => add(o.name),
                Value::String(n) => add(n),
                _ => {}
            },
            "Certificate" if o.api_version.starts_with("cert-manager.io/") => {
                if let Some(n) = s(&spec["secretName"]) {
                    add(n)
                }
            }
            "VaultStaticSecret" | "VaultDynamicSecret" | "VaultPKISecret" => {
                if let Some(n) = s(&spec["destination"]["name"]) {
                    add(n)
                }
            }
            "SecretProviderClass" => {
                for so in items(&spec["secretObjects"]) {
                    if let Some(n) = s(&so["secretName"]) {
                        add(n)
                    }
                }
            }
            "Cluster" if o.api_version.starts_with("postgresql.cnpg.io/") => {
                for suffix in ["-app", "-superuser", "-ca", "-server", "-replication"] {
                    add(&format!("{}{suffix}", o.name));
                }
            }
            _ => {}
        }
        if let Some(n) = s(&spec["writeConnectionSecretToRef"]["name"]) {
            add(n);
        }
    }
    let value = |m: BTreeMap<String, BTreeSet<usize>>| {
        Value::from(
            m.into_iter()
                .map(|(k, v)| {
                    (
                        Value::from(k.as_str()),
                        indexes(&v.into_iter().collect::<Vec<_>>()),
                    )
                })
                .collect::<BTreeMap<_, _>>(),
        )
    };
    obj([("Secret", value(secrets)), ("ConfigMap", value(configmaps))])
}

/// Every value the release holds in plain text that looks like a credential, with why
/// ([`credentials`]): Secret data/stringData entries, ConfigMap data, container env values
/// and command/args, annotations.
fn credentials_of(input: &Value, objs: &[Obj<'_>]) -> Value {
    let mut out = Vec::new();
    let mut push = |resource: usize,
                    path: Vec<PathSeg>,
                    place: &str,
                    reason: &str,
                    extra: &[(&str, Value)]| {
        let mut m: BTreeMap<Value, Value> = BTreeMap::new();
        m.insert(Value::from("resource"), Value::from(resource as u64));
        m.insert(Value::from("path"), path_value(&path));
        m.insert(Value::from("place"), Value::from(place));
        m.insert(Value::from("reason"), Value::from(reason));
        for (k, v) in extra {
            m.insert(Value::from(*k), v.clone());
        }
        out.push(Value::from(m));
    };
    let key = |k: &str| PathSeg::Key(k.to_string());
    for (i, o) in objs.iter().enumerate() {
        match o.kind {
            "Secret" => {
                for field in ["data", "stringData"] {
                    for (k, v) in entries(&o.object[field]).into_iter().flatten() {
                        let Some(k) = s(k) else { continue };
                        if matches!(v, Value::Null | Value::Undefined) {
                            continue;
                        }
                        if let Some(reason) = credentials::secret_entry_reason(field, k, s(v)) {
                            push(
                                i,
                                vec![key(field), key(k)],
                                "secret",
                                reason,
                                &[("key", Value::from(k))],
                            );
                        }
                    }
                }
            }
            "ConfigMap" => {
                for (k, v) in entries(&o.object["data"]).into_iter().flatten() {
                    let (Some(k), Some(v)) = (s(k), s(v)) else {
                        continue;
                    };
                    if let Some(reason) = credentials::configmap_reason(k, v) {
                        push(
                            i,
                            vec![key("data"), key(k)],
                            "configmap",
                            reason,
                            &[("key", Value::from(k))],
                        );
                    }
                }
            }
            _ => {}
        }
        for (k, v) in entries(&o.object["metadata"]["annotations"])
            .into_iter()
            .flatten()
        {
            let (Some(k), Some(v)) = (s(k), s(v)) else {
                continue;
            };
            if let Some(reason) = credentials::value_reason(v) {
                push(
                    i,
                    vec![key("metadata"), key("annotations"), key(k)],
                    "annotation",
                    reason,
                    &[("key", Value::from(k))],
                );
            }
        }
    }
    for (c, ctr) in items(&input["containers"]).into_iter().enumerate() {
        let Ok(resource) = ctr["resource"].as_u64() else {
            continue;
        };
        let base: Vec<PathSeg> = items(&ctr["path"])
            .into_iter()
            .filter_map(|seg| match seg {
                Value::String(k) => Some(PathSeg::Key(k.to_string())),
                Value::Number(_) => seg.as_u64().ok().map(|n| PathSeg::Index(n as usize)),
                _ => None,
            })
            .collect();
        let at = |tail: &[PathSeg]| {
            let mut p = base.clone();
            p.extend_from_slice(tail);
            p
        };
        let container = &ctr["container"];
        for (n, env) in items(&container["env"]).into_iter().enumerate() {
            let (Some(name), Some(value)) = (s(&env["name"]), s(&env["value"])) else {
                continue;
            };
            if let Some(reason) = credentials::env_reason(name, value) {
                push(
                    resource as usize,
                    at(&[key("env"), PathSeg::Index(n), key("value")]),
                    "env",
                    reason,
                    &[
                        ("container", Value::from(c as u64)),
                        ("key", Value::from(name)),
                    ],
                );
            }
        }
        for field in ["command", "args"] {
            let list: Vec<Option<&str>> = items(&container[field]).into_iter().map(s).collect();
            for n in 0..list.len() {
                if let Some(reason) = credentials::arg_reason(&list, n) {
                    push(
                        resource as usize,
                        at(&[key(field), PathSeg::Index(n)]),
                        "arg",
                        reason,
                        &[
                            ("container", Value::from(c as u64)),
                            ("key", Value::from(field)),
                            ("index", Value::from(n as u64)),
                        ],
                    );
                }
            }
        }
    }
    Value::from(out)
}

/// Registers `chartguard.index(input)` on an engine: `input.index` when the input has one,
/// else built from the given input (Rego tests that write their input by hand get the same
/// index the real input carries).
pub(crate) fn register(engine: &mut regorus::Engine) -> anyhow::Result<()> {
    engine.add_extension(
        "chartguard.index".to_string(),
        1,
        Box::new(|args: Vec<Value>| {
            let input = args.into_iter().next().unwrap_or(Value::Undefined);
            Ok(match &input["index"] {
                Value::Object(_) => input["index"].clone(),
                _ => build(&input),
            })
        }),
    )
}
