//! `chartguard serve`: a validating admission webhook (HTTPS, `admission.k8s.io/v1`).
//!
//! Each AdmissionReview's object goes through the same pipeline as `lint` (parse → input →
//! rules → located findings) with the rules whose METADATA scope is `object`; rules that need
//! the whole release are skipped. Evaluation is CPU-bound: it runs on the blocking pool,
//! at most `--workers` at a time, each with a regorus engine prepared once at start-up.
//!
//! - [`admission`]: the review types and the verdict;
//! - [`tls`]: certificate loading and reload on change;
//! - [`metrics`]: Prometheus text metrics;
//! - [`manifests`]: the Kubernetes objects to deploy it.

pub mod admission;
pub mod manifests;
pub mod metrics;
pub mod tls;

use crate::cli::args::{ServeArgs, WebhookMode};
use crate::evaluate::{self, policy::PolicySet};
use crate::suppress::ConfigSuppression;
use admission::{Engine, Judge, Mode, Verdict};
use anyhow::{anyhow, Context, Result};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use metrics::{Metrics, Outcome};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Request bodies above this are answered 413 (the API server sends objects up to ~3 MiB
/// inside a review that may hold the old object too).
pub const MAX_BODY_BYTES: usize = 3 * 1024 * 1024;
/// Time for a client to send the request headers.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// Time for a client to complete the TLS handshake.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);
/// Open connections at most; more are closed at once.
pub const MAX_CONNECTIONS: usize = 2048;
/// How long in-flight requests get to finish after SIGTERM.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

struct Server {
    judge: Judge,
    /// Prepared engines, one per concurrent evaluation.
    engines: Mutex<Vec<Engine>>,
    /// Caps concurrent evaluations at the number of engines.
    slots: Arc<tokio::sync::Semaphore>,
    metrics: Arc<Metrics>,
    ready: AtomicBool,
    request_timeout: Duration,
}

/// Runs the webhook until SIGTERM/SIGINT; `Ok(0)` after a graceful shutdown.
pub fn run(
    args: &ServeArgs,
    policies: PolicySet,
    opts: evaluate::Options,
    suppressions: Vec<ConfigSuppression>,
) -> Result<u8> {
    let mode = match args.mode {
        WebhookMode::Deny => Mode::Deny,
        WebhookMode::Warn => Mode::Warn,
    };
    if !(args.request_timeout > 0.0 && args.request_timeout <= 300.0) {
        anyhow::bail!("--request-timeout must be between 0 and 300 seconds");
    }
    let workers = args
        .workers
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        })
        .clamp(1, 256);
    let judge = Judge::new(policies, opts, suppressions, mode, args.fail_on.threshold());
    let started = Instant::now();
    let first = judge.engine().context("cannot prepare the rules")?;
    let mut engines = vec![first.clone(); workers - 1];
    engines.push(first);
    eprintln!(
        "chartguard: {} object-scope rule(s) ready in {} ms, {workers} worker(s), mode {:?}, fail-on {:?}",
        judge.rule_ids().len(),
        started.elapsed().as_millis(),
        mode,
        args.fail_on
    );
    let metrics = Arc::new(Metrics::default());
    let resolver = Arc::new(tls::Reloading::new(
        args.tls_cert.clone(),
        args.tls_key.clone(),
        metrics.clone(),
    )?);
    let tls_config = Arc::new(tls::server_config(resolver)?);
    let server = Arc::new(Server {
        judge,
        engines: Mutex::new(engines),
        slots: Arc::new(tokio::sync::Semaphore::new(workers)),
        metrics,
        ready: AtomicBool::new(false),
        request_timeout: Duration::from_secs_f64(args.request_timeout),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(serve(args.addr.clone(), tls_config, server))?;
    // Blocking tasks still running after the grace period are abandoned, not waited for.
    runtime.shutdown_timeout(Duration::from_secs(1));
    Ok(0)
}

async fn serve(
    addr: String,
    tls_config: Arc<rustls::ServerConfig>,
    server: Arc<Server>,
) -> Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr()?;
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "chartguard: listening on https://{local}");
        let _ = out.flush();
    }
    server.ready.store(true, Ordering::SeqCst);
    let acceptor = tokio_rustls::TlsAcceptor::from(tls_config);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let connections = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                let (tcp, _peer) = match accepted {
                    Ok(c) => c,
                    Err(e) => {
                        // Out of file descriptors and the like: back off instead of spinning.
                        eprintln!("chartguard: warning: accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let Ok(permit) = connections.clone().try_acquire_owned() else { continue };
                let _ = tcp.set_nodelay(true);
                let acceptor = acceptor.clone();
                let server = server.clone();
                let watcher = graceful.watcher();
                tokio::spawn(async move {
                    let _permit = permit;
                    let Ok(Ok(stream)) = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await else { return };
                    let service = hyper::service::service_fn(move |req| {
                        let server = server.clone();
                        async move { Ok::<_, std::convert::Infallible>(handle(server, req).await) }
                    });
                    let conn = hyper::server::conn::http1::Builder::new()
                        .timer(TokioTimer::new())
                        .header_read_timeout(HEADER_TIMEOUT)
                        .serve_connection(TokioIo::new(stream), service);
                    let _ = watcher.watch(conn).await;
                });
            }
        }
    }
    drop(listener);
    server.ready.store(false, Ordering::SeqCst);
    eprintln!(
        "chartguard: shutting down: finishing {} open connection(s)",
        graceful.count()
    );
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        eprintln!(
            "chartguard: warning: connections still open after {} s; closing them",
            SHUTDOWN_GRACE.as_secs()
        );
    }
    Ok(())
}

