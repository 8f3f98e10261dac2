//! The typed parse: every kind k8s-openapi knows is deserialized into its generated type,
//! straight from the span tree, so a type error or a key the schema does not have becomes a
//! finding at the exact line — `schema-invalid` and `unknown-field`.
//!
//! k8s-openapi ignores keys it does not know; our deserializer sees the list of fields each
//! generated struct asks for (`deserialize_struct`'s `fields`) and reports every other key,
//! with the nearest real field name as a hint. Errors never carry the value they rejected:
//! a type error inside a Secret must not print the secret.

// `DeError` is the rare path of the typed parse (one per invalid object) and serde's
// Deserializer returns it from every method; its size does not matter, boxing would only
// add an allocation.
#![allow(clippy::result_large_err)]

use crate::model::PathSeg;
use crate::yaml::{Node, Pos, Value};
use serde::de::{
    self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};
use std::cell::RefCell;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IssueKind {
    Invalid,
    UnknownField,
}

impl IssueKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            IssueKind::Invalid => "invalid",
            IssueKind::UnknownField => "unknown-field",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Issue {
    pub(crate) kind: IssueKind,
    pub(crate) path: Vec<PathSeg>,
    pub(crate) message: String,
}

type CheckFn = fn(&Node, &Sink) -> Result<(), DeError>;

macro_rules! typed_kinds {
    ($($ty:path),* $(,)?) => {
        /// `(apiVersion, kind, check)` for every kind with a typed model.
        fn registry() -> &'static [(&'static str, &'static str, CheckFn)] {
            use k8s_openapi::Resource;
            static REGISTRY: std::sync::OnceLock<Vec<(&'static str, &'static str, CheckFn)>> =
                std::sync::OnceLock::new();
            REGISTRY.get_or_init(|| vec![$(
                (<$ty>::API_VERSION, <$ty>::KIND, check::<$ty> as CheckFn),
            )*])
        }
    };
}

typed_kinds!(
    k8s_openapi::api::core::v1::Pod,
    k8s_openapi::api::core::v1::Service,
    k8s_openapi::api::core::v1::ConfigMap,
    k8s_openapi::api::core::v1::Secret,
    k8s_openapi::api::core::v1::ServiceAccount,
    k8s_openapi::api::core::v1::PersistentVolumeClaim,
    k8s_openapi::api::core::v1::PersistentVolume,
    k8s_openapi::api::core::v1::Namespace,
    k8s_openapi::api::core::v1::Endpoints,
    k8s_openapi::api::core::v1::LimitRange,
    k8s_openapi::api::core::v1::ResourceQuota,
    k8s_openapi::api::core::v1::ReplicationController,
    k8s_openapi::api::core::v1::PodTemplate,
    k8s_openapi::api::apps::v1::Deployment,
    k8s_openapi::api::apps::v1::StatefulSet,
    k8s_openapi::api::apps::v1::DaemonSet,
    k8s_openapi::api::apps::v1::ReplicaSet,
    k8s_openapi::api::batch::v1::Job,
    k8s_openapi::api::batch::v1::CronJob,
    k8s_openapi::api::autoscaling::v1::HorizontalPodAutoscaler,
    k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler,
    k8s_openapi::api::policy::v1::PodDisruptionBudget,
    k8s_openapi::api::networking::v1::Ingress,
    k8s_openapi::api::networking::v1::IngressClass,
    k8s_openapi::api::networking::v1::NetworkPolicy,
    k8s_openapi::api::rbac::v1::Role,
    k8s_openapi::api::rbac::v1::RoleBinding,
    k8s_openapi::api::rbac::v1::ClusterRole,
    k8s_openapi::api::rbac::v1::ClusterRoleBinding,
    k8s_openapi::api::storage::v1::StorageClass,
    k8s_openapi::api::storage::v1::CSIDriver,
    k8s_openapi::api::scheduling::v1::PriorityClass,
    k8s_openapi::api::node::v1::RuntimeClass,
    k8s_openapi::api::coordination::v1::Lease,
    k8s_openapi::api::discovery::v1::EndpointSlice,
    k8s_openapi::api::admissionregistration::v1::ValidatingWebhookConfiguration,
    k8s_openapi::api::admissionregistration::v1::MutatingWebhookConfiguration,
    k8s_openapi::api::admissionregistration::v1::ValidatingAdmissionPolicy,
    k8s_openapi::api::admissionregistration::v1::ValidatingAdmissionPolicyBinding,
    k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition,
    k8s_openapi::kube_aggregator::pkg::apis::apiregistration::v1::APIService,
);

