use super::client_ops::ClientOps;
use super::*;
use crate::check::Verdict;
use crate::history::{Entry, OpEntry, OpType, Val};
use crate::name::Name;
use crate::testkit::{Cluster, Latency};

const MS: u64 = 1000;

fn cluster(variant: &str, params: Params) -> Cluster<QuorumModel> {
    let model = crate::model::named::<QuorumModel>(variant, 3, params).unwrap();
    let mut c = Cluster::new(model, 1);
    c.set_latency(Latency::Fixed(MS));
    c
}

/// The completion line of request `req`.
fn outcome(c: &Cluster<QuorumModel>, req: u64) -> (OpType, Val) {
    c.history()
        .ops()
        .filter(|o| o.process == req && o.kind != OpType::Invoke)
        .map(|o| (o.kind, o.value().clone()))
        .last()
        .unwrap_or_else(|| panic!("request {req} not answered"))
}

fn held(c: &Cluster<QuorumModel>, node: usize, key: u32) -> Option<u64> {
    c.node(node)?.replica().get(key).map(|i| i.value)
}

/// The safety checkers pass; progress is not invalid (a few ops in a
/// short history leave it nothing to judge).
fn all_valid(c: &Cluster<QuorumModel>) {
    for (name, v) in c.check() {
        if name == "progress" {
            assert!(!matches!(v, Verdict::Invalid { .. }), "{name}: {v:?}");
        } else {
            assert_eq!(v, Verdict::Valid, "{name}");
        }
    }
}

#[test]
fn a_write_is_read_back_through_another_coordinator() {
    let mut c = cluster("correct", Params::default());
    let w = c.client(0, Op::Write { key: 1, value: 7 });
    c.run_for(20 * MS);
    assert_eq!(outcome(&c, w).0, OpType::Ok);
    let r = c.client(2, Op::Read { key: 1 });
    c.run_for(20 * MS);
    assert_eq!(outcome(&c, r), (OpType::Ok, Val::Int(7)));
    assert!((0..3).all(|n| held(&c, n, 1) == Some(7)));
    all_valid(&c);
}

#[test]
fn blocking_read_repairs_a_replica_that_missed_a_write() {
    let mut c = cluster("correct", Params::default());
    c.partition(&[2], &[0, 1]);
    let w = c.client(0, Op::Write { key: 0, value: 5 });
    c.run_for(600 * MS);
    assert_eq!(outcome(&c, w).0, OpType::Ok);
    assert_eq!(held(&c, 2, 0), None);
    c.heal();
    let r = c.client(2, Op::Read { key: 0 });
    c.run_for(20 * MS);
    assert_eq!(outcome(&c, r), (OpType::Ok, Val::Int(5)));
    assert_eq!(held(&c, 2, 0), Some(5));
    all_valid(&c);
}

#[test]
fn a_write_without_a_quorum_fails_or_is_unknown() {
    let mut c = cluster("correct", Params::default());
    c.partition(&[0], &[1, 2]);
    let w = c.client(0, Op::Write { key: 0, value: 5 });
    c.run_for(600 * MS);
    // One reply (its own) is below R: no version was chosen, nothing stored.
    assert_eq!(outcome(&c, w).0, OpType::Fail);
    assert_eq!(held(&c, 0, 0), None);
}

#[test]
fn cas_compares_with_the_newest_value() {
    let mut c = cluster("correct", Params::default());
    c.client(0, Op::Write { key: 0, value: 1 });
    c.run_for(20 * MS);
    let bad = c.client(
        1,
        Op::Cas {
            key: 0,
            value: (Some(9), 2),
        },
    );
    c.run_for(20 * MS);
    assert_eq!(outcome(&c, bad).0, OpType::Fail);
    let good = c.client(
        1,
        Op::Cas {
            key: 0,
            value: (Some(1), 3),
        },
    );
    c.run_for(20 * MS);
    assert_eq!(outcome(&c, good).0, OpType::Ok);
    // Both are situations; a repair, a hint or anti-entropy were not reached.
    let reached =
        crate::check::situation::reached(situations::SITUATIONS, c.history(), &c.check_context());
    let names: Vec<&str> = (reached.iter())
        .filter(|r| r.entry.is_some())
        .map(|r| r.name)
        .collect();
    assert_eq!(names, ["cas-succeeded", "cas-conflict"]);
    assert_eq!(held(&c, 2, 0), Some(3));
    all_valid(&c);
}

