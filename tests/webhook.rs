//! `chartguard serve`: the real binary on 127.0.0.1 (ephemeral port), with certificates
//! made by rcgen, spoken to over TLS by a small blocking client. Every network call has a
//! timeout, and every server is killed when its test ends.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const IO_TIMEOUT: Duration = Duration::from_secs(15);

struct Ca {
    key: rcgen::KeyPair,
    cert: rcgen::Certificate,
}

impl Ca {
    fn new(name: &str) -> Ca {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        let cert = params.self_signed(&key).unwrap();
        Ca { key, cert }
    }
    /// A serving certificate for localhost / 127.0.0.1: (cert PEM, key PEM).
    fn issue(&self) -> (String, String) {
        let key = rcgen::KeyPair::generate().unwrap();
        let params =
            rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
                .unwrap();
        let cert = params.signed_by(&key, &self.cert, &self.key).unwrap();
        (cert.pem(), key.serialize_pem())
    }
    fn client(&self) -> Arc<rustls::ClientConfig> {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(self.cert.der().clone()).unwrap();
        Arc::new(
            rustls::ClientConfig::builder_with_provider(Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth(),
        )
    }
}

fn temp_dir(tag: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!(
        "chartguard-webhook-{tag}-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

struct Server {
    child: Child,
    port: u16,
    /// The plain-HTTP probe port, when started with `--probe-addr`.
    probe_port: Option<u16>,
    dir: PathBuf,
}

impl Server {
    fn start(tag: &str, ca: &Ca, extra: &[&str]) -> Server {
        let dir = temp_dir(tag);
        let (cert, key) = ca.issue();
        std::fs::write(dir.join("tls.crt"), cert).unwrap();
        std::fs::write(dir.join("tls.key"), key).unwrap();
        let stderr = std::fs::File::create(dir.join("stderr.txt")).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_chartguard"))
            .args([
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--no-config",
                "--tls-cert",
            ])
            .arg(dir.join("tls.crt"))
            .arg("--tls-key")
            .arg(dir.join("tls.key"))
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("cannot start chartguard serve");
        let stdout = child.stdout.take().unwrap();
        let probes = extra.contains(&"--probe-addr");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            if probes {
                let _ = reader.read_line(&mut line);
            }
            let _ = tx.send(line);
        });
        let line = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(l) => l,
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "the server printed no address within 60 s: {}",
                    std::fs::read_to_string(dir.join("stderr.txt")).unwrap_or_default()
                );
            }
        };
        let (line, probe_port) = match line.split_once('\n') {
            Some((first, second)) if probes => (
                first.to_string(),
                second
                    .trim()
                    .rsplit(':')
                    .next()
                    .and_then(|p| p.parse().ok()),
            ),
            _ => (line.clone(), None),
        };
        let port = line
            .trim()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| {
                panic!(
                    "unexpected first line {line:?}: {}",
                    std::fs::read_to_string(dir.join("stderr.txt")).unwrap_or_default()
                )
            });
        assert!(
            line.starts_with("chartguard: listening on https://127.0.0.1:"),
            "{line}"
        );
        Server {
            child,
            port,
            probe_port,
            dir,
        }
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(self.dir.join("stderr.txt")).unwrap_or_default()
    }

    fn wait_exit(&mut self, within: Duration) -> Option<i32> {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

type Tls = rustls::StreamOwned<rustls::ClientConnection, TcpStream>;

fn connect(port: u16, client: &Arc<rustls::ClientConfig>) -> std::io::Result<Tls> {
    let tcp = TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), IO_TIMEOUT)?;
    tcp.set_read_timeout(Some(IO_TIMEOUT))?;
    tcp.set_write_timeout(Some(IO_TIMEOUT))?;
    let conn = rustls::ClientConnection::new(client.clone(), "localhost".try_into().unwrap())
        .map_err(std::io::Error::other)?;
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    // Complete the handshake now, so certificate errors show here.
    while tls.conn.is_handshaking() {
        tls.conn.complete_io(&mut tls.sock)?;
    }
    Ok(tls)
}

fn head(method: &str, path: &str, len: usize) -> String {
    format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n")
}

