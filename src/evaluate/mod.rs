//! Stage 3: evaluate the Rego rules over the whole release at once with regorus.
//!
//! - [`input`]: the input document (shape in `policies/README.md`), built from the span trees;
//! - [`views`]: the views many rules need (pod specs, containers with their paths), computed
//!   here once so each rule stays short — the one table of pod-bearing kinds;
//! - [`schedule`]: rules run in parallel on clones of one prepared engine;
//! - [`decode`]: each rule's `report` read back into [`Violation`]s, checking the contract;
//! - [`policy`]: the rule files and their METADATA; [`testing`]: `chartguard policy test`.

pub(crate) mod deadline;
pub(crate) mod decode;
mod failure;
pub(crate) mod generated;
pub(crate) mod index;
pub(crate) mod input;
pub(crate) mod params;
mod pod_refs;
pub(crate) mod policy;
pub(crate) mod previous;
mod rego;
mod schedule;
pub(crate) mod testing;
pub(crate) mod views;
mod warm;

pub(crate) use warm::Warm;

use crate::model::{Profile, Severity, Target};
use anyhow::{anyhow, Result};
use policy::{PolicySet, Rule};
use regorus::Value;

/// The release a chart is installed as (`input.release`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Release {
    pub(crate) name: String,
    pub(crate) namespace: String,
}

/// What the engine is asked to judge, besides the resources.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    pub(crate) profile: Profile,
    /// `major.minor`, without a leading `v`.
    pub(crate) kube_version: String,
    /// Rules to leave out (`--disable` and the config's `rules.disable`).
    pub(crate) disabled: Vec<String>,
    /// Known when chartguard rendered the chart, or when `--namespace` names it.
    pub(crate) release: Option<Release>,
}

/// A rule's verdict on one object, before it is located and reported.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Violation {
    /// Index of the rule in the policy set the evaluator ran.
    pub(crate) rule: usize,
    pub(crate) target: Target,
    pub(crate) message: String,
    pub(crate) related: Vec<Related>,
    /// Overrides the rule's severity for this violation.
    pub(crate) severity: Option<Severity>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Related {
    pub(crate) target: Target,
    pub(crate) message: String,
}

/// Time spent per rule, for `--timings` and the benchmark.
#[derive(Debug, Clone)]
pub(crate) struct Timing {
    pub(crate) rule: String,
    pub(crate) micros: u128,
}

/// Runs rules over an input document. The pipeline does not care how: the CLI evaluates a
/// release on every core ([`Parallel`]), the webhook reuses an engine prepared once per
/// worker ([`Prepared`]).
pub(crate) trait Evaluator {
    /// The rules violations' `rule` indexes point into.
    fn policies(&self) -> &PolicySet;
    /// Every violation (in any order) and, when asked for, the time each rule took.
    fn evaluate(&mut self, input: Value) -> Result<(Vec<Violation>, Vec<Timing>)>;
}

/// An engine holding the libraries and the given rules, ready for an input.
pub(crate) fn engine_for(policies: &PolicySet, rules: &[&Rule]) -> Result<regorus::Engine> {
    let mut engine = regorus::Engine::new();
    engine
        .add_data(params::data(policies))
        .map_err(|e| anyhow!("{e}"))?;
    index::register(&mut engine).map_err(|e| anyhow!("{e}"))?;
    for (file, text) in &policies.libraries {
        engine
            .add_policy(file.clone(), text.clone())
            .map_err(|e| anyhow!("{e}"))?;
    }
    for rule in rules {
        engine
            .add_policy(rule.file.clone(), rule.text.clone())
            .map_err(|e| anyhow!("{e}"))?;
    }
    Ok(engine)
}

impl Options {
    /// Whether `rule` applies to this run: in the profile and not disabled.
    pub(crate) fn runs(&self, rule: &Rule) -> bool {
        rule.meta.profiles.contains(&self.profile) && !self.disabled.contains(&rule.meta.id)
    }
}

/// The rules that apply to this run ([`Options::runs`]).
pub(crate) fn selected<'p>(policies: &'p PolicySet, opts: &Options) -> Vec<(usize, &'p Rule)> {
    policies
        .rules
        .iter()
        .enumerate()
        .filter(|(_, r)| opts.runs(r))
        .collect()
}

