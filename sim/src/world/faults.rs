//! Applying and undoing faults: the one place faults touch the world.

use super::event::Event;
use super::node_task::tag;
use super::World;
use crate::fault::target::View;
use crate::fault::{AppliedFault, FaultAction, Split, Target};
use crate::net::{between_groups, one_way};
use faultline_models::{Entry, FaultChange, FaultEntry, Model, NodeId};
use rand::seq::SliceRandom;

/// How to undo an applied fault.
#[derive(Debug, Clone, PartialEq)]
pub enum Undo {
    /// Restart these nodes (if still down).
    Restart(Vec<NodeId>),
    /// Resume these nodes (if still paused).
    Resume(Vec<NodeId>),
    /// Unblock these links.
    Unblock(Vec<(NodeId, NodeId)>),
    /// Step these clocks back.
    Unskew(Vec<NodeId>, i64),
    /// Restore these drift rates.
    Undrift(Vec<(NodeId, f64)>),
    /// Remove extra loss.
    Loss(f64),
    /// Remove extra duplication.
    Duplicate(f64),
}

impl<M: Model> World<M> {
    /// Applies planned fault `index`; schedules its undo if it has a length.
    pub fn fault_start(&mut self, index: usize) {
        let planned = self.faults.plan[index].clone();
        let (applied, undo) = self.apply_fault(&planned.action);
        let effective = applied.effective;
        self.log_fault(&applied, FaultChange::Start(applied.kind));
        self.faults.timeline.push(applied);
        if !effective {
            return;
        }
        let id = self.faults.next_id;
        self.faults.next_id += 1;
        self.faults
            .active
            .insert(id, (self.faults.timeline.len() - 1, undo));
        if let Some(for_us) = planned.for_us {
            self.queue
                .push(self.now_us + for_us, Event::FaultEnd { id });
        }
    }

    /// Undoes active fault `id` (if heal has not already).
    pub fn fault_end(&mut self, id: u64) {
        let Some((index, undo)) = self.faults.active.remove(&id) else {
            return;
        };
        self.undo(undo);
        self.faults.timeline[index].until_us = Some(self.now_us);
        let entry = self.faults.timeline[index].clone();
        self.log_fault(&entry, FaultChange::End(entry.kind));
    }

    /// Ends the safety phase: undoes every active fault, restarts every node.
    pub fn heal(&mut self) {
        let ids: Vec<u64> = self.faults.active.keys().copied().collect();
        for id in ids {
            self.fault_end(id);
        }
        self.partitions.clear();
        let down: Vec<NodeId> = (0..self.slots.len())
            .filter(|&i| !self.slots[i].alive)
            .collect();
        self.undo(super::faults::Undo::Restart(down));
        self.trace_record(tag::FAULT, "heal");
        let entry = FaultEntry::new(self.now_us, FaultChange::Heal, vec![]);
        self.keep(Entry::Fault(Box::new(entry)));
    }

    fn resolve(&mut self, target: &Target) -> Vec<NodeId> {
        let roles: Vec<_> = self.slots.iter().map(|s| s.role).collect();
        let alive: Vec<_> = self.slots.iter().map(|s| s.alive).collect();
        let faultable: Vec<_> = self.specs.iter().map(|s| s.faultable).collect();
        let view = View {
            roles: &roles,
            faultable: &faultable,
            alive: &alive,
        };
        let nodes = target.resolve(&view, &mut self.fault_rng);
        if let (Target::Role(role) | Target::RandomRole(role), true) = (target, nodes.is_empty()) {
            tracing::warn!(role = %role, "a fault's role matched no live node");
            self.faults
                .unmatched_roles
                .push((self.now_us, role.clone()));
        }
        nodes
    }

