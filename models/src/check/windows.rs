//! Quiet windows: the stretches of a run in which no fault is in force.
//!
//! Progress properties ([`super::progress`]) are judged only there: with a
//! node down or paused, a link cut, a clock stepped or drifting, or extra
//! loss or duplication on the network, a correct protocol may legitimately
//! stall. A window opens when the last fault in force ends (or at the heal)
//! and closes when the next one starts (or at the run's end).
//!
//! The state is rebuilt from the fault lines alone, so the same code serves
//! runs and histories read from files. A fault line that did nothing (a
//! role target that matched no node: no nodes, no links, no amount) opens
//! nothing, and the engine writes no end for it.

use super::CheckContext;
use crate::history::{FaultChange, FaultEntry, FaultKind, History};
use std::collections::BTreeMap;

/// A stretch `[from_us, to_us)` of simulated time with no fault in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// When the last fault in force ended (or the run started).
    pub from_us: u64,
    /// When the next fault started (or the run ended).
    pub to_us: u64,
}

impl Window {
    /// Its length in microseconds.
    pub fn len_us(&self) -> u64 {
        self.to_us.saturating_sub(self.from_us)
    }
}

/// What is in force: per (kind, node) and per (kind, link) a count, since
/// two faults may overlap on one node and each has its own end.
#[derive(Debug, Default)]
struct InForce {
    nodes: BTreeMap<(FaultKind, usize), u32>,
    links: BTreeMap<(FaultKind, usize, usize), u32>,
    /// Network-wide faults (loss, duplication) by kind.
    global: BTreeMap<FaultKind, u32>,
}

impl InForce {
    fn quiet(&self) -> bool {
        self.nodes.is_empty() && self.links.is_empty() && self.global.is_empty()
    }

    fn apply(&mut self, f: &FaultEntry) {
        match f.change {
            FaultChange::Heal => *self = InForce::default(),
            FaultChange::Start(kind) => self.start(kind, f),
            FaultChange::End(kind) => self.end(kind, f),
            FaultChange::Other(_) => {}
        }
    }

    fn start(&mut self, kind: FaultKind, f: &FaultEntry) {
        for &n in &f.nodes {
            *self.nodes.entry((kind, n)).or_default() += 1;
        }
        for &(a, b) in &f.pairs {
            *self.links.entry((kind, a, b)).or_default() += 1;
        }
        let network_wide = matches!(kind, FaultKind::Loss | FaultKind::Duplicate);
        if network_wide && f.amount.is_some_and(|a| a > 0.0) {
            *self.global.entry(kind).or_default() += 1;
        }
    }

    fn end(&mut self, kind: FaultKind, f: &FaultEntry) {
        fn down<K: Ord>(map: &mut BTreeMap<K, u32>, key: K) {
            if let Some(c) = map.get_mut(&key) {
                *c -= 1;
                if *c == 0 {
                    map.remove(&key);
                }
            }
        }
        for &n in &f.nodes {
            down(&mut self.nodes, (kind, n));
        }
        for &(a, b) in &f.pairs {
            down(&mut self.links, (kind, a, b));
        }
        if matches!(kind, FaultKind::Loss | FaultKind::Duplicate) {
            down(&mut self.global, kind);
        }
    }
}

/// The quiet windows of `history` within `[0, ctx.end_us)`, in order. The
/// liveness phase (from the heal on) is always one, since the heal undoes
/// every fault.
pub fn quiet_windows<E>(history: &History<E>, ctx: &CheckContext) -> Vec<Window> {
    let mut windows = Vec::new();
    let mut state = InForce::default();
    let mut open: Option<u64> = Some(0);
    for f in history.faults() {
        let was_quiet = state.quiet();
        state.apply(f);
        match (was_quiet, state.quiet()) {
            (true, false) => {
                if let Some(from_us) = open.take() {
                    push(&mut windows, from_us, f.time_us);
                }
            }
            (false, true) => open = Some(f.time_us),
            _ => {}
        }
    }
    if let Some(from_us) = open {
        push(&mut windows, from_us, ctx.end_us);
    }
    windows
}

fn push(windows: &mut Vec<Window>, from_us: u64, to_us: u64) {
    if to_us > from_us {
        windows.push(Window { from_us, to_us });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::Entry;

    fn ctx(end_us: u64) -> CheckContext {
        CheckContext {
            nodes: vec!["a".into(), "b".into()],
            heal_us: end_us / 2,
            end_us,
        }
    }

    fn fault(h: &mut History, t: u64, change: FaultChange, nodes: Vec<usize>) {
        h.push(Entry::Fault(Box::new(FaultEntry::new(t, change, nodes))));
    }

    #[test]
    fn overlapping_faults_keep_the_window_shut_until_the_last_ends() {
        let mut h: History = History::default();
        fault(&mut h, 100, FaultChange::Start(FaultKind::Crash), vec![0]);
        fault(&mut h, 150, FaultChange::Start(FaultKind::Pause), vec![1]);
        fault(&mut h, 200, FaultChange::End(FaultKind::Crash), vec![0]);
        fault(&mut h, 300, FaultChange::End(FaultKind::Pause), vec![1]);
        let w = quiet_windows(&h, &ctx(1000));
        assert_eq!(
            w,
            vec![
                Window {
                    from_us: 0,
                    to_us: 100
                },
                Window {
                    from_us: 300,
                    to_us: 1000
                }
            ]
        );
    }

    #[test]
    fn a_fault_that_touched_nothing_opens_nothing_and_heal_clears_all() {
        let mut h: History = History::default();
        fault(&mut h, 100, FaultChange::Start(FaultKind::Crash), vec![]);
        fault(&mut h, 200, FaultChange::Start(FaultKind::Pause), vec![0]);
        fault(&mut h, 500, FaultChange::Heal, vec![]);
        let w = quiet_windows(&h, &ctx(1000));
        assert_eq!(
            w,
            vec![
                Window {
                    from_us: 0,
                    to_us: 200
                },
                Window {
                    from_us: 500,
                    to_us: 1000
                }
            ]
        );
    }

    #[test]
    fn links_and_network_wide_loss_count_as_faults() {
        let mut h: History = History::default();
        let mut cut = FaultEntry::new(100, FaultChange::Start(FaultKind::Partition), vec![]);
        cut.pairs = vec![(0, 1), (1, 0)];
        h.push(Entry::Fault(Box::new(cut.clone())));
        cut.time_us = 200;
        cut.change = FaultChange::End(FaultKind::Partition);
        h.push(Entry::Fault(Box::new(cut)));
        let mut loss = FaultEntry::new(300, FaultChange::Start(FaultKind::Loss), vec![]);
        loss.amount = Some(0.5);
        h.push(Entry::Fault(Box::new(loss.clone())));
        loss.time_us = 400;
        loss.change = FaultChange::End(FaultKind::Loss);
        h.push(Entry::Fault(Box::new(loss)));
        let w = quiet_windows(&h, &ctx(1000));
        assert_eq!(w.len(), 3);
        assert_eq!(
            w[1],
            Window {
                from_us: 200,
                to_us: 300
            }
        );
        assert_eq!(
            w[2],
            Window {
                from_us: 400,
                to_us: 1000
            }
        );
    }
}
