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
        let mut map = self.denials.lock().unwrap_or_else(|e| e.into_inner());
        for rule in rules {
            *map.entry(rule.to_string()).or_default() += 1;
        }
    }

    pub fn unjudged(&self, reason: Reason, answered: bool) {
        *self
            .unjudged
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry((reason.label(), answered))
            .or_default() += 1;
    }

    pub fn connection_refused(&self, cap: &'static str) {
        *self
            .refused
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(cap)
            .or_default() += 1;
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
        let _ = writeln!(
            out,
            "# HELP chartguard_webhook_requests_total Admission reviews answered, by result."
        );
        let _ = writeln!(out, "# TYPE chartguard_webhook_requests_total counter");
        for (result, n) in [
            ("allowed", &self.allowed),
            ("denied", &self.denied),
            ("error", &self.errors),
        ] {
            let _ = writeln!(
                out,
                "chartguard_webhook_requests_total{{result=\"{result}\"}} {}",
                n.load(Relaxed)
            );
        }
        let _ = writeln!(out, "# HELP chartguard_webhook_denials_total Denials, by the rule that caused them (a denial may count for several rules).");
        let _ = writeln!(out, "# TYPE chartguard_webhook_denials_total counter");
        for (rule, n) in self
            .denials
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let _ = writeln!(
                out,
                "chartguard_webhook_denials_total{{rule=\"{}\"}} {n}",
                escape_label(rule)
            );
        }
        let _ = writeln!(out, "# HELP chartguard_webhook_dry_run_requests_total Admission reviews with dryRun: true (also counted in requests_total).");
        let _ = writeln!(
            out,
            "# TYPE chartguard_webhook_dry_run_requests_total counter"
        );
        let _ = writeln!(
            out,
            "chartguard_webhook_dry_run_requests_total {}",
            self.dry_run.load(Relaxed)
        );
        let _ = writeln!(out, "# HELP chartguard_webhook_request_duration_seconds Time to answer an admission review.");
        let _ = writeln!(
            out,
            "# TYPE chartguard_webhook_request_duration_seconds histogram"
        );
        let mut cumulative = 0;
        for (i, bound) in BUCKETS.iter().enumerate() {
            cumulative += self.buckets[i].load(Relaxed);
            let _ = writeln!(
                out,
                "chartguard_webhook_request_duration_seconds_bucket{{le=\"{bound}\"}} {cumulative}"
            );
        }
        cumulative += self.buckets[BUCKETS.len()].load(Relaxed);
        let _ = writeln!(
            out,
            "chartguard_webhook_request_duration_seconds_bucket{{le=\"+Inf\"}} {cumulative}"
        );
        let _ = writeln!(
            out,
            "chartguard_webhook_request_duration_seconds_sum {}",
            self.duration_micros.load(Relaxed) as f64 / 1e6
        );
        let _ = writeln!(
            out,
            "chartguard_webhook_request_duration_seconds_count {}",
            self.count.load(Relaxed)
        );
        let _ = writeln!(out, "# HELP chartguard_webhook_cert_reloads_total Serving certificate reloads after the files changed, by result.");
        let _ = writeln!(out, "# TYPE chartguard_webhook_cert_reloads_total counter");
        let _ = writeln!(
            out,
            "chartguard_webhook_cert_reloads_total{{result=\"ok\"}} {}",
            self.cert_reloads.load(Relaxed)
        );
        let _ = writeln!(
            out,
            "chartguard_webhook_cert_reloads_total{{result=\"failed\"}} {}",
            self.cert_reload_failures.load(Relaxed)
        );
        let _ = writeln!(out, "# HELP chartguard_webhook_unjudged_total Reviews chartguard could not judge, by reason; decision=\"false\" when not even an AdmissionReview answer could be sent (no uid found).");
        let _ = writeln!(out, "# TYPE chartguard_webhook_unjudged_total counter");
        for ((reason, answered), n) in self
            .unjudged
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let _ = writeln!(
                out,
                "chartguard_webhook_unjudged_total{{reason=\"{reason}\",decision=\"{answered}\"}} {n}"
            );
        }
        let _ = writeln!(out, "# HELP chartguard_webhook_connections_refused_total Connections closed at once, by the cap they hit (all, per-client).");
        let _ = writeln!(
            out,
            "# TYPE chartguard_webhook_connections_refused_total counter"
        );
        for (cap, n) in self
            .refused
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let _ = writeln!(
                out,
                "chartguard_webhook_connections_refused_total{{cap=\"{cap}\"}} {n}"
            );
        }
        let _ = writeln!(out, "# HELP chartguard_webhook_reviews_in_flight Reviews admitted (body being read or judged).");
        let _ = writeln!(out, "# TYPE chartguard_webhook_reviews_in_flight gauge");
        let _ = writeln!(
            out,
            "chartguard_webhook_reviews_in_flight {}",
            admission.bodies_in_flight()
        );
        let _ = writeln!(
            out,
            "# HELP chartguard_webhook_evaluations_running Reviews being judged on a worker."
        );
        let _ = writeln!(out, "# TYPE chartguard_webhook_evaluations_running gauge");
        let _ = writeln!(
            out,
            "chartguard_webhook_evaluations_running {evaluations_running}"
        );
        let _ = writeln!(out, "# HELP chartguard_webhook_memory_reserved_bytes Estimated memory reserved by the reviews in flight (of --memory-budget).");
        let _ = writeln!(out, "# TYPE chartguard_webhook_memory_reserved_bytes gauge");
        let _ = writeln!(
            out,
            "chartguard_webhook_memory_reserved_bytes {}",
            admission.memory_in_use_kib() * 1024
        );
        out
    }
}

fn escape_label(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
