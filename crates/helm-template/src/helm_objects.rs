//! Helm's built-in objects as template values: `.Files` (pkg/engine/files.go),
//! `.Capabilities` (chartutil / chart/common capabilities.go), `.Chart` (a struct in Helm 3,
//! a map in Helm 4), `.Release`, and the top-level dot Helm passes to every template.

use std::any::Any;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::rc::Rc;

use crate::func::{CallCtx, FuncError, HelmVersion, Sig, Ty};
use crate::gofmt;
use crate::value::{Data, ElemType, MapType, Object, Value};

/// Kubernetes API versions `helm template` reports by default (client-go's scheme plus
/// apiextensions), in Helm's order; checked against Helm 3.17.2 and 4.1.4 binaries.
const API_VERSIONS_V3: &str = include_str!("helm_objects/api-versions-3.17.2.txt");
const API_VERSIONS_V4: &str = include_str!("helm_objects/api-versions-4.1.4.txt");

// ---------------------------------------------------------------------------------------
// A Go struct (or pointer to one) with exported fields, optional methods and `String()`.

type MethodFn = fn(&GoStruct, &mut CallCtx<'_>, Vec<Value>) -> Result<Value, FuncError>;

/// A Go struct value: fields in declaration order, each with its JSON name (for toJson /
/// toYaml) and `omitempty`.
#[derive(Debug, Clone)]
pub struct GoStruct {
    pub type_name: Cow<'static, str>,
    /// Printed as `&{…}` by fmt when true.
    pub pointer: bool,
    pub fields: Vec<Field>,
    methods: Vec<(&'static str, Sig, MethodFn)>,
    /// A `String()` method: what fmt prints.
    stringer: Option<fn(&GoStruct) -> String>,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: &'static str,
    /// JSON key, or `None` for the Go name; `Some("-")` is never used.
    pub json: Option<&'static str>,
    pub omitempty: bool,
    pub value: Value,
}

impl Field {
    pub fn new(name: &'static str, value: Value) -> Field {
        Field {
            name,
            json: None,
            omitempty: false,
            value,
        }
    }
    pub fn json(name: &'static str, json: &'static str, omitempty: bool, value: Value) -> Field {
        Field {
            name,
            json: Some(json),
            omitempty,
            value,
        }
    }
}

impl GoStruct {
    pub fn new(
        type_name: impl Into<Cow<'static, str>>,
        pointer: bool,
        fields: Vec<Field>,
    ) -> GoStruct {
        GoStruct {
            type_name: type_name.into(),
            pointer,
            fields,
            methods: Vec::new(),
            stringer: None,
        }
    }
    fn with_method(mut self, name: &'static str, sig: Sig, f: MethodFn) -> GoStruct {
        self.methods.push((name, sig, f));
        self
    }
    fn with_stringer(mut self, f: fn(&GoStruct) -> String) -> GoStruct {
        self.stringer = Some(f);
        self
    }
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.fields
            .iter()
            .find(|f| f.name == name)
            .map(|f| &f.value)
    }
}

impl Object for GoStruct {
    fn type_name(&self) -> Cow<'_, str> {
        if self.pointer {
            Cow::Owned(format!("*{}", self.type_name))
        } else {
            Cow::Borrowed(&self.type_name)
        }
    }
    fn kind_name(&self) -> &'static str {
        if self.pointer {
            "ptr"
        } else {
            "struct"
        }
    }
    fn field(&self, name: &str) -> Option<Value> {
        self.get(name).cloned()
    }
    fn method(&self, name: &str) -> Option<Sig> {
        self.methods.iter().find(|m| m.0 == name).map(|m| m.1)
    }
    fn call_method(
        &self,
        ctx: &mut CallCtx<'_>,
        name: &str,
        args: Vec<Value>,
    ) -> Result<Value, FuncError> {
        match self.methods.iter().find(|m| m.0 == name) {
            Some(m) => (m.2)(self, ctx, args),
            None => Err(FuncError::new(format!("no method {name}"))),
        }
    }
    fn go_string(&self) -> String {
        if let Some(s) = self.stringer {
            return s(self);
        }
        let mut out = String::new();
        if self.pointer {
            out.push('&');
        }
        out.push('{');
        for (i, f) in self.fields.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(&gofmt::sprint_value(&f.value));
        }
        out.push('}');
        out
    }
    fn to_plain(&self) -> Option<Value> {
        let mut m = BTreeMap::new();
        for f in &self.fields {
            if f.omitempty && f.value.is_empty_value() {
                continue;
            }
            let v = match &f.value.data {
                Data::Object(o) => o.to_plain().unwrap_or_else(Value::empty_map),
                _ => f.value.clone(),
            };
            m.insert(Rc::from(f.json.unwrap_or(f.name)), v);
        }
        Some(Value::map(m))
    }
    fn json_fields(&self) -> Option<Vec<(Rc<str>, Value)>> {
        Some(
            self.fields
                .iter()
                .filter(|f| !(f.omitempty && f.value.is_empty_value()))
                .map(|f| (Rc::from(f.json.unwrap_or(f.name)), f.value.clone()))
                .collect(),
        )
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

// ---------------------------------------------------------------------------------------
// .Capabilities

/// `chartutil.VersionSet` / `common.VersionSet`: a `[]string` with a `Has` method.
#[derive(Debug, Clone)]
pub struct VersionSet {
    pub helm: HelmVersion,
    pub versions: Vec<String>,
}

impl Object for VersionSet {
    fn type_name(&self) -> Cow<'_, str> {
        match self.helm {
            HelmVersion::V3 => "chartutil.VersionSet".into(),
            HelmVersion::V4 => "common.VersionSet".into(),
        }
    }
    fn kind_name(&self) -> &'static str {
        "slice"
    }
    fn method(&self, name: &str) -> Option<Sig> {
        (name == "Has").then_some(Sig::new(&[Ty::String]))
    }
    fn call_method(
        &self,
        _: &mut CallCtx<'_>,
        _: &str,
        args: Vec<Value>,
    ) -> Result<Value, FuncError> {
        let want = args[0].as_str().unwrap_or("");
        Ok(Value::bool(self.versions.iter().any(|v| v == want)))
    }
    fn go_string(&self) -> String {
        format!("[{}]", self.versions.join(" "))
    }
    fn to_plain(&self) -> Option<Value> {
        Some(Value::string_list(self.versions.iter().map(|s| s.as_str())))
    }
    fn list_items(&self) -> Option<Vec<Value>> {
        Some(
            self.versions
                .iter()
                .map(|s| Value::string(s.as_str()))
                .collect(),
        )
    }
    fn truth(&self) -> bool {
        !self.versions.is_empty()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `.Capabilities.KubeVersion` for a version such as `v1.32.0` (Helm's default) or one given
/// with `--kube-version` (pass Helm's parsed Version/Major/Minor).
pub fn kube_version(helm: HelmVersion, version: &str, major: &str, minor: &str) -> Value {
    let mut fields = vec![Field::new("Version", Value::string(version))];
    if helm == HelmVersion::V4 {
        // Helm 4's unexported normalizedVersion prints with the struct.
        fields.push(Field::new("normalizedVersion", Value::string(version)));
    }
    fields.push(Field::new("Major", Value::string(major)));
    fields.push(Field::new("Minor", Value::string(minor)));
    let name = match helm {
        HelmVersion::V3 => "chartutil.KubeVersion",
        HelmVersion::V4 => "common.KubeVersion",
    };
    let mut s = GoStruct::new(name, false, fields)
        .with_method("String", Sig::new(&[]), |s, _, _| {
            Ok(s.get("normalizedVersion")
                .or(s.get("Version"))
                .cloned()
                .unwrap_or_default())
        })
        .with_method("GitVersion", Sig::new(&[]), |s, _, _| {
            Ok(s.get("Version").cloned().unwrap_or_default())
        });
    // Printing the field goes through String() (pointer receiver, addressable field).
    s = s.with_stringer(|s| {
        s.get("normalizedVersion")
            .or(s.get("Version"))
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    });
    Value::object(s)
}

/// `.Capabilities` as `helm template` has it by default: Kubernetes v1.32.0 (Helm 3.17.2) or
/// v1.35.0 (Helm 4.1.4), Helm's default API versions, and the Helm build info.
pub fn default_capabilities(helm: HelmVersion) -> Value {
    let (kv, major, minor) = match helm {
        HelmVersion::V3 => ("v1.32.0", "1", "32"),
        HelmVersion::V4 => ("v1.35.0", "1", "35"),
    };
    capabilities(
        helm,
        kube_version(helm, kv, major, minor),
        default_api_versions(helm),
    )
}

/// Helm's default API versions (`helm template` without `-a`).
pub fn default_api_versions(helm: HelmVersion) -> Vec<String> {
    let src = match helm {
        HelmVersion::V3 => API_VERSIONS_V3,
        HelmVersion::V4 => API_VERSIONS_V4,
    };
    src.lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// `.Capabilities` with the given KubeVersion (see [`kube_version`]) and API versions.
pub fn capabilities(helm: HelmVersion, kube_version: Value, api_versions: Vec<String>) -> Value {
    let (version, commit, go) = match helm {
        HelmVersion::V3 => (
            "v3.17.2",
            "cc0bbbd6d6276b83880042c1ecb34087e84d41eb",
            "go1.23.7",
        ),
        HelmVersion::V4 => (
            "v4.1.4",
            "05fa37973dc9e42b76e1d2883494c87174b6074f",
            "go1.25.9",
        ),
    };
    let mut build_fields = vec![
        Field::json("Version", "version", true, Value::string(version)),
        Field::json("GitCommit", "git_commit", true, Value::string(commit)),
        Field::json(
            "GitTreeState",
            "git_tree_state",
            true,
            Value::string("clean"),
        ),
        Field::json("GoVersion", "go_version", true, Value::string(go)),
    ];
    if helm == HelmVersion::V4 {
        build_fields.push(Field::json(
            "KubeClientVersion",
            "kube_client_version",
            false,
            Value::string("v1.35"),
        ));
    }
    let build = GoStruct::new("version.BuildInfo", false, build_fields);
    let name = match helm {
        HelmVersion::V3 => "chartutil.Capabilities",
        HelmVersion::V4 => "common.Capabilities",
    };
    Value::object(GoStruct::new(
        name,
        true,
        vec![
            Field::new("KubeVersion", kube_version),
            Field::new(
                "APIVersions",
                Value::object(VersionSet {
                    helm,
                    versions: api_versions,
                }),
            ),
            Field::new("HelmVersion", Value::object(build)),
        ],
    ))
}

// ---------------------------------------------------------------------------------------
// .Files

/// `engine.files`: a `map[string][]byte` of the chart's non-template files, with methods.
#[derive(Debug, Clone, Default)]
pub struct Files {
    pub files: BTreeMap<String, Rc<[u8]>>,
}

impl Files {
    pub fn new(files: impl IntoIterator<Item = (String, Vec<u8>)>) -> Files {
        Files {
            files: files.into_iter().map(|(k, v)| (k, Rc::from(v))).collect(),
        }
    }
    fn glob(&self, pattern: &str) -> Files {
        let pat = glob::Pattern::compile(pattern).unwrap_or_else(glob::Pattern::any);
        Files {
            files: self
                .files
                .iter()
                .filter(|(k, _)| pat.matches(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }
    fn basename(k: &str) -> &str {
        let t = k.trim_end_matches('/');
        if t.is_empty() {
            return if k.is_empty() { "." } else { "/" };
        }
        t.rsplit('/').next().unwrap_or(t)
    }
}

impl Object for Files {
    fn type_name(&self) -> Cow<'_, str> {
        "engine.files".into()
    }
    fn kind_name(&self) -> &'static str {
        "map"
    }
    fn field(&self, name: &str) -> Option<Value> {
        Some(match self.files.get(name) {
            Some(b) => Value::bytes(b.clone()),
            None => Value::bytes(Vec::<u8>::new()),
        })
    }
    fn method(&self, name: &str) -> Option<Sig> {
        match name {
            "Get" | "GetBytes" | "Glob" | "Lines" => Some(Sig::new(&[Ty::String])),
            "AsConfig" | "AsSecrets" => Some(Sig::new(&[])),
            _ => None,
        }
    }
    fn call_method(
        &self,
        _: &mut CallCtx<'_>,
        name: &str,
        args: Vec<Value>,
    ) -> Result<Value, FuncError> {
        let arg = args.first().and_then(|a| a.as_str()).unwrap_or("");
        match name {
            "GetBytes" => Ok(self.field(arg).unwrap_or_default()),
            "Get" => Ok(Value::string(match self.files.get(arg) {
                Some(b) => String::from_utf8_lossy(b).into_owned(),
                None => String::new(),
            })),
            "Glob" => Ok(Value::object(self.glob(arg))),
            "Lines" => match self.files.get(arg) {
                None => Ok(Value::typed_list(Vec::new(), ElemType::String)),
                Some(b) if b.is_empty() => {
                    Err(FuncError::new("runtime error: index out of range [-1]"))
                }
                Some(b) => {
                    let s = String::from_utf8_lossy(b);
                    let s = s.strip_suffix('\n').unwrap_or(&s);
                    Ok(Value::string_list(s.split('\n')))
                }
            },
            "AsConfig" | "AsSecrets" => {
                let mut m = BTreeMap::new();
                for (k, v) in &self.files {
                    let s = if name == "AsConfig" {
                        String::from_utf8_lossy(v).into_owned()
                    } else {
                        gofmt::base64_std(v)
                    };
                    m.insert(Rc::from(Self::basename(k)), Value::string(s));
                }
                let v = Value::typed_map(m, MapType::String);
                Ok(Value::string(
                    crate::funcs::yaml::to_yaml(&v).unwrap_or_default(),
                ))
            }
            _ => Err(FuncError::new(format!("no method {name}"))),
        }
    }
    fn go_string(&self) -> String {
        let entries: BTreeMap<Rc<str>, Value> = self
            .files
            .iter()
            .map(|(k, v)| (Rc::from(k.as_str()), Value::bytes(v.clone())))
            .collect();
        gofmt::sprint_value(&Value::map(entries))
    }
    fn to_plain(&self) -> Option<Value> {
        Some(Value::map(
            self.files
                .iter()
                .map(|(k, v)| (Rc::from(k.as_str()), Value::bytes(v.clone())))
                .collect(),
        ))
    }
    fn map_entries(&self) -> Option<Vec<(Rc<str>, Value)>> {
        Some(
            self.files
                .iter()
                .map(|(k, v)| (Rc::from(k.as_str()), Value::bytes(v.clone())))
                .collect(),
        )
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// gobwas/glob with `/` as the separator: `*` (no `/`), `**` (anything), `?`, `[a-z]`,
/// `[!x]`, `{a,b}`, `\` escapes. An invalid pattern makes Helm match everything.
mod glob {
    #[derive(Debug, Clone)]
    enum Tok {
        Lit(char),
        Star,
        Super,
        Any,
        Class(bool, Vec<(char, char)>),
        Alt(Vec<Vec<Tok>>),
    }

    pub struct Pattern(Vec<Tok>);

    impl Pattern {
        pub fn any() -> Pattern {
            Pattern(vec![Tok::Super])
        }

        pub fn compile(p: &str) -> Option<Pattern> {
            let chars: Vec<char> = p.chars().collect();
            let mut i = 0;
            let toks = parse_seq(&chars, &mut i, false)?;
            if i != chars.len() {
                return None;
            }
            Some(Pattern(toks))
        }

        pub fn matches(&self, s: &str) -> bool {
            let chars: Vec<char> = s.chars().collect();
            let mut budget = 1_000_000u32;
            m(&self.0, &chars, &mut budget)
        }
    }

    fn parse_seq(c: &[char], i: &mut usize, in_alt: bool) -> Option<Vec<Tok>> {
        let mut out = Vec::new();
        while *i < c.len() {
            match c[*i] {
                '*' => {
                    if *i + 1 < c.len() && c[*i + 1] == '*' {
                        *i += 2;
                        out.push(Tok::Super);
                    } else {
                        *i += 1;
                        out.push(Tok::Star);
                    }
                }
                '?' => {
                    *i += 1;
                    out.push(Tok::Any);
                }
                '\\' => {
                    *i += 1;
                    out.push(Tok::Lit(*c.get(*i)?));
                    *i += 1;
                }
                '[' => {
                    *i += 1;
                    let neg = c.get(*i) == Some(&'!');
                    if neg {
                        *i += 1;
                    }
                    let mut ranges = Vec::new();
                    loop {
                        let a = *c.get(*i)?;
                        if a == ']' {
                            *i += 1;
                            break;
                        }
                        if c.get(*i + 1) == Some(&'-') && c.get(*i + 2).is_some_and(|&b| b != ']') {
                            let b = c[*i + 2];
                            if b < a {
                                return None;
                            }
                            ranges.push((a, b));
                            *i += 3;
                        } else {
                            ranges.push((a, a));
                            *i += 1;
                        }
                    }
                    if ranges.is_empty() {
                        return None;
                    }
                    out.push(Tok::Class(neg, ranges));
                }
                '{' => {
                    *i += 1;
                    let mut alts = Vec::new();
                    loop {
                        alts.push(parse_seq(c, i, true)?);
                        match c.get(*i) {
                            Some(',') => *i += 1,
                            Some('}') => {
                                *i += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                    out.push(Tok::Alt(alts));
                }
                ',' | '}' if in_alt => return Some(out),
                ']' => return None,
                ch => {
                    *i += 1;
                    out.push(Tok::Lit(ch));
                }
            }
        }
        if in_alt {
            return None;
        }
        Some(out)
    }

    fn m(p: &[Tok], s: &[char], budget: &mut u32) -> bool {
        if *budget == 0 {
            return false;
        }
        *budget -= 1;
        let Some((t, rest)) = p.split_first() else {
            return s.is_empty();
        };
        match t {
            Tok::Lit(c) => s.first() == Some(c) && m(rest, &s[1..], budget),
            Tok::Any => s.first().is_some_and(|&c| c != '/') && m(rest, &s[1..], budget),
            Tok::Class(neg, ranges) => {
                s.first().is_some_and(|&c| {
                    let inr = ranges.iter().any(|&(a, b)| a <= c && c <= b);
                    inr != *neg
                }) && m(rest, &s[1..], budget)
            }
            Tok::Star => {
                for k in 0..=s.len() {
                    if k > 0 && s[k - 1] == '/' {
                        break;
                    }
                    if m(rest, &s[k..], budget) {
                        return true;
                    }
                }
                false
            }
            Tok::Super => (0..=s.len()).any(|k| m(rest, &s[k..], budget)),
            Tok::Alt(alts) => alts.iter().any(|a| {
                let mut seq = a.clone();
                seq.extend_from_slice(rest);
                m(&seq, s, budget)
            }),
        }
    }

    #[cfg(test)]
    mod tests {
        use super::Pattern;
        #[test]
        fn globs() {
            let p = |g: &str, s: &str| Pattern::compile(g).unwrap().matches(s);
            assert!(p("files/*.conf", "files/a.conf"));
            assert!(!p("files/*.conf", "files/x/a.conf"));
            assert!(p("files/**", "files/x/a.conf"));
            assert!(p("**.yaml", "a/b/c.yaml"));
            assert!(p("{a,b}/*", "b/x"));
            assert!(p("[a-c]?", "bz"));
            assert!(!p("[!a-c]?", "bz"));
            assert!(Pattern::compile("[").is_none());
        }
    }
}

// ---------------------------------------------------------------------------------------
// .Chart, .Release and the top-level dot

fn json_str(m: &serde_json::Value, k: &str) -> Value {
    Value::string(m.get(k).and_then(|v| v.as_str()).unwrap_or(""))
}

fn json_strings(m: &serde_json::Value, k: &str) -> Vec<String> {
    m.get(k)
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .map(|x| {
                    x.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| x.to_string())
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `.Chart` from the chart's metadata (Chart.yaml as JSON). Helm 3: a struct embedding
/// `chart.Metadata` plus `IsRoot` (toYaml uses JSON names, omitting empty fields); Helm 4: a
/// map with every field under its Go name.
pub fn chart(helm: HelmVersion, meta: &serde_json::Value, is_root: bool) -> Value {
    let maint = |m: &serde_json::Value| -> (Value, Value, Value) {
        (
            json_str(m, "name"),
            json_str(m, "email"),
            json_str(m, "url"),
        )
    };
    let maintainers: Vec<&serde_json::Value> = meta
        .get("maintainers")
        .and_then(|v| v.as_array())
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let deps: Vec<&serde_json::Value> = meta
        .get("dependencies")
        .and_then(|v| v.as_array())
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let annotations: Option<BTreeMap<Rc<str>, Value>> = meta
        .get("annotations")
        .and_then(|v| v.as_object())
        .map(|o| {
            o.iter()
                .map(|(k, v)| {
                    (
                        Rc::from(k.as_str()),
                        Value::string(
                            v.as_str()
                                .map(str::to_string)
                                .unwrap_or_else(|| v.to_string()),
                        ),
                    )
                })
                .collect()
        });
    let deprecated = meta
        .get("deprecated")
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    match helm {
        HelmVersion::V3 => {
            let maint_objs: Vec<Value> = maintainers
                .iter()
                .map(|m| {
                    let (n, e, u) = maint(m);
                    Value::object(GoStruct::new(
                        "chart.Maintainer",
                        true,
                        vec![
                            Field::json("Name", "name", true, n),
                            Field::json("Email", "email", true, e),
                            Field::json("URL", "url", true, u),
                        ],
                    ))
                })
                .collect();
            let dep_objs: Vec<Value> = deps
                .iter()
                .map(|d| {
                    Value::object(GoStruct::new(
                        "chart.Dependency",
                        true,
                        vec![
                            Field::json("Name", "name", false, json_str(d, "name")),
                            Field::json("Version", "version", true, json_str(d, "version")),
                            Field::json(
                                "Repository",
                                "repository",
                                false,
                                json_str(d, "repository"),
                            ),
                            Field::json("Condition", "condition", true, json_str(d, "condition")),
                            Field::json(
                                "Tags",
                                "tags",
                                true,
                                Value::string_list(json_strings(d, "tags")),
                            ),
                            Field::json(
                                "Enabled",
                                "enabled",
                                true,
                                Value::bool(
                                    d.get("enabled").and_then(|v| v.as_bool()).unwrap_or(false),
                                ),
                            ),
                            Field::json(
                                "ImportValues",
                                "import-values",
                                true,
                                d.get("import-values")
                                    .map(Value::from_json)
                                    .unwrap_or_else(|| Value::list(Vec::new())),
                            ),
                            Field::json("Alias", "alias", true, json_str(d, "alias")),
                        ],
                    ))
                })
                .collect();
            // A nil map[string]string prints as `map[]` and is omitted from JSON like an empty one.
            let ann = Value::typed_map(annotations.unwrap_or_default(), MapType::String);
            let fields = vec![
                Field::json("Name", "name", true, json_str(meta, "name")),
                Field::json("Home", "home", true, json_str(meta, "home")),
                Field::json(
                    "Sources",
                    "sources",
                    true,
                    Value::string_list(json_strings(meta, "sources")),
                ),
                Field::json("Version", "version", true, json_str(meta, "version")),
                Field::json(
                    "Description",
                    "description",
                    true,
                    json_str(meta, "description"),
                ),
                Field::json(
                    "Keywords",
                    "keywords",
                    true,
                    Value::string_list(json_strings(meta, "keywords")),
                ),
                Field::json("Maintainers", "maintainers", true, Value::list(maint_objs)),
                Field::json("Icon", "icon", true, json_str(meta, "icon")),
                Field::json(
                    "APIVersion",
                    "apiVersion",
                    true,
                    json_str(meta, "apiVersion"),
                ),
                Field::json("Condition", "condition", true, json_str(meta, "condition")),
                Field::json("Tags", "tags", true, json_str(meta, "tags")),
                Field::json(
                    "AppVersion",
                    "appVersion",
                    true,
                    json_str(meta, "appVersion"),
                ),
                Field::json("Deprecated", "deprecated", true, Value::bool(deprecated)),
                Field::json("Annotations", "annotations", true, ann),
                Field::json(
                    "KubeVersion",
                    "kubeVersion",
                    true,
                    json_str(meta, "kubeVersion"),
                ),
                Field::json("Dependencies", "dependencies", true, Value::list(dep_objs)),
                Field::json("Type", "type", true, json_str(meta, "type")),
                Field::new("IsRoot", Value::bool(is_root)),
            ];
            let s = GoStruct::new("struct { chart.Metadata; IsRoot bool }", false, fields)
                .with_stringer(|s| {
                    // fmt prints the embedded Metadata as a nested struct.
                    let (meta, root) = s.fields.split_at(s.fields.len() - 1);
                    let inner: Vec<String> =
                        meta.iter().map(|f| gofmt::sprint_value(&f.value)).collect();
                    format!(
                        "{{{{{}}} {}}}",
                        inner.join(" "),
                        gofmt::sprint_value(&root[0].value)
                    )
                });
            Value::object(s)
        }
        HelmVersion::V4 => {
            let mut m: BTreeMap<Rc<str>, Value> = BTreeMap::new();
            let s = |k: &str| json_str(meta, k);
            let strs = |k: &str| {
                Value::list(
                    json_strings(meta, k)
                        .into_iter()
                        .map(Value::string)
                        .collect(),
                )
            };
            m.insert("Name".into(), s("name"));
            m.insert("Home".into(), s("home"));
            m.insert("Sources".into(), strs("sources"));
            m.insert("Version".into(), s("version"));
            m.insert("Description".into(), s("description"));
            m.insert("Keywords".into(), strs("keywords"));
            m.insert(
                "Maintainers".into(),
                Value::list(
                    maintainers
                        .iter()
                        .map(|x| {
                            let (n, e, u) = maint(x);
                            let mut mm = BTreeMap::new();
                            mm.insert(Rc::from("Name"), n);
                            mm.insert(Rc::from("Email"), e);
                            mm.insert(Rc::from("URL"), u);
                            Value::map(mm)
                        })
                        .collect(),
                ),
            );
            m.insert("Icon".into(), s("icon"));
            m.insert("APIVersion".into(), s("apiVersion"));
            m.insert("Condition".into(), s("condition"));
            m.insert("Tags".into(), s("tags"));
            m.insert("AppVersion".into(), s("appVersion"));
            m.insert("Deprecated".into(), Value::bool(deprecated));
            m.insert(
                "Annotations".into(),
                match annotations {
                    Some(a) => Value::typed_map(a, MapType::String),
                    None => Value::nil_map(MapType::String),
                },
            );
            m.insert("KubeVersion".into(), s("kubeVersion"));
            m.insert(
                "Dependencies".into(),
                Value::list(
                    deps.iter()
                        .map(|d| {
                            let mut dm = BTreeMap::new();
                            dm.insert(Rc::from("Name"), json_str(d, "name"));
                            dm.insert(Rc::from("Version"), json_str(d, "version"));
                            dm.insert(Rc::from("Repository"), json_str(d, "repository"));
                            dm.insert(Rc::from("Condition"), json_str(d, "condition"));
                            dm.insert(
                                Rc::from("Tags"),
                                Value::list(
                                    json_strings(d, "tags")
                                        .into_iter()
                                        .map(Value::string)
                                        .collect(),
                                ),
                            );
                            dm.insert(
                                Rc::from("Enabled"),
                                Value::bool(
                                    d.get("enabled").and_then(|v| v.as_bool()).unwrap_or(false),
                                ),
                            );
                            dm.insert(
                                Rc::from("ImportValues"),
                                d.get("import-values")
                                    .map(Value::from_json)
                                    .unwrap_or_else(|| Value::list(Vec::new())),
                            );
                            dm.insert(Rc::from("Alias"), json_str(d, "alias"));
                            Value::map(dm)
                        })
                        .collect(),
                ),
            );
            m.insert("Type".into(), s("type"));
            m.insert("IsRoot".into(), Value::bool(is_root));
            Value::map(m)
        }
    }
}

/// `.Release` as `helm template` sets it: `Revision` is a Go int, `Service` is "Helm".
pub fn release(name: &str, namespace: &str, is_upgrade: bool, revision: i64) -> Value {
    let mut m = BTreeMap::new();
    m.insert(Rc::from("Name"), Value::string(name));
    m.insert(Rc::from("Namespace"), Value::string(namespace));
    m.insert(Rc::from("IsUpgrade"), Value::bool(is_upgrade));
    m.insert(Rc::from("IsInstall"), Value::bool(!is_upgrade));
    m.insert(Rc::from("Revision"), Value::int(revision));
    m.insert(Rc::from("Service"), Value::string("Helm"));
    Value::map(m)
}

/// The map type Helm uses for `.`, `.Values` and `.Template`.
pub fn values_map_type(helm: HelmVersion) -> MapType {
    match helm {
        HelmVersion::V3 => MapType::Named("chartutil.Values"),
        HelmVersion::V4 => MapType::Named("common.Values"),
    }
}

/// The parts of the top-level dot of a template.
pub struct Top {
    /// `.Values` (build it with [`Value::from_json_values`] to get provenance).
    pub values: Value,
    pub release: Value,
    pub chart: Value,
    pub capabilities: Value,
    pub files: Value,
    /// `.Subcharts`: each enabled subchart's own top-level object, by name.
    pub subcharts: Value,
    /// `.Template.Name` (the file's path, e.g. `mychart/templates/cm.yaml`).
    pub template_name: String,
    /// `.Template.BasePath` (e.g. `mychart/templates`).
    pub base_path: String,
}

/// The dot Helm passes to a template (typed `chartutil.Values`/`common.Values`, like
/// `.Values` and `.Template`).
pub fn top(helm: HelmVersion, t: Top) -> Value {
    let ty = values_map_type(helm);
    let values = match &t.values.data {
        Data::Map(m) => {
            m.borrow_mut().ty = ty;
            t.values.clone()
        }
        Data::Nil => Value::typed_map(BTreeMap::new(), ty),
        _ => t.values.clone(),
    };
    let mut tm = BTreeMap::new();
    tm.insert(Rc::from("Name"), Value::string(t.template_name.as_str()));
    tm.insert(Rc::from("BasePath"), Value::string(t.base_path.as_str()));
    let mut m = BTreeMap::new();
    m.insert(Rc::from("Values"), values);
    m.insert(Rc::from("Release"), t.release);
    m.insert(Rc::from("Chart"), t.chart);
    m.insert(Rc::from("Capabilities"), t.capabilities);
    m.insert(Rc::from("Files"), t.files);
    m.insert(Rc::from("Subcharts"), t.subcharts);
    m.insert(Rc::from("Template"), Value::typed_map(tm, ty));
    Value::typed_map(m, ty)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Engine, Options, ValuesPath};

    fn dot(helm: HelmVersion) -> Value {
        let files = Files::new(vec![
            ("files/a.conf".to_string(), b"x=1\n".to_vec()),
            ("files/b.conf".to_string(), b"y=2".to_vec()),
            ("empty.txt".to_string(), Vec::new()),
        ]);
        top(
            helm,
            Top {
                values: Value::from_json_values(&serde_json::json!({"a": 1}), &ValuesPath::root()),
                release: release("rel", "default", false, 1),
                chart: chart(
                    helm,
                    &serde_json::json!({"name": "c", "version": "0.1.0", "apiVersion": "v2"}),
                    true,
                ),
                capabilities: default_capabilities(helm),
                files: Value::object(files),
                subcharts: Value::empty_map(),
                template_name: "c/templates/x.yaml".into(),
                base_path: "c/templates".into(),
            },
        )
    }

    fn r(helm: HelmVersion, src: &str) -> Result<String, String> {
        let mut e = Engine::new(Options {
            helm,
            ..Options::default()
        });
        e.add_template("t", src).map_err(|e| e.message)?;
        e.render("t", dot(helm))
            .map(|r| r.output)
            .map_err(|e| e.message)
    }

    #[test]
    fn builtin_objects() {
        let v3 = HelmVersion::V3;
        assert_eq!(
            r(
                v3,
                "{{ .Capabilities.KubeVersion }} {{ .Capabilities.KubeVersion.Minor }}"
            )
            .unwrap(),
            "v1.32.0 32"
        );
        assert_eq!(r(v3, "{{ .Capabilities.APIVersions.Has \"apps/v1\" }} {{ .Capabilities.APIVersions.Has \"x/v1\" }}").unwrap(), "true false");
        assert_eq!(
            r(v3, "{{ .Capabilities.HelmVersion.Version }}").unwrap(),
            "v3.17.2"
        );
        assert_eq!(r(v3, "{{ .Files.Get \"files/a.conf\" }}|{{ range $k, $v := .Files.Glob \"files/*\" }}{{ $k }};{{ end }}").unwrap(), "x=1\n|files/a.conf;files/b.conf;");
        assert_eq!(
            r(v3, "{{ .Files.Lines \"files/a.conf\" }}").unwrap(),
            "[x=1]"
        );
        assert!(r(v3, "{{ .Files.Lines \"empty.txt\" }}")
            .unwrap_err()
            .ends_with("error calling Lines: runtime error: index out of range [-1]"));
        assert_eq!(
            r(v3, "{{ index .Files \"files/b.conf\" }}").unwrap(),
            "[121 61 50]"
        );
        assert_eq!(r(v3, "{{ .Chart.Name }}-{{ .Chart.Version }} {{ .Chart.IsRoot }} {{ .Release.Revision }} {{ typeOf . }}").unwrap(), "c-0.1.0 true 1 chartutil.Values");
        assert_eq!(
            r(v3, "{{ .Chart.Nope }}").unwrap_err(),
            "template: t:1:9: executing \"t\" at <.Chart.Nope>: can't evaluate field Nope in type interface {}"
        );
        assert_eq!(
            r(
                HelmVersion::V4,
                "[{{ .Chart.Nope }}] {{ .Chart.Name }} {{ .Capabilities.KubeVersion.Version }}"
            )
            .unwrap(),
            "[] c v1.35.0"
        );
    }
}
