//! Helm's YAML functions: toYaml / mustToYaml (sigs.k8s.io/yaml: JSON step then yaml.v2),
//! toYamlPretty (yaml.v3 encoder, indent 2), fromYaml / fromYamlArray (YAML 1.1 through
//! sigs.k8s.io/yaml, numbers become float64). The writers are ours (funcs/yamlv2.rs) for
//! byte-exact output; parsing uses saphyr-parser's events with yaml.v2's resolution rules.

use std::collections::BTreeMap;
use std::rc::Rc;

use saphyr_parser::{Event, Parser, ScalarStyle};

use super::util::*;
use super::yamlv2::{self, Node, Resolved};
use crate::func::{FuncError, HelmVersion, Registry, Sig, Ty};
use crate::value::{Data, Value};

#[allow(unused_imports)]
use Ty::{Any, Bool, Float64, Int, MapAny, String as Str};

pub fn register(r: &mut Registry, version: HelmVersion) {
    r.insert("toYaml", Sig::new(&[Any]), |c, a| {
        match to_yaml_spans(&a[0]) {
            Ok((text, spans)) => Ok(with_spans(c, text, spans)),
            Err(_) => string(""),
        }
    });
    if version == HelmVersion::V4 {
        r.insert("mustToYaml", Sig::new(&[Any]), |c, a| {
            let (text, spans) = to_yaml_spans(&a[0]).map_err(FuncError::new)?;
            Ok(with_spans(c, text, spans))
        });
    }
    r.insert("toYamlPretty", Sig::new(&[Any]), |c, a| {
        let (text, spans) = to_yaml_pretty_spans(&a[0]);
        Ok(with_spans(c, text, spans))
    });
    r.insert("fromYaml", Sig::new(&[Str]), |_, a| {
        Ok(from_yaml_map(s(&a[0])))
    });
    r.insert("fromYamlArray", Sig::new(&[Str]), |_, a| {
        Ok(from_yaml_array(s(&a[0])))
    });
}

/// `toYaml`: what sigs.k8s.io/yaml.Marshal prints, minus one trailing newline.
pub fn to_yaml(v: &Value) -> Result<String, String> {
    to_yaml_spans(v).map(|(s, _)| s)
}

/// Provenance of a written value: the byte range each tainted scalar occupies, with its
/// taint. The engine turns these into output spans.
pub type ValueSpans = Vec<(std::ops::Range<usize>, crate::provenance::Taint)>;

/// `toYaml` with the output range of every tainted scalar.
pub fn to_yaml_spans(v: &Value) -> Result<(String, ValueSpans), String> {
    let mut taints = vec![];
    let mut node = json_node(v, 0, &mut taints)?;
    yamlv2::sort_keys(&mut node);
    let (out, spans) = yamlv2::Emitter::v2().document_with_spans(&node);
    let text = out.strip_suffix('\n').unwrap_or(&out).to_string();
    Ok((text.clone(), collect_spans(&text, spans, &taints)))
}

fn collect_spans(
    text: &str,
    spans: Vec<(usize, usize, usize)>,
    taints: &[crate::provenance::Taint],
) -> ValueSpans {
    spans
        .into_iter()
        .filter_map(|(id, a, b)| {
            let b = b.min(text.len());
            (a < b).then(|| (a..b, taints[id].clone()))
        })
        .collect()
}

/// A string result carrying one span per tainted scalar (origin: the call site).
pub fn with_spans(c: &mut crate::func::CallCtx<'_>, text: String, spans: ValueSpans) -> Value {
    if spans.is_empty() {
        return Value::string(text);
    }
    let origin = crate::provenance::Origin {
        pos: c.call_site(),
        stack: c.stack(),
        verbatim: false,
    };
    let spans: Vec<crate::provenance::Span> = spans
        .into_iter()
        .map(|(range, values)| crate::provenance::Span {
            range,
            origin: origin.clone(),
            values,
        })
        .collect();
    Value::string(text).with_taint(crate::provenance::Taint::from_spans(spans))
}

/// Wraps a leaf in a tag when it carries values provenance.
fn tag(n: Node, v: &Value, taints: &mut Vec<crate::provenance::Taint>) -> Node {
    if v.taint.is_empty() {
        return n;
    }
    taints.push(v.taint.without_spans());
    Node::Tagged(taints.len() - 1, Box::new(n))
}

