//! A replicated grow-only counter, written outside Faultline's crates as a
//! user would write their own protocol: a G-Counter (Shapiro, Preguiça,
//! Baquero, Zawirski, "A comprehensive study of Convergent and Commutative
//! Replicated Data Types", INRIA RR-7506, 2011, §3.1.1).
//!
//! Each replica keeps one count per replica. `incr` adds one to its own
//! entry, durably, before answering, then tells every peer its new own
//! count; a peer keeps the largest count it has heard from each replica, so
//! a message delivered twice, late or out of order changes nothing. `read`
//! answers the sum. The `count-messages` variant adds one per message
//! instead of taking the maximum: a duplicated message counts an increment
//! twice, and the `no-overcount` checker catches the read that shows it.

use faultline_models::check::{CheckContext, Checker, CheckerInfo, Property, Verdict, Violation};
use faultline_models::model::{Model, ModelError, NodeSpec, OpInfo};
use faultline_models::node::{Ctx, Node, NodeId, Outcome, RequestId, TimerId};
use faultline_models::{Entry, History, NoEvent, OpType, Storage};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

faultline_models::variants! {
    /// Which counter runs.
    pub enum Variant {
        /// Keeps the largest count heard from each replica.
        Correct = ("correct", true, "keeps the largest count heard from each replica"),
        /// Adds one per message received, so a duplicate counts twice.
        CountMessages = ("count-messages", false, "adds one per message received, so a duplicated message counts twice"),
    }
}

/// `[protocol.params]`: none (unknown keys are rejected).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {}

/// A client operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    /// Add one.
    Incr,
    /// Return the sum of every replica's count.
    Read,
}

/// The counter's one message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Msg {
    /// The sender's own count is now `count`; no answer.
    Count { count: u64 },
}

/// The model: `nodes` replicas, each serving clients.
pub struct CounterModel {
    replicas: usize,
    variant: Variant,
}

/// One replica.
pub struct Replica {
    variant: Variant,
    /// One count per replica; `counts[me]` is this replica's increments.
    counts: Vec<u64>,
}

impl Model for CounterModel {
    const NAME: &'static str = "counter";
    const DESCRIPTION: &'static str = "a replicated grow-only counter (G-Counter)";
    type Variant = Variant;
    type Params = Params;
    type Node = Replica;
    type Event = NoEvent;
    type Op = Op;
    const CHECKERS: &'static [CheckerInfo] = &[NoOvercount::INFO];
    const ROLES: Option<&'static [&'static str]> = Some(&[]);

    fn ops() -> &'static [OpInfo] {
        &[
            OpInfo {
                name: "incr",
                description: "add one",
                default_weight: 3,
            },
            OpInfo {
                name: "read",
                description: "read the sum",
                default_weight: 1,
            },
        ]
    }
    fn new(variant: Variant, replicas: usize, _params: Params) -> Result<Self, ModelError> {
        Ok(CounterModel { replicas, variant })
    }
    fn nodes(&self) -> Vec<NodeSpec> {
        (1..=self.replicas)
            .map(|i| NodeSpec::server(format!("n{i}"), "replica"))
            .collect()
    }
    fn build(&self, _id: NodeId, storage: &Storage) -> Replica {
        let counts = storage
            .get("counts")
            .unwrap_or_else(|| vec![0; self.replicas]);
        Replica {
            variant: self.variant,
            counts,
        }
    }
    fn make_op(&mut self, f: &str, _rng: &mut ChaCha8Rng) -> Op {
        if f == "incr" {
            Op::Incr
        } else {
            Op::Read
        }
    }
    fn checkers(&self) -> Vec<Box<dyn Checker<NoEvent>>> {
        vec![Box::new(NoOvercount)]
    }
}

impl Node for Replica {
    type Msg = Msg;
    type Op = Op;
    type Event = NoEvent;

    fn on_start(&mut self, _ctx: &mut Ctx<'_, Msg, NoEvent>) {}

    fn on_msg(&mut self, _ctx: &mut Ctx<'_, Msg, NoEvent>, from: NodeId, msg: Msg) {
        let Msg::Count { count } = msg;
        self.counts[from] = match self.variant {
            Variant::Correct => self.counts[from].max(count),
            Variant::CountMessages => self.counts[from] + 1,
        };
    }

    fn on_timer(&mut self, _ctx: &mut Ctx<'_, Msg, NoEvent>, _timer: TimerId) {}

    fn on_client(&mut self, ctx: &mut Ctx<'_, Msg, NoEvent>, req: RequestId, op: Op) {
        if op == Op::Incr {
            let me = ctx.id;
            self.counts[me] += 1;
            ctx.persist("counts", &self.counts);
            for peer in (0..ctx.cluster_size).filter(|&p| p != me) {
                ctx.send(
                    peer,
                    Msg::Count {
                        count: self.counts[me],
                    },
                );
            }
        }
        ctx.reply(req, Outcome::Ok, &self.counts.iter().sum::<u64>());
    }
}

/// No read returns more than the increments invoked before it completed.
pub struct NoOvercount;

impl NoOvercount {
    /// What it judges.
    pub const INFO: CheckerInfo = CheckerInfo {
        name: "no-overcount",
        property: Property::Always,
        description: "no read returns more than the increments invoked before it answered",
    };
}

impl Checker<NoEvent> for NoOvercount {
    fn info(&self) -> &'static CheckerInfo {
        &Self::INFO
    }
    fn check(&self, history: &History<NoEvent>, _ctx: &CheckContext) -> Verdict {
        let mut invoked = 0u64;
        let mut violations = Vec::new();
        for (i, entry) in history.entries.iter().enumerate() {
            let Entry::Op(op) = entry else { continue };
            match (op.kind, op.f()) {
                (OpType::Invoke, "incr") => invoked += 1,
                (OpType::Ok, "read") => match op.value().as_u64() {
                    Some(read) if read > invoked => violations.push(Violation {
                        message: format!("read {read} after only {invoked} increments"),
                        time_us: Some(op.time_us),
                        entries: vec![i],
                    }),
                    _ => {}
                },
                _ => {}
            }
        }
        match violations.is_empty() {
            true => Verdict::Valid,
            false => Verdict::Invalid { violations },
        }
    }
}
