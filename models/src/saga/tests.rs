//! Whole-model tests of the saga model on the testkit cluster, and the
//! checkers on hand-built histories.

use super::*;
use crate::check::{CheckContext, Verdict};
use crate::history::{Entry, EventEntry};
use crate::name::Name;
use crate::testkit::Cluster;
use rand::SeedableRng;

const MS: u64 = 1_000;
const ORCHESTRATOR: NodeId = 0;

fn cluster(variant: &str, params: Params, seed: u64) -> Cluster<SagaModel> {
    let model = crate::model::named::<SagaModel>(variant, 1, params).expect("valid model");
    Cluster::new(model, seed)
}

/// Places `n` orders at the entry node, one every 5 ms.
fn place(c: &mut Cluster<SagaModel>, n: usize, seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for _ in 0..n {
        let op = c.make_op("order", &mut rng);
        c.client(0, op);
        c.run_for(5 * MS);
    }
}

fn verdicts(c: &Cluster<SagaModel>) -> Vec<(&'static str, Verdict)> {
    c.check()
}

fn verdict(c: &Cluster<SagaModel>, name: &str) -> Verdict {
    let all = verdicts(c);
    all.into_iter()
        .find(|(n, _)| *n == name)
        .expect("checker")
        .1
}

fn count(c: &Cluster<SagaModel>, is: impl Fn(&Event) -> bool) -> usize {
    c.history().events().filter(|e| is(&e.event)).count()
}

fn started(e: &Event) -> bool {
    matches!(e, Event::SagaStarted { .. })
}

fn ended(e: &Event) -> bool {
    matches!(
        e,
        Event::SagaCompleted { .. } | Event::SagaCompensated { .. }
    )
}

fn recovered(e: &Event) -> bool {
    matches!(e, Event::SagaRecovered { .. })
}

#[test]
fn nodes_are_laid_out_by_style() {
    let names = |v: &str| -> Vec<String> {
        let m = crate::model::named::<SagaModel>(v, 1, Params::default()).unwrap();
        m.nodes().into_iter().map(|n| n.name).collect()
    };
    assert_eq!(names("correct")[0], "orchestrator");
    assert_eq!(
        names("choreography"),
        ["order", "inventory", "payment", "shipping"]
    );
    assert!(crate::model::named::<SagaModel>("correct", 2, Params::default()).is_err());
}

#[test]
fn both_styles_end_every_saga_under_duplication() {
    for variant in ["correct", "choreography"] {
        let mut c = cluster(variant, Params::default(), 3);
        c.set_duplicate_pct(50);
        place(&mut c, 40, 3);
        c.run_for(3_000 * MS);
        assert_eq!(count(&c, started), 40, "{variant}");
        assert_eq!(count(&c, ended), 40, "{variant}");
        // Orders placed in the first 200 ms are too early for saga-progress.
        for (name, v) in verdicts(&c)
            .into_iter()
            .filter(|(n, _)| *n != "saga-progress")
        {
            assert_eq!(v, Verdict::Valid, "{variant} {name}");
        }
    }
}

/// Places 10 orders, crashes the orchestrator mid-saga, restarts it, settles.
fn crash_mid_saga(variant: &str) -> Cluster<SagaModel> {
    let mut c = cluster(variant, Params::default(), 5);
    place(&mut c, 10, 5);
    c.crash(ORCHESTRATOR);
    c.run_for(500 * MS);
    c.restart(ORCHESTRATOR);
    c.run_for(3_000 * MS);
    c
}

#[test]
fn a_restarted_orchestrator_resumes_from_its_log() {
    let c = crash_mid_saga("correct");
    assert!(count(&c, recovered) > 0, "some sagas were in flight");
    let o = c.node(ORCHESTRATOR).and_then(SagaNode::as_orchestrator);
    assert!(o.expect("orchestrator is up").sagas().is_empty());
    for (name, v) in verdicts(&c)
        .into_iter()
        .filter(|(n, _)| *n != "saga-progress")
    {
        assert_eq!(v, Verdict::Valid, "{name}");
    }
}

#[test]
fn without_a_log_a_restart_forgets_sagas_in_flight() {
    let c = crash_mid_saga("no-saga-log");
    assert_eq!(count(&c, recovered), 0);
    assert!(matches!(
        verdict(&c, "saga-termination"),
        Verdict::Invalid { .. }
    ));
}

/// A history of one node, "inventory" (index 0).
fn history() -> History<Event> {
    History::with_nodes(vec![Name::from_static("inventory")])
}

fn event(h: &mut History<Event>, time_ms: u64, event: Event) {
    h.push(Entry::Event(EventEntry {
        time_us: time_ms * MS,
        node: 0,
        event,
    }));
}

fn ctx() -> CheckContext {
    CheckContext {
        nodes: vec!["inventory".into()],
        heal_us: 0,
        end_us: 10_000 * MS,
    }
}

/// An order of 2 units of sku 0 for 10, by customer 1.
fn order(saga: u64) -> Order {
    Order {
        id: saga,
        customer: 1,
        sku: 0,
        qty: 2,
        amount: 10,
    }
}

#[test]
fn stock_safety_catches_overselling_and_double_release() {
    let check = stock::StockSafety { stock_per_sku: 2 };
    let mut h = history();
    event(&mut h, 1, Event::reserved(&order(1), 0));
    assert_eq!(check.check(&h, &ctx()), Verdict::Valid);
    event(&mut h, 2, Event::released(&order(1), 2));
    event(&mut h, 3, Event::released(&order(1), 4));
    assert!(matches!(check.check(&h, &ctx()), Verdict::Invalid { .. }));
    let mut h = history();
    event(&mut h, 1, Event::reserved(&order(1), 0));
    event(&mut h, 2, Event::reserved(&order(2), -2));
    let Verdict::Invalid { violations } = check.check(&h, &ctx()) else {
        panic!("overselling is caught");
    };
    assert!(violations[0].message.contains("went to -2"));
}

#[test]
fn payment_safety_catches_refunds_beyond_charges() {
    let mut h = history();
    event(&mut h, 1, Event::charged(&order(9)));
    event(&mut h, 2, Event::refunded(&order(9)));
    assert_eq!(payments::PaymentSafety.check(&h, &ctx()), Verdict::Valid);
    event(&mut h, 3, Event::refunded(&order(9)));
    assert!(matches!(
        payments::PaymentSafety.check(&h, &ctx()),
        Verdict::Invalid { .. }
    ));
}
