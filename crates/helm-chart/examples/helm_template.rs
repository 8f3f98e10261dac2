//! `helm template` with the built-in renderer: `helm_template [--helm 3|4] [NAME] CHART [flags]`.
//! Prints what Helm prints (stdout, and `Error: …` on stderr with exit 1).

use helm_chart::{cli, render, Request};
use helm_template::HelmVersion;

fn main() -> std::process::ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut helm = HelmVersion::V4;
    if args.first().map(String::as_str) == Some("--helm") {
        if args.get(1).map(String::as_str) == Some("3") {
            helm = HelmVersion::V3;
        }
        args.drain(..2);
    }
    let mut req = Request::new(helm);
    let chart = match cli::parse(&args, &mut req) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("Error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    match render(&chart, &req) {
        Ok(out) => {
            for w in &out.warnings {
                eprintln!("{w}");
            }
            print!("{}", out.text);
            std::process::ExitCode::SUCCESS
        }
        Err(f) => {
            eprintln!("{}", f.helm_stderr());
            std::process::ExitCode::from(1)
        }
    }
}
