//! A probe protocol for engine tests, written as a user would write their
//! own model in their own crate: every node sends a numbered `Beat` to every
//! other node every `period_ms` and records each beat it receives (with the
//! sender's clock at sending) and each tick of its own clock.

use faultline_models::model::OpInfo;
use faultline_models::variant::OnlyCorrect;
use faultline_models::{Checker, Ctx, Model, ModelError, Node, NodeId, NodeSpec, Storage};
use faultline_models::{CheckerInfo, RawEvent};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    #[serde(default)]
    pub period_ms: Option<u64>,
    /// Node 0 fails an assertion at this tick (to test panics as findings).
    #[serde(default)]
    pub panic_at_tick: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Msg {
    /// A numbered heartbeat stamped with the sender's clock.
    Beat { seq: u64, sent_us: u64 },
}

pub struct Probe {
    period_us: u64,
    servers: usize,
    panic_at_tick: Option<u64>,
}

pub struct ProbeNode {
    panic_at_tick: Option<u64>,
    period_us: u64,
    seq: u64,
    boots: u64,
}

impl Model for Probe {
    const NAME: &'static str = "probe";
    const DESCRIPTION: &'static str = "engine test probe";
    type Params = Params;
    type Node = ProbeNode;
    type Op = ();
    type Event = RawEvent;
    type Variant = OnlyCorrect;
    const CHECKERS: &'static [CheckerInfo] = &[];

    fn ops() -> &'static [OpInfo] {
        &[]
    }
    fn new(_variant: OnlyCorrect, servers: usize, params: Params) -> Result<Self, ModelError> {
        Ok(Probe {
            period_us: params.period_ms.unwrap_or(10) * 1000,
            servers,
            panic_at_tick: params.panic_at_tick,
        })
    }
    fn nodes(&self) -> Vec<NodeSpec> {
        (1..=self.servers)
            .map(|i| NodeSpec::server(format!("n{i}"), "probe"))
            .collect()
    }
    fn build(&self, id: NodeId, storage: &Storage) -> ProbeNode {
        ProbeNode {
            panic_at_tick: if id == 0 { self.panic_at_tick } else { None },
            period_us: self.period_us,
            seq: 0,
            boots: storage.get("boots").unwrap_or(0),
        }
    }
    fn make_op(&mut self, _f: &str, _rng: &mut ChaCha8Rng) {}
    fn checkers(&self) -> Vec<Box<dyn Checker>> {
        Vec::new()
    }
}

impl Node for ProbeNode {
    type Msg = Msg;
    type Op = ();
    type Event = RawEvent;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Msg>) {
        self.boots += 1;
        ctx.persist("boots", &self.boots);
        let last_tick: Option<u64> = ctx.storage.get("last_tick");
        ctx.raw_event(
            "boot",
            &serde_json::json!({ "boots": self.boots, "last_tick": last_tick }),
        );
        ctx.set_timer(0, self.period_us);
    }

    fn on_msg(&mut self, ctx: &mut Ctx<'_, Msg>, from: NodeId, msg: Msg) {
        let Msg::Beat { seq, sent_us } = msg;
        ctx.raw_event("beat", &serde_json::json!({ "from": from, "seq": seq, "sent_us": sent_us, "now_us": ctx.now_us }));
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Msg>, _timer: u64) {
        self.seq += 1;
        assert!(
            Some(self.seq) != self.panic_at_tick,
            "probe assertion at tick {}",
            self.seq
        );
        ctx.raw_event("tick", &ctx.now_us.clone());
        ctx.persist_unsynced("last_tick", &self.seq);
        let me = ctx.id;
        for to in (0..ctx.cluster_size).filter(|&t| t != me) {
            ctx.send(
                to,
                Msg::Beat {
                    seq: self.seq,
                    sent_us: ctx.now_us,
                },
            );
        }
        ctx.set_timer(0, self.period_us);
    }
}
