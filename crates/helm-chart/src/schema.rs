//! `values.schema.json` violations as Helm words them.
//!
//! The `jsonschema` crate decides validity and lists every violation (instance path, schema
//! path, keyword); this module turns that flat list into what each Helm prints:
//!
//! - **Helm 4.1.4** (santhosh-tekuri/jsonschema v6): a tree. A schema applied to a value
//!   yields nothing, its one error, or "validation failed" grouping several; `type`, `const`,
//!   `enum` and `format` stop at their first failure (nothing else of that schema is checked),
//!   and a draft-7 `$ref` hides its siblings. Numbers go through `x/text/message`, which groups
//!   thousands (`got 123,457, want 1,000`).
//! - **Helm 3.17.2** (gojsonschema): a flat list `- field.path: description`, `(root)` for the
//!   top, one line per missing required property and per additional property.
//!
//! Both Helms list an object's properties in Go map order (random from run to run); this module
//! uses the values' own order, so a comparison with Helm is order-insensitive among siblings.
//! Keywords whose wording depends on Go library text (`format`: `net/mail`'s errors and the
//! like) or on combinators (`allOf`/`anyOf`/`oneOf`/`not`/`if`, dependencies) are reported as
//! not worded ([`Checked::unworded`]), so the renderer names them unsupported and `auto` asks
//! Helm; chartguard's own findings still list them.

use helm_template::HelmVersion;
use jsonschema::error::{TypeKind, ValidationErrorKind as K};
use serde_json::Value as J;

/// One violation, with the values path it is about (relative to the chart's own values).
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    /// Instance path inside the chart's values (`["image", "tag"]`, list indexes as digits).
    pub path: Vec<String>,
    /// The JSON Schema keyword (`type`, `required`, `additionalProperties`…).
    pub keyword: String,
    /// For `required`: the missing property; for `additionalProperties`: the unexpected ones.
    pub properties: Vec<String>,
    /// Helm 4's wording of this one violation (`got string, want integer`); it may quote
    /// the value, so it is for Helm's error, not for a report.
    pub message: String,
    /// What is wrong, never quoting the value (`is a string; the schema wants an integer`).
    pub detail: String,
}

/// The result of checking one chart's values against its schema.
#[derive(Clone, Debug, Default)]
pub struct Checked {
    /// Every violation (Helm 4 short-circuits included: what Helm 4 would list).
    pub violations: Vec<Violation>,
    /// Helm's text for this chart (`- at '/x': …` lines), when every violation can be worded.
    pub text: Option<String>,
    /// Keywords this module does not word for the Helm version asked.
    pub unworded: Vec<String>,
}

struct Raw {
    detail: String,
    inst: Vec<String>,
    schema: Vec<String>,
    keyword: String,
    kind_msg: Option<String>,
    helm3: Option<String>,
    properties: Vec<String>,
}

