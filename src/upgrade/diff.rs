//! The two releases side by side: objects paired by kind, namespace and name (what Helm
//! itself matches when it decides to patch, create or delete), and the field paths that
//! differ. A rename is not a change Helm knows: it deletes the old object and creates the
//! new one, so it is a removal plus an addition here too (with a hint in the change list).

use crate::model::{path_to_string, PathSeg};
use crate::parse::Resource;
use crate::yaml::{Node, Value};
use std::collections::HashMap;

/// An object present in both releases.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Pair {
    /// Index in the new release.
    pub(crate) current: usize,
    /// Index in the previous release.
    pub(crate) previous: usize,
    /// Field paths whose value differs (a key only one side has included), in document order.
    pub(crate) changed: Vec<Vec<PathSeg>>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Pairing {
    pub(crate) pairs: Vec<Pair>,
    /// Objects only the new release has.
    pub(crate) added: Vec<usize>,
    /// Objects only the previous release has.
    pub(crate) removed: Vec<usize>,
}

/// `kind/namespace/name`, the namespace being the release's when the object names none, and
/// the name the stable part of a name made up per render (a helm-test pod's random suffix:
/// [`crate::parse::stable_name_keys`]), so such objects pair across the two renders.
fn keys(resources: &[Resource], release_namespace: &str) -> Vec<(String, String, String)> {
    let stable = crate::parse::stable_name_keys(resources);
    resources
        .iter()
        .zip(stable)
        .map(|(r, stable)| {
            (
                r.kind.clone(),
                r.namespace
                    .clone()
                    .unwrap_or_else(|| release_namespace.to_string()),
                stable.unwrap_or_else(|| r.name.clone()),
            )
        })
        .collect()
}

/// Pairs the objects of the two releases. Objects without a name (`generateName`) are
/// never paired: the API server names each one anew.
pub(crate) fn pair(
    current: &[Resource],
    previous: &[Resource],
    release_namespace: &str,
) -> Pairing {
    let mut before: HashMap<(String, String, String), Vec<usize>> = HashMap::new();
    let previous_keys = keys(previous, release_namespace);
    for (j, r) in previous.iter().enumerate().rev() {
        if !r.name.is_empty() {
            before.entry(previous_keys[j].clone()).or_default().push(j);
        }
    }
    let current_keys = keys(current, release_namespace);
    let mut out = Pairing::default();
    let mut paired = vec![false; previous.len()];
    for (i, r) in current.iter().enumerate() {
        let found = if r.name.is_empty() {
            None
        } else {
            before.get_mut(&current_keys[i]).and_then(|v| v.pop())
        };
        match found {
            Some(j) => {
                paired[j] = true;
                let mut changed = Vec::new();
                diff(
                    previous[j].for_rules(),
                    r.for_rules(),
                    &mut Vec::new(),
                    &mut changed,
                );
                out.pairs.push(Pair {
                    current: i,
                    previous: j,
                    changed,
                });
            }
            None => out.added.push(i),
        }
    }
    out.removed = (0..previous.len()).filter(|j| !paired[*j]).collect();
    out
}

/// Appends to `out` every path below `path` where `a` and `b` differ: the deepest mapping
/// key that differs, or the list when the lists' lengths differ.
fn diff(a: &Node, b: &Node, path: &mut Vec<PathSeg>, out: &mut Vec<Vec<PathSeg>>) {
    match (&a.value, &b.value) {
        (Value::Map(_), Value::Map(y)) => {
            let mut keys: Vec<&str> = Vec::new();
            for e in a.entries().iter().chain(y.iter()) {
                if !keys.contains(&e.key.as_str()) {
                    keys.push(&e.key);
                }
            }
            for k in keys {
                path.push(PathSeg::Key(k.to_string()));
                match (a.get(k), b.get(k)) {
                    (Some(x), Some(y)) => diff(x, y, path, out),
                    _ => out.push(path.clone()),
                }
                path.pop();
            }
        }
        (Value::Seq(x), Value::Seq(y)) if x.len() == y.len() => {
            for (n, (p, q)) in x.iter().zip(y).enumerate() {
                path.push(PathSeg::Index(n));
                diff(p, q, path, out);
                path.pop();
            }
        }
        (Value::Seq(_), Value::Seq(_)) | (Value::Map(_), _) | (_, Value::Map(_)) => {
            out.push(path.clone())
        }
        (Value::Seq(_), _) | (_, Value::Seq(_)) => out.push(path.clone()),
        (x, y) if x != y => out.push(path.clone()),
        _ => {}
    }
}

/// At most this many changed paths are listed per object.
const MAX_PATHS: usize = 6;

