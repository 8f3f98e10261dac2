//! Loading a chart as Helm's `pkg/chart/loader` does: a directory (with `.helmignore`) or a
//! `.tgz`, split into metadata, values, templates, other files and subcharts.

use std::io::Read;
use std::path::Path;

use helm_template::HelmVersion;

use crate::ignore::Rules;
use crate::vals::{parse_values, Map};
use crate::Failure;

/// A loaded chart (Helm's `chart.Chart`).
#[derive(Clone, Debug)]
pub struct Chart {
    /// Chart.yaml as JSON (sigs.k8s.io/yaml), `apiVersion` defaulted to v1.
    pub meta: serde_json::Value,
    /// Default values (values.yaml).
    pub values: Map,
    pub schema: Option<Vec<u8>>,
    /// `templates/…` files, by their path in the chart.
    pub templates: Vec<(String, Vec<u8>)>,
    /// Every other file (what `.Files` sees), in load order.
    pub files: Vec<(String, Vec<u8>)>,
    /// Subcharts found under `charts/`, sorted by their directory/archive name.
    pub deps: Vec<Chart>,
}

impl Chart {
    pub fn name(&self) -> &str {
        self.meta["name"].as_str().unwrap_or_default()
    }

    pub fn version(&self) -> &str {
        self.meta["version"].as_str().unwrap_or_default()
    }

    pub fn is_library(&self) -> bool {
        self.meta["type"].as_str() == Some("library")
    }
}

/// Loads the chart at `path` (a directory or a packaged archive).
pub fn load(path: &Path, helm: HelmVersion) -> Result<Chart, Failure> {
    if path.is_dir() {
        let files = read_dir(path)?;
        load_files(files, helm)
    } else {
        let data =
            std::fs::read(path).map_err(|e| Failure::input(format!("{}: {e}", path.display())))?;
        load_archive(&data, helm)
    }
}

/// `LoadDir`: every regular file below `dir` not ignored by `.helmignore` (and Helm's own
/// default rule, `templates/.?*`), as `/`-separated paths in walk (lexical) order.
fn read_dir(dir: &Path) -> Result<Vec<(String, Vec<u8>)>, Failure> {
    let mut rules = match std::fs::read_to_string(dir.join(".helmignore")) {
        Ok(text) => Rules::parse(&text).map_err(Failure::input)?,
        Err(_) => Rules::default(),
    };
    rules.add_defaults();
    let mut out = Vec::new();
    walk(dir, "", &rules, &mut out)?;
    Ok(out)
}

fn walk(
    dir: &Path,
    rel: &str,
    rules: &Rules,
    out: &mut Vec<(String, Vec<u8>)>,
) -> Result<(), Failure> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| Failure::input(format!("{}: {e}", dir.display())))?
        .flatten()
        .collect();
    // Go's filepath.Walk visits names in lexical (byte) order.
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let r = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        // sympath.Walk follows symlinks.
        let path = e.path();
        let meta = std::fs::metadata(&path)
            .map_err(|err| Failure::input(format!("{}: {err}", path.display())))?;
        if meta.is_dir() {
            if rules.ignore(&r, true) {
                continue;
            }
            walk(&path, &r, rules, out)?;
        } else {
            if rules.ignore(&r, false) {
                continue;
            }
            if !meta.is_file() {
                return Err(Failure::input(format!(
                    "cannot load irregular file {} as it has file mode type bits set",
                    path.display()
                )));
            }
            let data = std::fs::read(&path)
                .map_err(|err| Failure::input(format!("{}: {err}", path.display())))?;
            out.push((r, data));
        }
    }
    Ok(())
}

/// `LoadArchive`: the files of a gzipped tar, the top directory stripped.
pub fn load_archive(data: &[u8], helm: HelmVersion) -> Result<Chart, Failure> {
    let gz = flate2::read::GzDecoder::new(data);
    let mut ar = tar::Archive::new(gz);
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let entries = ar
        .entries()
        .map_err(|e| Failure::input(format!("unable to read chart archive: {e}")))?;
    for entry in entries {
        let mut entry =
            entry.map_err(|e| Failure::input(format!("unable to read chart archive: {e}")))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = entry
            .path()
            .map_err(|e| Failure::input(format!("unable to read chart archive: {e}")))?
            .to_string_lossy()
            .replace('\\', "/");
        let Some((_, rest)) = name.split_once('/') else {
            continue;
        };
        if rest.is_empty() {
            continue;
        }
        let mut buf = Vec::new();
        entry
            .read_to_end(&mut buf)
            .map_err(|e| Failure::input(format!("unable to read chart archive: {e}")))?;
        // A later entry of the same name replaces an earlier one.
        files.retain(|(n, _)| n != rest);
        files.push((rest.to_string(), buf));
    }
    if files.is_empty() {
        return Err(Failure::input("no files in chart archive".into()));
    }
    load_files(files, helm)
}

