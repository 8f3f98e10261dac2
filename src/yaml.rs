//! YAML text → [`Node`] trees that remember where every key and value was written: the
//! format every stage reads (rendered manifests, values files, Chart.yaml), so it sits below
//! them all.
//!
//! One pass over `saphyr-parser` events builds the tree the rules see, the span table the
//! reporters need and the input of the typed parse: parsing once is half the time budget
//! at 10,000 objects (see `../shared/notes/performance.md`).
//!
//! Scalars are resolved the way the Kubernetes API machinery reads manifests (go-yaml v2,
//! YAML 1.1): `yes`/`no`/`on`/`off` are booleans and `0644` is octal. Reading them as YAML
//! 1.2 would make chartguard judge a different object from the one the cluster stores.

use crate::model::PathSeg;
use saphyr_parser::{Event, Parser, ScalarStyle, Tag};
use std::collections::HashMap;

/// Deeper nesting than this is an input error: no real manifest comes close, and it bounds
/// the recursion of every later stage.
pub(crate) const MAX_DEPTH: usize = 128;
/// Aliases may expand a document to at most this many nodes ("billion laughs" guard).
pub(crate) const MAX_NODES: usize = 2_000_000;

/// 1-based line and column (in characters) of the first character of a node or key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Pos {
    pub(crate) line: usize,
    pub(crate) col: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    pub(crate) value: Value,
    pub(crate) pos: Pos,
    /// Position just past the node (exclusive), for underlining.
    pub(crate) end: Pos,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Entry {
    pub(crate) key: String,
    pub(crate) key_pos: Pos,
    pub(crate) value: Node,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

impl Value {
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

impl Node {
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .rev()
                .find(|e| e.key == key)
                .map(|e| &e.value),
            _ => None,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn entries(&self) -> &[Entry] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    pub(crate) fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    /// Calls `f` with every node of the tree (this one first) and its path from here.
    pub(crate) fn walk(&self, f: &mut impl FnMut(&[PathSeg], &Node)) {
        fn go(node: &Node, path: &mut Vec<PathSeg>, f: &mut impl FnMut(&[PathSeg], &Node)) {
            f(path, node);
            match &node.value {
                Value::Map(entries) => {
                    for e in entries {
                        path.push(PathSeg::Key(e.key.clone()));
                        go(&e.value, path, f);
                        path.pop();
                    }
                }
                Value::Seq(items) => {
                    for (i, item) in items.iter().enumerate() {
                        path.push(PathSeg::Index(i));
                        go(item, path, f);
                        path.pop();
                    }
                }
                _ => {}
            }
        }
        go(self, &mut Vec::new(), f);
    }
}

/// A document as parsed, with the problems that are not fatal to reading it.
#[derive(Debug)]
pub(crate) struct ParsedDoc {
    pub(crate) root: Node,
    /// `(key, first position, repeated position)` for keys written twice in one mapping.
    pub(crate) duplicate_keys: Vec<DuplicateKey>,
}

#[derive(Debug, Clone)]
pub(crate) struct DuplicateKey {
    /// Path of the mapping holding the key.
    pub(crate) path: Vec<PathSeg>,
    pub(crate) key: String,
    pub(crate) first: Pos,
    pub(crate) again: Pos,
    /// Span of the value that was dropped: no node keeps it, so snippets mask it by this.
    pub(crate) dropped: (Pos, Pos),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct YamlError {
    pub(crate) pos: Pos,
    pub(crate) message: String,
}

enum Frame {
    Seq {
        items: Vec<Node>,
        pos: Pos,
        anchor: usize,
    },
    Map {
        entries: Vec<Entry>,
        /// Entries brought in by `<<` merge keys: they yield to keys the mapping sets itself.
        merged: Vec<Entry>,
        /// Key → position in `entries`, built once a mapping is large enough for linear
        /// duplicate checks to matter (a 200,000-key ConfigMap must not be quadratic).
        index: Option<HashMap<String, usize>>,
        /// The key waiting for its value, and whether it was a plain scalar (only a plain
        /// `<<` is a merge key; a quoted "<<" is an ordinary key, as in JSON).
        pending_key: Option<(String, Pos, bool)>,
        pos: Pos,
        anchor: usize,
    },
}

fn pos_of(m: &saphyr_parser::Marker) -> Pos {
    Pos {
        line: m.line(),
        col: m.col() + 1,
    }
}

/// saphyr's message for a multi-line quoted scalar whose continuation lines are not
/// indented past their parent (YAML 1.2 rule 7.3, test-suite case QB6E).
const UNDERINDENTED_QUOTE: &str = "invalid indentation in quoted scalar";
/// How many such scalars one document may have (flagger's CRDs have at most six); each
/// costs a parse of the document, so thousands would take minutes.
const MAX_QUOTE_REPAIRS: usize = 256;

/// Parse one YAML document (the text between two `---` lines). `line_offset` is added to
/// every line so positions are those of the whole file. An empty or comment-only text gives
/// `Ok(None)`.
///
/// Kubernetes reads manifests with go-yaml, which (like libyaml and PyYAML) accepts a quoted
/// scalar whose continuation lines are indented no further than its key; controller-gen
/// writes CRDs that way (flagger's). saphyr follows the spec and refuses them
/// (saphyr-rs/saphyr#57, closed without a change), so such a scalar's continuation lines are
/// indented to its opening quote and the document parsed again. Folding drops that leading
/// whitespace, so the value is the same; positions on the moved lines are moved back.
pub(crate) fn parse_document(
    text: &str,
    line_offset: usize,
) -> Result<Option<ParsedDoc>, YamlError> {
    let mut owned: Option<String> = None;
    let mut padded: HashMap<usize, usize> = HashMap::new();
    let mut last: Option<(usize, usize)> = None;
    // Each repair parses the document again: bounded, so a document made of thousands of
    // such scalars is an error rather than minutes of work.
    let mut repairs = 0usize;
    loop {
        let current = owned.as_deref().unwrap_or(text);
        let mut underindented = None;
        match parse_events(current, line_offset, &padded, &mut underindented) {
            Err(e) => match underindented.filter(|at| last != Some(*at)) {
                Some(_) if repairs == MAX_QUOTE_REPAIRS => {
                    return Err(YamlError {
                        message: format!(
                            "{} (and {MAX_QUOTE_REPAIRS} more before it in this document: indent \
                             the continuation lines of multi-line quoted scalars past their key)",
                            e.message
                        ),
                        ..e
                    })
                }
                Some(at) => {
                    repairs += 1;
                    // No closing quote: say so rather than blame the indentation.
                    owned = Some(indent_quoted(current, at, &mut padded).ok_or(YamlError {
                        message: "a quoted scalar starts here and is never closed".into(),
                        ..e
                    })?);
                    last = Some(at);
                }
                None => return Err(e),
            },
            done => return done,
        }
    }
}

/// `text` with the continuation lines of the quoted scalar whose opening quote is at `at`
/// (saphyr's 1-based line, 0-based column) indented to that quote's column; the spaces added
/// per line are counted in `padded`. None when there is no closed quoted scalar there.
fn indent_quoted(
    text: &str,
    at: (usize, usize),
    padded: &mut HashMap<usize, usize>,
) -> Option<String> {
    let (line, col) = at;
    let start = *line_starts(text).get(line.checked_sub(1)?)?;
    let quote_at = start + text[start..].char_indices().nth(col)?.0;
    let quote = text[quote_at..].chars().next()?;
    if quote != '\'' && quote != '"' {
        return None;
    }
    let mut out = String::with_capacity(text.len() + 256);
    out.push_str(&text[..=quote_at]);
    let mut rest = text[quote_at + 1..].char_indices().peekable();
    let mut line_no = line;
    let base = quote_at + 1;
    while let Some((i, c)) = rest.next() {
        out.push(c);
        match c {
            '\\' if quote == '"' => {
                if let Some((_, n)) = rest.next() {
                    out.push(n);
                    if n == '\n' {
                        line_no += 1;
                    }
                }
            }
            '\'' if quote == '\'' => {
                if rest.peek().map(|(_, n)| *n) == Some('\'') {
                    rest.next();
                    out.push('\'');
                } else {
                    out.push_str(&text[base + i + 1..]);
                    return Some(out);
                }
            }
            '"' if quote == '"' => {
                out.push_str(&text[base + i + 1..]);
                return Some(out);
            }
            '\n' => {
                line_no += 1;
                let next = &text[base + i + 1..];
                let spaces = next.len() - next.trim_start_matches(' ').len();
                let blank = next[spaces..].starts_with(['\n', '\r']) || next[spaces..].is_empty();
                if !blank && spaces < col {
                    out.extend(std::iter::repeat_n(' ', col - spaces));
                    *padded.entry(line_no).or_default() += col - spaces;
                }
            }
            _ => {}
        }
    }
    None
}

/// [`parse_document`] on (possibly re-indented) text; on an under-indented quoted scalar,
/// saphyr's raw position of its opening quote is left in `underindented` for the caller.
fn parse_events(
    text: &str,
    line_offset: usize,
    padded: &HashMap<usize, usize>,
    underindented: &mut Option<(usize, usize)>,
) -> Result<Option<ParsedDoc>, YamlError> {
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut root: Option<Node> = None;
    let mut duplicates = Vec::new();
    let mut nodes = 0usize;
    let mut docs = 0usize;
    let shift = |mut p: Pos| {
        if let Some(added) = padded.get(&p.line) {
            p.col = p.col.saturating_sub(*added).max(1);
        }
        p.line += line_offset;
        p
    };

    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| {
            if e.info() == UNDERINDENTED_QUOTE {
                *underindented = Some((e.marker().line(), e.marker().col()));
            }
            YamlError {
                pos: shift(pos_of(e.marker())),
                // The scanner looks ahead and may hit its own limit before we see the depth.
                message: if e.info() == "recursion limit exceeded" {
                    depth_error(Pos::default()).message
                } else {
                    e.info().to_string()
                },
            }
        })?;
        let start = shift(pos_of(&span.start));
        let end = shift(pos_of(&span.end));
        // A plain scalar's own text, for use as a mapping key: keys are names, so `y:` or
        // `on:` stay "y" and "on" even though the same text as a value is a boolean.
        let mut raw_key: Option<String> = None;
        let mut plain = false;
        let completed: Option<(Node, usize)> = match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing | Event::DocumentEnd => None,
            Event::DocumentStart(_) => {
                docs += 1;
                if docs > 1 {
                    // The caller splits on `---`; a second document here means a separator we
                    // did not see (e.g. `--- !tag`), which we refuse rather than silently drop.
                    return Err(YamlError {
                        pos: start,
                        message: "a second document starts here; put `---` on a line of its own"
                            .into(),
                    });
                }
                None
            }
            Event::Scalar(text, style, anchor, tag) => {
                let value = resolve_scalar(&text, style, tag.as_deref());
                raw_key = Some(text.to_string());
                plain = style == ScalarStyle::Plain;
                Some((
                    Node {
                        value,
                        pos: start,
                        end,
                    },
                    anchor,
                ))
            }
            Event::Alias(id) => {
                let node = anchors.get(&id).cloned().ok_or_else(|| YamlError {
                    pos: start,
                    message: "alias refers to an unknown anchor".into(),
                })?;
                nodes += count_nodes(&node);
                if nodes > MAX_NODES {
                    return Err(YamlError {
                        pos: start,
                        message: format!(
                            "aliases expand this document beyond {MAX_NODES} nodes; refusing to \
                             expand it (is this a \"billion laughs\" document?)"
                        ),
                    });
                }
                Some((node, 0))
            }
            Event::SequenceStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(depth_error(start));
                }
                stack.push(Frame::Seq {
                    items: Vec::new(),
                    pos: start,
                    anchor,
                });
                None
            }
            Event::MappingStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(depth_error(start));
                }
                stack.push(Frame::Map {
                    entries: Vec::new(),
                    merged: Vec::new(),
                    index: None,
                    pending_key: None,
                    pos: start,
                    anchor,
                });
                None
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq { items, pos, anchor }) => Some((
                    Node {
                        value: Value::Seq(items),
                        pos,
                        end,
                    },
                    anchor,
                )),
                _ => unreachable!("parser emits balanced events"),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map {
                    mut entries,
                    merged,
                    pos,
                    anchor,
                    ..
                }) => {
                    for e in merged {
                        if !entries.iter().any(|x| x.key == e.key) {
                            entries.push(e);
                        }
                    }
                    Some((
                        Node {
                            value: Value::Map(entries),
                            pos,
                            end,
                        },
                        anchor,
                    ))
                }
                _ => unreachable!("parser emits balanced events"),
            },
        };
        let Some((node, anchor)) = completed else {
            continue;
        };
        nodes += 1;
        if nodes > MAX_NODES {
            return Err(YamlError {
                pos: start,
                message: format!("document has more than {MAX_NODES} nodes"),
            });
        }
        if anchor != 0 {
            anchors.insert(anchor, node.clone());
        }
        match stack.last_mut() {
            None => root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                merged,
                index,
                pending_key,
                ..
            }) => match pending_key.take() {
                None => {
                    let key = match node.value {
                        Value::Str(s) => s,
                        _ if raw_key.is_some() && !matches!(node.value, Value::Null) => {
                            raw_key.take().unwrap_or_default()
                        }
                        Value::Int(i) => i.to_string(),
                        Value::Bool(b) => b.to_string(),
                        Value::Float(f) => f.to_string(),
                        Value::Null => "null".to_string(),
                        Value::Seq(_) | Value::Map(_) => {
                            return Err(YamlError {
                                pos: node.pos,
                                message: "a list or mapping used as a mapping key; Kubernetes \
                                          manifests only have string keys"
                                    .into(),
                            })
                        }
                    };
                    *pending_key = Some((key, node.pos, plain));
                }
                Some((key, key_pos, key_plain)) => {
                    if key == "<<" && key_plain {
                        merge_into(merged, node);
                    } else {
                        if index.is_none() && entries.len() >= 32 {
                            *index = Some(
                                entries
                                    .iter()
                                    .enumerate()
                                    .map(|(i, e)| (e.key.clone(), i))
                                    .collect(),
                            );
                        }
                        let existing = match index {
                            Some(ix) => ix.get(&key).copied(),
                            None => entries.iter().position(|e| e.key == key),
                        };
                        match existing {
                            Some(i) => {
                                duplicates.push(DuplicateKey {
                                    path: Vec::new(),
                                    key: key.clone(),
                                    first: entries[i].key_pos,
                                    again: key_pos,
                                    dropped: (entries[i].value.pos, entries[i].value.end),
                                });
                                // The last one wins, in place: the index stays valid.
                                entries[i] = Entry {
                                    key,
                                    key_pos,
                                    value: node,
                                };
                            }
                            None => {
                                if let Some(ix) = index {
                                    ix.insert(key.clone(), entries.len());
                                }
                                entries.push(Entry {
                                    key,
                                    key_pos,
                                    value: node,
                                });
                            }
                        }
                    }
                }
            },
        }
    }
    // kubectl and Helm skip documents that are empty or just `null`; so do we.
    Ok(root
        .filter(|r| !matches!(r.value, Value::Null))
        .map(|root| {
            let mut doc = ParsedDoc {
                root,
                duplicate_keys: duplicates,
            };
            locate_duplicates(&mut doc);
            doc
        }))
}

