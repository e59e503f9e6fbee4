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

impl Nemesis {
    /// The most faults [`Nemesis::plan`] can draw in `duration_us`: one per
    /// shortest gap plus shortest fault (None: no bound, both are 0).
    /// Validation holds it to `scenario::limits::FAULTS_MAX`, so the plan
    /// never stops early.
    pub fn faults_max(&self, duration_us: u64) -> Option<u64> {
        let step = self.interval_us.0 + self.duration_us.0;
        (step > 0).then(|| duration_us / step + 1)
    }

    /// Draws the fault schedule for a safety phase of `duration_us`.
    pub fn plan(&self, duration_us: u64, rng: &mut ChaCha8Rng) -> Vec<PlannedFault> {
        let bound = self.faults_max(duration_us);
        assert!(bound.is_some(), "validated: the nemesis has a fault bound");
        let bound = bound.unwrap_or(0) as usize;
        let mut plan = Vec::new();
        let mut t = draw(self.interval_us, rng);
        while t < duration_us && plan.len() < bound {
            let length = draw(self.duration_us, rng).min(duration_us - t);
            let action = self.draw_action(rng);
            plan.push(PlannedFault {
                at_us: t,
                for_us: Some(length),
                action,
            });
            t += length + draw(self.interval_us, rng);
        }
        assert!(
            t >= duration_us,
            "the nemesis stopped early at {t} us: its bound is wrong"
        );
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
        assert!(a.len() as u64 <= n.faults_max(10_000_000).unwrap());
    }

    #[test]
    fn the_bound_holds_at_the_shortest_gaps() {
        let n = Nemesis {
            kinds: vec!["loss".into()],
            targets: vec![Target::Random],
            interval_us: (1, 1),
            duration_us: (0, 0),
            lose_unsynced: false,
        };
        let plan = n.plan(10_000, &mut stream(1, "faults"));
        assert_eq!(plan.len(), 9_999, "one fault per microsecond from 1 us on");
        assert!(plan.len() as u64 <= n.faults_max(10_000).unwrap());
        let unbounded = Nemesis {
            interval_us: (0, 5),
            ..n
        };
        assert_eq!(unbounded.faults_max(10_000), None);
    }
}
