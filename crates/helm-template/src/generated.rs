//! Values generated at render time: what `randAlphaNum`, `uuidv4`, `now`, `genCA`, `bcrypt`…
//! return differs on every render, so a manifest field holding one changes on every
//! `helm upgrade` (and every GitOps sync that runs `helm template`).
//!
//! A generator's result is marked in its taint with a pseudo values path
//! (`\0generated.<function>.<template>\u{1}<line>.<call site>…`), so the mark travels as a
//! values path does: through variables, pipelines (`b64enc`, `printf`, `sha256sum`), `include`,
//! `toYaml`, into the output spans. [`GeneratedCall::of`] reads it back; consumers of values
//! paths skip these ([`ValuesPath::is_generated`]).

use crate::provenance::{CallStack, PathSeg, Pos, Taint, ValuesPath};

/// Sprig and Helm functions whose result differs from one render to the next.
pub const GENERATORS: &[&str] = &[
    "randAlphaNum",
    "randAlpha",
    "randNumeric",
    "randAscii",
    "randBytes",
    "randInt",
    "uuidv4",
    "now",
    "genCA",
    "genCAWithKey",
    "genPrivateKey",
    "genSelfSignedCert",
    "genSelfSignedCertWithKey",
    "genSignedCert",
    "genSignedCertWithKey",
    "htpasswd",
    "bcrypt",
    "encryptAES",
    "derivePassword",
];

const MARK: &str = "\u{0}generated";

/// One generator call a value derives from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedCall {
    pub function: String,
    /// Where the call is: template name and line.
    pub template: String,
    pub line: u32,
    /// The `include`/`template` call sites that led there, innermost first.
    pub call_sites: Vec<(String, u32)>,
    /// Where the value was written into the output (the action and its `include` call
    /// sites, innermost first): a value passed to a helper that looks the live object up
    /// (`common.secrets.lookup` with the generated value as its default) is written there.
    pub written_at: Vec<(String, u32)>,
    /// Whether a `lookup` precedes the call in its template or define, or at a call site on
    /// the way, or precedes the place the value is written (the chart reuses the live
    /// object's value when there is one); set by the chart renderer, which has the sources.
    pub guarded: bool,
}

impl GeneratedCall {
    /// The generator calls `taint` derives from.
    pub fn of(taint: &Taint) -> Vec<GeneratedCall> {
        taint
            .paths()
            .iter()
            .filter_map(GeneratedCall::from_path)
            .collect()
    }

    fn from_path(p: &ValuesPath) -> Option<GeneratedCall> {
        let segs = p.segments();
        let key = |i: usize| match segs.get(i) {
            Some(PathSeg::Key(k)) => Some(k.to_string()),
            _ => None,
        };
        if key(0)? != MARK {
            return None;
        }
        let site = |s: String| {
            let (t, l) = s.rsplit_once('\u{1}')?;
            Some((t.to_string(), l.parse().ok()?))
        };
        let (template, line) = site(key(2)?)?;
        Some(GeneratedCall {
            function: key(1)?,
            template,
            line,
            call_sites: (3..segs.len()).filter_map(|i| site(key(i)?)).collect(),
            written_at: Vec::new(),
            guarded: false,
        })
    }
}

impl ValuesPath {
    /// A generator's mark rather than a path into `.Values`.
    pub fn is_generated(&self) -> bool {
        matches!(self.segments().first(), Some(PathSeg::Key(k)) if &**k == MARK)
    }
}

/// `taint` with the mark of generator `name` called at `pos` (under `stack`) added.
pub(crate) fn mark(name: &str, pos: &Pos, stack: &CallStack, taint: &Taint) -> Taint {
    let mut p = ValuesPath::root()
        .key(MARK)
        .key(name)
        .key(&format!("{}\u{1}{}", pos.template, pos.line));
    for f in stack.frames() {
        p = p.key(&format!(
            "{}\u{1}{}",
            f.call_site.template, f.call_site.line
        ));
    }
    taint.union(&Taint::path(p))
}

/// A field of a generated object (`.Cert` of `genCA`'s result) carries its generator's mark.
pub(crate) fn inherit(owner: &Taint, mut field: crate::Value) -> crate::Value {
    let marks: Vec<ValuesPath> = owner
        .paths()
        .iter()
        .filter(|p| p.is_generated())
        .cloned()
        .collect();
    if !marks.is_empty() {
        field.taint = field.taint.union(&Taint::from_paths(marks));
    }
    field
}