/// The value as yaml.v2 sees it after `json.Marshal` and reading the JSON back.
fn json_node(
    v: &Value,
    depth: usize,
    taints: &mut Vec<crate::provenance::Taint>,
) -> Result<Node, String> {
    if depth > 1000 {
        return Err("json: unsupported value: encountered a cycle".into());
    }
    let leaf = |n: Node, taints: &mut Vec<crate::provenance::Taint>| tag(n, v, taints);
    Ok(match &v.data {
        Data::Nil => leaf(Node::Null, taints),
        Data::Bool(b) => leaf(Node::Bool(*b), taints),
        Data::Int(i) | Data::Int64(i) => leaf(Node::Int(*i), taints),
        Data::Float(f) => {
            let txt = super::gofloat::format_json(*f).ok_or_else(|| {
                format!("json: unsupported value: {}", super::gofloat::format_g(*f))
            })?;
            leaf(yamlv2::resolve_json_number(&txt), taints)
        }
        Data::Str(s) => leaf(
            Node::Str(
                yamlv2::json_string_roundtrip(s)
                    .ok_or("yaml: control characters are not allowed")?,
            ),
            taints,
        ),
        Data::RawStr(r) => leaf(
            Node::Str(
                yamlv2::json_string_roundtrip(&r.text)
                    .ok_or("yaml: control characters are not allowed")?,
            ),
            taints,
        ),
        Data::Bytes(b) => leaf(Node::Str(crate::gofmt::base64_std(b)), taints),
        Data::List(l) if l.items.is_empty() => leaf(Node::Seq(vec![]), taints),
        Data::List(l) => Node::Seq(
            l.items
                .iter()
                .map(|x| json_node(x, depth + 1, taints))
                .collect::<Result<_, _>>()?,
        ),
        Data::Map(m) if m.borrow().nil => leaf(Node::Null, taints),
        Data::Map(m) => {
            let entries = entries(m);
            let mut out = Vec::with_capacity(entries.len());
            for (k, x) in entries {
                let k = yamlv2::json_string_roundtrip(&k)
                    .ok_or("yaml: control characters are not allowed")?;
                out.push((k, json_node(&x, depth + 1, taints)?));
            }
            if out.is_empty() {
                leaf(Node::Map(out), taints)
            } else {
                Node::Map(out)
            }
        }
        Data::Object(o) => match o.to_plain() {
            Some(p) => json_node(&p, depth + 1, taints)?,
            None => Node::Map(vec![]),
        },
    })
}

/// `toYamlPretty`: yaml.v3 encodes the Go values directly (no JSON step), indent 2, no
/// line folding, sequences indented under their key.
pub fn to_yaml_pretty(v: &Value) -> String {
    to_yaml_pretty_spans(v).0
}

/// `toYamlPretty` with the output range of every tainted scalar.
pub fn to_yaml_pretty_spans(v: &Value) -> (String, ValueSpans) {
    let mut taints = vec![];
    let Some(mut node) = direct_node(v, 0, &mut taints) else {
        return (String::new(), vec![]);
    };
    yamlv2::sort_keys(&mut node);
    let mut e = yamlv2::Emitter::v2().with_width(-1);
    e.compact_seq_in_map = false;
    e.v3 = true;
    let (out, spans) = e.document_with_spans(&node);
    let text = out.strip_suffix('\n').unwrap_or(&out).to_string();
    let spans = collect_spans(&text, spans, &taints);
    (text, spans)
}

