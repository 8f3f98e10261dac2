//! Provenance: where every stretch of output came from.
//!
//! Two halves:
//! - **origin**: the template position (name:line:col) of the text node or action that wrote
//!   the bytes, plus the `include`/`template`/`tpl` call stack that led there;
//! - **taint**: the `.Values` paths the written value was read from, carried on [`Value`]s
//!   through variables, pipelines and functions.
//!
//! Everything here is shared (`Arc`) so a span costs a few pointer copies, never a per-byte
//! allocation, and a [`Rendered`](crate::Rendered) can be sent to another thread.
//!
//! [`Value`]: crate::Value

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// A position in a template source file: byte offset, 1-based line and 1-based column
/// (in bytes). `template` is the source's name (the file, for Helm), even for the body of a
/// `define`: the define's name is in the call stack's [`Frame`].
///
/// Go's own error messages print the column 0-based; [`crate::Error`] messages follow Go.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Pos {
    pub template: Arc<str>,
    pub offset: u32,
    pub line: u32,
    pub col: u32,
}

impl fmt::Debug for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.template, self.line, self.col)
    }
}
impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.template, self.line, self.col)
    }
}

/// How a frame of the call stack was entered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallKind {
    /// `{{ template "x" . }}` or `{{ block "x" . }}`
    Template,
    /// `include "x" .`
    Include,
    /// `tpl "..." .`
    Tpl,
}

/// One call: what was entered (`name`) and the call site in the caller.
#[derive(Debug)]
pub struct Frame {
    pub kind: CallKind,
    pub name: Arc<str>,
    pub call_site: Pos,
    pub parent: CallStack,
}

/// The include/template call stack, innermost frame first; a persistent list so pushing a
/// frame shares the caller's stack.
#[derive(Clone, Debug, Default)]
pub struct CallStack(pub Option<Arc<Frame>>);

impl CallStack {
    pub fn push(&self, kind: CallKind, name: Arc<str>, call_site: Pos) -> CallStack {
        CallStack(Some(Arc::new(Frame {
            kind,
            name,
            call_site,
            parent: self.clone(),
        })))
    }
    /// Frames, innermost first.
    pub fn frames(&self) -> impl Iterator<Item = &Frame> {
        let mut cur = self.0.as_deref();
        std::iter::from_fn(move || {
            let f = cur?;
            cur = f.parent.0.as_deref();
            Some(f)
        })
    }
    pub fn depth(&self) -> usize {
        self.frames().count()
    }
}

/// Where a stretch of output was produced: the node's position and the call stack.
#[derive(Clone, Debug)]
pub struct Origin {
    pub pos: Pos,
    pub stack: CallStack,
    /// The bytes are a verbatim copy of the template text starting at `pos` (a text node),
    /// so output byte `i` of the span is source byte `pos.offset + i`; otherwise they were
    /// produced by the action at `pos`.
    pub verbatim: bool,
}

/// One segment of a `.Values` path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathSeg {
    Key(Arc<str>),
    Index(usize),
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct PathNode {
    parent: ValuesPath,
    seg: PathSeg,
}

/// A path into `.Values` (e.g. `image.tag`, `containers[0].name`), as a persistent list so
/// children share their parent's prefix.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct ValuesPath(Option<Arc<PathNode>>);

impl ValuesPath {
    /// The path of `.Values` itself.
    pub fn root() -> ValuesPath {
        ValuesPath(None)
    }
    pub fn is_root(&self) -> bool {
        self.0.is_none()
    }
    pub fn key(&self, k: &str) -> ValuesPath {
        ValuesPath(Some(Arc::new(PathNode {
            parent: self.clone(),
            seg: PathSeg::Key(Arc::from(k)),
        })))
    }
    pub fn index(&self, i: usize) -> ValuesPath {
        ValuesPath(Some(Arc::new(PathNode {
            parent: self.clone(),
            seg: PathSeg::Index(i),
        })))
    }
    /// Segments from the root down.
    pub fn segments(&self) -> Vec<PathSeg> {
        let mut out = Vec::new();
        let mut cur = &self.0;
        while let Some(n) = cur {
            out.push(n.seg.clone());
            cur = &n.parent.0;
        }
        out.reverse();
        out
    }
}

impl fmt::Display for ValuesPath {
    /// `image.tag`, `containers[0].name`, `podAnnotations["prometheus.io/scrape"]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.segments().iter().enumerate() {
            match seg {
                PathSeg::Index(n) => write!(f, "[{n}]")?,
                PathSeg::Key(k) => {
                    let plain = !k.is_empty()
                        && k.chars()
                            .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
                    if !plain {
                        write!(f, "[{k:?}]")?;
                    } else if i == 0 {
                        write!(f, "{k}")?;
                    } else {
                        write!(f, ".{k}")?;
                    }
                }
            }
        }
        Ok(())
    }
}
impl fmt::Debug for ValuesPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

