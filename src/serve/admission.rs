//! `admission.k8s.io/v1` AdmissionReview: reading a request (without trusting it), judging
//! its object with chartguard's object-scope rules, and writing the response.

use crate::evaluate::deadline::Deadline;
use crate::evaluate::{self, policy::PolicySet, policy::Scope, Prepared, PreparedRule};
use crate::files::SourceFile;
use crate::model::{Finding, Severity};
use crate::pipeline::{self, Context};
use crate::provenance::Identity;
use crate::suppress::{self, ConfigRules};
use anyhow::Result;
use serde_json::{json, Map, Value};

pub const API_VERSION: &str = "admission.k8s.io/v1";
pub const KIND: &str = "AdmissionReview";
/// The API server truncates each warning to 120 characters.
pub const MAX_WARNING_CHARS: usize = 120;
/// At most this many warnings (the API server also caps their total size at 4 KiB).
pub const MAX_WARNINGS: usize = 24;
/// At most this many findings are listed in a denial's message.
pub const MAX_DENIAL_LINES: usize = 5;

/// The parts of an admission request chartguard uses.
#[derive(Debug, Clone)]
pub struct Request {
    pub uid: String,
    pub operation: String,
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub object: Option<Value>,
    pub old_object: Option<Value>,
    pub dry_run: bool,
}

/// Reads an AdmissionReview; an `Err` is a message for an HTTP 400 answer.
pub fn parse_review(body: &[u8]) -> std::result::Result<Request, String> {
    let doc: Value =
        serde_json::from_slice(body).map_err(|e| format!("request body is not JSON: {e}"))?;
    let Value::Object(mut doc) = doc else {
        return Err("request body is not a JSON object".into());
    };
    let api_version = doc.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let kind = doc.get("kind").and_then(Value::as_str).unwrap_or("");
    if api_version != API_VERSION || kind != KIND {
        return Err(format!(
            "expected apiVersion {API_VERSION:?} and kind {KIND:?}, found {:?} and {:?} (set admissionReviewVersions: [\"v1\"])",
            clip(api_version, 60),
            clip(kind, 60)
        ));
    }
    // Taken out, not cloned: a review can be megabytes.
    let Some(Value::Object(mut req)) = doc.remove("request") else {
        return Err("AdmissionReview has no `request` object".into());
    };
    let uid = match req.get("uid") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => return Err("request.uid must be a non-empty string".into()),
    };
    let text = |k: &str| {
        req.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let (operation, namespace, name) = (text("operation"), text("namespace"), text("name"));
    let dry_run = req.get("dryRun").and_then(Value::as_bool).unwrap_or(false);
    let mut object = |k: &str| match req.remove(k) {
        Some(v @ Value::Object(_)) => Ok(Some(v)),
        None | Some(Value::Null) => Ok(None),
        Some(_) => Err(format!("request.{k} must be an object")),
    };
    Ok(Request {
        operation: operation.unwrap_or_default(),
        namespace,
        name,
        object: object("object")?,
        old_object: object("oldObject")?,
        dry_run,
        uid,
    })
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!(
            "{}...",
            s.chars().take(max.saturating_sub(3)).collect::<String>()
        )
    }
}

/// How the webhook answers findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Deny at or above the threshold, warn below it.
    Deny,
    /// Never deny: every finding is a warning.
    Warn,
}

/// The answer to one request, before it is written as JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub allowed: bool,
    /// The rules that denied (empty when allowed).
    pub denied_by: Vec<String>,
    pub message: Option<String>,
    pub warnings: Vec<String>,
}

impl Verdict {
    pub fn allow() -> Self {
        Verdict {
            allowed: true,
            denied_by: Vec::new(),
            message: None,
            warnings: Vec::new(),
        }
    }
}

/// The AdmissionReview response document.
pub fn response(uid: &str, verdict: &Verdict) -> Value {
    let mut resp = Map::new();
    resp.insert("uid".into(), Value::from(uid));
    resp.insert("allowed".into(), Value::from(verdict.allowed));
    if !verdict.allowed {
        resp.insert(
            "status".into(),
            json!({"code": 403, "reason": "Forbidden", "message": verdict.message.clone().unwrap_or_default()}),
        );
    }
    if !verdict.warnings.is_empty() {
        resp.insert("warnings".into(), Value::from(verdict.warnings.clone()));
    }
    json!({"apiVersion": API_VERSION, "kind": KIND, "response": Value::Object(resp)})
}