fn direct_node(
    v: &Value,
    depth: usize,
    taints: &mut Vec<crate::provenance::Taint>,
) -> Option<Node> {
    if depth > 1000 {
        return None;
    }
    let leaf = |n: Node, taints: &mut Vec<crate::provenance::Taint>| tag(n, v, taints);
    Some(match &v.data {
        Data::Nil => leaf(Node::Null, taints),
        Data::Bool(b) => leaf(Node::Bool(*b), taints),
        Data::Int(i) | Data::Int64(i) => leaf(Node::Int(*i), taints),
        Data::Float(f) => leaf(Node::Float(*f), taints),
        Data::Str(s) => leaf(Node::Str(s.to_string()), taints),
        Data::RawStr(r) => leaf(Node::Str(r.text.to_string()), taints),
        Data::Bytes(b) => leaf(Node::Str(String::from_utf8_lossy(b).into_owned()), taints),
        Data::List(l) if l.items.is_empty() => leaf(Node::Seq(vec![]), taints),
        Data::List(l) => Node::Seq(
            l.items
                .iter()
                .map(|x| direct_node(x, depth + 1, taints))
                .collect::<Option<_>>()?,
        ),
        Data::Map(m) => {
            let entries = entries(m);
            if entries.is_empty() {
                return Some(leaf(Node::Map(vec![]), taints));
            }
            let mut out = Vec::with_capacity(entries.len());
            for (k, x) in entries {
                out.push((k.to_string(), direct_node(&x, depth + 1, taints)?));
            }
            Node::Map(out)
        }
        Data::Object(o) => match o.to_plain() {
            Some(p) => direct_node(&p, depth + 1, taints)?,
            None => Node::Map(vec![]),
        },
    })
}

/// Parses YAML the way `sigs.k8s.io/yaml.Unmarshal` into `interface{}` sees it: YAML 1.1
/// scalars (yaml.v2), then the JSON step (every number a float64, keys strings). Only the
/// first document counts. Exposed for the engine (values files).
pub fn from_yaml_str(src: &str) -> Result<Value, String> {
    parse_yaml(src, false).map(|docs| docs.into_iter().next().unwrap_or_default())
}

/// Every document of a YAML stream, each read as [`from_yaml_str`] reads the first (Helm 4
/// merges all documents of a values file). Empty documents are left out.
pub fn from_yaml_docs(src: &str) -> Result<Vec<Value>, String> {
    parse_yaml(src, true)
}

fn parse_yaml(src: &str, all: bool) -> Result<Vec<Value>, String> {
    let mut docs = Vec::new();
    let mut parser = Parser::new_from_str(src);
    enum Frame {
        Seq(Vec<Value>, usize),
        Map(BTreeMap<Rc<str>, Value>, Option<Rc<str>>, usize),
    }
    let mut stack: Vec<Frame> = vec![];
    let mut anchors: std::collections::HashMap<usize, Value> = Default::default();
    let mut root: Option<Value> = None;
    let mut nodes = 0usize;
    while let Some(next) = parser.next_event() {
        let (ev, span) = next.map_err(|e| {
            if e.info().ends_with("found unknown anchor") {
                // yaml.v2 names the anchor and gives no line.
                let name: String = src
                    .chars()
                    .skip(e.marker().index())
                    .skip_while(|&c| c != '*')
                    .skip(1)
                    .take_while(|c| !c.is_whitespace() && !",[]{}".contains(*c))
                    .collect();
                return format!(
                    "error converting YAML to JSON: yaml: unknown anchor '{name}' referenced"
                );
            }
            yaml_error(e.marker().line(), e.info())
        })?;
        let done: Option<(Value, usize)> = match ev {
            Event::StreamStart | Event::StreamEnd | Event::Nothing | Event::DocumentStart(_) => {
                None
            }
            Event::DocumentEnd => {
                if let Some(r) = root.take() {
                    docs.push(r);
                    if !all {
                        break;
                    }
                }
                anchors.clear();
                None
            }
            Event::Scalar(text, style, anchor, tag) => {
                let v = scalar_value(&text, style, tag.as_ref().map(|t| t.suffix.as_str()));
                if let Data::Float(f) = v.data {
                    if !f.is_finite() {
                        return Err(format!(
                            "error converting YAML to JSON: json: unsupported value: {}",
                            super::gofloat::format_g(f)
                        ));
                    }
                }
                Some((v, anchor))
            }
            Event::Alias(id) => {
                let v = anchors.get(&id).cloned().ok_or_else(|| {
                    format!(
                        "error converting YAML to JSON: yaml: line {}: unknown anchor referenced",
                        span.start.line()
                    )
                })?;
                Some((deep_copy(&v), 0))
            }
            Event::SequenceStart(anchor, _) => {
                stack.push(Frame::Seq(vec![], anchor));
                None
            }
            Event::MappingStart(anchor, _) => {
                stack.push(Frame::Map(BTreeMap::new(), None, anchor));
                None
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq(items, anchor)) => Some((Value::list(items), anchor)),
                _ => return Err("error converting YAML to JSON: unbalanced sequence".into()),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map(m, _, anchor)) => Some((Value::map(m), anchor)),
                _ => return Err("error converting YAML to JSON: unbalanced mapping".into()),
            },
        };
        let Some((v, anchor)) = done else { continue };
        nodes += 1;
        if nodes > 1_000_000 {
            return Err("error converting YAML to JSON: document too large".into());
        }
        if anchor > 0 {
            anchors.insert(anchor, v.clone());
        }
        match stack.last_mut() {
            None => root = Some(v),
            Some(Frame::Seq(items, _)) => items.push(v),
            Some(Frame::Map(m, pending, _)) => match pending.take() {
                None => {
                    let k = key_string(&v).ok_or_else(|| {
                        "error converting YAML to JSON: yaml: invalid map key".to_string()
                    })?;
                    *pending = Some(k);
                }
                Some(k) => {
                    if &*k == "<<" {
                        // Merge key: entries of the merged map(s) that are not set already.
                        let merged: Vec<Value> = match &v.data {
                            Data::List(l) => l.items.clone(),
                            _ => vec![v.clone()],
                        };
                        for mv in merged {
                            if let Some(mm) = mv.as_map() {
                                for (mk, mvv) in mm.borrow().entries.iter() {
                                    m.entry(mk.clone()).or_insert_with(|| mvv.clone());
                                }
                            }
                        }
                    } else {
                        m.insert(k, v);
                    }
                }
            },
        }
    }
    docs.extend(root);
    Ok(docs)
}

