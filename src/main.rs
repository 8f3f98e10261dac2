use anyhow::{bail, Context, Result};
use chartguard::cli::{Cli, ColorChoice, Command, Format, LintArgs, ListFormat, PolicyCommand, RulesArgs, RulesCommand};
use chartguard::evaluate::{self, policy::PolicySet};
use chartguard::{input, report, rules};
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
        Command::Rules(args) => list_rules(&args).map(|_| 0),
        Command::Policy(PolicyCommand::Test { dirs, verbose }) => policy_test(&dirs, verbose),
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

fn lint(args: &LintArgs) -> Result<u8> {
    let policies = policies(&args.policy_dir)?;
    for id in &args.disable {
        if policies.rule(id).is_none() {
            bail!("--disable {id}: no such rule (see `chartguard rules`)");
        }
    }
    let paths = input::expand(&args.paths)?;
    let files = paths.iter().map(|p| input::read(p)).collect::<Result<Vec<_>, _>>()?;
    let opts = evaluate::Options {
        profile: args.profile.clone(),
        kube_version: args.kube_version.clone(),
        disabled: args.disable.clone(),
    };
    let run = chartguard::lint_sources(files, &policies, &opts)?;
    if run.resources.is_empty() {
        eprintln!("chartguard: warning: no Kubernetes objects found in {}", args.paths.join(", "));
    }
    if args.timings {
        for (stage, took) in &run.stages {
            eprintln!("{:>10.3} ms  stage {stage}", took.as_secs_f64() * 1000.0);
        }
        for t in &run.timings {
            eprintln!("{:>10.3} ms  {}", t.micros as f64 / 1000.0, t.rule);
        }
    }
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    let text = match args.format {
        Format::Human => {
            let texts = report::redacted_sources(&run.files, &run.resources, &run.findings);
            let sources = report::human::Sources { names: run.files.iter().map(|f| f.name.as_str()).collect(), texts };
            report::human::render(&run.findings, &sources, color, run.resources.len())
        }
        Format::Json => report::json::render(&run.findings, &opts.profile, run.resources.len()),
        Format::Sarif => report::sarif::render(
            &policies,
            &run.findings,
            &report::sarif::Options { root: args.root.as_deref(), category: args.category.as_deref() },
        ),
    };
    match &args.output {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("{}: cannot write report", path.display()))?;
            if args.format != Format::Human {
                eprintln!("{}", report::human::summary(&run.findings, run.resources.len()));
            }
        }
        None => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth a message.
            if let Err(e) = out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    return Err(e.into());
                }
            }
        }
    }
    let failing = args
        .fail_on
        .threshold()
        .is_some_and(|t| run.findings.iter().any(|f| f.severity >= t));
    Ok(if failing { EXIT_FINDINGS } else { 0 })
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
            None if verbose => println!("PASS {}: {} ({:.1} ms)", r.file, r.name, r.micros as f64 / 1000.0),
            None => {}
            Some(why) => {
                failed += 1;
                println!("FAIL {}: {}\n     {}", r.file, r.name, why);
            }
        }
    }
    println!("policy tests: {} passed, {} failed", results.len() - failed, failed);
    Ok(if failed > 0 { EXIT_FINDINGS } else { 0 })
}