fn depth_error(pos: Pos) -> YamlError {
    YamlError {
        pos,
        message: format!("nesting deeper than {MAX_DEPTH} levels"),
    }
}

fn count_nodes(node: &Node) -> usize {
    1 + match &node.value {
        Value::Seq(items) => items.iter().map(count_nodes).sum(),
        Value::Map(entries) => entries.iter().map(|e| count_nodes(&e.value)).sum(),
        _ => 0,
    }
}

/// `<<: *base` (or a list of them): keys of the merged maps that the mapping does not set.
fn merge_into(entries: &mut Vec<Entry>, node: Node) {
    let sources: Vec<Node> = match node.value {
        Value::Seq(items) => items,
        _ => vec![node],
    };
    for source in sources {
        if let Value::Map(merged) = source.value {
            for e in merged {
                if !entries.iter().any(|x| x.key == e.key) {
                    entries.push(e);
                }
            }
        }
    }
}

/// Duplicate keys are recorded while the tree is still being built, when their path is not
/// known yet; find each mapping again by the position of its keys.
fn locate_duplicates(doc: &mut ParsedDoc) {
    if doc.duplicate_keys.is_empty() {
        return;
    }
    let mut dups = std::mem::take(&mut doc.duplicate_keys);
    doc.root.walk(&mut |path, node| {
        let entries = node.entries();
        for d in dups.iter_mut() {
            if entries
                .iter()
                .any(|e| e.key == d.key && e.key_pos == d.again)
            {
                d.path = path.to_vec();
            }
        }
    });
    doc.duplicate_keys = dups;
}