/// Whether chartguard has a typed model for this apiVersion/kind.
#[cfg(test)]
fn is_typed(api_version: &str, kind: &str) -> bool {
    registry()
        .iter()
        .any(|(a, k, _)| *a == api_version && *k == kind)
}

/// Type-check one object: its issues, and the tree without the values of the wrong type
/// (`None` when nothing was dropped). Returns no issues for kinds without a typed model.
///
/// Rules see the pruned tree: a value of the wrong type is already a `schema-invalid`
/// finding, and a rule written for the schema's shape (`sprintf("%q", [c.name])`,
/// `base64.decode`, `object.get(spec, …)`) would fail on it and take the run down.
pub(crate) fn check_object(
    api_version: &str,
    kind: &str,
    root: &Node,
) -> (Vec<Issue>, Option<Node>) {
    let Some((_, _, check)) = registry()
        .iter()
        .find(|(a, k, _)| *a == api_version && *k == kind)
    else {
        // Rules match on the kind alone, so an object of a known kind under another
        // apiVersion (a typo, a CRD reusing the name) reaches them too: prune it with the
        // known kind's model, but report nothing, since that is not its schema.
        let Some((known, _, _)) = registry().iter().find(|(_, k, _)| *k == kind) else {
            return (Vec::new(), None);
        };
        // The typed model checks apiVersion itself: give it the one it knows.
        let mut as_known = root.clone();
        if let Value::Map(entries) = &mut as_known.value {
            for e in entries.iter_mut().filter(|e| e.key == "apiVersion") {
                e.value.value = Value::Str(known.to_string());
            }
        }
        let pruned = check_object(known, kind, &as_known).1.map(|mut tree| {
            if let (Value::Map(entries), Value::Map(orig)) = (&mut tree.value, &root.value) {
                for e in entries.iter_mut().filter(|e| e.key == "apiVersion") {
                    if let Some(o) = orig.iter().find(|o| o.key == "apiVersion") {
                        e.value = o.value.clone();
                    }
                }
            }
            tree
        });
        return (Vec::new(), pruned);
    };
    let secret = kind == "Secret";
    let mut issues = Vec::new();
    let mut tree: Option<Node> = None;
    // What the rules must not see (see `DeError::rules_handle` for what they may).
    let mut prune: Vec<Vec<PathSeg>> = Vec::new();
    // serde stops at the first type error; drop the offending node and look again so one run
    // reports every error of an object, not one per run. The bound keeps a pathological object
    // (thousands of bad fields) linear enough; what is left past it is caught by the rule
    // failure isolation in the evaluator.
    for _ in 0..64 {
        let node = tree.as_ref().unwrap_or(root);
        let sink = Sink::default();
        let result = check(node, &sink);
        for issue in sink.unknown.into_inner() {
            if !issues.contains(&issue) {
                issues.push(issue);
            }
        }
        let Err(err) = result else { break };
        let path: Vec<PathSeg> = err.path_rev.iter().rev().cloned().collect();
        // ConfigMap binaryData is as opaque as Secret data: never quote it either.
        let opaque = secret || matches!(path.first(), Some(PathSeg::Key(k)) if k == "binaryData");
        let issue = Issue {
            kind: IssueKind::Invalid,
            message: err.describe(&path, opaque),
            path: path.clone(),
        };
        if issues.contains(&issue) {
            break;
        }
        issues.push(issue);
        if !err.rules_handle() {
            prune.push(path.clone());
        }
        let mut next = tree.take().unwrap_or_else(|| root.clone());
        // A missing field is reported at its parent; dropping the parent would hide the
        // errors inside it, so stop there.
        if path.is_empty() || err.missing.is_some() || !remove_at(&mut next, &path) {
            break;
        }
        tree = Some(next);
    }
    if prune.is_empty() {
        return (issues, None);
    }
    let mut for_rules = root.clone();
    for path in &prune {
        remove_at(&mut for_rules, path);
    }
    (issues, Some(for_rules))
}

