//! Rule parameters, after Gatekeeper's constraint parameters: a rule's METADATA declares each
//! one (`custom.params.<name>`: description, default, JSON Schema), `.chartguard.yaml` may set
//! it (`rules.params.<rule-id>.<name>`), and the rule reads the value in force as
//! `data.params["<rule-id>"].<name>`. Data rather than input: the values belong to the run,
//! not to the release judged, so the webhook sets them once per engine and `policy test`
//! sees the defaults without building them into every test input.

use super::policy::PolicySet;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// One parameter as METADATA declares it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ParamSpec {
    #[serde(default)]
    pub(crate) description: String,
    /// The value when the config sets none; must satisfy `schema`.
    pub(crate) default: Json,
    /// A JSON Schema (any draft the `jsonschema` crate knows; 2020-12 when unsaid).
    pub(crate) schema: Json,
}

/// Checks what a rule declares: parameter names are snake_case (so a rule writes
/// `data.params[id].allowed_types`), each schema compiles and each default satisfies it.
pub(crate) fn check_declarations(
    params: &BTreeMap<String, ParamSpec>,
) -> std::result::Result<(), String> {
    for (name, spec) in params {
        let snake = !name.is_empty()
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !snake {
            return Err(format!(
                "METADATA params.{name}: a parameter name is snake_case (a-z, 0-9, _)"
            ));
        }
        let validator = jsonschema::validator_for(&spec.schema).map_err(|e| {
            format!("METADATA params.{name}.schema is not a valid JSON Schema: {e}")
        })?;
        if let Err(e) = validator.validate(&spec.default) {
            return Err(format!(
                "METADATA params.{name}.default does not satisfy its schema: {}",
                describe(&e)
            ));
        }
    }
    Ok(())
}

/// Applies `.chartguard.yaml`'s `rules.params` to the rules: every rule id must be a rule
/// with parameters, every name one it declares, every value valid against its schema. The
/// error names the key (`rules.params.<id>.<name>`); the caller prefixes the file.
pub(crate) fn apply(
    policies: &mut PolicySet,
    given: &BTreeMap<String, BTreeMap<String, Json>>,
) -> std::result::Result<(), String> {
    for (id, values) in given {
        let ids: Vec<&str> = policies.rules.iter().map(|r| r.meta.id.as_str()).collect();
        let Some(rule) = policies.rule(id) else {
            return Err(format!(
                "rules.params.{id}: no such rule{} (see `chartguard rules`)",
                crate::suppress::did_you_mean(id, &ids)
            ));
        };
        let declared = &rule.meta.params;
        if declared.is_empty() && !values.is_empty() {
            let with: Vec<&str> = policies
                .rules
                .iter()
                .filter(|r| !r.meta.params.is_empty())
                .map(|r| r.meta.id.as_str())
                .collect();
            return Err(format!(
                "rules.params.{id}: rule `{id}` takes no parameters (rules that do: {})",
                with.join(", ")
            ));
        }
        for (name, value) in values {
            let Some(spec) = declared.get(name) else {
                let names: Vec<&str> = declared.keys().map(String::as_str).collect();
                let hint = crate::suppress::did_you_mean(name, &names);
                return Err(format!(
                    "rules.params.{id}.{name}: `{id}` has no parameter `{name}`{hint} (its parameters: {}; see `chartguard rules explain {id}`)",
                    names.join(", ")
                ));
            };
            // The schema compiled when the rule was loaded.
            let validator = jsonschema::validator_for(&spec.schema)
                .map_err(|e| format!("rules.params.{id}.{name}: {e}"))?;
            if let Err(e) = validator.validate(value) {
                return Err(format!(
                    "rules.params.{id}.{name}: {} (schema: {})",
                    describe(&e),
                    spec.schema
                ));
            }
        }
    }
    for (id, values) in given {
        policies
            .params
            .entry(id.clone())
            .or_default()
            .extend(values.clone());
    }
    Ok(())
}

/// The values in force, as the data document the engine gets: `{"params": {id: {name: v}}}`
/// for every rule that declares parameters.
pub(crate) fn data(policies: &PolicySet) -> regorus::Value {
    let mut all = serde_json::Map::new();
    for rule in &policies.rules {
        if rule.meta.params.is_empty() {
            continue;
        }
        let set = policies.params.get(&rule.meta.id);
        let values: serde_json::Map<String, Json> = rule
            .meta
            .params
            .iter()
            .map(|(name, spec)| {
                let v = set.and_then(|s| s.get(name)).unwrap_or(&spec.default);
                (name.clone(), v.clone())
            })
            .collect();
        all.insert(rule.meta.id.clone(), Json::Object(values));
    }
    let doc = serde_json::json!({ "params": all });
    regorus::Value::from_json_str(&doc.to_string()).expect("JSON converts to a Rego value")
}

/// A schema error as one line: where in the value (when not the value itself) and what.
fn describe(e: &jsonschema::ValidationError<'_>) -> String {
    let at = e.instance_path().to_string();
    if at.is_empty() {
        e.to_string()
    } else {
        format!("at {at}: {e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(default: Json, schema: Json) -> BTreeMap<String, ParamSpec> {
        BTreeMap::from([(
            "allowed".to_string(),
            ParamSpec {
                description: String::new(),
                default,
                schema,
            },
        )])
    }

    #[test]
    fn declarations_are_checked() {
        let list = json!({"type": "array", "items": {"type": "string"}});
        assert!(check_declarations(&spec(json!(["A"]), list.clone())).is_ok());
        let err = check_declarations(&spec(json!([1]), list)).unwrap_err();
        assert!(err.contains("params.allowed.default"), "{err}");
        let err = check_declarations(&spec(json!(1), json!({"type": "nonsense"}))).unwrap_err();
        assert!(err.contains("not a valid JSON Schema"), "{err}");
    }
}