/// Every selected rule of a policy set over a whole release, on every core: one query per
/// rule, taken from a queue, and timed (`--timings` prints the times). Rules grouped into a
/// few queries per core cost the same CPU time at 10,000 objects (what regorus computes for
/// the helper packages is not what costs), but the last group ran alone for up to a quarter
/// of the evaluation; one rule at a time leaves the other core idle for one rule at most. The
/// engine comes from `warm` when given (prepared while the chart rendered), else it is
/// prepared here.
pub(crate) struct Parallel<'a> {
    pub(crate) policies: &'a PolicySet,
    pub(crate) opts: &'a Options,
    pub(crate) warm: Option<&'a Warm>,
}

impl Evaluator for Parallel<'_> {
    fn policies(&self) -> &PolicySet {
        self.policies
    }

    fn evaluate(&mut self, input: Value) -> Result<(Vec<Violation>, Vec<Timing>)> {
        // Longest first: source length is a fair guess at a rule's cost, and the costly
        // rules taken first leave the cheap ones to even out the end.
        let mut rules = selected(self.policies, self.opts);
        if rules.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        rules.sort_by_key(|(_, r)| std::cmp::Reverse(r.text.len()));
        let mut engine = match self.warm {
            Some(warm) => warm.engine(self.opts)?,
            None => warm::prepared_engine(self.policies, self.opts)?,
        };
        engine.set_input(input.clone());
        let results = schedule::one_by_one(&engine, &input, &rules);
        // The engine and the input hold the whole release as Rego values.
        crate::parallel::free_later((engine, input));
        let (violations, mut timings) = results?;
        timings.sort_by_key(|t| std::cmp::Reverse(t.micros));
        Ok((violations, timings))
    }
}

/// A selected rule of a [`Prepared`] engine: its index, id and `report` query.
pub(crate) struct PreparedRule {
    index: usize,
    pub(crate) id: String,
    query: String,
}

/// Prepares an engine with the selected rules of `policies`, evaluated once over an empty
/// release so its rules are analysed now and not on the first request.
pub(crate) fn prepare(
    policies: &PolicySet,
    opts: &Options,
) -> Result<(regorus::Engine, Vec<PreparedRule>)> {
    let selected = selected(policies, opts);
    let all: Vec<&Rule> = selected.iter().map(|(_, r)| *r).collect();
    let mut engine = engine_for(policies, &all)?;
    let rules: Vec<PreparedRule> = selected
        .iter()
        .map(|(i, r)| PreparedRule {
            index: *i,
            id: r.meta.id.clone(),
            query: format!("{}.report", r.package),
        })
        .collect();
    engine.set_input(input::build(&[], opts, &[], &[]));
    for rule in &rules {
        engine.eval_rule(rule.query.clone()).map_err(|e| {
            anyhow!(
                "rule {} failed to evaluate: {}",
                rule.id,
                crate::redact::engine_message(&e.to_string())
            )
        })?;
    }
    Ok((engine, rules))
}

/// A prepared engine judging one small input on the calling thread (the webhook: one object
/// per request, many requests in parallel), within a deadline when one is given.
pub(crate) struct Prepared<'a> {
    pub(crate) policies: &'a PolicySet,
    pub(crate) engine: &'a mut regorus::Engine,
    pub(crate) rules: &'a [PreparedRule],
    pub(crate) deadline: Option<&'a deadline::Deadline>,
}

impl Evaluator for Prepared<'_> {
    fn policies(&self) -> &PolicySet {
        self.policies
    }

    fn evaluate(&mut self, input: Value) -> Result<(Vec<Violation>, Vec<Timing>)> {
        if let Some(deadline) = self.deadline {
            deadline.check()?;
        }
        self.engine.set_input(input.clone());
        let mut violations = Vec::new();
        let result = (|| {
            for rule in self.rules {
                if let Some(deadline) = self.deadline {
                    // regorus restarts its execution timer at every eval_rule.
                    deadline.arm(self.engine)?;
                }
                let found =
                    failure::eval_isolated(self.engine, &input, rule.index, &rule.id, &rule.query);
                // A rule the timer stopped did not fail: the review is past its deadline.
                if let Some(deadline) = self.deadline {
                    deadline.check()?;
                }
                violations.extend(found?);
            }
            Ok(())
        })();
        // Free the request's values now rather than keep them until the next request.
        self.engine.set_input(Value::Null);
        result.map(|()| (violations, Vec::new()))
    }
}
