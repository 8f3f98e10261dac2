//! A rule that fails to evaluate (a type it did not expect, a builtin's error) must not take
//! the run down: the other rules' findings still count, and the failure itself is reported
//! as a finding of that rule on the object it failed on, so the user sees which rule could
//! not judge which object. regorus's error text is not shown: it quotes the values it choked
//! on, and a value may be a secret (set `CHARTGUARD_DEBUG` to see it on stderr).
//!
//! The object is found by bisection: the rule is evaluated again with only some objects
//! left in the input (the others replaced by stubs, so indexes stay valid), narrowing down
//! to one object the rule fails on; that object is then stubbed and the rule evaluated again
//! for its findings on the rest.

use super::decode::violations_of;
use super::Violation;
use crate::model::{Severity, Target};
use anyhow::Result;
use regorus::Value;
use std::collections::BTreeSet;

/// At most this many failing objects are named per rule; past it the rule is given up.
const MAX_FAILING_OBJECTS: usize = 8;

/// Evaluates `query` (rule `index`, `id`) over `input` on `engine`. On failure, names the
/// failing objects as findings and returns the rule's findings on the other objects. The
/// engine's input is `input` again afterwards.
pub(super) fn eval_isolated(
    engine: &mut regorus::Engine,
    input: &Value,
    index: usize,
    id: &str,
    query: &str,
) -> Result<Vec<Violation>> {
    let first = engine.eval_rule(query.to_string());
    let error = match first {
        Ok(value) => return violations_of(index, id, &value),
        Err(e) => e,
    };
    debug(id, &error);
    let count = input["resources"].as_array().map(|a| a.len()).unwrap_or(0);
    let mut failing: Vec<usize> = Vec::new();
    let mut out = Vec::new();
    let mut fails = |engine: &mut regorus::Engine, active: &BTreeSet<usize>| -> bool {
        engine.set_input(keep_only(input, count, active));
        engine.eval_rule(query.to_string()).is_err()
    };
    let mut active: BTreeSet<usize> = (0..count).collect();
    loop {
        if failing.len() >= MAX_FAILING_OBJECTS {
            break;
        }
        let Some(culprit) = bisect(engine, &active, &mut fails) else {
            // Fails with no single object to blame (or no objects at all): one finding on
            // the first object, so the failure is seen.
            if failing.is_empty() && count > 0 {
                out.push(failure(index, id, 0, None));
            }
            break;
        };
        failing.push(culprit);
        active.remove(&culprit);
        out.push(failure(index, id, culprit, Some(describe(input, culprit))));
        engine.set_input(keep_only(input, count, &active));
        match engine.eval_rule(query.to_string()) {
            Ok(value) => {
                // Findings on stubbed objects would be about the stub, not the object.
                out.extend(
                    violations_of(index, id, &value)?
                        .into_iter()
                        .filter(|v| active.contains(&v.target.resource)),
                );
                break;
            }
            Err(e) => debug(id, &e),
        }
    }
    engine.set_input(input.clone());
    Ok(out)
}

/// One object of `active` the rule fails on alone (with the others stubbed), if any.
fn bisect(
    engine: &mut regorus::Engine,
    active: &BTreeSet<usize>,
    fails: &mut impl FnMut(&mut regorus::Engine, &BTreeSet<usize>) -> bool,
) -> Option<usize> {
    let mut cands: Vec<usize> = active.iter().copied().collect();
    if cands.is_empty() || !fails(engine, active) {
        return None;
    }
    while cands.len() > 1 {
        let (a, b) = cands.split_at(cands.len() / 2);
        let (a, b): (BTreeSet<usize>, BTreeSet<usize>) =
            (a.iter().copied().collect(), b.iter().copied().collect());
        cands = if fails(engine, &a) {
            a.into_iter().collect()
        } else if fails(engine, &b) {
            b.into_iter().collect()
        } else {
            // Only the two halves together fail (a cross-object rule): blame the first.
            return cands.first().copied();
        };
    }
    cands.first().copied()
}

/// `Kind name` of object `i` of the input, as the rules' messages name it.
fn describe(input: &Value, i: usize) -> String {
    let r = &input["resources"][i as u64];
    let text = |v: &Value| v.as_string().map(|s| s.to_string()).unwrap_or_default();
    format!("{} {}", text(&r["kind"]), text(&r["name"]))
}

/// `object` is `None` when no single object could be blamed.
fn failure(index: usize, id: &str, resource: usize, object: Option<String>) -> Violation {
    let what = object.unwrap_or_else(|| "this release (no single object)".to_string());
    Violation {
        rule: index,
        target: Target {
            resource,
            path: Vec::new(),
        },
        message: format!(
            "rule {id} failed to evaluate on {what}, so it could not judge it: the rule does \
             not handle a value's type or shape here (fix the schema-invalid findings, or \
             report the rule); set CHARTGUARD_DEBUG=1 for the engine's error"
        ),
        related: Vec::new(),
        severity: Some(Severity::Error),
    }
}

fn debug(id: &str, e: &dyn std::fmt::Display) {
    if std::env::var_os("CHARTGUARD_DEBUG").is_some() {
        eprintln!(
            "chartguard: debug: rule {id} failed to evaluate: {}",
            crate::redact::engine_message(&e.to_string())
        );
    }
}

/// `input` with every object outside `active` replaced by an empty stub of no kind, and its
/// views and issues left out, so array positions (the `resource` indexes) stay valid.
fn keep_only(input: &Value, count: usize, active: &BTreeSet<usize>) -> Value {
    let mut out = input.clone();
    let Ok(map) = out.as_object_mut() else {
        return out;
    };
    let key = |k: &str| Value::from(k);
    if let Some(resources) = map.get_mut(&key("resources")) {
        if let Ok(items) = resources.as_array_mut() {
            for (i, item) in items.iter_mut().enumerate().take(count) {
                if !active.contains(&i) {
                    *item = stub(i);
                }
            }
        }
    }
    for view in ["pods", "containers", "schema_issues", "suppression_issues"] {
        if let Some(list) = map.get_mut(&key(view)) {
            if let Ok(items) = list.as_array_mut() {
                items.retain(|v| {
                    v["resource"]
                        .as_u64()
                        .map(|r| active.contains(&(r as usize)))
                        .unwrap_or(true)
                });
            }
        }
    }
    // The index must not point at stubbed objects: rebuilt for what is left.
    let index = super::index::build(&out);
    if let Ok(map) = out.as_object_mut() {
        map.insert(key("index"), index);
    }
    out
}

fn stub(i: usize) -> Value {
    super::rego::obj([
        ("index", Value::from(i as u64)),
        ("api_version", Value::from("")),
        ("kind", Value::from("")),
        ("name", Value::from("")),
        ("namespace", Value::Null),
        ("object", Value::new_object()),
        (
            "origin",
            super::rego::obj([
                ("file", Value::from("")),
                ("line", Value::from(0u64)),
                ("template", Value::Null),
            ]),
        ),
        ("hook", Value::Null),
    ])
}
