//! The serving certificate: loaded from PEM files, and reloaded when they change (checked on
//! a TLS handshake, at most every [`CHECK_EVERY`]), so a rotated cert-manager or kubelet
//! secret is picked up without a restart. A broken new pair is refused and the old one kept.

use super::metrics::Metrics;
use anyhow::{anyhow, Context, Result};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime};

/// How often, at most, the files' modification times are looked at.
pub const CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// Reads a certificate chain and its private key, and checks that they belong together.
pub fn load(cert: &Path, key: &Path) -> Result<Arc<CertifiedKey>> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| anyhow!("{}: cannot read the certificate: {e}", cert.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| anyhow!("{}: not a PEM certificate chain: {e}", cert.display()))?;
    if chain.is_empty() {
        anyhow::bail!("{}: no CERTIFICATE block", cert.display());
    }
    let der = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| anyhow!("{}: cannot read a PEM private key: {e}", key.display()))?;
    let signing = rustls::crypto::ring::sign::any_supported_type(&der)
        .map_err(|e| anyhow!("{}: unsupported private key: {e}", key.display()))?;
    let certified = CertifiedKey::new(chain, signing);
    certified.keys_match().map_err(|e| {
        anyhow!(
            "{} and {}: the key does not match the certificate: {e}",
            cert.display(),
            key.display()
        )
    })?;
    Ok(Arc::new(certified))
}

type Stamp = [Option<(SystemTime, u64)>; 2];

fn stamp(cert: &Path, key: &Path) -> Stamp {
    let of = |p: &Path| {
        std::fs::metadata(p)
            .ok()
            .and_then(|m| Some((m.modified().ok()?, m.len())))
    };
    [of(cert), of(key)]
}

struct State {
    current: Arc<CertifiedKey>,
    stamp: Stamp,
    checked: Instant,
}

/// A [`ResolvesServerCert`] that reloads the pair when the files change.
pub struct Reloading {
    cert: PathBuf,
    key: PathBuf,
    state: Mutex<State>,
    metrics: Arc<Metrics>,
}

impl std::fmt::Debug for Reloading {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reloading")
            .field("cert", &self.cert)
            .field("key", &self.key)
            .finish()
    }
}

impl Reloading {
    pub fn new(cert: PathBuf, key: PathBuf, metrics: Arc<Metrics>) -> Result<Self> {
        let stamp = stamp(&cert, &key);
        let current = load(&cert, &key).context("cannot load the serving certificate")?;
        Ok(Reloading {
            cert,
            key,
            state: Mutex::new(State {
                current,
                stamp,
                checked: Instant::now(),
            }),
            metrics,
        })
    }

    fn current(&self) -> Arc<CertifiedKey> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.checked.elapsed() >= CHECK_EVERY {
            state.checked = Instant::now();
            let now = stamp(&self.cert, &self.key);
            if now != state.stamp {
                // Remember the new stamp even when loading fails: a writer that replaces the
                // certificate first and the key second changes the stamp again, and then we retry.
                state.stamp = now;
                match load(&self.cert, &self.key) {
                    Ok(k) => {
                        state.current = k;
                        self.metrics.cert_reloaded(true);
                        eprintln!(
                            "chartguard: serving certificate reloaded from {}",
                            self.cert.display()
                        );
                    }
                    Err(e) => {
                        self.metrics.cert_reloaded(false);
                        eprintln!(
                            "chartguard: warning: keeping the previous serving certificate: {e:#}"
                        );
                    }
                }
            }
        }
        state.current.clone()
    }
}

impl ResolvesServerCert for Reloading {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current())
    }
}

/// A TLS 1.2/1.3 server configuration (ring provider) offering HTTP/1.1 and HTTP/1.0 by
/// ALPN. The API server offers h2 and http/1.1 and gets http/1.1; a client offering only
/// http/1.0 gets it (hyper serves both) instead of a `no_application_protocol` alert, and
/// a client offering no ALPN at all is served HTTP/1 as before.
pub fn server_config(resolver: Arc<Reloading>) -> Result<rustls::ServerConfig> {
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| anyhow!("TLS configuration: {e}"))?
    .with_no_client_auth()
    .with_cert_resolver(resolver);
    config.alpn_protocols = vec![b"http/1.1".to_vec(), b"http/1.0".to_vec()];
    Ok(config)
}
