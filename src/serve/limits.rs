//! What one client, one request and all requests together may take from the webhook:
//! connections (in all, and per client address), request bodies in flight and the memory
//! they are estimated to need, and the decision deadline. The flags are in `cli::args`
//! (`LimitArgs`); their checks and the code that enforces them are here.

pub use crate::cli::args::{LimitArgs, Unjudged};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Request bodies above this are answered 413 (the API server sends objects up to ~3 MiB
/// inside a review that may hold the old object too).
pub const MAX_BODY_BYTES: usize = 3 * 1024 * 1024;

/// Memory of a review, reserved in two steps. Before its body is read: a fixed part plus
/// a multiple of the body (the body and its JSON tree). Once it is parsed, for judging
/// its object: a multiple of the object's values (JSON nodes), which covers the YAML span
/// tree the locations come from, the interpreter's input and the rules' working set.
/// Measured on the release build (`scripts/loadtest.sh abuse`, README): a Deployment of
/// 20,000 containers (1.5 MB, ~100,000 values) judged in full peaked at 367 MiB, 3.4 KiB a
/// value; a body's JSON tree is ~15× the body.
pub const ESTIMATE_FIXED_BYTES: u64 = 256 * 1024;
pub const ESTIMATE_PER_BODY_BYTE: u64 = 24;
pub const ESTIMATE_PER_VALUE: u64 = 4096;
/// Bodies above this are large reviews: their memory comes from a pool of their own
/// (7/8 of the budget) and they are judged in a lane of their own, so they cannot take
/// what ordinary reviews (a few KiB) need.
pub const LARGE_BODY: u64 = 256 * 1024;

impl LimitArgs {
    pub fn validate(&self) -> anyhow::Result<()> {
        if !(self.request_timeout > 0.2 && self.request_timeout <= 300.0) {
            anyhow::bail!("--request-timeout must be between 0.2 and 300 seconds");
        }
        for (flag, n) in [
            ("--max-connections", self.max_connections),
            (
                "--max-connections-per-client",
                self.max_connections_per_client,
            ),
            ("--max-bodies", self.max_bodies),
        ] {
            if n == 0 || n > 1_000_000 {
                anyhow::bail!("{flag} must be between 1 and 1000000");
            }
        }
        if self.memory_budget < 16 || self.memory_budget > 1 << 20 {
            anyhow::bail!("--memory-budget must be between 16 and 1048576 MiB");
        }
        if self.max_object_values == 0 {
            anyhow::bail!("--max-object-values must be at least 1");
        }
        let judging = self.max_object_values.saturating_mul(ESTIMATE_PER_VALUE) >> 20;
        if judging > self.memory_budget * 5 / 8 {
            anyhow::bail!(
                "--memory-budget {} MiB cannot hold the judging of an object of --max-object-values {} (~{judging} MiB); raise the budget or lower the limit",
                self.memory_budget,
                self.max_object_values
            );
        }
        Ok(())
    }
}

/// The estimated peak memory of a review whose body has `body_bytes`, in KiB.
pub fn estimate_kib(body_bytes: u64) -> u64 {
    ESTIMATE_FIXED_BYTES
        .saturating_add(body_bytes.saturating_mul(ESTIMATE_PER_BODY_BYTE))
        .div_ceil(1024)
}

/// Bodies in flight: a count and a memory budget, both taken before a body is read.
pub struct Admission {
    bodies: Arc<Semaphore>,
    /// Memory pools (KiB) of the bodies of ordinary and of large reviews, and of judging.
    pools: [Pool; 3],
    max_bodies: usize,
}

struct Pool {
    memory: Arc<Semaphore>,
    kib: u64,
}

/// Held from before a body is read until its evaluation ends (moved into the worker, so an
/// evaluation abandoned at the deadline keeps its share until it has really stopped).
pub struct Admitted {
    _body: OwnedSemaphorePermit,
    memory: OwnedSemaphorePermit,
    pool: usize,
    kib: u64,
    /// The body size the reservation is for.
    pub bytes: u64,
}

impl Admission {
    pub fn new(max_bodies: usize, memory_budget_mib: u64) -> Admission {
        let total = memory_budget_mib * 1024;
        let eighth = total / 8;
        let pool = |kib: u64| Pool {
            memory: Arc::new(Semaphore::new(kib as usize)),
            kib,
        };
        Admission {
            bodies: Arc::new(Semaphore::new(max_bodies)),
            pools: [pool(eighth), pool(2 * eighth), pool(total - 3 * eighth)],
            max_bodies,
        }
    }

    fn kib_for(&self, pool: usize, body_bytes: u64) -> u64 {
        // A review estimated above its whole pool takes all of it (alone), rather than
        // never being admitted.
        estimate_kib(body_bytes).clamp(1, self.pools[pool].kib)
    }

    /// Waits until `until` for a body slot and the estimated memory of a body of
    /// `body_bytes`; `None` when they were not free in time.
    pub async fn admit(&self, body_bytes: u64, until: Instant) -> Option<Admitted> {
        let pool = usize::from(body_bytes > LARGE_BODY);
        let kib = self.kib_for(pool, body_bytes);
        let until = tokio::time::Instant::from_std(until);
        let body = tokio::time::timeout_at(until, self.bodies.clone().acquire_owned())
            .await
            .ok()?
            .ok()?;
        let memory = self.pools[pool]
            .memory
            .clone()
            .acquire_many_owned(kib as u32);
        let memory = tokio::time::timeout_at(until, memory).await.ok()?.ok()?;
        Some(Admitted {
            _body: body,
            memory,
            pool,
            kib,
            bytes: body_bytes,
        })
    }

    /// Grows a reservation to a body of `body_bytes` (a chunked body, whose size is only
    /// known as it arrives), in the pool it came from; `false` when the memory was not
    /// free by `until`.
    pub async fn grow(&self, admitted: &mut Admitted, body_bytes: u64, until: Instant) -> bool {
        let kib = self.kib_for(admitted.pool, body_bytes);
        if kib <= admitted.kib {
            admitted.bytes = admitted.bytes.max(body_bytes);
            return true;
        }
        let until = tokio::time::Instant::from_std(until);
        let more = self.pools[admitted.pool]
            .memory
            .clone()
            .acquire_many_owned((kib - admitted.kib) as u32);
        match tokio::time::timeout_at(until, more).await {
            Ok(Ok(more)) => {
                admitted.memory.merge(more);
                admitted.kib = kib;
                admitted.bytes = body_bytes;
                true
            }
            _ => false,
        }
    }

    /// After parsing: the memory to judge an object of `values` JSON values, from the pool
    /// only evaluations hold (they end by their deadline, so this wait always ends);
    /// `None` when it was not free by `until`.
    pub async fn reserve_judging(
        &self,
        values: u64,
        until: Instant,
    ) -> Option<OwnedSemaphorePermit> {
        let bytes = values.saturating_mul(ESTIMATE_PER_VALUE);
        let pool = 2;
        let kib = bytes.div_ceil(1024).clamp(1, self.pools[pool].kib);
        let until = tokio::time::Instant::from_std(until);
        let memory = self.pools[pool]
            .memory
            .clone()
            .acquire_many_owned(kib as u32);
        tokio::time::timeout_at(until, memory).await.ok()?.ok()
    }

    /// Estimated memory (KiB) of the reviews in flight.
    pub fn memory_in_use_kib(&self) -> u64 {
        self.pools
            .iter()
            .map(|p| p.kib - p.memory.available_permits() as u64)
            .sum()
    }

    pub fn bodies_in_flight(&self) -> usize {
        self.max_bodies - self.bodies.available_permits()
    }
}

/// Open connections per client address.
pub struct Peers {
    max: usize,
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// One open connection of a client; dropping it frees the place.
pub struct PeerGuard {
    key: IpAddr,
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl Peers {
    pub fn new(max: usize) -> Peers {
        Peers {
            max,
            open: Arc::default(),
        }
    }

    /// A place for one more connection from `ip`, or `None` when it has `max` open.
    pub fn enter(&self, ip: IpAddr) -> Option<PeerGuard> {
        let key = client_key(ip);
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(key).or_insert(0);
        if *n >= self.max {
            return None;
        }
        *n += 1;
        Some(PeerGuard {
            key,
            open: self.open.clone(),
        })
    }
}

impl Drop for PeerGuard {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.key);
            }
        }
    }
}

