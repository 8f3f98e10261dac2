//! The value model: Go's dynamic values as text/template sees them through `reflect`, plus
//! the provenance taint each value carries.
//!
//! Go kinds matter for behaviour (`eq 3 3.0` fails, `printf "%d"` of a float64 prints
//! `%!d(float64=3)`, `typeOf` names the type), so the variants follow the Go types Helm and
//! Sprig actually produce: `int`, `int64`, `float64`, `string`, `bool`, `[]byte`, typed
//! slices and maps, nil, and opaque objects with fields and methods (`.Files`,
//! `.Capabilities`, semver versions, `genCA` results, `time.Time`).
//!
//! Maps are shared and mutable, as Go maps are references: Sprig's `set`/`unset`/`merge`
//! change the map every holder sees (`set .Values "x" 1` in one template is seen by templates
//! rendered after it). Lists are immutable (no Sprig function mutates a slice in place).

use std::any::Any;
use std::borrow::Cow;
use std::cell::{Ref, RefCell, RefMut};
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

use crate::func::{CallCtx, FuncError, Sig};
use crate::provenance::{Taint, ValuesPath};

/// A Go value plus its provenance taint.
///
/// `taint` says which `.Values` paths this value was read from (or computed from). For a map
/// or list read from `.Values`, every nested element carries its own path in its own taint.
#[derive(Clone, Default)]
pub struct Value {
    pub data: Data,
    pub taint: Taint,
}

/// The Go type of a value.
#[derive(Clone, Default)]
pub enum Data {
    /// A nil `interface{}`: a missing key (with missingkey=zero), a YAML `null`, Go `nil`.
    /// Prints as `<no value>` in a template action, `<nil>` through fmt.
    #[default]
    Nil,
    Bool(bool),
    /// Go `int` (template integer literals, `len`, Sprig's `atoi`, `int`, `randInt`, …).
    Int(i64),
    /// Go `int64` (`--set` integers, Sprig arithmetic: `add`, `mul`, `int64`, …).
    Int64(i64),
    /// Go `float64` (every number from values YAML/JSON, `float64`, `addf`, …).
    Float(f64),
    Str(Rc<str>),
    /// A Go string whose bytes are not valid UTF-8 (`b64dec` of binary data, `substr` cutting
    /// a UTF-8 sequence): `len` and `b64enc` see the bytes, everything else its text with each
    /// invalid sequence as U+FFFD. Only made by [`Value::go_string`], for bytes that are not UTF-8.
    RawStr(Rc<RawStr>),
    /// Go `[]byte` (`.Files.GetBytes`, values of `.Files` when ranged or indexed).
    Bytes(Rc<[u8]>),
    List(Rc<List>),
    Map(MapRef),
    /// Anything with fields and methods: `.Files`, `.Capabilities`, semver, certificates, time.
    Object(Rc<dyn Object>),
}

/// Bytes of a non-UTF-8 Go string and their lossy text.
pub struct RawStr {
    pub bytes: Box<[u8]>,
    pub text: Box<str>,
}

/// Element type of a Go slice; only affects `typeOf` and type checks of function parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ElemType {
    /// `[]interface {}`
    #[default]
    Any,
    /// `[]string` (Sprig: `splitList`, `keys`, `sortAlpha`, `regexFindAll`, `toStrings`, …)
    String,
    /// `[]int` (Sprig: `until`, `untilStep`)
    Int,
}

