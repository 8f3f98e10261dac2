//! Which API versions a template asks `.Capabilities.APIVersions.Has` about, so a rule can
//! tell a template that already switches to a new apiVersion (and was rendered for a cluster
//! without it) from one that hard-codes the old version.

use std::path::Path;

/// The quoted arguments of every `.Capabilities.APIVersions.Has "…"` in `text`, in order,
/// each once (`Has "policy/v1/PodDisruptionBudget"` and `Has "policy/v1"` both count).
pub(crate) fn has_checks(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, _) in text.match_indices("APIVersions.Has") {
        let rest = text[i + "APIVersions.Has".len()..].trim_start();
        let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '`') else {
            continue;
        };
        let Some(end) = rest[1..].find(quote) else {
            continue;
        };
        let arg = rest[1..1 + end].to_string();
        if !arg.is_empty() && !out.contains(&arg) {
            out.push(arg);
        }
    }
    out
}

/// The checks of a template and, when it includes named templates, of the helper files
/// (`templates/*.tpl`) of its chart: charts often pick apiVersions in `_helpers.tpl`
/// (`{{ include "app.pdb.apiVersion" . }}`).
pub(crate) fn checks_of(template: &Path, text: &str) -> Vec<String> {
    let mut out = has_checks(text);
    if !(text.contains("include ") || text.contains("template ")) {
        return out;
    }
    // `<chart>/templates/sub/dir/x.yaml` → `<chart>/templates`.
    let Some(templates) = template
        .ancestors()
        .find(|a| a.file_name().is_some_and(|n| n == "templates"))
    else {
        return out;
    };
    let mut helpers: Vec<_> = std::fs::read_dir(templates)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "tpl"))
        .collect();
    helpers.sort();
    for h in helpers {
        if let Ok(t) = std::fs::read_to_string(&h) {
            for c in has_checks(&t) {
                if !out.contains(&c) {
                    out.push(c);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_are_the_quoted_arguments() {
        let t = "{{- if .Capabilities.APIVersions.Has \"policy/v1/PodDisruptionBudget\" -}}\npolicy/v1\n{{- else if $.Capabilities.APIVersions.Has `policy/v1beta1` }}\n{{ if (.Capabilities.APIVersions.Has \"policy/v1/PodDisruptionBudget\") }}";
        assert_eq!(
            has_checks(t),
            vec!["policy/v1/PodDisruptionBudget", "policy/v1beta1"]
        );
        assert!(has_checks("apiVersion: v1").is_empty());
    }
}
