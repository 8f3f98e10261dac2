//! What a chart can do with values, known without rendering: the keys its values.yaml files
//! declare (each subchart's under its scope), the keys its templates reference on any
//! branch ([`helm_template::analysis`]), the keys Helm itself reads (dependency conditions,
//! tags), and which values toggles guard the objects a template emits. Values analysis
//! (chartguard's `values-key-unknown`, `values-default-unused`, fixes that name a toggle)
//! joins this with the paths each render read.

use std::path::Path;

use helm_template::analysis::{self, Analysis, TemplateFile};
use helm_template::HelmVersion;

use crate::load::{self, Chart};
use crate::vals::{Map, V};
use crate::Failure;

/// One chart scope: the top chart (`scope` empty) or a subchart (its alias when it has one).
#[derive(Debug, Clone)]
pub struct Scope {
    pub scope: Vec<String>,
    /// Its directory in the chart tree, relative to the top chart (`charts/worker`).
    pub dir: String,
}

#[derive(Debug, Default)]
pub struct ValuesModel {
    /// Every key path the values.yaml files declare (from the top of the values; a key whose
    /// value is a list is a path, its items are not walked).
    pub declared: Vec<Vec<String>>,
    /// Keys Helm reads itself: `<dep>.enabled`-style conditions and `tags`.
    pub helm_reads: Vec<Vec<String>>,
    pub scopes: Vec<Scope>,
    /// The top chart's dependencies as Chart.yaml lists them (alias, else name), present
    /// under charts/ or not.
    pub dependencies: Vec<String>,
    /// Static references and emitted kinds of every template of every (sub)chart, enabled
    /// or not. Template names are `<chart>/…` as in `# Source:`; chart files and values
    /// strings holding `{{` are analysed too (`<chart>/files:<path>`, `<chart>/values.yaml:<key>`),
    /// and their parse errors only mean they are not templates.
    pub analysis: Analysis,
}

/// Builds the model of the chart at `path` (a directory or an archive).
pub fn values_model(path: &Path, helm: HelmVersion) -> Result<ValuesModel, Failure> {
    let ch = load::load(path, helm)?;
    let mut m = ValuesModel::default();
    let mut sources: Vec<(String, String, Vec<String>)> = Vec::new();
    walk(&ch, &[], ch.name(), "", &mut m, &mut sources);
    for r in ch.meta["dependencies"].as_array().into_iter().flatten() {
        let alias = r["alias"].as_str().filter(|a| !a.is_empty());
        if let Some(n) = alias.or(r["name"].as_str()) {
            m.dependencies.push(n.to_string());
        }
    }
    let files: Vec<TemplateFile<'_>> = sources
        .iter()
        .map(|(n, s, scope)| TemplateFile {
            name: n,
            src: s,
            scope: scope.clone(),
        })
        .collect();
    m.analysis = analysis::analyze(&files);
    Ok(m)
}