#[test]
fn fsynced_stores_survive_a_crash_and_are_announced() {
    let mut c = cluster("correct", Params::default());
    c.client(0, Op::Write { key: 0, value: 4 });
    c.run_for(20 * MS);
    c.crash(1);
    c.restart(1);
    c.run_for(MS);
    assert_eq!(held(&c, 1, 0), Some(4));
    let restored = c
        .history()
        .events()
        .filter(|e| matches!(e.event, Event::Restored { .. }))
        .count();
    assert_eq!(restored, 4, "three starts and one restart");
}

#[test]
fn hinted_handoff_delivers_a_missed_write_after_heal() {
    let params = Params {
        hinted_handoff: true,
        ..Params::default()
    };
    let mut c = cluster("correct", params);
    c.partition(&[2], &[0, 1]);
    c.client(0, Op::Write { key: 0, value: 5 });
    c.run_for(600 * MS);
    assert_eq!(c.node(0).unwrap().hints(), 1);
    c.heal();
    c.run_for(300 * MS);
    assert_eq!(held(&c, 2, 0), Some(5));
    assert_eq!(c.node(0).unwrap().hints(), 0);
    all_valid(&c);
}

#[test]
fn anti_entropy_repairs_without_reads() {
    let params = Params {
        anti_entropy_ms: 50,
        ..Params::default()
    };
    let mut c = cluster("correct", params);
    c.partition(&[2], &[0, 1]);
    c.client(0, Op::Write { key: 0, value: 5 });
    c.run_for(20 * MS);
    c.heal();
    c.run_for(500 * MS);
    assert_eq!(held(&c, 2, 0), Some(5));
    all_valid(&c);
}

#[test]
fn wall_clock_versions_lose_a_later_write_under_skew() {
    let mut c = cluster("lww-wall-clock", Params::default());
    c.set_clock(0, 100 * MS as i64, 0);
    c.client(0, Op::Write { key: 0, value: 1 });
    c.run_for(20 * MS);
    c.client(1, Op::Write { key: 0, value: 2 });
    c.run_for(20 * MS);
    assert!(
        (0..3).all(|n| held(&c, n, 0) == Some(1)),
        "the later write lost"
    );
    let verdicts: Vec<_> = c.check();
    let lost = verdicts
        .iter()
        .find(|(n, _)| *n == "no-lost-writes")
        .unwrap();
    assert_eq!(lost.1.word(), "invalid");
}

#[test]
fn a_read_that_misses_an_acknowledged_write_is_stale() {
    let mut c = cluster("correct", Params::default());
    c.client(0, Op::Write { key: 0, value: 1 });
    c.run_for(20 * MS);
    let mut h = c.history().clone();
    let at = |t: u64, kind: OpType| {
        let mut op = OpEntry::new(kind, 9, t, Name::from_static("read"));
        op.key = Val::Int(0);
        Entry::Op(op)
    };
    h.push(at(30 * MS, OpType::Invoke));
    h.push(at(31 * MS, OpType::Ok));
    let ops = ClientOps::parse(&h);
    assert_eq!(ops.reads.len(), 1);
    let stale = ops.stale(&ops.reads[0]).expect("stale");
    assert_eq!(stale.missed.value, 1);
    assert!(ops.keys[&0].stale(30 * MS, Some(1)).is_none());
}

#[test]
fn layout_spreads_keys_over_a_ring() {
    let params = Params {
        n: 2,
        r: 1,
        w: 2,
        keys: 4,
        ..Params::default()
    };
    let model = crate::model::named::<QuorumModel>("correct", 3, params).unwrap();
    let l = model.layout();
    assert_eq!(l.replicas(2), vec![2, 0]);
    assert!(l.is_replica(0, 2) && !l.is_replica(1, 2));
    assert_eq!(l.keys_of(1).collect::<Vec<_>>(), vec![0, 1, 3]);
}

