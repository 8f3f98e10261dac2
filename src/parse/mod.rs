//! Stage 2: text → Kubernetes objects. Each document keeps where it came from (file, line,
//! and the template named by Helm's `# Source:` comment), its span tree, its Helm hook data
//! and the issues the typed parse found.

mod typed;

use crate::files::{InputError, SourceFile};
use crate::yaml::{chunks, Chunk, Node, Pos, Value};
pub(crate) use typed::{Issue, IssueKind};

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Origin {
    /// Index into the list of source files.
    pub(crate) file: usize,
    /// First line of the document in that file (1-based).
    pub(crate) line: usize,
    /// `chart/templates/x.yaml`, from `# Source:` when Helm rendered it.
    pub(crate) template: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Hook {
    pub(crate) events: Vec<String>,
    /// What Helm will use: the weight, or 0 when it is absent or not an integer.
    pub(crate) weight: i64,
    pub(crate) weight_raw: Option<String>,
    pub(crate) weight_valid: bool,
    pub(crate) delete_policies: Vec<String>,
    /// A helm test (`test` or the legacy `test-success` event).
    pub(crate) test: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Resource {
    pub(crate) api_version: String,
    pub(crate) kind: String,
    pub(crate) name: String,
    /// `metadata.namespace` as written, if it is.
    pub(crate) namespace: Option<String>,
    pub(crate) root: Node,
    pub(crate) origin: Origin,
    pub(crate) hook: Option<Hook>,
    pub(crate) issues: Vec<Issue>,
    /// `root` without the values of the wrong type (see [`typed::check_object`]), when any
    /// was dropped: what the rules see.
    pub(crate) checked: Option<Node>,
    /// Spans of values dropped because their key is written again (masked in snippets).
    pub(crate) dropped: Vec<(Pos, Pos)>,
}

impl Resource {
    /// The tree the rules see: the object without values of the wrong type.
    pub(crate) fn for_rules(&self) -> &Node {
        self.checked.as_ref().unwrap_or(&self.root)
    }

    /// What masking its file needs of the object.
    pub(crate) fn redact_doc(&self) -> crate::redact::Doc<'_> {
        crate::redact::Doc {
            file: self.origin.file,
            kind: &self.kind,
            root: &self.root,
            dropped: &self.dropped,
        }
    }

    /// `Deployment default/web`, or `Deployment web` when no namespace is written.
    pub(crate) fn describe(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {}/{}", self.kind, ns, self.name),
            None => format!("{} {}", self.kind, self.name),
        }
    }
}

/// Parses every document of every file. Broken YAML, and documents that are not Kubernetes
/// objects, are input errors naming file, line and column.
pub(crate) fn parse_files(files: &[SourceFile]) -> Result<Vec<Resource>, InputError> {
    let mut work: Vec<(usize, Chunk<'_>)> = Vec::new();
    for (file_index, file) in files.iter().enumerate() {
        work.extend(chunks(&file.text).into_iter().map(|c| (file_index, c)));
    }
    // Documents are independent: parse them on every core, in release order. A parser
    // that panics is an input error, not a crash.
    let parsed = crate::parallel::shares(&work, |_, part| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut out = Vec::new();
            for (f, c) in part {
                out.extend(parse_chunk(&files[*f].name, *f, c)?);
            }
            Ok(out)
        }))
        .unwrap_or_else(|_| Err(InputError::new("<internal>", "a parser thread panicked")))
    });
    let mut resources = Vec::with_capacity(work.len());
    for part in parsed {
        resources.extend(part?);
    }
    Ok(resources)
}