fn resolve_scalar(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Value {
    if let Some(tag) = tag {
        if tag.handle == "tag:yaml.org,2002:" || tag.handle == "!!" {
            match tag.suffix.as_str() {
                "str" | "binary" | "timestamp" => return Value::Str(text.to_string()),
                "null" => return Value::Null,
                _ => {}
            }
        }
    }
    if style != ScalarStyle::Plain {
        return Value::Str(text.to_string());
    }
    resolve_plain(text)
}

/// go-yaml v2's resolution table, as used by sigs.k8s.io/yaml and so by kubectl and Helm.
pub(crate) fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y" => {
            return Value::Bool(true)
        }
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n" | "N" => {
            return Value::Bool(false)
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    let first = text.as_bytes()[0];
    if !(first.is_ascii_digit() || first == b'-' || first == b'+' || first == b'.') {
        return Value::Str(text.to_string());
    }
    // go-yaml v2: strip `_`, then strconv.ParseInt(s, 0, 64), ParseUint(s, 0, 64), then its
    // float pattern; anything else is a string (`-0x-8000000000000000`, `0x`, `+-1`).
    let plain = text.replace('_', "");
    if let Some(i) = go_parse_int(&plain) {
        return match i64::try_from(i) {
            Ok(i) => Value::Int(i),
            // A uint64 past int64: a number all the same (kept as a float, like JSON).
            Err(_) => Value::Float(i as f64),
        };
    }
    if is_yaml_float(&plain) {
        // Go's ParseFloat fails out of range (`1e400`): a string then.
        if let Ok(Some(f)) = plain.parse::<f64>().map(|f| f.is_finite().then_some(f)) {
            return Value::Float(f);
        }
    }
    Value::Str(text.to_string())
}

