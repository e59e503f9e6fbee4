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
    (got != expect).then(|| differences(got, expect))
}

/// Only the effects that differ from what was expected, so the one
/// mismatch is not buried among the fields that agree.
fn differences(got: Effects, expect: Effects) -> String {
    let mut out = Vec::new();
    let mut differ = |name: &str, g: String, e: String| {
        if g != e {
            out.push(format!("{name} {g} (expected {e})"));
        }
    };
    differ(
        "left reserved",
        format!("{} units", got.0),
        format!("{} units", expect.0),
    );
    differ("charged", got.1.to_string(), expect.1.to_string());
    differ("shipments", got.2.to_string(), expect.2.to_string());
    differ("confirmed", got.3.to_string(), expect.3.to_string());
    differ("cancelled", got.4.to_string(), expect.4.to_string());
    out.join(", ")
}

/// Reserved units, amount charged, shipments, confirmed, cancelled.
type Effects = (i64, i64, i64, bool, bool);

#[cfg(test)]
mod difference_tests {
    #[test]
    fn only_differing_effects_are_named() {
        let text = super::differences((2, 30, 0, false, true), (0, 30, 0, false, true));
        assert_eq!(text, "left reserved 2 units (expected 0 units)");
        let text = super::differences((0, 5, 1, false, true), (0, 0, 0, false, true));
        assert_eq!(text, "charged 5 (expected 0), shipments 1 (expected 0)");
    }
}
