//! The determinism guard names the first event at which two runs part.
//!
//! `Leaky` is a deliberately nondeterministic model, written as a user
//! might by mistake: from `leak_from_ms` on, its ticks record a
//! process-wide counter, which a second run in the same process sees at
//! other values.

use faultline_models::model::OpInfo;
use faultline_models::variant::OnlyCorrect;
use faultline_models::{Checker, Ctx, Model, ModelError, Node, NodeId, NodeSpec, Storage};
use faultline_models::{CheckerInfo, RawEvent};
use faultline_sim::determinism;
use faultline_sim::registry::{LoadedScenario, Registry};
use faultline_sim::scenario::Source;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

static LEAK: AtomicU64 = AtomicU64::new(0);

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    #[serde(default)]
    leak_from_ms: Option<u64>,
}

struct Leaky {
    servers: usize,
    leak_from_us: Option<u64>,
}

struct LeakyNode {
    leak_from_us: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Msg {}

impl Model for Leaky {
    const NAME: &'static str = "leaky";
    const DESCRIPTION: &'static str = "ticks; may leak a process-wide counter into the run";
    type Params = Params;
    type Node = LeakyNode;
    type Op = ();
    type Event = RawEvent;
    type Variant = OnlyCorrect;
    const CHECKERS: &'static [CheckerInfo] = &[];

    fn ops() -> &'static [OpInfo] {
        &[]
    }
    fn new(_variant: OnlyCorrect, servers: usize, params: Params) -> Result<Self, ModelError> {
        let leak_from_us = params.leak_from_ms.map(|ms| ms * 1000);
        Ok(Leaky {
            servers,
            leak_from_us,
        })
    }
    fn nodes(&self) -> Vec<NodeSpec> {
        (1..=self.servers)
            .map(|i| NodeSpec::server(format!("n{i}"), "ticker"))
            .collect()
    }
    fn build(&self, _id: NodeId, _storage: &Storage) -> LeakyNode {
        LeakyNode {
            leak_from_us: self.leak_from_us,
        }
    }
    fn make_op(&mut self, _f: &str, _rng: &mut ChaCha8Rng) {}
    fn checkers(&self) -> Vec<Box<dyn Checker>> {
        Vec::new()
    }
}

impl Node for LeakyNode {
    type Msg = Msg;
    type Op = ();
    type Event = RawEvent;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Msg>) {
        ctx.set_timer(0, 10_000);
    }
    fn on_msg(&mut self, _ctx: &mut Ctx<'_, Msg>, _from: NodeId, msg: Msg) {
        match msg {}
    }
    fn on_timer(&mut self, ctx: &mut Ctx<'_, Msg>, _timer: u64) {
        ctx.raw_event("tick", &ctx.now_us.clone());
        if self.leak_from_us.is_some_and(|t| ctx.now_us >= t) {
            ctx.raw_event("leak", &LEAK.fetch_add(1, Ordering::Relaxed));
        }
        ctx.set_timer(0, 10_000);
    }
}

fn leaky(params: &str) -> Box<dyn LoadedScenario> {
    let mut registry = Registry::default();
    registry.register::<Leaky>();
    let text = format!(
        "[protocol]\nname = \"leaky\"\nnodes = 3\n{params}\n[run]\nduration_ms = 300\nconverge_ms = 50\n"
    );
    let source = Source {
        path: PathBuf::from("leaky.toml"),
        text,
    };
    registry.load_source(source).expect("valid scenario")
}

#[test]
fn a_deterministic_run_passes_the_guard() {
    let (outcome, same) = determinism::check(leaky("").as_ref(), 5);
    assert_eq!(same, Ok(()));
    assert!(outcome.trail.is_none(), "the trail is taken, not reported");
}

#[test]
fn a_leaking_node_is_caught_at_its_first_leaking_event() {
    // Ticks every 10 ms; from 100 ms on, each tick records the counter, so
    // run 2 differs from run 1 at the first leak, at 100 ms.
    let scenario = leaky("[protocol.params]\nleak_from_ms = 100");
    let (_, same) = determinism::check(scenario.as_ref(), 5);
    let err = same.expect_err("the second run sees other counter values");
    let d = err.divergence.clone().expect("the trails part somewhere");
    let (a, b) = (d.a.expect("run 1 went on"), d.b.expect("run 2 went on"));
    assert_eq!((a.time_us, b.time_us), (100_000, 100_000));
    assert_eq!((a.tag, b.tag), (5, 5), "a protocol event");
    let text = err.to_string();
    assert!(
        text.contains("first differing event #")
            && text.contains("run 1 protocol event on n")
            && text.contains("at 0.100000s, run 2 protocol event on n"),
        "{text}"
    );
}
