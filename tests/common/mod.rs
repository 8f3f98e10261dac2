//! Helpers shared by the integration tests: run the real binary, with a time limit.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs chartguard from the repository root; fails the test if it uses more than `limit` of
/// CPU time (a hang that works: the kernel stops it, RLIMIT_CPU), blocks for ten times
/// `limit` of wall time (a hang that waits), or dies from a signal (a panic aborting, a stack
/// overflow). CPU time, not wall time, is the guard: on a loaded machine a wall clock measures
/// the other processes, and a tight one fails sound runs.
pub fn run_with(args: &[&str], stdin: Option<&[u8]>, limit: Duration) -> Output {
    run_with_env(args, stdin, limit, &[])
}

/// `chartguard ARGS` on a machine without Helm: PATH names only a directory that does not
/// exist, so there is no `helm` to find whatever the test machine has installed.
pub fn run_without_helm(args: &[&str]) -> Output {
    run_with_env(
        args,
        None,
        Duration::from_secs(60),
        &[("PATH", "/nonexistent/chartguard-test-no-helm")],
    )
}

/// [`run_with`] with these environment variables set too.
pub fn run_with_env(
    args: &[&str],
    stdin: Option<&[u8]>,
    limit: Duration,
    env: &[(&str, &str)],
) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_chartguard"));
    cmd.args(args)
        .envs(env.iter().copied())
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env("RUST_BACKTRACE", "0")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let cpu_seconds = limit.as_secs().max(1) as libc::rlim_t;
    // SAFETY: setrlimit is async-signal-safe, and the closure touches nothing else.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut cmd, move || {
            let rl = libc::rlimit {
                rlim_cur: cpu_seconds,
                rlim_max: cpu_seconds + 5,
            };
            if libc::setrlimit(libc::RLIMIT_CPU, &rl) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let wall = limit * 10;
    let mut child = cmd.spawn().expect("spawn chartguard");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        let input = input.to_vec();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&input);
        });
    }
    let out_pipe = child.stdout.take().unwrap();
    let err_pipe = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || std::io::read_to_string(out_pipe).unwrap_or_default());
    let err_t = std::thread::spawn(move || std::io::read_to_string(err_pipe).unwrap_or_default());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > wall {
            let _ = child.kill();
            panic!("chartguard {args:?} did not finish within {wall:?} (blocked: it used less than {limit:?} of CPU)");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let stdout = out_t.join().unwrap();
    let stderr = err_t.join().unwrap();
    assert!(
        !stderr.contains("panicked"),
        "chartguard {args:?} panicked:\n{stderr}"
    );
    let code = status.code().unwrap_or_else(|| {
        use std::os::unix::process::ExitStatusExt;
        match status.signal() {
            Some(libc::SIGXCPU) | Some(libc::SIGKILL) => {
                panic!(
                    "chartguard {args:?} used more than {limit:?} of CPU time (a hang):\n{stderr}"
                )
            }
            _ => panic!("chartguard {args:?} was killed by a signal:\n{stderr}"),
        }
    });
    Output {
        code,
        stdout,
        stderr,
    }
}

pub fn run(args: &[&str]) -> Output {
    run_with(args, None, Duration::from_secs(60))
}

/// `chartguard lint ARGS --renderer helm --helm-bin HELM`: the chart rendered by that Helm.
pub fn lint_with_helm(helm: &str, args: &[&str]) -> Output {
    let mut all = vec!["lint"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--renderer", "helm", "--helm-bin", helm]);
    run(&all)
}

/// `chartguard gate --fail-on warning --report FILE` over `manifest`: its exit code and
/// everything it reported (stderr, then the report file).
pub fn gate_with_report(name: &str, manifest: &[u8], limit: Duration) -> (i32, String) {
    let report = tmp_dir(name).join("gate.txt");
    let out = run_with(
        &[
            "gate",
            "--fail-on",
            "warning",
            "--report",
            report.to_str().unwrap(),
        ],
        Some(manifest),
        limit,
    );
    let text = out.stderr + &std::fs::read_to_string(&report).unwrap_or_default();
    (out.code, text)
}

pub fn tmp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("chartguard-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A chart `name` (version 0.1.0) written under `dir`: its Chart.yaml and `files` (paths
/// relative to the chart, such as `values.yaml` or `templates/cm.yaml`). Returns its path.
pub fn write_chart(dir: &Path, name: &str, files: &[(&str, &str)]) -> PathBuf {
    let chart = dir.join(name);
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        format!("apiVersion: v2\nname: {name}\nversion: 0.1.0\n"),
    )
    .unwrap();
    for (path, text) in files {
        std::fs::write(chart.join(path), text).unwrap();
    }
    chart
}

/// `# chartguard: expect a, b` markers: (line, rule) for every rule named on a line.
pub fn expected_markers(path: &Path) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(rest) = line.split("# chartguard: expect ").nth(1) {
            for rule in rest.split(',') {
                let rule = rule.split_whitespace().next().unwrap_or("");
                if !rule.is_empty() {
                    out.push((i + 1, rule.to_string()));
                }
            }
        }
    }
    out.sort();
    out
}

/// The fake credentials the classic-mistakes example hides (examples/…/SECRETS.txt).
pub fn example_secrets() -> Vec<String> {
    let secrets: Vec<String> =
        std::fs::read_to_string(root().join("examples/charts/classic-mistakes/SECRETS.txt"))
            .unwrap()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(String::from)
            .collect();
    assert!(!secrets.is_empty());
    secrets
}

/// Both SARIF validators (OASIS schema and sarif-multitool with GitHub's rules) accept
/// `path` with zero errors; a missing validator fails with the command that installs it.
pub fn validate_sarif(path: &Path) {
    let out = Command::new("bash")
        .arg(root().join("scripts/validate-sarif.sh"))
        .arg(path)
        .current_dir(root())
        .output()
        .expect("run scripts/validate-sarif.sh");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    match out.status.code() {
        Some(0) => {}
        Some(2) => panic!(
            "SARIF validators are not installed; run `scripts/install-tools.sh sarif`:\n{text}"
        ),
        _ => panic!("{} failed validation:\n{text}", path.display()),
    }
}

/// Both Helm majors; a missing one fails the test with the command that installs it.
/// Helm 3 and Helm 4 (`--renderer helm --helm-bin …`), then the default renderer (the
/// built-in one; run it with [`run_without_helm`]): (name, lint arguments choosing it).
pub fn renderers() -> Vec<(&'static str, Vec<String>)> {
    let mut out: Vec<_> = helms()
        .into_iter()
        .map(|(name, helm)| {
            let args = ["--renderer", "helm", "--helm-bin", &helm];
            (name, args.map(String::from).to_vec())
        })
        .collect();
    out.push(("built-in", Vec::new()));
    out
}

pub fn helms() -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for (name, var, default) in [
        ("helm3", "CHARTGUARD_HELM3", ".tools/helm3/helm"),
        ("helm4", "CHARTGUARD_HELM4", ".tools/helm4/helm"),
    ] {
        let path = std::env::var(var)
            .unwrap_or_else(|_| root().join(default).to_string_lossy().to_string());
        assert!(
            std::path::Path::new(&path).is_file(),
            "{name} not found at {path}; run `scripts/install-tools.sh helm` (or set {var})"
        );
        out.push((name, path));
    }
    out
}
