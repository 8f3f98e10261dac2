//! The decision deadline of one admission review.
//!
//! The API server waits `timeoutSeconds` for an answer and then applies the webhook's
//! `failurePolicy` — with `Ignore`, an object that is merely slow to judge would be admitted
//! unchecked. So every review gets a deadline a little before that, and everything a review
//! waits for (a body slot, the memory budget, a worker, the rules) is bounded by it. The
//! rules are bounded inside the interpreter too: regorus checks an execution timer while it
//! evaluates, so an abandoned evaluation stops burning CPU instead of running to completion
//! after its answer was sent.

use std::num::NonZeroU32;
use std::time::{Duration, Instant};

/// Time kept between the end of evaluation and the deadline, for writing the verdict.
/// Also the time to read the uid of a review that waited for capacity until the end.
pub const ANSWER_MARGIN: Duration = Duration::from_millis(250);
/// Interpreter work units between two clock reads (a clock read costs ~25 ns; a unit is one
/// expression or loop step, well under a microsecond).
const CHECK_INTERVAL: NonZeroU32 = NonZeroU32::new(64).unwrap();

/// When a review must be answered by.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    answer_by: Instant,
    budget: Duration,
}

/// Evaluation was stopped because the deadline passed.
#[derive(Debug)]
pub struct Expired;

impl std::fmt::Display for Expired {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the decision deadline passed")
    }
}

impl std::error::Error for Expired {}

impl Deadline {
    pub fn after(budget: Duration) -> Deadline {
        Deadline {
            answer_by: Instant::now() + budget,
            budget,
        }
    }

    /// The configured time for a whole review (what messages quote).
    pub fn budget(&self) -> Duration {
        self.budget
    }

    /// When the answer must be written.
    pub fn answer_by(&self) -> Instant {
        self.answer_by
    }

    /// When evaluation must have stopped, so its verdict can still be written in time.
    pub fn evaluate_by(&self) -> Instant {
        self.answer_by
            .checked_sub(ANSWER_MARGIN)
            .unwrap_or(self.answer_by)
    }

    pub fn expired(&self) -> bool {
        Instant::now() >= self.evaluate_by()
    }

    /// Checks the deadline between the stages of an evaluation.
    pub fn check(&self) -> Result<(), Expired> {
        if self.expired() {
            Err(Expired)
        } else {
            Ok(())
        }
    }

    /// Before each rule: fails when the deadline has passed, else limits the rule's
    /// evaluation to the time left (regorus restarts its timer at every `eval_rule`, so the
    /// limit must be set again each time).
    pub fn arm(&self, engine: &mut regorus::Engine) -> Result<(), Expired> {
        let left = self
            .evaluate_by()
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
            .ok_or(Expired)?;
        engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
            limit: left,
            check_interval: CHECK_INTERVAL,
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_past_the_deadline_is_stopped_by_the_interpreter() {
        let mut engine = regorus::Engine::new();
        engine
            .add_policy(
                "spin.rego".into(),
                "package spin\nimport rego.v1\ncount_all := count([1 | some i in numbers.range(1, 4000); some j in numbers.range(1, 4000); i != j])\n".into(),
            )
            .unwrap();
        let deadline = Deadline::after(ANSWER_MARGIN + Duration::from_millis(200));
        deadline.arm(&mut engine).unwrap();
        let started = Instant::now();
        let err = engine
            .eval_rule("data.spin.count_all".into())
            .expect_err("stopped by the timer");
        // Generous: the point is that it stops long before the 16 million steps are done.
        assert!(started.elapsed() < Duration::from_secs(5), "{err}");
        assert!(deadline.expired());
        assert!(deadline.arm(&mut engine).is_err());
    }
}
