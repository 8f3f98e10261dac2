//! Where a rendered field is written in its template when no renderer says so exactly:
//! the key path searched in the template text, then the document's first line.

use crate::model::PathSeg;

/// Layer 4: the key path searched in the template text the way a person would — each key
/// literally, below the previous one and more indented. Returns the deepest key found.
pub(crate) fn key_path_line(template: &str, path: &[PathSeg]) -> Option<usize> {
    let lines: Vec<&str> = template.lines().collect();
    let keys: Vec<&str> = path
        .iter()
        .filter_map(|s| match s {
            PathSeg::Key(k) => Some(k.as_str()),
            _ => None,
        })
        .collect();
    let mut from = doc_start(template).unwrap_or(1) - 1;
    let mut indent: Option<usize> = None;
    let mut found = None;
    for key in keys {
        let mut hit = None;
        for (i, line) in lines.iter().enumerate().skip(from) {
            let t = line.trim_start();
            let ind = line.len() - t.len();
            if let Some(prev) = indent {
                // Left the parent's block: stop (an `{{ }}` line may sit anywhere).
                if ind <= prev
                    && !t.is_empty()
                    && !t.starts_with("{{")
                    && !t.starts_with('#')
                    && i > from
                {
                    break;
                }
            }
            let t = t.strip_prefix("- ").unwrap_or(t);
            let quoted = format!("\"{key}\":");
            if t.starts_with(&format!("{key}:")) || t.starts_with(&quoted) {
                hit = Some((i, ind));
                break;
            }
        }
        match hit {
            Some((i, ind)) => {
                found = Some(i + 1);
                from = i + 1;
                indent = Some(ind);
            }
            None => break,
        }
    }
    found
}

/// Layer 5: the line where the template's first document starts (`apiVersion:`).
pub(crate) fn doc_start(template: &str) -> Option<usize> {
    template
        .lines()
        .position(|l| l.trim_start().starts_with("apiVersion:"))
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::keys;

    #[test]
    fn key_path_search_follows_indentation() {
        let t = "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          resources:\n            {{- toYaml .Values.resources | nindent 12 }}\n";
        let mut path = keys(&["spec", "template", "spec", "containers"]);
        path.push(PathSeg::Index(0));
        path.extend(keys(&["resources", "limits"]));
        assert_eq!(key_path_line(t, &path), Some(8));
        assert_eq!(doc_start(t), Some(1));
    }
}
