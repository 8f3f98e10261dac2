//! Running the selected rules on every core: each thread gets a clone of one prepared
//! engine (regorus engines are cheap to clone once prepared).

use super::failure::eval_isolated;
use super::{Timing, Violation};
use crate::evaluate::policy::Rule;
use anyhow::{anyhow, Result};
use regorus::Value;

pub(super) type Rules<'p> = Vec<(usize, &'p Rule)>;
pub(super) type ThreadResult = Result<(Vec<Violation>, Vec<Timing>)>;

/// Every thread's outcome; a thread that panicked is an error, not lost rules.
fn join_all(handles: Vec<std::thread::ScopedJoinHandle<'_, ThreadResult>>) -> Vec<ThreadResult> {
    handles
        .into_iter()
        .map(|h| {
            h.join()
                .unwrap_or_else(|_| Err(anyhow!("a rule evaluation thread panicked")))
        })
        .collect()
}

/// A shared queue (`rules` come longest first: source length is a fair guess at cost), one
/// `eval_rule` per rule, timed. A rule that fails is isolated ([`eval_isolated`]) over
/// `input`, the engine's input.
pub(super) fn one_by_one(
    engine: &regorus::Engine,
    input: &Value,
    rules: &Rules<'_>,
    threads: usize,
) -> Vec<ThreadResult> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (queue, next) = (rules, &next);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let mut engine = engine.clone();
                scope.spawn(move || -> ThreadResult {
                    let mut out = Vec::new();
                    let mut timings = Vec::new();
                    while let Some(&(index, rule)) =
                        queue.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
                    {
                        let started = std::time::Instant::now();
                        out.extend(eval_isolated(
                            &mut engine,
                            input,
                            index,
                            &rule.meta.id,
                            &format!("{}.report", rule.package),
                        )?);
                        timings.push(Timing {
                            rule: rule.meta.id.clone(),
                            micros: started.elapsed().as_micros(),
                        });
                    }
                    // The engine holds the whole release as Rego values.
                    crate::parallel::free_later(engine);
                    Ok((out, timings))
                })
            })
            .collect();
        join_all(handles)
    })
}
