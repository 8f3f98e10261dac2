use chartguard::cli::args::{Cli, Command, ConfigCommand, PolicyCommand, WebhookCommand};
use chartguard::commands;
use clap::Parser;
use std::process::ExitCode;

// The lint allocates and frees millions of small nodes (YAML trees, Rego values); mimalloc
// halves the time glibc's allocator spends on them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // regorus builds anyhow errors on paths it recovers from, many per rule and object; with
    // RUST_BACKTRACE=1 (common in CI) each captured a backtrace: 28% of the CPU time of the
    // 10,000-object benchmark. chartguard never prints one for an error (panics still do).
    if std::env::var_os("RUST_LIB_BACKTRACE").is_none() {
        std::env::set_var("RUST_LIB_BACKTRACE", "0");
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Lint(args) => commands::lint(&args),
        Command::Merge(args) => commands::merge(&args),
        Command::Gate(args) => commands::gate(&args),
        Command::Rules(args) => commands::list_rules(&args),
        Command::Policy(PolicyCommand::Test { dirs, verbose }) => {
            commands::policy_test(&dirs, verbose)
        }
        Command::Serve(args) => commands::serve(&args),
        Command::Webhook(WebhookCommand::Manifests(args)) => commands::manifests(&args),
        Command::Completions { shell } => commands::completions(shell),
        Command::Man => commands::man(),
        Command::Config(ConfigCommand::Schema) => commands::config_schema(),
        Command::Render(args) => commands::render(&args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!(
                "chartguard: error: {}",
                chartguard::terminal_safe(&format!("{err:#}"))
            );
            ExitCode::from(commands::EXIT_ERROR)
        }
    }
}
