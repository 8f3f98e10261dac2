//! One function per subcommand: settings in, the pipeline (through `lint`, or directly for
//! `gate`), a report out, and the exit code. Everything they share — output format, colour,
//! the fail threshold — is written once here.

use crate::cli::args::{
    Cli, ColorChoice, Format, GateArgs, LintArgs, ListFormat, ManifestsArgs, RulesArgs,
    RulesCommand, ServeArgs,
};
use crate::cli::settings::{policies, Settings};
use crate::evaluate::{self, Parallel};
use crate::files;
use crate::lint;
use crate::pipeline::{self, Context as PipelineContext};
use crate::provenance::Identity;
use crate::render::RenderError;
use crate::report::{self, sarif, Report};
use crate::rules;
use crate::suppress::{self, Baseline, ConfigRules};
use anyhow::{Context, Result};
use clap::CommandFactory;
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or input error.
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

/// Colour unless told otherwise, `NO_COLOR` is set, or the output is not a terminal.
fn use_color(choice: ColorChoice, to_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// `chartguard lint`.
pub fn lint(args: &LintArgs) -> Result<u8> {
    if args.show_settings {
        print!("{}", crate::cli::show::render(args)?);
        return Ok(0);
    }
    let settings = Settings::lint(args)?;
    // SARIF paths are relative to the repository root (GitHub shows them inline on pull
    // requests only then): --root, else the enclosing git checkout, else this directory.
    let root = args.root.clone().or_else(git_root);
    let run_info = sarif::RunInfo {
        root: root.as_deref(),
        category: args.category.as_deref(),
    };
    let linted = match lint::lint_all(
        &args.paths,
        &settings,
        args.all_environments,
        args.format == Format::Human,
        args.dependency_update,
    ) {
        Ok(o) => o,
        Err(err) => {
            // A Helm failure is never "0 findings": exit 2, and in SARIF an error-level
            // result so code scanning shows it.
            if let Some(render_err) = err.downcast_ref::<RenderError>() {
                let text = sarif::render_error(&settings.policies, render_err, &run_info);
                if args.format == Format::Sarif {
                    write_report(args.output.as_deref(), &text)?;
                }
                if let Some(path) = &args.sarif_output {
                    write_report(Some(path), &text)?;
                }
            }
            return Err(err);
        }
    };
    let mut linted = linted;
    if let Some(path) = &args.write_baseline {
        let baseline = Baseline::of(&linted.findings);
        let mut text = serde_json::to_string_pretty(&baseline)?;
        text.push('\n');
        std::fs::write(path, text)
            .with_context(|| format!("{}: cannot write baseline", path.display()))?;
        eprintln!(
            "chartguard: wrote {} finding(s) to baseline {}",
            baseline.findings.len(),
            path.display()
        );
        // A chart that failed to render has no findings in the baseline: never silently.
        if !linted.sections.is_empty() {
            eprintln!("{}", closing_line(&linted));
        }
        for s in &linted.sections {
            if let lint::ChartStatus::Failed(err) = &s.status {
                eprintln!("chartguard: error: {}: failed to render: {err}", s.label);
            }
        }
        return Ok(if linted.failed() > 0 { EXIT_ERROR } else { 0 });
    }
    if let Some(path) = &args.baseline {
        apply_baseline(path, &mut linted, args.quiet)?;
    }
    for w in linted.warnings.iter().filter(|_| !args.quiet) {
        eprintln!(
            "chartguard: warning: {}",
            crate::report::escape::terminal_safe(w)
        );
    }
    if args.timings {
        for (stage, took) in &linted.stages {
            eprintln!("{:>10.3} ms  stage {stage}", took.as_secs_f64() * 1000.0);
        }
        for t in &linted.timings {
            eprintln!("{:>10.3} ms  {}", t.micros as f64 / 1000.0, t.rule);
        }
    }
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    if args.format == Format::Github {
        if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
            let summary = report::github::summary_markdown(&linted.findings, linted.objects);
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .with_context(|| "cannot open $GITHUB_STEP_SUMMARY")?;
            file.write_all(summary.as_bytes())?;
        }
    }
    let link_base = link_base();
    let report = Report {
        findings: &linted.findings,
        policies: &settings.policies,
        objects: linted.objects,
        profile: settings.eval.profile,
        environments: &linted.environments,
        sources: &linted.sources,
        color: use_color(args.color, to_terminal),
        show_suppressed: args.show_suppressed,
        sarif: run_info,
        threshold: args.fail_on.threshold(),
        disabled: &settings.eval.disabled,
        link_base: link_base.as_deref(),
    };
    let mut text = if args.format == Format::Human && !linted.sections.is_empty() {
        render_sections(&linted, &report, args)
    } else if args.format == Format::Human {
        human_text(&linted.findings, linted.objects, &report, args)
    } else {
        report::render(args.format, &report)
    };
    // `--previous`: what changed, object by object, before what it means.
    if args.format == Format::Human && !args.quiet && !linted.changes.is_empty() {
        let changes = crate::report::escape::terminal_safe(&linted.changes.join("\n"));
        text = format!("{changes}\n\n{text}");
    }
    if args.statistics {
        let stats = report::human::statistics(&linted.findings);
        if args.format == Format::Human {
            text.push_str(&stats);
        } else {
            eprint!("{stats}");
        }
    }
    write_report(args.output.as_deref(), &text)?;
    if let Some(path) = &args.sarif_output {
        write_report(Some(path), &report::render(Format::Sarif, &report))?;
    }
    if args.output.is_some() && args.format != Format::Human && !args.quiet {
        eprintln!(
            "{}",
            report::human::summary(&linted.findings, linted.objects)
        );
    }
    let failing = report::fails(&linted.findings, args.fail_on.threshold());
    // Several charts: those that failed to render are said once more at the end (their
    // errors are in the human report; other formats carry findings only).
    let failed = linted.failed();
    if !linted.sections.is_empty() && args.format != Format::Human {
        if !args.quiet {
            eprintln!("{}", closing_line(&linted));
        }
        for s in &linted.sections {
            if let lint::ChartStatus::Failed(err) = &s.status {
                eprintln!("chartguard: error: {}: failed to render: {err}", s.label);
            }
        }
    }
    // The process ends right after this: freeing a 10,000-object release node by node
    // would take longer than some stages of the lint.
    std::mem::forget(linted);
    std::mem::forget(settings);
    Ok(if failed > 0 {
        EXIT_ERROR
    } else if failing {
        EXIT_FINDINGS
    } else {
        0
    })
}