    fn apply_fault(&mut self, action: &FaultAction) -> (AppliedFault, Undo) {
        let mut applied = AppliedFault {
            at_us: self.now_us,
            until_us: None,
            kind: action.kind(),
            nodes: vec![],
            pairs: vec![],
            amount: None,
            lose_unsynced: false,
            effective: true,
        };
        let undo = match action {
            FaultAction::Crash {
                target,
                lose_unsynced,
            } => {
                let nodes: Vec<_> = self
                    .resolve(target)
                    .into_iter()
                    .filter(|&i| self.slots[i].alive)
                    .collect();
                for &i in &nodes {
                    self.crash(i, *lose_unsynced);
                }
                applied.lose_unsynced = *lose_unsynced;
                applied.nodes = self.names_of(&nodes);
                Undo::Restart(nodes)
            }
            FaultAction::Pause(target) => {
                let nodes: Vec<_> = self
                    .resolve(target)
                    .into_iter()
                    .filter(|&i| self.slots[i].alive && !self.slots[i].paused)
                    .collect();
                for &i in &nodes {
                    self.slots[i].paused = true;
                    self.refresh_busy(i);
                    madsim::runtime::Handle::current().pause(self.madsim_ids[i]);
                }
                applied.nodes = self.names_of(&nodes);
                Undo::Resume(nodes)
            }
            FaultAction::Partition(split) => {
                let pairs = self.split_pairs(split);
                self.partitions.block(&pairs);
                applied.pairs = pairs
                    .iter()
                    .map(|&(a, b)| (self.names[a].clone(), self.names[b].clone()))
                    .collect();
                Undo::Unblock(pairs)
            }
            FaultAction::OneWay { from, to } => {
                let (from, to) = (self.resolve(from), self.resolve(to));
                let pairs = one_way(&from, &to);
                self.partitions.block(&pairs);
                applied.pairs = pairs
                    .iter()
                    .map(|&(a, b)| (self.names[a].clone(), self.names[b].clone()))
                    .collect();
                Undo::Unblock(pairs)
            }
            FaultAction::Skew { target, offset_us } => {
                let nodes = self.resolve(target);
                nodes
                    .iter()
                    .for_each(|&i| self.slots[i].clock.step(*offset_us));
                applied.nodes = self.names_of(&nodes);
                applied.amount = Some(*offset_us as f64 / 1000.0);
                Undo::Unskew(nodes, *offset_us)
            }
            FaultAction::Drift { target, ppm } => {
                let nodes = self.resolve(target);
                let old: Vec<_> = nodes
                    .iter()
                    .map(|&i| (i, self.slots[i].clock.drift_ppm()))
                    .collect();
                let now = self.now_us;
                nodes
                    .iter()
                    .for_each(|&i| self.slots[i].clock.set_drift(now, *ppm));
                applied.nodes = self.names_of(&nodes);
                applied.amount = Some(*ppm);
                Undo::Undrift(old)
            }
            FaultAction::Loss(p) => {
                self.extra_loss += p;
                applied.amount = Some(*p);
                Undo::Loss(*p)
            }
            FaultAction::Duplicate(p) => {
                self.extra_dup += p;
                applied.amount = Some(*p);
                Undo::Duplicate(*p)
            }
        };
        applied.effective =
            !(applied.nodes.is_empty() && applied.pairs.is_empty() && applied.amount.is_none());
        (applied, undo)
    }

    fn undo(&mut self, undo: Undo) {
        match undo {
            Undo::Restart(nodes) => {
                for i in nodes {
                    if !self.slots[i].alive {
                        self.restart(i);
                    }
                }
            }
            Undo::Resume(nodes) => {
                for i in nodes {
                    if !self.slots[i].paused {
                        continue;
                    }
                    self.slots[i].paused = false;
                    self.refresh_busy(i);
                    madsim::runtime::Handle::current().resume(self.madsim_ids[i]);
                    self.slots[i].wake();
                }
            }
            Undo::Unblock(pairs) => self.partitions.unblock(&pairs),
            Undo::Unskew(nodes, offset) => nodes
                .iter()
                .for_each(|&i| self.slots[i].clock.step(-offset)),
            Undo::Undrift(old) => {
                let now = self.now_us;
                old.iter()
                    .for_each(|&(i, ppm)| self.slots[i].clock.set_drift(now, ppm));
            }
            Undo::Loss(p) => self.extra_loss = (self.extra_loss - p).max(0.0),
            Undo::Duplicate(p) => self.extra_dup = (self.extra_dup - p).max(0.0),
        }
    }

