//! The fault budget: how many faults a schedule may plan, and how many
//! node and link records they may write, checked before anything runs.
//!
//! Each applied fault is kept twice (the fault timeline, the history's
//! start and end lines) with every node it hit and every directed link it
//! blocked: a partition of 1,000 nodes is a million links. Holding the
//! worst case of the schedule (explicit occurrences plus the most the
//! nemesis can draw) to [`FAULTS_MAX`] faults and [`FAULT_RECORDS_MAX`]
//! records bounds that memory, and means the nemesis never stops early.

use super::limits::{FAULTS_MAX, FAULT_RECORDS_MAX};
use super::load::{Key, Source};
use crate::error::Error;
use crate::fault::nemesis::Nemesis;
use crate::fault::{FaultAction, PlannedFault, Split, Target};

/// Checks the explicit `faults` and the `nemesis` of a safety phase of
/// `duration_us` on `n` nodes against the budget.
pub fn check(
    src: &Source,
    faults: &[(PlannedFault, u64)],
    nemesis: Option<&Nemesis>,
    n: u64,
    duration_us: u64,
) -> Result<(), Error> {
    let explicit = faults.len() as u64;
    let drawn = match nemesis {
        Some(nem) => nem.faults_max(duration_us),
        None => Some(0),
    };
    let at_nemesis = [Key::Name("nemesis"), Key::Name("interval_ms_min")];
    let at_faults = [Key::Name("faults")];
    let at: &[Key<'_>] = if nemesis.is_some() {
        &at_nemesis
    } else {
        &at_faults
    };
    let Some(total) = drawn.map(|d| d + explicit).filter(|&t| t <= FAULTS_MAX) else {
        let most = drawn.map_or("unboundedly many".into(), |d| format!("up to {d}"));
        let m = format!(
            "the schedule may plan {explicit} explicit faults and {most} from [nemesis] (one per interval_ms_min + duration_ms_min of run.duration_ms); the limit is {FAULTS_MAX} faults per run: raise interval_ms_min or duration_ms_min, or shorten the run"
        );
        return Err(src.error_at_key(at, m));
    };
    let mut records: u64 = faults.iter().map(|(f, _)| records(&f.action, n)).sum();
    if let Some(nem) = nemesis {
        let each = nem.kinds.iter().map(|k| kind_records(k, n)).max();
        records += (total - explicit) * each.unwrap_or(0);
    }
    if records > FAULT_RECORDS_MAX {
        let m = format!(
            "the planned faults may record up to {records} node and link entries ({n} nodes: a partition blocks up to {} links); the limit is {FAULT_RECORDS_MAX} per run: use fewer faults or fewer nodes",
            n * n.saturating_sub(1)
        );
        return Err(src.error_at_key(at, m));
    }
    Ok(())
}

/// The most node and link records one fault can write on `n` nodes.
fn records(action: &FaultAction, n: u64) -> u64 {
    let nodes = |t: &Target| match t {
        Target::Nodes(ids) => ids.len() as u64,
        _ => n,
    };
    match action {
        FaultAction::Crash { target, .. }
        | FaultAction::Pause(target)
        | FaultAction::Skew { target, .. }
        | FaultAction::Drift { target, .. } => nodes(target).max(1),
        FaultAction::Partition(Split::Pairs(pairs)) => pairs.len() as u64,
        FaultAction::Partition(_) | FaultAction::OneWay { .. } => n * n.saturating_sub(1),
        FaultAction::Loss(_) | FaultAction::Duplicate(_) => 1,
    }
}

/// [`records`] for a fault kind the nemesis may draw (any target).
fn kind_records(kind: &str, n: u64) -> u64 {
    match kind {
        "partition" | "one-way" => n * n.saturating_sub(1),
        "loss" | "duplicate" => 1,
        _ => n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src() -> Source {
        Source {
            path: "t.toml".into(),
            text: "[nemesis]\ninterval_ms_min = 0\n".into(),
        }
    }

    fn nemesis(kind: &str, min_us: u64) -> Nemesis {
        Nemesis {
            kinds: vec![kind.into()],
            targets: vec![Target::Random],
            interval_us: (min_us, min_us * 4),
            duration_us: (0, 10),
            lose_unsynced: false,
        }
    }

    #[test]
    fn an_unbounded_or_too_busy_nemesis_is_an_error() {
        let e = check(&src(), &[], Some(&nemesis("crash", 0)), 5, 1_000_000);
        assert!(e.unwrap_err().to_string().contains("unboundedly many"));
        let e = check(&src(), &[], Some(&nemesis("crash", 1)), 5, 1_000_000);
        assert!(e.unwrap_err().to_string().contains("t.toml:2:1"));
        assert!(check(&src(), &[], Some(&nemesis("crash", 1_000)), 5, 1_000_000).is_ok());
    }

    #[test]
    fn partitions_of_many_nodes_count_every_link() {
        let nem = nemesis("partition", 1_000_000);
        assert!(check(&src(), &[], Some(&nem), 1000, 5_000_000).is_ok());
        let e = check(&src(), &[], Some(&nem), 1000, 60_000_000).unwrap_err();
        assert!(e.to_string().contains("node and link entries"), "{e}");
    }
}