#[test]
fn params_out_of_range_are_rejected() {
    let bad = |p: Params| {
        crate::model::named::<QuorumModel>("correct", 3, p)
            .unwrap_err()
            .to_string()
    };
    assert!(bad(Params {
        n: 4,
        ..Params::default()
    })
    .contains("n <= nodes"));
    assert!(bad(Params {
        r: 0,
        ..Params::default()
    })
    .contains("1 <= r"));
    assert!(bad(Params {
        keys: 0,
        ..Params::default()
    })
    .contains("keys"));
    for v in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e12] {
        let e = bad(Params {
            progress_within_ms: v,
            ..Params::default()
        });
        assert!(e.contains("progress_within_ms"), "{e}");
    }
    let e = bad(Params {
        progress_settle_ms: 0.0,
        ..Params::default()
    });
    assert!(e.contains("progress_settle_ms"), "{e}");
    let e = bad(Params {
        convergence_grace_ms: f64::NAN,
        ..Params::default()
    });
    assert!(e.contains("convergence_grace_ms"), "{e}");
}

#[test]
fn sloppy_ack_acknowledges_a_write_w_replicas_never_stored() {
    let params = || Params {
        r: 1,
        w: 3,
        ..Params::default()
    };
    for (variant, expected) in [("correct", OpType::Info), ("sloppy-ack", OpType::Ok)] {
        let mut c = cluster(variant, params());
        c.partition(&[2], &[0, 1]);
        let w = c.client(0, Op::Write { key: 0, value: 3 });
        c.run_for(600 * MS);
        assert_eq!(outcome(&c, w).0, expected, "{variant}");
        assert_eq!(held(&c, 2, 0), None);
    }
}

#[test]
fn convergence_follows_stored_and_restored_events_by_node_name() {
    use crate::history::{EventEntry, History};
    use version::{Version, Versioned};
    let item = Versioned {
        version: Version {
            ts: 1,
            node: 0,
            boot: 1,
        },
        value: 7,
    };
    // Nodes numbered as a file names them, not in server order.
    let names = ["n3", "n1", "n2"].map(Name::from_static).to_vec();
    let mut h = History::<Event>::with_nodes(names);
    let mut record = |time_us: u64, node: usize, event: Event| {
        h.push(Entry::Event(EventEntry {
            time_us,
            node,
            event,
        }))
    };
    for node in 0..3 {
        record(
            node as u64,
            node,
            Event::Stored {
                key: 0,
                item,
                via: Default::default(),
            },
        );
    }
    // n3 restarts and lost the key.
    record(10, 0, Event::Restored { items: vec![] });
    let params = Params {
        convergence_grace_ms: 0.001,
        ..Params::default()
    };
    let model = crate::model::named::<QuorumModel>("correct", 3, params).unwrap();
    let check = |end_us: u64| {
        let ctx = CheckContext {
            nodes: vec![],
            heal_us: 0,
            end_us,
        };
        Convergence::new(Arc::new(model.layout().clone())).check(&h, &ctx)
    };
    assert_eq!(check(5), Verdict::Valid);
    let Verdict::Invalid { violations } = check(20) else {
        panic!("n3 lost key 0");
    };
    assert_eq!(
        violations[0].message,
        "key 0: a replica lacks 7@1, held 0.001 ms before the end: n1=7@1, n2=7@1, n3=absent"
    );
    assert_eq!(violations[0].entries, vec![1, 2]);
}

#[test]
fn every_checker_is_unknown_on_a_history_with_nothing_to_judge() {
    let model = crate::model::named::<QuorumModel>("correct", 3, Params::default()).unwrap();
    let ctx = CheckContext {
        nodes: vec![],
        heal_us: 1_000_000,
        end_us: 2_000_000,
    };
    let empty = crate::history::History::<Event>::default();
    for checker in model.checkers() {
        let v = checker.check(&empty, &ctx);
        assert!(
            matches!(&v, Verdict::Unknown { reason } if reason.contains("judged nothing")),
            "{}: {v:?}",
            checker.name()
        );
    }
}

#[test]
fn a_store_that_answers_nothing_makes_no_progress() {
    let mut c = cluster("timeout-units", Params::default());
    for k in 0..20 {
        c.client(
            k % 3,
            Op::Write {
                key: 0,
                value: k as u64,
            },
        );
        c.client((k + 1) % 3, Op::Read { key: 0 });
        c.run_for(100 * MS);
    }
    c.run_for(1500 * MS);
    let verdicts = c.check();
    let word = |name: &str| verdicts.iter().find(|v| v.0 == name).unwrap().1.word();
    assert_eq!(word("progress"), "invalid");
    assert_eq!(word("linearizable"), "unknown");
    assert_eq!(word("no-lost-writes"), "unknown");
}
