//! Stage 1: find what to read — files, directories (walked with `ignore`, honouring
//! .gitignore), globs, or `-` for stdin — and read it as text.

use std::io::Read;
use std::path::{Path, PathBuf};

/// Files larger than this are refused: a rendered release of 10,000 objects is ~8 MB.
pub(crate) const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Debug, Clone)]
pub(crate) struct SourceFile {
    /// Path as shown to users (relative to the current directory where possible), or `<stdin>`.
    pub(crate) name: String,
    pub(crate) text: String,
}

/// An error in what the user gave us: exit code 2, with the file (and line) it concerns.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct InputError {
    pub(crate) file: String,
    pub(crate) line: Option<usize>,
    pub(crate) col: Option<usize>,
    pub(crate) message: String,
}

impl InputError {
    pub(crate) fn new(file: impl Into<String>, message: impl Into<String>) -> Self {
        InputError {
            file: file.into(),
            line: None,
            col: None,
            message: message.into(),
        }
    }
    pub(crate) fn at(
        file: impl Into<String>,
        line: usize,
        col: usize,
        message: impl Into<String>,
    ) -> Self {
        InputError {
            file: file.into(),
            line: Some(line),
            col: Some(col),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.col) {
            (Some(l), Some(c)) => write!(f, "{}:{}:{}: {}", self.file, l, c, self.message),
            (Some(l), None) => write!(f, "{}:{}: {}", self.file, l, self.message),
            _ => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for InputError {}

fn is_manifest(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

/// Paths as the user sees them: relative to the current directory when inside it.
pub(crate) fn display_path(path: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let shown = cwd
        .as_deref()
        .and_then(|cwd| path.strip_prefix(cwd).ok())
        .unwrap_or(path);
    let s = shown.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// Expands the command line's paths into the files to read, in a stable order.
pub(crate) fn expand(args: &[String]) -> Result<Vec<PathBuf>, InputError> {
    let mut out = Vec::new();
    for arg in args {
        if arg == "-" {
            out.push(PathBuf::from("-"));
            continue;
        }
        let path = PathBuf::from(arg);
        if path.is_dir() {
            let mut found: Vec<PathBuf> = ignore::WalkBuilder::new(&path)
                .hidden(true)
                .git_ignore(true)
                .require_git(false)
                .build()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_some_and(|t| t.is_file()) && is_manifest(e.path()))
                .map(|e| e.into_path())
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(InputError::new(
                    arg,
                    "directory holds no *.yaml, *.yml or *.json file",
                ));
            }
            out.extend(found);
        } else if path.exists() {
            out.push(path);
        } else if arg.contains(['*', '?', '[']) {
            let matches =
                glob::glob(arg).map_err(|e| InputError::new(arg, format!("bad glob: {e}")))?;
            let mut found: Vec<PathBuf> = matches
                .filter_map(Result::ok)
                .filter(|p| p.is_file())
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(InputError::new(arg, "glob matches no file"));
            }
            out.extend(found);
        } else {
            return Err(InputError::new(arg, "no such file or directory"));
        }
    }
    Ok(out)
}

/// Reads one file (or stdin for `-`) as UTF-8 text, refusing binary and oversized input.
/// Standard input's bytes, at most [`MAX_FILE_BYTES`] (the gate needs them unchanged).
pub(crate) fn read_stdin_bytes() -> Result<Vec<u8>, InputError> {
    let mut buf = Vec::new();
    std::io::stdin()
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(|e| InputError::new("<stdin>", format!("cannot read: {e}")))?;
    if buf.len() as u64 > MAX_FILE_BYTES {
        return Err(InputError::new(
            "<stdin>",
            format!("input exceeds {} MiB", MAX_FILE_BYTES >> 20),
        ));
    }
    Ok(buf)
}

pub(crate) fn read(path: &Path) -> Result<SourceFile, InputError> {
    let (name, bytes) = if path == Path::new("-") {
        ("<stdin>".to_string(), read_stdin_bytes()?)
    } else {
        let name = display_path(path);
        let meta = std::fs::metadata(path)
            .map_err(|e| InputError::new(&name, format!("cannot read: {e}")))?;
        if meta.len() > MAX_FILE_BYTES {
            return Err(InputError::new(
                &name,
                format!(
                    "file is {} MiB; chartguard reads at most {} MiB per file",
                    meta.len() >> 20,
                    MAX_FILE_BYTES >> 20
                ),
            ));
        }
        let bytes =
            std::fs::read(path).map_err(|e| InputError::new(&name, format!("cannot read: {e}")))?;
        (name, bytes)
    };
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(InputError::new(
            &name,
            format!("input exceeds {} MiB", MAX_FILE_BYTES >> 20),
        ));
    }
    text_of(name, bytes)
}

pub(crate) fn text_of(name: String, bytes: Vec<u8>) -> Result<SourceFile, InputError> {
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        return Err(InputError {
            line: Some(line),
            col: None,
            ..InputError::new(
                &name,
                "binary data (a NUL byte); expected YAML or JSON text",
            )
        });
    }
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..3);
            }
            Ok(SourceFile { name, text })
        }
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
            Err(InputError {
                line: Some(line),
                col: None,
                ..InputError::new(&name, "not UTF-8 text")
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_and_invalid_utf8_are_refused_with_a_line() {
        let err = text_of("x.yaml".into(), b"a: 1\nb: \x00\n".to_vec()).unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(err.message.contains("binary"));
        let err = text_of("x.yaml".into(), b"a: 1\n\nb: \xff\n".to_vec()).unwrap_err();
        assert_eq!(err.line, Some(3));
        assert_eq!(err.to_string(), "x.yaml:3: not UTF-8 text");
    }

    #[test]
    fn missing_paths_are_errors() {
        let err = expand(&["/definitely/not/here.yaml".into()]).unwrap_err();
        assert!(err.message.contains("no such file"));
    }
}