fn check<T: serde::de::DeserializeOwned>(node: &Node, sink: &Sink) -> Result<(), DeError> {
    T::deserialize(De { node, sink }).map(|_| ())
}

/// Removes the node at `path` so the next attempt gets past it.
fn remove_at(root: &mut Node, path: &[PathSeg]) -> bool {
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    let mut node = root;
    for seg in parents {
        let next = match (seg, &mut node.value) {
            (PathSeg::Key(k), Value::Map(entries)) => entries
                .iter_mut()
                .rev()
                .find(|e| &e.key == k)
                .map(|e| &mut e.value),
            (PathSeg::Index(i), Value::Seq(items)) => items.get_mut(*i),
            _ => None,
        };
        match next {
            Some(n) => node = n,
            None => return false,
        }
    }
    match (last, &mut node.value) {
        (PathSeg::Key(k), Value::Map(entries)) => {
            let before = entries.len();
            entries.retain(|e| &e.key != k);
            entries.len() != before
        }
        (PathSeg::Index(i), Value::Seq(items)) if *i < items.len() => {
            // Keep indices stable for later messages: null is skipped by optional fields.
            items[*i].value = Value::Null;
            true
        }
        _ => false,
    }
}

#[derive(Default)]
struct Sink {
    unknown: RefCell<Vec<Issue>>,
}

#[derive(Debug)]
pub(crate) struct DeError {
    /// What was expected, from serde's `Expected` (a type or value description).
    expected: Option<String>,
    /// What was found, as a type name only: never the value.
    found: Option<&'static str>,
    /// The string found reads as a number (`"4"`): a quoted number, not a wrong value.
    numeric_text: bool,
    missing: Option<String>,
    custom: Option<String>,
    path_rev: Vec<PathSeg>,
    pos: Option<Pos>,
}

impl DeError {
    /// A quoted number where a number belongs (`replicas: "4"`, Helm's `| quote`): still a
    /// finding, but rules read such values on purpose (`lib.replicas`), so they keep it.
    fn rules_handle(&self) -> bool {
        self.found == Some("a string")
            && self.expected.as_deref().is_some_and(|e| {
                e.contains("i32") || e.contains("i64") || e.contains("integer") || e == "f64"
            })
    }

    fn blank() -> Self {
        DeError {
            expected: None,
            found: None,
            numeric_text: false,
            missing: None,
            custom: None,
            path_rev: Vec::new(),
            pos: None,
        }
    }

    fn describe(&self, path: &[PathSeg], secret: bool) -> String {
        let at = if path.is_empty() {
            "the object".to_string()
        } else {
            crate::model::path_to_string(path)
        };
        if let Some(field) = &self.missing {
            return format!("{at}: required field `{field}` is missing");
        }
        match (&self.expected, self.found) {
            (Some(exp), Some(found)) => {
                let wants_integer =
                    exp.contains("i32") || exp.contains("i64") || exp.contains("integer");
                let hint = if found == "a string" && wants_integer && self.numeric_text {
                    " (a quoted number: drop the quotes, or `| int` instead of `| quote` in the template)"
                } else if found == "a string" && wants_integer {
                    " (a text that is not a number: check the value given for it in the values files or --set)"
                } else if (found == "a number" || found == "an integer") && exp.contains("string") {
                    " (quote it in the template: `| quote`)"
                } else {
                    ""
                };
                format!(
                    "{at}: expected {}, found {found}{hint}",
                    friendly_expected(exp)
                )
            }
            (Some(exp), None) => {
                format!("{at}: invalid value, expected {}", friendly_expected(exp))
            }
            _ => match &self.custom {
                // k8s-openapi's ByteString: Secret `data` (and ConfigMap `binaryData`) must be
                // base64; the API server rejects the object otherwise. The usual cause is a
                // forgotten `b64enc`.
                Some(_)
                    if matches!(path.first(), Some(PathSeg::Key(k)) if k == "data" || k == "binaryData")
                        && path.len() == 2 =>
                {
                    format!(
                        "{at}: not valid base64; the API server rejects it (encode the value with \
                     `| b64enc` in the template, or put it under `stringData`)"
                    )
                }
                Some(msg) if !secret => format!("{at}: {msg}"),
                _ => format!("{at}: invalid value"),
            },
        }
    }
}

