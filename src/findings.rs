//! Stage 4: violations → findings, each located once: the rendered text's line from the
//! parse, and, through the renderer's source map, the template and values lines a person
//! edits. Nothing after this stage moves a finding.

use crate::evaluate::policy::PolicySet;
use crate::evaluate::Violation;
use crate::files::SourceFile;
use crate::model::{
    fingerprint, path_to_string, Finding, Location, ObjectRef, PathSeg, RelatedLocation, Target,
    WRITTEN_BY,
};
use crate::parse::Resource;
use crate::provenance::{DocRef, Provenance, Query, SourceMap};
use crate::yaml::{locate, Pos, Value};

impl ObjectRef {
    fn of(r: &Resource) -> Self {
        ObjectRef {
            api_version: r.api_version.clone(),
            kind: r.kind.clone(),
            namespace: r.namespace.clone(),
            name: r.name.clone(),
        }
    }
}

/// Where a field is in the text that was linted: the key (a finding on `resources:` points
/// at the key, not its value's first line), or the whole scalar.
fn location_of(resources: &[Resource], files: &[SourceFile], target: &Target) -> Location {
    let r = &resources[target.resource];
    let path = &target.path;
    let (node, key_pos, _) = locate(&r.root, path);
    let start = key_pos.unwrap_or(node.pos);
    // Underline the key, or the whole scalar; a mapping or list is marked by its first line.
    let end = match (&node.value, key_pos) {
        (_, Some(k)) => {
            let key_len = path.last().map(|s| match s {
                PathSeg::Key(k) => k.chars().count(),
                PathSeg::Index(_) => 1,
            });
            Pos {
                line: k.line,
                col: k.col + key_len.unwrap_or(1),
            }
        }
        (Value::Map(_) | Value::Seq(_), None) => Pos {
            line: start.line,
            col: start.col + 1,
        },
        (_, None) if node.end.line == node.pos.line => node.end,
        _ => Pos {
            line: start.line,
            col: start.col + 1,
        },
    };
    Location {
        file: files
            .get(r.origin.file)
            .map(|f| f.name.clone())
            .unwrap_or_default(),
        line: start.line,
        column: start.col,
        end_line: end.line,
        end_column: end.col.max(start.col + 1),
        template: r.origin.template.clone(),
    }
}

/// The source map's view of the release: each object as a document of its rendered file.
struct Documents<'a> {
    by_file: Vec<Vec<DocRef<'a>>>,
    /// Per object: its rendered file and its position among that file's documents.
    place: Vec<(usize, usize)>,
}

impl<'a> Documents<'a> {
    fn new(resources: &'a [Resource], files: usize) -> Self {
        let mut by_file: Vec<Vec<DocRef<'a>>> = (0..files).map(|_| Vec::new()).collect();
        let mut place = Vec::with_capacity(resources.len());
        for r in resources {
            if r.origin.file >= by_file.len() {
                by_file.resize_with(r.origin.file + 1, Vec::new);
            }
            let docs = &mut by_file[r.origin.file];
            place.push((r.origin.file, docs.len()));
            docs.push(DocRef {
                template: r.origin.template.as_deref(),
                root: &r.root,
            });
        }
        Documents { by_file, place }
    }

    fn locate(
        &self,
        map: &dyn SourceMap,
        target: &Target,
        rendered: &Location,
        related: bool,
        rule: &str,
    ) -> Option<Provenance> {
        let (file, doc) = self.place[target.resource];
        map.locate(&Query {
            file,
            docs: &self.by_file[file],
            doc,
            path: &target.path,
            rendered,
            related,
            rule,
        })
    }
}

/// `text` with every hyphenated word (`a-b`, `x-7k2q-test`) replaced by `*`.
fn mask_hyphenated(text: &str) -> String {
    fn flush(word: &mut String, out: &mut String) {
        if word.trim_matches('-').contains('-') {
            out.push('*');
        } else {
            out.push_str(word);
        }
        word.clear();
    }
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '-' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// A violation with its place in the linted text, before the source map is asked.
struct Pending<'v> {
    violation: &'v Violation,
    severity: crate::model::Severity,
    rendered: Location,
    related: Vec<Location>,
    fingerprint: String,
}

