//! The raft model's metrics, after the Raft paper's §9.3 experiment.
//!
//! - `downtime_ms`: for each fault that removes the sitting leader, the
//!   time from the fault until every other server knows a leader of a
//!   higher term (the paper's Figure 16 measures the same gap after
//!   crashing the leader). A loss the run never recovers from gives no
//!   sample. The sitting leader is the winner of the highest term so far,
//!   unless it stepped down or was removed since; each leadership counts
//!   once.
//! - `terms`: distinct terms that started an election or had a leader.
//! - `split_votes`: terms that started an election but elected nobody.
//! - `leader_changes`: elections won by a different node than the
//!   previous winner (the first election counts).
//!
//! # Which faults remove the sitting leader
//!
//! Decided by what each fault line does to the leader, not by its name:
//!
//! - `crash` naming the leader removes it, from that line (a restarted
//!   server comes back a follower).
//! - `pause` naming the leader suspends it, and so does a `partition` or
//!   `one-way` cut that leaves it without what it needs (below). A
//!   suspension counts as a removal, sampled from the fault line, once the
//!   leadership is actually lost: another server wins a higher term, the
//!   leader steps down, or it is crashed. If the pause or cut ends first
//!   (its end line, or `heal`) the leader simply carries on and there is no
//!   sample: a 13 ms blip of the leader is no outage, and counting it ran
//!   the sample on to the next, unrelated election.
//! - a cut suspends the leader when the links cut at that moment
//!   (this line's `pairs` and those of earlier cuts not yet ended) leave it
//!   able to talk, both ways, to fewer than a majority of the servers,
//!   itself included: Raft needs both directions (votes and their answers,
//!   heartbeats and theirs). Only cut links count; a crashed or paused
//!   follower does not. In the lease variants the holder needs the lock
//!   service instead: a cut between the two, either way, removes it.
//! - `skew` or `drift` naming the leader does not remove it by itself (Raft
//!   reads no clock but its timers). It counts only if the leadership is
//!   then actually lost (the leader steps down, or another server wins a
//!   higher term) before any other fault line; the sample runs from the
//!   clock fault.
//! - `loss` and `duplicate` name no node and remove no leader.
//! - An end line (`crash-end`, `partition-end`, ...), `heal`, and a fault
//!   Faultline does not model never start a sample.

use super::event::Event;
use super::layout::{server_name, Layout};
use super::timeline::Timeline;
use crate::history::{Entry, EventEntry, FaultChange, FaultEntry, FaultKind, History};
use crate::metric::Metric;
use std::collections::{BTreeMap, BTreeSet};

/// All raft metrics of `history`, a run of the cluster `layout`.
pub fn metrics(history: &History<Event>, layout: &Layout) -> Vec<Metric> {
    let t = Timeline::of(history);
    let started: BTreeSet<u64> = t.started.iter().map(|m| m.term).collect();
    let elected: BTreeSet<u64> = t.elected.iter().map(|m| m.term).collect();
    let terms = started.union(&elected).count() as u64;
    let split = started.difference(&elected).count() as u64;
    vec![
        Metric::distribution(
            "downtime_ms",
            "from a fault hitting the leader until every other server knows a newer leader",
            downtime_ms(history, &t, &Seats::of(history, layout)),
        ),
        Metric::count(
            "terms",
            "distinct terms that started an election or had a leader",
            terms,
        ),
        Metric::count(
            "split_votes",
            "terms that started an election but elected nobody",
            split,
        ),
        Metric::count(
            "leader_changes",
            "elections won by a different node than the previous winner",
            leader_changes(&t),
        ),
    ]
}

fn leader_changes(t: &Timeline) -> u64 {
    let mut previous: Option<usize> = None;
    let mut changes = 0;
    for m in &t.elected {
        if previous != Some(m.node) {
            changes += 1;
        }
        previous = Some(m.node);
    }
    changes
}

/// What a leader must keep reaching to lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Needs {
    /// This many servers, itself included (Raft).
    Quorum(usize),
    /// The lock service (lease variants), if the history names it.
    Lock(Option<usize>),
}

