//! `chartguard serve`: a validating admission webhook (HTTPS, `admission.k8s.io/v1`).
//!
//! Each AdmissionReview's object goes through the same pipeline as `lint` (parse → input →
//! rules → located findings) with the rules whose METADATA scope is `object`; rules that need
//! the whole release are skipped. Evaluation is CPU-bound: it runs on the blocking pool,
//! at most `--workers` at a time, each with a regorus engine prepared once at start-up.
//!
//! The webhook must not fail open (with `failurePolicy: Ignore`, an HTTP error or a missed
//! timeout admits the object unchecked), so a review is bounded at every step and always
//! gets a decision while the server is up: its body slot and estimated memory are taken
//! before the body is read ([`limits`]), and everything after is bounded by its deadline
//! ([`crate::evaluate::deadline`]), the rules inside the interpreter too; an object that cannot be judged
//! gets the `--unjudged` decision ([`unjudged`]). Connections are capped in all and per
//! client, and the probes can have a listener of their own.
//!
//! - [`admission`]: the review types and the verdict;
//! - [`tls`]: certificate loading and reload on change;
//! - [`chunks`]: 413 for chunked bodies announcing more than the limit;
//! - [`metrics`]: Prometheus text metrics;
//! - [`manifests`]: the Kubernetes objects to deploy it.

pub mod admission;
pub mod chunks;
pub mod limits;
pub mod manifests;
pub mod metrics;
pub mod tls;
pub mod unjudged;

use crate::cli::args::{ServeArgs, WebhookMode};
use crate::evaluate::deadline::{Deadline, Expired};
use crate::evaluate::{self, policy::PolicySet};
use crate::suppress::ConfigSuppression;
use admission::{Engine, Judge, Mode, Verdict};
use anyhow::{Context, Result};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use limits::{Admission, Admitted, Peers, Unjudged, LARGE_BODY, MAX_BODY_BYTES};
use metrics::{Metrics, Outcome};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use unjudged::Reason;

/// Time for a client to send the request headers (and the longest a keep-alive connection
/// may sit idle: hyper runs this timer while waiting for the next request too).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// Time for a client to complete the TLS handshake.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long in-flight requests get to finish after SIGTERM.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);
/// hyper's read buffer per connection (its default, ~400 KiB, times the connection cap
/// would dwarf the memory budget).
const READ_BUFFER: usize = 64 * 1024;
/// The probe listener's own caps: the kubelet and a Prometheus need a handful.
const PROBE_CONNECTIONS: usize = 64;
const PROBE_CONNECTIONS_PER_CLIENT: usize = 16;
/// Bytes of a body read to find its uid when it will not be judged.
const UID_PREFIX: usize = 16 * 1024;

struct Server {
    judge: Judge,
    /// Prepared engines, one per concurrent evaluation.
    engines: Mutex<Vec<Engine>>,
    /// Concurrent evaluations of ordinary reviews (`--workers`), and of large ones (bodies
    /// over [`LARGE_BODY`]: half as many, in slots of their own, so reviews that take the
    /// whole deadline never hold the slots ordinary reviews need — the OS shares the CPU,
    /// and an ordinary review needs milliseconds of it).
    lanes: [Arc<tokio::sync::Semaphore>; 2],
    /// Evaluations running (for /metrics).
    running: Arc<std::sync::atomic::AtomicUsize>,
    admission: Admission,
    metrics: Arc<Metrics>,
    ready: AtomicBool,
    request_timeout: Duration,
    unjudged: Unjudged,
    max_object_values: u64,
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
    let limits = &args.limits;
    limits.validate()?;
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
    let large_workers = workers.div_ceil(2);
    let mut engines = vec![first.clone(); workers + large_workers - 1];
    engines.push(first);
    eprintln!(
        "chartguard: {} object-scope rule(s) ready in {} ms, {workers} worker(s), mode {:?}, fail-on {:?}, deadline {} s, unjudged objects: {:?}",
        judge.rule_ids().len(),
        started.elapsed().as_millis(),
        mode,
        args.fail_on,
        limits.request_timeout,
        limits.unjudged,
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
        lanes: [
            Arc::new(tokio::sync::Semaphore::new(workers)),
            Arc::new(tokio::sync::Semaphore::new(large_workers)),
        ],
        running: Arc::default(),
        admission: Admission::new(limits.max_bodies, limits.memory_budget),
        metrics,
        ready: AtomicBool::new(false),
        request_timeout: Duration::from_secs_f64(limits.request_timeout),
        unjudged: limits.unjudged,
        max_object_values: limits.max_object_values,
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(serve(args.addr.clone(), limits.clone(), tls_config, server))?;
    // Blocking tasks still running after the grace period are abandoned, not waited for.
    runtime.shutdown_timeout(Duration::from_secs(1));
    Ok(0)
}

/// What a listener serves.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Listener {
    /// The webhook port: TLS, every route.
    Webhook,
    /// The probe port: plain HTTP, /healthz, /readyz and /metrics only.
    Probes,
}