/// What every evaluation needs, shared by the workers: the object-scope rules only.
pub struct Judge {
    pub policies: PolicySet,
    pub opts: evaluate::Options,
    pub suppressions: Vec<suppress::ConfigSuppression>,
    pub mode: Mode,
    /// Deny at or above this severity (`None`: never deny).
    pub fail_on: Option<Severity>,
    /// Every rule id, release-scope ones included, for `chartguard.io/ignore` annotations.
    known_ids: Vec<String>,
}

/// A worker's engine, prepared once with the rules that run (profile, not disabled).
pub struct Engine {
    engine: regorus::Engine,
    rules: std::sync::Arc<Vec<PreparedRule>>,
}

impl Clone for Engine {
    fn clone(&self) -> Self {
        Engine {
            engine: self.engine.clone(),
            rules: self.rules.clone(),
        }
    }
}

impl Judge {
    /// Keeps the rules whose METADATA scope is `object`: rules that need the whole release
    /// (pdb-missing, service-selector-mismatch, …) cannot be judged from one object.
    pub fn new(
        mut policies: PolicySet,
        opts: evaluate::Options,
        suppressions: Vec<suppress::ConfigSuppression>,
        mode: Mode,
        fail_on: Option<Severity>,
    ) -> Judge {
        let known_ids = policies.rules.iter().map(|r| r.meta.id.clone()).collect();
        policies.rules.retain(|r| r.meta.scope == Scope::Object);
        Judge {
            policies,
            opts,
            suppressions,
            mode,
            fail_on,
            known_ids,
        }
    }

    pub fn rule_ids(&self) -> Vec<&str> {
        evaluate::selected(&self.policies, &self.opts)
            .into_iter()
            .map(|(_, r)| r.meta.id.as_str())
            .collect()
    }

    /// A regorus engine holding the libraries and the rules, prepared by one evaluation (so
    /// its rules are analysed once, not per request). Each worker keeps one.
    pub fn engine(&self) -> Result<Engine> {
        let (engine, rules) = evaluate::prepare(&self.policies, &self.opts)?;
        Ok(Engine {
            engine,
            rules: std::sync::Arc::new(rules),
        })
    }

    /// The findings on one object, through the same pipeline as `lint`, suppressed ones
    /// left out; stopped (an `Expired` error) when the deadline passes.
    pub fn findings(
        &self,
        engine: &mut Engine,
        object: &Value,
        deadline: &Deadline,
    ) -> Result<Vec<Finding>> {
        let text = serde_json::to_string(object)?;
        let files = vec![SourceFile {
            name: "<admission>".into(),
            text,
        }];
        let today = suppress::today();
        let (suppressions, _) = ConfigRules::new(&self.suppressions, &today);
        let known: Vec<&str> = self.known_ids.iter().map(String::as_str).collect();
        let run = pipeline::run(
            files,
            &Identity,
            &mut Prepared {
                policies: &self.policies,
                engine: &mut engine.engine,
                rules: &engine.rules,
                deadline: Some(deadline),
            },
            &Context {
                opts: &self.opts,
                known_rules: &known,
                suppressions: &suppressions,
                today: &today,
                previous: None,
            },
        )?;
        let mut findings = run.findings;
        findings.retain(|f| f.suppression.is_none());
        Ok(findings)
    }

    /// Judges a request: DELETE (no object) is allowed; on UPDATE, findings the old object
    /// already had never deny (they are warned about as pre-existing), so a legacy object
    /// can still be scaled or relabelled while new problems are stopped.
    pub fn judge(
        &self,
        engine: &mut Engine,
        req: &Request,
        deadline: &Deadline,
    ) -> Result<Verdict> {
        let Some(object) = &req.object else {
            return Ok(Verdict::allow());
        };
        if req.operation == "DELETE" {
            return Ok(Verdict::allow());
        }
        let findings = self.findings(engine, &prepare(object, req), deadline)?;
        let old: Vec<String> = match (&req.old_object, req.operation.as_str()) {
            (Some(old), "UPDATE") if !findings.is_empty() => self
                .findings(engine, &prepare(old, req), deadline)?
                .into_iter()
                .map(|f| f.fingerprint)
                .collect(),
            _ => Vec::new(),
        };
        Ok(self.verdict(&findings, &old))
    }

