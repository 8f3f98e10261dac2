//! Paths of fields inside an object, as rules report them and as people read them.

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum PathSeg {
    Key(String),
    Index(usize),
}

/// A path of mapping keys only.
pub(crate) fn keys(path: &[&str]) -> Vec<PathSeg> {
    path.iter().map(|k| PathSeg::Key(k.to_string())).collect()
}

/// `spec.template.spec.containers[0].resources`; keys that are not identifiers are quoted:
/// `metadata.annotations["helm.sh/hook"]`.
pub(crate) fn path_to_string(path: &[PathSeg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            PathSeg::Key(k)
                if !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') =>
            {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            PathSeg::Key(k) => out.push_str(&format!("[{k:?}]")),
            PathSeg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_print_like_kubectl_explain() {
        let mut p = keys(&["spec", "containers"]);
        p.push(PathSeg::Index(0));
        p.push(PathSeg::Key("resources".into()));
        assert_eq!(path_to_string(&p), "spec.containers[0].resources");
        let p = keys(&["metadata", "annotations", "helm.sh/hook"]);
        assert_eq!(path_to_string(&p), "metadata.annotations[\"helm.sh/hook\"]");
    }
}
