//! Each fault kind does what it says, observed through the probe protocol.

mod support;

use support::{beats, events, run_probe};

const BASE: &str = r#"
[protocol]
name = "probe"
nodes = 3

[network]
latency = { dist = "constant", ms = 1 }

[run]
duration_ms = 600
converge_ms = 100
"#;

fn with(extra: &str) -> String {
    format!("{BASE}\n{extra}")
}

#[test]
fn one_way_partition_drops_only_one_direction() {
    let o = run_probe(&with("[[faults]]\nat_ms = 100\nfor_ms = 200\nkind = \"one-way\"\nfrom = [\"n1\"]\nto = [\"n2\"]"), 1);
    assert_eq!(beats(&o, 0, "n2", 110_000, 290_000), 0, "n1 -> n2 is cut");
    assert!(
        beats(&o, 1, "n1", 110_000, 290_000) >= 15,
        "n2 -> n1 still flows"
    );
    assert!(
        beats(&o, 0, "n3", 110_000, 290_000) >= 15,
        "n1 -> n3 still flows"
    );
    assert!(beats(&o, 0, "n2", 310_000, 600_000) >= 25, "n1 -> n2 heals");
}

#[test]
fn isolate_partition_cuts_both_directions() {
    let o = run_probe(&with("[[faults]]\nat_ms = 100\nfor_ms = 200\nkind = \"partition\"\nsplit = \"isolate\"\ntarget = \"n1\""), 1);
    assert_eq!(
        beats(&o, 0, "n2", 110_000, 290_000) + beats(&o, 1, "n1", 110_000, 290_000),
        0
    );
    assert!(beats(&o, 1, "n3", 110_000, 290_000) >= 15);
}

#[test]
fn duplication_delivers_twice() {
    let o = run_probe(&BASE.replace("ms = 1 }", "ms = 1 }\nduplicate = 1.0"), 1);
    let got = beats(&o, 0, "n2", 0, 600_000);
    let sent = events(&o, "tick")
        .iter()
        .filter(|(t, n, _)| n == "n1" && *t < 599_000)
        .count();
    assert_eq!(got, 2 * sent, "every beat arrives twice");
}

#[test]
fn loss_of_one_drops_everything() {
    let o = run_probe(
        &BASE.replace(
            "latency = { dist = \"constant\", ms = 1 }",
            "latency = { dist = \"constant\", ms = 1 }\nloss = 1.0",
        ),
        1,
    );
    assert_eq!(events(&o, "beat").len(), 0);
    assert!(o.net.lost > 100);
}

#[test]
fn constant_latency_is_exact() {
    let o = run_probe(&BASE.replace("ms = 1 }", "ms = 7.25 }"), 1);
    let beats = events(&o, "beat");
    assert!(beats.len() > 100);
    for (_, _, d) in beats {
        assert_eq!(
            d["now_us"].as_u64().unwrap() - d["sent_us"].as_u64().unwrap(),
            7_250
        );
    }
}

#[test]
fn skew_shifts_now_and_heals() {
    let o = run_probe(&with("[[faults]]\nat_ms = 100\nfor_ms = 200\nkind = \"skew\"\ntarget = \"n2\"\noffset_ms = -30"), 1);
    for (t, n, d) in events(&o, "tick") {
        let local = d.as_u64().unwrap() as i64;
        let expected = if n == "n2" && (100_000..300_000).contains(&t) {
            -30_000
        } else {
            0
        };
        assert_eq!(local - t as i64, expected, "tick of {n} at {t}");
    }
}

#[test]
fn drift_changes_the_rate_of_a_clock() {
    let o = run_probe(
        &with("[[faults]]\nat_ms = 0\nkind = \"drift\"\ntarget = \"n2\"\nppm = 100000"),
        1,
    );
    let ticks = |node: &str| {
        events(&o, "tick")
            .iter()
            .filter(|(t, n, _)| n == node && *t < 600_000)
            .count()
    };
    // n2's clock runs 10% fast, so its 10 ms timer fires every ~9.1 ms of true time.
    assert_eq!(ticks("n1"), 59);
    assert!(
        (64..=66).contains(&ticks("n2")),
        "n2 ticked {}",
        ticks("n2")
    );
}

#[test]
fn crash_stops_a_node_and_restart_reads_storage() {
    let o = run_probe(
        &with("[[faults]]\nat_ms = 100\nfor_ms = 200\nkind = \"crash\"\ntarget = \"n2\""),
        1,
    );
    let n2: Vec<_> = events(&o, "tick")
        .into_iter()
        .filter(|(t, n, _)| n == "n2" && (100_000..300_000).contains(t))
        .collect();
    assert!(n2.is_empty(), "a crashed node does nothing");
    let boots: Vec<_> = events(&o, "boot")
        .into_iter()
        .filter(|(_, n, _)| n == "n2")
        .collect();
    assert_eq!(boots.len(), 2);
    assert_eq!(boots[1].0, 300_000, "restarted when the fault ended");
    assert_eq!(boots[1].2["boots"], 2, "durable storage survived");
    assert!(
        boots[1].2["last_tick"].as_u64().is_some(),
        "unsynced writes survive a plain crash"
    );
}

