//! A tiny deterministic driver for unit-testing any [`Model`] without the engine.
//!
//! [`Cluster`] runs a model's nodes in one thread over a discrete-event
//! queue: a binary heap of `(time_us, seq, event)` where an event delivers a
//! message, fires a timer or hands a node a client request. It is the
//! smallest thing that honours the contract of [`crate::node`]: commands are
//! carried out in the order a handler emitted them (so a `Persist` lands
//! before a later `Send`), a crash drops the node value and its timers and
//! keeps only synced storage, a restart rebuilds the node with
//! [`Model::build`] from storage alone and calls `on_start`.
//!
//! Faults are plain method calls, applied at the current time and recorded
//! in the [`History`] as [`FaultEntry`] lines, as the engine does:
//! [`Cluster::crash`], [`Cluster::restart`], [`Cluster::partition`] /
//! [`Cluster::heal`] (symmetric; messages across are dropped at delivery),
//! [`Cluster::pause`] / [`Cluster::resume`] (a stop-the-world pause: the
//! node's events wait until it resumes, its clock keeps running) and
//! [`Cluster::set_duplicate_pct`] (every message delivered twice with that
//! chance) and [`Cluster::set_clock`] (a node's clock offset and rate).
//! Latency is fixed or seeded-uniform ([`Latency`]).
//!
//! Determinism: everything flows from the seed given to [`Cluster::new`].
//! Node `i` gets `ChaCha8Rng::seed_from_u64(seed ^ node_salt(i))` (see
//! [`node_salt`]); the network draws from `ChaCha8Rng::seed_from_u64(seed ^
//! NET_SALT)`. Same model, seed and calls give the same history.
//!
//! ```ignore
//! let mut c = Cluster::new(model, 7);
//! c.run_until(1_000_000);
//! let leader = c.nodes_with_role("leader")[0];
//! c.crash(leader);
//! c.run_until(2_000_000);
//! for (name, verdict) in c.check() { assert_eq!(verdict, Verdict::Valid, "{name}"); }
//! ```
//!
//! This is a test tool, not the engine: no message loss, and one process per
//! client request (the request id is the process number).

use crate::check::{CheckContext, Verdict};
use crate::history::{
    Entry, EventEntry, FaultChange, FaultEntry, FaultKind, History, OpEntry, OpType, Val,
};
use crate::model::Model;
use crate::name::Name;
use crate::node::{Command, Ctx, Node, NodeId, Outcome, RequestId, TimerId};
use crate::storage::Storage;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

/// Most events one [`Cluster::run_until`] call may process (a livelock guard).
pub const EVENTS_PER_RUN_MAX: u64 = 10_000_000;
/// Most events that may wait in the queue at once.
pub const QUEUE_LEN_MAX: usize = 1_000_000;
/// Mixed into the seed for the network's RNG (latency, duplication).
pub const NET_SALT: u64 = 0x6E65_7477_6F72_6B21;

/// The salt mixed into the seed for node `id`'s RNG.
pub fn node_salt(id: NodeId) -> u64 {
    (id as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// One-way message latency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Latency {
    /// Every message takes this many microseconds.
    Fixed(u64),
    /// Uniform in `min_us..=max_us`, drawn from the network RNG.
    Uniform(u64, u64),
}

/// Parts per million in one.
const PPM: i64 = 1_000_000;

/// The role label [`Cluster::role`] reports for a crashed node.
pub const ROLE_CRASHED: &str = "crashed";

type MsgOf<M> = <<M as Model>::Node as Node>::Msg;

/// Something that will happen to a node.
enum Event<M: Model> {
    Deliver {
        from: NodeId,
        to: NodeId,
        msg: MsgOf<M>,
    },
    Timer {
        node: NodeId,
        timer: TimerId,
        generation: u64,
    },
    Client {
        node: NodeId,
        req: RequestId,
        op: M::Op,
    },
}

impl<M: Model> Event<M> {
    fn target(&self) -> NodeId {
        match self {
            Event::Deliver { to, .. } => *to,
            Event::Timer { node, .. } | Event::Client { node, .. } => *node,
        }
    }
}

/// An event in the queue; ordered by `(time_us, seq)`, earliest first.
struct Scheduled<M: Model> {
    time_us: u64,
    seq: u64,
    event: Event<M>,
}

impl<M: Model> PartialEq for Scheduled<M> {
    fn eq(&self, other: &Self) -> bool {
        (self.time_us, self.seq) == (other.time_us, other.seq)
    }
}
impl<M: Model> Eq for Scheduled<M> {}
impl<M: Model> PartialOrd for Scheduled<M> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<M: Model> Ord for Scheduled<M> {
    /// Reversed, so that `BinaryHeap` (a max-heap) pops the earliest first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time_us, other.seq).cmp(&(self.time_us, self.seq))
    }
}