/// Reads a whole `Connection: close` response: (status, body).
fn read_response(tls: &mut Tls) -> (u16, String) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16384];
    loop {
        match tls.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e)
                if !buf.is_empty()
                    && matches!(
                        e.kind(),
                        std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::ConnectionReset
                    ) =>
            {
                break
            }
            Err(e) => panic!("reading the response: {e}"),
        }
    }
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (headers, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {text:?}"));
    let status = headers
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line in {headers:?}"));
    (status, body.to_string())
}

fn request(
    port: u16,
    client: &Arc<rustls::ClientConfig>,
    method: &str,
    path: &str,
    body: &[u8],
) -> (u16, String) {
    let mut tls = connect(port, client).expect("connect");
    tls.write_all(head(method, path, body.len()).as_bytes())
        .unwrap();
    tls.write_all(body).unwrap();
    tls.flush().unwrap();
    read_response(&mut tls)
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/admission")
            .join(name),
    )
    .unwrap()
}

fn review(port: u16, client: &Arc<rustls::ClientConfig>, body: &[u8]) -> serde_json::Value {
    let (status, text) = request(port, client, "POST", "/validate", body);
    assert_eq!(status, 200, "{text}");
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["apiVersion"], "admission.k8s.io/v1");
    assert_eq!(doc["kind"], "AdmissionReview");
    let sent: serde_json::Value = serde_json::from_slice(body).unwrap();
    assert_eq!(
        doc["response"]["uid"], sent["request"]["uid"],
        "the uid is copied"
    );
    doc["response"].clone()
}

