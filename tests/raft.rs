//! Raft: every bundled correct-variant scenario passes 200 seeds; every
//! buggy variant is found within 200 seeds, and the same scenario with the
//! correct variant passes (so the checker is not just noisy).

mod support;

use faultline_models::MetricValue;
use support::{assert_all_valid, assert_found, load};

const SEEDS: u64 = 200;

#[test]
fn steady_state_passes() {
    assert_all_valid("scenarios/raft/steady.toml", None, SEEDS);
}

#[test]
fn partitions_pass() {
    assert_all_valid("scenarios/raft/partitions.toml", None, SEEDS);
}

#[test]
fn flaky_network_passes() {
    assert_all_valid("scenarios/raft/flaky-network.toml", None, SEEDS);
}

#[test]
fn clock_skew_passes() {
    assert_all_valid("scenarios/raft/clock-skew.toml", None, SEEDS);
}

#[test]
fn leader_crash_loop_passes() {
    assert_all_valid("scenarios/raft/leader-crash-loop.toml", None, SEEDS);
}

#[test]
fn fenced_lease_survives_pauses() {
    assert_all_valid("scenarios/raft/lease-fenced-pause.toml", None, SEEDS);
}

#[test]
fn forget_vote_is_found_and_correct_passes_the_same_faults() {
    assert_found("scenarios/raft/forget-vote.toml", "election-safety", SEEDS);
    assert_all_valid("scenarios/raft/forget-vote.toml", Some("correct"), SEEDS);
}

#[test]
fn no_term_check_is_found_and_correct_passes_the_same_faults() {
    assert_found(
        "scenarios/raft/no-term-check.toml",
        "election-safety",
        SEEDS,
    );
    assert_all_valid("scenarios/raft/no-term-check.toml", Some("correct"), SEEDS);
}

#[test]
fn unfenced_lease_breaks_under_pauses_fenced_does_not() {
    assert_found("scenarios/raft/lease-pause.toml", "fenced-work", SEEDS);
    assert_all_valid(
        "scenarios/raft/lease-pause.toml",
        Some("lease-fenced"),
        SEEDS,
    );
}

#[test]
fn unfenced_lease_breaks_under_clock_drift_fenced_does_not() {
    assert_found("scenarios/raft/lease-drift.toml", "fenced-work", SEEDS);
    assert_all_valid(
        "scenarios/raft/lease-drift.toml",
        Some("lease-fenced"),
        SEEDS,
    );
}

#[test]
fn fixed_timeout_never_elects_and_correct_does() {
    // Two views of one bug: the servers never agree on a leader, and the
    // clients never hear of one.
    assert_found(
        "scenarios/raft/fixed-timeout.toml",
        "leader-liveness",
        SEEDS,
    );
    assert_found(
        "scenarios/raft/fixed-timeout-clients.toml",
        "leader-op-progress",
        SEEDS,
    );
    assert_all_valid("scenarios/raft/fixed-timeout.toml", Some("correct"), SEEDS);
    assert_all_valid(
        "scenarios/raft/fixed-timeout-clients.toml",
        Some("correct"),
        SEEDS,
    );
}

#[test]
fn leader_crash_loop_measures_downtime_per_crash_as_in_section_9_3() {
    let o = load("scenarios/raft/leader-crash-loop.toml", None).run(1);
    let downtime = o
        .metrics
        .iter()
        .find(|m| m.name == "downtime_ms")
        .expect("downtime metric");
    let MetricValue::Distribution { samples } = &downtime.value else {
        panic!("downtime is a distribution")
    };
    let crashes = o
        .timeline
        .iter()
        .filter(|f| f.kind == faultline_models::FaultKind::Crash && f.effective)
        .count();
    assert!(crashes >= 55, "the leader was crashed {crashes} times");
    assert!(
        samples.len() * 10 >= crashes * 9,
        "{} downtimes for {crashes} crashes",
        samples.len()
    );
    // Downtime is at least the election timeout minimum minus one heartbeat,
    // and bounded in a healthy five-node cluster.
    assert!(
        samples.iter().all(|d| (100.0..5_000.0).contains(d)),
        "{samples:?}"
    );
}
