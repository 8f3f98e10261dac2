use anyhow::{bail, Context, Result};

// The lint allocates and frees millions of small nodes (YAML trees, Rego values); mimalloc
// halves the time glibc's allocator spends on them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use chartguard::cli::{
    Cli, ColorChoice, Command, Format, GateArgs, LintArgs, ListFormat, PolicyCommand, RuleArgs,
    RulesArgs, RulesCommand,
};
use chartguard::config::Config;
use chartguard::evaluate::{self, policy::PolicySet};
use chartguard::render::{HelmOptions, RenderError};
use chartguard::{lint, report, rules};
use clap::Parser;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or input error.
const EXIT_FINDINGS: u8 = 1;
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Lint(args) => lint(&args),
        Command::Gate(args) => gate(&args),
        Command::Rules(args) => list_rules(&args).map(|_| 0),
        Command::Policy(PolicyCommand::Test { dirs, verbose }) => policy_test(&dirs, verbose),
        Command::Serve(args) => serve(&args),
        Command::Webhook(chartguard::cli::WebhookCommand::Manifests(args)) => {
            print!("{}", chartguard::serve::manifests::render(&args));
            Ok(0)
        }
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("chartguard: error: {err:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn policies(dirs: &[std::path::PathBuf]) -> Result<PolicySet> {
    let mut set = PolicySet::bundled().context("bundled policies are broken")?;
    for dir in dirs {
        set.add_dir(dir)?;
    }
    Ok(set)
}

/// What every linting command needs: the config, the rules (with its severities and
/// disabled rules applied) and the evaluation options.
struct Setup {
    config: Option<Config>,
    cfg: Config,
    policies: PolicySet,
    opts: evaluate::Options,
    kube_version: Option<String>,
}

/// `start`: where to look for `.chartguard.yaml` (the first target, or the current directory).
fn setup(start: std::path::PathBuf, a: &RuleArgs) -> Result<Setup> {
    let config = if a.no_config {
        None
    } else if let Some(path) = &a.config {
        Some(Config::load(path)?)
    } else {
        Config::discover(&start)?
    };
    let mut dirs = a.policy_dir.clone();
    if let Some(cfg) = &config {
        dirs.extend(cfg.policy_dirs.iter().map(|d| cfg.dir().join(d)));
    }
    let mut policies = policies(&dirs)?;
    let mut disabled = a.disable.clone();
    if let Some(cfg) = &config {
        disabled.extend(cfg.rules.disable.iter().cloned());
        for (id, severity) in &cfg.rules.severity {
            match policies.rules.iter_mut().find(|r| &r.meta.id == id) {
                Some(rule) => rule.meta.severity = *severity,
                None => bail!(
                    "{}: rules.severity names `{id}`, which is no rule (see `chartguard rules`)",
                    cfg.path
                        .as_ref()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default()
                ),
            }
        }
    }
    for id in &disabled {
        if policies.rule(id).is_none() {
            bail!("--disable {id}: no such rule (see `chartguard rules`)");
        }
    }
    let cfg = config.clone().unwrap_or_default();
    let kube_version = a.kube_version.clone().or(cfg.kube_version.clone());
    let opts = evaluate::Options {
        profile: a
            .profile
            .clone()
            .or(cfg.profile.clone())
            .unwrap_or_else(|| "prod".into()),
        kube_version: kube_version
            .clone()
            .unwrap_or_else(|| "1.33".into())
            .trim_start_matches('v')
            .to_string(),
        disabled,
        release: None,
        per_rule_timings: false,
    };
    Ok(Setup {
        config,
        cfg,
        policies,
        opts,
        kube_version,
    })
}

