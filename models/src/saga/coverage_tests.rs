//! Tests of what the saga verdicts cover: the checkers' answer on nothing,
//! the progress checker on a stalled shop, the situations reached.

use super::situations::SITUATIONS;
use super::*;
use crate::check::situation::reached;
use crate::check::Verdict;
use crate::history::{Entry, OpEntry, OpType};
use crate::name::Name;
use crate::testkit::Cluster;
use rand::SeedableRng;

const MS: u64 = 1_000;

fn cluster(variant: &str, params: Params) -> Cluster<SagaModel> {
    let model = crate::model::named::<SagaModel>(variant, 1, params).expect("valid model");
    Cluster::new(model, 11)
}

/// Places `n` orders at the entry node, one every 20 ms, then settles.
fn place(c: &mut Cluster<SagaModel>, n: usize) {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    for _ in 0..n {
        let op = c.make_op("order", &mut rng);
        c.client(0, op);
        c.run_for(20 * MS);
    }
    c.run_for(2_000 * MS);
}

fn reached_names(c: &Cluster<SagaModel>) -> Vec<&'static str> {
    let r = reached(SITUATIONS, c.history(), &c.check_context());
    r.into_iter()
        .filter(|r| r.entry.is_some())
        .map(|r| r.name)
        .collect()
}

/// Services that never reject: nothing needs compensating.
fn no_rejects() -> Params {
    let mut p = Params::default();
    for s in [
        &mut p.order,
        &mut p.inventory,
        &mut p.payment,
        &mut p.shipping,
    ] {
        s.reject_rate = 0.0;
    }
    p
}

#[test]
fn every_checker_is_unknown_on_a_history_with_nothing_in_it() {
    let mut c = cluster("correct", Params::default());
    c.run_until(3_000 * MS);
    for (name, v) in c.check() {
        let Verdict::Unknown { reason } = &v else {
            panic!("{name}: {v:?}")
        };
        assert!(reason.contains("judged nothing"), "{name}: {reason}");
    }
}

#[test]
fn orders_that_complete_are_progress_and_a_stall_is_not() {
    let params = Params {
        progress_settle_ms: 100,
        progress_within_ms: 300,
        ..no_rejects()
    };
    let mut c = cluster("correct", params.clone());
    place(&mut c, 60);
    let progress = |c: &Cluster<SagaModel>| {
        let all = c.check().into_iter();
        all.filter(|(n, _)| *n == "saga-progress")
            .map(|(_, v)| v)
            .next()
    };
    assert_eq!(progress(&c), Some(Verdict::Valid));
    // The same orders, none of them ever answered.
    let mut stalled: History<Event> = History::with_nodes(vec![Name::from_static("orchestrator")]);
    let order = Name::intern("order").unwrap();
    for op in c.history().ops().filter(|op| op.kind == OpType::Invoke) {
        stalled.push(Entry::Op(OpEntry::new(
            OpType::Invoke,
            op.process,
            op.time_us,
            order,
        )));
    }
    let check = progress::SagaProgress::of(&params);
    let v = check.check(&stalled, &c.check_context());
    assert!(matches!(v, Verdict::Invalid { .. }), "{v:?}");
}

#[test]
fn rejections_and_duplicates_reach_compensation_and_deduplication() {
    let mut c = cluster("correct", Params::default());
    c.set_duplicate_pct(50);
    place(&mut c, 40);
    let names = reached_names(&c);
    for name in ["compensation-ran", "retry-deduplicated", "saga-compensated"] {
        assert!(names.contains(&name), "{name} not in {names:?}");
    }
    assert!(!names.contains(&"orchestrator-recovered"), "{names:?}");
}

#[test]
fn a_quiet_run_without_rejections_reaches_none() {
    let mut c = cluster("correct", no_rejects());
    place(&mut c, 20);
    assert_eq!(reached_names(&c), Vec::<&str>::new());
}

#[test]
fn a_crash_mid_saga_reaches_recovery() {
    let mut c = cluster("correct", Params::default());
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    for _ in 0..10 {
        let op = c.make_op("order", &mut rng);
        c.client(0, op);
        c.run_for(5 * MS);
    }
    c.crash(0);
    c.run_for(500 * MS);
    c.restart(0);
    c.run_for(3_000 * MS);
    assert!(reached_names(&c).contains(&"orchestrator-recovered"));
}
