//! Safety at quiescence: a saga's effects match how it ended.
//!
//! Folded over the whole run (so effects that land after the saga ended
//! count too): a completed saga left exactly its order's effects — units
//! reserved, amount charged once, one shipment, order confirmed; a
//! compensated saga left none — stock restored, payment refunded, shipment
//! cancelled, order cancelled (if it was created). A saga also ends once.

use super::event::Event;
use super::facts::{fold, signed, Findings, SagaFacts};
use crate::check::{CheckContext, Checker, CheckerInfo, Property, Verdict};
use crate::history::History;

/// Completed sagas did everything once; compensated sagas left nothing.
#[derive(Debug, Clone, Copy)]
pub struct SagaEffects;

impl SagaEffects {
    /// What it judges.
    pub const INFO: CheckerInfo = CheckerInfo {
        name: "saga-effects",
        property: Property::Always,
        description: "a compensated saga leaves no effect (stock restored, payment refunded, shipment and order cancelled); a completed one leaves exactly its own",
    };
}

impl Checker<Event> for SagaEffects {
    fn info(&self) -> &'static CheckerInfo {
        &Self::INFO
    }

    fn check(&self, history: &History<Event>, _ctx: &CheckContext) -> Verdict {
        let mut found = Findings::default();
        let mut judged = false;
        for (saga, f) in fold(history) {
            let Some((line, time_us, completed)) = f.ended else {
                continue;
            };
            judged = true;
            if let Some(problem) = problem(&f, completed) {
                let how = if completed {
                    "completed"
                } else {
                    "compensated"
                };
                let msg = format!("saga {saga} {how} but {problem}");
                let mut entries = f.entries.clone();
                entries.push(line);
                found.add(msg, Some(time_us), entries);
            }
        }
        found.verdict_judged(judged, "no saga ended")
    }
}

fn problem(f: &SagaFacts<'_>, completed: bool) -> Option<String> {
    if f.ends > 1 {
        return Some(format!("ended {} times", f.ends));
    }
    let (qty, amount) = f
        .order
        .map(|o| (i64::from(o.qty), signed(o.amount)))
        .unwrap_or((0, 0));
    let expect = if completed {
        (qty, amount, 1, true, false)
    } else {
        (0, 0, 0, false, f.created)
    };
    let got = (f.reserved, f.charged, f.shipped, f.confirmed, f.cancelled);
    (got != expect).then(|| {
        format!(
            "left reserved {} units (expected {}), charged {} (expected {}), {} shipments (expected {}), confirmed {} (expected {}), cancelled {} (expected {})",
            got.0, expect.0, got.1, expect.1, got.2, expect.2, got.3, expect.3, got.4, expect.4
        )
    })
}
