//! Client processes: Jepsen-style, one operation in flight each.
//!
//! A process picks an operation from the mix, records `invoke`, sends it to
//! a node over the client link (default latency, never partitioned: clients
//! sit beside the cluster), and records `ok`/`fail` from the reply or
//! `info` when the reply is late. After an `info` the process takes a new
//! id (the old one may still have an op in flight), as Jepsen does.

use super::event::Event;
use super::node_task::tag;
use super::{Item, World};
use faultline_models::{Entry, Model, Name, NodeId, OpEntry, OpType, Outcome, RequestId, Val};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::Value;
use std::collections::BTreeMap;

/// Validated `[workload]` settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Workload {
    /// Number of client processes.
    pub clients: usize,
    /// Mean gap between one process's operations, microseconds.
    pub gap_us_mean: f64,
    /// Reply deadline, microseconds.
    pub timeout_us: u64,
    /// Operation name and weight.
    pub mix: Vec<(&'static str, u32)>,
}

struct Pending {
    client: usize,
    /// The invoke line; its completion is this with kind, time and value set.
    op: OpEntry,
}

/// The clients of one run.
pub struct Clients<M: Model> {
    workload: Workload,
    rng: ChaCha8Rng,
    processes: Vec<u64>,
    pending: BTreeMap<RequestId, Pending>,
    next_req: RequestId,
    stop_us: u64,
    _model: std::marker::PhantomData<M>,
}

impl<M: Model> Clients<M> {
    /// Clients that issue operations until `stop_us`.
    pub fn new(workload: Workload, rng: ChaCha8Rng, stop_us: u64) -> Self {
        let processes = (0..workload.clients as u64).collect();
        Clients {
            workload,
            rng,
            processes,
            pending: BTreeMap::new(),
            next_req: 0,
            stop_us,
            _model: Default::default(),
        }
    }

    /// Number of client slots.
    pub fn count(&self) -> usize {
        self.workload.clients
    }

    fn gap_us(&mut self) -> u64 {
        let u: f64 = self.rng.gen_range(f64::EPSILON..1.0);
        (-u.ln() * self.workload.gap_us_mean).round() as u64
    }

    fn pick_f(&mut self) -> &'static str {
        let total: u32 = self.workload.mix.iter().map(|m| m.1).sum();
        let mut x = self.rng.gen_range(0..total);
        for &(f, w) in &self.workload.mix {
            if x < w {
                return f;
            }
            x -= w;
        }
        unreachable!("weights sum to {total}")
    }
}

impl<M: Model> World<M> {
    /// Schedules every client's first operation.
    pub fn start_clients(&mut self) {
        for client in 0..self.clients.count() {
            let gap = self.clients.gap_us();
            self.queue.push(gap, Event::Tick { client });
        }
    }

    /// A client issues its next operation.
    pub fn client_tick(&mut self, client: usize) {
        if self.now_us >= self.clients.stop_us || self.servers.is_empty() {
            return;
        }
        let f = self.clients.pick_f();
        let (model, rng) = (&mut self.model, &mut self.clients.rng);
        let op = crate::panics::protocol(|| model.make_op(f, rng));
        // The model's contract, checked on its side: a bad route is its finding.
        let node = crate::panics::protocol(|| {
            let node = self.model.route(&op, &self.servers, rng);
            assert!(
                self.servers.contains(&node),
                "{}::route picked node {node}, which serves no clients",
                M::NAME
            );
            node
        });
        self.clients.next_req += 1;
        let req = self.clients.next_req;
        let process = self.clients.processes[client];
        let line = invoke_line(f, &op, process, self.now_us).with_node(Some(node));
        self.record_op(line.clone());
        self.clients
            .pending
            .insert(req, Pending { client, op: line });
        let d = self.client_delay_us();
        self.queue
            .push(self.now_us + d, Event::Request { req, node, op });
        self.queue.push(
            self.now_us + self.clients.workload.timeout_us,
            Event::Timeout { req },
        );
    }

    /// A request reaches its node: queue it unless the node is down.
    pub fn client_request(&mut self, req: RequestId, node: NodeId, op: M::Op) {
        if self.slots[node].alive {
            self.slots[node].mailbox.push_back(Item::Client { req, op });
            self.refresh_busy(node);
        }
    }

    /// A node answered: the reply travels back to the client.
    pub fn reply(&mut self, req: RequestId, outcome: Outcome, value: Value) {
        let d = self.client_delay_us();
        self.queue.push(
            self.now_us + d,
            Event::Reply {
                req,
                outcome,
                value,
            },
        );
    }

    /// The reply reaches the client (ignored if it already gave up).
    pub fn client_reply(&mut self, req: RequestId, outcome: Outcome, value: Value) {
        let Some(mut p) = self.clients.pending.remove(&req) else {
            return;
        };
        let kind = match outcome {
            Outcome::Ok => OpType::Ok,
            Outcome::Fail => OpType::Fail,
            Outcome::Unknown => OpType::Info,
        };
        if !value.is_null() {
            p.op.value = Val::from(value);
        }
        self.finish(p, kind);
    }

    /// The client gives up waiting: the outcome is unknown.
    pub fn client_timeout(&mut self, req: RequestId) {
        if let Some(p) = self.clients.pending.remove(&req) {
            self.finish(p, OpType::Info);
        }
    }

    fn finish(&mut self, mut p: Pending, kind: OpType) {
        p.op.kind = kind;
        p.op.time_us = self.now_us;
        self.record_op(p.op);
        if kind == OpType::Info {
            self.clients.processes[p.client] += self.clients.count() as u64;
        }
        // Saturating: a rate near 0 draws gaps past the end of u64.
        let gap = self.clients.gap_us();
        self.queue.push(
            self.now_us.saturating_add(gap),
            Event::Tick { client: p.client },
        );
    }

    fn record_op(&mut self, entry: OpEntry) {
        self.trace_record(tag::OP, &HashedOp(&entry));
        if tracing::enabled!(tracing::Level::DEBUG) {
            let entry = Entry::<M::Event>::Op(entry.clone());
            let line = faultline_models::history::jsonl::entry_json(&self.history.nodes, &entry);
            tracing::debug!(op = %line, "client");
        }
        self.keep(Entry::Op(entry));
    }

    fn client_delay_us(&mut self) -> u64 {
        self.net.default.latency.sample_us(&mut self.net_rng)
    }
}

/// The invoke line of op `op` of kind `f`: its JSON object's fields (`f`
/// from the mix when the object has none), or `{f, value: op}` for an op
/// that encodes as a bare value.
fn invoke_line<T: serde::Serialize>(f: &'static str, op: &T, process: u64, now_us: u64) -> OpEntry {
    let name = Name::from_static(f);
    let line = match serde_json::to_value(op) {
        Ok(Value::Object(map)) => OpEntry::from_fields(OpType::Invoke, process, now_us, name, map),
        Ok(other) => {
            let mut line = OpEntry::new(OpType::Invoke, process, now_us, name);
            line.value = Val::from(other);
            Ok(line)
        }
        Err(e) => panic!("client op {f} does not encode as JSON: {e}"),
    };
    line.expect("operation names intern")
}

/// An op line for the trace hash (JSON values have no `Hash`).
struct HashedOp<'a>(&'a OpEntry);

impl std::hash::Hash for HashedOp<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash_into(state);
    }
}