/// One node's place in the cluster: the node value and what outlives it.
struct Slot<M: Model> {
    name: String,
    node: Option<M::Node>,
    storage: Storage,
    rng: ChaCha8Rng,
    /// Armed timers and the generation that may fire.
    timers: BTreeMap<TimerId, u64>,
    role: &'static str,
    paused: bool,
    parked: Vec<Event<M>>,
    skew_us: i64,
    drift_ppm: i64,
}

/// A client request that has not been answered yet.
struct Pending {
    node: NodeId,
    op: OpEntry,
}

/// A deterministic single-threaded cluster running `M`'s nodes.
pub struct Cluster<M: Model> {
    model: M,
    slots: Vec<Slot<M>>,
    queue: BinaryHeap<Scheduled<M>>,
    now_us: u64,
    seq: u64,
    generation: u64,
    next_req: RequestId,
    net_rng: ChaCha8Rng,
    latency: Latency,
    duplicate_pct: u32,
    blocked: BTreeSet<(NodeId, NodeId)>,
    pending: BTreeMap<RequestId, Pending>,
    history: History<M::Event>,
    heal_us: u64,
}

impl<M: Model> Cluster<M> {
    /// Builds every node of `model` from empty storage and starts them at time 0.
    ///
    /// Latency defaults to `Latency::Uniform(500, 1_500)`.
    pub fn new(model: M, seed: u64) -> Cluster<M> {
        let slots = model
            .nodes()
            .into_iter()
            .enumerate()
            .map(|(id, spec)| Slot {
                name: spec.name,
                node: None,
                storage: Storage::default(),
                rng: ChaCha8Rng::seed_from_u64(seed ^ node_salt(id)),
                timers: BTreeMap::new(),
                role: spec.role,
                paused: false,
                parked: Vec::new(),
                skew_us: 0,
                drift_ppm: 0,
            })
            .collect::<Vec<_>>();
        assert!(!slots.is_empty(), "a model must lay out at least one node");
        let mut cluster = Cluster {
            model,
            slots,
            queue: BinaryHeap::new(),
            now_us: 0,
            seq: 0,
            generation: 0,
            next_req: 1,
            net_rng: ChaCha8Rng::seed_from_u64(seed ^ NET_SALT),
            latency: Latency::Uniform(500, 1_500),
            duplicate_pct: 0,
            blocked: BTreeSet::new(),
            pending: BTreeMap::new(),
            history: History::default(),
            heal_us: 0,
        };
        cluster.history.nodes = (cluster.slots.iter())
            .map(|s| Name::intern(&s.name).expect("node names intern"))
            .collect();
        for id in 0..cluster.slots.len() {
            cluster.boot(id);
        }
        cluster
    }

    /// Sets the one-way latency of messages sent from now on.
    pub fn set_latency(&mut self, latency: Latency) {
        if let Latency::Uniform(min_us, max_us) = latency {
            assert!(min_us <= max_us, "latency min {min_us} > max {max_us}");
        }
        self.latency = latency;
    }

    /// Delivers each message sent from now on twice with chance `pct`/100.
    pub fn set_duplicate_pct(&mut self, pct: u32) {
        assert!(pct <= 100, "duplicate_pct {pct} is over 100");
        self.duplicate_pct = pct;
    }

    /// Sets `id`'s clock to read `skew_us + now_us * (1 + drift_ppm / 10^6)`;
    /// its timers run at the same rate. A change may make the clock jump.
    pub fn set_clock(&mut self, id: NodeId, skew_us: i64, drift_ppm: i64) {
        assert!(
            drift_ppm.abs() < PPM,
            "drift_ppm {drift_ppm} would stop the clock"
        );
        self.slots[id].skew_us = skew_us;
        self.slots[id].drift_ppm = drift_ppm;
        let mut skew = FaultEntry::new(self.now_us, FaultChange::Start(FaultKind::Skew), vec![id]);
        skew.amount = Some(skew_us as f64 / 1000.0);
        self.history.push(Entry::Fault(Box::new(skew)));
        if drift_ppm != 0 {
            let mut drift =
                FaultEntry::new(self.now_us, FaultChange::Start(FaultKind::Drift), vec![id]);
            drift.amount = Some(drift_ppm as f64);
            self.history.push(Entry::Fault(Box::new(drift)));
        }
    }