/// The cluster as the downtime rule sees it, in `history`'s node indices.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seats {
    /// Each server's index (None: the history never names it).
    servers: Vec<Option<usize>>,
    needs: Needs,
}

impl Seats {
    fn of(history: &History<Event>, layout: &Layout) -> Seats {
        let servers = (0..layout.servers)
            .map(|s| history.node_index(&server_name(s)))
            .collect();
        let needs = match layout.lock() {
            Some(lock) => Needs::Lock(history.node_index(&layout.name(lock))),
            None => Needs::Quorum(layout.quorum()),
        };
        Seats { servers, needs }
    }

    /// Whether the links `cuts` leave `leader` without what it needs.
    fn cut_off(&self, cuts: &Cuts, leader: usize) -> bool {
        let talks = |n: usize| n == leader || !(cuts.has(leader, n) || cuts.has(n, leader));
        match self.needs {
            Needs::Quorum(quorum) => {
                let reached = self.servers.iter().flatten().filter(|&&s| talks(s));
                reached.count() < quorum
            }
            Needs::Lock(lock) => lock.is_some_and(|l| !talks(l)),
        }
    }
}

/// Directed links cut now, each with the number of cuts on it (as the
/// engine counts them: a link is whole when every cut on it has ended).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Cuts(BTreeMap<(usize, usize), u32>);

impl Cuts {
    fn start(&mut self, pairs: &[(usize, usize)]) {
        for &pair in pairs {
            *self.0.entry(pair).or_default() += 1;
        }
    }

    fn end(&mut self, pairs: &[(usize, usize)]) {
        for pair in pairs {
            if let Some(n) = self.0.get_mut(pair) {
                *n -= 1;
                if *n == 0 {
                    self.0.remove(pair);
                }
            }
        }
    }

    fn has(&self, from: usize, to: usize) -> bool {
        self.0.contains_key(&(from, to))
    }
}

/// A fault on the sitting leader (a clock fault, a pause or a cut),
/// waiting to see whether the leadership is lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ClockFault {
    index: usize,
    time_us: u64,
    leader: usize,
    term: u64,
}

/// The downtime pass over a history, entry by entry.
struct Downtime<'a> {
    timeline: &'a Timeline,
    seats: &'a Seats,
    sitting: Option<(usize, u64)>,
    cuts: Cuts,
    clock: Option<ClockFault>,
    /// The sitting leader, paused or cut off, not yet replaced.
    suspended: Option<ClockFault>,
    samples: Vec<f64>,
}

/// One sample per leadership lost to a fault, in history order.
fn downtime_ms(history: &History<Event>, t: &Timeline, seats: &Seats) -> Vec<f64> {
    let mut pass = Downtime {
        timeline: t,
        seats,
        sitting: None,
        cuts: Cuts::default(),
        clock: None,
        suspended: None,
        samples: Vec::new(),
    };
    for (index, entry) in history.entries.iter().enumerate() {
        match entry {
            Entry::Event(ev) => pass.on_event(ev),
            Entry::Fault(f) => pass.on_fault(index, f),
            Entry::Op(_) => {}
        }
    }
    assert!(pass.samples.iter().all(|s| *s >= 0.0), "negative downtime");
    pass.samples
}

