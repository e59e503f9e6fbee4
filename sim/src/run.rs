//! One run: a scenario, a seed, a fresh madsim runtime, a judged history.

use crate::clock::NodeClock;
use crate::fault::AppliedFault;
use crate::net::Partitions;
use crate::scenario::Scenario;
use crate::seed::{stream, subseed};
use crate::trace::{TraceHash, TrailStep};
use crate::verdict::RunVerdict;
use crate::world::client::Clients;
use crate::world::event::{Event, EventQueue};
use crate::world::recorder::Recorder;
use crate::world::{self, lock, FaultState, NetStats, Shared, Slot, World};
use faultline_models::check::situation::Reached;
use faultline_models::{
    CheckContext, History, HistoryView, Metric, Model, Name, Property, Verdict,
};
use rand::Rng;
use serde::Serialize;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, PoisonError};

/// One checker's judgement of the run.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    /// The property's name.
    pub name: &'static str,
    /// Safety or liveness.
    pub property: Property,
    /// What must hold.
    pub description: &'static str,
    /// The verdict.
    #[serde(flatten)]
    pub verdict: Verdict,
}

/// Everything a run produced.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// Scenario name.
    pub scenario: String,
    /// Protocol name.
    pub protocol: &'static str,
    /// Variant name.
    pub variant: String,
    /// The seed.
    pub seed: u64,
    /// Node names by id.
    pub nodes: Vec<String>,
    /// The history (its events are the protocol's own type, erased here).
    pub history: Arc<dyn HistoryView>,
    /// Checker verdicts.
    pub checks: Vec<CheckResult>,
    /// Protocol metrics.
    pub metrics: Vec<Metric>,
    /// Network counters.
    pub net: NetStats,
    /// The fault timeline actually applied.
    pub timeline: Vec<AppliedFault>,
    /// The trace hash, 16 hex digits.
    pub trace_hash: String,
    /// When the safety phase ended.
    pub heal_us: u64,
    /// When the run ended.
    pub end_us: u64,
    /// The trace hash after every event, when [`RunOptions::trail`] asked.
    pub trail: Option<Vec<TrailStep>>,
    /// Messages recorded in a window, when [`RunOptions::record_messages`] asked.
    pub messages: Option<Recorder>,
    /// Why the run stopped before its end (an engine limit), if it did;
    /// then nothing was judged.
    pub stopped: Option<String>,
    /// (time, role) of each fault aimed at a role no live node had when it
    /// fired: it did nothing (a role that does exist, just not then).
    pub unmatched_roles: Vec<(u64, String)>,
    /// Each situation the protocol declares, and whether (when) the run
    /// reached it; empty when nothing was judged.
    pub situations: Vec<Reached>,
    /// The situations the scenario's `[check] require` names.
    pub required: Vec<String>,
}

/// How to run, beyond the scenario and the seed.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunOptions {
    /// Keep the trace hash after every event ([`RunOutcome::trail`]), to find
    /// where two runs that should be equal part. Costs memory; off by default.
    pub trail: bool,
    /// Record every message sent in `[from_us, to_us)` (for a message-flow
    /// diagram) into [`RunOutcome::messages`]. Off by default: the report
    /// step re-runs the seed with it on.
    pub record_messages: Option<(u64, u64)>,
    /// Run on the calling thread instead of a fresh one. A run's outcome
    /// depends only on its event queue (nodes take turns; madsim's choice
    /// among ready tasks orders nothing), so the per-thread seeding of std
    /// `HashMap`s that ../shared/MADSIM.md warns of cannot reach it; this
    /// spares a sweep a thread spawn and teardown per seed. Tested by
    /// comparing hashes of seeds run back to back on one thread with fresh
    /// runs. Off by default.
    pub this_thread: bool,
    /// Skip the checkers and metrics, and keep no history: the outcome's
    /// `checks`, `metrics` and `history` are empty (the trace hash still
    /// covers every line). For re-runs that only want messages or the trace
    /// hash (the flow diagram's), which would otherwise judge a long run
    /// twice and hold a second copy of its history next to the first (a
    /// 60 s quorum run's report peaked at 2.1 GB).
    pub unjudged: bool,
    /// Set from another thread to end the run early (verdict STOPPED, see
    /// [`CANCELLED`]): how `sweep --time-limit` stops a seed that is still
    /// running. Checked every [`crate::world::counts::CANCEL_EVERY`] events.
    pub cancel: Option<&'static AtomicBool>,
}

