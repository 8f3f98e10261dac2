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
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
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
        Server { child, port, dir }
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
        "chartguard_webhook_requests_total{result=\"denied\"} 3",
        "chartguard_webhook_requests_total{result=\"error\"} 7",
        "chartguard_webhook_denials_total{rule=\"plaintext-secret\"} 2",
        "chartguard_webhook_denials_total{rule=\"run-as-non-root\"} 3",
        "chartguard_webhook_dry_run_requests_total 1",
        "chartguard_webhook_request_duration_seconds_bucket{le=\"+Inf\"} 13",
        "chartguard_webhook_request_duration_seconds_count 13",
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
