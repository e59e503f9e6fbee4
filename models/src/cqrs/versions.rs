//! Checker `version-integrity`: every order's stream has versions 1, 2, 3,
//! ... in append order: no gap, no version stored twice.
//!
//! Optimistic concurrency exists to make this hold when two handlers
//! decide on the same version at once; `no-expected-version` breaks it.

use super::event::Event;
use super::timeline;
use crate::check::{CheckContext, Checker, CheckerInfo, Property, Verdict, Violation};
use crate::history::History;
use std::collections::BTreeMap;

/// Most violations reported.
pub const VIOLATIONS_MAX: usize = 10;

/// Valid without violations, else invalid with them.
pub fn verdict_of(violations: Vec<Violation>) -> Verdict {
    if violations.is_empty() {
        Verdict::Valid
    } else {
        Verdict::Invalid { violations }
    }
}

/// Unknown when the store appended nothing: a checker of the store's log
/// judged nothing.
pub fn nothing_appended(history: &History<Event>) -> Option<Verdict> {
    timeline::appended(history)
        .next()
        .is_none()
        .then(|| Verdict::Unknown {
            reason: "judged nothing: the store appended no event".into(),
        })
}

/// The `version-integrity` checker.
pub struct VersionIntegrity;

impl VersionIntegrity {
    /// What it judges.
    pub const INFO: CheckerInfo = CheckerInfo {
        name: "version-integrity",
        property: Property::Always,
        description:
            "the event store's per-order versions run 1, 2, 3, ... with no gap and no duplicate",
    };
}

impl Checker<Event> for VersionIntegrity {
    fn info(&self) -> &'static CheckerInfo {
        &Self::INFO
    }

    fn check(&self, history: &History<Event>, _ctx: &CheckContext) -> Verdict {
        if let Some(unknown) = nothing_appended(history) {
            return unknown;
        }
        let mut last: BTreeMap<u64, (u64, usize)> = BTreeMap::new();
        let mut violations = Vec::new();
        for a in timeline::appended(history) {
            let e = a.data;
            let (version, at) = last.get(&e.order).copied().unwrap_or((0, a.index));
            if e.version != version + 1 && violations.len() < VIOLATIONS_MAX {
                let what = if e.version <= version {
                    "a duplicate"
                } else {
                    "a gap"
                };
                violations.push(Violation {
                    message: format!(
                        "order {} got version {} after version {version}: {what}",
                        e.order, e.version
                    ),
                    time_us: Some(a.time_us),
                    entries: vec![at, a.index],
                });
            }
            last.insert(e.order, (version.max(e.version), a.index));
        }
        verdict_of(violations)
    }
}

#[cfg(test)]
mod tests {
    use super::super::domain::Body;
    use super::super::timeline::build::{appended, ctx};
    use super::*;

    #[test]
    fn no_append_is_unknown() {
        let h = History::default();
        let v = VersionIntegrity.check(&h, &ctx());
        assert!(matches!(v, Verdict::Unknown { .. }), "{v:?}");
    }

    #[test]
    fn dense_versions_pass_and_a_repeated_version_fails() {
        let mut h = History::default();
        appended(&mut h, 1, 7, 1, 1, Body::Created { customer: 3 });
        appended(&mut h, 2, 8, 1, 2, Body::Created { customer: 0 });
        appended(&mut h, 3, 7, 2, 3, Body::ItemAdded { amount: 5 });
        assert_eq!(VersionIntegrity.check(&h, &ctx()), Verdict::Valid);
        appended(&mut h, 4, 7, 2, 4, Body::Cancelled);
        let Verdict::Invalid { violations } = VersionIntegrity.check(&h, &ctx()) else {
            panic!("a repeated version must fail")
        };
        assert!(
            violations[0].message.contains("duplicate"),
            "{violations:?}"
        );
        assert_eq!(violations[0].entries, vec![2, 3]);
    }
}