fn lint(args: &LintArgs) -> Result<u8> {
    let start = args
        .paths
        .iter()
        .find(|p| *p != "-")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| ".".into());
    let Setup {
        config,
        cfg,
        policies,
        opts,
        kube_version,
    } = setup(start, &args.rules)?;
    let mut opts = opts;
    opts.per_rule_timings = args.timings;
    // Manifests rendered elsewhere (`helm template -n prod … | chartguard lint - -n prod`):
    // the namespace given is the release's. Charts set it themselves when rendered.
    if let Some(ns) = args.namespace.clone().or(cfg.helm.namespace.clone()) {
        opts.release = Some((
            args.release_name
                .clone()
                .or(cfg.helm.release_name.clone())
                .unwrap_or_default(),
            ns,
        ));
    }
    let helm = HelmOptions {
        helm_bin: args
            .helm_bin
            .clone()
            .or(cfg.helm.bin.clone())
            .unwrap_or_else(|| "helm".into()),
        values: args.values.clone(),
        set: args.set.clone(),
        set_string: args.set_string.clone(),
        release_name: args.release_name.clone().or(cfg.helm.release_name.clone()),
        namespace: args.namespace.clone().or(cfg.helm.namespace.clone()),
        kube_version,
        api_versions: if args.api_versions.is_empty() {
            cfg.helm.api_versions.clone()
        } else {
            args.api_versions.clone()
        },
        include_crds: args.include_crds || cfg.helm.include_crds,
    };
    // SARIF paths are relative to the repository root (GitHub shows them inline on pull
    // requests only then): --root, else the enclosing git checkout, else this directory.
    let root = args.root.clone().or_else(git_root);
    let sarif_opts = report::sarif::Options {
        root: root.as_deref(),
        category: args.category.as_deref(),
    };
    let outcome = match lint::lint_all(
        &args.paths,
        &policies,
        &opts,
        &helm,
        args.all_environments,
        config.as_ref(),
        args.format == Format::Human,
    ) {
        Ok(o) => o,
        Err(err) => {
            // A Helm failure is never "0 findings": exit 2, and in SARIF an error-level
            // result so code scanning shows it.
            if let (Some(render_err), Format::Sarif) =
                (err.downcast_ref::<RenderError>(), args.format)
            {
                let text = report::sarif::render_error(&policies, render_err, &sarif_opts);
                write_report(args, &text)?;
            }
            return Err(err);
        }
    };
    let mut outcome = outcome;
    let today = report::suppress::today();
    outcome.warnings.extend(report::suppress::apply_config(
        &mut outcome.findings,
        &cfg.suppressions,
        &today,
    ));
    if let Some(path) = &args.write_baseline {
        let baseline = report::suppress::Baseline::of(&outcome.findings);
        let mut text = serde_json::to_string_pretty(&baseline)?;
        text.push('\n');
        std::fs::write(path, text)
            .with_context(|| format!("{}: cannot write baseline", path.display()))?;
        eprintln!(
            "chartguard: wrote {} finding(s) to baseline {}",
            baseline.findings.len(),
            path.display()
        );
        return Ok(0);
    }
    if let Some(path) = &args.baseline {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read baseline", path.display()))?;
        let baseline: report::suppress::Baseline = serde_json::from_str(&text)
            .with_context(|| format!("{}: not a chartguard baseline", path.display()))?;
        let before = outcome.findings.len();
        let gone = baseline.filter(&mut outcome.findings);
        eprintln!(
            "chartguard: baseline {}: {} known finding(s) hidden, {} new",
            path.display(),
            before - outcome.findings.len(),
            outcome.findings.len()
        );
        for g in &gone {
            eprintln!(
                "chartguard: baseline entry no longer occurs: {} {} {} ({})",
                g.rule, g.object, g.path, g.fingerprint
            );
        }
    }
    for w in &outcome.warnings {
        eprintln!("chartguard: warning: {w}");
    }
    if args.timings {
        for (stage, took) in &outcome.stages {
            eprintln!("{:>10.3} ms  stage {stage}", took.as_secs_f64() * 1000.0);
        }
        for t in &outcome.timings {
            eprintln!("{:>10.3} ms  {}", t.micros as f64 / 1000.0, t.rule);
        }
    }
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let text = match args.format {
        Format::Human => report::human::render(
            &outcome.findings,
            &outcome.sources,
            color,
            outcome.objects,
            args.show_suppressed,
        ),
        Format::Json => report::json::render(&outcome.findings, &opts.profile, outcome.objects),
        Format::Sarif => report::sarif::render(&policies, &outcome.findings, &sarif_opts),
        Format::Github => {
            if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
                let summary = report::github::summary_markdown(&outcome.findings, outcome.objects);
                let mut file = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&path)
                    .with_context(|| "cannot open $GITHUB_STEP_SUMMARY")?;
                file.write_all(summary.as_bytes())?;
            }
            report::github::render(&outcome.findings)
        }
    };
    write_report(args, &text)?;
    if args.output.is_some() && args.format != Format::Human {
        eprintln!(
            "{}",
            report::human::summary(&outcome.findings, outcome.objects)
        );
    }
    let failing = args.fail_on.threshold().is_some_and(|t| {
        outcome
            .findings
            .iter()
            .any(|f| f.suppression.is_none() && f.severity >= t)
    });
    // The process ends right after this: freeing a 10,000-object release node by node
    // would take longer than some stages of the lint.
    std::mem::forget(outcome);
    std::mem::forget(policies);
    Ok(if failing { EXIT_FINDINGS } else { 0 })
}

/// The nearest directory from the current one upwards that holds `.git`.
fn git_root() -> Option<std::path::PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    cwd.ancestors()
        .find(|d| d.join(".git").exists())
        .map(std::path::Path::to_path_buf)
}

fn write_report(args: &LintArgs, text: &str) -> Result<()> {
    match &args.output {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("{}: cannot write report", path.display())),
        None => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth a message.
            match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
                _ => Ok(()),
            }
        }
    }
}