/// The reason a cancelled run gives (see [`RunOptions::cancel`]).
pub const CANCELLED: &str =
    "cancelled from outside the run (sweep --time-limit): wall time ran out, not a finding";

impl RunOutcome {
    /// The overall verdict: invalid if any checker says so, else unknown if
    /// any does or a situation the scenario requires was not reached, else
    /// valid. A run stopped at an engine limit is [`RunVerdict::Stopped`].
    pub fn verdict(&self) -> RunVerdict {
        match self.checks_verdict() {
            RunVerdict::Valid if !self.unmet_required().is_empty() => RunVerdict::Unknown,
            v => v,
        }
    }

    /// The verdict of the checkers alone: what one seed of a sweep counts
    /// (a sweep judges `[check] require` over all its seeds).
    pub fn checks_verdict(&self) -> RunVerdict {
        let has = |w: &str| self.checks.iter().any(|c| c.verdict.word() == w);
        if has("invalid") {
            RunVerdict::Invalid
        } else if self.stopped.is_some() {
            RunVerdict::Stopped
        } else if has("unknown") {
            RunVerdict::Unknown
        } else {
            RunVerdict::Valid
        }
    }

    /// Required situations this run did not reach (none when nothing was
    /// judged: a stopped run is already not valid).
    pub fn unmet_required(&self) -> Vec<&str> {
        if self.situations.is_empty() {
            return Vec::new();
        }
        (self.required.iter())
            .filter(|r| {
                !self
                    .situations
                    .iter()
                    .any(|s| s.name == *r && s.time_us.is_some())
            })
            .map(String::as_str)
            .collect()
    }

    /// The names of the situations the run reached, in declaration order.
    pub fn reached(&self) -> impl Iterator<Item = &'static str> + '_ {
        (self.situations.iter())
            .filter(|s| s.time_us.is_some())
            .map(|s| s.name)
    }

    /// The exit code: 0 valid, 1 invalid, 2 unknown, 5 stopped at a limit.
    pub fn exit_code(&self) -> i32 {
        self.verdict().exit_code()
    }
}

/// Runs `scenario` with `seed` on a fresh thread (madsim seeds std's
/// `HashMap` only for a thread's first runtime; see
/// [`RunOptions::this_thread`]) and judges the history.
pub fn run<M: Model>(scenario: &Scenario<M>, seed: u64) -> RunOutcome {
    run_with(scenario, seed, RunOptions::default())
}

