//! Running the selected rules on every core: each thread gets a clone of one prepared
//! engine (regorus engines are cheap to clone once prepared).

use super::decode::violations_of;
use super::failure::eval_isolated;
use super::{Timing, Violation};
use crate::evaluate::policy::Rule;
use anyhow::{anyhow, Result};
use regorus::Value;

pub(super) type Share<'p> = Vec<(usize, &'p Rule)>;
pub(super) type ShareResult = Result<(Vec<Violation>, Vec<Timing>)>;

/// Every thread's outcome; a thread that panicked is an error, not a lost share of rules.
fn join_all(handles: Vec<std::thread::ScopedJoinHandle<'_, ShareResult>>) -> Vec<ShareResult> {
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
    rules: &Share<'_>,
    threads: usize,
) -> Vec<ShareResult> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (queue, next) = (rules, &next);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let mut engine = engine.clone();
                scope.spawn(move || -> ShareResult {
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

/// Shares of rules per evaluation thread ([`grouped`] takes them from a queue).
pub(super) const SHARES_PER_THREAD: usize = 3;

/// Rules (longest first) split into `shares` shares, each to the lightest share.
pub(super) fn split<'p>(rules: &Share<'p>, shares: usize) -> Vec<Share<'p>> {
    let mut shares: Vec<(usize, Share<'_>)> = (0..shares).map(|_| (0, Vec::new())).collect();
    for rule in rules.iter().copied() {
        let lightest = shares
            .iter_mut()
            .min_by_key(|(weight, _)| *weight)
            .expect("one share at least");
        lightest.0 += rule.1.text.len();
        lightest.1.push(rule);
    }
    shares.into_iter().map(|(_, share)| share).collect()
}

/// The query of share `k` of [`share_module`].
fn share_query(k: usize) -> String {
    format!("data.chartguard.share.s{k}.reports")
}

/// A generated module collecting share `k`'s reports. It goes into the engine before the
/// engine is prepared: adding a module to a prepared engine makes regorus analyse every
/// module again, which on a small release costs more than evaluating the rules.
/// `[r | r := report]` is [] when a rule reports nothing (undefined), so one empty report
/// cannot make the whole array undefined.
pub(super) fn share_module(k: usize, share: &Share<'_>) -> (String, String) {
    let module = format!(
        "package chartguard.share.s{k}\n\nreports := [\n{}\n]\n",
        share
            .iter()
            .map(|(_, r)| format!("\t[r | r := {}.report],", r.package))
            .collect::<Vec<_>>()
            .join("\n")
            .trim_end_matches(',')
    );
    (format!("<chartguard share {k}>"), module)
}

/// Each share of [`split`] evaluated as one query on a clone of `engine`, which holds every
/// share's [`share_module`]: `threads` workers take the shares from a queue, in order. The
/// results come back one per share, in share order, so when rules fail the error reported
/// is the same on every run. A rule that fails makes its share fall back to one query per
/// rule, so the error names the rule.
pub(super) fn grouped(
    engine: &regorus::Engine,
    input: &Value,
    shares: &[Share<'_>],
    threads: usize,
) -> Vec<ShareResult> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let next = &next;
    let mut done: Vec<(usize, ShareResult)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads.min(shares.len()))
            .map(|_| {
                let mut engine = engine.clone();
                scope.spawn(move || {
                    let mut out = Vec::new();
                    while let Some((k, share)) = {
                        let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        shares.get(k).map(|s| (k, s))
                    } {
                        out.push((k, one_share(&mut engine, input, k, share)));
                    }
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
                    )]
                })
            })
            .collect()
    });
    done.sort_by_key(|(k, _)| *k);
    done.into_iter().map(|(_, result)| result).collect()
}

/// Share `k` evaluated as one query.
fn one_share(
    engine: &mut regorus::Engine,
    input: &Value,
    k: usize,
    share: &Share<'_>,
) -> ShareResult {
    let started = std::time::Instant::now();
    let value = engine
        .eval_rule(share_query(k))
        .map_err(|e| {
            if std::env::var_os("CHARTGUARD_DEBUG").is_some() {
                eprintln!("grouped evaluation failed: {e}")
            }
        })
        .ok();
    let Some(Value::Array(values)) = value else {
        return one_by_one(engine, input, share, 1)
            .into_iter()
            .next()
            .unwrap_or_else(|| Ok((Vec::new(), Vec::new())));
    };
    let mut out = Vec::new();
    for ((index, rule), v) in share.iter().zip(values.iter()) {
        if let Value::Array(inner) = v {
            if let Some(report) = inner.first() {
                out.extend(violations_of(*index, &rule.meta.id, report)?);
            }
        }
    }
    let timing = Timing {
        rule: format!("{} rules in one query", share.len()),
        micros: started.elapsed().as_micros(),
    };
    Ok((out, vec![timing]))
}