    fn verdict(&self, findings: &[Finding], pre_existing: &[String]) -> Verdict {
        let mut denying = Vec::new();
        let mut warnings = Vec::new();
        for f in findings {
            let old = pre_existing.contains(&f.fingerprint);
            let denies =
                self.mode == Mode::Deny && !old && self.fail_on.is_some_and(|t| f.severity >= t);
            if denies {
                denying.push(f);
            } else {
                let prefix = if old { "pre-existing " } else { "" };
                warnings.push(warning(&format!(
                    "{prefix}{}[{}]: {}",
                    f.severity.as_str(),
                    f.rule,
                    f.message
                )));
            }
        }
        if warnings.len() > MAX_WARNINGS {
            let more = warnings.len() - (MAX_WARNINGS - 1);
            warnings.truncate(MAX_WARNINGS - 1);
            warnings.push(format!(
                "chartguard: {more} more finding(s); run `chartguard lint` on the manifest for all"
            ));
        }
        if denying.is_empty() {
            return Verdict {
                allowed: true,
                denied_by: Vec::new(),
                message: None,
                warnings,
            };
        }
        let object = denying[0].object.describe();
        let threshold = self.fail_on.map(Severity::as_str).unwrap_or("error");
        let mut lines = vec![format!(
            "chartguard denied {object}: {} finding(s) at or above {threshold}:",
            denying.len()
        )];
        for f in denying.iter().take(MAX_DENIAL_LINES) {
            lines.push(format!(
                "- {}[{}]: {}",
                f.severity.as_str(),
                f.rule,
                clip(&f.message, 300)
            ));
        }
        if denying.len() > MAX_DENIAL_LINES {
            lines.push(format!(
                "- … and {} more (`chartguard lint` shows all)",
                denying.len() - MAX_DENIAL_LINES
            ));
        }
        let mut denied_by: Vec<String> = denying.iter().map(|f| f.rule.clone()).collect();
        denied_by.sort();
        denied_by.dedup();
        Verdict {
            allowed: false,
            denied_by,
            message: Some(lines.join("\n")),
            warnings,
        }
    }
}

/// One warning, at most [`MAX_WARNING_CHARS`] characters (ASCII `...` marks a cut).
pub fn warning(text: &str) -> String {
    let text = format!("chartguard {text}");
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    clip(&one_line, MAX_WARNING_CHARS)
}

/// The object as the rules should see it: the request's namespace filled in (a namespaced
/// object being created usually has none written), a name for `generateName` objects, and
/// no `managedFields` (large, and no rule reads them).
fn prepare(object: &Value, req: &Request) -> Value {
    let mut object = object.clone();
    if let Some(Value::Object(meta)) = object.get_mut("metadata") {
        meta.remove("managedFields");
        if meta
            .get("namespace")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            if let Some(ns) = &req.namespace {
                meta.insert("namespace".into(), Value::from(ns.as_str()));
            }
        }
        if meta
            .get("name")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            let name = req.name.clone().or_else(|| {
                meta.get("generateName")
                    .and_then(Value::as_str)
                    .map(|g| format!("{g}xxxxx"))
            });
            if let Some(name) = name {
                meta.insert("name".into(), Value::from(name));
            }
        }
    }
    object
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_fit_the_api_servers_limit() {
        let w = warning(&format!("error[x]: {}", "é".repeat(300)));
        assert!(w.chars().count() <= MAX_WARNING_CHARS, "{w}");
        assert!(w.ends_with("..."));
    }

    #[test]
    fn reviews_are_checked_without_panicking() {
        for body in ["", "[]", "{}", "{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\"}", "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":3}}"] {
            assert!(parse_review(body.as_bytes()).is_err(), "{body}");
        }
        let ok = parse_review(br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1","operation":"DELETE","dryRun":true}}"#).unwrap();
        assert_eq!(
            (ok.uid.as_str(), ok.object.is_none(), ok.dry_run),
            ("u1", true, true)
        );
    }
}
