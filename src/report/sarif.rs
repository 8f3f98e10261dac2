//! `--format sarif`: SARIF 2.1.0 that GitHub code scanning accepts (checked in tests by the
//! OASIS schema and by sarif-multitool with GitHub's rules; see `tests/sarif/README.md`).
//! No snippets are embedded: the text of a manifest may hold a credential.

use crate::evaluate::policy::{PolicySet, RuleMeta, Scope};
use crate::files::display_path;
use crate::model::{fingerprint, Finding, Location as Loc, Profile, Severity, SuppressionKind};
use serde_sarif::sarif;
use std::collections::BTreeMap;
use std::path::Path;

pub(crate) const INFORMATION_URI: &str = "https://github.com/chartguard/chartguard";
const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(s: Severity) -> sarif::ResultLevel {
    match s {
        Severity::Error => sarif::ResultLevel::Error,
        Severity::Warning => sarif::ResultLevel::Warning,
        Severity::Note => sarif::ResultLevel::Note,
    }
}

fn level_value(s: Severity) -> serde_json::Value {
    serde_json::Value::String(s.as_str().to_string())
}

/// A file's path relative to the repository root, with forward slashes (`<stdin>` stays
/// as it is): how GitHub, GitLab and links in comments name a file.
pub(crate) fn relative_path(file: &str, root: Option<&Path>) -> String {
    if file == "<stdin>" {
        return file.to_string();
    }
    let path = Path::new(file);
    let rel = match root {
        Some(root) => {
            let abs = std::env::current_dir()
                .map(|d| d.join(path))
                .unwrap_or_else(|_| path.to_path_buf());
            let abs = abs.canonicalize().unwrap_or(abs);
            let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
            abs.strip_prefix(&root)
                .map(|p| p.to_path_buf())
                .unwrap_or_else(|_| path.to_path_buf())
        }
        None => path.to_path_buf(),
    };
    let s = rel.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").unwrap_or(&s).to_string()
}

/// A file's URI as GitHub wants it: relative to the repository root, forward slashes,
/// percent-encoded.
pub(crate) fn uri_for(file: &str, root: Option<&Path>) -> String {
    if file == "<stdin>" {
        return "stdin".to_string();
    }
    let s = relative_path(file, root);
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Where a rule's documentation is on the web.
pub(crate) fn rule_doc_uri(id: &str) -> String {
    format!("{INFORMATION_URI}/blob/main/docs/rules/{id}.md")
}

fn location(loc: &Loc, root: Option<&Path>, message: Option<String>) -> sarif::Location {
    // The rendered output is no file (a template inside a packaged subchart is only there):
    // point at the chart's file instead, and say where in the rendered output it is.
    let moved;
    let (loc, message) = match on_disk_for_rendered(&loc.file) {
        Some(file) => {
            let mut why = format!("in the rendered output, line {}", loc.line);
            if let Some(t) = &loc.template {
                why.push_str(&format!(" (template {t})"));
            }
            moved = Loc {
                file,
                line: 1,
                column: 1,
                end_line: 1,
                end_column: 2,
                template: loc.template.clone(),
            };
            let message = Some(match message {
                Some(m) => format!("{m}; {why}"),
                None => why,
            });
            (&moved, message)
        }
        None => (loc, message),
    };
    let region = sarif::Region::builder()
        .start_line(loc.line as i64)
        .start_column(loc.column as i64)
        .end_line(loc.end_line as i64)
        .end_column(loc.end_column as i64)
        .build();
    let physical = sarif::PhysicalLocation::builder()
        .artifact_location(
            sarif::ArtifactLocation::builder()
                .uri(uri_for(&loc.file, root))
                .build(),
        )
        .region(region)
        .build();
    match message {
        Some(m) => sarif::Location::builder()
            .physical_location(physical)
            .message(sarif::Message::builder().text(m).build())
            .build(),
        None => sarif::Location::builder()
            .physical_location(physical)
            .build(),
    }
}

/// For a rendered-output name (`chart [env] (rendered)`), the file on disk to point at
/// instead: the chart's Chart.yaml, or the packaged chart itself.
fn on_disk_for_rendered(file: &str) -> Option<String> {
    let label = file
        .strip_suffix(" (rendered)")
        .or_else(|| file.strip_suffix(" (rendered --is-upgrade)"))?;
    let chart = match label.rfind(" [") {
        Some(i) if label.ends_with(']') => &label[..i],
        _ => label,
    };
    let path = Path::new(chart);
    Some(if path.is_dir() {
        display_path(&path.join("Chart.yaml"))
    } else {
        chart.to_string()
    })
}

pub(crate) fn rule_descriptor(meta: &RuleMeta) -> sarif::ReportingDescriptor {
    let mut extra = BTreeMap::new();
    if let Some(s) = &meta.security_severity {
        extra.insert(
            "security-severity".to_string(),
            serde_json::Value::String(s.clone()),
        );
    }
    extra.insert(
        "precision".to_string(),
        serde_json::Value::String("high".into()),
    );
    let mut tags = meta.tags.clone();
    tags.truncate(20);
    sarif::ReportingDescriptor::builder()
        .id(meta.id.clone())
        .name(pascal(&meta.id))
        .short_description(
            sarif::MultiformatMessageString::builder()
                .text(meta.title.clone())
                .build(),
        )
        .full_description(
            sarif::MultiformatMessageString::builder()
                .text(full_description(meta))
                .build(),
        )
        .help(
            sarif::MultiformatMessageString::builder()
                .text(crate::rules::explain_text(meta))
                .markdown(crate::rules::explain_markdown(meta))
                .build(),
        )
        .help_uri(rule_doc_uri(&meta.id))
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(level_value(meta.severity))
                .build(),
        )
        .properties(
            sarif::PropertyBag::builder()
                .tags(tags)
                .additional_properties(extra)
                .build(),
        )
        .build()
}

