//! The nemesis: random faults drawn from the run's seed.
//!
//! The whole schedule is drawn up front from the `"faults"` stream, so it
//! does not move when protocol code draws more or fewer random numbers;
//! only targets such as "the leader" are resolved when a fault applies.

use super::{FaultAction, PlannedFault, Split, Target};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Validated `[nemesis]` settings (microseconds).
#[derive(Debug, Clone, PartialEq)]
pub struct Nemesis {
    /// Fault kinds to draw from.
    pub kinds: Vec<String>,
    /// Targets to draw from.
    pub targets: Vec<Target>,
    /// Quiet gap between faults.
    pub interval_us: (u64, u64),
    /// Fault length.
    pub duration_us: (u64, u64),
    /// For crashes: lose unsynced writes.
    pub lose_unsynced: bool,
}

/// Bound on faults one nemesis may plan, whatever the run length.
const FAULTS_MAX: usize = 10_000;

impl Nemesis {
    /// Draws the fault schedule for a safety phase of `duration_us`.
    pub fn plan(&self, duration_us: u64, rng: &mut ChaCha8Rng) -> Vec<PlannedFault> {
        let mut plan = Vec::new();
        let mut t = draw(self.interval_us, rng);
        while t < duration_us && plan.len() < FAULTS_MAX {
            let length = draw(self.duration_us, rng).min(duration_us - t);
            let action = self.draw_action(rng);
            plan.push(PlannedFault {
                at_us: t,
                for_us: Some(length),
                action,
            });
            t += length + draw(self.interval_us, rng);
        }
        plan
    }

    fn draw_action(&self, rng: &mut ChaCha8Rng) -> FaultAction {
        let kind = self
            .kinds
            .choose(rng)
            .expect("validated: at least one kind")
            .as_str();
        let target = self.targets.choose(rng).cloned().unwrap_or(Target::Random);
        match kind {
            "crash" => FaultAction::Crash {
                target,
                lose_unsynced: self.lose_unsynced,
            },
            "pause" => FaultAction::Pause(target),
            "partition" => FaultAction::Partition(draw_split(target, rng)),
            "one-way" => FaultAction::OneWay {
                from: target,
                to: Target::All,
            },
            "skew" => FaultAction::Skew {
                target,
                offset_us: signed(self.duration_us.1, rng),
            },
            "drift" => FaultAction::Drift {
                target,
                ppm: signed(200_000, rng) as f64,
            },
            "loss" => FaultAction::Loss(rng.gen_range(0.1..0.5)),
            "duplicate" => FaultAction::Duplicate(rng.gen_range(0.1..0.5)),
            other => panic!("nemesis kind {other:?} passed validation"),
        }
    }
}

fn draw((lo, hi): (u64, u64), rng: &mut ChaCha8Rng) -> u64 {
    rng.gen_range(lo..=hi)
}

fn signed(bound: u64, rng: &mut ChaCha8Rng) -> i64 {
    let magnitude = rng.gen_range(bound / 2..=bound.max(1)) as i64;
    if rng.gen_bool(0.5) {
        magnitude
    } else {
        -magnitude
    }
}

fn draw_split(target: Target, rng: &mut ChaCha8Rng) -> Split {
    match rng.gen_range(0..4) {
        0 => Split::Isolate(target),
        1 => Split::Majority,
        2 => Split::Bridge,
        _ => Split::Ring,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::stream;

    #[test]
    fn plans_are_seeded_and_stay_inside_the_phase() {
        let n = Nemesis {
            kinds: vec!["crash".into(), "partition".into()],
            targets: vec![Target::Random],
            interval_us: (100_000, 500_000),
            duration_us: (50_000, 300_000),
            lose_unsynced: false,
        };
        let a = n.plan(10_000_000, &mut stream(7, "faults"));
        let b = n.plan(10_000_000, &mut stream(7, "faults"));
        assert_eq!(a, b);
        assert!(a.len() > 5);
        assert!(a.iter().all(|f| f.at_us + f.for_us.unwrap() <= 10_000_000));
    }
}