/// Checks `values` against `validator` and words the violations as `helm` does.
pub fn check(
    validator: &jsonschema::Validator,
    schema_doc: &J,
    values: &J,
    helm: HelmVersion,
) -> Checked {
    let mut raws = Vec::new();
    let mut unworded = Vec::new();
    for e in validator.iter_errors(values) {
        let inst = split_ptr(e.instance_path().as_str());
        // The evaluation path, not the schema path: through a `$ref` it keeps the referring
        // property, so each use of a definition is its own node.
        let schema = split_ptr(e.evaluation_path().as_str());
        let (msg, properties) = helm4_message(e.kind(), e.instance());
        let keyword = e.kind().keyword().to_string();
        // gojsonschema names several types in the schema's order.
        let declared = e
            .schema_path()
            .as_str()
            .strip_suffix("/type")
            .and_then(|p| schema_doc.pointer(&format!("{p}/type")))
            .and_then(J::as_array)
            .map(|a| a.iter().filter_map(J::as_str).collect::<Vec<_>>().join(","));
        let helm3 = helm3_message(e.kind(), e.instance(), &inst, declared);
        let nested_ok = schema_path_supported(&schema);
        if msg.is_none() || !nested_ok || (helm == HelmVersion::V3 && helm3.is_none()) {
            let what = if nested_ok {
                keyword.clone()
            } else {
                schema
                    .iter()
                    .find(|s| UNSUPPORTED_APPLICATORS.contains(&s.as_str()))
                    .cloned()
                    .unwrap_or_else(|| keyword.clone())
            };
            if !unworded.contains(&what) {
                unworded.push(what);
            }
        }
        raws.push(Raw {
            detail: detail(e.kind(), e.instance()),
            inst,
            schema,
            keyword,
            kind_msg: msg,
            helm3,
            properties,
        });
    }
    if raws.is_empty() {
        return Checked::default();
    }
    let tree = build(&raws);
    let items = tree.items(&raws);
    let mut violations = Vec::new();
    collect(&items, &raws, &mut violations);
    let text = unworded.is_empty().then(|| match helm {
        HelmVersion::V4 => {
            let mut s = String::new();
            display(&items, &raws, 1, &mut s);
            s
        }
        HelmVersion::V3 => {
            let mut s = String::new();
            let mut leaves = Vec::new();
            flatten(&items, &mut leaves);
            for i in leaves {
                for line in raws[i].helm3.iter() {
                    s.push_str(line);
                }
            }
            s
        }
    });
    Checked {
        violations,
        text,
        unworded,
    }
}

/// Applicators whose error grouping or wording is not reproduced.
const UNSUPPORTED_APPLICATORS: &[&str] = &[
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "if",
    "then",
    "else",
    "dependencies",
    "dependentSchemas",
    "dependentRequired",
    "contains",
    "propertyNames",
    "additionalItems",
    "prefixItems",
    "unevaluatedProperties",
    "unevaluatedItems",
    "$dynamicRef",
    "$recursiveRef",
];

fn schema_path_supported(schema: &[String]) -> bool {
    !schema
        .iter()
        .take(schema.len().saturating_sub(1))
        .any(|s| UNSUPPORTED_APPLICATORS.contains(&s.as_str()))
}

