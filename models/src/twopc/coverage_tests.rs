//! Tests of what the twopc verdicts cover: the progress checker against a
//! stalled bank, the checkers' answer on nothing, the situations reached.
//!
//! Layout as in [`super::tests`]: c1 = 0, p1..p3 = 1..3, 1 ms latency.

use super::situations::SITUATIONS;
use super::*;
use crate::check::situation::reached;
use crate::check::Verdict;
use crate::testkit::{Cluster, Latency};

const MS: u64 = 1_000;
const C1: NodeId = 0;
const P1: NodeId = 1;
const P2: NodeId = 2;

/// Quick progress bounds, for runs of a second.
fn params() -> Params {
    Params {
        cooperative_termination: false,
        progress_settle_ms: 50,
        progress_within_ms: 200,
        ..Params::default()
    }
}

fn cluster(variant: &str) -> Cluster<TwoPcModel> {
    let model = crate::model::named::<TwoPcModel>(variant, 4, params()).expect("valid model");
    let mut c = Cluster::new(model, 7);
    c.set_latency(Latency::Fixed(MS));
    c
}

/// `amount` from p1's account 1 to p2's account 1.
fn transfer(c: &mut Cluster<TwoPcModel>, amount: i64) {
    let layout = c.model().layout();
    let (from, to) = (layout.account(P1, 1), layout.account(P2, 1));
    c.client(C1, Op::Transfer(Transfer { from, to, amount }));
}

fn verdict(c: &Cluster<TwoPcModel>, name: &str) -> Verdict {
    let all = c.check().into_iter();
    all.filter(|(n, _)| *n == name)
        .map(|(_, v)| v)
        .next()
        .expect("a checker")
}

fn words(c: &Cluster<TwoPcModel>) -> Vec<(&'static str, &'static str)> {
    c.check().into_iter().map(|(n, v)| (n, v.word())).collect()
}

fn reached_names(c: &Cluster<TwoPcModel>) -> Vec<&'static str> {
    let r = reached(SITUATIONS, c.history(), &c.check_context());
    r.into_iter()
        .filter(|r| r.entry.is_some())
        .map(|r| r.name)
        .collect()
}

/// One transfer p1 cannot fund (p2 prepares its credit, then aborts), then
/// a fundable transfer over the same rows every 20 ms for a second.
fn abort_then_transfers(variant: &str) -> Cluster<TwoPcModel> {
    let mut c = cluster(variant);
    transfer(&mut c, 500);
    c.run_until(20 * MS);
    for _ in 0..50 {
        transfer(&mut c, 1);
        c.run_for(20 * MS);
    }
    c.run_for(300 * MS);
    c
}

#[test]
fn leaked_locks_stall_progress_and_nothing_else() {
    let correct = abort_then_transfers("correct");
    assert!(
        words(&correct).iter().all(|(_, w)| *w == "valid"),
        "{:?}",
        words(&correct)
    );
    let leak = abort_then_transfers("leak-locks");
    let Verdict::Invalid { violations } = verdict(&leak, "progress") else {
        panic!("{:?}", words(&leak))
    };
    assert!(
        violations[0].message.contains("no committed transfer"),
        "{violations:?}"
    );
    // Nothing commits, so conservation has nothing to judge; nothing else fails.
    let others = words(&leak).into_iter().filter(|(n, _)| *n != "progress");
    assert!(
        others.into_iter().all(|(_, w)| w != "invalid"),
        "{:?}",
        words(&leak)
    );
}

#[test]
fn every_checker_is_unknown_on_a_history_with_nothing_in_it() {
    let mut c = cluster("correct");
    c.run_until(2_000 * MS);
    for (name, v) in c.check() {
        let Verdict::Unknown { reason } = &v else {
            panic!("{name}: {v:?}")
        };
        assert!(reason.contains("judged nothing"), "{name}: {reason}");
    }
}

/// p2 prepares a transfer p1 cannot fund, aborts it (unsynced) and acks,
/// so c1 forgets it; then p2 crashes, losing the abort, and restarts
/// holding it prepared.
fn lost_abort(variant: &str) -> Cluster<TwoPcModel> {
    let mut c = cluster(variant);
    transfer(&mut c, 500);
    c.run_until(10 * MS);
    c.crash(P2);
    c.restart(P2);
    c.run_until(1_000 * MS);
    c
}