fn walk(
    c: &Chart,
    scope: &[String],
    prefix: &str,
    dir: &str,
    m: &mut ValuesModel,
    sources: &mut Vec<(String, String, Vec<String>)>,
) {
    m.scopes.push(Scope {
        scope: scope.to_vec(),
        dir: dir.to_string(),
    });
    declare(&c.values, scope, &mut m.declared);
    // Files holding template actions (`tpl (.Files.Get "conf/app.tpl") .`) and values
    // strings that are templates (rendered with `tpl`) read values too.
    for (name, data) in &c.files {
        let text = String::from_utf8_lossy(data);
        // Documentation (helm-docs' README.md.gotmpl and its output quote values templates
        // in tables) and other values files are not rendered by the chart.
        let base = name.rsplit('/').next().unwrap_or_default();
        let docs_or_values = [".md", ".gotmpl", ".json", ".txt"]
            .iter()
            .any(|e| base.ends_with(e))
            || base.starts_with("values")
            || name.starts_with("ci/");
        if text.contains("{{") && !name.starts_with("charts/") && !docs_or_values {
            sources.push((
                format!("{prefix}/files:{name}"),
                text.into_owned(),
                scope.to_vec(),
            ));
        }
    }
    let mut tpls = Vec::new();
    templates_in(&c.values, &mut Vec::new(), &mut tpls);
    for (key, text) in tpls {
        sources.push((format!("{prefix}/values.yaml:{key}"), text, scope.to_vec()));
    }
    for (name, data) in &c.templates {
        sources.push((
            format!("{prefix}/{name}"),
            String::from_utf8_lossy(data).into_owned(),
            scope.to_vec(),
        ));
    }
    let reqs: Vec<&serde_json::Value> = c.meta["dependencies"]
        .as_array()
        .map(|a| a.iter().filter(|r| r.is_object()).collect())
        .unwrap_or_default();
    let s = |r: &serde_json::Value, k: &str| r[k].as_str().unwrap_or_default().to_string();
    if !reqs.is_empty() {
        m.helm_reads.push(scoped(scope, &["tags".to_string()]));
    }
    for r in &reqs {
        for cond in s(r, "condition").split(',') {
            let cond = cond.trim();
            if !cond.is_empty() {
                let p: Vec<String> = cond.split('.').map(str::to_string).collect();
                m.helm_reads.push(scoped(scope, &p));
            }
        }
    }
    for d in &c.deps {
        // Listed with aliases: one scope per alias (a chart may be used twice).
        let names: Vec<String> = {
            let aliased: Vec<String> = reqs
                .iter()
                .filter(|r| s(r, "name") == d.name())
                .map(|r| {
                    let a = s(r, "alias");
                    if a.is_empty() {
                        d.name().to_string()
                    } else {
                        a
                    }
                })
                .collect();
            if aliased.is_empty() {
                vec![d.name().to_string()]
            } else {
                aliased
            }
        };
        for n in names {
            let sub = scoped(scope, std::slice::from_ref(&n));
            let sub_dir = if dir.is_empty() {
                format!("charts/{}", d.name())
            } else {
                format!("{dir}/charts/{}", d.name())
            };
            walk(
                d,
                &sub,
                &format!("{prefix}/charts/{n}"),
                &sub_dir,
                m,
                sources,
            );
        }
    }
}

fn scoped(scope: &[String], p: &[String]) -> Vec<String> {
    scope.iter().chain(p).cloned().collect()
}

fn declare(values: &Map, scope: &[String], out: &mut Vec<Vec<String>>) {
    for (k, v) in values {
        let p = scoped(scope, std::slice::from_ref(k));
        if let V::Map(inner) = v {
            declare(inner, &p, out);
        }
        out.push(p);
    }
}

/// String values holding `{{`: `tpl` renders them with the chart's top object.
fn templates_in(values: &Map, path: &mut Vec<String>, out: &mut Vec<(String, String)>) {
    fn go(v: &V, path: &mut Vec<String>, out: &mut Vec<(String, String)>) {
        match v {
            V::Str(s) if s.contains("{{") => out.push((path.join("."), s.clone())),
            V::Map(m) => templates_in(m, path, out),
            V::List(items) => items.iter().for_each(|i| go(i, path, out)),
            _ => {}
        }
    }
    for (k, v) in values {
        path.push(k.clone());
        go(v, path, out);
        path.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_aliases_declarations_and_toggles() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/charts/values-keys");
        let m = values_model(&dir, HelmVersion::V4).unwrap();
        let has = |ps: &[Vec<String>], p: &str| ps.iter().any(|q| q.join(".") == p);
        // Subchart store is listed with alias cache: its values live under `cache`.
        assert!(has(&m.declared, "cache.enabled"), "{:?}", m.declared);
        assert!(!has(&m.declared, "store.enabled"));
        assert!(has(&m.declared, "worker.image"));
        assert_eq!(m.dependencies, ["worker", "cache"]);
        let refs: Vec<Vec<String>> = m.analysis.refs.iter().map(|r| r.path.clone()).collect();
        assert!(has(&refs, "cache.size") && has(&refs, "worker.threads"));
        assert!(has(&refs, "metrics.port"), "the untaken branch is read");
        let pdb = m
            .analysis
            .emits
            .iter()
            .find(|e| e.what == "PodDisruptionBudget")
            .unwrap();
        assert_eq!(pdb.template, "app/templates/pdb.yaml");
        let guards = pdb.guards[0].as_ref().unwrap();
        assert_eq!(guards[0].path.join("."), "podDisruptionBudget.enabled");
    }
}