fn friendly_expected(exp: &str) -> String {
    match exp {
        "i32" | "a 32-bit integer" => "an integer (int32)".into(),
        "i64" => "an integer (int64)".into(),
        "f64" => "a number".into(),
        "a string" | "a borrowed string" => "a string".into(),
        "a boolean" | "bool" => "a boolean (true/false)".into(),
        "a sequence" => "a list".into(),
        "a map" => "a mapping".into(),
        other if other.starts_with("struct ") => format!("a mapping ({})", &other[7..]),
        other => other.to_string(),
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe(&[], true))
    }
}

impl std::error::Error for DeError {}

fn unexpected_type(u: &de::Unexpected<'_>) -> &'static str {
    use de::Unexpected::*;
    match u {
        Bool(_) => "a boolean",
        Unsigned(_) | Signed(_) => "an integer",
        Float(_) => "a number",
        Char(_) | Str(_) => "a string",
        Bytes(_) => "bytes",
        Unit | Option => "null",
        Seq => "a list",
        Map => "a mapping",
        _ => "a value",
    }
}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError {
            custom: Some(msg.to_string()),
            ..DeError::blank()
        }
    }
    fn invalid_type(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        DeError {
            expected: Some(exp.to_string()),
            found: Some(unexpected_type(&unexp)),
            numeric_text: matches!(unexp, de::Unexpected::Str(s) if s.trim().parse::<f64>().is_ok()),
            ..DeError::blank()
        }
    }
    fn invalid_value(_unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        DeError {
            expected: Some(exp.to_string()),
            ..DeError::blank()
        }
    }
    fn missing_field(field: &'static str) -> Self {
        DeError {
            missing: Some(field.to_string()),
            ..DeError::blank()
        }
    }
}

#[derive(Clone, Copy)]
struct De<'a> {
    node: &'a Node,
    sink: &'a Sink,
}

impl<'a> De<'a> {
    fn err_at(self, mut e: DeError) -> DeError {
        if e.pos.is_none() {
            e.pos = Some(self.node.pos);
        }
        e
    }
}

/// Adds the segment a child was reached by to errors coming out of it.
fn within(seg: PathSeg, mut e: DeError) -> DeError {
    e.path_rev.push(seg);
    e
}

impl<'de, 'a> Deserializer<'de> for De<'a> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let r = match &self.node.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Int(i) => visitor.visit_i64(*i),
            Value::Float(f) => visitor.visit_f64(*f),
            Value::Str(s) => visitor.visit_str(s),
            Value::Seq(items) => visitor.visit_seq(Seq {
                items: items.iter().enumerate(),
                sink: self.sink,
            }),
            Value::Map(_) => visitor.visit_map(Map::new(self.node, self.sink)),
        };
        r.map_err(|e| self.err_at(e))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.node.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        if let Value::Map(entries) = &self.node.value {
            for e in entries {
                if !fields.contains(&e.key.as_str()) {
                    // The path of an unknown key is only known here, on the way down, so the
                    // sink records it relative to this struct and `Map` prefixes parents later.
                    let hint = suggest(&e.key, fields)
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default();
                    self.sink.unknown.borrow_mut().push(Issue {
                        kind: IssueKind::UnknownField,
                        path: vec![PathSeg::Key(e.key.clone())],
                        message: format!("unknown field `{}` in {name}{hint}", e.key),
                    });
                }
            }
        }
        self.deserialize_any(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match &self.node.value {
            Value::Str(s) => visitor
                .visit_enum(s.as_str().into_deserializer())
                .map_err(|e: de::value::Error| self.err_at(<DeError as de::Error>::custom(e))),
            _ => Err(self.err_at(<DeError as de::Error>::invalid_type(
                de::Unexpected::Map,
                &"a string",
            ))),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map identifier
    }
}

