//! Whole-model tests of twopc on the testkit cluster: each buggy variant's
//! failure built by hand, step by step, next to the correct protocol
//! surviving the same steps.
//!
//! Layout: c1 = 0, p1..p3 = 1..3; latency 1 ms, so a transfer begun at 0
//! is prepared at 1 ms, voted on at 2 ms and committed at 3 ms.

use super::*;
use crate::check::Verdict;
use crate::history::OpType;
use crate::metric::MetricValue;
use crate::testkit::{Cluster, Latency};

const MS: u64 = 1_000;
const C1: NodeId = 0;
const P1: NodeId = 1;
const P2: NodeId = 2;
const P3: NodeId = 3;

fn cluster_with(variant: &str, params: Params) -> Cluster<TwoPcModel> {
    let model = crate::model::named::<TwoPcModel>(variant, 4, params).expect("valid model");
    let mut c = Cluster::new(model, 7);
    c.set_latency(Latency::Fixed(MS));
    c
}

fn cluster(variant: &str) -> Cluster<TwoPcModel> {
    cluster_with(variant, Params::default())
}

/// Only the coordinator can end a participant's doubt.
fn no_peers() -> Params {
    Params {
        cooperative_termination: false,
        ..Params::default()
    }
}

/// Customer account `i` of participant `p`.
fn acct(c: &Cluster<TwoPcModel>, p: NodeId, i: u32) -> u32 {
    c.model().layout().account(p, i)
}

/// `amount` from p1's account 1 to p2's account 1 (fee to p3's ledger).
fn transfer(c: &mut Cluster<TwoPcModel>, amount: i64) {
    let (from, to) = (acct(c, P1, 1), acct(c, P2, 1));
    c.client(C1, Op::Transfer(Transfer { from, to, amount }));
}

fn balance(c: &Cluster<TwoPcModel>, p: NodeId, account: u32) -> i64 {
    let node = c
        .node(p)
        .and_then(TwoPcNode::as_participant)
        .expect("participant up");
    node.ledger().balances()[&account]
}

fn in_doubt(c: &Cluster<TwoPcModel>, p: NodeId) -> usize {
    let node = c
        .node(p)
        .and_then(TwoPcNode::as_participant)
        .expect("participant up");
    node.in_doubt().len()
}

fn verdicts(c: &Cluster<TwoPcModel>) -> Vec<(&'static str, &'static str)> {
    c.check().into_iter().map(|(n, v)| (n, v.word())).collect()
}

fn invalid(c: &Cluster<TwoPcModel>) -> Vec<&'static str> {
    let all = c
        .check()
        .into_iter()
        .filter(|(_, v)| matches!(v, Verdict::Invalid { .. }));
    all.map(|(n, _)| n).collect()
}

fn assert_valid(c: &Cluster<TwoPcModel>) {
    assert!(invalid(c).is_empty(), "{:?}", c.check());
}

fn completions(c: &Cluster<TwoPcModel>, kind: OpType) -> usize {
    c.history().ops().filter(|o| o.kind == kind).count()
}

/// Cuts c1 from p2 after the votes are in and before the commit lands,
/// then crashes c1: p2 is prepared and nobody will tell it the outcome.
fn strand_p2(c: &mut Cluster<TwoPcModel>) {
    transfer(c, 30);
    c.run_until(2 * MS + MS / 2);
    c.partition(&[C1], &[P2]);
    c.run_until(2 * MS + 3 * MS / 4);
    c.crash(C1);
    c.run_until(10 * MS);
    assert_eq!(in_doubt(c, P2), 1, "p2 is left prepared");
}

#[test]
fn a_transfer_commits_everywhere_and_moves_money() {
    let mut c = cluster("correct");
    transfer(&mut c, 30);
    c.run_until(50 * MS);
    let (from, to, fees) = (
        acct(&c, P1, 1),
        acct(&c, P2, 1),
        c.model().layout().ledger(P3),
    );
    assert_eq!(balance(&c, P1, from), 100 - 31);
    assert_eq!(balance(&c, P2, to), 130);
    assert_eq!(balance(&c, P3, fees), 1);
    assert_eq!(completions(&c, OpType::Ok), 1);
    assert!((P1..=P3).all(|p| in_doubt(&c, p) == 0));
    assert_valid(&c);
}

#[test]
fn a_no_vote_aborts_everywhere_and_releases_the_locks() {
    let mut c = cluster("correct");
    transfer(&mut c, 500);
    c.run_until(50 * MS);
    assert_eq!(completions(&c, OpType::Fail), 1);
    let fail = c
        .history()
        .ops()
        .find(|o| o.kind == OpType::Fail)
        .expect("a fail");
    assert_eq!(fail.value().get("cause"), Some(&"no-funds".into()));
    assert!((P1..=P3).all(|p| c
        .node(p)
        .and_then(TwoPcNode::as_participant)
        .unwrap()
        .ledger()
        .locked()
        == 0));
    assert_valid(&c);
}

#[test]
fn a_prepared_participant_blocks_until_the_coordinator_recovers() {
    let mut c = cluster_with("correct", no_peers());
    strand_p2(&mut c);
    c.run_until(1_000 * MS);
    assert_eq!(in_doubt(&c, P2), 1, "still blocked after a second");
    c.heal();
    c.restart(C1);
    c.run_until(1_500 * MS);
    assert_eq!(in_doubt(&c, P2), 0);
    assert_eq!(balance(&c, P2, acct(&c, P2, 1)), 130);
    assert_valid(&c);
    let metrics = c.model().metrics(c.history(), &c.check_context());
    let blocking = metrics.iter().find(|m| m.name == "blocking_ms").unwrap();
    let MetricValue::Distribution { samples } = &blocking.value else {
        panic!()
    };
    assert!(samples.iter().any(|&ms| ms > 990.0), "{samples:?}");
}