    /// `id`'s own clock now.
    pub fn local_now_us(&self, id: NodeId) -> u64 {
        let slot = &self.slots[id];
        let scaled = i128::from(self.now_us) * i128::from(PPM + slot.drift_ppm) / i128::from(PPM);
        let local = scaled + i128::from(slot.skew_us);
        u64::try_from(local.max(0)).expect("a clock fits in u64")
    }

    /// Processes every event due at or before `time_us`, then sets the clock to it.
    pub fn run_until(&mut self, time_us: u64) {
        assert!(time_us >= self.now_us, "time runs forward only");
        let mut steps = 0u64;
        while self.queue.peek().is_some_and(|s| s.time_us <= time_us) {
            let Some(next) = self.queue.pop() else { break };
            self.now_us = next.time_us;
            self.dispatch(next.event);
            steps += 1;
            assert!(
                steps <= EVENTS_PER_RUN_MAX,
                "run_until: event bound hit (livelock?)"
            );
        }
        self.now_us = time_us;
    }

    /// Runs for `duration_us` more.
    pub fn run_for(&mut self, duration_us: u64) {
        self.run_until(self.now_us + duration_us);
    }

    /// Crashes `id`: drops the node value and its timers, loses unsynced writes,
    /// answers its pending client requests with `info` (unknown).
    pub fn crash(&mut self, id: NodeId) {
        assert!(self.is_up(id), "crash of {id}, which is down");
        let slot = &mut self.slots[id];
        slot.node = None;
        slot.storage.crash(false);
        slot.timers.clear();
        slot.parked.clear();
        slot.paused = false;
        slot.role = ROLE_CRASHED;
        let lost: Vec<RequestId> = self
            .pending
            .iter()
            .filter(|(_, p)| p.node == id)
            .map(|(req, _)| *req)
            .collect();
        for req in lost {
            self.complete(req, Outcome::Unknown, json!("node crashed"));
        }
        self.fault(FaultChange::Start(FaultKind::Crash), &[id]);
    }

    /// Restarts crashed node `id` from its storage and calls `on_start`.
    pub fn restart(&mut self, id: NodeId) {
        assert!(!self.is_up(id), "restart of {id}, which is up");
        self.fault(FaultChange::End(FaultKind::Crash), &[id]);
        self.boot(id);
    }

    /// Cuts every link between `a` and `b` (both ways) until [`Cluster::heal`].
    ///
    /// The fault line lists the cut directed links, as the engine's does.
    pub fn partition(&mut self, a: &[NodeId], b: &[NodeId]) {
        let mut pairs = Vec::new();
        for &x in a {
            for &y in b {
                assert!(x != y, "node {x} on both sides of a partition");
                self.blocked.insert((x, y));
                self.blocked.insert((y, x));
                pairs.extend([(x, y), (y, x)]);
            }
        }
        let mut line = FaultEntry::new(
            self.now_us,
            FaultChange::Start(FaultKind::Partition),
            vec![],
        );
        line.pairs = pairs;
        self.history.push(Entry::Fault(Box::new(line)));
    }

    /// Makes the network whole again and marks the start of the liveness phase.
    ///
    /// Like the engine's heal, it first ends the partition (a
    /// `partition-end` line naming the links restored), then writes `heal`.
    pub fn heal(&mut self) {
        let restored: Vec<_> = std::mem::take(&mut self.blocked).into_iter().collect();
        if !restored.is_empty() {
            let end = FaultChange::End(FaultKind::Partition);
            let mut line = FaultEntry::new(self.now_us, end, vec![]);
            line.pairs = restored;
            self.history.push(Entry::Fault(Box::new(line)));
        }
        self.heal_us = self.now_us;
        self.fault(FaultChange::Heal, &[]);
    }

    /// Pauses `id` (stop-the-world): its events wait until [`Cluster::resume`].
    pub fn pause(&mut self, id: NodeId) {
        assert!(
            self.is_up(id) && !self.slots[id].paused,
            "pause of {id}: down or paused"
        );
        self.slots[id].paused = true;
        self.fault(FaultChange::Start(FaultKind::Pause), &[id]);
    }