/// [`run`] with options.
pub fn run_with<M: Model>(scenario: &Scenario<M>, seed: u64, opts: RunOptions) -> RunOutcome {
    if opts.this_thread {
        return run_here(scenario, seed, opts);
    }
    std::thread::scope(|s| {
        let handle = std::thread::Builder::new()
            .name(format!("seed-{seed}"))
            .spawn_scoped(s, || run_here(scenario, seed, opts));
        let handle = handle.expect("spawning a run thread");
        match handle.join() {
            Ok(outcome) => outcome,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

fn run_here<M: Model>(scenario: &Scenario<M>, seed: u64, opts: RunOptions) -> RunOutcome {
    let config = madsim::Config::default();
    let rt = madsim::runtime::Runtime::with_seed_and_config(subseed(seed, "madsim"), config);
    crate::trace::set_names(&scenario.names);
    let mut world = build_world(scenario, seed, opts);
    world.recorder = opts.record_messages.map(|(a, b)| Recorder::new(a, b));
    let shared: Shared<M> = Arc::new(Mutex::new(world));
    let mut ids = Vec::new();
    for (id, name) in scenario.names.iter().enumerate() {
        let s = Arc::downgrade(&shared);
        let node = rt
            .create_node()
            .name(name.as_str())
            .init(move || world::node_task::run(s.clone(), id))
            .build();
        ids.push(node.id());
    }
    lock(&shared).madsim_ids = ids.clone();
    let driven = std::panic::catch_unwind(AssertUnwindSafe(|| {
        rt.block_on(world::driver::drive(shared.clone()))
    }));
    // Kill every node before dropping the runtime: a dropped runtime with
    // live nodes leaks (../shared/MADSIM.md).
    ids.iter().for_each(|&id| rt.handle().kill(id));
    // Wakers in the world point at tasks whose futures hold the world: a
    // cycle that would leak every run's runtime and world. Break it.
    {
        let mut w = shared.lock().unwrap_or_else(PoisonError::into_inner);
        w.driver_waker = None;
        w.slots.iter_mut().for_each(|s| s.waker = None);
    }
    // Killing wakes each task into the run queue; one more turn of the
    // executor drops them. Left queued, they keep the runtime alive through
    // their scheduler's channel: ~10 KB leaked per run.
    rt.block_on(async {});
    let _ = rt.handle().metrics().num_tasks();
    drop(rt);
    debug_assert_eq!(
        Arc::strong_count(&shared),
        1,
        "a finished run's world is still referenced: a leak"
    );
    // A panic in protocol code (a failed assertion) is a finding of the
    // run, not a crash of the tool; the lock it poisoned still holds the
    // history. A panic anywhere else is a bug in faultline (crate::panics).
    let in_protocol = crate::panics::take_in_protocol();
    let mut w = shared.lock().unwrap_or_else(PoisonError::into_inner);
    let panicked = match driven {
        Ok(()) => None,
        Err(p) if in_protocol => Some(panic_check(&w, p.as_ref())),
        Err(p) => {
            drop(w);
            engine_panic(scenario, seed, p.as_ref())
        }
    };
    let judged = std::panic::catch_unwind(AssertUnwindSafe(|| {
        judge(scenario, seed, &mut w, !opts.unjudged)
    }));
    let mut outcome = match judged {
        Ok(outcome) => outcome,
        Err(p) => {
            drop(w);
            engine_panic(scenario, seed, p.as_ref())
        }
    };
    outcome.checks.extend(panicked);
    outcome
}

/// Re-raises a panic outside protocol code as an engine error naming the
/// seed, the file and the simulated time (see `crate::panics`).
fn engine_panic<M: Model>(sc: &Scenario<M>, seed: u64, panic: &(dyn std::any::Any + Send)) -> ! {
    let message = format!(
        "seed {seed} of {}, at {:.6} s of simulated time: {}",
        sc.source.path.display(),
        crate::trace::context().0 as f64 / 1e6,
        crate::panics::message(panic)
    );
    std::panic::resume_unwind(Box::new(crate::panics::EngineError { message }))
}

fn panic_check<M: Model>(w: &World<M>, panic: &(dyn std::any::Any + Send)) -> CheckResult {
    let (time_us, node) = crate::trace::context();
    let who = w.names.get(node).map_or("the workload", String::as_str);
    let message = format!("{who} panicked: {}", crate::panics::message(panic));
    CheckResult {
        name: "no-panic",
        property: Property::Always,
        description: "no node's code panics (an assertion inside the protocol failed)",
        verdict: Verdict::invalid(message, Some(time_us), Vec::new()),
    }
}

fn build_world<M: Model>(sc: &Scenario<M>, seed: u64, opts: RunOptions) -> World<M> {
    let n = sc.names.len();
    let heal_us = sc.duration_us;
    let end_us = heal_us + sc.converge_us;
    let mut clock_rng = stream(seed, "clock");
    let (skew_us, drift_ppm) = sc.clock;
    let slots = (0..n)
        .map(|i| {
            let offset = if skew_us > 0 {
                clock_rng.gen_range(-(skew_us as i64)..=skew_us as i64)
            } else {
                0
            };
            let drift = if drift_ppm > 0.0 {
                clock_rng.gen_range(-drift_ppm..=drift_ppm)
            } else {
                0.0
            };
            Slot::new(
                stream(seed, &format!("node/{i}")),
                NodeClock::new(offset, drift),
            )
        })
        .collect();
    let mut fault_rng = stream(seed, "faults");
    let plan = fault_plan(sc, &mut fault_rng);
    let mut queue = EventQueue::new();
    for (index, f) in plan.iter().enumerate() {
        queue.push(f.at_us, Event::FaultStart { index });
    }
    queue.push(heal_us, Event::Heal);
    queue.push(end_us, Event::End);
    let stop_us = end_us.saturating_sub(sc.workload.timeout_us);
    let mut w = World {
        model: sc.model(),
        names: sc.names.clone(),
        specs: sc.specs.clone(),
        servers: (0..n).filter(|&i| sc.specs[i].serves_clients).collect(),
        now_us: 0,
        madsim_us: 0,
        heal_us,
        end_us,
        queue,
        slots,
        busy: world::BusySet::new(n),
        net: sc.net.clone(),
        partitions: Partitions::new(n),
        extra_loss: 0.0,
        extra_dup: 0.0,
        net_rng: stream(seed, "net"),
        fault_rng,
        clients: Clients::new(sc.workload.clone(), stream(seed, "clients"), stop_us),
        history: History::with_nodes(
            (sc.names.iter())
                .map(|n| Name::intern(n).expect("node names intern"))
                .collect(),
        ),
        keep_history: !opts.unjudged,
        history_entries_max: sc.history_entries_max,
        stopped: None,
        counts: world::counts::EventCounts::new(sc.events_per_instant_max, sc.events_max)
            .with_cancel(opts.cancel),
        trace: if opts.trail {
            TraceHash::with_trail()
        } else {
            TraceHash::default()
        },
        faults: FaultState {
            plan,
            ..Default::default()
        },
        stats: NetStats::default(),
        madsim_ids: Vec::new(),
        driver_waker: None,
        out: Vec::new(),
        recorder: None,
    };
    (0..n).for_each(|id| w.refresh_busy(id));
    w.start_clients();
    w
}

/// Explicit faults (jitter drawn first, in file order), then the nemesis.
fn fault_plan<M: Model>(
    sc: &Scenario<M>,
    rng: &mut rand_chacha::ChaCha8Rng,
) -> Vec<crate::fault::PlannedFault> {
    let mut plan: Vec<_> = sc
        .faults
        .iter()
        .map(|(f, jitter_us)| {
            let mut f = f.clone();
            if *jitter_us > 0 {
                f.at_us =
                    (f.at_us + rng.gen_range(0..*jitter_us)).min(sc.duration_us.saturating_sub(1));
            }
            f
        })
        .collect();
    if let Some(nemesis) = &sc.nemesis {
        plan.extend(nemesis.plan(sc.duration_us, rng));
    }
    plan.sort_by_key(|f| f.at_us);
    plan
}

fn judge<M: Model>(sc: &Scenario<M>, seed: u64, w: &mut World<M>, judged: bool) -> RunOutcome {
    // A stopped run's history is a prefix: liveness cannot be judged on
    // it, and a safety verdict on a prefix would read as the run's.
    let judged = judged && w.stopped.is_none();
    // The history grew by doubling; its spare capacity (up to half) would
    // sit under every checker's own allocations at the run's peak.
    w.history.entries.shrink_to_fit();
    let ctx = CheckContext {
        nodes: w.names.clone(),
        heal_us: w.heal_us,
        end_us: if w.stopped.is_some() {
            w.now_us
        } else {
            w.end_us
        },
    };
    let only = sc.file.check.only.as_ref();
    let checks = w
        .model
        .checkers()
        .into_iter()
        .filter(|_| judged)
        .filter(|c| only.is_none_or(|names| names.iter().any(|n| n == c.name())))
        .map(|c| CheckResult {
            name: c.name(),
            property: c.property(),
            description: c.describe(),
            verdict: c.check(&w.history, &ctx),
        })
        .collect();
    let metrics = match judged {
        true => w.model.metrics(&w.history, &ctx),
        false => Vec::new(),
    };
    let situations = match judged {
        true => faultline_models::check::situation::reached(M::situations(), &w.history, &ctx),
        false => Vec::new(),
    };
    RunOutcome {
        scenario: sc.name.clone(),
        protocol: M::NAME,
        variant: sc.file.protocol.variant.clone(),
        seed,
        nodes: w.names.clone(),
        history: Arc::new(std::mem::take(&mut w.history)),
        checks,
        metrics,
        net: w.stats.clone(),
        timeline: std::mem::take(&mut w.faults.timeline),
        unmatched_roles: std::mem::take(&mut w.faults.unmatched_roles),
        trace_hash: w.trace.hex(),
        heal_us: w.heal_us,
        end_us: if w.stopped.is_some() {
            w.now_us
        } else {
            w.end_us
        },
        trail: w.trace.take_trail(),
        messages: w.recorder.take(),
        stopped: w.stopped.take(),
        situations,
        required: sc.file.check.require.clone().unwrap_or_default(),
    }
}