struct Seq<'a> {
    items: std::iter::Enumerate<std::slice::Iter<'a, Node>>,
    sink: &'a Sink,
}

impl<'de, 'a> SeqAccess<'de> for Seq<'a> {
    type Error = DeError;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        let Some((i, node)) = self.items.next() else {
            return Ok(None);
        };
        let mark = self.sink.unknown.borrow().len();
        let r = seed
            .deserialize(De {
                node,
                sink: self.sink,
            })
            .map_err(|e| within(PathSeg::Index(i), e));
        prefix_unknown(self.sink, mark, PathSeg::Index(i));
        r.map(Some)
    }
}

struct Map<'a> {
    entries: std::slice::Iter<'a, crate::yaml::Entry>,
    current: Option<&'a crate::yaml::Entry>,
    sink: &'a Sink,
}

impl<'a> Map<'a> {
    fn new(node: &'a Node, sink: &'a Sink) -> Self {
        Map {
            entries: node.entries().iter(),
            current: None,
            sink,
        }
    }
}

impl<'de, 'a> MapAccess<'de> for Map<'a> {
    type Error = DeError;
    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let Some(entry) = self.entries.next() else {
            return Ok(None);
        };
        self.current = Some(entry);
        let key: de::value::StrDeserializer<'_, DeError> = entry.key.as_str().into_deserializer();
        seed.deserialize(key).map(Some)
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let entry = self.current.take().expect("value after key");
        let seg = PathSeg::Key(entry.key.clone());
        let mark = self.sink.unknown.borrow().len();
        let r = seed
            .deserialize(De {
                node: &entry.value,
                sink: self.sink,
            })
            .map_err(|e| within(seg.clone(), e));
        prefix_unknown(self.sink, mark, seg);
        r
    }
}

/// Unknown keys recorded below a child get that child's segment in front of their path.
fn prefix_unknown(sink: &Sink, mark: usize, seg: PathSeg) {
    let mut unknown = sink.unknown.borrow_mut();
    for issue in unknown.iter_mut().skip(mark) {
        issue.path.insert(0, seg.clone());
    }
}