/// Go's `strconv.ParseInt(s, 0, 64)`, or `ParseUint(s, 0, 64)` when that fails: an optional
/// sign (ParseInt only), a `0x`/`0b`/`0o` prefix or a leading `0` for octal, then digits of
/// that base and nothing else.
fn go_parse_int(s: &str) -> Option<i128> {
    let (neg, signed, rest) = match s.as_bytes().first()? {
        b'-' => (true, true, &s[1..]),
        b'+' => (false, true, &s[1..]),
        _ => (false, false, s),
    };
    let lower = rest.get(..2).map(|p| p.to_ascii_lowercase());
    let (radix, digits) = match lower.as_deref() {
        Some("0x") => (16, &rest[2..]),
        Some("0b") => (2, &rest[2..]),
        Some("0o") => (8, &rest[2..]),
        _ if rest.len() > 1 && rest.starts_with('0') => (8, &rest[1..]),
        _ => (10, rest),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) || digits.len() > 70 {
        return None;
    }
    let magnitude = u128::from_str_radix(digits, radix).ok()?;
    if neg {
        // ParseInt: down to i64::MIN.
        (magnitude <= 1u128 << 63).then(|| -(magnitude as i128))
    } else if signed {
        (magnitude <= i64::MAX as u128).then_some(magnitude as i128)
    } else {
        // ParseInt, then ParseUint.
        (magnitude <= u64::MAX as u128).then_some(magnitude as i128)
    }
}

