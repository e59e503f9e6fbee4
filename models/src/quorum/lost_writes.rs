//! No acknowledged write is lost (always; meaningful once R + W > N).
//!
//! A write acknowledged before a read began must be visible to that read:
//! the read returns it or something written after it began (see
//! [`super::client_ops`] for "stale"). The state the replicas converge to
//! is judged the same way, as a read at the end of the run, so a write
//! that no later read happened to touch is still caught if it vanished.
//! With no acknowledged write there is nothing to lose: `unknown`.

use super::client_ops::{ClientOps, Stale};
use super::convergence::{holdings, newest_per_key};
use super::event::Event;
use super::layout::Layout;
use crate::check::{at_ms, CheckContext, Checker, CheckerInfo, Property, Verdict, Violation};
use crate::history::History;
use std::sync::Arc;

/// At most this many lost writes are reported.
const REPORTED_MAX: usize = 8;

/// The lost-write checker.
pub struct LostWrites {
    layout: Arc<Layout>,
}

impl LostWrites {
    /// The checker for `layout`.
    pub fn new(layout: Arc<Layout>) -> LostWrites {
        LostWrites { layout }
    }
}

fn violation(key: u64, what: String, at_us: u64, mut entries: Vec<usize>, s: &Stale) -> Violation {
    let returned = s.returned.map_or("nothing".to_string(), |w| {
        format!(
            "{} (acknowledged at {})",
            w.value,
            at_ms(w.ack_us.unwrap_or(0))
        )
    });
    entries.push(s.missed.entries.0);
    entries.extend(s.missed.entries.1);
    entries.sort_unstable();
    Violation {
        message: format!(
            "key {key}: write of {} acknowledged at {} is lost: {what} returned {returned}, \
             written before that write began",
            s.missed.value,
            at_ms(s.missed.ack_us.unwrap_or(0)),
        ),
        time_us: Some(at_us),
        entries,
    }
}

impl LostWrites {
    /// What it judges.
    pub const INFO: CheckerInfo = CheckerInfo {
        name: "no-lost-writes",
        property: Property::Always,
        description: "(R + W > N) a read, and the final replica state, reflect every write acknowledged before it began",
    };
}

impl Checker<Event> for LostWrites {
    fn info(&self) -> &'static CheckerInfo {
        &Self::INFO
    }

    fn check(&self, history: &History<Event>, ctx: &CheckContext) -> Verdict {
        let ops = ClientOps::parse(history);
        let mut found: Vec<Violation> = ops
            .reads
            .iter()
            .filter_map(|r| {
                let s = ops.stale(r)?;
                let what = format!("the read invoked at {}", at_ms(r.span_us.0));
                let entries = vec![r.entries.0, r.entries.1];
                Some(violation(r.key, what, r.span_us.1, entries, &s))
            })
            .take(REPORTED_MAX)
            .collect();
        let held = holdings(&self.layout, history, ctx.end_us);
        let finals = newest_per_key(&self.layout, &held);
        for (key, writes) in &ops.keys {
            let last = u32::try_from(*key).ok().and_then(|k| finals.get(&k));
            if let Some(s) = writes.stale(ctx.end_us, last.map(|l| l.0.value)) {
                let what = "the newest replica state at the end".to_string();
                let entries = last.map(|l| vec![l.1]).unwrap_or_default();
                found.push(violation(*key, what, ctx.end_us, entries, &s));
            }
        }
        found.truncate(REPORTED_MAX);
        let acked = ops
            .keys
            .values()
            .any(|k| k.writes.iter().any(|w| w.ack_us.is_some()));
        match (found.is_empty(), acked) {
            (false, _) => Verdict::Invalid { violations: found },
            (true, true) => Verdict::Valid,
            (true, false) => Verdict::Unknown {
                reason: "judged nothing: no write or cas was acknowledged".into(),
            },
        }
    }
}