fn full_description(meta: &RuleMeta) -> String {
    if meta.description.is_empty() {
        meta.title.clone()
    } else {
        meta.description.clone()
    }
}

fn pascal(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

pub(crate) struct RunInfo<'a> {
    pub(crate) root: Option<&'a Path>,
    /// `automationDetails.id` (`--category`), so several charts or environments upload side by side.
    pub(crate) category: Option<&'a str>,
}

/// GitHub code scanning takes at most this many results per run.
pub(crate) const MAX_RESULTS: usize = 25_000;

pub(crate) fn render(policies: &PolicySet, findings: &[Finding], opts: &RunInfo<'_>) -> String {
    let mut rules: Vec<sarif::ReportingDescriptor> = policies
        .rules
        .iter()
        .map(|r| rule_descriptor(&r.meta))
        .collect();
    // Findings come most severe first, so truncation keeps what matters.
    let kept = &findings[..findings.len().min(MAX_RESULTS)];
    let extra = chartguard_rules(policies, kept);
    rules.extend(extra.iter().map(rule_descriptor));
    let index_of = |f: &Finding| match policies.rules.get(f.rule_index) {
        Some(r) if r.meta.id == f.rule => f.rule_index,
        _ => policies.rules.len() + extra.iter().position(|m| m.id == f.rule).unwrap_or(0),
    };
    let results: Vec<sarif::Result> = kept
        .iter()
        .map(|f| {
            let text = format!(
                "{} {} ({}): {} Why: {} Fix: {}",
                f.object.describe(),
                f.path,
                f.rule,
                end_sentence(&f.message),
                end_sentence(&f.why),
                end_sentence(&f.fix)
            );
            let mut related: Vec<sarif::Location> = f
                .related
                .iter()
                .map(|r| {
                    location(
                        &r.location,
                        opts.root,
                        Some(if r.message.is_empty() {
                            r.object.describe()
                        } else {
                            r.message.clone()
                        }),
                    )
                })
                .collect();
            // The values line that set the value, so the fix is one click away.
            if let Some(v) = &f.value {
                // Not when the finding itself is at that line (the built-in renderer's).
                let own = v.file.as_deref() == Some(f.location.file.as_str())
                    && v.line == Some(f.location.line);
                if let (Some(file), Some(line), false) = (&v.file, v.line, own) {
                    let loc = Loc {
                        file: file.clone(),
                        line,
                        column: 1,
                        end_line: line,
                        end_column: 2,
                        template: None,
                    };
                    related.push(location(
                        &loc,
                        opts.root,
                        Some(format!("`{}` is set here", v.key)),
                    ));
                }
            }
            for (i, l) in related.iter_mut().enumerate() {
                l.id = Some(i as i64 + 1);
            }
            let mut fp = BTreeMap::new();
            fp.insert("chartguard/v1".to_string(), f.fingerprint.clone());
            let mut props = BTreeMap::new();
            props.insert(
                "object".to_string(),
                serde_json::to_value(&f.object).unwrap_or_default(),
            );
            props.insert(
                "path".to_string(),
                serde_json::Value::String(f.path.clone()),
            );
            if let Some(t) = &f.location.template {
                props.insert("template".to_string(), serde_json::Value::String(t.clone()));
            }
            let mut b = sarif::Result::builder()
                .rule_id(f.rule.clone())
                .rule_index(index_of(f) as i64)
                .level(level(f.severity))
                .message(sarif::Message::builder().text(text).build())
                .locations(vec![location(&f.location, opts.root, None)])
                .partial_fingerprints(fp)
                .properties(
                    sarif::PropertyBag::builder()
                        .additional_properties(props)
                        .build(),
                )
                .build();
            if !related.is_empty() {
                b.related_locations = Some(related);
            }
            if let Some(s) = &f.suppression {
                let kind = match s.kind {
                    SuppressionKind::InSource => "inSource",
                    SuppressionKind::External => "external",
                };
                b.suppressions = Some(vec![sarif::Suppression::builder()
                    .kind(serde_json::Value::String(kind.into()))
                    .justification(s.justification.clone())
                    .build()]);
            }
            b
        })
        .collect();
    let mut run = new_run(rules, results, opts);
    run.column_kind = Some(serde_json::Value::String("unicodeCodePoints".into()));
    if findings.len() > kept.len() {
        let note = sarif::Notification::builder()
            .level(serde_json::Value::String("warning".into()))
            .message(sarif::Message::builder().text(format!(
                "chartguard found {} results; GitHub code scanning accepts {MAX_RESULTS} per run, so only the {MAX_RESULTS} most severe are included",
                findings.len()
            )).build())
            .build();
        run.invocations = Some(vec![sarif::Invocation::builder()
            .execution_successful(true)
            .tool_execution_notifications(vec![note])
            .build()]);
    }
    serialize(run)
}