/// `LoadFiles`.
pub fn load_files(files: Vec<(String, Vec<u8>)>, helm: HelmVersion) -> Result<Chart, Failure> {
    let mut meta: Option<serde_json::Value> = None;
    for (name, data) in &files {
        if name == "Chart.yaml" {
            let m = yaml_json(data)
                .map_err(|e| Failure::input(format!("cannot load Chart.yaml: {e}")))?;
            let mut m = match m {
                serde_json::Value::Object(o) => serde_json::Value::Object(o),
                serde_json::Value::Null => serde_json::json!({}),
                _ => return Err(Failure::input("cannot load Chart.yaml: error unmarshaling JSON: json: cannot unmarshal into Go value of type chart.Metadata".into())),
            };
            if m["apiVersion"].as_str().unwrap_or_default().is_empty() {
                m["apiVersion"] = "v1".into();
            }
            meta = Some(m);
        }
    }
    let mut chart = Chart {
        meta: meta.clone().unwrap_or(serde_json::json!({})),
        values: Map::new(),
        schema: None,
        templates: Vec::new(),
        files: Vec::new(),
        deps: Vec::new(),
    };
    let v1 = chart.meta["apiVersion"].as_str() == Some("v1");
    type Files = Vec<(String, Vec<u8>)>;
    let mut subcharts: Vec<(String, Files)> = Vec::new();
    for (name, data) in files {
        match name.as_str() {
            "Chart.yaml" | "Chart.lock" => {}
            "values.yaml" => {
                let text = String::from_utf8_lossy(&data);
                chart.values = parse_values(&text, helm)
                    .map_err(|e| Failure::input(format!("cannot load values.yaml: {e}")))?;
            }
            "values.schema.json" => chart.schema = Some(data),
            "requirements.yaml" => {
                let req = yaml_json(&data)
                    .map_err(|e| Failure::input(format!("cannot load requirements.yaml: {e}")))?;
                if let Some(deps) = req.get("dependencies") {
                    chart.meta["dependencies"] = deps.clone();
                }
                if v1 {
                    chart.files.push((name, data));
                }
            }
            "requirements.lock" => {
                if v1 {
                    chart.files.push((name, data));
                }
            }
            n if n.starts_with("templates/") => chart.templates.push((name, data)),
            n if n.starts_with("charts/") => {
                if n.ends_with(".prov") {
                    chart.files.push((name, data));
                    continue;
                }
                let rest = &n["charts/".len()..];
                let cname = rest.split('/').next().unwrap_or_default().to_string();
                match subcharts.iter_mut().find(|(c, _)| *c == cname) {
                    Some((_, fs)) => fs.push((rest.to_string(), data)),
                    None => subcharts.push((cname, vec![(rest.to_string(), data)])),
                }
            }
            _ => chart.files.push((name, data)),
        }
    }
    if meta.is_none() {
        return Err(Failure::input("Chart.yaml file is missing".into()));
    }
    validate(&chart.meta, helm)?;
    subcharts.sort_by(|a, b| a.0.cmp(&b.0));
    let parent = chart.name().to_string();
    for (n, files) in subcharts {
        if n.starts_with(['_', '.']) {
            continue;
        }
        let sub = if n.ends_with(".tgz") {
            let (fname, data) = &files[0];
            if *fname != n {
                return Err(Failure::input(format!(
                    "error unpacking subchart tar in {parent}: expected {n}, got {fname}"
                )));
            }
            load_archive(data, helm)
        } else {
            let buff: Vec<(String, Vec<u8>)> = files
                .into_iter()
                .filter_map(|(f, d)| f.split_once('/').map(|(_, r)| (r.to_string(), d)))
                .collect();
            load_files(buff, helm)
        };
        let sub = sub.map_err(|e| Failure {
            message: format!("error unpacking {n} in {parent}: {}", e.message),
            ..e
        })?;
        chart.deps.push(sub);
    }
    Ok(chart)
}

/// `Metadata.Validate` (the checks a chart on disk can fail).
fn validate(meta: &serde_json::Value, helm: HelmVersion) -> Result<(), Failure> {
    let s = |k: &str| {
        meta.get(k)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    let err = |m: &str| Err(Failure::input(format!("validation: {m}")));
    let api = s("apiVersion");
    if api.is_empty() {
        return err("chart.metadata.apiVersion is required");
    }
    if s("name").is_empty() {
        return err("chart.metadata.name is required");
    }
    if helm == HelmVersion::V4 && api != "v1" && api != "v2" {
        return Err(Failure::input("invalid chart apiVersion".into()));
    }
    if s("version").is_empty() {
        return err("chart.metadata.version is required");
    }
    let ty = s("type");
    if !ty.is_empty() && ty != "application" && ty != "library" {
        return err("chart.metadata.type must be application or library");
    }
    Ok(())
}

/// YAML as sigs.k8s.io/yaml reads it into an `interface{}` (YAML 1.1, first document), as JSON.
pub fn yaml_json(data: &[u8]) -> Result<serde_json::Value, String> {
    let text = String::from_utf8_lossy(data);
    let v = helm_template::funcs::yaml::from_yaml_str(&text)?;
    v.to_json(200)
}
