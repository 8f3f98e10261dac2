//! Engine errors, worded as Go's text/template and Helm word them.

use std::fmt;

use crate::func::HelmVersion;
use crate::provenance::Pos;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// `template: name:line: message` (Go's parse error).
    Parse,
    /// `template: name:line:col: executing "name" at <node>: message` (Go's ExecError).
    Exec,
    /// Rendering a template name that was never defined.
    NoTemplate,
    /// The step, time, depth or output budget ran out (no Go equivalent: Helm would hang).
    Budget,
}

#[derive(Clone, Debug)]
pub struct Error {
    pub kind: ErrorKind,
    /// The full message as Go's `err.Error()` prints it.
    pub message: String,
    /// Where it happened, when known.
    pub pos: Option<Pos>,
    /// The template being executed (`executing "<name>"`), for exec errors.
    pub executing: Option<String>,
    /// The wrapped error (an `include`/`tpl` failure inside), for Helm 4's nested format.
    pub cause: Option<Box<Error>>,
    /// For `error calling <fn>: <msg>`: the function's own error message `<msg>` (Go wraps it
    /// with `%w`, so it is the next link of the error chain Helm 4 walks).
    pub wrapped: Option<String>,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            pos: None,
            executing: None,
            cause: None,
            wrapped: None,
        }
    }

    /// The messages of Go's error chain (`errors.Unwrap`), outermost first, without the
    /// duplicates Go's wrapper types add.
    pub fn go_chain(&self) -> Vec<&str> {
        let mut out = vec![self.message.as_str()];
        let mut cur = self;
        while let Some(w) = &cur.wrapped {
            match &cur.cause {
                Some(c) if c.message == *w => {
                    out.push(&c.message);
                    cur = c;
                }
                _ => {
                    out.push(w);
                    break;
                }
            }
        }
        out
    }

    /// The message as `helm template` prints it (without its `Error: ` prefix and the
    /// `--debug` advice): Helm's `cleanupParseError`, and for execution errors Helm 3's
    /// `cleanupExecError` or Helm 4's `reformatExecErrorMsg`. `file` is the template being
    /// rendered (used when Go's message has no location).
    pub fn helm_message(&self, helm: HelmVersion, file: &str) -> String {
        match self.kind {
            ErrorKind::Parse => {
                let tokens: Vec<&str> = self.message.split(": ").collect();
                if tokens.len() == 1 {
                    return format!("parse error in ({file}): {}", self.message);
                }
                format!(
                    "parse error at ({}): {}",
                    tokens[1],
                    tokens[tokens.len() - 1]
                )
            }
            ErrorKind::Exec => {
                let tokens: Vec<&str> = self.message.splitn(3, ": ").collect();
                if tokens.len() != 3 {
                    return format!("execution error in ({file}): {}", self.message);
                }
                if let Some(m) = helm_err_markers(tokens[2]) {
                    return format!("execution error at ({}): {m}", tokens[1]);
                }
                if helm == HelmVersion::V3 {
                    return self.message.clone();
                }
                let mut blocks: Vec<Traceable> = Vec::new();
                for s in self.go_chain() {
                    match Traceable::parse(s) {
                        Some(t) => {
                            if blocks.last() != Some(&t) {
                                blocks.push(t);
                            }
                        }
                        None => return self.message.clone(),
                    }
                }
                let mut out = String::new();
                for b in &blocks {
                    b.write(&mut out);
                }
                out.trim().to_string()
            }
            _ => self.message.clone(),
        }
    }
}

/// What Helm's `warnRegex` extracts: the text between HELM_ERR_START and the last
/// HELM_ERR_END (`required` and `fail` messages).
fn helm_err_markers(s: &str) -> Option<&str> {
    const START: &str = "HELM_ERR_START";
    const END: &str = "HELM_ERR_END";
    let a = s.find(START)? + START.len();
    let b = s.rfind(END)?;
    (b >= a).then(|| &s[a..b])
}

/// Helm 4's `TraceableError`: one level of a nested execution error.
#[derive(PartialEq, Eq, Debug)]
struct Traceable {
    location: String,
    message: String,
    executed: String,
}

impl Traceable {
    fn parse(s: &str) -> Option<Traceable> {
        let rem = s.strip_prefix("template: ")?;
        if rem.starts_with("no template ") {
            return Some(Traceable {
                location: String::new(),
                message: s.to_string(),
                executed: String::new(),
            });
        }
        let cut = |m: &str| -> String {
            match m.find(" template:") {
                Some(i) => m[..i].to_string(),
                None => m.to_string(),
            }
        };
        if let Some(idx) = rem.find(": executing ") {
            let name = &rem[..idx];
            let after = &rem[idx + ": executing ".len()..];
            if let Some(a) = after.strip_prefix('"') {
                if let Some(end) = a.find('"') {
                    let func = &a[..end];
                    if let Some(after_at) = a[end + 1..].strip_prefix(" at <") {
                        if let Some(end_loc) = after_at.find(">: ") {
                            return Some(Traceable {
                                location: name.to_string(),
                                message: cut(&after_at[end_loc + 3..]),
                                executed: format!(
                                    "executing \"{func}\" at <{}>:",
                                    &after_at[..end_loc]
                                ),
                            });
                        }
                    }
                }
            }
            return None;
        }
        let sep = rem.rfind(": ")?;
        Some(Traceable {
            location: rem[..sep].to_string(),
            message: cut(&rem[sep + 2..]),
            executed: String::new(),
        })
    }

    fn write(&self, out: &mut String) {
        if !self.location.is_empty() {
            out.push_str(&self.location);
            out.push_str("\n  ");
        }
        if !self.executed.is_empty() {
            out.push_str(&self.executed);
            out.push_str("\n    ");
        }
        if !self.message.is_empty() {
            out.push_str(&self.message);
            out.push('\n');
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}