fn warnings(resp: &serde_json::Value) -> Vec<String> {
    resp["warnings"]
        .as_array()
        .map(|a| a.iter().map(|w| w.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

#[test]
fn admission_reviews_are_judged() {
    let ca = Ca::new("test ca");
    let server = Server::start("judge", &ca, &["--fail-on", "warning"]);
    let (port, client) = (server.port, ca.client());

    let ok = review(port, &client, &fixture("create-deployment-compliant.json"));
    assert_eq!(ok["allowed"], true, "{ok}");
    assert!(
        ok.get("status").is_none() && ok.get("warnings").is_none(),
        "{ok}"
    );

    let body = fixture("create-pod-root-secret.json");
    let denied = review(port, &client, &body);
    assert_eq!(denied["allowed"], false, "{denied}");
    assert_eq!(denied["status"]["code"], 403);
    let message = denied["status"]["message"].as_str().unwrap();
    assert!(
        message.contains("plaintext-secret") && message.contains("run-as-non-root"),
        "{message}"
    );
    assert!(message.lines().count() <= 7, "{message}");
    assert!(
        message.contains("DB_PASSWORD"),
        "the key is named: {message}"
    );
    assert!(
        !denied.to_string().contains("hunter2"),
        "no secret value in the answer: {denied}"
    );
    for w in warnings(&denied) {
        assert!(w.chars().count() <= 120, "{w}");
    }

    // UPDATE: a problem the old object did not have denies; one it had only warns.
    let update = review(
        port,
        &client,
        &fixture("update-deployment-new-problem.json"),
    );
    assert_eq!(update["allowed"], false, "{update}");
    assert!(
        update["status"]["message"]
            .as_str()
            .unwrap()
            .contains("run-as-non-root"),
        "{update}"
    );
    let scaled = review(
        port,
        &client,
        &fixture("update-deployment-pre-existing.json"),
    );
    assert_eq!(scaled["allowed"], true, "{scaled}");
    assert!(
        warnings(&scaled)
            .iter()
            .any(|w| w.contains("pre-existing") && w.contains("run-as-non-root")),
        "{scaled}"
    );

    let deleted = review(port, &client, &fixture("delete-deployment.json"));
    assert_eq!(deleted["allowed"], true, "{deleted}");

    let dry = review(port, &client, &fixture("dry-run-pod-root-secret.json"));
    assert_eq!(
        dry["allowed"], false,
        "dry runs are judged like real requests: {dry}"
    );

    let (status, text) = request(
        port,
        &client,
        "POST",
        "/validate",
        &fixture("malformed.json"),
    );
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("not JSON"), "{text}");
    let (status, text) = request(
        port,
        &client,
        "POST",
        "/validate",
        &fixture("wrong-api-version.json"),
    );
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("admission.k8s.io/v1beta1"), "{text}");
    for junk in [&b"[]"[..], b"null", b"{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\",\"object\":7}}", &[0xff, 0xfe, 0x00]] {
        let (status, text) = request(port, &client, "POST", "/validate", junk);
        assert_eq!(status, 400, "{text}");
    }

    // Over 3 MiB: refused from Content-Length, without reading the body.
    let mut tls = connect(port, &client).unwrap();
    tls.write_all(head("POST", "/validate", 4 << 20).as_bytes())
        .unwrap();
    tls.write_all(&vec![b' '; 4096]).unwrap();
    tls.flush().unwrap();
    let (status, text) = read_response(&mut tls);
    assert_eq!(status, 413, "{text}");
    // Over 3 MiB with a uid at the start (an UPDATE of an object near etcd's limit
    // carries it twice): a decision, not an HTTP error the failurePolicy would resolve.
    let mut tls = connect(port, &client).unwrap();
    tls.write_all(head("POST", "/validate", 4 << 20).as_bytes())
        .unwrap();
    tls.write_all(br#"{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":"big-update","operation":"UPDATE","object":{"#)
        .unwrap();
    tls.write_all(&vec![b' '; 32 * 1024]).unwrap();
    tls.flush().unwrap();
    let (status, text) = read_response(&mut tls);
    assert_eq!(status, 200, "{text}");
    assert!(
        text.contains("\"uid\":\"big-update\"") && text.contains("4194304 bytes"),
        "{text}"
    );

    assert_eq!(request(port, &client, "GET", "/healthz", b"").0, 200);
    assert_eq!(
        request(port, &client, "GET", "/readyz", b""),
        (200, "ready\n".to_string())
    );
    assert_eq!(request(port, &client, "GET", "/validate", b"").0, 405);
    assert_eq!(request(port, &client, "GET", "/nope", b"").0, 404);

    let (status, metrics) = request(port, &client, "GET", "/metrics", b"");
    assert_eq!(status, 200);
    for line in [
        "chartguard_webhook_requests_total{result=\"allowed\"} 3",
        "chartguard_webhook_requests_total{result=\"denied\"} 4",
        "chartguard_webhook_requests_total{result=\"error\"} 7",
        "chartguard_webhook_denials_total{rule=\"plaintext-secret\"} 2",
        "chartguard_webhook_denials_total{rule=\"run-as-non-root\"} 3",
        "chartguard_webhook_dry_run_requests_total 1",
        "chartguard_webhook_request_duration_seconds_bucket{le=\"+Inf\"} 14",
        "chartguard_webhook_request_duration_seconds_count 14",
        "# TYPE chartguard_webhook_request_duration_seconds histogram",
    ] {
        assert!(
            metrics.lines().any(|l| l == line),
            "missing `{line}` in\n{metrics}"
        );
    }
    assert!(!server.stderr().contains("panicked"), "{}", server.stderr());
}

#[test]
fn warn_mode_never_denies() {
    let ca = Ca::new("test ca");
    let server = Server::start("warn", &ca, &["--mode", "warn", "--fail-on", "note"]);
    let resp = review(
        server.port,
        &ca.client(),
        &fixture("create-pod-root-secret.json"),
    );
    assert_eq!(resp["allowed"], true, "{resp}");
    assert!(resp.get("status").is_none(), "{resp}");
    let w = warnings(&resp);
    assert!(
        w.iter().any(|w| w.contains("plaintext-secret"))
            && w.iter().any(|w| w.contains("run-as-non-root")),
        "{w:?}"
    );
    for w in &w {
        assert!(w.chars().count() <= 120, "{w}");
    }
    assert!(!resp.to_string().contains("hunter2"), "{resp}");
}

#[test]
fn certificates_are_reloaded_when_the_files_change() {
    let (first, second) = (Ca::new("first ca"), Ca::new("second ca"));
    let server = Server::start("reload", &first, &[]);
    assert_eq!(
        request(server.port, &first.client(), "GET", "/healthz", b"").0,
        200
    );
    assert!(
        connect(server.port, &second.client()).is_err(),
        "the second CA is not trusted yet"
    );

    let (cert, key) = second.issue();
    // Written the way a careless rotation does it: key first, so for a moment they mismatch.
    std::fs::write(server.dir.join("tls.key"), key).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    std::fs::write(server.dir.join("tls.crt"), cert).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        std::thread::sleep(Duration::from_millis(500));
        if connect(server.port, &second.client()).is_ok() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "new connections never saw the new certificate: {}",
            server.stderr()
        );
    }
    assert_eq!(
        request(server.port, &second.client(), "GET", "/healthz", b"").0,
        200
    );
    assert!(
        connect(server.port, &first.client()).is_err(),
        "the old certificate is no longer served"
    );
    let (_, metrics) = request(server.port, &second.client(), "GET", "/metrics", b"");
    assert!(
        metrics.contains("chartguard_webhook_cert_reloads_total{result=\"ok\"} 1"),
        "{metrics}"
    );
}