/// The field the author most likely meant: same letters in another case, or within two edits.
fn suggest<'f>(key: &str, fields: &[&'f str]) -> Option<&'f str> {
    if let Some(f) = fields.iter().find(|f| f.eq_ignore_ascii_case(key)) {
        return Some(f);
    }
    fields
        .iter()
        .map(|f| (strsim::damerau_levenshtein(key, f), *f))
        .filter(|(d, f)| *d <= 2 && *d < f.len() / 2 + 1)
        .min_by_key(|(d, _)| *d)
        .map(|(_, f)| f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_document;
    use pretty_assertions::assert_eq;

    /// `check_object` on the one document of `text`, with its own apiVersion and kind.
    pub(super) fn checked(text: &str) -> (Vec<Issue>, Option<Node>) {
        let root = parse_document(text, 0).unwrap().unwrap().root;
        let api = root
            .get("apiVersion")
            .and_then(Node::as_str)
            .unwrap()
            .to_string();
        let kind = root.get("kind").and_then(Node::as_str).unwrap().to_string();
        check_object(&api, &kind, &root)
    }

    fn issues(text: &str) -> Vec<(IssueKind, String, String)> {
        checked(text)
            .0
            .into_iter()
            .map(|i| (i.kind, crate::model::path_to_string(&i.path), i.message))
            .collect()
    }

    const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: REPLICAS\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      securityContext:\n        runAsNonroot: true\n      containers:\n        - name: app\n          image: nginx:1.27\n";

    #[test]
    fn quoted_integer_is_schema_invalid() {
        let found = issues(&DEPLOY.replace("REPLICAS", "\"3\""));
        assert!(
            found.iter().any(|(k, p, m)| *k == IssueKind::Invalid
                && p == "spec.replicas"
                && m.contains("expected an integer (int32), found a string")),
            "{found:#?}"
        );
    }

    #[test]
    fn only_a_quoted_number_gets_the_quoted_number_hint() {
        let message = |replicas: &str| {
            let found = issues(&DEPLOY.replace("REPLICAS", replicas));
            found
                .into_iter()
                .find(|(_, p, _)| p == "spec.replicas")
                .map(|(_, _, m)| m)
                .unwrap()
        };
        assert!(message("\"3\"").contains("(a quoted number: drop the quotes"));
        // `--set replicaCount=two`: no quotes to drop; and the value itself is never shown.
        let two = message("two");
        assert!(
            two.contains("(a text that is not a number") && !two.contains("quoted number"),
            "{two}"
        );
        assert!(!two.contains("two"), "{two}");
    }

    #[test]
    fn misspelt_key_is_unknown_with_a_hint() {
        let found = issues(&DEPLOY.replace("REPLICAS", "3"));
        assert_eq!(found.len(), 1, "{found:#?}");
        let (kind, path, message) = &found[0];
        assert_eq!(*kind, IssueKind::UnknownField);
        assert_eq!(path, "spec.template.spec.securityContext.runAsNonroot");
        assert!(
            message.contains("did you mean `runAsNonRoot`?"),
            "{message}"
        );
    }

    #[test]
    fn several_errors_in_one_object_are_all_reported() {
        let text = DEPLOY.replace("REPLICAS", "\"3\"").replace(
            "image: nginx:1.27",
            "image: nginx:1.27\n          ports:\n            - containerPort: \"80\"",
        );
        let found = issues(&text);
        let paths: Vec<_> = found.iter().map(|(_, p, _)| p.as_str()).collect();
        assert!(paths.contains(&"spec.replicas"), "{found:#?}");
        assert!(
            paths.contains(&"spec.template.spec.containers[0].ports[0].containerPort"),
            "{found:#?}"
        );
    }

    #[test]
    fn a_mapping_where_a_list_belongs() {
        // k8s-openapi defaults absent required fields instead of rejecting them, so a missing
        // field is not a typed-parse issue; a wrong shape is.
        let found = issues(
            "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n    port: 80\n",
        );
        assert!(
            found.iter().any(
                |(_, p, m)| p == "spec.ports" && m.contains("expected a list, found a mapping")
            ),
            "{found:#?}"
        );
    }

    #[test]
    fn secret_errors_never_show_values() {
        let found = issues("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  password: \"not base64 hunter2!!\"\n");
        for (_, _, m) in &found {
            assert!(!m.contains("hunter2"), "{m}");
        }
        assert!(!found.is_empty());
    }

    #[test]
    fn label_values_must_be_strings() {
        let found = issues(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n    version: 1.0\n",
        );
        assert!(
            found
                .iter()
                .any(|(_, p, m)| p == "metadata.labels.version" && m.contains("found a number")),
            "{found:#?}"
        );
    }

    #[test]
    fn unknown_kinds_are_not_checked() {
        assert!(!is_typed("external-secrets.io/v1", "ExternalSecret"));
        assert!(is_typed("apps/v1", "Deployment"));
    }
}

#[cfg(test)]
mod pruning {
    use super::*;
    use crate::yaml::parse_document;

    fn pruned(text: &str) -> Option<Node> {
        super::tests::checked(text).1
    }

    #[test]
    fn values_of_the_wrong_type_are_pruned_for_the_rules() {
        let tree = pruned("apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec: \"x\"\n")
            .expect("pruned");
        assert!(tree.get("spec").is_none());
        assert!(tree.get("metadata").is_some());
    }

    #[test]
    fn a_known_kind_under_another_api_version_is_pruned_but_not_reported() {
        let root = parse_document(
            "apiVersion: v9\nkind: Service\nmetadata:\n  name: s\nspec: \"x\"\n",
            0,
        )
        .unwrap()
        .unwrap()
        .root;
        let (issues, tree) = check_object("v9", "Service", &root);
        assert!(issues.is_empty());
        assert!(tree.expect("pruned").get("spec").is_none());
    }
}