#[test]
fn termination_fails_while_the_coordinator_stays_down() {
    let mut c = cluster_with("correct", no_peers());
    strand_p2(&mut c);
    c.heal();
    c.run_until(1_000 * MS);
    assert_eq!(invalid(&c), vec!["termination"]);
}

#[test]
fn cooperative_termination_learns_the_outcome_from_a_peer() {
    let mut c = cluster("correct");
    strand_p2(&mut c);
    c.run_until(500 * MS);
    assert_eq!(in_doubt(&c, P2), 0, "p1 or p3 told p2");
    assert_eq!(balance(&c, P2, acct(&c, P2, 1)), 130);
    assert_valid(&c);
}

#[test]
fn no_decision_log_decides_again_differently_after_a_crash() {
    let mut c = cluster_with("no-decision-log", no_peers());
    strand_p2(&mut c);
    c.heal();
    c.restart(C1);
    c.run_until(1_000 * MS);
    assert_eq!(in_doubt(&c, P2), 0);
    assert_eq!(
        balance(&c, P2, acct(&c, P2, 1)),
        100,
        "p2 aborted what p1 committed"
    );
    // Termination too: the restarted coordinator forgot the commit, so it
    // never finishes it.
    assert_eq!(
        invalid(&c),
        vec!["atomicity", "conservation", "client-truth", "termination"]
    );
}

#[test]
fn unilateral_abort_gives_up_on_a_commit() {
    let mut c = cluster_with("unilateral-abort", no_peers());
    strand_p2(&mut c);
    c.run_until(1_000 * MS);
    assert_eq!(in_doubt(&c, P2), 0, "p2 gave up");
    c.heal();
    c.restart(C1);
    c.run_until(1_500 * MS);
    assert_eq!(
        invalid(&c),
        vec!["atomicity", "conservation", "client-truth"]
    );
}

/// p1 (the debit side, short of funds) is paused, so its no vote comes last.
fn slow_no_vote(variant: &str) -> Cluster<TwoPcModel> {
    let mut c = cluster(variant);
    transfer(&mut c, 500);
    c.pause(P1);
    c.run_until(20 * MS);
    c.resume(P1);
    c.run_until(500 * MS);
    c
}

#[test]
fn early_commit_commits_before_the_no_vote() {
    let c = slow_no_vote("early-commit");
    assert_eq!(
        completions(&c, OpType::Ok),
        1,
        "committed on two of three votes"
    );
    assert_eq!(
        invalid(&c),
        vec!["atomicity", "conservation", "client-truth"]
    );
    let correct = slow_no_vote("correct");
    assert_eq!(completions(&correct, OpType::Fail), 1);
    assert_valid(&correct);
}

/// p2 crashes (losing unsynced writes) right after voting yes, and restarts.
fn crash_after_yes(variant: &str) -> Cluster<TwoPcModel> {
    let mut c = cluster(variant);
    transfer(&mut c, 30);
    c.run_until(MS + MS / 2);
    c.crash(P2);
    c.run_until(50 * MS);
    c.restart(P2);
    c.run_until(500 * MS);
    c
}

#[test]
fn vote_before_persist_forgets_a_prepared_transaction() {
    let c = crash_after_yes("vote-before-persist");
    assert_eq!(balance(&c, P2, acct(&c, P2, 1)), 100, "the credit is lost");
    assert_eq!(
        invalid(&c),
        vec!["atomicity", "conservation", "client-truth"]
    );
    let correct = crash_after_yes("correct");
    assert_eq!(balance(&correct, P2, acct(&correct, P2, 1)), 130);
    assert_valid(&correct);
}

#[test]
fn duplicated_messages_change_nothing() {
    let mut c = cluster("correct");
    c.set_duplicate_pct(100);
    for i in 0..20 {
        transfer(&mut c, 1 + i % 7);
        c.run_for(30 * MS);
    }
    c.run_for(500 * MS);
    assert_eq!(completions(&c, OpType::Ok), 20);
    assert_eq!(verdicts(&c).len(), 5);
    assert_valid(&c);
}

#[test]
fn a_coordinator_restart_does_not_reuse_transaction_ids() {
    let mut c = cluster("no-decision-log");
    transfer(&mut c, 1);
    c.run_until(50 * MS);
    c.crash(C1);
    c.restart(C1);
    transfer(&mut c, 1);
    c.run_until(100 * MS);
    let begun: Vec<String> = (c.history().events())
        .filter_map(|e| match &e.event {
            Event::Begun { txn, .. } => Some(txn.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(begun, vec!["c1.1.1", "c1.2.1"]);
}

/// Every event a run records reads back from its `history.jsonl` form.
#[test]
fn events_round_trip_through_their_json_form() {
    let mut stranded = cluster_with("correct", no_peers());
    strand_p2(&mut stranded);
    stranded.heal();
    stranded.restart(C1);
    stranded.run_until(1_500 * MS);
    let runs = [
        stranded,
        crash_after_yes("correct"),
        slow_no_vote("correct"),
    ];
    let mut names = std::collections::BTreeSet::new();
    for c in &runs {
        for e in c.history().events() {
            let text = serde_json::to_string(&e.event).expect("events encode");
            let back: Event = serde_json::from_str(&text).expect("events decode");
            assert_eq!(back, e.event, "{text}");
            names.insert(crate::history::Event::name(&e.event));
        }
    }
    let kinds = [
        "begun",
        "decided",
        "finished",
        "prepared",
        "committed",
        "aborted",
        "recovered",
        "restored",
    ];
    for name in kinds {
        assert!(names.contains(name), "no {name} in {names:?}");
    }
}