fn split_ptr(p: &str) -> Vec<String> {
    if p.is_empty() {
        return Vec::new();
    }
    p.trim_start_matches('/')
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// A schema applied to a value: its own keyword errors and the subschemas it applied.
#[derive(Default)]
struct Node {
    inst: Vec<String>,
    /// Indexes into the raw errors, in the order the crate reported them.
    leaves: Vec<usize>,
    /// (schema segment(s) naming the subschema, child), in first-seen order.
    children: Vec<(String, Node)>,
}

enum Item {
    Leaf(usize),
    /// Several errors of one schema at `inst` ("validation failed").
    Group(Vec<String>, Vec<Item>),
}

fn build(raws: &[Raw]) -> Node {
    let mut root = Node::default();
    for (i, r) in raws.iter().enumerate() {
        let mut node = &mut root;
        let mut consumed = 0usize;
        let mut s = 0usize;
        let last = r.schema.len().saturating_sub(1);
        while s < last {
            let seg = r.schema[s].as_str();
            let (key, step, eat) = match seg {
                "properties" | "patternProperties" if s + 1 < last => {
                    (format!("{seg}/{}", r.schema[s + 1]), 2, 1)
                }
                "items" if s + 1 < last && r.schema[s + 1].chars().all(|c| c.is_ascii_digit()) => {
                    (format!("items/{}", r.schema[s + 1]), 2, 1)
                }
                "items" | "additionalProperties" => {
                    // One node per element or property the subschema is applied to.
                    let at = r.inst.get(consumed).cloned().unwrap_or_default();
                    (format!("{seg}@{at}"), 1, 1)
                }
                "$ref" => ("$ref".to_string(), 1, 0),
                other => (other.to_string(), 1, 0),
            };
            consumed = (consumed + eat).min(r.inst.len());
            let inst = r.inst[..consumed].to_vec();
            let pos = match node.children.iter().position(|(k, _)| *k == key) {
                Some(p) => p,
                None => {
                    node.children.push((
                        key,
                        Node {
                            inst,
                            ..Node::default()
                        },
                    ));
                    node.children.len() - 1
                }
            };
            node = &mut node.children[pos].1;
            s += step;
        }
        node.leaves.push(i);
    }
    root
}

/// Santhosh-tekuri's order of keyword checks within one schema.
fn rank(keyword: &str) -> u8 {
    match keyword {
        "minProperties" => 1,
        "maxProperties" => 2,
        "required" => 3,
        // property subschemas: 4
        "additionalProperties" => 5,
        "minItems" => 6,
        "maxItems" => 7,
        "uniqueItems" => 8,
        // item subschemas: 9
        "minLength" => 10,
        "maxLength" => 11,
        "pattern" => 12,
        "minimum" => 13,
        "maximum" => 14,
        "exclusiveMinimum" => 15,
        "exclusiveMaximum" => 16,
        "multipleOf" => 17,
        _ => 18,
    }
}

impl Node {
    fn items(&self, raws: &[Raw]) -> Vec<Item> {
        // type, const, enum and format end the schema's checks at their first failure.
        for stop in ["type", "const", "enum", "format"] {
            if let Some(&i) = self.leaves.iter().find(|&&i| raws[i].keyword == stop) {
                return vec![Item::Leaf(i)];
            }
        }
        // Draft 7: a `$ref` replaces its siblings.
        if let Some((_, r)) = self.children.iter().find(|(k, _)| k == "$ref") {
            return r.items(raws);
        }
        let mut ranked: Vec<(u8, Item)> = Vec::new();
        // Required properties are one error listing them all.
        let mut required: Option<usize> = None;
        for &i in &self.leaves {
            if raws[i].keyword == "required" {
                if required.is_none() {
                    required = Some(i);
                    ranked.push((3, Item::Leaf(i)));
                }
                continue;
            }
            ranked.push((rank(&raws[i].keyword), Item::Leaf(i)));
        }
        for (key, child) in &self.children {
            let r = if key.starts_with("items") { 9 } else { 4 };
            let mut sub = child.items(raws);
            match sub.len() {
                0 => {}
                1 => ranked.push((r, sub.pop().expect("one"))),
                _ => ranked.push((r, Item::Group(child.inst.clone(), sub))),
            }
        }
        ranked.sort_by_key(|(r, _)| *r);
        ranked.into_iter().map(|(_, i)| i).collect()
    }
}

fn leaf_inst<'a>(item: &'a Item, raws: &'a [Raw]) -> &'a [String] {
    match item {
        Item::Leaf(i) => &raws[*i].inst,
        Item::Group(inst, _) => inst,
    }
}

fn display(items: &[Item], raws: &[Raw], indent: usize, out: &mut String) {
    for item in items {
        out.push_str(&"  ".repeat(indent - 1));
        out.push_str("- at ");
        out.push_str(&quote(&json_ptr(leaf_inst(item, raws))));
        out.push_str(": ");
        match item {
            Item::Leaf(i) => {
                out.push_str(&message_of(*i, raws));
                out.push('\n');
            }
            Item::Group(_, sub) => {
                out.push_str("validation failed\n");
                display(sub, raws, indent + 1, out);
            }
        }
    }
}

/// A leaf's Helm 4 message; `required` gathers every missing property of its schema.
fn message_of(i: usize, raws: &[Raw]) -> String {
    let r = &raws[i];
    if r.keyword == "required" {
        let missing: Vec<&str> = raws
            .iter()
            .filter(|o| {
                o.keyword == "required"
                    && o.inst == r.inst
                    && o.schema[..o.schema.len() - 1] == r.schema[..r.schema.len() - 1]
            })
            .flat_map(|o| o.properties.iter().map(String::as_str))
            .collect();
        return if missing.len() == 1 {
            format!("missing property {}", quote(missing[0]))
        } else {
            let q: Vec<String> = missing.iter().map(|m| quote(m)).collect();
            format!("missing properties {}", q.join(", "))
        };
    }
    r.kind_msg.clone().unwrap_or_default()
}

fn flatten(items: &[Item], out: &mut Vec<usize>) {
    for item in items {
        match item {
            Item::Leaf(i) => out.push(*i),
            Item::Group(_, sub) => flatten(sub, out),
        }
    }
}

fn collect(items: &[Item], raws: &[Raw], out: &mut Vec<Violation>) {
    let mut leaves = Vec::new();
    flatten(items, &mut leaves);
    for i in leaves {
        let r = &raws[i];
        if r.keyword == "required" {
            // One violation per missing property: each is placed on its own.
            for o in raws.iter().filter(|o| {
                o.keyword == "required"
                    && o.inst == r.inst
                    && o.schema[..o.schema.len() - 1] == r.schema[..r.schema.len() - 1]
            }) {
                out.push(Violation {
                    path: o.inst.clone(),
                    keyword: o.keyword.clone(),
                    properties: o.properties.clone(),
                    message: message_of(i, raws),
                    detail: o.detail.clone(),
                });
            }
            continue;
        }
        out.push(Violation {
            path: r.inst.clone(),
            keyword: r.keyword.clone(),
            properties: r.properties.clone(),
            message: message_of(i, raws),
            detail: r.detail.clone(),
        });
    }
}

fn json_ptr(tokens: &[String]) -> String {
    tokens
        .iter()
        .map(|t| format!("/{}", t.replace('~', "~0").replace('/', "~1")))
        .collect()
}

/// Go's `%q` with single quotes (santhosh-tekuri's `quote`).
fn quote(s: &str) -> String {
    let mut out = String::from("'");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// Go's `%v` of a primitive JSON value (`display`): strings quoted, numbers as written.
fn display_value(v: &J) -> String {
    match v {
        J::String(s) => quote(s),
        J::Null => "<nil>".into(),
        J::Array(_) | J::Object(_) => "value".into(),
        other => other.to_string(),
    }
}

/// `x/text/message`'s `%v` of a float64 in English: thousands grouped, and (as strconv's
/// shortest `%g`) scientific from 10⁶ up and below 10⁻⁴, written `1.234567×10⁰⁶`.
fn localized_float(n: f64) -> String {
    if n != 0.0 && n.is_finite() {
        let sci = format!("{:e}", n.abs());
        let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        if !(-4..6).contains(&exp) {
            const SUP: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
            let digits: String = format!("{:02}", exp.abs())
                .chars()
                .map(|c| SUP[c.to_digit(10).unwrap_or(0) as usize])
                .collect();
            let sign = if n < 0.0 { "-" } else { "" };
            let esign = if exp < 0 { "⁻" } else { "" };
            return format!("{sign}{mant}×10{esign}{digits}");
        }
    }
    localized(n)
}

/// `x/text/message`'s `%d` of an integer in English: thousands grouped.
fn localized(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e21 {
        let digits = format!("{}", n.abs() as u128);
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        if n < 0.0 {
            out.insert(0, '-');
        }
        out
    } else {
        let s = format!("{n}");
        match s.split_once('.') {
            Some((int, frac)) => {
                let i: f64 = int.parse().unwrap_or(0.0);
                let head = if int.starts_with('-') && i == 0.0 {
                    "-0".to_string()
                } else {
                    localized(i)
                };
                format!("{head}.{frac}")
            }
            None => s,
        }
    }
}

fn num(v: &J) -> f64 {
    v.as_f64().unwrap_or(0.0)
}

fn type_names(kind: &TypeKind) -> Vec<String> {
    const ORDER: [&str; 7] = [
        "null", "boolean", "number", "integer", "string", "array", "object",
    ];
    let mut names: Vec<String> = match kind {
        TypeKind::Single(t) => vec![t.to_string()],
        TypeKind::Multiple(set) => set.iter().map(|t| t.to_string()).collect(),
    };
    names.sort_by_key(|n| ORDER.iter().position(|o| o == n).unwrap_or(9));
    names
}

fn got_type(v: &J) -> &'static str {
    match v {
        J::Null => "null",
        J::Bool(_) => "boolean",
        J::Number(_) => "number",
        J::String(_) => "string",
        J::Array(_) => "array",
        J::Object(_) => "object",
    }
}

/// Helm 4's message for one error, and the properties it names; None when not worded.
fn helm4_message(kind: &K, instance: &J) -> (Option<String>, Vec<String>) {
    let m = match kind {
        K::Type { kind } => format!(
            "got {}, want {}",
            got_type(instance),
            type_names(kind).join(" or ")
        ),
        K::Enum { options } => match options.as_array() {
            Some(o) if o.iter().all(|v| !v.is_array() && !v.is_object()) => {
                if o.len() == 1 {
                    format!("value must be {}", display_value(&o[0]))
                } else {
                    let w: Vec<String> = o.iter().map(display_value).collect();
                    format!("value must be one of {}", w.join(", "))
                }
            }
            _ => "enum failed".into(),
        },
        K::Constant { expected_value } => match &**expected_value {
            J::Array(_) | J::Object(_) => "const failed".into(),
            v => format!("value must be {}", display_value(v)),
        },
        K::Required { property } => {
            let p = property.as_str().unwrap_or_default().to_string();
            return (Some(format!("missing property {}", quote(&p))), vec![p]);
        }
        K::AdditionalProperties { unexpected } => {
            let q: Vec<String> = unexpected.iter().map(|p| quote(p)).collect();
            return (
                Some(format!(
                    "additional properties {} not allowed",
                    q.join(", ")
                )),
                unexpected.clone(),
            );
        }
        K::Minimum { limit } => bound("minimum", instance, limit),
        K::Maximum { limit } => bound("maximum", instance, limit),
        K::ExclusiveMinimum { limit } => bound("exclusiveMinimum", instance, limit),
        K::ExclusiveMaximum { limit } => bound("exclusiveMaximum", instance, limit),
        K::MultipleOf { multiple_of } => format!(
            "multipleOf: got {}, want {}",
            localized_float(num(instance)),
            localized_float(*multiple_of)
        ),
        K::MinLength { limit } => count("minLength", str_len(instance), *limit),
        K::MaxLength { limit } => count("maxLength", str_len(instance), *limit),
        K::Pattern { pattern } => format!(
            "{} does not match pattern {}",
            quote(instance.as_str().unwrap_or_default()),
            quote(pattern)
        ),
        K::MinItems { limit } => count("minItems", arr_len(instance), *limit),
        K::MaxItems { limit } => count("maxItems", arr_len(instance), *limit),
        K::MinProperties { limit } => count("minProperties", obj_len(instance), *limit),
        K::MaxProperties { limit } => count("maxProperties", obj_len(instance), *limit),
        K::UniqueItems => match duplicates(instance) {
            Some((i, j)) => format!("items at {i} and {j} are equal"),
            None => return (None, Vec::new()),
        },
        K::FalseSchema => "false schema".into(),
        _ => return (None, Vec::new()),
    };
    (Some(m), Vec::new())
}

fn bound(name: &str, got: &J, limit: &J) -> String {
    format!(
        "{name}: got {}, want {}",
        localized_float(num(got)),
        localized_float(num(limit))
    )
}

/// A size keyword (`minLength`, `maxItems`…): the instance's size against the limit.
fn count(name: &str, got: usize, limit: u64) -> String {
    format!(
        "{name}: got {}, want {}",
        localized(got as f64),
        localized(limit as f64)
    )
}

fn str_len(v: &J) -> usize {
    v.as_str().map_or(0, |s| s.chars().count())
}
fn arr_len(v: &J) -> usize {
    v.as_array().map_or(0, Vec::len)
}
fn obj_len(v: &J) -> usize {
    v.as_object().map_or(0, serde_json::Map::len)
}

/// The first equal pair, as santhosh-tekuri finds it (for up to 20 items: each item against
/// the ones before it).
fn duplicates(v: &J) -> Option<(usize, usize)> {
    let a = v.as_array()?;
    for i in 1..a.len() {
        for j in 0..i {
            if a[i] == a[j] {
                return Some((j, i));
            }
        }
    }
    None
}

/// gojsonschema's field: `image.tag`, `list.0`, `(root)`.
fn field(inst: &[String]) -> String {
    if inst.is_empty() {
        "(root)".into()
    } else {
        inst.join(".")
    }
}

/// Go's `%v` of a number as gojsonschema prints limits (no grouping).
fn plain_num(v: &J) -> String {
    match v.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 1e21 => format!("{}", f as i128),
        Some(f) => format!("{f}"),
        None => v.to_string(),
    }
}