/// A run of chartguard's tool component, with `automationDetails.id` from `--category`.
fn new_run(
    rules: Vec<sarif::ReportingDescriptor>,
    results: Vec<sarif::Result>,
    opts: &RunInfo<'_>,
) -> sarif::Run {
    let driver = sarif::ToolComponent::builder()
        .name("chartguard")
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .version(env!("CARGO_PKG_VERSION"))
        .information_uri(INFORMATION_URI)
        .rules(rules)
        .build();
    let mut run = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .results(results)
        .build();
    if let Some(cat) = opts.category {
        run.automation_details = Some(
            sarif::RunAutomationDetails::builder()
                .id(format!("{}/", cat.trim_end_matches('/')))
                .build(),
        );
    }
    run
}

fn serialize(run: sarif::Run) -> String {
    let log = sarif::Sarif::builder()
        .schema(SCHEMA_URI)
        .version(serde_json::Value::String("2.1.0".into()))
        .runs(vec![run])
        .build();
    let mut s = serde_json::to_string_pretty(&log).expect("sarif serializes");
    s.push('\n');
    s
}

fn end_sentence(s: &str) -> String {
    let s = s.trim();
    if s.ends_with(['.', '!', '?']) {
        s.to_string()
    } else {
        format!("{s}.")
    }
}

/// SARIF for a chart Helm could not render: one error-level result at the template line
/// Helm names (or the chart's Chart.yaml), with Helm's own message.
pub(crate) fn render_error(
    policies: &PolicySet,
    err: &crate::render::RenderError,
    opts: &RunInfo<'_>,
) -> String {
    let (file, line, col) = match &err.template {
        Some(at) => {
            let rest = at
                .source
                .split_once('/')
                .map(|(_, r)| r)
                .unwrap_or(&at.source);
            let path = err.chart.join(rest);
            if path.is_file() {
                (display_path(&path), at.line, at.column)
            } else {
                (display_path(&err.chart.join("Chart.yaml")), 1, 1)
            }
        }
        None => (display_path(&err.chart.join("Chart.yaml")), 1, 1),
    };
    let loc = Loc {
        file,
        line,
        column: col.max(1),
        end_line: line,
        end_column: col.max(1) + 1,
        template: None,
    };
    let meta = RENDER_ERROR_RULE.with(|m| m.clone());
    let mut rules: Vec<sarif::ReportingDescriptor> = policies
        .rules
        .iter()
        .map(|r| rule_descriptor(&r.meta))
        .collect();
    rules.push(rule_descriptor(&meta));
    let result = sarif::Result::builder()
        .rule_id(meta.id.clone())
        .rule_index(rules.len() as i64 - 1)
        .level(sarif::ResultLevel::Error)
        .message(
            sarif::Message::builder()
                .text(format!("helm template failed: {}", err.message))
                .build(),
        )
        .locations(vec![location(&loc, opts.root, None)])
        .partial_fingerprints(BTreeMap::from([(
            "chartguard/v1".to_string(),
            fingerprint(&[&meta.id, &err.chart.to_string_lossy(), &err.message]),
        )]))
        .build();
    serialize(new_run(rules, vec![result], opts))
}