/// go-yaml v2's `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// One document's text inside a file.
pub(crate) struct Chunk<'a> {
    pub(crate) text: &'a str,
    /// Line of the chunk's first line in the file, 0-based.
    pub(crate) first_line: usize,
    pub(crate) template: Option<String>,
}

/// Splits a multi-document stream on `---` lines, the way kubectl's YAML reader does, so
/// that one broken document is reported with its own line, and the `# Source:` comment that
/// `helm template` writes at the top of each document is kept.
pub(crate) fn chunks(text: &str) -> Vec<Chunk<'_>> {
    let mut chunks = Vec::new();
    let mut start = 0usize;
    let mut start_line = 0usize;
    let mut offset = 0usize;
    // After `%YAML`/`%TAG` directives, `---` ends the directives and starts their document.
    let mut directives = false;
    for (line_no, line) in text.split_inclusive('\n').enumerate() {
        let trimmed = line.trim_end_matches(['\n', '\r']);
        if trimmed.starts_with('%') {
            directives = true;
        }
        let separator = trimmed == "---"
            || trimmed == "..."
            || ((trimmed.starts_with("--- #") || trimmed.starts_with("---\t#"))
                && !trimmed.is_empty());
        if separator && directives && trimmed != "..." {
            directives = false;
        } else if separator {
            chunks.push((start, offset, start_line));
            start = offset + line.len();
            start_line = line_no + 1;
        }
        offset += line.len();
    }
    chunks.push((start, text.len(), start_line));
    chunks
        .into_iter()
        .map(|(a, b, first_line)| {
            let text = &text[a..b];
            Chunk {
                text,
                first_line,
                template: source_comment(text),
            }
        })
        .collect()
}