impl Downtime<'_> {
    fn on_event(&mut self, ev: &EventEntry<Event>) {
        let node = ev.node;
        match ev.event {
            Event::BecameLeader { term } if self.sitting.is_none_or(|s| s.1 <= term) => {
                self.confirm_if(|s| term > s.term);
                if let Some(c) = self.clock.as_mut().filter(|c| c.leader == node) {
                    c.term = term; // the same holder goes on under a new token
                } else {
                    self.clock_loss_if(|c| term > c.term);
                }
                self.sitting = Some((node, term));
            }
            Event::SteppedDown { term }
                if self
                    .suspended
                    .is_some_and(|s| (s.leader, s.term) == (node, term)) =>
            {
                self.confirm_if(|_| true);
            }
            Event::SteppedDown { term } if self.sitting == Some((node, term)) => {
                self.clock_loss_if(|c| c.leader == node);
                self.sitting = None;
            }
            Event::BecameLeader { .. }
            | Event::SteppedDown { .. }
            | Event::ElectionStarted { .. }
            | Event::LeaderKnown { .. }
            | Event::VoteGranted { .. }
            | Event::WorkAccepted { .. }
            | Event::WorkRejected { .. }
            | Event::LockGranted { .. } => {}
        }
    }

    /// Samples the suspension if `lost(it)`: its leadership ended.
    fn confirm_if(&mut self, lost: impl Fn(&ClockFault) -> bool) {
        if let Some(s) = self.suspended.take_if(|s| lost(s)) {
            self.sample(s.index, s.time_us, s.leader, s.term);
        }
    }

    /// The suspended leader carries on: its pause or cut ended first.
    fn resume_if(&mut self, back: impl Fn(&ClockFault) -> bool) {
        if let Some(s) = self.suspended.take_if(|s| back(s)) {
            self.sitting = Some((s.leader, s.term));
        }
    }

    /// Samples the pending clock fault if `lost(it)`: its leadership ended.
    fn clock_loss_if(&mut self, lost: impl Fn(&ClockFault) -> bool) {
        if let Some(c) = self.clock.take_if(|c| lost(c)) {
            self.sample(c.index, c.time_us, c.leader, c.term);
        }
    }

    fn on_fault(&mut self, index: usize, f: &FaultEntry) {
        self.clock = None; // a clock fault counts only before the next fault
        match f.change {
            FaultChange::Start(kind) => self.on_start(index, f, kind),
            FaultChange::End(kind) => self.on_end(f, kind),
            FaultChange::Heal => {
                self.cuts = Cuts::default();
                self.resume_if(|_| true);
            }
            FaultChange::Other(_) => {}
        }
    }

    fn on_start(&mut self, index: usize, f: &FaultEntry, kind: FaultKind) {
        if matches!(kind, FaultKind::Partition | FaultKind::OneWay) {
            self.cuts.start(&f.pairs);
        }
        if kind == FaultKind::Crash {
            self.confirm_if(|s| f.nodes.contains(&s.leader));
        }
        let Some((leader, term)) = self.sitting else {
            return;
        };
        let named = f.nodes.contains(&leader);
        let suspend = ClockFault {
            index,
            time_us: f.time_us,
            leader,
            term,
        };
        match kind {
            FaultKind::Crash if named => self.lose(index, f.time_us),
            FaultKind::Pause if named => {
                self.sitting = None;
                self.suspended = Some(suspend);
            }
            FaultKind::Partition | FaultKind::OneWay if self.seats.cut_off(&self.cuts, leader) => {
                self.sitting = None;
                self.suspended = Some(suspend);
            }
            FaultKind::Skew | FaultKind::Drift if named => {
                let time_us = f.time_us;
                self.clock = Some(ClockFault {
                    index,
                    time_us,
                    leader,
                    term,
                });
            }
            FaultKind::Crash
            | FaultKind::Pause
            | FaultKind::Partition
            | FaultKind::OneWay
            | FaultKind::Skew
            | FaultKind::Drift
            | FaultKind::Loss
            | FaultKind::Duplicate => {}
        }
    }

    fn on_end(&mut self, f: &FaultEntry, kind: FaultKind) {
        match kind {
            FaultKind::Partition | FaultKind::OneWay => {
                self.cuts.end(&f.pairs);
                let back = self
                    .suspended
                    .is_some_and(|s| !self.seats.cut_off(&self.cuts, s.leader));
                self.resume_if(|_| back);
            }
            FaultKind::Pause => self.resume_if(|s| f.nodes.contains(&s.leader)),
            FaultKind::Crash
            | FaultKind::Skew
            | FaultKind::Drift
            | FaultKind::Loss
            | FaultKind::Duplicate => {}
        }
    }

    /// The sitting leader is removed by fault line `index` at `time_us`.
    fn lose(&mut self, index: usize, time_us: u64) {
        let (leader, term) = self.sitting.take().expect("a sitting leader to lose");
        self.sample(index, time_us, leader, term);
    }

    fn sample(&mut self, after: usize, from_us: u64, leader: usize, term: u64) {
        let servers = &self.seats.servers;
        if let Some(done_us) = recovered_us(self.timeline, servers, leader, term, after) {
            self.samples
                .push(done_us.saturating_sub(from_us) as f64 / 1_000.0);
        }
    }
}