/// The change list the human report starts with: a count, then one line per added, removed
/// or changed object with the paths that changed. Never a value: a Secret's `data.password`
/// is named as changed, not shown (paths only, for every kind).
pub(crate) fn describe(
    pairing: &Pairing,
    current: &[Resource],
    previous: &[Resource],
    source: &str,
) -> Vec<String> {
    let changed: Vec<&Pair> = pairing
        .pairs
        .iter()
        .filter(|p| !p.changed.is_empty())
        .collect();
    let mut lines = vec![format!(
        "changes from {source}: {} added, {} removed, {} changed, {} unchanged",
        pairing.added.len(),
        pairing.removed.len(),
        changed.len(),
        pairing.pairs.len() - changed.len()
    )];
    for &i in &pairing.added {
        lines.push(format!("  + {}", current[i].describe()));
    }
    for &j in &pairing.removed {
        let r = &previous[j];
        // Same kind and namespace added: likely a rename, which Helm cannot follow.
        let renamed: Vec<String> = pairing
            .added
            .iter()
            .map(|&i| &current[i])
            // Hooks are not renamed: Helm deletes and creates them by their delete policy.
            .filter(|a| {
                a.kind == r.kind
                    && a.namespace == r.namespace
                    && !r.name.is_empty()
                    && r.hook.is_none()
                    && a.hook.is_none()
            })
            .map(|a| a.name.clone())
            .collect();
        let hint = if renamed.is_empty() {
            String::new()
        } else {
            format!(
                " (renamed to {}? Helm sees a rename as a removal and an addition: it deletes {} and creates the new one)",
                renamed.join(" or "),
                r.name
            )
        };
        lines.push(format!("  - {}{hint}", r.describe()));
    }
    // A version bump relabels every object: one line for those that changed nothing else.
    let (relabelled, changed): (Vec<&Pair>, Vec<&Pair>) = changed
        .into_iter()
        .partition(|p| p.changed.iter().all(|c| version_label(c)));
    if !relabelled.is_empty() {
        lines.push(format!(
            "  ~ {} object(s) changed only their chart or app version labels",
            relabelled.len()
        ));
    }
    for p in changed {
        let mut paths: Vec<String> = p
            .changed
            .iter()
            .take(MAX_PATHS)
            .map(|c| path_to_string(c))
            .collect();
        if p.changed.len() > MAX_PATHS {
            paths.push(format!("and {} more", p.changed.len() - MAX_PATHS));
        }
        let secret = if current[p.current].kind == "Secret"
            && p.changed.iter().any(|c| {
                matches!(c.first(), Some(PathSeg::Key(k)) if ["data", "stringData"].contains(&k.as_str()))
            }) {
            " (values not shown)"
        } else {
            ""
        };
        lines.push(format!(
            "  ~ {} changed: {}{secret}",
            current[p.current].describe(),
            paths.join(", ")
        ));
    }
    lines
}

/// `metadata.labels["helm.sh/chart"]` and the like, anywhere (pod templates too): what a
/// chart or app version bump changes on every object.
fn version_label(path: &[PathSeg]) -> bool {
    match path {
        [.., PathSeg::Key(labels), PathSeg::Key(key)] if labels == "labels" => [
            "helm.sh/chart",
            "app.kubernetes.io/version",
            "chart",
            "version",
        ]
        .contains(&key.as_str()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::SourceFile;

    fn release(text: &str) -> Vec<Resource> {
        crate::parse::parse_files(&[SourceFile {
            name: "x.yaml".into(),
            text: text.into(),
        }])
        .unwrap()
    }

    #[test]
    fn pairs_by_kind_namespace_and_name_and_lists_changed_paths() {
        let before = release(
            "kind: Deployment\napiVersion: apps/v1\nmetadata: {name: web}\nspec: {replicas: 3, template: {spec: {containers: [{name: a, image: x:1}]}}}\n---\nkind: PersistentVolumeClaim\napiVersion: v1\nmetadata: {name: data}\n---\nkind: Secret\napiVersion: v1\nmetadata: {name: s}\ndata: {password: aHVudGVyMg==}\n",
        );
        let after = release(
            "kind: Deployment\napiVersion: apps/v1\nmetadata: {name: web, namespace: default}\nspec: {replicas: 1, template: {spec: {containers: [{name: a, image: x:2}]}}}\n---\nkind: PersistentVolumeClaim\napiVersion: v1\nmetadata: {name: data2}\n---\nkind: Secret\napiVersion: v1\nmetadata: {name: s}\ndata: {password: c2VjcmV0}\n",
        );
        let p = pair(&after, &before, "default");
        assert_eq!(p.added, vec![1]);
        assert_eq!(p.removed, vec![1]);
        assert_eq!(p.pairs.len(), 2);
        let text = describe(&p, &after, &before, "old.yaml").join("\n");
        assert!(
            text.starts_with("changes from old.yaml: 1 added, 1 removed, 2 changed, 0 unchanged"),
            "{text}"
        );
        assert!(text.contains("~ Deployment default/web changed: metadata.namespace, spec.replicas, spec.template.spec.containers[0].image"), "{text}");
        assert!(
            text.contains("- PersistentVolumeClaim data (renamed to data2?"),
            "{text}"
        );
        assert!(
            text.contains("~ Secret s changed: data.password (values not shown)"),
            "{text}"
        );
        // Paths only: neither value of the Secret.
        assert!(
            !text.contains("aHVudGVyMg") && !text.contains("c2VjcmV0"),
            "{text}"
        );
    }
}