fn parse_chunk(
    name: &str,
    file_index: usize,
    chunk: &Chunk<'_>,
) -> Result<Vec<Resource>, InputError> {
    let doc = crate::yaml::parse_document(chunk.text, chunk.first_line).map_err(|e| {
        InputError::at(
            name,
            e.pos.line,
            e.pos.col,
            format!("invalid YAML: {}", e.message),
        )
    })?;
    let Some(doc) = doc else {
        return Ok(Vec::new());
    };
    let origin = Origin {
        file: file_index,
        line: doc.root.pos.line,
        template: chunk.template.clone(),
    };
    // `kind: List` (what `kubectl get -o yaml` writes): its items are the objects.
    if doc
        .root
        .get("kind")
        .and_then(Node::as_str)
        .is_some_and(|k| k == "List")
    {
        if let Some(items) = doc
            .root
            .get("items")
            .filter(|i| matches!(i.value, Value::Seq(_)))
        {
            return items
                .items()
                .iter()
                .map(|item| {
                    object(
                        name,
                        item.clone(),
                        Origin {
                            line: item.pos.line,
                            ..origin.clone()
                        },
                    )
                })
                .collect();
        }
    }
    let mut resource = object(name, doc.root, origin)?;
    for d in doc.duplicate_keys {
        resource.dropped.push(d.dropped);
        let mut path = d.path.clone();
        path.push(crate::model::PathSeg::Key(d.key.clone()));
        resource.issues.push(Issue {
            kind: IssueKind::Invalid,
            message: format!(
                "key `{}` is written twice in one mapping (lines {} and {}); only the last is kept",
                d.key, d.first.line, d.again.line
            ),
            path,
        });
    }
    Ok(vec![resource])
}

fn object(file: &str, root: Node, origin: Origin) -> Result<Resource, InputError> {
    let at = |node: &Node, msg: String| InputError::at(file, node.pos.line, node.pos.col, msg);
    if !matches!(root.value, Value::Map(_)) {
        return Err(at(
            &root,
            format!(
                "document is {}, not a Kubernetes object (a mapping with apiVersion and kind)",
                root.value.type_name()
            ),
        ));
    }
    let text_field = |name: &str| -> Result<String, InputError> {
        match root.get(name) {
            Some(Node {
                value: Value::Str(s),
                ..
            }) if !s.is_empty() => Ok(s.clone()),
            Some(node) => Err(at(node, format!("`{name}` must be a non-empty string"))),
            None => Err(at(
                &root,
                format!("document has no `{name}`; not a Kubernetes object"),
            )),
        }
    };
    let api_version = text_field("apiVersion")?;
    let kind = text_field("kind")?;
    let metadata = root.get("metadata");
    let meta_str = |key: &str| {
        metadata
            .and_then(|m| m.get(key))
            .and_then(Node::as_str)
            .map(str::to_string)
    };
    let name = meta_str("name").unwrap_or_default();
    let namespace = meta_str("namespace");
    let hook = metadata
        .and_then(|m| m.get("annotations"))
        .and_then(hook_of);
    // Helm 4 hands post-renderers documents without `# Source:` comments but annotated with
    // the template they came from.
    let mut origin = origin;
    if origin.template.is_none() {
        origin.template = metadata
            .and_then(|m| m.get("annotations"))
            .and_then(|a| a.get("postrenderer.helm.sh/postrender-filename"))
            .and_then(Node::as_str)
            .map(str::to_string);
    }
    let (issues, checked) = typed::check_object(&api_version, &kind, &root);
    Ok(Resource {
        api_version,
        kind,
        name,
        namespace,
        root,
        origin,
        hook,
        issues,
        checked,
        dropped: Vec::new(),
    })
}

fn list(value: Option<&Node>) -> Vec<String> {
    value
        .map(|n| match &n.value {
            Value::Str(s) => s
                .split(',')
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
                .collect(),
            _ => Vec::new(),
        })
        .unwrap_or_default()
}

