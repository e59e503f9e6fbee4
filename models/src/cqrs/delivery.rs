//! Checker `exactly-once-apply`: no projector applies an event twice or
//! skips one.
//!
//! Per projector and read-model generation (a rebuild starts a new one),
//! the versions it applies of each order must run 1, 2, 3, ...: applying a
//! version it already applied counts an event twice (a redelivery that was
//! not recognised); applying a version beyond the next one means the ones
//! between were lost (never published, or checkpointed but never written).
//! A loss at a stream's tail shows only in `projection-correctness`.

use super::timeline::{Mark, Timeline};
use super::versions::{verdict_of, VIOLATIONS_MAX};
use crate::check::{CheckContext, Checker, Property, Verdict, Violation};
use crate::history::History;
use std::collections::BTreeMap;

/// The `exactly-once-apply` checker.
pub struct ExactlyOnceApply;

impl Checker for ExactlyOnceApply {
    fn name(&self) -> &'static str {
        "exactly-once-apply"
    }
    fn property(&self) -> Property {
        Property::Always
    }
    fn describe(&self) -> &'static str {
        "no read model misses an event or applies one twice (per order, versions apply 1, 2, 3, ...)"
    }
    fn check(&self, history: &History, _ctx: &CheckContext) -> Verdict {
        let t = Timeline::of(history);
        // (projector, order) → (last version applied, its line)
        let mut last: BTreeMap<(&str, u64), (u64, usize)> = BTreeMap::new();
        let mut violations = Vec::new();
        for mark in &t.marks {
            match mark {
                Mark::RebuildStarted(r) => last.retain(|k, _| k.0 != r.projector),
                Mark::Applied(a) => {
                    let key = (a.projector, a.order);
                    let (version, at) = last.get(&key).copied().unwrap_or((0, a.index));
                    if a.version != version + 1 && violations.len() < VIOLATIONS_MAX {
                        violations.push(violation(a, version, at));
                    }
                    last.insert(key, (version.max(a.version), a.index));
                }
                _ => {}
            }
        }
        verdict_of(violations)
    }
}

fn violation(a: &super::timeline::Applied, version: u64, at: usize) -> Violation {
    let message = if a.version <= version {
        format!(
            "{} applied order {} version {} twice (it was at version {version})",
            a.projector, a.order, a.version
        )
    } else {
        format!(
            "{} applied order {} version {} after version {version}: versions {}..{} lost",
            a.projector,
            a.order,
            a.version,
            version + 1,
            a.version - 1
        )
    };
    Violation {
        message,
        time_us: Some(a.time_us),
        entries: vec![at, a.index],
    }
}

#[cfg(test)]
mod tests {
    use super::super::timeline::build::{applied, ctx, ev};
    use super::*;
    use serde_json::json;

    fn first_message(h: &History) -> String {
        match ExactlyOnceApply.check(h, &ctx()) {
            Verdict::Invalid { violations } => violations[0].message.clone(),
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    #[test]
    fn in_order_passes_a_repeat_and_a_skip_fail_a_rebuild_resets() {
        let mut h = History::default();
        applied(&mut h, 1, "p", (4, 1), json!({}));
        applied(&mut h, 2, "q", (4, 1), json!({}));
        applied(&mut h, 3, "p", (4, 2), json!({}));
        ev(&mut h, 4, "p", "rebuild_started", json!({"generation": 1}));
        applied(&mut h, 5, "p", (4, 1), json!({}));
        assert_eq!(ExactlyOnceApply.check(&h, &ctx()), Verdict::Valid);
        let mut twice = h.clone();
        applied(&mut twice, 6, "q", (4, 1), json!({}));
        assert!(first_message(&twice).contains("twice"));
        applied(&mut h, 6, "p", (4, 3), json!({}));
        assert!(first_message(&h).contains("versions 2..2 lost"));
    }
}
