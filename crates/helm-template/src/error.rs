//! Engine errors, worded as Go's text/template and Helm word them.

use std::fmt;

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
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            pos: None,
            executing: None,
            cause: None,
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