fn source_comment(text: &str) -> Option<String> {
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        if let Some(rest) = t.strip_prefix('#') {
            if let Some(src) = rest.trim_start().strip_prefix("Source:") {
                return Some(src.trim().to_string());
            }
            continue;
        }
        break;
    }
    None
}

/// The node at `path`, or the deepest existing ancestor; with the key position of the last
/// key reached (a finding on `resources:` points at the key, not at its value's first line).
pub(crate) fn locate<'a>(root: &'a Node, path: &[PathSeg]) -> (&'a Node, Option<Pos>, usize) {
    let mut node = root;
    let mut key_pos = None;
    let mut depth = 0;
    for seg in path {
        let next = match (seg, &node.value) {
            (PathSeg::Key(k), Value::Map(entries)) => entries
                .iter()
                .rev()
                .find(|e| &e.key == k)
                .map(|e| (&e.value, Some(e.key_pos))),
            (PathSeg::Index(i), Value::Seq(items)) => items.get(*i).map(|n| (n, None)),
            _ => None,
        };
        match next {
            Some((n, kp)) => {
                node = n;
                key_pos = kp;
                depth += 1;
            }
            None => break,
        }
    }
    (node, key_pos, depth)
}

/// Byte offset of a 1-based line/column (columns in characters) in `text`.
pub(crate) fn byte_offset(line_starts: &[usize], text: &str, pos: Pos) -> usize {
    let Some(&start) = line_starts.get(pos.line.saturating_sub(1)) else {
        return text.len();
    };
    let line_end = text[start..]
        .find('\n')
        .map(|i| start + i)
        .unwrap_or(text.len());
    text[start..line_end]
        .char_indices()
        .nth(pos.col.saturating_sub(1))
        .map(|(i, _)| start + i)
        .unwrap_or(line_end)
}

