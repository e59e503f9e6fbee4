//! Whole-model tests of the raft model on the testkit cluster.

use super::*;
use crate::check::Verdict;
use crate::history::OpType;
use crate::metric::MetricValue;
use crate::testkit::{Cluster, Latency};
use rand::{Rng, SeedableRng};

const MS: u64 = 1_000;
const N1: NodeId = 0;
const N2: NodeId = 1;
const N3: NodeId = 2;

fn model(variant: &str, servers: usize, params: Params) -> RaftModel {
    crate::model::named::<RaftModel>(variant, servers, params).expect("valid model")
}

fn cluster(variant: &str, seed: u64) -> Cluster<RaftModel> {
    Cluster::new(model(variant, 3, Params::default()), seed)
}

fn verdict(c: &Cluster<RaftModel>, name: &str) -> Verdict {
    let all = c.check();
    all.into_iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
        .expect("checker exists")
}

/// Every checker valid; leader-op-progress may be unknown, as these runs
/// issue no client ops.
fn all_valid(c: &Cluster<RaftModel>) -> Result<(), String> {
    let no_ops = |n: &str, v: &Verdict| {
        n == LeaderOpProgress::INFO.name && matches!(v, Verdict::Unknown { .. })
    };
    let bad = |(n, v): &(&str, Verdict)| *v != Verdict::Valid && !no_ops(n, v);
    match c.check().into_iter().find(bad) {
        Some((name, v)) => Err(format!("{name}: {v:?}")),
        None => Ok(()),
    }
}

fn leaders(c: &Cluster<RaftModel>) -> Vec<NodeId> {
    c.nodes_with_role("leader")
}

/// Events of `node` that `is` picks.
fn count(c: &Cluster<RaftModel>, is: fn(&Event) -> bool, node: NodeId) -> usize {
    let picked = |e: &&crate::history::EventEntry<Event>| is(&e.event) && e.node == node;
    c.history().events().filter(picked).count()
}

fn became_leader(e: &Event) -> bool {
    matches!(e, Event::BecameLeader { .. })
}

/// Runs in 1 ms steps until some server announces leadership; at most `limit_us`.
fn run_until_leader(c: &mut Cluster<RaftModel>, limit_us: u64) -> Option<NodeId> {
    let end_us = c.now_us() + limit_us;
    while c.now_us() < end_us {
        c.run_for(MS);
        if let Some(&l) = leaders(c).first() {
            return Some(l);
        }
    }
    None
}

#[test]
fn model_lays_out_servers_then_helpers() {
    let m = model("lease", 3, Params::default());
    let names: Vec<_> = m.nodes().into_iter().map(|n| (n.name, n.role)).collect();
    let expected = [("n1", "follower"), ("n2", "follower"), ("n3", "follower")]
        .into_iter()
        .chain([("resource", "resource"), ("lock", "lock")])
        .map(|(n, r)| (n.to_string(), r))
        .collect::<Vec<_>>();
    assert_eq!(names, expected);
    assert_eq!(model("correct", 5, Params::default()).nodes().len(), 6);
    let bad = crate::model::named::<RaftModel>("nope", 3, Params::default()).unwrap_err();
    assert!(matches!(bad, ModelError::UnknownVariant { .. }));
}

#[test]
fn correct_reelects_one_leader_per_term_after_leader_crashes() {
    for seed in 0..30 {
        let mut c = cluster("correct", seed);
        c.set_duplicate_pct(10);
        for round in 0..5 {
            let l = run_until_leader(&mut c, 2_000 * MS).expect("a leader");
            c.run_for(300 * MS);
            assert_eq!(leaders(&c), vec![l], "seed {seed} round {round}");
            c.crash(l);
            c.run_for(1_000 * MS);
            c.restart(l);
        }
        c.heal();
        c.run_for(2_000 * MS);
        let elections = c.history().events().filter(|e| became_leader(&e.event));
        assert!(elections.count() >= 6, "seed {seed}: re-elected every time");
        all_valid(&c).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    }
}

#[test]
fn same_seed_gives_the_same_history() {
    let run = |seed| {
        let mut c = cluster("correct", seed);
        c.run_until(500 * MS);
        c.crash(leaders(&c)[0]);
        c.run_until(1_500 * MS);
        format!("{:?}", c.history())
    };
    assert_eq!(run(9), run(9));
    assert_ne!(run(9), run(10));
}

