//! `helm template`, in process: a chart (directory or `.tgz`) loaded as Helm's loader does,
//! its values merged and coalesced as Helm does (`-f`, `--set*`, subcharts, globals,
//! dependency conditions/tags/aliases/import-values), every template of the enabled chart
//! tree rendered as one template set by the `helm-template` engine, and the result split,
//! sorted and printed as `helm template` prints it (Helm 3.17.2 or Helm 4.1.4 behaviour).
//!
//! What it does not do says so: [`Failure::unsupported`] names the feature (e.g. a
//! `values.schema.json` violation of a keyword whose Helm wording is not reproduced), so a
//! caller can fall back to the Helm binary.

pub mod cli;
mod deps;
mod guard;
mod ignore;
pub mod load;
mod manifests;
pub mod model;
pub mod origins;
pub mod schema;
pub mod strvals;
pub mod vals;

use std::path::PathBuf;

use helm_template::{helm_objects, Engine, HelmVersion, Options, Value, ValuesPath};

pub use load::Chart;
pub use manifests::{LineOrigin, LineValue};
pub use strvals::SetKind;
use vals::{Map, V};

/// What `helm template` is given.
#[derive(Clone, Debug)]
pub struct Request {
    pub helm: HelmVersion,
    /// Default `release-name`.
    pub release_name: String,
    /// Default `default`.
    pub namespace: String,
    pub is_upgrade: bool,
    pub kube_version: Option<String>,
    pub api_versions: Vec<String>,
    pub include_crds: bool,
    pub skip_tests: bool,
    /// `-f` files in order.
    pub values_files: Vec<PathBuf>,
    /// `--set*` flags in command-line order (Helm applies them grouped by kind).
    pub sets: Vec<(SetKind, String)>,
    /// `--skip-schema-validation`.
    pub skip_schema_validation: bool,
    /// Record the `.Values` paths the templates read (`Output::reads`).
    pub record_reads: bool,
}

impl Request {
    pub fn new(helm: HelmVersion) -> Request {
        Request {
            helm,
            release_name: "release-name".into(),
            namespace: "default".into(),
            is_upgrade: false,
            kube_version: None,
            api_versions: Vec::new(),
            include_crds: false,
            skip_tests: false,
            values_files: Vec::new(),
            sets: Vec::new(),
            skip_schema_validation: false,
            record_reads: false,
        }
    }
}

/// A successful render: what `helm template` prints on stdout, and its warnings (stderr).
#[derive(Clone, Debug, Default)]
pub struct Output {
    pub text: String,
    pub warnings: Vec<String>,
    /// For each line of `text`: the template line that wrote it (None for `---`, `# Source:`,
    /// blank lines and CRDs).
    pub lines: Vec<Option<LineOrigin>>,
    /// For each line of `text`: the stretches written from `.Values`, with their paths.
    pub values: Vec<Vec<LineValue>>,
    /// With `Request::record_reads`: the values paths read, as key segments from the top of
    /// the values (`None` for a list index): looked up, and read as whole subtrees.
    pub reads: Option<ReadPaths>,
}

/// Values paths a render read (see [`helm_template::Reads`]).
#[derive(Clone, Debug, Default)]
pub struct ReadPaths {
    pub paths: Vec<Vec<Option<String>>>,
    pub subtrees: Vec<Vec<Option<String>>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// Helm would fail too: its message.
    Helm,
    /// Something this renderer does not do; the message names it.
    Unsupported,
}

/// A render that did not produce output.
#[derive(Clone, Debug)]
pub struct Failure {
    pub kind: FailureKind,
    /// Helm's message (without `Error: `).
    pub message: String,
    /// Helm appends "Use --debug flag to render out invalid YAML" (errors once rendering began).
    pub debug_hint: bool,
}

impl Failure {
    pub fn input(message: String) -> Failure {
        Failure {
            kind: FailureKind::Helm,
            message,
            debug_hint: false,
        }
    }

    pub(crate) fn render(message: String) -> Failure {
        Failure {
            kind: FailureKind::Helm,
            message,
            debug_hint: true,
        }
    }

    pub fn unsupported(feature: &str) -> Failure {
        Failure {
            kind: FailureKind::Unsupported,
            message: format!("unsupported by the built-in renderer: {feature}"),
            debug_hint: false,
        }
    }