#[test]
fn sigterm_finishes_in_flight_requests_and_exits_0() {
    let ca = Ca::new("test ca");
    let mut server = Server::start("sigterm", &ca, &[]);
    let client = ca.client();
    let body = fixture("create-deployment-compliant.json");
    // A request in flight: headers and half the body sent.
    let mut tls = connect(server.port, &client).unwrap();
    tls.write_all(head("POST", "/validate", body.len()).as_bytes())
        .unwrap();
    tls.write_all(&body[..body.len() / 2]).unwrap();
    tls.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let killed = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "the server waits for the request in flight"
    );
    assert!(
        connect(server.port, &client).is_err(),
        "no new connections after SIGTERM"
    );
    tls.write_all(&body[body.len() / 2..]).unwrap();
    tls.flush().unwrap();
    let (status, text) = read_response(&mut tls);
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("\"allowed\":true"), "{text}");
    assert_eq!(
        server.wait_exit(Duration::from_secs(15)),
        Some(0),
        "{}",
        server.stderr()
    );
}

#[test]
fn manifests_are_hardened_and_match_the_issue() {
    let out = Command::new(env!("CARGO_BIN_EXE_chartguard"))
        .args([
            "webhook",
            "manifests",
            "--namespace",
            "guard",
            "--ca-bundle",
            "Q0E=",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "kind: Service",
        "kind: Deployment",
        "kind: ValidatingWebhookConfiguration",
        "replicas: 2",
        "runAsNonRoot: true",
        "readOnlyRootFilesystem: true",
        "path: /healthz",
        "path: /readyz",
        "failurePolicy: Ignore",
        "timeoutSeconds: 5",
        // Decides 1 s before the API server gives up; probes on their own listener;
        // memory limit = budget + 192 MiB.
        "\"--request-timeout=4\"",
        "\"--probe-addr=0.0.0.0:8080\"",
        "\"--memory-budget=320\"",
        "port: probes",
        "memory: 512Mi",
        "sideEffects: None",
        "admissionReviewVersions: [\"v1\"]",
        "values: [\"kube-system\", \"guard\"]",
        "caBundle: \"Q0E=\"",
        "resources: [\"deployments\", \"statefulsets\", \"daemonsets\"]",
        "resources: [\"jobs\", \"cronjobs\"]",
        "resources: [\"pods\", \"services\", \"configmaps\", \"secrets\"]",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    let fail = Command::new(env!("CARGO_BIN_EXE_chartguard"))
        .args(["webhook", "manifests", "--failure-policy", "fail"])
        .output()
        .unwrap();
    let fail = String::from_utf8(fail.stdout).unwrap();
    assert!(
        fail.contains("failurePolicy: Fail") && fail.contains("cert-manager.io/inject-ca-from"),
        "{fail}"
    );

    // chartguard's own rules find nothing to fix in its deployment.
    let mut lint = Command::new(env!("CARGO_BIN_EXE_chartguard"))
        .args([
            "lint",
            "-",
            "--no-config",
            "--fail-on",
            "note",
            "--color",
            "never",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    lint.stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = lint.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

// --- Abuse: the webhook must not fail open (issue 19) ---------------------------------------

/// An AdmissionReview (CREATE) of `object`, serialised the way the API server does: `uid`
/// first in `request`.
fn review_of(uid: &str, object: serde_json::Value) -> Vec<u8> {
    let ns = object["metadata"]["namespace"]
        .as_str()
        .unwrap_or("default");
    let name = object["metadata"]["name"].as_str().unwrap_or("x");
    format!(
        r#"{{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{{"uid":"{uid}","namespace":"{ns}","name":"{name}","operation":"CREATE","object":{object}}}}}"#
    )
    .into_bytes()
}

/// A ConfigMap with 100,000 keys (~1.7 MB of JSON, within the API server's limits).
fn huge_config_map() -> Vec<u8> {
    let data: serde_json::Map<String, serde_json::Value> = (0..100_000)
        .map(|i| (format!("k{i}"), serde_json::Value::from(format!("v{i}"))))
        .collect();
    review_of(
        "huge-configmap",
        serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "big", "namespace": "default"}, "data": data}),
    )
}

/// A Deployment with 10,000 privileged containers (~0.8 MB).
fn huge_deployment() -> Vec<u8> {
    deployment_of(10_000)
}

/// A Deployment of `n` privileged containers (5 JSON values each).
fn deployment_of(n: usize) -> Vec<u8> {
    let containers: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            serde_json::json!({"name": format!("c{i}"), "image": "nginx:1.25",
            "securityContext": {"privileged": true}})
        })
        .collect();
    review_of(
        "huge-deployment",
        serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "big", "namespace": "default"},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "x"}},
                "template": {"metadata": {"labels": {"app": "x"}},
                    "spec": {"containers": containers}}}}),
    )
}

