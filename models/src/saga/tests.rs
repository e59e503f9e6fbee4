//! Whole-model tests of the saga model on the testkit cluster, and the
//! checkers on hand-built histories.

use super::*;
use crate::check::{CheckContext, Verdict};
use crate::history::{Entry, EventEntry};
use crate::testkit::Cluster;
use rand::SeedableRng;
use serde_json::json;

const MS: u64 = 1_000;
const ORCHESTRATOR: NodeId = 0;

fn cluster(variant: &str, params: Params, seed: u64) -> Cluster<SagaModel> {
    let model = SagaModel::new(variant, 1, params).expect("valid model");
    Cluster::new(model, seed)
}

/// Places `n` orders at the entry node, one every 5 ms.
fn place(c: &mut Cluster<SagaModel>, n: usize, seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for _ in 0..n {
        let op = c.model().make_op("order", &mut rng);
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

fn count(c: &Cluster<SagaModel>, event: &str) -> usize {
    c.history().events().filter(|e| e.name == event).count()
}

#[test]
fn nodes_are_laid_out_by_style() {
    let names = |v: &str| -> Vec<String> {
        let m = SagaModel::new(v, 1, Params::default()).unwrap();
        m.nodes().into_iter().map(|n| n.name).collect()
    };
    assert_eq!(names("correct")[0], "orchestrator");
    assert_eq!(
        names("choreography"),
        ["order", "inventory", "payment", "shipping"]
    );
    assert!(SagaModel::new("correct", 2, Params::default()).is_err());
}

#[test]
fn both_styles_end_every_saga_under_duplication() {
    for variant in ["correct", "choreography"] {
        let mut c = cluster(variant, Params::default(), 3);
        c.set_duplicate_pct(50);
        place(&mut c, 40, 3);
        c.run_for(3_000 * MS);
        assert_eq!(count(&c, "saga_started"), 40, "{variant}");
        let ended = count(&c, "saga_completed") + count(&c, "saga_compensated");
        assert_eq!(ended, 40, "{variant}");
        for (name, v) in verdicts(&c) {
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
    assert!(count(&c, "saga_recovered") > 0, "some sagas were in flight");
    let o = c.node(ORCHESTRATOR).and_then(SagaNode::as_orchestrator);
    assert!(o.expect("orchestrator is up").sagas().is_empty());
    for (name, v) in verdicts(&c) {
        assert_eq!(v, Verdict::Valid, "{name}");
    }
}

#[test]
fn without_a_log_a_restart_forgets_sagas_in_flight() {
    let c = crash_mid_saga("no-saga-log");
    assert_eq!(count(&c, "saga_recovered"), 0);
    assert!(matches!(
        verdict(&c, "saga-termination"),
        Verdict::Invalid { .. }
    ));
}

fn event(h: &mut History, time_ms: u64, name: &str, data: serde_json::Value) {
    h.push(Entry::Event(EventEntry {
        time_us: time_ms * MS,
        node: "inventory".into(),
        name: name.into(),
        data,
    }));
}

fn ctx() -> CheckContext {
    CheckContext {
        nodes: vec!["inventory".into()],
        heal_us: 0,
        end_us: 10_000 * MS,
    }
}

#[test]
fn stock_safety_catches_overselling_and_double_release() {
    let check = stock::StockSafety { stock_per_sku: 2 };
    let mut h = History::default();
    let units = |saga: u64, stock: i64| json!({"saga": saga, "sku": 0, "qty": 2, "stock": stock});
    event(&mut h, 1, "reserved", units(1, 0));
    assert_eq!(check.check(&h, &ctx()), Verdict::Valid);
    event(&mut h, 2, "released", units(1, 2));
    event(&mut h, 3, "released", units(1, 4));
    assert!(matches!(check.check(&h, &ctx()), Verdict::Invalid { .. }));
    let mut h = History::default();
    event(&mut h, 1, "reserved", units(1, 0));
    event(&mut h, 2, "reserved", units(2, -2));
    let Verdict::Invalid { violations } = check.check(&h, &ctx()) else {
        panic!("overselling is caught");
    };
    assert!(violations[0].message.contains("went to -2"));
}

#[test]
fn payment_safety_catches_refunds_beyond_charges() {
    let mut h = History::default();
    let money = json!({"saga": 9, "customer": 1, "amount": 10});
    event(&mut h, 1, "charged", money.clone());
    event(&mut h, 2, "refunded", money.clone());
    assert_eq!(payments::PaymentSafety.check(&h, &ctx()), Verdict::Valid);
    event(&mut h, 3, "refunded", money);
    assert!(matches!(
        payments::PaymentSafety.check(&h, &ctx()),
        Verdict::Invalid { .. }
    ));
}