async fn serve(
    addr: String,
    limits: limits::LimitArgs,
    tls_config: Arc<rustls::ServerConfig>,
    server: Arc<Server>,
) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr()?;
    let probes = match &limits.probe_addr {
        Some(addr) => Some(
            tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr} (--probe-addr)"))?,
        ),
        None => None,
    };
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "chartguard: listening on https://{local}");
        if let Some(p) = &probes {
            let _ = writeln!(out, "chartguard: probes on http://{}", p.local_addr()?);
        }
        let _ = out.flush();
    }
    server.ready.store(true, Ordering::SeqCst);
    let acceptor = tokio_rustls::TlsAcceptor::from(tls_config);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let probe_loop = async {
        match probes {
            Some(probes) => {
                accept_loop(
                    probes,
                    Listener::Probes,
                    None,
                    Caps::new(PROBE_CONNECTIONS, PROBE_CONNECTIONS_PER_CLIENT),
                    &server,
                    &graceful,
                )
                .await
            }
            None => std::future::pending().await,
        }
    };
    // The accept loops run until the signal; dropping them closes both listeners.
    tokio::select! {
        _ = shutdown_signal() => {}
        _ = accept_loop(
            listener,
            Listener::Webhook,
            Some(acceptor),
            Caps::new(limits.max_connections, limits.max_connections_per_client),
            &server,
            &graceful,
        ) => {}
        _ = probe_loop => {}
    }
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

/// Connection caps of one listener: in all, and per client address.
struct Caps {
    all: Arc<tokio::sync::Semaphore>,
    per_client: Peers,
}

impl Caps {
    fn new(all: usize, per_client: usize) -> Caps {
        Caps {
            all: Arc::new(tokio::sync::Semaphore::new(all)),
            per_client: Peers::new(per_client),
        }
    }
}

