//! Running the selected rules on every core: each thread gets a clone of one prepared
//! engine (regorus engines are cheap to clone once prepared).

use super::failure::eval_isolated;
use super::{Timing, Violation};
use crate::evaluate::policy::Rule;
use anyhow::{anyhow, Result};
use regorus::Value;

/// One rule's outcome: its position in the queue, its findings (or the error that stopped
/// it) and its time.
type RuleResult = (usize, Result<Vec<Violation>>, Timing);

/// A shared queue of `rules`, in their order, taken by one thread per core: one `eval_rule`
/// per rule, timed. A rule that fails is isolated ([`eval_isolated`]) over `input`, the
/// engine's input. The results come back in queue order, whichever thread ran each rule, and
/// an error is the first in that order: the same report and the same error on every run.
pub(super) fn one_by_one(
    engine: &regorus::Engine,
    input: &Value,
    rules: &[(usize, &Rule)],
) -> Result<(Vec<Violation>, Vec<Timing>)> {
    let threads = crate::parallel::threads(rules.len());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let next = &next;
    let mut done: Vec<RuleResult> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let mut engine = engine.clone();
                scope.spawn(move || {
                    let mut out: Vec<RuleResult> = Vec::new();
                    loop {
                        let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&(index, rule)) = rules.get(k) else {
                            break;
                        };
                        let started = std::time::Instant::now();
                        let result = eval_isolated(
                            &mut engine,
                            input,
                            index,
                            &rule.meta.id,
                            &format!("{}.report", rule.package),
                        );
                        let timing = Timing {
                            rule: rule.meta.id.clone(),
                            micros: started.elapsed().as_micros(),
                        };
                        out.push((k, result, timing));
                    }
                    // The engine holds the whole release as Rego values.
                    crate::parallel::free_later(engine);
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join().unwrap_or_else(|_| {
                    vec![(
                        usize::MAX,
                        Err(anyhow!("a rule evaluation thread panicked")),
                        Timing {
                            rule: String::new(),
                            micros: 0,
                        },
                    )]
                })
            })
            .collect()
    });
    done.sort_by_key(|(k, _, _)| *k);
    let mut violations = Vec::new();
    let mut timings = Vec::with_capacity(done.len());
    for (_, result, timing) in done {
        violations.extend(result?);
        timings.push(timing);
    }
    Ok((violations, timings))
}
