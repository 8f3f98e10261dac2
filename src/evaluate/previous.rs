//! `input.previous`: the release before the change, for upgrade rules (METADATA `scope:
//! upgrade`; shape in `policies/README.md`). Absent when no `--previous` was given, so an
//! upgrade rule reports nothing then.

use super::rego::{obj, path_value};
use super::{input, Options};
use crate::upgrade::{diff::Pairing, Previous};
use regorus::Value;

/// Adds `previous` to an input document built by [`input::build`] for `current` objects.
pub(crate) fn attach(
    doc: &mut Value,
    current: usize,
    previous: &Previous,
    pairing: &Pairing,
    opts: &Options,
) {
    // The previous objects in exactly the shape of `input.resources`.
    let resources =
        input::without_index(&previous.resources, opts, &previous.files, &[])["resources"].clone();
    let index = |i: &usize| Value::from(*i as u64);
    let pairs: Vec<Value> = pairing
        .pairs
        .iter()
        .map(|p| {
            obj([
                ("current", index(&p.current)),
                ("previous", index(&p.previous)),
                (
                    "changed",
                    Value::from(p.changed.iter().map(|c| path_value(c)).collect::<Vec<_>>()),
                ),
            ])
        })
        .collect();
    let value = obj([
        ("source", Value::from(previous.source.as_str())),
        (
            "helm_timeout_seconds",
            Value::from(previous.helm_timeout_seconds),
        ),
        ("offset", Value::from(current as u64)),
        ("resources", resources),
        ("pairs", Value::from(pairs)),
        (
            "added",
            Value::from(pairing.added.iter().map(index).collect::<Vec<_>>()),
        ),
        (
            "removed",
            Value::from(pairing.removed.iter().map(index).collect::<Vec<_>>()),
        ),
    ]);
    if let Ok(map) = doc.as_object_mut() {
        map.insert(Value::from("previous"), value);
    }
}