async fn accept_loop(
    listener: tokio::net::TcpListener,
    kind: Listener,
    acceptor: Option<tokio_rustls::TlsAcceptor>,
    caps: Caps,
    server: &Arc<Server>,
    graceful: &hyper_util::server::graceful::GracefulShutdown,
) {
    loop {
        let (tcp, peer) = match listener.accept().await {
            Ok(c) => c,
            Err(e) => {
                // Out of file descriptors and the like: back off instead of spinning.
                eprintln!("chartguard: warning: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        // Over a cap, the connection is closed at once (dropped): cheaper than a TLS
        // handshake to say so, and a well-behaved client retries.
        let Some(client) = caps.per_client.enter(peer.ip()) else {
            server.metrics.connection_refused("per-client");
            continue;
        };
        let Ok(permit) = caps.all.clone().try_acquire_owned() else {
            server.metrics.connection_refused("all");
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let acceptor = acceptor.clone();
        let server = server.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let _held = (permit, client);
            match acceptor {
                Some(acceptor) => {
                    let Ok(Ok(stream)) =
                        tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await
                    else {
                        return;
                    };
                    connection(stream, kind, server, watcher).await;
                }
                None => connection(tcp, kind, server, watcher).await,
            }
        });
    }
}

/// Serves HTTP/1 on one connection, watching the chunk sizes of its request bodies.
async fn connection<S>(
    stream: S,
    kind: Listener,
    server: Arc<Server>,
    watcher: hyper_util::server::graceful::Watcher,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    use hyper_util::rt::{TokioIo, TokioTimer};
    let oversize = Arc::new(chunks::Oversize::default());
    let stream = chunks::Watch::new(
        stream,
        chunks::Framing::new(MAX_BODY_BYTES as u64, oversize.clone()),
    );
    // Requests of a connection reach the service in order; their index matches the
    // framing's.
    let next = Arc::new(AtomicU64::new(0));
    let service = hyper::service::service_fn(move |req| {
        let (server, oversize) = (server.clone(), oversize.clone());
        let index = next.fetch_add(1, Ordering::Relaxed);
        async move {
            Ok::<_, std::convert::Infallible>(handle(server, kind, req, &oversize, index).await)
        }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .max_buf_size(READ_BUFFER)
        .serve_connection(TokioIo::new(stream), service);
    let _ = watcher.watch(conn).await;
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

async fn handle(
    server: Arc<Server>,
    kind: Listener,
    req: Request<Incoming>,
    oversize: &chunks::Oversize,
    index: u64,
) -> Response<Full<Bytes>> {
    match (req.method(), req.uri().path()) {
        (&Method::GET, "/healthz") => text(StatusCode::OK, "ok"),
        (&Method::GET, "/readyz") if server.ready.load(Ordering::SeqCst) => {
            text(StatusCode::OK, "ready")
        }
        (&Method::GET, "/readyz") => text(StatusCode::SERVICE_UNAVAILABLE, "shutting down"),
        (&Method::GET, "/metrics") => reply(
            StatusCode::OK,
            "text/plain; version=0.0.4; charset=utf-8",
            server
                .metrics
                .render(&server.admission, server.running.load(Ordering::Relaxed)),
        ),
        (_, "/healthz" | "/readyz" | "/metrics") => text(StatusCode::METHOD_NOT_ALLOWED, "use GET"),
        (&Method::POST, "/validate") if kind == Listener::Webhook => {
            let deadline = Deadline::after(server.request_timeout);
            let started = Instant::now();
            let (mut resp, outcome, dry_run) =
                validate(server.clone(), req, deadline, oversize, index).await;
            if resp.status() == StatusCode::PAYLOAD_TOO_LARGE {
                // The rest of the body is not read: the connection cannot be reused.
                resp.headers_mut().insert(
                    hyper::header::CONNECTION,
                    hyper::header::HeaderValue::from_static("close"),
                );
            }
            server.metrics.record(outcome, dry_run, started.elapsed());
            resp
        }
        (_, "/validate") if kind == Listener::Webhook => text(
            StatusCode::METHOD_NOT_ALLOWED,
            "use POST with an AdmissionReview",
        ),
        _ if kind == Listener::Probes => text(
            StatusCode::NOT_FOUND,
            "not found: GET /healthz, /readyz, /metrics",
        ),
        _ => text(
            StatusCode::NOT_FOUND,
            "not found: POST /validate, GET /healthz, /readyz, /metrics",
        ),
    }
}

type Answer = (Response<Full<Bytes>>, Outcome, bool);

fn too_large() -> Answer {
    (
        text(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("request body over {} MiB", MAX_BODY_BYTES >> 20),
        ),
        Outcome::Error,
        false,
    )
}

/// How reading a body ended.
enum Body {
    Whole(Vec<u8>),
    /// Cut short by the deadline, or by the memory budget of a chunked body.
    Partial(Vec<u8>),
    Failed(Answer),
}

async fn validate(
    server: Arc<Server>,
    req: Request<Incoming>,
    deadline: Deadline,
    oversize: &chunks::Oversize,
    index: u64,
) -> Answer {
    let declared = req
        .headers()
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(bytes) = declared.filter(|n| *n > MAX_BODY_BYTES as u64) {
        // An UPDATE of an object near etcd's limit carries it twice and can exceed the
        // limit: a decision from the uid at the body's start, rather than a 413 the
        // API server would resolve with failurePolicy. Without a uid: 413.
        let prefix = read_uid_prefix(&server, req.into_body(), &deadline, oversize, index).await;
        let reason = Reason::BodyTooLarge {
            bytes,
            limit: MAX_BODY_BYTES as u64,
        };
        let (mut resp, outcome, dry_run) = match &prefix {
            Body::Whole(b) | Body::Partial(b) if unjudged::sniff_uid(b).is_some() => {
                unjudged(&server, &deadline, reason, prefix, None)
            }
            _ => too_large(),
        };
        // The rest of the body is not read: the connection cannot be reused.
        resp.headers_mut().insert(
            hyper::header::CONNECTION,
            hyper::header::HeaderValue::from_static("close"),
        );
        return (resp, outcome, dry_run);
    }
    // Gate before the body is buffered: a chunked body (no Content-Length) starts with a
    // small reservation that grows as it arrives.
    let first = declared.unwrap_or(64 * 1024);
    let Some(mut admitted) = server.admission.admit(first, deadline.evaluate_by()).await else {
        let prefix = read_uid_prefix(&server, req.into_body(), &deadline, oversize, index).await;
        return unjudged(&server, &deadline, Reason::Saturated, prefix, None);
    };
    let reading = Instant::now();
    let body = read_body(
        &server,
        req.into_body(),
        &deadline,
        deadline.evaluate_by(),
        oversize,
        index,
        Some(&mut admitted),
    )
    .await;
    let body = match body {
        Body::Whole(b) => b,
        partial @ Body::Partial(_) => {
            // Slow when most of the deadline went into reading it; else the wait for
            // capacity took it (or the memory for a growing chunked body ran out).
            let reason = if reading.elapsed() > deadline.budget() / 2 {
                Reason::SlowBody
            } else {
                Reason::Saturated
            };
            return unjudged(&server, &deadline, reason, partial, None);
        }
        Body::Failed(answer) => return answer,
    };
    // A worker, within the deadline.
    let permit = tokio::time::timeout_at(
        deadline.evaluate_by().into(),
        server.lanes[usize::from(body.len() as u64 > LARGE_BODY)]
            .clone()
            .acquire_owned(),
    )
    .await;
    let Ok(Ok(permit)) = permit else {
        return unjudged(
            &server,
            &deadline,
            Reason::Saturated,
            Body::Whole(body),
            None,
        );
    };
    let work = server.clone();
    let uid_source = body.get(..UID_PREFIX.min(body.len())).map(<[u8]>::to_vec);
    // What the object is, once the worker has read it: named in a decision sent while the
    // worker is still busy.
    let described = Arc::new(std::sync::OnceLock::new());
    let describe_to = described.clone();
    let task = tokio::task::spawn_blocking(move || {
        let _held = (permit, admitted);
        work.running.fetch_add(1, Ordering::Relaxed);
        let judged = evaluate(&work, body, &deadline, &describe_to);
        work.running.fetch_sub(1, Ordering::Relaxed);
        judged
    });
    match tokio::time::timeout_at(deadline.answer_by().into(), task).await {
        Ok(Ok(Judged::Verdict {
            uid,
            verdict,
            dry_run,
        })) => {
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
            let body = admission::response(&uid, &verdict).to_string();
            (
                reply(StatusCode::OK, "application/json", body),
                outcome,
                dry_run,
            )
        }
        Ok(Ok(Judged::Unjudged {
            uid,
            reason,
            object,
            dry_run,
        })) => {
            let (resp, outcome, _) = decision(&server, &deadline, reason, &uid, object.as_deref());
            (resp, outcome, dry_run)
        }
        Ok(Ok(Judged::BadRequest(message))) => (
            text(StatusCode::BAD_REQUEST, message),
            Outcome::Error,
            false,
        ),
        // Still parsing at the deadline (the interpreter stops itself; the parser cannot
        // be stopped, and the worker keeps its slot until it is done), or the task died.
        Err(_) => unjudged(
            &server,
            &deadline,
            Reason::TooCostly,
            Body::Partial(uid_source.unwrap_or_default()),
            described.get().map(String::as_str),
        ),
        Ok(Err(_)) => unjudged(
            &server,
            &deadline,
            Reason::RuleFailed,
            Body::Partial(uid_source.unwrap_or_default()),
            described.get().map(String::as_str),
        ),
    }
}

/// Reads a body within the deadline, at most [`MAX_BODY_BYTES`] (413 above, also when a
/// chunk announces more). Without a reservation (`admitted` None: the server is saturated)
/// only the first [`UID_PREFIX`] bytes are kept, to find the uid.
async fn read_body(
    server: &Server,
    mut body: Incoming,
    deadline: &Deadline,
    until: Instant,
    oversize: &chunks::Oversize,
    index: u64,
    mut admitted: Option<&mut Admitted>,
) -> Body {
    let until: tokio::time::Instant = until.into();
    let mut buf = Vec::new();
    loop {
        let frame = tokio::select! {
            biased;
            _ = oversize.wait(index) => return Body::Failed(too_large()),
            f = tokio::time::timeout_at(until, body.frame()) => f,
        };
        let data = match frame {
            Err(_) => return Body::Partial(buf),
            Ok(None) => return Body::Whole(buf),
            Ok(Some(Ok(frame))) => match frame.into_data() {
                Ok(d) => d,
                Err(_) => continue, // trailers
            },
            Ok(Some(Err(e))) => {
                return Body::Failed((
                    text(
                        StatusCode::BAD_REQUEST,
                        format!("cannot read the request body: {e}"),
                    ),
                    Outcome::Error,
                    false,
                ))
            }
        };
        if buf.len() + data.len() > MAX_BODY_BYTES {
            return Body::Failed(too_large());
        }
        match admitted.as_deref_mut() {
            None => {
                let room = UID_PREFIX.saturating_sub(buf.len());
                buf.extend_from_slice(&data[..room.min(data.len())]);
                if buf.len() >= UID_PREFIX {
                    return Body::Partial(buf);
                }
            }
            Some(admitted) => {
                let len = (buf.len() + data.len()) as u64;
                if len > admitted.bytes {
                    // A chunked body past its reservation: double it each time, so it
                    // grows only a few times.
                    let want = (len * 2).clamp(64 * 1024, MAX_BODY_BYTES as u64);
                    if !server
                        .admission
                        .grow(admitted, want, deadline.evaluate_by())
                        .await
                    {
                        buf.extend_from_slice(&data);
                        return Body::Partial(buf);
                    }
                }
                if buf.capacity() == 0 {
                    buf.reserve_exact(body_size_hint(&body, data.len()));
                }
                buf.extend_from_slice(&data);
            }
        }
    }
}

/// The first bytes of a body that will not be judged, for its uid, read in the time kept
/// for answering.
async fn read_uid_prefix(
    server: &Server,
    body: Incoming,
    deadline: &Deadline,
    oversize: &chunks::Oversize,
    index: u64,
) -> Body {
    let until = deadline.answer_by();
    read_body(server, body, deadline, until, oversize, index, None).await
}

/// The size a body will have, when it says (Content-Length), for one allocation.
fn body_size_hint(body: &Incoming, first: usize) -> usize {
    use hyper::body::Body as _;
    let hint = body.size_hint();
    (first as u64 + hint.exact().unwrap_or(hint.lower())).min(MAX_BODY_BYTES as u64) as usize
}

/// What the worker made of a body.
enum Judged {
    Verdict {
        uid: String,
        verdict: Verdict,
        dry_run: bool,
    },
    Unjudged {
        uid: String,
        reason: Reason,
        object: Option<String>,
        dry_run: bool,
    },
    BadRequest(String),
}

/// On the blocking pool: parses the review and judges it with one of the prepared engines,
/// within the deadline; panics and rule failures make it unjudged.
fn evaluate(
    server: &Server,
    body: Vec<u8>,
    deadline: &Deadline,
    described: &std::sync::OnceLock<String>,
) -> Judged {
    let review = match admission::parse_review(&body) {
        Ok(r) => r,
        Err(message) => return Judged::BadRequest(message),
    };
    drop(body);
    let (uid, dry_run) = (review.uid.clone(), review.dry_run);
    if review.object.is_none() || review.operation == "DELETE" {
        return Judged::Verdict {
            uid,
            verdict: Verdict::allow(),
            dry_run,
        };
    }
    let object = describe(&review);
    let _ = described.set(object.clone());
    let unjudged = |reason| Judged::Unjudged {
        uid: review.uid.clone(),
        reason,
        object: Some(object.clone()),
        dry_run,
    };
    // The cost of judging grows with the object's values: bounded by a count, and its
    // memory reserved before the work starts.
    let values = [&review.object, &review.old_object]
        .into_iter()
        .flatten()
        .map(count_values)
        .sum::<u64>();
    if values > server.max_object_values {
        return unjudged(Reason::TooLarge {
            values,
            limit: server.max_object_values,
        });
    }
    let reserved = tokio::runtime::Handle::current().block_on(
        server
            .admission
            .reserve_judging(values, deadline.evaluate_by()),
    );
    let Some(_reserved) = reserved else {
        return unjudged(Reason::Saturated);
    };
    let engine = server
        .engines
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .pop();
    let mut engine = match engine {
        Some(e) => e,
        // One was lost to a panic: prepare another.
        None => match server.judge.engine() {
            Ok(e) => e,
            Err(e) => {
                log_failure(&uid, &object, &e);
                return Judged::Unjudged {
                    uid,
                    reason: Reason::RuleFailed,
                    object: Some(object),
                    dry_run,
                };
            }
        },
    };
    let verdict = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        server.judge.judge(&mut engine, &review, deadline)
    }));
    let reason = match verdict {
        Ok(v) => {
            // The evaluator has freed this request's values, also when it was stopped.
            server
                .engines
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(engine);
            match v {
                Ok(verdict) => {
                    return Judged::Verdict {
                        uid,
                        verdict,
                        dry_run,
                    }
                }
                Err(e) if e.downcast_ref::<Expired>().is_some() || deadline.expired() => {
                    Reason::TooCostly
                }
                Err(e) => {
                    log_failure(&uid, &object, &e);
                    Reason::RuleFailed
                }
            }
        }
        Err(_) => {
            eprintln!(
                "chartguard: error: request {:?} ({object}): evaluation panicked",
                clip(&uid, 64)
            );
            Reason::RuleFailed
        }
    };
    Judged::Unjudged {
        uid,
        reason,
        object: Some(object),
        dry_run,
    }
}

/// JSON values in a document (each object, list and scalar), without recursion (a
/// deeply nested document must not overflow the stack).
fn count_values(doc: &serde_json::Value) -> u64 {
    let mut count = 0;
    let mut stack = vec![doc];
    while let Some(v) = stack.pop() {
        count += 1;
        match v {
            serde_json::Value::Array(items) => stack.extend(items),
            serde_json::Value::Object(map) => stack.extend(map.values()),
            _ => {}
        }
    }
    count
}

/// A failure, logged without its text past the rule's name: regorus's and the parser's
/// messages can quote the object's values.
fn log_failure(uid: &str, object: &str, e: &anyhow::Error) {
    let text = e.to_string();
    let what = match text.strip_prefix("rule ") {
        Some(rest) => format!(
            "rule {} failed to evaluate",
            rest.split([' ', ':']).next().unwrap_or("?")
        ),
        None => "the object could not be read".to_string(),
    };
    eprintln!(
        "chartguard: error: request {:?} ({object}): {what}",
        clip(uid, 64)
    );
}

fn clip(s: &str, max: usize) -> String {
    s.chars()
        .take(max)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// `Deployment team-a/web` (what an unjudged decision names).
fn describe(review: &admission::Request) -> String {
    let kind = review
        .object
        .as_ref()
        .and_then(|o| o.get("kind"))
        .and_then(serde_json::Value::as_str)
        .unwrap_or("object");
    let name = review
        .name
        .as_deref()
        .or_else(|| {
            review
                .object
                .as_ref()
                .and_then(|o| o.pointer("/metadata/name"))
                .and_then(serde_json::Value::as_str)
        })
        .unwrap_or("(unnamed)");
    match &review.namespace {
        Some(ns) => format!("{} {}/{}", clip(kind, 63), clip(ns, 63), clip(name, 253)),
        None => format!("{} {}", clip(kind, 63), clip(name, 253)),
    }
}

/// The decision for an object that was not judged, from the part of its body at hand; an
/// HTTP error only when even its uid cannot be found.
fn unjudged(
    server: &Server,
    deadline: &Deadline,
    reason: Reason,
    body: Body,
    object: Option<&str>,
) -> Answer {
    let bytes = match &body {
        Body::Whole(b) | Body::Partial(b) => b.as_slice(),
        Body::Failed(_) => &[],
    };
    match unjudged::sniff_uid(&bytes[..bytes.len().min(UID_PREFIX)]) {
        Some(uid) => decision(server, deadline, reason, &uid, object),
        None => {
            server.metrics.unjudged(reason, false);
            (
                text(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!(
                        "chartguard could not judge this review ({}) and found no request.uid at the start of its body to answer it",
                        reason.label()
                    ),
                ),
                Outcome::Error,
                false,
            )
        }
    }
}

fn decision(
    server: &Server,
    deadline: &Deadline,
    reason: Reason,
    uid: &str,
    object: Option<&str>,
) -> Answer {
    server.metrics.unjudged(reason, true);
    let verdict = unjudged::verdict(server.unjudged, reason, deadline.budget(), object);
    let outcome = if verdict.allowed {
        Outcome::Allowed
    } else {
        Outcome::Denied
    };
    let body = admission::response(uid, &verdict).to_string();
    (
        reply(StatusCode::OK, "application/json", body),
        outcome,
        false,
    )
}