/// Sends a review and returns (its response, the time to the answer).
fn timed_review(
    port: u16,
    client: &Arc<rustls::ClientConfig>,
    body: &[u8],
) -> (serde_json::Value, Duration) {
    let started = Instant::now();
    let resp = review(port, client, body);
    (resp, started.elapsed())
}

fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

/// The deadline the abuse tests give the server; answers must come before it plus this
/// generous allowance (the API server would wait timeoutSeconds = deadline + 1 s).
const DEADLINE: &str = "2";
const ALLOWANCE: Duration = Duration::from_secs(4);

#[test]
fn huge_objects_get_a_decision_before_the_deadline() {
    let ca = Ca::new("test ca");
    let server = Server::start("huge", &ca, &["--request-timeout", DEADLINE]);
    let client = ca.client();
    let deadline = Duration::from_secs(DEADLINE.parse().unwrap());
    // Over --max-object-values (40,000): refused unjudged at once. Just under it (7,990
    // containers): judged, or stopped at the deadline.
    for body in [huge_config_map(), huge_deployment(), deployment_of(7_990)] {
        let (resp, took) = timed_review(server.port, &client, &body);
        assert!(
            took < deadline + ALLOWANCE,
            "answered after {took:?}: {resp}"
        );
        if resp["allowed"] == false {
            // Judged (the Deployment's containers are privileged), or not judged in time
            // (its own deadline, or the previous one still holding the large-review
            // worker on a loaded machine): either way a decision, not an HTTP error.
            let message = resp["status"]["message"].as_str().unwrap();
            assert!(
                message.contains("privileged-container")
                    || message.contains("chartguard could not judge"),
                "{message}"
            );
            if body.len() > 700_000 {
                // Refused for its size once parsed (parsing 1.7 MB can itself outlast a
                // 2 s deadline in a debug build on a busy machine).
                assert!(
                    message.contains("over the 40000 chartguard judges")
                        || message.contains("did not finish within"),
                    "{message}"
                );
            }
        }
    }
    // The evaluation stops at the deadline instead of running on for seconds (it took
    // 14 s of CPU per object in this debug build before it was bounded).
    let stopped_by = Instant::now() + deadline + ALLOWANCE;
    loop {
        let (_, metrics) = request(server.port, &client, "GET", "/metrics", b"");
        if metric(&metrics, "chartguard_webhook_evaluations_running") == Some(0.0) {
            break;
        }
        assert!(
            Instant::now() < stopped_by,
            "evaluations still running long after their deadline:\n{metrics}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!server.stderr().contains("panicked"), "{}", server.stderr());

    // --unjudged allow: admitted, with a warning saying it was not judged.
    let lenient = Server::start(
        "huge-allow",
        &ca,
        &["--request-timeout", "0.5", "--unjudged", "allow"],
    );
    let (resp, took) = timed_review(lenient.port, &client, &huge_config_map());
    assert!(took < Duration::from_millis(500) + ALLOWANCE, "{took:?}");
    assert_eq!(resp["allowed"], true, "{resp}");
    let w = warnings(&resp);
    assert!(w.iter().any(|w| w.contains("admitted unchecked")), "{resp}");
}

#[test]
fn concurrent_huge_objects_do_not_starve_small_reviews() {
    let ca = Ca::new("test ca");
    let server = Server::start(
        "concurrent",
        &ca,
        &["--request-timeout", DEADLINE, "--workers", "1"],
    );
    let client = ca.client();
    let port = server.port;
    let huge: Vec<_> = (0..3)
        .map(|i| {
            let client = client.clone();
            std::thread::spawn(move || {
                // Just under --max-object-values, so they are judged (and hold the
                // large-review worker), and one over it.
                let body = if i < 2 {
                    deployment_of(7_990)
                } else {
                    huge_config_map()
                };
                timed_review(port, &client, &body)
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    // While they are in flight, ordinary reviews are judged (not merely answered).
    let small = fixture("create-pod-root-secret.json");
    for _ in 0..5 {
        let (resp, took) = timed_review(port, &client, &small);
        assert!(took < Duration::from_secs(2) + ALLOWANCE, "{took:?}");
        assert_eq!(resp["allowed"], false, "{resp}");
        let message = resp["status"]["message"].as_str().unwrap();
        assert!(message.contains("run-as-non-root"), "judged: {message}");
    }
    for h in huge {
        let (resp, took) = h.join().unwrap();
        // Three large reviews for one large-review worker: a decision for each, some of
        // them "saturated".
        assert!(
            took < Duration::from_secs(2) + ALLOWANCE,
            "{took:?}: {resp}"
        );
        assert!(resp["allowed"].is_boolean(), "{resp}");
    }
}

#[test]
fn a_connection_flood_from_one_client_leaves_probes_and_others_served() {
    let ca = Ca::new("test ca");
    let server = Server::start(
        "flood",
        &ca,
        &[
            "--max-connections",
            "300",
            "--max-connections-per-client",
            "40",
            "--probe-addr",
            "127.0.0.1:0",
        ],
    );
    let client = ca.client();
    // One client (127.0.0.1) opens 400 idle TCP connections (no TLS handshake).
    let flood: Vec<TcpStream> = (0..400)
        .filter_map(|_| {
            TcpStream::connect_timeout(&([127, 0, 0, 1], server.port).into(), IO_TIMEOUT).ok()
        })
        .collect();
    assert!(!flood.is_empty());
    std::thread::sleep(Duration::from_millis(300));
    // Another client address (the whole of 127/8 is loopback) is still served.
    let other = |ip: [u8; 4]| {
        let sock = std::net::SocketAddr::from((ip, 0));
        let tcp = socket_from(sock, server.port);
        let conn =
            rustls::ClientConnection::new(client.clone(), "localhost".try_into().unwrap()).unwrap();
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        let body = fixture("create-deployment-compliant.json");
        tls.write_all(head("POST", "/validate", body.len()).as_bytes())
            .unwrap();
        tls.write_all(&body).unwrap();
        tls.flush().unwrap();
        read_response(&mut tls)
    };
    for ip in [[127, 0, 0, 2], [127, 0, 0, 3]] {
        let (status, text) = other(ip);
        assert_eq!(status, 200, "{text}");
        assert!(text.contains("\"allowed\":true"), "{text}");
    }
    // The probe listener answers, every time.
    let probe = server.probe_port.expect("probe port printed");
    // Plain HTTP: the whole answer to one request.
    let plain = |request: &[u8]| {
        let mut tcp =
            TcpStream::connect_timeout(&([127, 0, 0, 1], probe).into(), IO_TIMEOUT).unwrap();
        tcp.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
        tcp.write_all(request).unwrap();
        let mut out = String::new();
        tcp.read_to_string(&mut out).unwrap();
        out
    };
    for _ in 0..30 {
        let out = plain(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assert!(out.starts_with("HTTP/1.1 200"), "{out}");
    }
    let metrics = plain(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let refused = metric(
        &metrics,
        "chartguard_webhook_connections_refused_total{cap=\"per-client\"}",
    )
    .unwrap_or(0.0);
    assert!(refused >= 300.0, "{metrics}");
    // The probe port serves nothing else.
    let out = plain(
        b"POST /validate HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
    );
    assert!(out.starts_with("HTTP/1.1 404"), "{out}");
    drop(flood);
}

/// A TCP connection to 127.0.0.1:`port` from the address `from` (another loopback
/// address stands for another client). std cannot bind before connecting; tokio can.
fn socket_from(from: std::net::SocketAddr, port: u16) -> TcpStream {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .unwrap();
    let tcp = rt.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(from).unwrap();
        tokio::time::timeout(IO_TIMEOUT, socket.connect(([127, 0, 0, 1], port).into()))
            .await
            .expect("connect timed out")
            .expect("connect")
    });
    let tcp = tcp.into_std().unwrap();
    tcp.set_nonblocking(false).unwrap();
    tcp.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    tcp.set_write_timeout(Some(IO_TIMEOUT)).unwrap();
    tcp
}

#[test]
fn chunk_sizes_over_the_limit_get_413_at_once() {
    let ca = Ca::new("test ca");
    // A long deadline: a 413 that came from waiting would show as a slow answer.
    let server = Server::start("chunks", &ca, &["--request-timeout", "60"]);
    let client = ca.client();
    for size in ["FFFFFFFFFFFFFFFF", "400001", "ffffffffffffffff;ext=1"] {
        let mut tls = connect(server.port, &client).unwrap();
        let started = Instant::now();
        tls.write_all(
            format!("POST /validate HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n{size}\r\n{{\"a\":")
                .as_bytes(),
        )
        .unwrap();
        tls.flush().unwrap();
        let (status, text) = read_response(&mut tls);
        assert_eq!(status, 413, "{size}: {text}");
        assert!(started.elapsed() < Duration::from_secs(30), "{size}");
    }
    // A chunked review within the limit is judged.
    let body = fixture("create-deployment-compliant.json");
    let mut tls = connect(server.port, &client).unwrap();
    let mut req = String::from(
        "POST /validate HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
    );
    for part in body.chunks(500) {
        req.push_str(&format!(
            "{:x}\r\n{}\r\n",
            part.len(),
            String::from_utf8_lossy(part)
        ));
    }
    req.push_str("0\r\n\r\n");
    tls.write_all(req.as_bytes()).unwrap();
    tls.flush().unwrap();
    let (status, text) = read_response(&mut tls);
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("\"allowed\":true"), "{text}");
}

fn client_with_alpn(ca: &Ca, protocols: &[&[u8]]) -> Arc<rustls::ClientConfig> {
    let mut config = (*ca.client()).clone();
    config.alpn_protocols = protocols.iter().map(|p| p.to_vec()).collect();
    Arc::new(config)
}

#[test]
fn alpn_http_1_0_only_clients_are_served() {
    let ca = Ca::new("test ca");
    let server = Server::start("alpn", &ca, &[]);
    // What the API server offers: it gets http/1.1.
    let tls = connect(server.port, &client_with_alpn(&ca, &[b"h2", b"http/1.1"])).unwrap();
    assert_eq!(tls.conn.alpn_protocol(), Some(&b"http/1.1"[..]));
    // Only http/1.0: negotiated, and answered in HTTP/1.0.
    let mut tls = connect(server.port, &client_with_alpn(&ca, &[b"http/1.0"]))
        .expect("the handshake succeeds");
    assert_eq!(tls.conn.alpn_protocol(), Some(&b"http/1.0"[..]));
    let body = fixture("create-deployment-compliant.json");
    tls.write_all(
        format!(
            "POST /validate HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    )
    .unwrap();
    tls.write_all(&body).unwrap();
    tls.flush().unwrap();
    let (status, text) = read_response(&mut tls);
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("\"allowed\":true"), "{text}");
    // No ALPN at all: HTTP/1.1 as before.
    assert_eq!(
        request(server.port, &ca.client(), "GET", "/healthz", b"").0,
        200
    );
}

#[test]
fn no_secret_value_in_webhook_answers_or_logs() {
    let ca = Ca::new("test ca");
    // A short deadline so that the unjudged path is taken too (the large ConfigMap).
    let server = Server::start(
        "leak",
        &ca,
        &["--request-timeout", "1", "--fail-on", "note"],
    );
    let client = ca.client();
    let secret = "hunter2-Xq9";
    let pod = |uid: &str, container: serde_json::Value| {
        review_of(
            uid,
            serde_json::json!({"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": "p", "namespace": "default",
                    "annotations": {"db-password": secret}},
                "spec": {"containers": [container]}}),
        )
    };
    let mut big: serde_json::Map<String, serde_json::Value> = (0..100_000)
        .map(|i| (format!("k{i}"), serde_json::Value::from(format!("v{i}"))))
        .collect();
    big.insert("password".into(), secret.into());
    let bodies = vec![
        pod(
            "env",
            serde_json::json!({"name": "a", "image": "a:1", "env": [{"name": "DB_PASSWORD", "value": secret}]}),
        ),
        pod(
            "args",
            serde_json::json!({"name": "a", "image": "a:1", "args": format!("--password={secret}")}),
        ),
        pod(
            "command",
            serde_json::json!({"name": "a", "image": "a:1", "command": ["mysql", format!("-p{secret}")]}),
        ),
        pod(
            "typo",
            serde_json::json!({"name": "a", "image": "a:1", "env": [{"name": "DB_PASSWORD", "valeu": secret}]}),
        ),
        pod(
            "flow",
            serde_json::json!({"name": 5, "image": "a:1", "env": [{"name": "JAVA_OPTS", "value": format!("-Dspring.datasource.password={secret}")}]}),
        ),
        review_of(
            "secret-not-base64",
            serde_json::json!({"apiVersion": "v1", "kind": "Secret",
                "metadata": {"name": "s", "namespace": "default"},
                "data": {"password": secret}, "stringdata": {"x": format!("{{\"password\": \"{secret}\"}}")}}),
        ),
        review_of(
            "configmap",
            serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "c", "namespace": "default"},
                "data": {"app.properties": format!("db.password={secret}\n"), "DB_PASSWORD": secret}}),
        ),
        review_of(
            "unjudged",
            serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "big", "namespace": "default"}, "data": big}),
        ),
    ];
    for body in &bodies {
        let (status, text) = request(server.port, &client, "POST", "/validate", body);
        assert!(status == 200 || status == 400, "{status}: {text}");
        assert!(!text.contains("hunter2"), "a secret in the answer: {text}");
    }
    let (_, metrics) = request(server.port, &client, "GET", "/metrics", b"");
    assert!(!metrics.contains("hunter2"), "{metrics}");
    let log = server.stderr();
    assert!(!log.contains("hunter2"), "a secret in the log: {log}");
}

#[test]
fn manifests_use_the_released_image_by_tag_and_optional_digest() {
    let manifests = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_chartguard"))
            .args(["webhook", "manifests"])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = manifests(&[]);
    assert!(out.status.success());
    let tag = format!(
        "ghcr.io/chartguard/chartguard:{}",
        env!("CARGO_PKG_VERSION")
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("image: \"{tag}\"\n")));
    let digest = format!("sha256:{}", "0123456789abcdef".repeat(4));
    let out = manifests(&["--image-digest", &digest]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("image: \"{tag}@{digest}\"\n")));
    let out = manifests(&["--image-digest", "sha256:abc"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("64 lowercase hex digits"));
}