    /// Resumes `id`: everything that waited happens now, in its original order.
    pub fn resume(&mut self, id: NodeId) {
        assert!(self.slots[id].paused, "resume of {id}, which is not paused");
        self.slots[id].paused = false;
        self.fault(FaultChange::End(FaultKind::Pause), &[id]);
        let parked = std::mem::take(&mut self.slots[id].parked);
        for event in parked {
            self.dispatch(event);
        }
    }

    /// Sends client request `op` to `node` now; returns its id (also its process).
    pub fn client(&mut self, node: NodeId, op: M::Op) -> RequestId {
        let req = self.next_req;
        self.next_req += 1;
        let line = op_line(&op, req, self.now_us).with_node(Some(node));
        self.history.push(Entry::Op(line.clone()));
        self.pending.insert(req, Pending { node, op: line });
        self.schedule(self.now_us, Event::Client { node, req, op });
        req
    }

    /// The current simulated time.
    pub fn now_us(&self) -> u64 {
        self.now_us
    }

    /// The history so far.
    pub fn history(&self) -> &History<M::Event> {
        &self.history
    }

    /// The model under test.
    pub fn model(&self) -> &M {
        &self.model
    }

    /// Makes a client operation of kind `f` as the engine's clients do.
    pub fn make_op(&mut self, f: &str, rng: &mut ChaCha8Rng) -> M::Op {
        self.model.make_op(f, rng)
    }