/// `chartguard merge`: the shards' reports as one (report::merge), exit code as lint.
pub fn merge(args: &crate::cli::args::MergeArgs) -> Result<u8> {
    use crate::cli::args::MergeFormat;
    let inputs = args
        .files
        .iter()
        .map(|p| report::merge::read(p))
        .collect::<Result<Vec<_>>>()?;
    let threshold = args.fail_on.threshold();
    let merged = match args.format {
        MergeFormat::Json => report::merge::json(&inputs, threshold)?,
        MergeFormat::Sarif => report::merge::sarif(&inputs, threshold)?,
    };
    write_report(args.output.as_deref(), &merged.text)?;
    Ok(if merged.fails { EXIT_FINDINGS } else { 0 })
}

/// `--baseline`: hides the findings it knows, and says which of its entries are gone.
/// Suppressed findings are not "new": they already do not count.
fn apply_baseline(path: &Path, linted: &mut lint::Linted, quiet: bool) -> Result<()> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read baseline", path.display()))?;
    let baseline: Baseline = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a chartguard baseline", path.display()))?;
    let before = linted.findings.len();
    let gone = baseline.gone(&linted.findings);
    let known = baseline.fingerprints();
    linted.retain(|f| !known.contains(f.fingerprint.as_str()));
    let new = linted
        .findings
        .iter()
        .filter(|f| f.suppression.is_none())
        .count();
    if quiet {
        return Ok(());
    }
    eprintln!(
        "chartguard: baseline {}: {} known finding(s) hidden, {new} new",
        path.display(),
        before - linted.findings.len(),
    );
    for g in &gone {
        eprintln!(
            "chartguard: baseline entry no longer occurs: {} {} {} ({})",
            g.rule, g.object, g.path, g.fingerprint
        );
    }
    Ok(())
}

