//! `input.generated`: the fields of the release whose value the built-in renderer saw
//! generated at render time (`randAlphaNum`, `genCA`, `now`…, through `b64enc`, `include`,
//! variables), for `render-unstable`. Each rendered line the engine marked is mapped to the
//! object and the deepest field on that line. Empty with `--renderer helm` (Helm's output
//! does not say which values were generated) and for manifests.

use super::rego::{obj, path_value};
use crate::model::PathSeg;
use crate::parse::Resource;
use crate::yaml::{Node, Value as Y};
use helm_template::generated::GeneratedCall;
use regorus::Value;

/// Adds `input.generated` (always present, possibly empty).
pub(crate) fn add(
    input: &mut Value,
    resources: &[Resource],
    lines: &[(usize, Vec<GeneratedCall>)],
) {
    let mut out = Vec::new();
    for (line, calls) in lines {
        let Some((i, r)) = resources.iter().enumerate().rfind(|(_, r)| {
            r.origin.file == 0
                && r.origin.line <= *line
                && r.root.pos.line <= *line
                && *line <= r.root.end.line.max(r.root.pos.line)
        }) else {
            continue;
        };
        let mut path = Vec::new();
        field_at(&r.root, *line, &mut path);
        // One entry per field: the generator called last (a certificate signed by a CA both
        // generated names `genSignedCert`), the others listed.
        let Some(c) = calls.iter().max_by_key(|c| c.line) else {
            continue;
        };
        let mut functions: Vec<String> = calls.iter().map(|c| c.function.clone()).collect();
        functions.dedup();
        out.push(obj([
            ("resource", Value::from(i as u64)),
            ("path", path_value(&path)),
            ("function", Value::from(c.function.as_str())),
            ("functions", super::rego::strings(&functions)),
            ("template", Value::from(c.template.as_str())),
            ("line", Value::from(u64::from(c.line))),
            ("guarded", Value::from(calls.iter().all(|c| c.guarded))),
        ]));
    }
    if let Ok(map) = input.as_object_mut() {
        map.insert(Value::from("generated"), Value::from(out));
    }
}

/// The path of the deepest field that `line` belongs to (its key's line, or inside its value).
fn field_at(node: &Node, line: usize, path: &mut Vec<PathSeg>) {
    match &node.value {
        Y::Map(entries) => {
            for e in entries.iter().rev() {
                let end = e.value.end.line.max(e.key_pos.line);
                if e.key_pos.line <= line && line <= end {
                    path.push(PathSeg::Key(e.key.clone()));
                    field_at(&e.value, line, path);
                    return;
                }
            }
        }
        Y::Seq(items) => {
            for (i, item) in items.iter().enumerate().rev() {
                if item.pos.line <= line && line <= item.end.line.max(item.pos.line) {
                    path.push(PathSeg::Index(i));
                    field_at(item, line, path);
                    return;
                }
            }
        }
        _ => {}
    }
}