#[test]
fn a_lost_abort_is_presumed_and_without_presumed_abort_blocks() {
    let correct = lost_abort("correct");
    let names = reached_names(&correct);
    assert!(names.contains(&"presumed-abort"), "{names:?}");
    assert!(names.contains(&"inquiry-answered"), "{names:?}");
    assert_eq!(verdict(&correct, "termination"), Verdict::Valid);
    let silent = lost_abort("no-presumed-abort");
    assert!(matches!(
        verdict(&silent, "termination"),
        Verdict::Invalid { .. }
    ));
    assert!(!reached_names(&silent).contains(&"presumed-abort"));
}

#[test]
fn a_crash_before_the_prepare_aborts_and_recovery_is_reached() {
    let mut c = cluster("correct");
    transfer(&mut c, 30);
    c.run_until(MS / 2);
    c.crash(P2);
    c.run_until(400 * MS);
    c.restart(P2);
    c.crash(C1);
    c.restart(C1);
    c.run_until(500 * MS);
    let names = reached_names(&c);
    assert!(
        names.contains(&"abort-after-participant-crash"),
        "{names:?}"
    );
    assert!(
        names.contains(&"coordinator-recovered"),
        "p2 never acked the abort"
    );
    assert!(!names.contains(&"commit-while-partitioned"), "{names:?}");
}

#[test]
fn a_commit_decided_across_a_cut_link_is_reached() {
    let mut c = cluster("correct");
    transfer(&mut c, 30);
    c.run_until(MS + MS / 2); // every participant voted yes
    c.partition(&[C1], &[P2]);
    c.crash(C1);
    c.restart(C1); // its log holds the transfer, undecided: it aborts it
    c.heal();
    transfer(&mut c, 30);
    c.run_until(MS * 5 / 2);
    c.partition(&[P1], &[P2]);
    c.run_until(100 * MS);
    let names = reached_names(&c);
    assert!(names.contains(&"coordinator-recovered"), "{names:?}");
    assert!(names.contains(&"commit-while-partitioned"), "{names:?}");
}

#[test]
fn a_decision_a_participant_never_acknowledges_is_unfinished() {
    let mut c = cluster("correct");
    c.crash(P2); // down before the prepare: the transfer aborts on timeout
    transfer(&mut c, 30);
    c.run_until(500 * MS);
    c.heal(); // decided before heal: it must be finished by the end
    c.run_until(1_000 * MS);
    let Verdict::Invalid { violations } = verdict(&c, "termination") else {
        panic!("{:?}", words(&c))
    };
    assert!(
        violations[0].message.contains("never finished"),
        "{violations:?}"
    );
    c.restart(P2); // the re-sent abort reaches it; it acknowledges
    c.run_until(1_500 * MS);
    assert_eq!(verdict(&c, "termination"), Verdict::Valid);
}

#[test]
fn a_commit_that_books_other_than_its_leg_breaks_conservation() {
    use super::txn::{Leg, TxnId};
    use crate::history::{Entry, EventEntry};
    let names = ["c1", "p1", "p2", "p3"].map(crate::name::Name::from_static);
    let mut h: History<Event> = History::with_nodes(names.to_vec());
    let commit = |seq: u32, delta: i64, after: i64| Event::Committed {
        balances: Box::new([(9, after)]),
        legs: Box::new([Leg { account: 9, delta }]),
        txn: TxnId {
            coord: 0,
            epoch: 1,
            seq,
        },
    };
    for (i, event) in [commit(1, 30, 130), commit(2, 5, 135)]
        .into_iter()
        .enumerate()
    {
        let time_us = (i as u64 + 1) * MS;
        h.push(Entry::Event(EventEntry {
            time_us,
            node: P2,
            event,
        }));
    }
    let ctx = cluster("correct").check_context();
    let check = conservation::Conservation;
    assert_eq!(check.check(&h, &ctx), Verdict::Valid);
    let event = commit(3, 5, 135); // the credit of 5 was not applied
    h.push(Entry::Event(EventEntry {
        time_us: 3 * MS,
        node: P2,
        event,
    }));
    let Verdict::Invalid { violations } = check.check(&h, &ctx) else {
        panic!("a credit not booked must be caught")
    };
    assert!(violations[0].message.contains("held 135"), "{violations:?}");
}
