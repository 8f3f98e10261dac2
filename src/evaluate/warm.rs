//! Engines prepared before there is anything to evaluate.
//!
//! regorus analyses every module (about 80: the rules and their libraries) on an engine's
//! first evaluation; on a small chart that analysis costs more than rendering and evaluating
//! together. It depends only on the rules, not on the release, so a lint starts it on another
//! core as soon as it knows the rules and profile, while the chart is rendered and parsed;
//! the evaluation then clones the prepared engine (clones share the analysis).

use super::policy::PolicySet;
use super::{selected, Options};
use crate::model::Profile;
use anyhow::{anyhow, Result};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;

/// What a prepared engine depends on besides the policy set.
type Key = (Profile, Vec<String>);

#[derive(Default)]
struct Slot {
    pending: Mutex<Option<JoinHandle<Result<regorus::Engine, String>>>>,
    ready: OnceLock<Result<regorus::Engine, String>>,
}

/// Prepared engines of one policy set, one per profile and set of disabled rules.
pub(crate) struct Warm {
    policies: Arc<PolicySet>,
    slots: Mutex<HashMap<Key, Arc<Slot>>>,
}

impl Warm {
    pub(crate) fn new(policies: &PolicySet) -> Self {
        Warm {
            policies: Arc::new(policies.clone()),
            slots: Mutex::new(HashMap::new()),
        }
    }

    fn slot(&self, opts: &Options) -> (Arc<Slot>, bool) {
        let key = (opts.profile, opts.disabled.clone());
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let fresh = !slots.contains_key(&key);
        (slots.entry(key).or_default().clone(), fresh)
    }

    /// Starts preparing the engine `opts` need on another thread, unless it already was.
    pub(crate) fn start(&self, opts: &Options) {
        let (slot, fresh) = self.slot(opts);
        if !fresh {
            return;
        }
        let policies = self.policies.clone();
        let opts = opts.clone();
        let handle = std::thread::spawn(move || {
            prepared_engine(&policies, &opts).map_err(|e| format!("{e:#}"))
        });
        *slot.pending.lock().unwrap_or_else(|e| e.into_inner()) = Some(handle);
    }

    /// The engine `opts` need (prepared, without input), waiting for it if it is being
    /// prepared; an error is the one preparing it gave.
    pub(crate) fn engine(&self, opts: &Options) -> Result<regorus::Engine> {
        let (slot, _) = self.slot(opts);
        let ready = slot.ready.get_or_init(|| {
            let pending = slot
                .pending
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take();
            match pending {
                Some(handle) => handle
                    .join()
                    .unwrap_or_else(|_| Err("preparing the rules panicked".into())),
                None => prepared_engine(&self.policies, opts).map_err(|e| format!("{e:#}")),
            }
        });
        ready.clone().map_err(|e| anyhow!(e))
    }
}

impl Drop for Warm {
    /// The engines hold every rule's syntax tree: freed off the caller's path (a CLI exits
    /// before this finishes).
    fn drop(&mut self) {
        let slots = std::mem::take(self.slots.get_mut().unwrap_or_else(|e| e.into_inner()));
        crate::parallel::free_later(slots);
    }
}

/// An engine holding the rules `opts` select, analysed.
pub(super) fn prepared_engine(policies: &PolicySet, opts: &Options) -> Result<regorus::Engine> {
    let all: Vec<&super::policy::Rule> = selected(policies, opts)
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    let mut engine = super::engine_for(policies, &all)?;
    // Any query prepares the engine: regorus analyses the modules before evaluating it, and
    // a rule that parses but does not compile (an unsafe variable) fails here, naming its
    // file and line.
    engine
        .eval_query("true".into(), false)
        .map_err(|e| anyhow!("the rules do not compile: {}", e.to_string().trim_start()))?;
    Ok(engine)
}