impl ElemType {
    pub fn go_name(self) -> &'static str {
        match self {
            ElemType::Any => "[]interface {}",
            ElemType::String => "[]string",
            ElemType::Int => "[]int",
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct List {
    pub items: Vec<Value>,
    pub elem: ElemType,
}

/// Value type of a Go map (keys are always strings in Helm's world).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum MapType {
    /// `map[string]interface {}`
    #[default]
    Any,
    /// `map[string]string` (Sprig's `split`, `splitn`)
    String,
    /// A named map type whose underlying type is `map[string]interface {}` and so is
    /// assignable to it, e.g. `chartutil.Values` (Helm 3) / `common.Values` (Helm 4).
    Named(&'static str),
}

impl MapType {
    pub fn go_name(self) -> &'static str {
        match self {
            MapType::Any => "map[string]interface {}",
            MapType::String => "map[string]string",
            MapType::Named(n) => n,
        }
    }
}

/// A Go map: sorted by key (Go's printing, `range` and JSON order are all bytewise sorted).
#[derive(Clone, Debug, Default)]
pub struct Map {
    pub entries: BTreeMap<Rc<str>, Value>,
    pub ty: MapType,
    /// A nil Go map (Helm 4's `.Chart.Annotations` when Chart.yaml has none): prints as
    /// `map[]` like an empty one, but encoding/json marshals it as `null`.
    pub nil: bool,
}

/// A shared, mutable map (a Go map is a reference).
#[derive(Clone, Default)]
pub struct MapRef(pub Rc<RefCell<Map>>);

impl MapRef {
    pub fn new(map: Map) -> Self {
        MapRef(Rc::new(RefCell::new(map)))
    }
    pub fn borrow(&self) -> Ref<'_, Map> {
        self.0.borrow()
    }
    /// Panics if a borrow is live; the engine never holds a borrow across a call.
    pub fn borrow_mut(&self) -> RefMut<'_, Map> {
        self.0.borrow_mut()
    }
    pub fn get(&self, key: &str) -> Option<Value> {
        self.0.borrow().entries.get(key).cloned()
    }
    pub fn insert(&self, key: impl Into<Rc<str>>, v: Value) {
        self.0.borrow_mut().entries.insert(key.into(), v);
    }
    pub fn len(&self) -> usize {
        self.0.borrow().entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.borrow().entries.is_empty()
    }
    pub fn ptr_eq(&self, other: &MapRef) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// An opaque Go value with fields and methods.
///
/// Go's text/template resolves `.Name` on a struct by looking for a method first, then a
/// field; a method is called with the command's remaining arguments.
pub trait Object: fmt::Debug {
    /// The Go type name used in error messages and by `typeOf`, e.g. `*chartutil.Capabilities`.
    fn type_name(&self) -> Cow<'_, str>;
    /// Go's reflect kind name (`kindOf`): "struct", "ptr", "map", …
    fn kind_name(&self) -> &'static str {
        "ptr"
    }
    /// A struct field (or a map entry for map-like objects such as `.Files`).
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    /// The signature of a method, if the object has one by that name.
    fn method(&self, _name: &str) -> Option<Sig> {
        None
    }
    /// Calls a method; arguments were already checked and converted against `method()`'s
    /// signature.
    fn call_method(
        &self,
        _ctx: &mut CallCtx<'_>,
        name: &str,
        _args: Vec<Value>,
    ) -> Result<Value, FuncError> {
        Err(FuncError::new(format!("no method {name}")))
    }
    /// How fmt's `%v` prints it (Go prints structs as `{f1 f2}`, or via a `String()` method).
    fn go_string(&self) -> String;
    /// The value `encoding/json` would marshal it as (used by toJson/toYaml); `None` = `{}`.
    fn to_plain(&self) -> Option<Value> {
        None
    }
    /// A Go struct's fields as encoding/json writes them (declaration order, `omitempty`
    /// applied); `None` when it is not a struct (toJson then uses `to_plain`).
    fn json_fields(&self) -> Option<Vec<(Rc<str>, Value)>> {
        None
    }
    /// Entries when the object is a Go map underneath (`.Files` is `map[string][]byte`):
    /// used by `range`, `index`, `len`. Sorted by key.
    fn map_entries(&self) -> Option<Vec<(Rc<str>, Value)>> {
        None
    }
    /// Items when the object is a Go slice underneath (`chartutil.VersionSet` is a
    /// `[]string` with methods): used by `range`, `index`, `len`.
    fn list_items(&self) -> Option<Vec<Value>> {
        None
    }
    /// Truth in `if`: a non-nil pointer or struct is true; a map-like object is true when
    /// non-empty.
    fn truth(&self) -> bool {
        match self.map_entries() {
            Some(e) => !e.is_empty(),
            None => true,
        }
    }
    /// For downcasting by functions that accept specific objects (semver, time).
    fn as_any(&self) -> &dyn Any;
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.data {
            Data::Nil => write!(f, "nil"),
            Data::Bool(b) => write!(f, "{b}"),
            Data::Int(i) => write!(f, "int({i})"),
            Data::Int64(i) => write!(f, "int64({i})"),
            Data::Float(x) => write!(f, "float64({x:?})"),
            Data::Str(s) => write!(f, "{s:?}"),
            Data::RawStr(r) => write!(f, "rawstr({:?})", r.bytes),
            Data::Bytes(b) => write!(f, "bytes({b:?})"),
            Data::List(l) => f.debug_list().entries(l.items.iter()).finish(),
            Data::Map(m) => match m.0.try_borrow() {
                Ok(m) => f.debug_map().entries(m.entries.iter()).finish(),
                Err(_) => write!(f, "map<borrowed>"),
            },
            Data::Object(o) => write!(f, "{o:?}"),
        }?;
        if !self.taint.is_empty() {
            write!(f, "@{:?}", self.taint)?;
        }
        Ok(())
    }
}

