//! Rego values built from span trees and paths, for the input document and its views.

use crate::model::PathSeg;
use crate::yaml::{Node, Value as Y};
use regorus::Value;
use std::collections::BTreeMap;

pub(super) fn to_rego(node: &Node) -> Value {
    match &node.value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::from(*b),
        Y::Int(i) => Value::from(*i),
        Y::Float(f) => Value::from(*f),
        Y::Str(s) => Value::from(s.as_str()),
        Y::Seq(items) => Value::from(items.iter().map(to_rego).collect::<Vec<_>>()),
        Y::Map(entries) => {
            // A key set to null is an absent field to the API server (JSON null leaves a Go
            // struct field unset), and rules written for the schema cannot take null where a
            // string or an object belongs (`spec: null`, a container `name: null`).
            let map: BTreeMap<Value, Value> = entries
                .iter()
                .filter(|e| !matches!(e.value.value, Y::Null))
                .map(|e| (Value::from(e.key.as_str()), to_rego(&e.value)))
                .collect();
            Value::from(map)
        }
    }
}

pub(super) fn obj<const N: usize>(fields: [(&str, Value); N]) -> Value {
    Value::from(
        fields
            .into_iter()
            .map(|(k, v)| (Value::from(k), v))
            .collect::<BTreeMap<_, _>>(),
    )
}

pub(super) fn opt_str(s: Option<&str>) -> Value {
    s.map(Value::from).unwrap_or(Value::Null)
}

pub(super) fn path_value(path: &[PathSeg]) -> Value {
    Value::from(
        path.iter()
            .map(|s| match s {
                PathSeg::Key(k) => Value::from(k.as_str()),
                PathSeg::Index(i) => Value::from(*i as u64),
            })
            .collect::<Vec<_>>(),
    )
}

/// A list of strings.
pub(super) fn strings(items: &[String]) -> Value {
    Value::from(
        items
            .iter()
            .map(|e| Value::from(e.as_str()))
            .collect::<Vec<_>>(),
    )
}