/// When every server but `leader` knew a leader above `term`, after entry `after`.
fn recovered_us(
    t: &Timeline,
    servers: &[Option<usize>],
    leader: usize,
    term: u64,
    after: usize,
) -> Option<u64> {
    let mut done_us = 0;
    for s in servers.iter().filter(|s| **s != Some(leader)) {
        let s = (*s)?; // a server the history never names never knew
        let first = t
            .known
            .iter()
            .find(|k| k.node == s && k.term > term && k.index > after)?;
        done_us = done_us.max(first.time_us);
    }
    Some(done_us)
}

#[cfg(test)]
mod tests {
    use super::super::params::Params;
    use super::super::timeline::build::*;
    use super::super::variant::Variant;
    use super::*;
    use crate::metric::MetricValue;
    use crate::name::Name;

    fn layout(variant: Variant) -> Layout {
        Layout {
            variant,
            servers: 3,
            params: Params::default(),
        }
    }

    fn get(ms: &[Metric], name: &str) -> MetricValue {
        ms.iter().find(|m| m.name == name).unwrap().value.clone()
    }

    fn downtime_of(h: &History<Event>, variant: Variant) -> Vec<f64> {
        match get(&metrics(h, &layout(variant)), "downtime_ms") {
            MetricValue::Distribution { samples } => samples,
            other => panic!("a distribution, got {other:?}"),
        }
    }

    fn downtime(h: &History<Event>) -> Vec<f64> {
        downtime_of(h, Variant::Correct)
    }

    const CRASH: FaultChange = FaultChange::Start(FaultKind::Crash);
    const PAUSE: FaultChange = FaultChange::Start(FaultKind::Pause);
    const PARTITION: FaultChange = FaultChange::Start(FaultKind::Partition);
    const ONE_WAY: FaultChange = FaultChange::Start(FaultKind::OneWay);
    const SKEW: FaultChange = FaultChange::Start(FaultKind::Skew);
    const DRIFT: FaultChange = FaultChange::Start(FaultKind::Drift);

    /// n1 leads term 1 from 1 ms.
    fn n1_leads() -> History<Event> {
        let mut h = history();
        started(&mut h, 0, N1, 1);
        elected(&mut h, 1_000, N1, 1);
        h
    }

    /// n2 wins term 2 at `at_us`; n3 learns 12 ms later.
    fn n2_takes_over(h: &mut History<Event>, at_us: u64) {
        started(h, at_us - 1_000, N2, 2);
        elected(h, at_us, N2, 2);
        known(h, at_us + 12_000, N3, 2, N2);
    }

    /// Both directions between `a` and each of `others`.
    fn both_ways(a: usize, others: &[usize]) -> Vec<(usize, usize)> {
        others.iter().flat_map(|&o| [(a, o), (o, a)]).collect()
    }

    #[test]
    fn downtime_runs_from_leader_fault_to_last_follower_knowing() {
        let mut h = history();
        started(&mut h, 0, N1, 1);
        elected(&mut h, 1_000, N1, 1);
        fault(&mut h, 5_000, CRASH, &[N2]); // not the leader: no sample
        fault(&mut h, 10_000, CRASH, &[N1]);
        fault(&mut h, 10_500, PAUSE, &[N1]); // same loss: counted once
        started(&mut h, 200_000, N3, 2);
        started(&mut h, 300_000, N2, 3);
        elected(&mut h, 301_000, N2, 3);
        known(&mut h, 312_000, N3, 3, N2);
        fault(&mut h, 400_000, FaultChange::End(FaultKind::Crash), &[N2]);
        let ms = metrics(&h, &layout(Variant::Correct));
        assert_eq!(
            get(&ms, "downtime_ms"),
            MetricValue::Distribution {
                samples: vec![302.0]
            }
        );
        assert_eq!(get(&ms, "terms"), MetricValue::Count { value: 3 });
        assert_eq!(get(&ms, "split_votes"), MetricValue::Count { value: 1 });
        assert_eq!(get(&ms, "leader_changes"), MetricValue::Count { value: 2 });
    }