    fn crash(&mut self, id: NodeId, lose_unsynced: bool) {
        self.slots[id].crash(lose_unsynced);
        self.refresh_busy(id);
        madsim::runtime::Handle::current().kill(self.madsim_ids[id]);
    }

    fn restart(&mut self, id: NodeId) {
        self.slots[id].restart();
        self.refresh_busy(id);
        madsim::runtime::Handle::current().restart(self.madsim_ids[id]);
    }

    fn names_of(&self, nodes: &[NodeId]) -> Vec<String> {
        nodes.iter().map(|&i| self.names[i].clone()).collect()
    }

    fn split_pairs(&mut self, split: &Split) -> Vec<(NodeId, NodeId)> {
        let mut servers: Vec<NodeId> = (0..self.specs.len())
            .filter(|&i| self.specs[i].faultable)
            .collect();
        match split {
            Split::Isolate(target) => {
                let cut = self.resolve(target);
                let rest: Vec<_> = (0..self.specs.len()).filter(|i| !cut.contains(i)).collect();
                between_groups(&[cut, rest])
            }
            Split::Majority | Split::Halves => {
                servers.shuffle(&mut self.fault_rng);
                let k = if matches!(split, Split::Majority) {
                    servers.len() / 2 + 1
                } else {
                    servers.len() / 2
                };
                let (a, b) = servers.split_at(k.min(servers.len()));
                between_groups(&[a.to_vec(), b.to_vec()])
            }
            Split::Bridge => {
                servers.shuffle(&mut self.fault_rng);
                let Some((&bridge, rest)) = servers.split_first() else {
                    return vec![];
                };
                let (a, b) = rest.split_at(rest.len() / 2);
                let _ = bridge;
                between_groups(&[a.to_vec(), b.to_vec()])
            }
            Split::Ring => {
                servers.shuffle(&mut self.fault_rng);
                ring_pairs(&servers)
            }
            Split::Groups(groups) => between_groups(groups),
            Split::Pairs(pairs) => pairs.clone(),
        }
    }

    fn log_fault(&mut self, f: &AppliedFault, change: FaultChange) {
        let index = |name: &String| {
            (self.names.iter())
                .position(|n| n == name)
                .expect("an applied fault names nodes of the cluster")
        };
        let entry = FaultEntry {
            time_us: self.now_us,
            change,
            nodes: f.nodes.iter().map(index).collect(),
            pairs: f.pairs.iter().map(|(a, b)| (index(a), index(b))).collect(),
            amount: f.amount,
            lose_unsynced: f.lose_unsynced,
        };
        let label = change.label();
        tracing::info!(fault = %label, nodes = ?f.nodes, pairs = f.pairs.len(), "fault");
        let amount = f.amount.map(f64::to_bits);
        let hashed = (&entry.nodes, &entry.pairs, amount, f.lose_unsynced);
        self.trace_record(tag::FAULT, &(label.as_str(), hashed));
        self.keep(Entry::Fault(Box::new(entry)));
    }
}

/// Pairs cut in a ring: each node keeps only its two ring neighbours.
fn ring_pairs(ring: &[NodeId]) -> Vec<(NodeId, NodeId)> {
    let n = ring.len();
    let mut pairs = Vec::new();
    for (i, &a) in ring.iter().enumerate() {
        for (j, &b) in ring.iter().enumerate() {
            let distance = (i + n - j) % n;
            if i != j && distance != 1 && distance != n - 1 {
                pairs.push((a, b));
            }
        }
    }
    pairs
}
