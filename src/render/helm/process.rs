//! Running Helm with bounds: a time limit, a cap on what it prints, and the whole process
//! group killed when either is reached — a `--helm-bin` wrapper that sleeps, or leaves a child
//! holding stdout, must not hang chartguard, and a runaway template must not fill memory.
//! Helm's error text is not handled here (its redaction lives with the caller).

use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long Helm may run and how much it may print.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Limits {
    pub(crate) timeout: Duration,
    /// Bytes of stdout (stderr gets the same cap).
    pub(crate) max_output: u64,
}

/// Five minutes: several times what the largest charts of the corpus take, twice (the
/// install and the upgrade render), on a slow CI runner.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);
/// 256 MiB of rendered YAML is far beyond any real release (the API server stores objects
/// of at most 1.5 MB, etcd a few GB in all) and keeps chartguard's memory bounded.
pub(crate) const DEFAULT_MAX_OUTPUT: u64 = 256 * 1024 * 1024;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: DEFAULT_TIMEOUT,
            max_output: DEFAULT_MAX_OUTPUT,
        }
    }
}

pub(crate) struct Finished {
    pub(crate) status: ExitStatus,
    pub(crate) stdout: Vec<u8>,
    pub(crate) stderr: Vec<u8>,
}

/// Why a bounded run did not finish normally.
#[derive(Debug)]
pub(crate) enum Failure {
    Spawn(std::io::Error),
    TimedOut(Duration),
    TooMuchOutput(u64),
}

/// Runs `cmd` in a process group of its own, reading stdout and stderr up to the cap; on
/// timeout or overflow the whole group is killed.
pub(crate) fn run(mut cmd: Command, limits: Limits) -> Result<Finished, Failure> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let mut child = cmd.spawn().map_err(Failure::Spawn)?;
    let group = child.id() as libc::pid_t;
    let (tx, rx) = mpsc::channel::<Event>();
    let mut readers = Vec::new();
    for (stream, pipe) in [
        (
            Stream::Out,
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        ),
        (
            Stream::Err,
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        ),
    ] {
        let Some(pipe) = pipe else { continue };
        let tx = tx.clone();
        let cap = limits.max_output;
        readers.push(std::thread::spawn(move || {
            let mut buf = Vec::new();
            // One byte past the cap tells "exactly at the cap" from "over it".
            let over = pipe.take(cap + 1).read_to_end(&mut buf).is_ok() && buf.len() as u64 > cap;
            let _ = tx.send(if over {
                Event::Overflow
            } else {
                Event::Closed(stream, buf)
            });
        }));
    }
    drop(tx);
    let deadline = Instant::now() + limits.timeout;
    let (mut stdout, mut stderr) = (None, None);
    let mut failure = None;
    while stdout.is_none() || stderr.is_none() {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(Event::Closed(Stream::Out, b)) => stdout = Some(b),
            Ok(Event::Closed(Stream::Err, b)) => stderr = Some(b),
            Ok(Event::Overflow) => {
                failure = Some(Failure::TooMuchOutput(limits.max_output));
                break;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                failure = Some(Failure::TimedOut(limits.timeout));
                break;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    if let Some(failure) = failure {
        kill_group(group);
        let _ = child.kill();
        let _ = child.wait();
        // The readers end now that every writer of the pipes is dead.
        for r in readers {
            let _ = r.join();
        }
        return Err(failure);
    }
    // Both pipes are closed; Helm itself may still be exiting.
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            Ok(None) => {
                kill_group(group);
                let _ = child.kill();
                let _ = child.wait();
                return Err(Failure::TimedOut(limits.timeout));
            }
            Err(e) => return Err(Failure::Spawn(e)),
        }
    };
    // Children Helm (or a wrapper) left behind in its group go with it.
    kill_group(group);
    for r in readers {
        let _ = r.join();
    }
    Ok(Finished {
        status,
        stdout: stdout.unwrap_or_default(),
        stderr: stderr.unwrap_or_default(),
    })
}

enum Stream {
    Out,
    Err,
}

enum Event {
    Closed(Stream, Vec<u8>),
    Overflow,
}

fn kill_group(group: libc::pid_t) {
    // SAFETY: killpg only sends a signal; `group` is the id of the group `run` created for
    // its child (process_group(0)), so no other process is touched.
    unsafe {
        libc::killpg(group, libc::SIGKILL);
    }
}

/// "killed by signal 9 (SIGKILL)" for a process that died of a signal.
pub(crate) fn signal_of(status: &ExitStatus) -> Option<String> {
    let sig = status.signal()?;
    let name = match sig {
        libc::SIGHUP => "SIGHUP",
        libc::SIGINT => "SIGINT",
        libc::SIGQUIT => "SIGQUIT",
        libc::SIGILL => "SIGILL",
        libc::SIGABRT => "SIGABRT",
        libc::SIGBUS => "SIGBUS",
        libc::SIGFPE => "SIGFPE",
        libc::SIGKILL => "SIGKILL (often the kernel's out-of-memory killer)",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGPIPE => "SIGPIPE",
        libc::SIGALRM => "SIGALRM",
        libc::SIGTERM => "SIGTERM",
        libc::SIGXCPU => "SIGXCPU (CPU time limit)",
        libc::SIGXFSZ => "SIGXFSZ (file size limit)",
        _ => "",
    };
    Some(if name.is_empty() {
        format!("killed by signal {sig}")
    } else {
        format!("killed by signal {sig} ({name})")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str, limits: Limits) -> Result<Finished, Failure> {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", script]);
        run(cmd, limits)
    }

    fn limits(secs: u64, max: u64) -> Limits {
        Limits {
            timeout: Duration::from_secs(secs),
            max_output: max,
        }
    }

    #[test]
    fn output_and_status_come_back() {
        let f = sh("echo out; echo err >&2; exit 3", limits(60, 1024)).unwrap();
        assert_eq!(f.stdout, b"out\n");
        assert_eq!(f.stderr, b"err\n");
        assert_eq!(f.status.code(), Some(3));
    }

    #[test]
    fn a_sleeper_is_killed_at_the_limit() {
        let r = sh("echo partial; sleep 600", limits(1, 1024));
        assert!(matches!(r, Err(Failure::TimedOut(_))));
    }

    #[test]
    fn a_child_holding_stdout_does_not_hang_us() {
        // The shell exits at once; its background child keeps the pipe open.
        let r = sh("sleep 600 & echo done", limits(2, 1024));
        assert!(matches!(r, Err(Failure::TimedOut(_))), "{:?}", r.err());
    }

    #[test]
    fn output_over_the_cap_is_an_error() {
        let r = sh("yes chartguard", limits(60, 64 * 1024));
        assert!(matches!(r, Err(Failure::TooMuchOutput(_))));
    }

    #[test]
    fn a_signal_is_named() {
        let f = sh("kill -SEGV $$", limits(60, 1024)).unwrap();
        assert_eq!(
            signal_of(&f.status).as_deref(),
            Some("killed by signal 11 (SIGSEGV)")
        );
    }
}
