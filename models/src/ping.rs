//! Ping/pong: the engine's own test and benchmark workload.
//!
//! Every node keeps `outstanding` pings in flight to random peers; a pong
//! triggers the next ping, and a retry timer re-sends a ping whose pong was
//! lost, so the load survives loss and crashes. Clients send `echo` ops,
//! which a node answers with the value it was sent; the `echo-integrity`
//! checker asserts the value came back unchanged. The `corrupt-echo`
//! variant answers some echoes with a wrong value, so the checker can be
//! shown to catch a real violation.

use crate::check::{CheckContext, Checker, CheckerInfo, Property, Verdict};
use crate::history::{History, NoEvent, OpType};
use crate::model::{Model, ModelError, NodeSpec, OpInfo};
use crate::node::{Ctx, Node, NodeId, Outcome, RequestId, TimerId};
use crate::storage::Storage;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `[protocol.params]` of ping.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    /// Pings each node keeps in flight.
    pub outstanding: u32,
    /// Re-send a ping unanswered for this long.
    pub retry_ms: u64,
    /// Whether to re-send lost pings (off for the pure ping/pong benchmark).
    pub retry: bool,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            outstanding: 4,
            retry_ms: 200,
            retry: true,
        }
    }
}

/// Most pings a node may keep in flight: each is a map entry and a timer,
/// and a node sends them all at start (4294967295 took 5.5 GB).
pub const OUTSTANDING_MAX: u32 = 10_000;
/// Longest retry interval, in ms (a day, the longest run).
pub const RETRY_MS_MAX: u64 = 86_400_000;

/// The ping protocol's messages.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Msg {
    /// Please answer with `Pong` carrying the same `seq`.
    Ping {
        /// Sender's sequence number.
        seq: u64,
    },
    /// The answer to `Ping { seq }`.
    Pong {
        /// The ping's sequence number.
        seq: u64,
    },
}

/// A client operation: echo `value` back.
#[derive(Debug, Clone, Serialize)]
pub struct Echo {
    /// Always "echo".
    pub f: &'static str,
    /// The value to echo.
    pub value: u64,
}

/// The ping model.
#[derive(Debug, Clone)]
pub struct PingModel {
    servers: usize,
    params: Params,
    corrupt: bool,
}

/// One ping node.
pub struct PingNode {
    params: Params,
    corrupt: bool,
    next_seq: u64,
    /// seq → slot (timer id) of pings in flight.
    in_flight: BTreeMap<u64, TimerId>,
}

crate::variants! {
    /// Which version of the echo service runs.
    pub enum Variant {
        /// Echoes every value unchanged.
        Correct = ("correct", true, "echoes every value unchanged"),
        /// Answers one echo in eight with the value plus one.
        CorruptEcho = ("corrupt-echo", false, "answers one echo in eight with the value plus one"),
    }
}

const OPS: &[OpInfo] = &[OpInfo {
    name: "echo",
    description: "send a value, expect it back",
    default_weight: 1,
}];

impl Model for PingModel {
    const NAME: &'static str = "ping";
    const DESCRIPTION: &'static str = "ping/pong load between all nodes plus an echo service: the engine's test and benchmark workload";
    type Params = Params;
    type Node = PingNode;
    type Op = Echo;
    type Event = NoEvent;
    type Variant = Variant;
    const CHECKERS: &'static [CheckerInfo] = &[EchoIntegrity::INFO];
    /// Ping nodes announce no role: fault them by name, "random" or "all".
    const ROLES: Option<&'static [&'static str]> = Some(&[]);

    fn ops() -> &'static [OpInfo] {
        OPS
    }
    fn new(variant: Variant, servers: usize, params: Params) -> Result<Self, ModelError> {
        if params.retry_ms == 0 || params.retry_ms > RETRY_MS_MAX {
            return Err(ModelError::Param {
                key: "retry_ms".into(),
                message: format!(
                    "expected retry_ms > 0 and at most {RETRY_MS_MAX}, found {}",
                    params.retry_ms
                ),
            });
        }
        if params.outstanding > OUTSTANDING_MAX {
            return Err(ModelError::Param {
                key: "outstanding".into(),
                message: format!(
                    "expected outstanding at most {OUTSTANDING_MAX} pings per node, found {}",
                    params.outstanding
                ),
            });
        }
        Ok(PingModel {
            servers,
            params,
            corrupt: variant == Variant::CorruptEcho,
        })
    }
    fn nodes(&self) -> Vec<NodeSpec> {
        (1..=self.servers)
            .map(|i| NodeSpec::server(format!("n{i}"), "pinger"))
            .collect()
    }
    fn build(&self, _id: NodeId, _storage: &Storage) -> PingNode {
        PingNode {
            params: self.params.clone(),
            corrupt: self.corrupt,
            next_seq: 0,
            in_flight: BTreeMap::new(),
        }
    }
    fn make_op(&mut self, _f: &str, rng: &mut ChaCha8Rng) -> Echo {
        Echo {
            f: "echo",
            value: rng.gen_range(0..1_000_000),
        }
    }
    fn checkers(&self) -> Vec<Box<dyn Checker<NoEvent>>> {
        vec![Box::new(EchoIntegrity)]
    }
}

