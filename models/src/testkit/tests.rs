//! Tests of the testkit on a two-node ping/pong model.

use super::*;
use crate::check::Checker;
use crate::history::RawEvent;
use crate::model::{ModelError, NodeSpec, OpInfo};
use serde::Serialize;

/// Node 0 pings node 1 every 10 ms; node 1 counts pings and answers clients
/// on the next ping; node 0 counts pongs. Timer 2 is always cancelled, timer
/// 3 always re-armed before it fires.
struct Echo;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Msg {
    Ping(u64),
    Pong(u64),
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "f", rename_all = "lowercase")]
enum Op {
    Get,
}

struct EchoNode {
    id: NodeId,
    count: u64,
    waiting: Vec<RequestId>,
}

impl Node for EchoNode {
    type Msg = Msg;
    type Op = Op;
    type Event = RawEvent;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Msg>) {
        ctx.raw_event("started", &json!({ "count": self.count }));
        if self.id == 0 {
            ctx.set_timer(1, 10_000);
        }
        ctx.set_timer(2, 5_000);
        ctx.cancel_timer(2);
        ctx.set_timer(3, 1_000);
        ctx.set_timer(3, 3_000);
    }

    fn on_msg(&mut self, ctx: &mut Ctx<'_, Msg>, from: NodeId, msg: Msg) {
        self.count += 1;
        match msg {
            Msg::Ping(n) => {
                // Odd pings are written to the cache only.
                ctx.persist_with_sync_for_test("count", self.count, n % 2 == 0);
                ctx.raw_event("ping", &json!({ "n": n }));
                for req in std::mem::take(&mut self.waiting) {
                    ctx.reply(req, Outcome::Ok, &self.count);
                }
                ctx.send(from, Msg::Pong(n));
            }
            Msg::Pong(n) => ctx.raw_event("pong", &json!({ "n": n })),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Msg>, timer: TimerId) {
        ctx.raw_event("timer", &json!({ "timer": timer, "now_us": ctx.now_us }));
        if timer == 1 {
            ctx.send(1, Msg::Ping(self.count));
            ctx.set_timer(1, 10_000);
        }
    }

    fn on_client(&mut self, _ctx: &mut Ctx<'_, Msg>, req: RequestId, _op: Op) {
        self.waiting.push(req);
    }
}

trait PersistForTest {
    fn persist_with_sync_for_test(&mut self, key: &str, value: u64, sync: bool);
}

impl PersistForTest for Ctx<'_, Msg> {
    fn persist_with_sync_for_test(&mut self, key: &str, value: u64, sync: bool) {
        if sync {
            self.persist(key, &value);
        } else {
            self.persist_unsynced(key, &value);
        }
    }
}

impl Model for Echo {
    const NAME: &'static str = "echo";
    const DESCRIPTION: &'static str = "ping/pong for testing the testkit";
    type Params = ();
    type Node = EchoNode;
    type Op = Op;
    type Event = RawEvent;
    type Variant = crate::variant::OnlyCorrect;
    const CHECKERS: &'static [crate::check::CheckerInfo] = &[];

    fn ops() -> &'static [OpInfo] {
        &[]
    }
    fn new(_: Self::Variant, _: usize, _: ()) -> Result<Self, ModelError> {
        Ok(Echo)
    }
    fn nodes(&self) -> Vec<NodeSpec> {
        vec![
            NodeSpec::server("a".into(), "pinger"),
            NodeSpec::server("b".into(), "ponger"),
        ]
    }
    fn build(&self, id: NodeId, storage: &Storage) -> EchoNode {
        let count = storage.get("count").unwrap_or(0);
        EchoNode {
            id,
            count,
            waiting: Vec::new(),
        }
    }
    fn make_op(&mut self, _: &str, _: &mut ChaCha8Rng) -> Op {
        Op::Get
    }
    fn checkers(&self) -> Vec<Box<dyn Checker>> {
        Vec::new()
    }
}

fn events<'a>(c: &'a Cluster<Echo>, name: &'a str) -> impl Iterator<Item = &'a EventEntry> {
    c.history().events().filter(move |e| e.event.name == name)
}

