//! Raft's `downtime_ms` on the real engine, one fault kind at a time: a
//! crash, a pause, an isolating partition or a one-way cut of the leader
//! each give one sample (a cut the other way, deaf but heard, none: see
//! its test); a skew of the leader gives none (Raft reads no
//! clock but its timers, which a step does not move); a drift that slows
//! the leader's heartbeats past the followers' timeouts gives one, from
//! the drift. Samples run from the fault until every other server knows a
//! newer leader (see `faultline_models::raft::metrics`).

use faultline_models::{FaultKind, MetricValue};
use faultline_sim::registry::Registry;
use faultline_sim::run::RunOutcome;
use faultline_sim::scenario::Source;
use std::path::PathBuf;

/// Five servers, one client, 12 s of safety phase; `faults` appended.
fn scenario(params: &str, faults: &str) -> String {
    format!(
        r#"name = "raft-downtime"
[protocol]
name = "raft"
nodes = 5
{params}
[network]
latency = {{ dist = "uniform", min_ms = 1, max_ms = 10 }}
[workload]
clients = 1
rate_per_s = 5
[run]
duration_ms = 12000
converge_ms = 3000
{faults}"#
    )
}

fn run_text(text: String, seed: u64) -> RunOutcome {
    let source = Source {
        path: PathBuf::from("raft-downtime.toml"),
        text,
    };
    let scenario = Registry::builtin()
        .load_source(source)
        .unwrap_or_else(|e| panic!("{e}"));
    scenario.run(seed)
}

fn run_file(path: &str, seed: u64) -> RunOutcome {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path);
    let scenario = Registry::builtin()
        .load(&full)
        .unwrap_or_else(|e| panic!("{e}"));
    scenario.run(seed)
}

fn downtime(o: &RunOutcome) -> Vec<f64> {
    let m = o.metrics.iter().find(|m| m.name == "downtime_ms");
    match &m.expect("a downtime metric").value {
        MetricValue::Distribution { samples } => samples.clone(),
        other => panic!("downtime is a distribution, got {other:?}"),
    }
}

/// Faults of `kind` that hit someone.
fn effective(o: &RunOutcome, kind: FaultKind) -> usize {
    let hit = |f: &&faultline_sim::fault::AppliedFault| f.kind == kind && f.effective;
    o.timeline.iter().filter(hit).count()
}

/// Asserts `o` is valid, has one sample per effective fault of `kind`,
/// each in `range_ms`; returns the samples.
fn one_sample_per_fault(o: &RunOutcome, kind: FaultKind, range_ms: (f64, f64)) -> Vec<f64> {
    assert_eq!(o.verdict(), "valid", "seed {}", o.seed);
    let samples = downtime(o);
    let faults = effective(o, kind);
    assert!(
        faults >= 5,
        "seed {}: only {faults} {kind} faults hit",
        o.seed
    );
    assert_eq!(samples.len(), faults, "seed {}: {samples:?}", o.seed);
    let (lo, hi) = range_ms;
    assert!(
        samples.iter().all(|d| (lo..hi).contains(d)),
        "seed {}: {samples:?} not all in {lo}..{hi} ms",
        o.seed
    );
    samples
}

/// Ten faults of `kind` on the leader, 1 s apart, each lasting `for_ms`.
fn on_the_leader(kind_and_keys: &str, for_ms: u64) -> String {
    format!(
        "[[faults]]\nat_ms = 1000\nfor_ms = {for_ms}\n{kind_and_keys}\nrepeat = 10\nevery_ms = 1000\n"
    )
}

#[test]
fn a_crashed_leader_gives_one_sample_per_crash() {
    for seed in 1..=3 {
        let faults = on_the_leader("kind = \"crash\"\ntarget = \"leader\"", 400);
        let o = run_text(scenario("", &faults), seed);
        one_sample_per_fault(&o, FaultKind::Crash, (100.0, 1_000.0));
    }
}