impl From<Data> for Value {
    fn from(data: Data) -> Self {
        Value {
            data,
            taint: Taint::none(),
        }
    }
}

impl Value {
    pub fn nil() -> Value {
        Value::default()
    }
    pub fn bool(b: bool) -> Value {
        Data::Bool(b).into()
    }
    /// Go `int`.
    pub fn int(i: i64) -> Value {
        Data::Int(i).into()
    }
    /// Go `int64`.
    pub fn int64(i: i64) -> Value {
        Data::Int64(i).into()
    }
    /// Go `float64`.
    pub fn float(x: f64) -> Value {
        Data::Float(x).into()
    }
    pub fn string(s: impl Into<Rc<str>>) -> Value {
        Data::Str(s.into()).into()
    }
    /// A Go string from its bytes: `Str` when they are UTF-8, else `RawStr`.
    pub fn go_string(b: Vec<u8>) -> Value {
        match String::from_utf8(b) {
            Ok(s) => Value::string(s),
            Err(e) => {
                let bytes = e.into_bytes().into_boxed_slice();
                let text = String::from_utf8_lossy(&bytes).into();
                Data::RawStr(Rc::new(RawStr { bytes, text })).into()
            }
        }
    }
    /// The bytes of a Go string (`Str` or `RawStr`).
    pub fn str_bytes(&self) -> Option<&[u8]> {
        match &self.data {
            Data::Str(s) => Some(s.as_bytes()),
            Data::RawStr(r) => Some(&r.bytes),
            _ => None,
        }
    }
    pub fn bytes(b: impl Into<Rc<[u8]>>) -> Value {
        Data::Bytes(b.into()).into()
    }
    /// `[]interface {}`
    pub fn list(items: Vec<Value>) -> Value {
        Value::typed_list(items, ElemType::Any)
    }
    pub fn typed_list(items: Vec<Value>, elem: ElemType) -> Value {
        Data::List(Rc::new(List { items, elem })).into()
    }
    /// `[]string`
    pub fn string_list<S: Into<Rc<str>>>(items: impl IntoIterator<Item = S>) -> Value {
        Value::typed_list(
            items.into_iter().map(Value::string).collect(),
            ElemType::String,
        )
    }
    /// `map[string]interface {}`
    pub fn map(entries: BTreeMap<Rc<str>, Value>) -> Value {
        Value::typed_map(entries, MapType::Any)
    }
    pub fn typed_map(entries: BTreeMap<Rc<str>, Value>, ty: MapType) -> Value {
        Data::Map(MapRef::new(Map {
            entries,
            ty,
            nil: false,
        }))
        .into()
    }
    /// A nil Go map of type `ty`.
    pub fn nil_map(ty: MapType) -> Value {
        Data::Map(MapRef::new(Map {
            entries: BTreeMap::new(),
            ty,
            nil: true,
        }))
        .into()
    }
    pub fn empty_map() -> Value {
        Value::map(BTreeMap::new())
    }
    pub fn object(o: impl Object + 'static) -> Value {
        Data::Object(Rc::new(o)).into()
    }