fn jsonl(c: &Cluster<Echo>) -> String {
    let mut out = Vec::new();
    c.history().write_jsonl(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn same_seed_same_history_other_seed_other_latencies() {
    let run = |seed| {
        let mut c = Cluster::new(Echo, seed);
        c.run_until(100_000);
        jsonl(&c)
    };
    assert_eq!(run(3), run(3));
    assert_ne!(run(3), run(4));
}

#[test]
fn cancelled_timers_never_fire_and_rearmed_fire_once() {
    let mut c = Cluster::new(Echo, 1);
    c.run_until(50_000);
    let fired: Vec<_> = c
        .history()
        .events()
        .filter(|e| e.event.name == "timer" && e.event.data["timer"] != 1)
        .map(|e| {
            (
                c.history().node_name(e.node),
                e.event.data["timer"].as_u64().unwrap(),
                e.time_us,
            )
        })
        .collect();
    assert_eq!(fired, vec![("a", 3, 3_000), ("b", 3, 3_000)]);
}

#[test]
fn fixed_latency_delivers_on_time() {
    let mut c = Cluster::new(Echo, 1);
    c.set_latency(Latency::Fixed(2_000));
    c.run_until(12_500);
    let pings: Vec<u64> = events(&c, "ping").map(|e| e.time_us).collect();
    assert_eq!(pings, vec![12_000]);
}

#[test]
fn crash_loses_unsynced_writes_and_timers() {
    let mut c = Cluster::new(Echo, 1);
    c.set_latency(Latency::Fixed(1_000));
    c.run_until(25_000); // b got ping 0 (synced: count 1) and ping 1 (cached: count 2)
    assert_eq!(c.storage(1).get::<u64>("count"), Some(2));
    c.crash(1);
    assert_eq!(c.role(1), ROLE_CRASHED);
    assert_eq!(c.storage(1).get::<u64>("count"), Some(1));
    c.run_until(35_000);
    assert_eq!(
        events(&c, "ping").count(),
        2,
        "a crashed node gets no messages"
    );
    c.restart(1);
    assert_eq!(c.role(1), "ponger");
    let started = events(&c, "started").last().unwrap();
    assert_eq!(
        started.event.data["count"], 1,
        "rebuilt from synced storage"
    );
    let kinds: Vec<_> = c.history().faults().map(|f| f.change.label()).collect();
    assert_eq!(
        kinds,
        vec!["crash", "crash-end"],
        "the engine's fault lines"
    );
}

#[test]
fn partition_drops_messages_until_heal() {
    let mut c = Cluster::new(Echo, 1);
    c.partition(&[0], &[1]);
    c.run_until(45_000);
    assert_eq!(events(&c, "ping").count(), 0);
    c.heal();
    c.run_until(55_000);
    assert_eq!(events(&c, "ping").count(), 1);
    assert_eq!(c.check_context().heal_us, 45_000);
    let f = c.history().faults().next().unwrap();
    assert_eq!(f.change, FaultChange::Start(FaultKind::Partition));
    assert_eq!(f.pairs, vec![(0, 1), (1, 0)], "both directions cut");
    let kinds: Vec<_> = c.history().faults().map(|f| f.change.label()).collect();
    assert_eq!(kinds, vec!["partition", "partition-end", "heal"]);
}

#[test]
fn pause_holds_events_until_resume() {
    let mut c = Cluster::new(Echo, 1);
    c.set_latency(Latency::Fixed(1_000));
    c.pause(1);
    c.run_until(35_000);
    assert_eq!(events(&c, "ping").count(), 0);
    c.resume(1);
    let times: Vec<u64> = events(&c, "ping").map(|e| e.time_us).collect();
    assert_eq!(
        times,
        vec![35_000; 3],
        "three parked pings handled at resume"
    );
    let ns: Vec<_> = events(&c, "ping")
        .map(|e| e.event.data["n"].clone())
        .collect();
    assert_eq!(ns, vec![json!(0), json!(0), json!(0)]);
}

#[test]
fn duplication_delivers_twice() {
    let mut c = Cluster::new(Echo, 1);
    c.set_duplicate_pct(100);
    c.run_until(15_000);
    assert_eq!(events(&c, "ping").count(), 2);
}

#[test]
fn client_replies_are_recorded_as_ops() {
    let mut c = Cluster::new(Echo, 1);
    c.set_latency(Latency::Fixed(1_000));
    let ok = c.client(1, Op::Get);
    c.run_until(15_000);
    let lost = c.client(1, Op::Get);
    c.run_until(16_000);
    c.crash(1);
    let refused = c.client(1, Op::Get);
    c.run_until(17_000);
    let done: Vec<_> = c
        .history()
        .ops()
        .filter(|o| o.kind != OpType::Invoke)
        .map(|o| {
            (
                o.process,
                o.kind,
                o.value().to_value().into_owned(),
                o.f().to_string(),
            )
        })
        .collect();
    assert_eq!(
        done,
        vec![
            (ok, OpType::Ok, json!(1), "get".into()),
            (lost, OpType::Info, json!("node crashed"), "get".into()),
            (refused, OpType::Fail, json!("node down"), "get".into()),
        ]
    );
}

#[test]
fn a_fast_clock_reads_ahead_and_fires_timers_early() {
    let mut c = Cluster::new(Echo, 1);
    c.set_clock(0, 500, 1_000_000 / 2); // 1.5x, 0.5 ms ahead
    c.run_until(2_000);
    assert_eq!((c.local_now_us(0), c.local_now_us(1)), (3_500, 2_000));
    c.run_until(20_000);
    let fired: Vec<_> = events(&c, "timer")
        .filter(|e| e.event.data["timer"] == 1)
        .map(|e| (e.time_us, e.event.data["now_us"].as_u64().unwrap()))
        .collect();
    // Armed at start under the old rate, then re-armed for 10 ms of a's clock:
    // 6.667 ms of real time.
    assert_eq!(fired, vec![(10_000, 15_500), (16_667, 25_500)]);
    let skew = c.history().faults().next().unwrap();
    assert_eq!(skew.change, FaultChange::Start(FaultKind::Skew));
}