    #[test]
    fn an_unrecovered_loss_gives_no_sample() {
        let mut h = history();
        elected(&mut h, 1_000, N1, 1);
        stepped_down(&mut h, 2_000, N1, 1);
        fault(&mut h, 3_000, CRASH, &[N1]); // no longer leader
        elected(&mut h, 4_000, N2, 2);
        fault(&mut h, 5_000, CRASH, &[N2]);
        known(&mut h, 6_000, N1, 3, N3); // n3 itself never knows
        assert_eq!(downtime(&h), Vec::<f64>::new());
    }

    #[test]
    fn a_paused_leader_is_lost() {
        let mut h = n1_leads();
        fault(&mut h, 10_000, PAUSE, &[N1]);
        n2_takes_over(&mut h, 200_000);
        assert_eq!(downtime(&h), vec![202.0]);
    }

    #[test]
    fn a_pause_or_cut_that_ends_before_anyone_takes_over_is_no_outage() {
        let mut h = n1_leads();
        fault(&mut h, 10_000, PAUSE, &[N1]);
        fault(&mut h, 23_000, FaultChange::End(FaultKind::Pause), &[N1]);
        let isolate = both_ways(N1, &[N2, N3, RESOURCE]);
        cut(&mut h, 30_000, PARTITION, &isolate);
        cut(
            &mut h,
            40_000,
            FaultChange::End(FaultKind::Partition),
            &isolate,
        );
        assert_eq!(downtime(&h), Vec::<f64>::new(), "blips, not outages");
        fault(&mut h, 100_000, CRASH, &[N1]);
        n2_takes_over(&mut h, 200_000);
        assert_eq!(
            downtime(&h),
            vec![112.0],
            "the leader sat on: its crash counts"
        );
    }

    #[test]
    fn a_partition_isolating_the_leader_removes_it() {
        let mut h = n1_leads();
        cut(
            &mut h,
            10_000,
            PARTITION,
            &both_ways(N1, &[N2, N3, RESOURCE]),
        );
        n2_takes_over(&mut h, 200_000);
        assert_eq!(downtime(&h), vec![202.0]);
    }

    #[test]
    fn a_leader_on_the_majority_side_stays() {
        let mut h = n1_leads();
        cut(&mut h, 10_000, PARTITION, &both_ways(N3, &[N1, N2]));
        n2_takes_over(&mut h, 200_000); // for whatever reason: not the cut's
        assert_eq!(downtime(&h), Vec::<f64>::new());
    }

    #[test]
    fn cuts_add_up_until_they_end() {
        let mut h = n1_leads();
        cut(&mut h, 10_000, PARTITION, &both_ways(N1, &[N2]));
        cut(&mut h, 11_000, PARTITION, &both_ways(N1, &[N2])); // n2 twice
        let end = FaultChange::End(FaultKind::Partition);
        cut(&mut h, 12_000, end, &both_ways(N1, &[N2])); // one cut left
        cut(&mut h, 20_000, PARTITION, &both_ways(N1, &[N3])); // now alone
        n2_takes_over(&mut h, 200_000);
        assert_eq!(downtime(&h), vec![192.0]);
    }

    #[test]
    fn heal_makes_every_link_whole() {
        let mut h = n1_leads();
        cut(&mut h, 10_000, PARTITION, &both_ways(N1, &[N2]));
        fault(&mut h, 11_000, FaultChange::Heal, &[]);
        cut(&mut h, 20_000, PARTITION, &both_ways(N1, &[N3]));
        n2_takes_over(&mut h, 200_000);
        assert_eq!(downtime(&h), Vec::<f64>::new());
    }