    /// Same value, with this taint.
    pub fn with_taint(mut self, taint: Taint) -> Value {
        self.taint = taint;
        self
    }

    pub fn is_nil(&self) -> bool {
        matches!(self.data, Data::Nil)
    }
    pub fn as_str(&self) -> Option<&str> {
        match &self.data {
            Data::Str(s) => Some(s),
            Data::RawStr(r) => Some(&r.text),
            _ => None,
        }
    }
    pub fn as_map(&self) -> Option<&MapRef> {
        match &self.data {
            Data::Map(m) => Some(m),
            _ => None,
        }
    }
    pub fn as_list(&self) -> Option<&List> {
        match &self.data {
            Data::List(l) => Some(l),
            _ => None,
        }
    }

    /// Go's type name as `%T` / Sprig's `typeOf` print it.
    pub fn type_name(&self) -> Cow<'_, str> {
        match &self.data {
            Data::Nil => "<nil>".into(),
            Data::Bool(_) => "bool".into(),
            Data::Int(_) => "int".into(),
            Data::Int64(_) => "int64".into(),
            Data::Float(_) => "float64".into(),
            Data::Str(_) | Data::RawStr(_) => "string".into(),
            Data::Bytes(_) => "[]uint8".into(),
            Data::List(l) => l.elem.go_name().into(),
            Data::Map(m) => m.borrow().ty.go_name().into(),
            Data::Object(o) => o.type_name(),
        }
    }

    /// Go's reflect kind name (`kindOf`).
    pub fn kind_name(&self) -> &'static str {
        match &self.data {
            Data::Nil => "invalid",
            Data::Bool(_) => "bool",
            Data::Int(_) => "int",
            Data::Int64(_) => "int64",
            Data::Float(_) => "float64",
            Data::Str(_) | Data::RawStr(_) => "string",
            Data::Bytes(_) | Data::List(_) => "slice",
            Data::Map(_) => "map",
            Data::Object(o) => o.kind_name(),
        }
    }

    /// Go text/template truth (`if`, `with`, `and`, `or`, `not`): false for nil, false,
    /// zero numbers, empty strings/slices/maps.
    pub fn truth(&self) -> bool {
        match &self.data {
            Data::Nil => false,
            Data::Bool(b) => *b,
            Data::Int(i) | Data::Int64(i) => *i != 0,
            Data::Float(x) => *x != 0.0,
            Data::Str(s) => !s.is_empty(),
            Data::RawStr(_) => true,
            Data::Bytes(b) => !b.is_empty(),
            Data::List(l) => !l.items.is_empty(),
            Data::Map(m) => !m.is_empty(),
            Data::Object(o) => o.truth(),
        }
    }

    /// Go's notion of an empty value, shared by Sprig's `empty`/`default` and encoding/json's
    /// `omitempty`: nil, false, 0, "", and empty slices and maps; a struct or pointer object is
    /// never empty, a map-like object when it has no entries.
    pub fn is_empty_value(&self) -> bool {
        match &self.data {
            Data::Nil => true,
            Data::Bool(b) => !b,
            Data::Int(i) | Data::Int64(i) => *i == 0,
            Data::Float(f) => *f == 0.0,
            Data::Str(s) => s.is_empty(),
            Data::RawStr(_) => false,
            Data::Bytes(b) => b.is_empty(),
            Data::List(l) => l.items.is_empty(),
            Data::Map(m) => m.is_empty(),
            Data::Object(o) => match (o.map_entries(), o.list_items()) {
                (Some(e), _) => e.is_empty(),
                (_, Some(l)) => l.is_empty(),
                _ => false,
            },
        }
    }

    /// Builds a value from JSON with Helm's typing: every number is a `float64` (as Helm's
    /// values are after sigs.k8s.io/yaml's YAML→JSON step), objects are
    /// `map[string]interface {}`, arrays `[]interface {}`. No taint.
    pub fn from_json(json: &serde_json::Value) -> Value {
        match json {
            serde_json::Value::Null => Value::nil(),
            serde_json::Value::Bool(b) => Value::bool(*b),
            serde_json::Value::Number(n) => Value::float(n.as_f64().unwrap_or(f64::NAN)),
            serde_json::Value::String(s) => Value::string(s.as_str()),
            serde_json::Value::Array(a) => Value::list(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(o) => Value::map(
                o.iter()
                    .map(|(k, v)| (Rc::from(k.as_str()), Value::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// Like [`Value::from_json`], but every node is tainted with its values path below
    /// `root` (use `ValuesPath::root()` for a chart's `.Values`).
    pub fn from_json_values(json: &serde_json::Value, root: &ValuesPath) -> Value {
        Value::from_json(json).with_values_paths(root)
    }

    /// Deep-copies the value, tainting every node with its path below `root`
    /// (map keys and list indices appended). This is how `.Values` gets its provenance.
    pub fn with_values_paths(&self, root: &ValuesPath) -> Value {
        let taint = if root.is_root() {
            Taint::none()
        } else {
            Taint::path(root.clone())
        };
        let data = match &self.data {
            Data::List(l) => Data::List(Rc::new(List {
                items: l
                    .items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| v.with_values_paths(&root.index(i)))
                    .collect(),
                elem: l.elem,
            })),
            Data::Map(m) => {
                let m = m.borrow();
                Data::Map(MapRef::new(Map {
                    entries: m
                        .entries
                        .iter()
                        .map(|(k, v)| (k.clone(), v.with_values_paths(&root.key(k))))
                        .collect(),
                    ty: m.ty,
                    nil: m.nil,
                }))
            }
            other => other.clone(),
        };
        Value { data, taint }
    }

    /// Converts to JSON the way Go's encoding/json would see the value (objects through
    /// `Object::to_plain`). Nesting deeper than `max_depth` (a map that contains itself via
    /// `set`) is an error instead of a stack overflow.
    pub fn to_json(&self, max_depth: usize) -> Result<serde_json::Value, String> {
        if max_depth == 0 {
            return Err("value nested too deeply (cyclic map?)".into());
        }
        Ok(match &self.data {
            Data::Nil => serde_json::Value::Null,
            Data::Bool(b) => serde_json::Value::Bool(*b),
            Data::Int(i) | Data::Int64(i) => serde_json::Value::from(*i),
            Data::Float(x) => serde_json::Number::from_f64(*x)
                .map(serde_json::Value::Number)
                .ok_or_else(|| {
                    format!(
                        "json: unsupported value: {}",
                        crate::gofmt::format_float(*x, 'g', -1)
                    )
                })?,
            Data::Str(s) => serde_json::Value::String(s.to_string()),
            Data::RawStr(r) => serde_json::Value::String(r.text.to_string()),
            // encoding/json marshals []byte as base64.
            Data::Bytes(b) => serde_json::Value::String(crate::gofmt::base64_std(b)),
            Data::List(l) => serde_json::Value::Array(
                l.items
                    .iter()
                    .map(|v| v.to_json(max_depth - 1))
                    .collect::<Result<_, _>>()?,
            ),
            Data::Map(m) if m.borrow().nil => serde_json::Value::Null,
            Data::Map(m) => {
                let m = m.borrow();
                let mut o = serde_json::Map::new();
                for (k, v) in &m.entries {
                    o.insert(k.to_string(), v.to_json(max_depth - 1)?);
                }
                serde_json::Value::Object(o)
            }
            Data::Object(o) => match o.to_plain() {
                Some(v) => v.to_json(max_depth - 1)?,
                None => serde_json::Value::Object(serde_json::Map::new()),
            },
        })
    }
}
