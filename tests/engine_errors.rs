//! A panic in faultline itself is an engine error (exit 6), never a verdict
//! about the protocol; a panic in protocol code stays the run's `no-panic`
//! finding. `Fragile` is a model whose node or checker panics on request.

use faultline_models::model::OpInfo;
use faultline_models::{
    CheckContext, Checker, CheckerInfo, Ctx, History, Model, ModelError, Node, NodeId, NodeSpec,
    Property, RawEvent, Storage, Verdict,
};
use faultline_sim::panics::{EngineError, EXIT_CODE};
use faultline_sim::registry::{LoadedScenario, Registry};
use faultline_sim::scenario::Source;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    #[serde(default)]
    node_panics: bool,
    #[serde(default)]
    checker_panics: bool,
}

struct Fragile(usize, Params);
struct FragileNode(bool);

faultline_models::variants! {
    /// The one variant.
    pub enum Variant {
        /// Ticks.
        Correct = ("correct", true, "ticks"),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Msg {}

struct Judge(bool);

const JUDGE: CheckerInfo = CheckerInfo {
    name: "judge",
    property: Property::Always,
    description: "panics when asked to: a stand-in for a checker with a bug",
};

impl Checker<RawEvent> for Judge {
    fn info(&self) -> &'static CheckerInfo {
        &JUDGE
    }
    fn check(&self, _history: &History<RawEvent>, _ctx: &CheckContext) -> Verdict {
        assert!(!self.0, "the checker's own bug");
        Verdict::Valid
    }
}

impl Model for Fragile {
    const NAME: &'static str = "fragile";
    const DESCRIPTION: &'static str = "ticks; its node or checker panics on request";
    type Params = Params;
    type Node = FragileNode;
    type Op = ();
    type Event = RawEvent;
    type Variant = Variant;
    const CHECKERS: &'static [CheckerInfo] = &[JUDGE];

    fn ops() -> &'static [OpInfo] {
        &[]
    }
    fn new(_variant: Variant, servers: usize, params: Params) -> Result<Self, ModelError> {
        Ok(Fragile(servers, params))
    }
    fn nodes(&self) -> Vec<NodeSpec> {
        (1..=self.0)
            .map(|i| NodeSpec::server(format!("n{i}"), "ticker"))
            .collect()
    }
    fn build(&self, _id: NodeId, _storage: &Storage) -> FragileNode {
        FragileNode(self.1.node_panics)
    }
    fn make_op(&mut self, _f: &str, _rng: &mut ChaCha8Rng) {}
    fn checkers(&self) -> Vec<Box<dyn Checker<RawEvent>>> {
        vec![Box::new(Judge(self.1.checker_panics))]
    }
}

impl Node for FragileNode {
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
        assert!(!self.0, "the protocol's assertion");
        ctx.set_timer(0, 10_000);
    }
}

fn fragile(params: &str) -> Box<dyn LoadedScenario> {
    let mut registry = Registry::default();
    registry.register::<Fragile>();
    let text = format!(
        "[protocol]\nname = \"fragile\"\nnodes = 2\n[protocol.params]\n{params}\n[run]\nduration_ms = 100\nconverge_ms = 10\n"
    );
    let source = Source {
        path: PathBuf::from("fragile.toml"),
        text,
    };
    registry.load_source(source).expect("valid scenario")
}

#[test]
fn a_panic_in_protocol_code_is_the_no_panic_finding() {
    let o = fragile("node_panics = true").run(1);
    assert_eq!(o.exit_code(), 1);
    let c = o.checks.iter().find(|c| c.name == "no-panic").unwrap();
    assert!(format!("{:?}", c.verdict).contains("the protocol's assertion"));
}

#[test]
fn a_panic_in_a_checker_is_an_engine_error_naming_the_seed() {
    let scenario = fragile("checker_panics = true");
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| scenario.run(7)));
    let panic = caught.expect_err("no verdict from a checker that panicked");
    let e = faultline_sim::panics::engine_error(panic.as_ref());
    assert!(e.message.contains("the checker's own bug"), "{e}");
    assert!(
        e.to_string()
            .starts_with("engine error (a bug in faultline"),
        "{e}"
    );
    assert!(panic.downcast_ref::<EngineError>().is_some());
    assert!(e.message.starts_with("seed 7 of fragile.toml"), "{e}");
}

#[test]
fn a_sweep_with_an_engine_error_exits_6() {
    let scenario = fragile("checker_panics = true");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("engine_error_sweep");
    let cfg = faultline_sim::sweep::SweepConfig {
        file: "fragile.toml".into(),
        range: "1..3".parse().unwrap(),
        shard: None,
        jobs: 1,
        stop_after: None,
        time_limit: None,
        determinism_every: None,
        quiet: true,
        out: dir,
        repro_args: String::new(),
    };
    let result = faultline_sim::sweep::sweep(scenario.as_ref(), &cfg).unwrap();
    assert_eq!(result.summary.verdicts.get("error"), Some(&2));
    assert_eq!(result.summary.exit_code(), EXIT_CODE);
}