/// gojsonschema's JSON rendering of an allowed value (`"Always"`, `3`).
fn go_json(v: &J) -> String {
    v.to_string()
}

/// Helm 3's line(s) for one error (`- field: description\n`); None when not worded.
fn helm3_message(
    kind: &K,
    instance: &J,
    inst: &[String],
    declared: Option<String>,
) -> Option<String> {
    let f = field(inst);
    let line = |d: String| format!("- {f}: {d}\n");
    Some(match kind {
        K::Type { kind } => {
            let given = match instance {
                J::Number(n) if n.is_i64() || n.is_u64() => "integer",
                J::Number(n) if n.as_f64().is_some_and(|x| x.fract() == 0.0) => "integer",
                other => got_type(other),
            };
            let names = type_names(kind);
            let expected = match (names.len(), declared) {
                (1, _) => names[0].clone(),
                (_, Some(d)) => format!("[{d}]"),
                _ => return None,
            };
            line(format!(
                "Invalid type. Expected: {expected}, given: {given}"
            ))
        }
        K::Enum { options } => {
            let w: Vec<String> = options.as_array()?.iter().map(go_json).collect();
            line(format!(
                "{f} must be one of the following: {}",
                w.join(", ")
            ))
        }
        K::Constant { expected_value } => {
            line(format!("{f} does not match: {}", go_json(expected_value)))
        }
        K::Required { property } => {
            format!("- {f}: {} is required\n", property.as_str()?)
        }
        K::AdditionalProperties { unexpected } => unexpected
            .iter()
            .map(|p| line(format!("Additional property {p} is not allowed")))
            .collect(),
        K::Minimum { limit } => line(format!(
            "Must be greater than or equal to {}",
            plain_num(limit)
        )),
        K::Maximum { limit } => line(format!(
            "Must be less than or equal to {}",
            plain_num(limit)
        )),
        K::ExclusiveMinimum { limit } => line(format!("Must be greater than {}", plain_num(limit))),
        K::ExclusiveMaximum { limit } => line(format!("Must be less than {}", plain_num(limit))),
        K::MultipleOf { multiple_of } => line(format!(
            "Must be a multiple of {}",
            plain_num(&J::from(*multiple_of))
        )),
        K::MinLength { limit } => line(format!(
            "String length must be greater than or equal to {limit}"
        )),
        K::MaxLength { limit } => line(format!(
            "String length must be less than or equal to {limit}"
        )),
        K::Pattern { pattern } => line(format!("Does not match pattern '{pattern}'")),
        K::MinItems { limit } => line(format!("Array must have at least {limit} items")),
        K::MaxItems { limit } => line(format!("Array must have at most {limit} items")),
        K::MinProperties { limit } => line(format!("Must have at least {limit} properties")),
        K::MaxProperties { limit } => line(format!("Must have at most {limit} properties")),
        K::UniqueItems => {
            let (i, j) = duplicates(instance)?;
            line(format!("array items[{i},{j}] must be unique"))
        }
        _ => return None,
    })
}

