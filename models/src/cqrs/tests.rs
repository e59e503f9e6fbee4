//! The cqrs model on the testkit: each mechanism and each mistake, staged by hand.

use super::aggregate::Status;
use super::layout::ReadModel;
use super::views::{Row, RowKey};
use super::{CqrsModel, Event, Op, Params};
use crate::check::Verdict;
use crate::history::EventEntry;
use crate::node::NodeId;
use crate::testkit::Cluster;

const MS: u64 = 1_000;

fn cluster(variant: &str, params: Params) -> Cluster<CqrsModel> {
    Cluster::new(
        crate::model::named::<CqrsModel>(variant, 2, params).unwrap(),
        7,
    )
}

fn proj(c: &Cluster<CqrsModel>, m: ReadModel) -> NodeId {
    c.model().layout().projector(m)
}

/// The verdict word of each checker, in order.
fn verdicts(c: &Cluster<CqrsModel>) -> Vec<(&'static str, &'static str)> {
    c.check().into_iter().map(|(n, v)| (n, v.word())).collect()
}

/// Every checker valid; command-query-progress unknown, since these runs
/// are shorter than its settle + within bound and so judge nothing.
fn all_valid_but_progress(c: &Cluster<CqrsModel>) {
    for (name, word) in verdicts(c) {
        let want = if name == super::CommandQueryProgress::INFO.name {
            "unknown"
        } else {
            "valid"
        };
        assert_eq!(word, want, "{name}");
    }
}

fn invalid(c: &Cluster<CqrsModel>, name: &str) -> bool {
    c.check()
        .iter()
        .any(|(n, v)| *n == name && matches!(v, Verdict::Invalid { .. }))
}

/// Creates order 5 and adds an item worth 10 through command handler 0.
fn create_and_add(c: &mut Cluster<CqrsModel>) {
    c.client(0, Op::Create { key: 5 });
    c.run_for(50 * MS);
    c.client(1, Op::AddItem { key: 5, value: 10 });
    c.run_for(50 * MS);
}

#[test]
fn commands_reach_every_read_model_and_all_checkers_pass() {
    let mut c = cluster("correct", Params::default());
    create_and_add(&mut c);
    c.client(0, Op::Pay { key: 5 });
    c.run_for(500 * MS);
    let orders = c
        .node(proj(&c, ReadModel::Orders))
        .unwrap()
        .as_projector()
        .unwrap();
    assert_eq!(orders.checkpoint_of(5), 3);
    let Some(Row::Order(row)) = orders.rows.get(&RowKey::Order(5)) else {
        panic!("order 5 has an order row")
    };
    assert_eq!(row.status, Status::Paid);
    all_valid_but_progress(&c);
}

#[test]
fn concurrent_commands_conflict_and_retry_unless_versions_are_unchecked() {
    for (variant, duplicate) in [("correct", false), ("no-expected-version", true)] {
        let mut c = cluster(variant, Params::default());
        c.client(0, Op::Create { key: 5 });
        c.run_for(50 * MS);
        c.client(0, Op::AddItem { key: 5, value: 1 });
        c.client(1, Op::AddItem { key: 5, value: 2 });
        c.run_for(500 * MS);
        assert_eq!(invalid(&c, "version-integrity"), duplicate, "{variant}");
        let conflicts = c
            .history()
            .events()
            .filter(|e| matches!(e.event, Event::Conflict { .. }))
            .count();
        assert_eq!(
            conflicts > 0,
            !duplicate,
            "{variant}: the store refuses one"
        );
    }
}

/// Crashes `id` as soon as `busy` says so (checked every 100 us), restarts it 30 ms later.
fn crash_when(c: &mut Cluster<CqrsModel>, id: NodeId, busy: impl Fn(&Cluster<CqrsModel>) -> bool) {
    for _ in 0..5_000 {
        if busy(c) {
            c.crash(id);
            c.run_for(30 * MS);
            c.restart(id);
            return;
        }
        c.run_for(100);
    }
    panic!("node {id} never got busy");
}

#[test]
fn a_projector_crash_mid_write_loses_nothing_unless_the_checkpoint_went_first() {
    for (variant, lost) in [("correct", false), ("checkpoint-first", true)] {
        let params = Params {
            apply_ms: 20,
            ..Params::default()
        };
        let mut c = cluster(variant, params);
        let p = proj(&c, ReadModel::Orders);
        c.client(0, Op::Create { key: 5 });
        c.run_for(100 * MS);
        c.client(0, Op::AddItem { key: 5, value: 3 });
        let busy = |c: &Cluster<CqrsModel>| {
            let n = c.node(p).and_then(|n| n.as_projector());
            n.is_some_and(|n| n.busy.is_some())
        };
        crash_when(&mut c, p, busy);
        c.run_for(500 * MS);
        // The skipped item is the order's last event: only the final rows show it.
        assert_eq!(invalid(&c, "projection-correctness"), lost, "{variant}");
        assert!(!invalid(&c, "exactly-once-apply"), "{variant}");
        c.client(0, Op::AddItem { key: 5, value: 4 });
        c.run_for(500 * MS);
        assert_eq!(
            invalid(&c, "exactly-once-apply"),
            lost,
            "{variant}: now a gap"
        );
    }
}

#[test]
fn a_handler_crash_between_append_and_publish_loses_the_event_in_dual_write() {
    let mut c = cluster("dual-write", Params::default());
    c.client(0, Op::Create { key: 5 });
    let appended = |c: &Cluster<CqrsModel>| {
        let mut events = c.history().events();
        events.any(|e| matches!(e.event, Event::Appended(_)))
    };
    crash_when(&mut c, 0, appended);
    c.run_for(1_000 * MS);
    assert!(invalid(&c, "projection-correctness"), "{:?}", verdicts(&c));
}

#[test]
fn a_relay_crash_republishes_which_only_the_idempotent_projector_absorbs() {
    for (variant, doubled) in [("correct", false), ("non-idempotent-projector", true)] {
        let mut c = cluster(variant, Params::default());
        let relay = c.model().layout().relay();
        c.client(0, Op::Create { key: 5 });
        let is_published = |e: &EventEntry<Event>| matches!(e.event, Event::Published { .. });
        let published = |c: &Cluster<CqrsModel>| c.history().events().any(is_published);
        crash_when(&mut c, relay, published);
        c.run_for(1_000 * MS);
        let republished = c.history().events().filter(|e| is_published(e)).count();
        assert_eq!(
            republished, 2,
            "{variant}: published before and after the crash"
        );
        assert_eq!(invalid(&c, "exactly-once-apply"), doubled, "{variant}");
    }
}

#[test]
fn a_rebuild_resets_the_read_model_and_replays_the_log() {
    let mut c = cluster("correct", Params::default());
    create_and_add(&mut c);
    c.run_for(200 * MS);
    let p = proj(&c, ReadModel::Customers);
    c.client(
        p,
        Op::Rebuild {
            key: "proj-customers",
        },
    );
    c.run_for(200 * MS);
    let done = c
        .history()
        .events()
        .filter(|e| matches!(e.event, Event::RebuildDone { .. }))
        .count();
    assert_eq!(done, 1);
    let n = c.node(p).unwrap().as_projector().unwrap();
    assert_eq!((n.generation, n.checkpoint_of(5)), (1, 2));
    all_valid_but_progress(&c);
}