impl PingNode {
    fn ping(&mut self, ctx: &mut Ctx<'_, Msg, NoEvent>, slot: TimerId) {
        if ctx.cluster_size < 2 {
            return;
        }
        let mut to = ctx.rng.gen_range(0..ctx.cluster_size - 1);
        if to >= ctx.id {
            to += 1;
        }
        self.next_seq += 1;
        self.in_flight.insert(self.next_seq, slot);
        ctx.send(to, Msg::Ping { seq: self.next_seq });
        if self.params.retry {
            ctx.set_timer(slot, self.params.retry_ms * 1000);
        }
    }
}

impl Node for PingNode {
    type Msg = Msg;
    type Op = Echo;
    type Event = NoEvent;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Msg, NoEvent>) {
        for slot in 0..u64::from(self.params.outstanding) {
            self.ping(ctx, slot);
        }
    }

    fn on_msg(&mut self, ctx: &mut Ctx<'_, Msg, NoEvent>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Ping { seq } => ctx.send(from, Msg::Pong { seq }),
            Msg::Pong { seq } => {
                // A duplicate or late pong finds no ping in flight: ignore it.
                if let Some(slot) = self.in_flight.remove(&seq) {
                    self.ping(ctx, slot);
                }
            }
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Msg, NoEvent>, slot: TimerId) {
        self.in_flight.retain(|_, s| *s != slot);
        self.ping(ctx, slot);
    }

    fn on_client(&mut self, ctx: &mut Ctx<'_, Msg, NoEvent>, req: RequestId, op: Echo) {
        let corrupt = self.corrupt && ctx.rng.gen_range(0..8) == 0;
        let value = if corrupt { op.value + 1 } else { op.value };
        ctx.reply(req, Outcome::Ok, &value);
    }
}

/// Every `ok` echo returned the value its invoke sent.
pub struct EchoIntegrity;

impl EchoIntegrity {
    /// What it judges.
    pub const INFO: CheckerInfo = CheckerInfo {
        name: "echo-integrity",
        property: Property::Always,
        description: "every acknowledged echo returns the value that was sent",
    };
}

impl Checker<NoEvent> for EchoIntegrity {
    fn info(&self) -> &'static CheckerInfo {
        &Self::INFO
    }
    fn check(&self, history: &History<NoEvent>, _ctx: &CheckContext) -> Verdict {
        let mut sent: BTreeMap<u64, (usize, u64)> = BTreeMap::new();
        for (i, e) in history.entries.iter().enumerate() {
            let crate::history::Entry::Op(op) = e else {
                continue;
            };
            let value = op.value().as_u64().unwrap_or(u64::MAX);
            match op.kind {
                OpType::Invoke => {
                    sent.insert(op.process, (i, value));
                }
                OpType::Ok => match sent.get(&op.process) {
                    Some(&(at, v)) if v != value => {
                        let msg = format!("process {} sent {v} and got {value} back", op.process);
                        return Verdict::invalid(msg, Some(op.time_us), vec![at, i]);
                    }
                    _ => {}
                },
                _ => {}
            }
        }
        Verdict::Valid
    }
}