/// A violation described without the value (which may be a password): the schema's side only.
fn detail(kind: &K, instance: &J) -> String {
    let plural = |n: usize, one: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {one}s")
        }
    };
    match kind {
        K::Type { kind } => format!(
            "is {}; the schema wants type {}",
            match instance {
                J::Null => "null (unset)",
                J::Object(_) => "a mapping",
                J::Array(_) => "a list",
                J::Bool(_) => "a boolean",
                J::Number(_) => "a number",
                J::String(_) => "a string",
            },
            type_names(kind).join(" or ")
        ),
        K::Required { property } => format!(
            "lacks `{}`, which the schema requires",
            property.as_str().unwrap_or_default()
        ),
        K::AdditionalProperties { unexpected } => format!(
            "has {} the schema does not allow (additionalProperties: false): {}",
            if unexpected.len() == 1 {
                "a key"
            } else {
                "keys"
            },
            unexpected
                .iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        K::Enum { options } => format!(
            "is not one of the values the schema allows ({})",
            options
                .as_array()
                .map(|o| o
                    .iter()
                    .map(|v| v.to_string())
                    .collect::<Vec<_>>()
                    .join(", "))
                .unwrap_or_default()
        ),
        K::Constant { expected_value } => format!("must be {expected_value}"),
        K::Minimum { limit } => format!("is below the schema's minimum {limit}"),
        K::Maximum { limit } => format!("is above the schema's maximum {limit}"),
        K::ExclusiveMinimum { limit } => format!("must be greater than {limit}"),
        K::ExclusiveMaximum { limit } => format!("must be less than {limit}"),
        K::MultipleOf { multiple_of } => format!("must be a multiple of {multiple_of}"),
        K::MinLength { limit } => format!(
            "is {} long; the schema wants at least {limit}",
            plural(str_len(instance), "character")
        ),
        K::MaxLength { limit } => format!(
            "is {} long; the schema allows at most {limit}",
            plural(str_len(instance), "character")
        ),
        K::Pattern { pattern } => format!("does not match the schema's pattern `{pattern}`"),
        K::MinItems { limit } => format!(
            "has {}; the schema wants at least {limit}",
            plural(arr_len(instance), "item")
        ),
        K::MaxItems { limit } => format!(
            "has {}; the schema allows at most {limit}",
            plural(arr_len(instance), "item")
        ),
        K::MinProperties { limit } => format!(
            "has {}; the schema wants at least {limit}",
            plural(obj_len(instance), "key")
        ),
        K::MaxProperties { limit } => format!(
            "has {}; the schema allows at most {limit}",
            plural(obj_len(instance), "key")
        ),
        K::UniqueItems => match duplicates(instance) {
            Some((i, j)) => format!("has equal items at {i} and {j}; the schema wants them unique"),
            None => "has equal items; the schema wants them unique".into(),
        },
        K::Format { format } => format!("is not a valid {format}"),
        other => format!("fails the schema's `{}`", other.keyword()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_as_x_text_prints_them() {
        assert_eq!(localized_float(70000.0), "70,000");
        assert_eq!(localized_float(1.5), "1.5");
        assert_eq!(localized_float(1234567.0), "1.234567×10⁰⁶");
        assert_eq!(localized_float(0.00001), "1×10⁻⁰⁵");
        assert_eq!(localized(1234567.0), "1,234,567");
    }

    #[test]
    fn quoting_follows_go() {
        assert_eq!(quote("a'b\\c\n"), "'a\\'b\\\\c\\n'");
        assert_eq!(json_ptr(&["a/b".into(), "c~d".into()]), "/a~1b/c~0d");
    }
}