/// yaml.v2's error text: the problem only (libyaml's "while parsing …" context dropped);
/// parser problems report a 0-based line (omitted when 0), scanner problems a 1-based one.
fn yaml_error(line: usize, info: &str) -> String {
    let (parser, problem) = match info.strip_prefix("while ") {
        Some(rest) => (true, rest.split_once(", ").map(|(_, p)| p).unwrap_or(rest)),
        None => (false, info),
    };
    // saphyr words a tab in indentation its own way; libyaml's scanner says this.
    let problem = if problem.starts_with("tabs disallowed") {
        "found character that cannot start any token"
    } else {
        problem
    };
    // saphyr's lines are 1-based; libyaml's marks 0-based, with line 0 never printed.
    let line0 = line.saturating_sub(1);
    let line = if line0 == 0 {
        0
    } else if parser {
        line0
    } else {
        line
    };
    if line == 0 {
        format!("error converting YAML to JSON: yaml: {problem}")
    } else {
        format!("error converting YAML to JSON: yaml: line {line}: {problem}")
    }
}

/// A map key as the JSON step writes it: strings as is, booleans and numbers as text; a
/// null or collection key is an error.
fn key_string(v: &Value) -> Option<Rc<str>> {
    match &v.data {
        Data::Str(s) => Some(s.clone()),
        Data::Bool(b) => Some(Rc::from(b.to_string())),
        Data::Float(f) => Some(Rc::from(yaml_key_float(*f))),
        Data::Int(i) | Data::Int64(i) => Some(Rc::from(i.to_string())),
        _ => None,
    }
}

fn yaml_key_float(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e21 {
        format!("{}", f as i64)
    } else {
        super::gofloat::format_g(f)
    }
}

/// yaml.v2's resolution of one scalar, then JSON typing (numbers → float64).
fn scalar_value(text: &str, style: ScalarStyle, tag: Option<&str>) -> Value {
    if style != ScalarStyle::Plain || tag == Some("str") {
        return Value::string(text);
    }
    match yamlv2::resolve_plain(text) {
        Resolved::Null => Value::nil(),
        Resolved::Bool => {
            let t = matches!(
                text,
                "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON"
            );
            Value::bool(t)
        }
        Resolved::Int => {
            let plain: String = text.chars().filter(|&c| c != '_').collect();
            let f = parse_yaml_int(&plain).unwrap_or(0.0);
            Value::float(f)
        }
        Resolved::Float => {
            let lower = text.to_ascii_lowercase();
            let f = match lower.as_str() {
                ".inf" | "+.inf" => f64::INFINITY,
                "-.inf" => f64::NEG_INFINITY,
                ".nan" => f64::NAN,
                _ => text.replace('_', "").parse().unwrap_or(0.0),
            };
            Value::float(f)
        }
        Resolved::Timestamp | Resolved::Str | Resolved::Merge => Value::string(text),
    }
}

