//! What `.Capabilities` says during `helm template`. Without a cluster, Helm answers
//! `.Capabilities.APIVersions.Has` from the group/versions its own client library knows, which
//! lacks groups every cluster serves (`apiregistration.k8s.io/v1`), and renders for the
//! Kubernetes version it was built with (Helm 3.17: 1.32, Helm 4.1: 1.35). chartguard judges
//! one version (`--kube-version`, default 1.33), so Helm renders for that version, told the
//! built-in APIs it serves, so a chart's `Has` branches take the path that cluster would.

/// `<first> <last> <group/version[/Kind]>` lines; see scripts/gen-api-versions.sh.
const SERVED: &str = include_str!("api_versions.txt");

/// The built-in group/versions and group/version/Kinds served by `kube_version` (`1.33`,
/// `v1.33.2`). A minor outside the data's range gets its nearest end (the API of a newer
/// release than the data knows is at least what the newest known serves, bar removals).
pub(crate) fn served(kube_version: &str) -> Vec<&'static str> {
    let rows: Vec<(u32, u32, &str)> = SERVED
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut it = l.split_whitespace();
            Some((minor(it.next()?)?, minor(it.next()?)?, it.next()?))
        })
        .collect();
    let lo = rows.iter().map(|r| r.0).min().unwrap_or(0);
    let hi = rows.iter().map(|r| r.1).max().unwrap_or(0);
    let Some(m) = minor(kube_version) else {
        return Vec::new();
    };
    let m = m.clamp(lo, hi);
    rows.into_iter()
        .filter(|(first, last, _)| (*first..=*last).contains(&m))
        .map(|(_, _, entry)| entry)
        .collect()
}

/// The minor of `1.33`, `v1.33.4`; only major 1 exists.
fn minor(version: &str) -> Option<u32> {
    let mut parts = version.trim_start_matches('v').split('.');
    if parts.next()? != "1" {
        return None;
    }
    parts.next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_version_serves_what_it_serves() {
        let v133 = served("1.33");
        assert!(v133.contains(&"apiregistration.k8s.io/v1"));
        assert!(v133.contains(&"policy/v1/PodDisruptionBudget"));
        assert!(!v133.contains(&"policy/v1beta1"));
        assert!(!v133.iter().any(|e| e.contains("alpha")));
        assert!(served("v1.24.3").contains(&"policy/v1beta1/PodDisruptionBudget"));
        assert!(served("1.25")
            .iter()
            .all(|e| !e.starts_with("policy/v1beta1")));
        // Outside the data: the nearest end.
        assert_eq!(served("1.99"), served("1.37"));
        assert_eq!(served("1.10"), served("1.24"));
        assert!(served("2.0").is_empty());
    }
}