    /// What `helm template` prints on stderr for this failure.
    pub fn helm_stderr(&self) -> String {
        if self.debug_hint {
            format!(
                "Error: {}\n\nUse --debug flag to render out invalid YAML",
                self.message
            )
        } else {
            format!("Error: {}", self.message)
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Loads the chart and coalesces its values (what precedes the schema check).
fn prepare(
    chart: &std::path::Path,
    req: &Request,
) -> Result<(Chart, Map, Kube, Vec<String>), Failure> {
    let helm = req.helm;
    let mut warnings = Vec::new();
    let kube = kube_version(req)?;
    let user = user_values(req)?;
    let mut ch = load::load(chart, helm)?;
    if ch.is_library() {
        return Err(Failure::input("library charts are not installable".into()));
    }
    if ch.meta["deprecated"].as_bool() == Some(true) {
        warnings.push("WARNING: This chart is deprecated".into());
    }
    if let Some(reqs) = ch.meta["dependencies"].as_array() {
        let missing: Vec<String> = reqs
            .iter()
            .filter_map(|r| r["name"].as_str())
            .filter(|n| !ch.deps.iter().any(|d| d.name() == *n))
            .map(str::to_string)
            .collect();
        if !missing.is_empty() {
            return Err(Failure::input(format!(
                "{} error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: {}",
                if helm == HelmVersion::V3 { "An" } else { "an" },
                missing.join(", ")
            )));
        }
    }
    deps::process(helm, &mut ch, &user, &mut warnings)?;
    let vals = vals::coalesce(helm, &ch, &user, false);
    Ok((ch, vals, kube, warnings))
}

/// Renders the chart at `chart` as `helm template` does.
pub fn render(chart: &std::path::Path, req: &Request) -> Result<Output, Failure> {
    let helm = req.helm;
    let (ch, vals, kube, mut warnings) = prepare(chart, req)?;
    if !req.skip_schema_validation {
        validate_schemas(&ch, &vals, helm)?;
    }
    if let Some(kv) = ch.meta["kubeVersion"].as_str().filter(|s| !s.is_empty()) {
        let (check, shown) = match helm {
            HelmVersion::V3 => (&kube.version, &kube.version),
            HelmVersion::V4 => (&kube.normalized, &kube.version),
        };
        if !helm_template::funcs::semver::is_compatible_range(kv, check, helm) {
            return Err(Failure::render(format!(
                "chart requires kubeVersion: {kv} which is incompatible with Kubernetes {shown}"
            )));
        }
    }
    let mut reads = req.record_reads.then(helm_template::Reads::new);
    let files = render_tree(req, &ch, vals, &kube, reads.as_mut())?;
    let (text, lines, values) = manifests::assemble(req, &ch, files, &mut warnings)?;
    Ok(Output {
        text,
        warnings,
        lines,
        reads: reads.map(|r| {
            let (paths, subtrees) = r.export();
            ReadPaths { paths, subtrees }
        }),
        values,
    })
}

/// `ValidateAgainstSchema`: each chart's values.schema.json against its coalesced values,
/// subcharts against theirs, every chart's violations listed (Helm 3 and 4 both go on to the
/// subcharts). Violations are worded as `helm` words them ([`schema`]); a violation of a
/// keyword whose wording is not reproduced (or a schema that cannot be compiled without
/// fetching a remote `$ref`) is reported as unsupported, naming the keyword, so the caller
/// falls back to Helm for Helm's own message.
fn validate_schemas(ch: &Chart, values: &Map, helm: HelmVersion) -> Result<(), Failure> {
    let mut checked = Vec::new();
    check_tree(ch, values, helm, &mut Vec::new(), &mut checked)?;
    let mut text = String::new();
    for c in &checked {
        if c.checked.violations.is_empty() {
            continue;
        }
        match &c.checked.text {
            Some(t) => {
                text.push_str(&format!("{}:\n{t}", c.chart));
            }
            None => {
                return Err(Failure::unsupported(&format!(
                    "the values do not meet {}'s values.schema.json, and Helm's wording of `{}` is not reproduced",
                    c.chart,
                    c.checked.unworded.join("`, `")
                )))
            }
        }
    }
    if text.is_empty() {
        return Ok(());
    }
    Err(Failure::input(format!(
        "values don't meet the specifications of the schema(s) in the following chart(s):\n{text}"
    )))
}

/// One chart's schema check.
#[derive(Clone, Debug)]
pub struct ChartSchema {
    /// The chart's name (as Helm prints it before its violations; the alias when aliased).
    pub chart: String,
    /// The values keys leading to this chart's values from the top chart's (`[]` for the top
    /// chart, `["postgresql"]` for a subchart).
    pub scope: Vec<String>,
    /// The schema's text (for placing a violation no values file can show).
    pub schema: Vec<u8>,
    pub checked: schema::Checked,
}

/// Every chart's schema check for the values of `req` (the top chart first, then subcharts
/// depth first), as `helm template` would check them; charts without a schema are left out.
pub fn check_schemas(chart: &std::path::Path, req: &Request) -> Result<Vec<ChartSchema>, Failure> {
    let (ch, vals, _, _) = prepare(chart, req)?;
    let mut out = Vec::new();
    check_tree(&ch, &vals, req.helm, &mut Vec::new(), &mut out)?;
    Ok(out)
}

fn check_tree(
    ch: &Chart,
    values: &Map,
    helm: HelmVersion,
    scope: &mut Vec<String>,
    out: &mut Vec<ChartSchema>,
) -> Result<(), Failure> {
    if let Some(schema) = &ch.schema {
        let (validator, doc) = compile_schema(ch, schema)?;
        out.push(ChartSchema {
            chart: ch.name().to_string(),
            scope: scope.clone(),
            schema: schema.clone(),
            checked: schema::check(
                &validator,
                &doc,
                &schema_json(&V::Map(values.clone())),
                helm,
            ),
        });
    }
    for d in &ch.deps {
        if let Some(V::Map(m)) = values.get(d.name()) {
            scope.push(d.name().to_string());
            check_tree(d, m, helm, scope, out)?;
            scope.pop();
        }
    }
    Ok(())
}

fn compile_schema(
    ch: &Chart,
    schema: &[u8],
) -> Result<(jsonschema::Validator, serde_json::Value), Failure> {
    let schema: serde_json::Value = serde_json::from_slice(schema).map_err(|_| {
        Failure::unsupported(&format!(
            "{}'s values.schema.json is not valid JSON",
            ch.name()
        ))
    })?;
    let validator = jsonschema::validator_for(&schema)
        .map_err(Box::new)
        .or_else(|_| {
            // A `$schema` this crate does not know (`http://json-schema.org/schema`, a
            // draft URL spelled differently): Helm 3's gojsonschema then validates as
            // draft 7; Helm 4 loads the named meta-schema, which for these URLs is a
            // draft too. Validate as draft 7.
            let mut plain = schema.clone();
            if let Some(o) = plain.as_object_mut() {
                o.remove("$schema");
            }
            jsonschema::options()
                .with_draft(jsonschema::Draft::Draft7)
                .build(&plain)
                .map_err(Box::new)
        })
        .map_err(|e| {
            Failure::unsupported(&format!(
                "{}'s values.schema.json cannot be compiled without Helm ({e})",
                ch.name()
            ))
        })?;
    Ok((validator, schema))
}

/// Values as JSON for validation: a float64 with no fraction is an integer to JSON Schema
/// (as to both of Helm's validators).
fn schema_json(v: &V) -> serde_json::Value {
    match v {
        V::Null => serde_json::Value::Null,
        V::Bool(b) => (*b).into(),
        V::Int(i) => (*i).into(),
        V::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => (*f as i64).into(),
        V::Float(f) => serde_json::Number::from_f64(*f)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        V::Str(s) => s.as_str().into(),
        V::List(l) => l.iter().map(schema_json).collect(),
        V::Map(m) => m.iter().map(|(k, v)| (k.clone(), schema_json(v))).collect(),
    }
}

/// `.Capabilities.KubeVersion` as `--kube-version` parses (or the Helm default).
struct Kube {
    version: String,
    normalized: String,
    major: String,
    minor: String,
}

fn kube_version(req: &Request) -> Result<Kube, Failure> {
    let Some(given) = &req.kube_version else {
        let (v, mi) = match req.helm {
            HelmVersion::V3 => ("v1.32.0", "32"),
            HelmVersion::V4 => ("v1.35.0", "35"),
        };
        return Ok(Kube {
            version: v.into(),
            normalized: v.into(),
            major: "1".into(),
            minor: mi.into(),
        });
    };
    let bad = |why: &str| Failure::input(format!("invalid kube version '{given}': {why}"));
    let body = given.strip_prefix('v').unwrap_or(given);
    match req.helm {
        HelmVersion::V3 => {
            // Masterminds semver.NewVersion: 1 to 3 numeric parts, optional -pre and +meta.
            let (core, suffix) = match body.find(['-', '+']) {
                Some(i) => (&body[..i], &body[i..]),
                None => (body, ""),
            };
            let parts: Vec<&str> = core.split('.').collect();
            if parts.is_empty()
                || parts.len() > 3
                || parts
                    .iter()
                    .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
            {
                return Err(bad("Invalid Semantic Version"));
            }
            let n = |i: usize| {
                parts
                    .get(i)
                    .map(|p| p.parse::<u64>().unwrap_or(0))
                    .unwrap_or(0)
            };
            let v = format!("v{}.{}.{}{suffix}", n(0), n(1), n(2));
            Ok(Kube {
                version: v.clone(),
                normalized: v,
                major: n(0).to_string(),
                minor: n(1).to_string(),
            })
        }
        HelmVersion::V4 => {
            // k8s ParseGeneric: at least major.minor, numeric; the rest is a suffix.
            let end = body
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(body.len());
            let core = body[..end].trim_end_matches('.');
            let parts: Vec<&str> = core.split('.').collect();
            if parts.len() < 2 || parts.iter().any(|p| p.is_empty()) {
                return Err(bad(&format!(
                    "could not parse {} as version",
                    helm_template::gofmt::quote(given)
                )));
            }
            let nums: Vec<u64> = parts.iter().map(|p| p.parse().unwrap_or(0)).collect();
            let normalized = format!(
                "v{}",
                nums.iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(".")
            );
            Ok(Kube {
                version: format!("v{body}"),
                normalized,
                major: nums[0].to_string(),
                minor: nums[1].to_string(),
            })
        }
    }
}

/// The order in which `MergeValues` applies the `--set*` flags, kind by kind.
pub(crate) const SET_ORDER: [SetKind; 5] = [
    SetKind::Json,
    SetKind::Set,
    SetKind::String,
    SetKind::File,
    SetKind::Literal,
];

/// A `-f` file, read and parsed as Helm does.
pub(crate) fn values_file(f: &std::path::Path, helm: HelmVersion) -> Result<Map, Failure> {
    let raw = std::fs::read(f)
        .map_err(|e| Failure::input(format!("open {}: {}", f.display(), go_io_error(&e))))?;
    vals::parse_values(&String::from_utf8_lossy(&raw), helm)
        .map_err(|e| Failure::input(format!("failed to parse {}: {e}", f.display())))
}

/// `values.Options.MergeValues`: `-f` files in order, then `--set-json`, `--set`,
/// `--set-string`, `--set-file`, `--set-literal` (each kind in its own pass).
pub(crate) fn user_values(req: &Request) -> Result<Map, Failure> {
    let mut base = Map::new();
    for f in &req.values_files {
        base = vals::merge_maps(base, values_file(f, req.helm)?);
    }
    for kind in SET_ORDER {
        for (_, arg) in req.sets.iter().filter(|(k, _)| *k == kind) {
            if kind == SetKind::Json {
                let t = arg.trim();
                if req.helm == HelmVersion::V4 && t.starts_with('{') {
                    let j: serde_json::Value = serde_json::from_str(t).map_err(|_| {
                        Failure::input(format!("failed parsing --set-json data JSON: {arg}"))
                    })?;
                    if let V::Map(m) = V::from_json(&j) {
                        base = vals::merge_maps(base, m);
                    }
                    continue;
                }
            }
            let mut read = |p: &str| {
                std::fs::read(p)
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .map_err(|e| format!("open {p}: {}", go_io_error(&e)))
            };
            strvals::parse_into(arg, &mut base, kind, &mut read).map_err(|e| {
                Failure::input(match kind {
                    SetKind::Json => format!("failed parsing --set-json data {arg}"),
                    SetKind::Set => format!("failed parsing --set data: {e}"),
                    SetKind::String => format!("failed parsing --set-string data: {e}"),
                    SetKind::File => format!("failed parsing --set-file data: {e}"),
                    SetKind::Literal => format!("failed parsing --set-literal data: {e}"),
                })
            })?;
        }
    }
    Ok(base)
}

fn go_io_error(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

impl vals::ChartValues for Chart {
    fn name(&self) -> &str {
        Chart::name(self)
    }
    fn values(&self) -> &Map {
        &self.values
    }
    fn deps(&self) -> Vec<&Chart> {
        self.deps.iter().collect()
    }
}

/// One rendered template file.
pub(crate) struct RenderedFile {
    pub path: String,
    pub text: String,
    pub spans: Vec<helm_template::Span>,
}

/// `Engine.Render`: every template of the chart tree in one set, parsed and executed in
/// Helm's order (deeper paths first, then reverse byte order).
fn render_tree(
    req: &Request,
    root: &Chart,
    vals: Map,
    kube: &Kube,
    mut reads: Option<&mut helm_template::Reads>,
) -> Result<Vec<RenderedFile>, Failure> {
    let helm = req.helm;
    let kv = helm_objects::kube_version(helm, &kube.version, &kube.major, &kube.minor);
    let mut apis = helm_objects::default_api_versions(helm);
    apis.extend(req.api_versions.iter().cloned());
    let caps = helm_objects::capabilities(helm, kv, apis);
    let release = helm_objects::release(&req.release_name, &req.namespace, req.is_upgrade, 1);
    let values = V::Map(vals).to_value(&ValuesPath::root());
    if let Some(r) = reads.as_mut() {
        r.root(&values, ValuesPath::root());
    }

    struct Tpl {
        path: String,
        src: String,
        top: usize,
    }
    let mut tpls: Vec<Tpl> = Vec::new();
    let mut tops: Vec<Value> = Vec::new();
    // The walk's state is threaded explicitly; a struct for one recursive helper adds nothing.
    #[allow(clippy::too_many_arguments)]
    fn rec(
        helm: HelmVersion,
        c: &Chart,
        prefix: &str,
        is_root: bool,
        values: Value,
        release: &Value,
        caps: &Value,
        tpls: &mut Vec<Tpl>,
        tops: &mut Vec<Value>,
    ) -> Value {
        let mut subcharts = std::collections::BTreeMap::new();
        // Reserve this chart's slot; children are built first (their tops go in .Subcharts).
        let slot = tops.len();
        tops.push(Value::nil());
        for d in &c.deps {
            let sub_vals = match values.as_map().and_then(|m| m.get(d.name())) {
                Some(v) if v.as_map().is_some() => v,
                _ => Value::empty_map(),
            };
            let top = rec(
                helm,
                d,
                &format!("{prefix}/charts/{}", d.name()),
                false,
                sub_vals,
                release,
                caps,
                tpls,
                tops,
            );
            subcharts.insert(std::rc::Rc::from(d.name()), top);
        }
        let top = helm_objects::top(
            helm,
            helm_objects::Top {
                values,
                release: release.clone(),
                chart: helm_objects::chart(helm, &c.meta, is_root),
                capabilities: caps.clone(),
                files: Value::object(helm_objects::Files::new(c.files.clone())),
                subcharts: Value::map(subcharts),
                template_name: String::new(),
                base_path: format!("{prefix}/templates"),
            },
        );
        tops[slot] = top.clone();
        for (name, data) in &c.templates {
            let base = name.rsplit('/').next().unwrap_or_default();
            if c.is_library() && !base.starts_with('_') {
                continue;
            }
            tpls.push(Tpl {
                path: format!("{prefix}/{name}"),
                src: String::from_utf8_lossy(data).into_owned(),
                top: slot,
            });
        }
        top
    }
    rec(
        helm,
        root,
        root.name(),
        true,
        values,
        &release,
        &caps,
        &mut tpls,
        &mut tops,
    );
    tpls.sort_by(|a, b| {
        let depth = |s: &str| s.matches('/').count();
        depth(&b.path)
            .cmp(&depth(&a.path))
            .then_with(|| b.path.cmp(&a.path))
    });
    let mut engine = Engine::new(Options {
        helm,
        ..Options::default()
    });
    for t in &tpls {
        if let Err(e) = engine.add_template(&t.path, &t.src) {
            return Err(Failure::render(e.helm_message(helm, &t.path)));
        }
    }
    let mut out = Vec::new();
    for t in &tpls {
        let base = t.path.rsplit('/').next().unwrap_or_default();
        if base.starts_with('_') {
            continue;
        }
        let dot = tops[t.top].clone();
        if let Some(m) = dot.as_map() {
            let mut tm = std::collections::BTreeMap::new();
            tm.insert(std::rc::Rc::from("Name"), Value::string(t.path.as_str()));
            let base_path = t
                .path
                .rsplit_once("/templates/")
                .map(|(p, _)| format!("{p}/templates"))
                .unwrap_or_default();
            tm.insert(std::rc::Rc::from("BasePath"), Value::string(base_path));
            m.insert(
                "Template",
                Value::typed_map(tm, helm_objects::values_map_type(helm)),
            );
        }
        let rendered = match reads.as_mut() {
            Some(r) => engine.render_recording(&t.path, dot, r),
            None => engine.render(&t.path, dot),
        };
        match rendered {
            Ok(r) => out.push(RenderedFile {
                path: t.path.clone(),
                text: r.output,
                spans: r.spans,
            }),
            Err(e) => {
                if e.kind == helm_template::ErrorKind::Budget {
                    return Err(Failure::unsupported(&format!(
                        "a template beyond the engine's budget ({})",
                        e.message
                    )));
                }
                return Err(Failure::render(e.helm_message(helm, &t.path)));
            }
        }
    }
    Ok(out)
}