async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(e) => {
            eprintln!(
                "chartguard: warning: cannot watch SIGTERM ({e}); only SIGINT stops the server"
            );
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

fn reply(status: StatusCode, content_type: &str, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(body.into()));
    *resp.status_mut() = status;
    if let Ok(v) = hyper::header::HeaderValue::from_str(content_type) {
        resp.headers_mut().insert(hyper::header::CONTENT_TYPE, v);
    }
    resp
}

fn text(status: StatusCode, body: impl Into<String>) -> Response<Full<Bytes>> {
    let mut body = body.into();
    body.push('\n');
    reply(status, "text/plain; charset=utf-8", body)
}

async fn handle(server: Arc<Server>, req: Request<Incoming>) -> Response<Full<Bytes>> {
    match (req.method(), req.uri().path()) {
        (&Method::GET, "/healthz") => text(StatusCode::OK, "ok"),
        (&Method::GET, "/readyz") if server.ready.load(Ordering::SeqCst) => {
            text(StatusCode::OK, "ready")
        }
        (&Method::GET, "/readyz") => text(StatusCode::SERVICE_UNAVAILABLE, "shutting down"),
        (&Method::GET, "/metrics") => reply(
            StatusCode::OK,
            "text/plain; version=0.0.4; charset=utf-8",
            server.metrics.render(),
        ),
        (&Method::POST, "/validate") => {
            let started = Instant::now();
            let timeout = server.request_timeout;
            let (resp, outcome, dry_run) =
                match tokio::time::timeout(timeout, validate(server.clone(), req)).await {
                    Ok(r) => r,
                    Err(_) => (
                        text(
                            StatusCode::SERVICE_UNAVAILABLE,
                            format!("request not answered within {} s", timeout.as_secs_f64()),
                        ),
                        Outcome::Error,
                        false,
                    ),
                };
            server.metrics.record(outcome, dry_run, started.elapsed());
            resp
        }
        (_, "/healthz" | "/readyz" | "/metrics") => text(StatusCode::METHOD_NOT_ALLOWED, "use GET"),
        (_, "/validate") => text(
            StatusCode::METHOD_NOT_ALLOWED,
            "use POST with an AdmissionReview",
        ),
        _ => text(
            StatusCode::NOT_FOUND,
            "not found: POST /validate, GET /healthz, /readyz, /metrics",
        ),
    }
}

async fn validate(
    server: Arc<Server>,
    req: Request<Incoming>,
) -> (Response<Full<Bytes>>, Outcome, bool) {
    let too_large = || {
        text(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("request body over {} MiB", MAX_BODY_BYTES >> 20),
        )
    };
    let declared = req
        .headers()
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return (too_large(), Outcome::Error, false);
    }
    let body = match Limited::new(req.into_body(), MAX_BODY_BYTES)
        .collect()
        .await
    {
        Ok(b) => b.to_bytes(),
        Err(e)
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            return (too_large(), Outcome::Error, false)
        }
        Err(e) => {
            return (
                text(
                    StatusCode::BAD_REQUEST,
                    format!("cannot read the request body: {e}"),
                ),
                Outcome::Error,
                false,
            )
        }
    };
    let review = match admission::parse_review(&body) {
        Ok(r) => r,
        Err(message) => {
            return (
                text(StatusCode::BAD_REQUEST, message),
                Outcome::Error,
                false,
            )
        }
    };
    let dry_run = review.dry_run;
    let verdict = match evaluate_review(server.clone(), review.clone()).await {
        Ok(v) => v,
        Err(e) => {
            eprintln!(
                "chartguard: error: request {:?}: {e:#}",
                review.uid.chars().take(64).collect::<String>()
            );
            // An HTTP error lets the API server apply the webhook's failurePolicy.
            return (
                text(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("chartguard could not judge the object: {e:#}"),
                ),
                Outcome::Error,
                dry_run,
            );
        }
    };
    if !verdict.allowed {
        server
            .metrics
            .denied_by(verdict.denied_by.iter().map(String::as_str));
    }
    let outcome = if verdict.allowed {
        Outcome::Allowed
    } else {
        Outcome::Denied
    };
    let body = admission::response(&review.uid, &verdict).to_string();
    (
        reply(StatusCode::OK, "application/json", body),
        outcome,
        dry_run,
    )
}

/// Judges on the blocking pool with one of the prepared engines; panics become errors.
async fn evaluate_review(server: Arc<Server>, review: admission::Request) -> Result<Verdict> {
    if review.object.is_none() || review.operation == "DELETE" {
        return Ok(Verdict::allow());
    }
    let permit = server
        .slots
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| anyhow!("the server is shutting down"))?;
    let task = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let engine = server
            .engines
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop();
        let mut engine = match engine {
            Some(e) => e,
            // One was lost to a panic or a timed-out request: prepare another.
            None => server.judge.engine()?,
        };
        let verdict = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            server.judge.judge(&mut engine, &review)
        }));
        match verdict {
            Ok(v) => {
                server
                    .engines
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(engine);
                v
            }
            Err(_) => Err(anyhow!("evaluation panicked")),
        }
    });
    task.await
        .map_err(|e| anyhow!("evaluation task failed: {e}"))?
}