/// A stretch of output (byte range) with its origin and the values paths that flowed into it.
#[derive(Clone, Debug)]
pub struct Span {
    pub range: Range<usize>,
    pub origin: Origin,
    pub values: Taint,
}

#[derive(Debug, Default)]
struct TaintInner {
    /// Values paths the whole value derives from (sorted, deduplicated).
    paths: Vec<ValuesPath>,
    /// For strings only: finer provenance of sub-ranges of the string (from `include`,
    /// `tpl`, `toYaml`…), ranges relative to the string's start. When the string is written
    /// to the output, these become output spans (their origins kept: an included helper's
    /// text keeps its own template position and call stack).
    spans: Option<Arc<[Span]>>,
}

/// The set of `.Values` paths a value derives from, plus (for strings) per-range spans.
/// Empty taint is a `None`: untainted values cost nothing.
#[derive(Clone, Default)]
pub struct Taint(Option<Arc<TaintInner>>);

impl fmt::Debug for Taint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.paths()).finish()?;
        if let Some(s) = self.spans() {
            write!(f, "+{} spans", s.len())?;
        }
        Ok(())
    }
}

impl Taint {
    pub fn none() -> Taint {
        Taint(None)
    }
    pub fn path(p: ValuesPath) -> Taint {
        Taint(Some(Arc::new(TaintInner {
            paths: vec![p],
            spans: None,
        })))
    }
    pub fn from_paths(mut paths: Vec<ValuesPath>) -> Taint {
        if paths.is_empty() {
            return Taint(None);
        }
        dedup_paths(&mut paths);
        Taint(Some(Arc::new(TaintInner { paths, spans: None })))
    }
    /// A string's taint made of spans (relative to the string); the whole-value paths are
    /// the union of the spans' paths.
    pub fn from_spans(spans: Vec<Span>) -> Taint {
        let mut paths: Vec<ValuesPath> = spans
            .iter()
            .flat_map(|s| s.values.paths().iter().cloned())
            .collect();
        if spans.is_empty() {
            return Taint(None);
        }
        dedup_paths(&mut paths);
        Taint(Some(Arc::new(TaintInner {
            paths,
            spans: Some(spans.into()),
        })))
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }
    pub fn paths(&self) -> &[ValuesPath] {
        match &self.0 {
            Some(t) => &t.paths,
            None => &[],
        }
    }
    pub fn spans(&self) -> Option<&[Span]> {
        self.0.as_ref().and_then(|t| t.spans.as_deref())
    }
    /// The paths of both, without spans (a computed value derives from all its inputs).
    pub fn union(&self, other: &Taint) -> Taint {
        match (&self.0, &other.0) {
            (None, None) => Taint(None),
            (Some(_), None) if self.spans().is_none() => self.clone(),
            (None, Some(_)) if other.spans().is_none() => other.clone(),
            _ => {
                let mut p = self.paths().to_vec();
                p.extend(other.paths().iter().cloned());
                Taint::from_paths(p)
            }
        }
    }
    /// Union of many taints' paths.
    pub fn union_all<'a>(taints: impl IntoIterator<Item = &'a Taint>) -> Taint {
        let mut acc = Taint::none();
        for t in taints {
            if !t.is_empty() {
                acc = acc.union(t);
            }
        }
        acc
    }
    /// The same taint with every span range passed through `f` (for functions that move a
    /// string's bytes predictably: `indent`, `nindent`, `trim`…); spans mapped to an empty
    /// range are dropped.
    pub fn map_ranges(&self, f: impl Fn(Range<usize>) -> Range<usize>) -> Taint {
        match self.spans() {
            None => self.clone(),
            Some(spans) => {
                let mapped: Vec<Span> = spans
                    .iter()
                    .filter_map(|s| {
                        let r = f(s.range.clone());
                        (r.start < r.end).then(|| Span {
                            range: r,
                            origin: s.origin.clone(),
                            values: s.values.clone(),
                        })
                    })
                    .collect();
                let mut t = Taint::from_spans(mapped);
                if t.is_empty() && !self.paths().is_empty() {
                    t = Taint::from_paths(self.paths().to_vec());
                }
                t
            }
        }
    }

    /// The same paths without per-range spans (for a string that was transformed in a way
    /// whose byte mapping is unknown).
    pub fn without_spans(&self) -> Taint {
        match self.spans() {
            None => self.clone(),
            Some(_) => Taint::from_paths(self.paths().to_vec()),
        }
    }
}

fn dedup_paths(paths: &mut Vec<ValuesPath>) {
    paths.sort_by_cached_key(|p| p.to_string());
    paths.dedup();
}