    #[test]
    fn a_one_way_cut_either_way_removes_the_leader() {
        for pairs in [[(N1, N2), (N1, N3)], [(N2, N1), (N3, N1)]] {
            let mut h = n1_leads();
            cut(&mut h, 10_000, ONE_WAY, &pairs);
            n2_takes_over(&mut h, 200_000);
            assert_eq!(downtime(&h), vec![202.0], "{pairs:?}");
        }
        let mut h = n1_leads(); // one follower each way: n1 hears none
        cut(&mut h, 10_000, ONE_WAY, &[(N1, N2), (N3, N1)]);
        n2_takes_over(&mut h, 200_000);
        assert_eq!(downtime(&h), vec![202.0]);
    }

    #[test]
    fn a_clock_fault_counts_only_when_the_leader_then_falls() {
        for change in [SKEW, DRIFT] {
            let mut h = n1_leads();
            fault(&mut h, 10_000, change, &[N1]);
            n2_takes_over(&mut h, 200_000); // n1 never stepped down, n2 won
            assert_eq!(downtime(&h), vec![202.0], "{change:?}");

            let mut h = n1_leads();
            fault(&mut h, 10_000, change, &[N1]);
            stepped_down(&mut h, 150_000, N1, 1);
            n2_takes_over(&mut h, 200_000);
            assert_eq!(downtime(&h), vec![202.0], "{change:?} then step-down");
        }
    }

    #[test]
    fn a_clock_fault_followed_by_another_fault_gives_no_sample() {
        let mut h = n1_leads();
        fault(&mut h, 10_000, SKEW, &[N1]);
        fault(&mut h, 50_000, FaultChange::End(FaultKind::Skew), &[N1]);
        n2_takes_over(&mut h, 200_000);
        assert_eq!(downtime(&h), Vec::<f64>::new());

        let mut h = n1_leads(); // the later pause is the loss, not the drift
        fault(&mut h, 10_000, DRIFT, &[N1]);
        fault(&mut h, 100_000, PAUSE, &[N1]);
        n2_takes_over(&mut h, 200_000);
        assert_eq!(downtime(&h), vec![112.0]);
    }

    #[test]
    fn a_clock_fault_on_a_follower_gives_no_sample() {
        let mut h = n1_leads();
        fault(&mut h, 10_000, SKEW, &[N2]);
        n2_takes_over(&mut h, 200_000);
        assert_eq!(downtime(&h), Vec::<f64>::new());
    }

    #[test]
    fn ends_heal_other_loss_and_duplicate_never_remove_a_leader() {
        let changes = [
            FaultChange::End(FaultKind::Crash),
            FaultChange::End(FaultKind::Pause),
            FaultChange::End(FaultKind::Skew),
            FaultChange::Heal,
            FaultChange::Other(Name::from_static("kill")),
            FaultChange::Start(FaultKind::Loss),
            FaultChange::Start(FaultKind::Duplicate),
        ];
        for change in changes {
            let mut h = n1_leads();
            fault(&mut h, 10_000, change, &[N1]);
            n2_takes_over(&mut h, 200_000);
            assert_eq!(downtime(&h), Vec::<f64>::new(), "{change:?}");
        }
    }

    #[test]
    fn a_lease_holder_is_lost_when_cut_from_the_lock_only() {
        let lock_history = || {
            let names = ["n1", "n2", "n3", "resource", "lock"];
            let mut h = History::with_nodes(names.map(Name::from_static).to_vec());
            elected(&mut h, 1_000, N1, 1);
            h
        };
        let lock = 4;
        let mut h = lock_history();
        cut(&mut h, 10_000, ONE_WAY, &[(lock, N1)]);
        n2_takes_over(&mut h, 200_000);
        assert_eq!(downtime_of(&h, Variant::LeaseFenced), vec![202.0]);

        let mut h = lock_history(); // cut from every server, not the lock
        cut(&mut h, 10_000, PARTITION, &both_ways(N1, &[N2, N3]));
        n2_takes_over(&mut h, 200_000);
        assert_eq!(downtime_of(&h, Variant::Lease), Vec::<f64>::new());
    }
}
