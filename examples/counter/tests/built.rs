//! A counter scenario built in Rust, with faults at simulated times: the
//! count-messages bug needs duplicated messages, so one duplicate fault
//! exposes it and the same scenario without that fault does not.

use counter::CounterModel;
use faultline_sim::registry::Registry;
use faultline_sim::scenario::builder::{Fault, ScenarioBuilder};

fn registry() -> Registry {
    let mut registry = Registry::default();
    registry.register::<CounterModel>();
    registry
}

/// Three replicas, a crash and a pause at fixed times, no background duplication.
fn scenario(variant: &str) -> ScenarioBuilder {
    ScenarioBuilder::new("counter", 3)
        .name("built")
        .variant(variant)
        .duration_ms(1500)
        .converge_ms(300)
        .clients(3, 20)
        .set("workload.timeout_ms", 100)
        .fault(Fault::crash("n1").at_ms(200).for_ms(150))
        .fault(Fault::pause("n3").at_ms(900).for_ms(100))
}

fn invalid_seeds(b: &ScenarioBuilder) -> usize {
    let s = b.load(&registry()).unwrap_or_else(|e| panic!("{e}"));
    (1..=20)
        .filter(|&seed| s.run(seed).verdict() == "invalid")
        .count()
}

#[test]
fn a_duplicate_fault_exposes_the_count_messages_bug() {
    let duplicating = Fault::new("duplicate")
        .at_ms(400)
        .for_ms(400)
        .set("probability", 0.5);
    assert_eq!(
        invalid_seeds(&scenario("count-messages")),
        0,
        "no duplicates, no overcount"
    );
    let found = invalid_seeds(&scenario("count-messages").fault(duplicating.clone()));
    assert!(found >= 15, "{found} of 20");
    assert_eq!(invalid_seeds(&scenario("correct").fault(duplicating)), 0);
}

#[test]
fn a_built_scenario_is_validated_like_a_file() {
    let late = scenario("correct").fault(Fault::crash("n2").at_ms(9000));
    let e = late
        .load(&registry())
        .err()
        .expect("a fault after the safety phase")
        .to_string();
    assert!(
        e.contains("built.toml (built in Rust)") && e.contains("at_ms"),
        "{e}"
    );
    let typo = scenario("corect")
        .load(&registry())
        .err()
        .expect("no such variant")
        .to_string();
    assert!(typo.contains("unknown variant \"corect\""), "{typo}");
}