/// Rules of findings chartguard itself makes (not Rego rules: e.g. a chart that renders
/// no objects), described from their first finding so every result has a rule.
fn chartguard_rules(policies: &PolicySet, findings: &[Finding]) -> Vec<RuleMeta> {
    let mut out: Vec<RuleMeta> = Vec::new();
    for f in findings {
        if policies.rule(&f.rule).is_some() || out.iter().any(|m| m.id == f.rule) {
            continue;
        }
        out.push(RuleMeta {
            id: f.rule.clone(),
            title: f.rule.replace('-', " "),
            description: f.why.clone(),
            severity: f.severity,
            profiles: Profile::ALL.to_vec(),
            scope: Scope::Release,
            tags: vec!["helm".into()],
            why: f.why.clone(),
            fix: f.fix.clone(),
            references: Vec::new(),
            group: "helm".into(),
            security_severity: None,
            params: Default::default(),
        });
    }
    out
}

thread_local! {
    /// Not a Rego rule: Helm itself failed, so there is nothing to evaluate.
    static RENDER_ERROR_RULE: RuleMeta = RuleMeta {
        id: "helm-render-error".into(),
        title: "The chart renders with helm template".into(),
        description: "helm template failed for this chart (a failed `required`, a template error, a missing dependency), so nothing of it could be linted.".into(),
        severity: Severity::Error,
        profiles: Profile::ALL.to_vec(),
        scope: Scope::Release,
        tags: vec!["helm".into()],
        why: "A chart that does not render cannot be installed, and a linter that skips it would report a clean result for a broken release.".into(),
        fix: "Fix the error Helm reports at this line (set the required value, fix the template, or run `helm dependency build`).".into(),
        references: vec!["https://helm.sh/docs/helm/helm_template/".into()],
        group: "helm".into(),
        security_severity: None,
        params: std::collections::BTreeMap::new(),
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Finding, ObjectRef, Target};

    fn finding(i: usize, severity: Severity) -> Finding {
        let location = Loc {
            file: "a b.yaml".into(),
            line: i + 1,
            column: 1,
            end_line: i + 1,
            end_column: 2,
            template: None,
        };
        Finding {
            rule: "resource-limits".into(),
            severity,
            message: format!("finding {i}"),
            object: ObjectRef {
                api_version: "v1".into(),
                kind: "Pod".into(),
                namespace: None,
                name: format!("p{i}"),
            },
            path: "spec".into(),
            location,
            rendered: None,
            mapped_by: None,
            value: None,
            environments: Vec::new(),
            suppression: None,
            why: "w".into(),
            fix: "f".into(),
            related: Vec::new(),
            fingerprint: format!("{i:032x}"),
            rule_index: 0,
            sensitive: false,
            target: Target {
                resource: 0,
                path: Vec::new(),
            },
        }
    }

    #[test]
    fn results_beyond_githubs_limit_are_dropped_with_a_notification() {
        let policies = PolicySet::bundled().unwrap();
        let findings: Vec<Finding> = (0..MAX_RESULTS + 5)
            .map(|i| {
                finding(
                    i,
                    if i < 10 {
                        Severity::Error
                    } else {
                        Severity::Note
                    },
                )
            })
            .collect();
        let log: serde_json::Value = serde_json::from_str(&render(
            &policies,
            &findings,
            &RunInfo {
                root: None,
                category: Some("charts/app"),
            },
        ))
        .unwrap();
        let run = &log["runs"][0];
        assert_eq!(run["results"].as_array().unwrap().len(), MAX_RESULTS);
        assert_eq!(run["results"][0]["level"], "error");
        let note = run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
            .as_str()
            .unwrap();
        assert!(note.contains("25000 per run"), "{note}");
        assert_eq!(run["automationDetails"]["id"], "charts/app/");
        assert_eq!(
            run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "a%20b.yaml"
        );
    }
}
