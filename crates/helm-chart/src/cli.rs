//! `helm template`'s command line (the flags a render needs), for `chartguard render` and
//! the render-diff script: `[NAME] CHART` and `-f/--values`, `--set`, `--set-string`,
//! `--set-file`, `--set-json`, `--set-literal`, `-n/--namespace`, `--kube-version`,
//! `-a/--api-versions`, `--include-crds`, `--skip-tests`, `--is-upgrade`. Anything else is
//! an error naming the flag (never silently ignored).

use std::path::PathBuf;

use crate::{Request, SetKind};

/// The chart path and the request, or an error naming the argument.
pub fn parse(args: &[String], req: &mut Request) -> Result<PathBuf, String> {
    let mut positional: Vec<String> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with('-') => (f.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let takes = matches!(
            flag.as_str(),
            "-f" | "--values"
                | "--set"
                | "--set-string"
                | "--set-file"
                | "--set-json"
                | "--set-literal"
                | "-n"
                | "--namespace"
                | "--kube-version"
                | "-a"
                | "--api-versions"
                | "--name-template"
        );
        let value = if takes {
            match inline {
                Some(v) => Some(v),
                None => {
                    i += 1;
                    Some(
                        args.get(i)
                            .cloned()
                            .ok_or_else(|| format!("flag needs an argument: {flag}"))?,
                    )
                }
            }
        } else {
            None
        };
        match flag.as_str() {
            "-f" | "--values" => {
                for f in value.unwrap().split(',') {
                    req.values_files.push(PathBuf::from(f));
                }
            }
            "--set" => req.sets.push((SetKind::Set, value.unwrap())),
            "--set-string" => req.sets.push((SetKind::String, value.unwrap())),
            "--set-file" => req.sets.push((SetKind::File, value.unwrap())),
            "--set-json" => req.sets.push((SetKind::Json, value.unwrap())),
            "--set-literal" => req.sets.push((SetKind::Literal, value.unwrap())),
            "-n" | "--namespace" => req.namespace = value.unwrap(),
            "--kube-version" => req.kube_version = value,
            "-a" | "--api-versions" => {
                req.api_versions
                    .extend(value.unwrap().split(',').map(str::to_string));
            }
            "--include-crds" => req.include_crds = true,
            "--skip-tests" => req.skip_tests = true,
            "--is-upgrade" => req.is_upgrade = true,
            "--skip-schema-validation" => req.skip_schema_validation = true,
            "--name-template" => {
                return Err("--name-template is not supported by the built-in renderer".into())
            }
            f if f.starts_with('-') && f.len() > 1 => {
                return Err(format!(
                    "unknown or unsupported flag for the built-in renderer: {f}"
                ))
            }
            _ => positional.push(a.clone()),
        }
        i += 1;
    }
    match positional.len() {
        1 => Ok(PathBuf::from(&positional[0])),
        2 => {
            req.release_name = positional[0].clone();
            Ok(PathBuf::from(&positional[1]))
        }
        0 => Err("requires a chart: [NAME] CHART".into()),
        _ => Err(format!(
            "expected [NAME] CHART, got {} arguments",
            positional.len()
        )),
    }
}
