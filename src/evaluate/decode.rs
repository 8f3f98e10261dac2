//! A rule's `report` set read back into [`Violation`]s, checking the contract in
//! `policies/README.md` so a broken user rule fails loudly, naming itself.

use super::{Related, Violation};
use crate::model::{PathSeg, Severity, Target};
use anyhow::{anyhow, Result};
use regorus::Value;

fn parse_path(id: &str, v: &Value) -> Result<Vec<PathSeg>> {
    let Value::Array(items) = v else {
        return Err(anyhow!(
            "rule {id}: violation `path` must be an array, found {v}"
        ));
    };
    items
        .iter()
        .map(|s| match s {
            Value::String(k) => Ok(PathSeg::Key(k.to_string())),
            Value::Number(_) => s
                .as_u64()
                .map(|i| PathSeg::Index(i as usize))
                .map_err(|e| anyhow!("rule {id}: bad path index: {e}")),
            other => Err(anyhow!(
                "rule {id}: path segments are strings or numbers, found {other}"
            )),
        })
        .collect()
}

fn field<'v>(id: &str, v: &'v Value, name: &str) -> Result<&'v Value> {
    match &v[name] {
        Value::Undefined => Err(anyhow!("rule {id}: violation has no `{name}`: {v}")),
        x => Ok(x),
    }
}

/// Reads a rule's `report` set, checking the contract so a broken user rule fails loudly.
pub(crate) fn violations_of(rule: usize, id: &str, value: &Value) -> Result<Vec<Violation>> {
    let items: Vec<&Value> = match value {
        Value::Undefined => return Ok(Vec::new()),
        Value::Set(s) => s.iter().collect(),
        Value::Array(a) => a.iter().collect(),
        other => return Err(anyhow!("rule {id}: `report` must be a set, found {other}")),
    };
    let mut out = Vec::with_capacity(items.len());
    for v in items {
        let resource = field(id, v, "resource")?
            .as_u64()
            .map_err(|_| anyhow!("rule {id}: `resource` must be an index"))?
            as usize;
        let path = parse_path(id, field(id, v, "path")?)?;
        let message = field(id, v, "message")?
            .as_string()
            .map_err(|_| anyhow!("rule {id}: `message` must be a string"))?
            .to_string();
        let mut related = Vec::new();
        let rel_items: Vec<&Value> = match &v["related"] {
            Value::Array(a) => a.iter().collect(),
            Value::Set(s) => s.iter().collect(),
            _ => Vec::new(),
        };
        for r in rel_items {
            related.push(Related {
                target: Target {
                    resource: field(id, r, "resource")?
                        .as_u64()
                        .map_err(|_| anyhow!("rule {id}: related `resource` must be an index"))?
                        as usize,
                    path: parse_path(id, field(id, r, "path")?)?,
                },
                message: r["message"]
                    .as_string()
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
            });
        }
        let severity = match &v["severity"] {
            Value::Undefined | Value::Null => None,
            Value::String(s) => Some(Severity::parse(s).ok_or_else(|| {
                anyhow!("rule {id}: severity must be error, warning or note, found {s:?}")
            })?),
            other => {
                return Err(anyhow!(
                    "rule {id}: severity must be a string, found {other}"
                ))
            }
        };
        out.push(Violation {
            rule,
            target: Target { resource, path },
            message,
            related,
            severity,
        });
    }
    Ok(out)
}