#[test]
fn a_paused_leader_gives_one_sample_per_pause() {
    for seed in 1..=3 {
        let faults = on_the_leader("kind = \"pause\"\ntarget = \"leader\"", 600);
        let o = run_text(scenario("", &faults), seed);
        one_sample_per_fault(&o, FaultKind::Pause, (100.0, 1_000.0));
    }
}

#[test]
fn an_isolated_leader_gives_one_sample_per_partition() {
    for seed in 1..=3 {
        let keys = "kind = \"partition\"\nsplit = \"isolate\"\ntarget = \"leader\"";
        let o = run_text(scenario("", &on_the_leader(keys, 600)), seed);
        one_sample_per_fault(&o, FaultKind::Partition, (100.0, 1_000.0));
    }
}

#[test]
fn a_leader_that_cannot_send_gives_one_sample_per_cut() {
    let keys = "kind = \"one-way\"\nfrom = [\"leader\"]\nto = [\"follower\"]";
    for seed in 1..=3 {
        let o = run_text(scenario("", &on_the_leader(keys, 600)), seed);
        one_sample_per_fault(&o, FaultKind::OneWay, (100.0, 1_000.0));
    }
}

#[test]
fn a_leader_that_cannot_hear_is_removed_but_never_replaced() {
    // The rule counts a leader cut off either way as removed (Raft needs
    // both ways), but this election-only model has no check-quorum: the
    // deaf leader's heartbeats still arrive, nobody runs for election, so
    // there is no recovery to measure and no sample.
    let keys = "kind = \"one-way\"\nfrom = [\"follower\"]\nto = [\"leader\"]";
    for seed in 1..=3 {
        let o = run_text(scenario("", &on_the_leader(keys, 600)), seed);
        assert!(effective(&o, FaultKind::OneWay) >= 10, "seed {seed}");
        assert_eq!(downtime(&o), Vec::<f64>::new(), "seed {seed}");
        let changes = o.metrics.iter().find(|m| m.name == "leader_changes");
        let one = MetricValue::Count { value: 1 };
        assert_eq!(changes.map(|m| &m.value), Some(&one), "seed {seed}");
    }
}

#[test]
fn a_skewed_leader_leads_on_and_only_the_crashes_count() {
    // Every other second a skew of the leader (either way), then a crash
    // of the leader: the samples run from the crashes, well under the
    // second since the skew (the old rule measured from the skew).
    let faults = "[[faults]]\nat_ms = 1000\nfor_ms = 500\nkind = \"skew\"\ntarget = \"leader\"\noffset_ms = -800\nrepeat = 5\nevery_ms = 2000\n\
        [[faults]]\nat_ms = 1200\nfor_ms = 300\nkind = \"skew\"\ntarget = \"leader\"\noffset_ms = 900\nrepeat = 5\nevery_ms = 2000\n\
        [[faults]]\nat_ms = 2000\nfor_ms = 400\nkind = \"crash\"\ntarget = \"leader\"\nrepeat = 5\nevery_ms = 2000\n";
    for seed in 1..=3 {
        let o = run_text(scenario("", faults), seed);
        assert!(effective(&o, FaultKind::Skew) >= 10, "seed {seed}");
        one_sample_per_fault(&o, FaultKind::Crash, (100.0, 800.0));
    }
}

#[test]
fn a_skew_alone_never_removes_a_raft_leader() {
    let keys = "kind = \"skew\"\ntarget = \"leader\"\noffset_ms = -900";
    for seed in 1..=3 {
        let o = run_text(scenario("", &on_the_leader(keys, 500)), seed);
        assert!(effective(&o, FaultKind::Skew) >= 10, "seed {seed}");
        assert_eq!(downtime(&o), Vec::<f64>::new(), "seed {seed}");
    }
}

