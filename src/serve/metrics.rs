//! Prometheus text-format metrics of the webhook, kept in atomics (no registry crate: a
//! handful of counters and one histogram).

use super::limits::Admission;
use super::unjudged::Reason;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds (seconds) of the request-duration histogram buckets.
pub const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// How an admission request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Allowed,
    Denied,
    /// An HTTP error answer (bad request, too large, timeout, evaluation failure).
    Error,
}

#[derive(Debug, Default)]
pub struct Metrics {
    allowed: AtomicU64,
    denied: AtomicU64,
    errors: AtomicU64,
    dry_run: AtomicU64,
    cert_reloads: AtomicU64,
    cert_reload_failures: AtomicU64,
    /// Denials per rule id.
    denials: Mutex<BTreeMap<String, u64>>,
    /// Reviews not judged, by (reason, whether a decision was still sent).
    unjudged: Mutex<BTreeMap<(&'static str, bool), u64>>,
    /// Connections closed at once, by the cap they hit.
    refused: Mutex<BTreeMap<&'static str, u64>>,
    /// Cumulative counts are computed when rendering; these are per bucket (+Inf last).
    buckets: [AtomicU64; 13],
    duration_micros: AtomicU64,
    count: AtomicU64,
}

impl Metrics {
    pub fn record(&self, outcome: Outcome, dry_run: bool, took: Duration) {
        match outcome {
            Outcome::Allowed => &self.allowed,
            Outcome::Denied => &self.denied,
            Outcome::Error => &self.errors,
        }
        .fetch_add(1, Relaxed);
        if dry_run {
            self.dry_run.fetch_add(1, Relaxed);
        }
        let secs = took.as_secs_f64();
        let bucket = BUCKETS
            .iter()
            .position(|b| secs <= *b)
            .unwrap_or(BUCKETS.len());
        self.buckets[bucket].fetch_add(1, Relaxed);
        self.duration_micros
            .fetch_add(took.as_micros() as u64, Relaxed);
        self.count.fetch_add(1, Relaxed);
    }

    pub fn denied_by<'a>(&self, rules: impl IntoIterator<Item = &'a str>) {
        let mut map = locked(&self.denials);
        for rule in rules {
            *map.entry(rule.to_string()).or_default() += 1;
        }
    }

    pub fn unjudged(&self, reason: Reason, answered: bool) {
        *locked(&self.unjudged)
            .entry((reason.label(), answered))
            .or_default() += 1;
    }

    pub fn connection_refused(&self, cap: &'static str) {
        *locked(&self.refused).entry(cap).or_default() += 1;
    }

    pub fn cert_reloaded(&self, ok: bool) {
        if ok {
            &self.cert_reloads
        } else {
            &self.cert_reload_failures
        }
        .fetch_add(1, Relaxed);
    }

    /// The Prometheus text exposition format (version 0.0.4).
    pub fn render(&self, admission: &Admission, evaluations_running: usize) -> String {
        let mut out = String::with_capacity(2048);
        let load = |n: &AtomicU64| n.load(Relaxed).to_string();
        family(
            &mut out,
            "requests_total",
            "counter",
            "Admission reviews answered, by result.",
            [
                ("allowed", &self.allowed),
                ("denied", &self.denied),
                ("error", &self.errors),
            ]
            .map(|(result, n)| (format!("{{result=\"{result}\"}}"), load(n))),
        );
        family(
            &mut out,
            "denials_total",
            "counter",
            "Denials, by the rule that caused them (a denial may count for several rules).",
            locked(&self.denials).iter().map(|(rule, n)| {
                (
                    format!("{{rule=\"{}\"}}", escape_label(rule)),
                    n.to_string(),
                )
            }),
        );
        family(
            &mut out,
            "dry_run_requests_total",
            "counter",
            "Admission reviews with dryRun: true (also counted in requests_total).",
            [(String::new(), load(&self.dry_run))],
        );
        let mut cumulative = 0;
        let mut samples: Vec<(String, String)> = BUCKETS
            .iter()
            .map(|b| b.to_string())
            .chain(["+Inf".to_string()])
            .zip(&self.buckets)
            .map(|(bound, n)| {
                cumulative += n.load(Relaxed);
                (format!("_bucket{{le=\"{bound}\"}}"), cumulative.to_string())
            })
            .collect();
        samples.push((
            "_sum".into(),
            (self.duration_micros.load(Relaxed) as f64 / 1e6).to_string(),
        ));
        samples.push(("_count".into(), load(&self.count)));
        family(
            &mut out,
            "request_duration_seconds",
            "histogram",
            "Time to answer an admission review.",
            samples,
        );
        family(
            &mut out,
            "cert_reloads_total",
            "counter",
            "Serving certificate reloads after the files changed, by result.",
            [
                ("ok", &self.cert_reloads),
                ("failed", &self.cert_reload_failures),
            ]
            .map(|(result, n)| (format!("{{result=\"{result}\"}}"), load(n))),
        );
        family(
            &mut out,
            "unjudged_total",
            "counter",
            "Reviews chartguard could not judge, by reason; decision=\"false\" when not even an AdmissionReview answer could be sent (no uid found).",
            locked(&self.unjudged).iter().map(|((reason, answered), n)| {
                (format!("{{reason=\"{reason}\",decision=\"{answered}\"}}"), n.to_string())
            }),
        );
        family(
            &mut out,
            "connections_refused_total",
            "counter",
            "Connections closed at once, by the cap they hit (all, per-client).",
            locked(&self.refused)
                .iter()
                .map(|(cap, n)| (format!("{{cap=\"{cap}\"}}"), n.to_string())),
        );
        family(
            &mut out,
            "reviews_in_flight",
            "gauge",
            "Reviews admitted (body being read or judged).",
            [(String::new(), admission.bodies_in_flight().to_string())],
        );
        family(
            &mut out,
            "evaluations_running",
            "gauge",
            "Reviews being judged on a worker.",
            [(String::new(), evaluations_running.to_string())],
        );
        family(
            &mut out,
            "memory_reserved_bytes",
            "gauge",
            "Estimated memory reserved by the reviews in flight (of --memory-budget).",
            [(
                String::new(),
                (admission.memory_in_use_kib() * 1024).to_string(),
            )],
        );
        out
    }
}

/// One metric family: its HELP and TYPE lines, then a line per sample (`suffix` holds the
/// labels, and for a histogram the `_bucket`/`_sum`/`_count` part of the name).
fn family(
    out: &mut String,
    name: &str,
    kind: &str,
    help: &str,
    samples: impl IntoIterator<Item = (String, String)>,
) {
    let _ = writeln!(out, "# HELP chartguard_webhook_{name} {help}");
    let _ = writeln!(out, "# TYPE chartguard_webhook_{name} {kind}");
    for (suffix, value) in samples {
        let _ = writeln!(out, "chartguard_webhook_{name}{suffix} {value}");
    }
}

/// A map of counters, also after a panic elsewhere poisoned its lock (counts stay valid).
fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn escape_label(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
