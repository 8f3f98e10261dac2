//! The answer for an object chartguard could not judge — past the deadline, the server
//! saturated, or a rule failed on it — so the API server gets a decision (as `--unjudged`
//! says) rather than an HTTP error it would resolve with the webhook's `failurePolicy`.
//! No message here quotes the object beyond its kind, namespace and name.

use super::admission::{self, Verdict};
use super::limits::Unjudged;
use std::time::Duration;

/// Why an object was not judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// It has more JSON values than `--max-object-values`: not evaluated at all.
    TooLarge { values: u64, limit: u64 },
    /// Its review is over the body limit: not read at all.
    BodyTooLarge { bytes: u64, limit: u64 },
    /// Its evaluation did not finish by the deadline.
    TooCostly,
    /// It waited for capacity (a body slot, memory, a worker) until the deadline.
    Saturated,
    /// Its body did not arrive by the deadline.
    SlowBody,
    /// A rule failed or panicked on it.
    RuleFailed,
}

impl Reason {
    pub fn label(self) -> &'static str {
        match self {
            Reason::TooLarge { .. } | Reason::BodyTooLarge { .. } => "too-large",
            Reason::TooCostly => "deadline",
            Reason::Saturated => "saturated",
            Reason::SlowBody => "slow-body",
            Reason::RuleFailed => "rule-failed",
        }
    }

    fn explain(self, budget: Duration) -> String {
        let secs = budget.as_secs_f64();
        match self {
            Reason::TooLarge { values, limit } => format!(
                "it has {values} values (fields, list items, strings …), over the {limit} chartguard judges"
            ),
            Reason::BodyTooLarge { bytes, limit } => {
                format!("its review is {bytes} bytes, over the {limit} chartguard reads")
            }
            Reason::TooCostly => format!("its rules did not finish within {secs} s"),
            Reason::Saturated => {
                format!("the webhook was saturated with other reviews for {secs} s")
            }
            Reason::SlowBody => format!("its review did not arrive within {secs} s"),
            Reason::RuleFailed => "a rule failed on it".into(),
        }
    }
}

/// The verdict for an object that was not judged. `object` names it (`Deployment ns/x`)
/// when it was read.
pub fn verdict(
    policy: Unjudged,
    reason: Reason,
    budget: Duration,
    object: Option<&str>,
) -> Verdict {
    let object = object.unwrap_or("the object");
    let why = reason.explain(budget);
    match policy {
        Unjudged::Deny => Verdict {
            allowed: false,
            denied_by: Vec::new(),
            message: Some(format!(
                "chartguard could not judge {object}: {why}. Objects chartguard cannot judge are denied (chartguard serve --unjudged deny). {}",
                match reason {
                    Reason::Saturated | Reason::SlowBody => "Retry in a moment.",
                    Reason::TooCostly | Reason::TooLarge { .. } | Reason::BodyTooLarge { .. } => "Split the object into smaller ones, or run `chartguard lint` on it and ask the platform team to exempt it.",
                    Reason::RuleFailed => "Run `chartguard lint` on the manifest to see which rule, and report it.",
                }
            )),
            warnings: Vec::new(),
        },
        Unjudged::Allow => Verdict {
            allowed: true,
            denied_by: Vec::new(),
            message: None,
            warnings: vec![admission::warning(&format!(
                "did not judge {object} ({}): admitted unchecked",
                match reason {
                    Reason::TooLarge { .. } => "too many values",
                    Reason::BodyTooLarge { .. } => "review too large",
                    Reason::TooCostly => "deadline passed",
                    Reason::Saturated => "webhook saturated",
                    Reason::SlowBody => "review too slow to arrive",
                    Reason::RuleFailed => "a rule failed",
                }
            ))],
        },
    }
}

/// The review's `request.uid`, found in the first bytes of a body that was not (or not
/// wholly) parsed. The API server writes `uid` first in `request` (Go encodes struct
/// fields in order), so the beginning of the body is enough; a client that writes it
/// elsewhere gets an HTTP error instead of a decision.
pub fn sniff_uid(prefix: &[u8]) -> Option<String> {
    let text = match std::str::from_utf8(prefix) {
        Ok(t) => t,
        // Cut inside a character: keep the valid part.
        Err(e) => std::str::from_utf8(&prefix[..e.valid_up_to()]).ok()?,
    };
    let after_request = &text[text.find("\"request\"")? + 9..];
    let after_key = &after_request[after_request.find("\"uid\"")? + 5..];
    let value = after_key.trim_start().strip_prefix(':')?.trim_start();
    let value = value.strip_prefix('"')?;
    // The end of the JSON string: the first quote not escaped.
    let mut escaped = false;
    let end = value.char_indices().find_map(|(i, c)| {
        let end = c == '"' && !escaped;
        escaped = c == '\\' && !escaped;
        end.then_some(i)
    })?;
    let uid: String = serde_json::from_str(&format!("\"{}\"", &value[..end])).ok()?;
    (!uid.is_empty() && uid.len() <= 256).then_some(uid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_uid_is_found_at_the_start_of_a_review() {
        let body = br#"{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":"705ab4f5-6393-11e8-b7cc-42010a800002","kind":{"group":"","#;
        assert_eq!(
            sniff_uid(body).as_deref(),
            Some("705ab4f5-6393-11e8-b7cc-42010a800002")
        );
        assert_eq!(
            sniff_uid(br#"{"request": {"uid" : "a\"b\\", "object": {"#).as_deref(),
            Some("a\"b\\")
        );
        for bad in [
            &br#"{"request":{"uid":"cut-in-the-mid"#[..],
            br#"{"request":{"kind":{}}}"#,
            br#"{"uid":"x"}"#,
            b"\xff\xfe",
            br#"{"request":{"uid":""}}"#,
        ] {
            assert_eq!(sniff_uid(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn unjudged_objects_get_a_decision_that_says_why() {
        let budget = Duration::from_secs(4);
        let deny = verdict(
            Unjudged::Deny,
            Reason::TooCostly,
            budget,
            Some("ConfigMap default/big"),
        );
        assert!(!deny.allowed);
        let message = deny.message.unwrap();
        assert!(
            message.contains("ConfigMap default/big") && message.contains("within 4 s"),
            "{message}"
        );
        let allow = verdict(Unjudged::Allow, Reason::Saturated, budget, None);
        assert!(allow.allowed && allow.message.is_none());
        assert!(
            allow.warnings[0].contains("admitted unchecked")
                && allow.warnings[0].chars().count() <= admission::MAX_WARNING_CHARS,
            "{:?}",
            allow.warnings
        );
    }
}
