//! `ProcessDependenciesWithMerge` (`pkg/chartutil/dependencies.go`): which subcharts are
//! enabled (tags, then conditions), aliases, and import-values.

use helm_template::funcs::semver::is_compatible_range;
use helm_template::HelmVersion;

use crate::load::Chart;
use crate::vals::{self, coalesce, path_value, Map, V};
use crate::Failure;

pub fn process(
    helm: HelmVersion,
    ch: &mut Chart,
    user: &Map,
    warnings: &mut Vec<String>,
) -> Result<(), Failure> {
    enabled(helm, ch, user, "", warnings);
    import_values(helm, ch, warnings);
    Ok(())
}

pub(crate) fn enabled(
    helm: HelmVersion,
    c: &mut Chart,
    v: &Map,
    path: &str,
    warnings: &mut Vec<String>,
) {
    let Some(reqs) = c.meta["dependencies"].as_array().cloned() else {
        return;
    };
    let mut reqs: Vec<serde_json::Value> = reqs.into_iter().filter(|r| r.is_object()).collect();
    let s = |r: &serde_json::Value, k: &str| r[k].as_str().unwrap_or_default().to_string();
    let existing = std::mem::take(&mut c.deps);
    let mut deps: Vec<Chart> = Vec::new();
    // Subcharts Chart.yaml does not list (by name and compatible version) are always in.
    for e in &existing {
        let listed = reqs.iter().any(|r| {
            e.name() == s(r, "name") && is_compatible_range(&s(r, "version"), e.version(), helm)
        });
        if !listed {
            deps.push(e.clone());
        }
    }
    for r in reqs.iter_mut() {
        let name = s(r, "name");
        let alias = s(r, "alias");
        if let Some(found) = existing
            .iter()
            .find(|e| e.name() == name && is_compatible_range(&s(r, "version"), e.version(), helm))
        {
            let mut d = found.clone();
            if !alias.is_empty() {
                d.meta["name"] = alias.clone().into();
            }
            deps.push(d);
        }
        if !alias.is_empty() {
            r["name"] = alias.into();
        }
    }
    c.deps = deps;
    let cvals = coalesce(helm, &*c, v, false);
    let mut on: Vec<bool> = vec![true; reqs.len()];
    // Tags.
    if let Some(V::Map(tags)) = cvals.get("tags") {
        for (i, r) in reqs.iter().enumerate() {
            let (mut has_true, mut has_false) = (false, false);
            for k in r["tags"].as_array().into_iter().flatten() {
                let Some(k) = k.as_str() else { continue };
                match tags.get(k) {
                    Some(V::Bool(true)) => has_true = true,
                    Some(V::Bool(false)) => has_false = true,
                    Some(_) => warnings.push(format!(
                        "Warning: Tag '{k}' for chart {} returned non-bool value",
                        s(r, "name")
                    )),
                    None => {}
                }
            }
            on[i] = has_true || !has_false;
        }
    }
    // Conditions: the first path holding a bool decides.
    for (i, r) in reqs.iter().enumerate() {
        let cond = s(r, "condition");
        for c in cond.trim().split(',') {
            if c.is_empty() {
                continue;
            }
            let full = format!("{path}{c}");
            match path_value(&cvals, &full) {
                Some(V::Bool(b)) => {
                    on[i] = *b;
                    break;
                }
                Some(V::Map(_)) | None => {}
                Some(_) => warnings.push(format!(
                    "Warning: Condition path '{c}' for chart {} returned non-bool value",
                    s(r, "name")
                )),
            }
        }
    }
    let rm: Vec<String> = reqs
        .iter()
        .zip(&on)
        .filter(|(_, on)| !**on)
        .map(|(r, _)| s(r, "name"))
        .collect();
    c.deps.retain(|d| !rm.iter().any(|n| n == d.name()));
    let kept: Vec<serde_json::Value> = reqs
        .into_iter()
        .zip(&on)
        .filter(|(_, on)| **on)
        .map(|(mut r, _)| {
            r["enabled"] = true.into();
            r
        })
        .collect();
    for d in c.deps.iter_mut() {
        let sub = format!("{path}{}.", d.name());
        enabled(helm, d, &cvals, &sub, warnings);
    }
    c.meta["dependencies"] = serde_json::Value::Array(kept);
}

fn table<'a>(m: &'a Map, path: &str) -> Option<&'a Map> {
    let mut cur = m;
    for p in path.split('.') {
        cur = cur.get(p)?.as_map()?;
    }
    Some(cur)
}

pub(crate) fn import_values(helm: HelmVersion, c: &mut Chart, warnings: &mut Vec<String>) {
    for d in c.deps.iter_mut() {
        import_values(helm, d, warnings);
    }
    let Some(reqs) = c.meta["dependencies"].as_array().cloned() else {
        return;
    };
    let cvals = coalesce(helm, &*c, &Map::new(), true);
    let mut b = Map::new();
    let mut any = false;
    for r in &reqs {
        let name = r["name"].as_str().unwrap_or_default();
        for iv in r["import-values"].as_array().into_iter().flatten() {
            any = true;
            let (child, parent) = match iv {
                serde_json::Value::Object(o) => (
                    o.get("child")
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                        .to_string(),
                    o.get("parent")
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                        .to_string(),
                ),
                serde_json::Value::String(s) => (format!("exports.{s}"), ".".to_string()),
                _ => continue,
            };
            let Some(vv) = table(&cvals, &format!("{name}.{child}")) else {
                warnings.push(format!(
                    "Warning: ImportValues missing table from chart {name}: no table named {child:?}"
                ));
                continue;
            };
            let mut src = if parent == "." {
                vv.clone()
            } else {
                let mut cur = vv.clone();
                for p in parent.split('.').rev() {
                    let mut m = Map::new();
                    m.insert(p.to_string(), V::Map(cur));
                    cur = m;
                }
                cur
            };
            vals::coalesce_tables(helm, &mut b, &mut src, true);
        }
    }
    let _ = any;
    let mut merged = cvals;
    vals::coalesce_tables(helm, &mut merged, &mut b, true);
    c.values = merged;
}