/// Where Markdown links to a line point: the commit's blob URL on GitHub Actions or GitLab
/// CI (from their standard variables), else nowhere (relative links).
fn link_base() -> Option<String> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    if let (Some(server), Some(repo), Some(sha)) = (
        var("GITHUB_SERVER_URL"),
        var("GITHUB_REPOSITORY"),
        var("GITHUB_SHA"),
    ) {
        return Some(format!("{server}/{repo}/blob/{sha}"));
    }
    if let (Some(project), Some(sha)) = (var("CI_PROJECT_URL"), var("CI_COMMIT_SHA")) {
        return Some(format!("{project}/-/blob/{sha}"));
    }
    None
}

/// Human output of several charts: each chart under its header, with its own summary.
fn render_sections(linted: &lint::Linted, r: &Report<'_>, args: &LintArgs) -> String {
    let mut out = String::new();
    let mut at = 0;
    for s in &linted.sections {
        let mine = &linted.findings[at..at + s.findings];
        at += s.findings;
        out.push_str(&format!("==> {}\n", s.label));
        match &s.status {
            lint::ChartStatus::Linted => out.push_str(&human_text(mine, s.objects, r, args)),
            lint::ChartStatus::Skipped(why) => out.push_str(&format!("skipped: {why}\n")),
            lint::ChartStatus::Failed(err) => {
                out.push_str(&format!("error: failed to render: {err}\n"))
            }
        }
        out.push('\n');
    }
    out.push_str(&closing_line(linted));
    out.push('\n');
    out
}

/// Human findings, full or `--concise`, without the summary line under `--quiet`.
fn human_text(
    findings: &[crate::model::Finding],
    objects: usize,
    r: &Report<'_>,
    args: &LintArgs,
) -> String {
    let text = if args.concise {
        report::human::concise(findings, objects, r.show_suppressed)
    } else {
        report::human::render(findings, r.sources, r.color, objects, r.show_suppressed)
    };
    if args.quiet {
        let summary = format!("{}\n", report::human::summary(findings, objects));
        if let Some(rest) = text.strip_suffix(&summary) {
            return rest.to_string();
        }
    }
    text
}

/// `N charts linted, M failed to render` (and the skipped ones, when there are).
fn closing_line(linted: &lint::Linted) -> String {
    let count = |want: fn(&lint::ChartStatus) -> bool| {
        linted.sections.iter().filter(|s| want(&s.status)).count()
    };
    let ok = count(|s| *s == lint::ChartStatus::Linted);
    let skipped = count(|s| matches!(s, lint::ChartStatus::Skipped(_)));
    let failed = linted.failed();
    let mut line = format!(
        "chartguard: {ok} chart{} linted, {failed} failed to render",
        if ok == 1 { "" } else { "s" }
    );
    if skipped > 0 {
        line.push_str(&format!(", {skipped} skipped"));
    }
    line
}

/// The nearest directory from the current one upwards that holds `.git`.
fn git_root() -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    cwd.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