#[test]
fn crash_can_lose_unsynced_writes() {
    let o = run_probe(&with("[[faults]]\nat_ms = 100\nfor_ms = 200\nkind = \"crash\"\ntarget = \"n2\"\nlose_unsynced = true"), 1);
    let boots: Vec<_> = events(&o, "boot")
        .into_iter()
        .filter(|(_, n, _)| n == "n2")
        .collect();
    assert_eq!(boots[1].2["boots"], 2);
    assert!(
        boots[1].2["last_tick"].is_null(),
        "writes after the last sync are gone"
    );
}

#[test]
fn pause_freezes_a_node_then_it_catches_up() {
    let o = run_probe(
        &with("[[faults]]\nat_ms = 100\nfor_ms = 200\nkind = \"pause\"\ntarget = \"n2\""),
        1,
    );
    let at = |t0: u64, t1: u64| {
        events(&o, "beat")
            .iter()
            .filter(|(t, n, _)| n == "n2" && *t >= t0 && *t < t1)
            .count()
    };
    assert_eq!(at(101_000, 300_000), 0, "a paused node handles nothing");
    assert!(
        at(300_000, 300_001) >= 30,
        "the backlog is handled at resume"
    );
    assert_eq!(events(&o, "boot").len(), 3, "a pause is not a restart");
}

#[test]
fn role_targets_resolve_when_the_fault_applies() {
    // Probe nodes announce no role: a fault aimed at "leader" hits nobody.
    let o = run_probe(
        &with("[[faults]]\nat_ms = 100\nfor_ms = 200\nkind = \"crash\"\ntarget = \"leader\""),
        1,
    );
    assert!(!o.timeline[0].effective);
    assert_eq!(events(&o, "boot").len(), 3);
}

#[test]
fn a_materialised_timeline_replays_the_nemesis_run() {
    let nemesis = "[nemesis]\nkinds = [\"crash\", \"pause\", \"partition\", \"one-way\", \"skew\", \"loss\"]\ninterval_ms_min = 20\ninterval_ms_max = 60\nduration_ms_min = 10\nduration_ms_max = 80";
    let random = run_probe(&with(nemesis), 9);
    assert!(random.timeline.iter().filter(|f| f.effective).count() >= 5);
    let schedule = faultline_sim::registry::timeline_toml(&random.timeline);
    let replay = run_probe(&with(&schedule), 9);
    let ev = |o: &faultline_sim::run::RunOutcome| o.history.event_lines();
    assert_eq!(
        ev(&random),
        ev(&replay),
        "same deliveries, same protocol events"
    );
}

#[test]
fn a_panic_in_protocol_code_is_a_finding_with_the_history_kept() {
    let o = run_probe(
        &BASE.replace(
            "nodes = 3",
            "nodes = 3\n[protocol.params]\npanic_at_tick = 5",
        ),
        1,
    );
    assert_eq!(o.verdict(), "invalid");
    let check = o
        .checks
        .iter()
        .find(|c| c.name == "no-panic")
        .expect("a no-panic finding");
    let faultline_models::Verdict::Invalid { violations } = &check.verdict else {
        panic!("invalid")
    };
    assert!(
        violations[0]
            .message
            .contains("n1 panicked: probe assertion at tick 5"),
        "{violations:?}"
    );
    assert_eq!(violations[0].time_us, Some(50_000));
    assert!(
        events(&o, "tick").len() >= 12,
        "the history up to the panic is kept"
    );
}

/// A role that may exist but that no node had when the fault fired: the
/// fault does nothing, and the run counts it (printed by `run`, and in
/// summary.json as `faults_unmatched_role`).
#[test]
fn a_fault_on_a_role_nobody_has_is_counted() {
    let text = format!(
        "{BASE}\n[[faults]]\nat_ms = 20\nkind = \"crash\"\ntarget = \"leader\"\n\n[[faults]]\nat_ms = 30\nkind = \"pause\"\ntarget = \"random-leader\"\n"
    );
    let o = run_probe(&text, 1);
    assert_eq!(
        o.unmatched_roles,
        vec![
            (20_000, "leader".to_string()),
            (30_000, "leader".to_string())
        ]
    );
    assert!(o.timeline.iter().all(|f| !f.effective));
}