/// IPv4 (also when mapped into IPv6) by address; IPv6 by its /64, which one host usually
/// holds whole.
fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_client_gets_its_own_share_of_connections() {
        let peers = Peers::new(2);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let first = peers.enter(a).unwrap();
        let _second = peers.enter(a).unwrap();
        assert!(peers.enter(a).is_none(), "a third from the same client");
        assert!(peers.enter(b).is_some(), "another client is not affected");
        drop(first);
        assert!(
            peers.enter(a).is_some(),
            "a closed connection frees its place"
        );
        let v6a: IpAddr = "2001:db8::1".parse().unwrap();
        let v6b: IpAddr = "2001:db8::2:3".parse().unwrap();
        let _x = peers.enter(v6a).unwrap();
        let _y = peers.enter(v6b).unwrap();
        assert!(peers.enter(v6a).is_none(), "one /64 is one client");
        let mapped: IpAddr = "::ffff:10.0.0.2".parse().unwrap();
        assert_eq!(client_key(mapped), b);
    }

    #[test]
    fn the_memory_budget_is_taken_before_the_body() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        rt.block_on(async {
            // The large pool (2/8) has room for one 1 MiB review at a time.
            let budget = (estimate_kib(1 << 20) * 4).div_ceil(1024) + 1;
            let admission = Admission::new(8, budget);
            let soon = || Instant::now() + std::time::Duration::from_millis(200);
            let first = admission.admit(1 << 20, soon()).await.expect("admitted");
            assert!(
                admission.admit(1 << 20, soon()).await.is_none(),
                "a second must wait for the first"
            );
            assert!(
                admission.admit(1024, soon()).await.is_some(),
                "a small one has a pool of its own"
            );
            drop(first);
            let mut chunked = admission.admit(1024, soon()).await.unwrap();
            assert!(
                admission.grow(&mut chunked, 1 << 30, soon()).await,
                "capped at its pool"
            );
            assert!(
                admission.admit(1024, soon()).await.is_none(),
                "the small pool is taken"
            );
            assert!(admission.admit(1 << 20, soon()).await.is_some());
            drop(chunked);
            assert!(
                admission.admit(u64::MAX, soon()).await.is_some(),
                "capped at the whole pool"
            );
        });
    }
}