fn parse_yaml_int(p: &str) -> Option<f64> {
    if let Some(i) = go_parse_int(p) {
        return Some(i as f64);
    }
    let (neg, body) = match p.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, p.strip_prefix('+').unwrap_or(p)),
    };
    let v = if let Some(b) = body.strip_prefix("0b") {
        u64::from_str_radix(b, 2).ok()? as f64
    } else {
        body.parse::<u64>().ok()? as f64
    };
    Some(if neg { -v } else { v })
}

/// Helm's `fromYaml`: a map; errors go into "Error".
pub fn from_yaml_map(src: &str) -> Value {
    match from_yaml_str(src) {
        Ok(v) if v.as_map().is_some() => v,
        Ok(v) if v.is_nil() => Value::empty_map(),
        Ok(v) => {
            let kind = match &v.data {
                Data::List(_) => "array",
                Data::Str(_) => "string",
                Data::Bool(_) => "bool",
                _ => "number",
            };
            error_map(format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}"
            ))
        }
        Err(e) => error_map(e),
    }
}

fn error_map(msg: String) -> Value {
    let m = Value::empty_map();
    m.as_map().unwrap().insert("Error", Value::string(msg));
    m
}

/// Helm's `fromYamlArray`: a list; an error is its only element.
pub fn from_yaml_array(src: &str) -> Value {
    match from_yaml_str(src) {
        Ok(v) if v.as_list().is_some() => v,
        Ok(v) if v.is_nil() => Value::list(vec![]),
        Ok(v) => {
            let kind = match &v.data {
                Data::Map(_) => "object",
                Data::Str(_) => "string",
                Data::Bool(_) => "bool",
                _ => "number",
            };
            Value::list(vec![Value::string(format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {kind} into Go value of type []interface {{}}"
            ))])
        }
        Err(e) => Value::list(vec![Value::string(e)]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_cover_each_values_scalar() {
        let json = serde_json::json!({"image": {"repository": "nginx", "tag": "1.25"}, "ports": [80, 443], "e": {}});
        let v = Value::from_json_values(&json, &crate::provenance::ValuesPath::root());
        let (text, spans) = to_yaml_spans(&v).unwrap();
        assert_eq!(
            text,
            "e: {}\nimage:\n  repository: nginx\n  tag: \"1.25\"\nports:\n- 80\n- 443"
        );
        let shown: Vec<(String, String)> = spans
            .iter()
            .map(|(r, t)| (text[r.clone()].to_string(), format!("{:?}", t.paths())))
            .collect();
        assert_eq!(
            shown,
            [
                ("{}".to_string(), "[e]".to_string()),
                ("nginx".into(), "[image.repository]".into()),
                ("\"1.25\"".into(), "[image.tag]".into()),
                ("80".into(), "[ports[0]]".into()),
                ("443".into(), "[ports[1]]".into()),
            ]
        );
        let img = v.as_map().unwrap().get("image").unwrap();
        let (_, ispans) = to_yaml_spans(&img).unwrap();
        assert_eq!(ispans.len(), 2, "{img:?}");
        let (pretty, pspans) = to_yaml_pretty_spans(&v);
        assert_eq!(&pretty[pspans[3].0.clone()], "80");
    }

    #[test]
    fn round_trips() {
        let v =
            from_yaml_str("b: [1, 2.5, yes, '1']\na: {on: x, n: ~}\nc: |\n  l1\n  l2\n").unwrap();
        assert_eq!(
            to_yaml(&v).unwrap(),
            "a:\n  \"false\": null\n  \"true\": x\nb:\n- 1\n- 2.5\n- true\n- \"1\"\nc: |\n  l1\n  l2"
        );
        assert_eq!(to_yaml(&Value::float(1e6)).unwrap(), "1000000");
        assert_eq!(to_yaml(&Value::float(0.000001)).unwrap(), "1e-06");
        assert_eq!(to_yaml(&Value::empty_map()).unwrap(), "{}");
        assert_eq!(to_yaml(&Value::string("")).unwrap(), "\"\"");
        assert_eq!(to_yaml_pretty(&v), "a:\n  \"false\": null\n  \"true\": x\nb:\n  - 1\n  - 2.5\n  - true\n  - \"1\"\nc: |\n  l1\n  l2");
    }
}