#[test]
fn correct_survives_random_crashes_partitions_and_duplicates() {
    for seed in 0..40 {
        let mut c = cluster("correct", seed);
        c.set_latency(Latency::Uniform(MS, 20 * MS));
        c.set_duplicate_pct(20);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        for _ in 0..10 {
            random_fault(&mut c, &mut rng);
            c.run_for(rng.gen_range(50..800) * MS);
            let leaders_now = leaders(&c).len();
            assert!(
                leaders_now <= 2,
                "seed {seed}: stale leaders are at most one per partition"
            );
        }
        c.heal();
        for s in 0..3 {
            if !c.is_up(s) {
                c.restart(s);
            }
        }
        c.run_for(3_000 * MS);
        all_valid(&c).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    }
}

fn random_fault(c: &mut Cluster<RaftModel>, rng: &mut rand_chacha::ChaCha8Rng) {
    let s = rng.gen_range(0..3);
    match rng.gen_range(0..3) {
        0 if c.is_up(s) => c.crash(s),
        0 => c.restart(s),
        1 => {
            c.heal();
            let rest: Vec<NodeId> = (0..3).filter(|&o| o != s).collect();
            c.partition(&[s], &rest);
        }
        _ => c.heal(),
    }
}

/// n1 and n3 cannot talk; n2 hears both. Once someone leads, n2 (the swing
/// voter) optionally crashes and restarts at once; a candidate on the far
/// side may then collect n2's vote in the same term.
fn swing_voter_run(variant: &str, seed: u64, crash_voter: bool) -> Cluster<RaftModel> {
    let mut c = cluster(variant, seed);
    c.partition(&[N1], &[N3]);
    let first = run_until_leader(&mut c, 2_000 * MS);
    if crash_voter && first.is_some_and(|l| l != N2) {
        c.crash(N2);
        c.restart(N2);
    }
    c.run_for(1_000 * MS);
    c
}

/// Seeds in `0..seeds` whose swing-voter run breaks election safety.
fn split_brain_seeds(variant: &str, crash_voter: bool, seeds: u64) -> Vec<u64> {
    (0..seeds)
        .filter(|&seed| {
            let c = swing_voter_run(variant, seed, crash_voter);
            verdict(&c, "election-safety") != Verdict::Valid
        })
        .collect()
}

#[test]
fn forget_vote_elects_two_leaders_when_the_voter_restarts() {
    let bad = split_brain_seeds("forget-vote", true, 300);
    assert!(!bad.is_empty(), "no seed of 300 broke forget-vote");
    let c = swing_voter_run("forget-vote", bad[0], true);
    assert_ne!(
        verdict(&c, "fenced-work"),
        Verdict::Valid,
        "both leaders wrote"
    );
    assert_eq!(split_brain_seeds("correct", true, 300), Vec::<u64>::new());
    assert_eq!(
        split_brain_seeds("forget-vote", false, 100),
        Vec::<u64>::new()
    );
}

#[test]
fn no_term_check_elects_two_leaders_across_a_partition() {
    let bad = split_brain_seeds("no-term-check", false, 300);
    assert!(!bad.is_empty(), "no seed of 300 broke no-term-check");
    assert_eq!(split_brain_seeds("correct", false, 300), Vec::<u64>::new());
}

#[test]
fn a_shorter_log_never_wins_against_a_longer_log_majority() {
    let n1_wins = |log_lengths: Vec<u64>| {
        let params = Params {
            log_lengths,
            ..Params::default()
        };
        (0..20).any(|seed| {
            let mut c = Cluster::new(model("correct", 3, params.clone()), seed);
            for _ in 0..4 {
                let Some(l) = run_until_leader(&mut c, 3_000 * MS) else {
                    break;
                };
                c.crash(l);
                c.run_for(500 * MS);
                c.restart(l);
            }
            count(&c, became_leader, N1) > 0
        })
    };
    assert!(
        n1_wins(vec![0, 0, 0]),
        "control: with equal logs n1 sometimes wins"
    );
    assert!(
        !n1_wins(vec![0, 5, 5]),
        "n1's shorter log must lose every vote"
    );
}

#[test]
fn followers_answer_who_leads() {
    let mut c = cluster("correct", 4);
    let l = run_until_leader(&mut c, 2_000 * MS).expect("a leader");
    c.run_for(100 * MS);
    let follower = (l + 1) % 3;
    let req = c.client(follower, Op::Leader);
    c.run_for(MS);
    let done = |o: &&crate::history::OpEntry| o.process == req && o.kind != OpType::Invoke;
    let reply = c.history().ops().find(done).expect("answered");
    assert_eq!((reply.kind, reply.f()), (OpType::Ok, "leader"));
    let leader = reply.value().get("leader").and_then(|v| v.as_str());
    assert_eq!(leader, Some(layout::server_name(l).as_str()));
}