/// Helm's reading of the hook annotations: the weight goes through Go's `strconv.Atoi`
/// (64-bit, no trimming), and anything it rejects counts as 0.
fn hook_of(annotations: &Node) -> Option<Hook> {
    // Helm trims and lower-cases hook events before matching them.
    let events: Vec<String> = list(annotations.get("helm.sh/hook"))
        .into_iter()
        .map(|e| e.to_ascii_lowercase())
        .collect();
    if events.is_empty() {
        return None;
    }
    let weight_raw = annotations
        .get("helm.sh/hook-weight")
        .map(|n| match &n.value {
            Value::Str(s) => s.clone(),
            Value::Int(i) => i.to_string(),
            other => format!("{other:?}"),
        });
    let parsed = weight_raw.as_deref().map(|w| w.parse::<i64>().ok());
    let weight_valid = !matches!(parsed, Some(None));
    let weight = parsed.flatten().unwrap_or(0);
    let test = events.iter().any(|e| e == "test" || e == "test-success");
    Some(Hook {
        events,
        weight,
        weight_raw,
        weight_valid,
        delete_policies: list(annotations.get("helm.sh/hook-delete-policy")),
        test,
    })
}

/// Each object's stable key when its name is made up per render (see
/// [`crate::model::unstable_name_key`]), numbering the objects of each template in order:
/// what fingerprints know such an object by, and what an upgrade pairs it by.
pub(crate) fn stable_name_keys(resources: &[Resource]) -> Vec<Option<String>> {
    let mut seen: std::collections::HashMap<Option<&str>, usize> = Default::default();
    resources
        .iter()
        .map(|r| {
            let template = r.origin.template.as_deref();
            let n = seen.entry(template).or_default();
            let ordinal = *n;
            *n += 1;
            let generate_name = r
                .root
                .get("metadata")
                .and_then(|m| m.get("generateName"))
                .and_then(crate::yaml::Node::as_str);
            crate::model::unstable_name_key(
                &r.name,
                generate_name,
                r.hook.is_some(),
                template,
                ordinal,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn parse(text: &str) -> Result<Vec<Resource>, InputError> {
        parse_files(&[SourceFile {
            name: "r.yaml".into(),
            text: text.into(),
        }])
    }

    #[test]
    fn helm_template_output_keeps_its_origins() {
        let text = "---\n# Source: app/templates/a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n# Source: app/charts/sub/templates/b.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  namespace: prod\n";
        let rs = parse(text).unwrap();
        assert_eq!(rs.len(), 2);
        assert_eq!(
            rs[0].origin,
            Origin {
                file: 0,
                line: 3,
                template: Some("app/templates/a.yaml".into())
            }
        );
        assert_eq!(rs[1].origin.line, 9);
        assert_eq!(
            rs[1].origin.template.as_deref(),
            Some("app/charts/sub/templates/b.yaml")
        );
        assert_eq!(rs[1].describe(), "ConfigMap prod/b");
    }

    #[test]
    fn hooks_are_read_like_helm() {
        let text = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: m\n  annotations:\n    helm.sh/hook: pre-upgrade, pre-install\n    helm.sh/hook-weight: \"five\"\n    helm.sh/hook-delete-policy: before-hook-creation\nspec:\n  template:\n    spec:\n      containers: []\n";
        let hook = parse(text).unwrap().remove(0).hook.unwrap();
        assert_eq!(hook.events, vec!["pre-upgrade", "pre-install"]);
        assert_eq!(hook.weight, 0);
        assert!(!hook.weight_valid);
        assert_eq!(hook.weight_raw.as_deref(), Some("five"));
    }

    #[test]
    fn broken_document_names_its_line_in_the_file() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: [b\n";
        let err = parse(text).unwrap_err();
        assert_eq!(err.file, "r.yaml");
        assert!(err.line.unwrap() >= 7, "{err}");
    }

    #[test]
    fn not_an_object_is_an_input_error() {
        assert!(parse("- a\n- b\n")
            .unwrap_err()
            .message
            .contains("not a Kubernetes object"));
        let err = parse("apiVersion: v1\nmetadata: {}\n").unwrap_err();
        assert!(err.message.contains("no `kind`"), "{err}");
        assert!(parse("").unwrap().is_empty());
        assert!(parse("---\n---\n# nothing\n").unwrap().is_empty());
    }
}