/// Turns the engine's violations into located findings, most severe first, then in the
/// order of the linted text (for charts: the rendered release, whichever template a finding
/// lands in), one per fingerprint.
pub(crate) fn locate_all(
    policies: &PolicySet,
    resources: &[Resource],
    files: &[SourceFile],
    violations: &[Violation],
    map: &dyn SourceMap,
) -> Vec<Finding> {
    let stable_keys = crate::parse::stable_name_keys(resources);
    let known: Vec<usize> = (0..violations.len())
        .filter(|&i| {
            let v = &violations[i];
            v.target.resource < resources.len()
                && v.related
                    .iter()
                    .all(|r| r.target.resource < resources.len())
        })
        .collect();
    let pending_of = |&i: &usize| {
        let v = &violations[i];
        let rule = &policies.rules[v.rule];
        let r = &resources[v.target.resource];
        // A made-up name (helm-test pods, generateName) must not change the fingerprint
        // from one render to the next: it goes by a stable key, in the message too.
        let key = stable_keys[v.target.resource].as_deref();
        let message = match key {
            Some(k) if !r.name.is_empty() => v.message.replace(&r.name, k),
            _ => v.message.clone(),
        };
        // Such objects' other names are often made up the same way (elasticsearch's
        // test container): their hyphenated words do not count either.
        let message = match key {
            Some(_) => mask_hyphenated(&message),
            None => message,
        };
        Pending {
            violation: v,
            severity: v.severity.unwrap_or(rule.meta.severity),
            rendered: location_of(resources, files, &v.target),
            related: v
                .related
                .iter()
                .map(|rel| location_of(resources, files, &rel.target))
                .collect(),
            fingerprint: fingerprint(&[
                &rule.meta.id,
                &r.api_version,
                &r.kind,
                r.namespace.as_deref().unwrap_or_default(),
                key.unwrap_or(&r.name),
                &path_to_string(&v.target.path),
                &message,
            ]),
        }
    };
    // Tens of thousands of findings at 10,000 objects: located on every core.
    let mut pending: Vec<Pending<'_>> = crate::parallel::shares(&known, |_, part| {
        part.iter().map(pending_of).collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect();
    let id = |p: &Pending<'_>| policies.rules[p.violation.rule].meta.id.as_str();
    pending.sort_by(|a, b| {
        (
            b.severity,
            &a.rendered.file,
            a.rendered.line,
            a.rendered.column,
            id(a),
            &a.violation.message,
        )
            .cmp(&(
                a.severity,
                &b.rendered.file,
                b.rendered.line,
                b.rendered.column,
                id(b),
                &b.violation.message,
            ))
    });
    pending.dedup_by(|a, b| a.fingerprint == b.fingerprint);

    let docs = Documents::new(resources, files.len());
    // Every finding's own place first, then related ones: a map may answer related
    // questions only from what the findings' questions made it compute.
    let own: Vec<Option<Provenance>> = pending
        .iter()
        .map(|p| docs.locate(map, &p.violation.target, &p.rendered, false, id(p)))
        .collect();
    pending
        .into_iter()
        .zip(own)
        .map(|(p, own)| {
            let v = p.violation;
            let rule = &policies.rules[v.rule];
            let mut related: Vec<RelatedLocation> = v
                .related
                .iter()
                .zip(p.related)
                .map(|(rel, rendered)| {
                    let (location, rendered) =
                        match docs.locate(map, &rel.target, &rendered, true, &rule.meta.id) {
                            // A related value set in a values file: its line there.
                            Some(found) => (found.edit.unwrap_or(found.location), Some(rendered)),
                            None => (rendered, None),
                        };
                    RelatedLocation {
                        object: ObjectRef::of(&resources[rel.target.resource]),
                        path: path_to_string(&rel.target.path),
                        message: rel.message.clone(),
                        location,
                        rendered,
                        target: rel.target.clone(),
                    }
                })
                .collect();
            let mut fix = rule.meta.fix.clone();
            let (location, rendered, mapped_by, value) = match own {
                Some(found) => {
                    let location = edit_first(
                        found.edit,
                        found.location,
                        &p.rendered,
                        v,
                        resources,
                        &mut related,
                    );
                    if found.hard_coded {
                        fix = hard_coded_fix(&fix, &location);
                    }
                    (
                        location,
                        Some(p.rendered),
                        Some(found.mapped_by),
                        found.value,
                    )
                }
                None => (p.rendered, None, None, None),
            };
            Finding {
                rule: rule.meta.id.clone(),
                severity: p.severity,
                message: v.message.clone(),
                object: ObjectRef::of(&resources[v.target.resource]),
                path: path_to_string(&v.target.path),
                location,
                rendered,
                mapped_by,
                value,
                environments: Vec::new(),
                suppression: None,
                why: rule.meta.why.clone(),
                fix,
                related,
                fingerprint: p.fingerprint,
                rule_index: v.rule,
                sensitive: rule.meta.tags.iter().any(|t| t == "secrets"),
                target: v.target.clone(),
            }
        })
        .collect()
}

/// The place a person edits first: the values line that set the value when there is one,
/// with the template line that wrote it as a related location; else the template line.
fn edit_first(
    edit: Option<Location>,
    template: Location,
    rendered: &Location,
    v: &Violation,
    resources: &[Resource],
    related: &mut Vec<RelatedLocation>,
) -> Location {
    let Some(edit) = edit else {
        return template;
    };
    let written = match &template.template {
        Some(t) => format!("{WRITTEN_BY} template {t}"),
        None => format!("{WRITTEN_BY} the template"),
    };
    related.insert(
        0,
        RelatedLocation {
            object: ObjectRef::of(&resources[v.target.resource]),
            path: path_to_string(&v.target.path),
            message: written,
            location: template,
            rendered: Some(rendered.clone()),
            target: v.target.clone(),
        },
    );
    edit
}

/// A rule's fix, for a value the template writes itself: the values files cannot change
/// it, the template line can.
fn hard_coded_fix(fix: &str, at: &Location) -> String {
    format!(
        "{} This is hard-coded in the template ({}:{}), not set by values: change it there (or make it a value).",
        fix.trim_end(),
        at.file,
        at.line
    )
}
