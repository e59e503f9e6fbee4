//! Checker `retry-budget`: a compensatable forward step (create order,
//! reserve, charge, ship) is called at most `max_attempts` times before
//! the saga compensates, and a `step_retry` is never a first attempt.
//!
//! Retrying for ever is the default of several workflow engines and the
//! mistake behind retry storms: a saga whose payment keeps failing should
//! give the stock back, not hold it while it hammers the payment service.
//! The other checkers pass it as long as some retry succeeds in time.
//! Compensations and `confirm` are retried until done by design and not
//! judged. A recovered orchestrator (`saga_recovered`) may call the step
//! it was waiting on once more: its count restarts there.

use super::event::{Event, Step};
use super::facts::Findings;
use super::msg::Action;
use crate::check::{CheckContext, Checker, CheckerInfo, Property, Verdict};
use crate::history::History;
use std::collections::BTreeMap;

/// At most `max_attempts` calls of a compensatable forward step.
#[derive(Debug, Clone, Copy)]
pub struct RetryBudget {
    /// The orchestrator's `max_attempts`.
    pub max_attempts: u32,
}

impl RetryBudget {
    /// What it judges.
    pub const INFO: CheckerInfo = CheckerInfo {
        name: "retry-budget",
        property: Property::Always,
        description: "a compensatable forward step is called at most max_attempts times (then the saga compensates); a retry is never a first attempt",
    };
}

fn budgeted(action: Action) -> bool {
    Action::FORWARD[..4].contains(&action)
}

impl Checker<Event> for RetryBudget {
    fn info(&self) -> &'static CheckerInfo {
        &Self::INFO
    }

    fn check(&self, history: &History<Event>, _ctx: &CheckContext) -> Verdict {
        let mut found = Findings::default();
        let mut judged = false;
        // Attempts allowed past the budget after each recovery, per saga.
        let mut grace: BTreeMap<u64, u32> = BTreeMap::new();
        for (line, ev) in history.indexed_events() {
            let (saga, action, attempt) = match ev.event {
                Event::SagaRecovered { saga, .. } => {
                    *grace.entry(saga).or_default() += 1;
                    continue;
                }
                Event::StepRetry {
                    saga,
                    step,
                    attempt,
                } => {
                    judged = true;
                    if attempt < 2 {
                        let msg = format!("saga {saga}: {step:?} retry numbered {attempt}");
                        found.add(msg, Some(ev.time_us), vec![line]);
                    }
                    (saga, step, attempt)
                }
                Event::StepDone {
                    saga,
                    step: Step::Call(step),
                    attempts,
                } => (saga, step, attempts),
                _ => continue,
            };
            if !budgeted(action) {
                continue;
            }
            judged = true;
            let allowed = self.max_attempts + grace.get(&saga).copied().unwrap_or(0);
            if attempt > allowed {
                let msg = format!(
                    "saga {saga}: {action:?} called {attempt} times, max_attempts is {}",
                    self.max_attempts
                );
                found.add(msg, Some(ev.time_us), vec![line]);
            }
        }
        found.verdict_judged(judged, "no compensatable step was called")
    }
}