    /// The last role `id` announced (its spec role before that; "crashed" when down).
    pub fn role(&self, id: NodeId) -> &'static str {
        self.slots[id].role
    }

    /// Nodes whose current role is `role`, in id order.
    pub fn nodes_with_role(&self, role: &str) -> Vec<NodeId> {
        (0..self.slots.len())
            .filter(|&id| self.slots[id].role == role)
            .collect()
    }

    /// The node value of `id`, unless it is crashed.
    pub fn node(&self, id: NodeId) -> Option<&M::Node> {
        self.slots[id].node.as_ref()
    }

    /// The durable storage of `id`.
    pub fn storage(&self, id: NodeId) -> &Storage {
        &self.slots[id].storage
    }

    /// Whether `id` is running (not crashed; it may be paused).
    pub fn is_up(&self, id: NodeId) -> bool {
        self.slots[id].node.is_some()
    }

    /// The context checkers need: node names, the last heal time, now as the end.
    pub fn check_context(&self) -> CheckContext {
        CheckContext {
            nodes: self.slots.iter().map(|s| s.name.clone()).collect(),
            heal_us: self.heal_us,
            end_us: self.now_us,
        }
    }

    /// Runs every checker of the model on the history so far.
    pub fn check(&self) -> Vec<(&'static str, Verdict)> {
        let ctx = self.check_context();
        let checkers = self.model.checkers();
        checkers
            .iter()
            .map(|c| (c.name(), c.check(&self.history, &ctx)))
            .collect()
    }

    fn boot(&mut self, id: NodeId) {
        let node = self.model.build(id, &self.slots[id].storage);
        self.slots[id].node = Some(node);
        self.slots[id].role = self.model.nodes()[id].role;
        self.call(id, |node, ctx| node.on_start(ctx));
    }

    fn dispatch(&mut self, event: Event<M>) {
        let id = event.target();
        if self.slots[id].paused {
            self.slots[id].parked.push(event);
            return;
        }
        match event {
            Event::Deliver { from, to, msg } => {
                if !self.blocked.contains(&(from, to)) {
                    self.call(to, |node, ctx| node.on_msg(ctx, from, msg));
                }
            }
            Event::Timer {
                node,
                timer,
                generation,
            } => self.fire(node, timer, generation),
            Event::Client { node, req, op } => self.serve(node, req, op),
        }
    }

    fn fire(&mut self, id: NodeId, timer: TimerId, generation: u64) {
        if self.slots[id].timers.get(&timer) != Some(&generation) {
            return; // re-armed, cancelled, or the node crashed since
        }
        self.slots[id].timers.remove(&timer);
        self.call(id, |node, ctx| node.on_timer(ctx, timer));
    }

    fn serve(&mut self, id: NodeId, req: RequestId, op: M::Op) {
        if self.is_up(id) {
            self.call(id, |node, ctx| node.on_client(ctx, req, op));
        } else {
            self.complete(req, Outcome::Fail, json!("node down"));
        }
    }

    /// Runs one handler of `id` (if it is up) and carries out its commands.
    fn call(&mut self, id: NodeId, f: impl FnOnce(&mut M::Node, &mut Ctx<'_, MsgOf<M>, M::Event>)) {
        let n = self.slots.len();
        let mut out = Vec::new();
        let now_us = self.local_now_us(id);
        let Slot {
            node, storage, rng, ..
        } = &mut self.slots[id];
        let Some(node) = node.as_mut() else { return };
        let mut ctx = Ctx::new(id, n, now_us, rng, storage, &mut out);
        f(node, &mut ctx);
        for command in out {
            self.apply(id, command);
        }
    }

    fn apply(&mut self, id: NodeId, command: Command<MsgOf<M>, M::Event>) {
        match command {
            Command::Send { to, msg } => self.send(id, to, msg),
            Command::SetTimer { timer, after_us } => {
                self.generation += 1;
                self.slots[id].timers.insert(timer, self.generation);
                let event = Event::Timer {
                    node: id,
                    timer,
                    generation: self.generation,
                };
                let rate = i128::from(PPM + self.slots[id].drift_ppm);
                let global_us = (i128::from(after_us) * i128::from(PPM) + rate - 1) / rate;
                let global_us = u64::try_from(global_us).expect("a timer fits in u64");
                self.schedule(self.now_us + global_us, event);
            }
            Command::CancelTimer { timer } => {
                self.slots[id].timers.remove(&timer);
            }
            Command::Persist { key, value, sync } => self.slots[id].storage.put(key, value, sync),
            Command::Forget { key, sync } => self.slots[id].storage.remove(key, sync),
            Command::Reply {
                req,
                outcome,
                value,
            } => self.complete(req, outcome, value),
            Command::Event(event) => self.history.push(Entry::Event(EventEntry {
                time_us: self.now_us,
                node: id,
                event,
            })),
            Command::Role { role } => self.slots[id].role = role,
        }
    }

    fn send(&mut self, from: NodeId, to: NodeId, msg: MsgOf<M>) {
        assert!(to < self.slots.len(), "send to unknown node {to}");
        let copies = if self.net_rng.gen_range(0..100) < self.duplicate_pct {
            2
        } else {
            1
        };
        for _ in 0..copies {
            let at = self.now_us + self.draw_latency_us();
            let msg = msg.clone();
            self.schedule(at, Event::Deliver { from, to, msg });
        }
    }

    fn draw_latency_us(&mut self) -> u64 {
        match self.latency {
            Latency::Fixed(us) => us,
            Latency::Uniform(min_us, max_us) => self.net_rng.gen_range(min_us..=max_us),
        }
    }

    fn schedule(&mut self, time_us: u64, event: Event<M>) {
        assert!(self.queue.len() < QUEUE_LEN_MAX, "event queue bound hit");
        self.seq += 1;
        let seq = self.seq;
        self.queue.push(Scheduled {
            time_us,
            seq,
            event,
        });
    }

    fn complete(&mut self, req: RequestId, outcome: Outcome, value: Value) {
        let Some(pending) = self.pending.remove(&req) else {
            panic!("reply to request {req}, which is not pending (answered twice?)");
        };
        let mut op = pending.op;
        op.value = Val::from(value);
        op.kind = match outcome {
            Outcome::Ok => OpType::Ok,
            Outcome::Fail => OpType::Fail,
            Outcome::Unknown => OpType::Info,
        };
        op.time_us = self.now_us;
        self.history.push(Entry::Op(op));
    }

    fn fault(&mut self, change: FaultChange, nodes: &[NodeId]) {
        let line = FaultEntry::new(self.now_us, change, nodes.to_vec());
        self.history.push(Entry::Fault(Box::new(line)));
    }
}

/// An operation's invoke line: its JSON object's fields, or `{"f": value}`
/// for an op that encodes as a bare value.
fn op_line<T: serde::Serialize>(op: &T, process: u64, time_us: u64) -> OpEntry {
    let fields = match serde_json::to_value(op).expect("operations encode as JSON") {
        Value::Object(map) => map,
        other => serde_json::Map::from_iter([("f".to_string(), other)]),
    };
    OpEntry::from_fields(
        OpType::Invoke,
        process,
        time_us,
        Name::from_static(""),
        fields,
    )
    .expect("operation names intern")
}

#[cfg(test)]
mod tests;