#[test]
fn downtime_is_measured_per_leader_crash() {
    let mut c = cluster("correct", 2);
    let l = run_until_leader(&mut c, 2_000 * MS).expect("a leader");
    c.run_for(200 * MS);
    c.crash(l);
    c.run_for(2_000 * MS);
    let ms = c.model().metrics(c.history(), &c.check_context());
    let downtime = &ms
        .iter()
        .find(|m| m.name == "downtime_ms")
        .expect("metric")
        .value;
    let MetricValue::Distribution { samples } = downtime else {
        panic!("a distribution");
    };
    assert_eq!(samples.len(), 1);
    assert!((150.0..700.0).contains(&samples[0]), "{samples:?}");
}

/// Lets a lease holder start a write, pauses it for 3 s, then resumes it.
fn paused_holder_run(variant: &str, seed: u64) -> Cluster<RaftModel> {
    let mut c = Cluster::new(model(variant, 3, Params::default()), seed);
    c.run_until(2_000 * MS); // a work check happens at every 100 ms mark
    let holder = leaders(&c)[0];
    c.run_until(2_005 * MS); // its write is now in its 20 ms window
    c.pause(holder);
    c.run_for(3_000 * MS);
    c.resume(holder);
    c.run_for(2_000 * MS);
    c
}

#[test]
fn a_paused_lease_holder_breaks_unfenced_work_but_not_fenced() {
    for seed in 0..5 {
        let c = paused_holder_run("lease", seed);
        assert_ne!(verdict(&c, "fenced-work"), Verdict::Valid, "seed {seed}");
        assert_eq!(verdict(&c, "election-safety"), Verdict::Valid);
        let c = paused_holder_run("lease-fenced", seed);
        all_valid(&c).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        let rejected = c
            .history()
            .events()
            .filter(|e| matches!(e.event, Event::WorkRejected { .. }));
        assert!(
            rejected.count() >= 1,
            "seed {seed}: the stale write was fenced off"
        );
    }
}

#[test]
fn lease_holders_survive_crashes_and_stay_live() {
    for seed in 0..10 {
        let mut c = Cluster::new(model("lease-fenced", 3, Params::default()), seed);
        for _ in 0..3 {
            let l = run_until_leader(&mut c, 3_000 * MS).expect("a holder");
            c.crash(l);
            c.run_for(1_500 * MS); // past the TTL: someone else takes over
            c.restart(l);
        }
        c.heal();
        c.run_for(3_000 * MS);
        all_valid(&c).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        let lock = c.model().layout().lock().expect("a lease variant");
        let granted = |e: &Event| matches!(e, Event::LockGranted { .. });
        assert!(count(&c, granted, lock) >= 4, "seed {seed}: new holders");
    }
}

/// Cuts the lease holder off from the lock (not from the resource) while
/// the lock's clock runs `lock_drift_ppm` fast: its 3 s TTL ends early.
fn cut_off_holder_run(variant: &str, seed: u64, lock_drift_ppm: i64) -> Cluster<RaftModel> {
    let params = Params {
        lease_ttl_ms: 3_000,
        ..Params::default()
    };
    let mut c = Cluster::new(model(variant, 3, params), seed);
    let lock = c.model().layout().lock().expect("a lease variant");
    c.set_clock(lock, 0, lock_drift_ppm);
    let holder = run_until_leader(&mut c, 2_000 * MS).expect("a holder");
    c.run_for(500 * MS);
    c.partition(&[holder], &[lock]);
    c.run_for(6_000 * MS);
    c
}

#[test]
fn a_fast_lock_clock_breaks_unfenced_leases_only() {
    let fenced_work = |variant, seed, drift| {
        let c = cut_off_holder_run(variant, seed, drift);
        verdict(&c, "fenced-work") == Verdict::Valid
    };
    for seed in 0..20 {
        assert!(
            !fenced_work("lease", seed, 500_000),
            "seed {seed}: two holders wrote"
        );
        assert!(
            fenced_work("lease", seed, 0),
            "seed {seed}: without drift the TTL holds"
        );
        assert!(fenced_work("lease-fenced", seed, 500_000), "seed {seed}");
    }
}
