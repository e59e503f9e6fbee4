//! Liveness: every saga ends, completed or compensated.
//!
//! A saga started at least `settle_ms` before the run ends must have a
//! `saga_completed` or `saga_compensated` event by the end (the liveness
//! phase after heal gives it the time). A stuck saga is named with the last
//! thing that happened to it.

use super::event::Event;
use super::facts::{fold, Findings};
use crate::check::{CheckContext, Checker, CheckerInfo, Property, Verdict};
use crate::history::History;

/// Every saga started early enough ends by the end of the run.
#[derive(Debug, Clone, Copy)]
pub struct SagaTermination {
    /// Sagas started later than `end - settle_us` are not judged.
    pub settle_us: u64,
}

impl SagaTermination {
    /// What it judges.
    pub const INFO: CheckerInfo = CheckerInfo {
        name: "saga-termination",
        property: Property::Eventually,
        description: "every saga ends completed or compensated; none is stuck after heal",
    };
}

impl Checker<Event> for SagaTermination {
    fn info(&self) -> &'static CheckerInfo {
        &Self::INFO
    }

    fn check(&self, history: &History<Event>, ctx: &CheckContext) -> Verdict {
        let deadline_us = ctx.end_us.saturating_sub(self.settle_us);
        let mut found = Findings::default();
        let mut judged = 0;
        for (saga, f) in fold(history) {
            let Some((line, start_us)) = f.started else {
                continue;
            };
            if start_us > deadline_us {
                continue;
            }
            judged += 1;
            if f.ended.is_none() {
                let msg = format!(
                    "saga {saga} started at {} never ended; its last event: {}",
                    crate::check::at_ms(start_us),
                    f.last_name()
                );
                found.add(msg, Some(start_us), vec![line]);
            }
        }
        if judged == 0 {
            let reason = "judged nothing: no saga started early enough to be judged".to_string();
            return Verdict::Unknown { reason };
        }
        found.verdict()
    }
}