/// The post-renderer gate: Helm pipes the rendered release in and installs whatever comes
/// out, so the only safe outputs are the input itself, unchanged, or nothing and a failure.
fn gate(args: &GateArgs) -> Result<u8> {
    let Setup {
        cfg,
        policies,
        opts,
        ..
    } = setup(".".into(), &args.rules)?;
    let bytes = chartguard::input::read_stdin_bytes()?;
    let file = chartguard::input::text_of("<stdin>".into(), bytes.clone())?;
    let run = chartguard::lint_sources(vec![file], &policies, &opts)?;
    let mut findings = run.findings;
    for w in
        report::suppress::apply_config(&mut findings, &cfg.suppressions, &report::suppress::today())
    {
        eprintln!("chartguard: warning: {w}");
    }
    let failing = args.fail_on.threshold().is_some_and(|t| {
        findings
            .iter()
            .any(|f| f.suppression.is_none() && f.severity >= t)
    });
    if failing {
        let color = std::io::stderr().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        let text = match args.format {
            Format::Json => report::json::render(&findings, &opts.profile, run.resources.len()),
            Format::Sarif => report::sarif::render(
                &policies,
                &findings,
                &report::sarif::Options {
                    root: None,
                    category: None,
                },
            ),
            Format::Github => report::github::render(&findings),
            Format::Human => {
                let texts = report::redacted_sources(&run.files, &run.resources, &findings);
                let sources: report::human::Sources = run
                    .files
                    .iter()
                    .map(|f| f.name.clone())
                    .zip(texts)
                    .collect();
                report::human::render(&findings, &sources, color, run.resources.len(), false)
            }
        };
        let verdict = format!("chartguard gate: blocked (findings at or above --fail-on {}); nothing was passed on to Helm\n", format!("{:?}", args.fail_on).to_lowercase());
        eprint!("{text}{verdict}");
        if let Some(path) = &args.report {
            std::fs::write(path, format!("{text}{verdict}"))
                .with_context(|| format!("{}: cannot write the gate report", path.display()))?;
        }
        // Helm 4 runs post-renderer plugins with stderr discarded: when there is a terminal,
        // speak to it directly so the person running helm sees why it failed.
        if std::env::var_os("HELM_PLUGIN_NAME").is_some() {
            if let Ok(mut tty) = std::fs::OpenOptions::new().write(true).open("/dev/tty") {
                let _ = tty.write_all(format!("{text}{verdict}").as_bytes());
            }
        }
        return Ok(EXIT_FINDINGS);
    }
    let mut out = std::io::stdout().lock();
    out.write_all(&bytes)
        .and_then(|_| out.flush())
        .context("cannot write the manifests to stdout")?;
    Ok(0)
}

fn list_rules(args: &RulesArgs) -> Result<()> {
    let policies = policies(&args.policy_dir)?;
    let text = match &args.command {
        Some(RulesCommand::Explain { id, markdown }) => {
            let rule = policies.rule(id).with_context(|| {
                let ids: Vec<&str> = policies.rules.iter().map(|r| r.meta.id.as_str()).collect();
                format!("no rule `{id}`; rules are: {}", ids.join(", "))
            })?;
            if *markdown {
                rules::explain_markdown(&rule.meta)
            } else {
                rules::explain_text(&rule.meta)
            }
        }
        None => match args.format {
            ListFormat::Table => rules::table(&policies),
            ListFormat::Json => rules::json(&policies),
            ListFormat::Markdown => rules::markdown_table(&policies),
        },
    };
    print!("{text}");
    Ok(())
}

fn policy_test(dirs: &[std::path::PathBuf], verbose: bool) -> Result<u8> {
    let policies = policies(dirs)?;
    let results = evaluate::testing::run(&policies)?;
    let mut failed = 0;
    for r in &results {
        match &r.failure {
            None if verbose => println!(
                "PASS {}: {} ({:.1} ms)",
                r.file,
                r.name,
                r.micros as f64 / 1000.0
            ),
            None => {}
            Some(why) => {
                failed += 1;
                println!("FAIL {}: {}\n     {}", r.file, r.name, why);
            }
        }
    }
    println!(
        "policy tests: {} passed, {} failed",
        results.len() - failed,
        failed
    );
    Ok(if failed > 0 { EXIT_FINDINGS } else { 0 })
}

/// The admission webhook: the same setup as `gate` (config, rules, severities), then serve.
fn serve(args: &chartguard::cli::ServeArgs) -> Result<u8> {
    let Setup {
        cfg,
        policies,
        opts,
        ..
    } = setup(".".into(), &args.rules)?;
    chartguard::serve::run(args, policies, opts, cfg.suppressions)
}