fn write_report(output: Option<&Path>, text: &str) -> Result<()> {
    match output {
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

/// `chartguard gate`, the post-renderer: Helm pipes the rendered release in and installs
/// whatever comes out, so the only safe outputs are the input itself, unchanged, or nothing
/// and a failure.
pub fn gate(args: &GateArgs) -> Result<u8> {
    let mut settings = Settings::resolve(&args.rules, Path::new("."))?;
    let bytes = files::read_stdin_bytes()?;
    let skipped = skip_hook_rules(&mut settings, &bytes);
    if let Some(note) = &skipped {
        eprint!("{note}");
    }
    let file = files::text_of("<stdin>".into(), bytes.clone())?;
    let today = suppress::today();
    let (suppressions, warnings) = ConfigRules::new(&settings.suppressions, &today);
    let rule_ids = settings.rule_ids();
    let run = pipeline::run(
        vec![file],
        &Identity,
        &mut Parallel {
            policies: &settings.policies,
            opts: &settings.eval,
            warm: None,
        },
        &PipelineContext {
            opts: &settings.eval,
            known_rules: &rule_ids,
            suppressions: &suppressions,
            today: &today,
            previous: None,
        },
    )?;
    for w in warnings {
        eprintln!(
            "chartguard: warning: {}",
            crate::report::escape::terminal_safe(&w)
        );
    }
    if report::fails(&run.findings, args.fail_on.threshold()) {
        let sources = if args.format == Format::Human {
            run.snippets(BTreeMap::new())
        } else {
            BTreeMap::new()
        };
        let text = report::render(
            args.format,
            &Report {
                findings: &run.findings,
                policies: &settings.policies,
                objects: run.resources.len(),
                profile: settings.eval.profile,
                environments: &BTreeMap::new(),
                sources: &sources,
                color: use_color(ColorChoice::Auto, std::io::stderr().is_terminal()),
                show_suppressed: false,
                sarif: sarif::RunInfo {
                    root: None,
                    category: None,
                },
                threshold: args.fail_on.threshold(),
                disabled: &settings.eval.disabled,
                link_base: None,
            },
        );
        let verdict = format!("chartguard gate: blocked (findings at or above --fail-on {}); nothing was passed on to Helm\n", format!("{:?}", args.fail_on).to_lowercase());
        eprint!("{text}{verdict}");
        // stderr had the skipped rules first; the report file says them once too.
        let note = skipped.as_deref().unwrap_or_default();
        if let Some(path) = &args.report {
            std::fs::write(path, format!("{note}{text}{verdict}"))
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

/// Helm 3 hands a post-renderer the release without its hooks and helm tests, so the rules
/// about them (the `hooks` group: hook-*, helm-test-missing) would judge what is not there
/// (helm-test-missing would fire on every chart with a test). When the input has no hook
/// at all and no Helm 4 plugin runs the gate, those rules are skipped; the note says which.
fn skip_hook_rules(settings: &mut Settings, manifests: &[u8]) -> Option<String> {
    let helm4_plugin = std::env::var_os("HELM_PLUGIN_NAME").is_some();
    let has_hooks = manifests.windows(12).any(|w| w == b"helm.sh/hook");
    if helm4_plugin || has_hooks {
        return None;
    }
    let skipped: Vec<String> = settings
        .policies
        .rules
        .iter()
        .filter(|r| r.meta.group == "hooks" && !settings.eval.disabled.contains(&r.meta.id))
        .map(|r| r.meta.id.clone())
        .collect();
    if skipped.is_empty() {
        return None;
    }
    settings.eval.disabled.extend(skipped.iter().cloned());
    Some(format!(
        "chartguard gate: no hooks or helm tests in the input (Helm 3 passes post-renderers \
         neither), so these rules were skipped: {}\n",
        skipped.join(", ")
    ))
}

/// `chartguard rules`.
pub fn list_rules(args: &RulesArgs) -> Result<u8> {
    let policies = policies(&args.policy_dir)?;
    let text = match &args.command {
        Some(RulesCommand::Explain { id, markdown }) => {
            let rule = policies.rule(id).with_context(|| {
                let ids: Vec<&str> = policies.rules.iter().map(|r| r.meta.id.as_str()).collect();
                match suppress::did_you_mean(id, &ids) {
                    hint if hint.is_empty() => {
                        format!("no rule `{id}` (see `chartguard rules` for the list)")
                    }
                    hint => format!("no rule `{id}`{hint}"),
                }
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
    Ok(0)
}

/// `chartguard policy test`.
pub fn policy_test(dirs: &[PathBuf], verbose: bool) -> Result<u8> {
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

/// `chartguard serve`: the admission webhook, with the same settings as `gate`.
pub fn serve(args: &ServeArgs) -> Result<u8> {
    let settings = Settings::resolve(&args.rules, Path::new("."))?;
    crate::serve::run(
        args,
        settings.policies,
        settings.eval,
        settings.suppressions,
    )
}

/// `chartguard webhook manifests`.
pub fn manifests(args: &ManifestsArgs) -> Result<u8> {
    print!("{}", crate::serve::manifests::render(args));
    Ok(0)
}

/// `chartguard completions SHELL`.
pub fn completions(shell: clap_complete::Shell) -> Result<u8> {
    let mut text = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "chartguard", &mut text);
    write_report(None, &String::from_utf8(text).context("completion script")?)?;
    Ok(0)
}

/// `chartguard man`: one page, with every subcommand's options.
pub fn man() -> Result<u8> {
    let mut text = Vec::new();
    let cmd = Cli::command();
    let man = clap_mangen::Man::new(cmd.clone());
    man.render_title(&mut text)?;
    man.render_name_section(&mut text)?;
    man.render_synopsis_section(&mut text)?;
    man.render_description_section(&mut text)?;
    man.render_options_section(&mut text)?;
    man.render_subcommands_section(&mut text)?;
    // Each subcommand's own synopsis and options, which the page above only names.
    subcommand_sections(&cmd, "chartguard", &mut text)?;
    man.render_version_section(&mut text)?;
    man.render_authors_section(&mut text)?;
    // Each render_* call repeats clap_mangen's two-line quote-string preamble: keep the first.
    let text = String::from_utf8(text).context("man page")?;
    let mut seen = std::collections::HashSet::new();
    let page: String = text
        .lines()
        .filter(|l| {
            !l.starts_with(".ie \\n(.g .ds Aq") && !l.starts_with(".el .ds Aq") || seen.insert(*l)
        })
        .map(|l| format!("{l}\n"))
        .collect();
    // roff is ASCII: groff reads UTF-8 only through preconv, which `man` runs but a plain
    // `groff -man` does not. Help texts have a few (→, …): write them as roff escapes.
    let page: String = page
        .chars()
        .map(|c| {
            if c.is_ascii() {
                c.to_string()
            } else {
                format!("\\[u{:04X}]", c as u32)
            }
        })
        .collect();
    write_report(None, &page)?;
    Ok(0)
}

fn subcommand_sections(cmd: &clap::Command, prefix: &str, out: &mut Vec<u8>) -> Result<()> {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("{prefix} {}", sub.get_name());
        let page = clap_mangen::Man::new(sub.clone().name(name.clone()).bin_name(name.clone()));
        let mut section = Vec::new();
        page.render_synopsis_section(&mut section)?;
        page.render_options_section(&mut section)?;
        let section = String::from_utf8(section).context("man page")?;
        // The page's own headings are .SH; a subcommand's are one level below, named.
        out.extend_from_slice(
            section
                .replace(".SH ", ".SS ")
                .replace(".SS SYNOPSIS", &format!(".SH \"{}\"", name.to_uppercase()))
                .as_bytes(),
        );
        subcommand_sections(sub, &name, out)?;
    }
    Ok(())
}

/// `chartguard config schema`.
pub fn config_schema() -> Result<u8> {
    write_report(None, &crate::cli::settings::config_schema())?;
    Ok(0)
}

/// `chartguard render`: the built-in renderer's `helm template`.
pub fn render(args: &crate::cli::args::RenderArgs) -> Result<u8> {
    Ok(crate::render::command::run(args))
}