/// Heartbeats every 100 ms of the leader's clock, followers' timeouts
/// from 150 ms: a leader clock 45% slow misses them, 45% fast does not.
const SLOW_HEARTBEATS: &str =
    "[protocol.params]\nheartbeat_ms = 100\nelection_timeout_ms_min = 150\nelection_timeout_ms_max = 300";

#[test]
fn a_drift_that_slows_the_leaders_heartbeats_counts_from_the_drift() {
    let keys = "kind = \"drift\"\ntarget = \"leader\"\nppm = -450000";
    for seed in 1..=3 {
        let o = run_text(scenario(SLOW_HEARTBEATS, &on_the_leader(keys, 900)), seed);
        one_sample_per_fault(&o, FaultKind::Drift, (50.0, 900.0));
    }
    let keys = "kind = \"drift\"\ntarget = \"leader\"\nppm = 450000";
    for seed in 1..=3 {
        let o = run_text(scenario(SLOW_HEARTBEATS, &on_the_leader(keys, 900)), seed);
        assert!(effective(&o, FaultKind::Drift) >= 10, "seed {seed}");
        assert_eq!(downtime(&o), Vec::<f64>::new(), "seed {seed}: a fast clock");
    }
}

#[test]
fn a_lease_holder_cut_from_the_lock_is_lost_cut_from_servers_it_is_not() {
    let lease = "variant = \"lease-fenced\"";
    let text = |faults: &str| {
        scenario("", faults).replacen("nodes = 5", &format!("nodes = 5\n{lease}"), 1)
    };
    let keys = "kind = \"one-way\"\nfrom = [\"leader\"]\nto = [\"lock\"]";
    for seed in 1..=3 {
        let o = run_text(text(&on_the_leader(keys, 900)), seed);
        // The lock hands the lease on when its TTL (1 s) runs out; a 900 ms
        // cut that ends before that leaves the holder in place (no sample).
        let samples = downtime(&o);
        let cuts = effective(&o, FaultKind::OneWay);
        assert!(
            (2..=cuts).contains(&samples.len()),
            "seed {seed}: {samples:?}"
        );
        assert!(
            // From the cut in force when the lease lapsed: an earlier cut
            // may have run the TTL down, so this one can be short.
            samples.iter().all(|d| (50.0..3_000.0).contains(d)),
            "{samples:?}"
        );
    }
    let keys = "kind = \"one-way\"\nfrom = [\"leader\"]\nto = [\"follower\"]";
    for seed in 1..=3 {
        let o = run_text(text(&on_the_leader(keys, 900)), seed);
        assert!(effective(&o, FaultKind::OneWay) >= 5, "seed {seed}");
        assert_eq!(downtime(&o), Vec::<f64>::new(), "seed {seed}");
    }
}

#[test]
fn bundled_partitions_now_give_samples() {
    // Before typed faults: no samples at all (partition lines name no node).
    let o = run_file("scenarios/raft/partitions.toml", 1);
    let samples = downtime(&o);
    assert_eq!(samples.len(), 3, "{samples:?}");
    let mut all = samples;
    for seed in 2..=10 {
        all.extend(downtime(&run_file("scenarios/raft/partitions.toml", seed)));
    }
    assert!(all.len() >= 20, "{all:?}");
    // A leader cut into a minority is replaced within the partition, but the
    // minority's servers learn of it only once the cut ends (<= 1.5 s).
    assert!(all.iter().all(|d| (100.0..2_500.0).contains(d)), "{all:?}");
}

#[test]
fn bundled_clock_skew_seed_3_measures_the_pauses_not_the_clock_faults() {
    // Before: 164, 1,152 and 3,857 ms, the last two from a skew and a drift
    // of the leader that did not remove it; the pauses after them were the
    // losses (153 and 188 ms).
    let o = run_file("scenarios/raft/clock-skew.toml", 3);
    let samples = downtime(&o);
    assert_eq!(samples.len(), 3, "{samples:?}");
    assert!(
        samples.iter().all(|d| (100.0..250.0).contains(d)),
        "{samples:?}"
    );
}
