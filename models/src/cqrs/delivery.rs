//! Checker `exactly-once-apply`: no projector applies an event twice or
//! skips one.
//!
//! Per projector and read-model generation (a rebuild starts a new one),
//! the versions it applies of each order must run 1, 2, 3, ...: applying a
//! version it already applied counts an event twice (a redelivery that was
//! not recognised); applying a version beyond the next one means the ones
//! between were lost (never published, or checkpointed but never written).
//! A loss at a stream's tail shows only in `projection-correctness`.

use super::event::{Applied, Event};
use super::timeline::{self, Mark};
use super::versions::{verdict_of, VIOLATIONS_MAX};
use crate::check::{CheckContext, Checker, CheckerInfo, Property, Verdict, Violation};
use crate::history::History;
use std::collections::BTreeMap;

/// The `exactly-once-apply` checker.
pub struct ExactlyOnceApply;

impl ExactlyOnceApply {
    /// What it judges.
    pub const INFO: CheckerInfo = CheckerInfo {
        name: "exactly-once-apply",
        property: Property::Always,
        description: "no read model misses an event or applies one twice (per order, versions apply 1, 2, 3, ...)",
    };
}

impl Checker<Event> for ExactlyOnceApply {
    fn info(&self) -> &'static CheckerInfo {
        &Self::INFO
    }

    fn check(&self, history: &History<Event>, _ctx: &CheckContext) -> Verdict {
        if timeline::applied(history).next().is_none() {
            return Verdict::Unknown {
                reason: "judged nothing: no projector applied an event".into(),
            };
        }
        // (projector, order) → (last version applied, its line)
        let mut last: BTreeMap<(usize, u64), (u64, usize)> = BTreeMap::new();
        let mut violations = Vec::new();
        for m in timeline::marks(history) {
            match m.data {
                Event::RebuildStarted { .. } => last.retain(|k, _| k.0 != m.node),
                Event::Applied(a) => {
                    let key = (m.node, a.order);
                    let (version, at) = last.get(&key).copied().unwrap_or((0, m.index));
                    if a.version != version + 1 && violations.len() < VIOLATIONS_MAX {
                        let projector = history.node_name(m.node);
                        violations.push(violation(projector, m.with(a), version, at));
                    }
                    last.insert(key, (version.max(a.version), m.index));
                }
                Event::Appended(_)
                | Event::Conflict { .. }
                | Event::Published { .. }
                | Event::Skipped { .. }
                | Event::RebuildDone { .. } => {}
            }
        }
        verdict_of(violations)
    }
}

fn violation(projector: &str, m: Mark<'_, Applied>, version: u64, at: usize) -> Violation {
    let a = m.data;
    let message = if a.version <= version {
        format!(
            "{projector} applied order {} version {} twice (it was at version {version})",
            a.order, a.version
        )
    } else {
        format!(
            "{projector} applied order {} version {} after version {version}: versions {}..{} lost",
            a.order,
            a.version,
            version + 1,
            a.version - 1
        )
    };
    Violation {
        message,
        time_us: Some(m.time_us),
        entries: vec![at, m.index],
    }
}

#[cfg(test)]
mod tests {
    use super::super::timeline::build::{applied, ctx, ev};
    use super::*;

    fn first_message(h: &History<Event>) -> String {
        match ExactlyOnceApply.check(h, &ctx()) {
            Verdict::Invalid { violations } => violations[0].message.clone(),
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    #[test]
    fn no_application_is_unknown() {
        let mut h = History::default();
        ev(&mut h, 1, "p", Event::RebuildStarted { generation: 1 });
        let v = ExactlyOnceApply.check(&h, &ctx());
        assert!(matches!(v, Verdict::Unknown { .. }), "{v:?}");
    }

    #[test]
    fn in_order_passes_a_repeat_and_a_skip_fail_a_rebuild_resets() {
        let mut h = History::default();
        applied(&mut h, 1, "p", (4, 1), None);
        applied(&mut h, 2, "q", (4, 1), None);
        applied(&mut h, 3, "p", (4, 2), None);
        ev(&mut h, 4, "p", Event::RebuildStarted { generation: 1 });
        applied(&mut h, 5, "p", (4, 1), None);
        assert_eq!(ExactlyOnceApply.check(&h, &ctx()), Verdict::Valid);
        let mut twice = h.clone();
        applied(&mut twice, 6, "q", (4, 1), None);
        assert_eq!(
            first_message(&twice),
            "q applied order 4 version 1 twice (it was at version 1)"
        );
        applied(&mut h, 6, "p", (4, 3), None);
        assert!(first_message(&h).contains("versions 2..2 lost"));
    }
}