pub(crate) fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn parse(text: &str) -> Node {
        parse_document(text, 0).unwrap().unwrap().root
    }

    #[test]
    fn keys_and_values_know_their_lines() {
        let root = parse("a: 1\nb:\n  c: [x, y]\n");
        let b = &root.entries()[1];
        assert_eq!(b.key, "b");
        assert_eq!(b.key_pos, Pos { line: 2, col: 1 });
        let c = &b.value.entries()[0];
        assert_eq!(c.key_pos, Pos { line: 3, col: 3 });
        assert_eq!(c.value.items()[1].pos, Pos { line: 3, col: 10 });
    }

    #[test]
    fn scalars_resolve_like_kubernetes() {
        assert_eq!(resolve_plain("3"), Value::Int(3));
        assert_eq!(resolve_plain("0644"), Value::Int(0o644));
        assert_eq!(resolve_plain("0x1F"), Value::Int(31));
        assert_eq!(resolve_plain("-5"), Value::Int(-5));
        assert_eq!(resolve_plain("1.5"), Value::Float(1.5));
        assert_eq!(resolve_plain("on"), Value::Bool(true));
        assert_eq!(resolve_plain("500m"), Value::Str("500m".into()));
        assert_eq!(resolve_plain("25%"), Value::Str("25%".into()));
        assert_eq!(resolve_plain("1e3"), Value::Float(1000.0));
        assert_eq!(resolve_plain("1.2.3"), Value::Str("1.2.3".into()));
        assert_eq!(
            parse("a: \"3\"").get("a").unwrap().value,
            Value::Str("3".into())
        );
        assert_eq!(
            parse("a: !!str 3").get("a").unwrap().value,
            Value::Str("3".into())
        );
    }

    #[test]
    fn broken_yaml_names_line_and_column() {
        let err = parse_document("a: 1\nb: [1, 2\nc: 3\n", 10).unwrap_err();
        assert!(err.pos.line >= 12, "{err:?}");
    }

    #[test]
    fn billion_laughs_is_refused() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let prev = (b'a' + (i - 1) as u8) as char;
            let cur = (b'a' + i as u8) as char;
            text.push_str(&format!("{cur}: &{cur} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        let err = parse_document(&text, 0).unwrap_err();
        assert!(
            err.message.contains("billion laughs") || err.message.contains("nodes"),
            "{err:?}"
        );
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = "[".repeat(10_000);
        let err = parse_document(&text, 0).unwrap_err();
        assert!(err.message.contains("nesting"), "{err:?}");
    }

    #[test]
    fn merge_keys_and_duplicates() {
        let doc = parse_document(
            "base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n  z: 4\n  z: 5\n",
            0,
        )
        .unwrap()
        .unwrap();
        let m = doc.root.get("m").unwrap();
        assert_eq!(m.get("x").unwrap().value, Value::Int(1));
        assert_eq!(m.get("y").unwrap().value, Value::Int(3));
        assert_eq!(m.get("z").unwrap().value, Value::Int(5));
        assert_eq!(doc.duplicate_keys.len(), 1);
        assert_eq!(doc.duplicate_keys[0].key, "z");
        assert_eq!(doc.duplicate_keys[0].first.line, 5);
        assert_eq!(doc.duplicate_keys[0].again.line, 6);
    }

    #[test]
    fn a_quoted_merge_key_is_an_ordinary_key() {
        let root = parse("{\"<<\": {\"a\": 1}, \"b\": 2}");
        assert_eq!(root.entries()[0].key, "<<");
        assert!(root.get("a").is_none());
    }

    #[test]
    fn empty_documents_are_none() {
        assert!(parse_document("", 0).unwrap().is_none());
        assert!(parse_document("# just a comment\n", 0).unwrap().is_none());
    }

    #[test]
    fn locate_falls_back_to_the_deepest_existing_node() {
        let root = parse_document("spec:\n  containers:\n    - name: a\n      image: x\n", 0)
            .unwrap()
            .unwrap()
            .root;
        let mut path = crate::model::keys(&["spec", "containers"]);
        path.push(PathSeg::Index(0));
        path.extend(crate::model::keys(&["resources", "limits"]));
        let (node, _, depth) = locate(&root, &path);
        assert_eq!(depth, 3);
        assert_eq!(node.pos.line, 3);
    }
}

#[cfg(test)]
mod go_yaml_numbers {
    use super::*;

    /// What Helm 3.17.2 and 4.1.4 make of each plain scalar (`fromYaml`, then `kindOf`):
    /// true for a number, false for a string. tests/robust_render.rs checks the same table
    /// against the real Helms.
    const HELM: &[(&str, bool)] = &[
        ("-0x-8000000000000000", false),
        ("-0x8000000000000000", true),
        ("0x-1", false),
        ("+0x1F", true),
        ("-9223372036854775808", true),
        ("9223372036854775808", true),
        ("08", true),
        ("0o17", true),
        ("-0o17", true),
        ("0b101", true),
        ("-0b101", true),
        ("+0b101", true),
        ("1_000", true),
        ("0x_1F", true),
        ("1e3", true),
        (".5", true),
        ("0.", true),
        ("012345678901234567890", true),
        ("18446744073709551615", true),
        ("0x", false),
        ("-0", true),
        ("+-1", false),
        ("1__0", true),
        ("0b", false),
        ("0o", false),
        ("-0b-1", false),
        ("0x1p3", false),
    ];

    #[test]
    fn plain_scalars_resolve_like_go_yaml() {
        for (text, number) in HELM {
            let v = resolve_plain(text);
            let is_number = matches!(v, Value::Int(_) | Value::Float(_));
            assert_eq!(is_number, *number, "{text} resolved to {v:?}");
        }
        assert_eq!(resolve_plain("-0x8000000000000000"), Value::Int(i64::MIN));
        assert_eq!(resolve_plain("-9223372036854775808"), Value::Int(i64::MIN));
        assert_eq!(resolve_plain("08"), Value::Float(8.0));
        assert_eq!(resolve_plain("0x_1F"), Value::Int(31));
    }
}
