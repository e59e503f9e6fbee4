//! The worker pool: `jobs` threads take seeds from a shared counter and run
//! them one after another, each with its own madsim runtime, on the worker's
//! own thread ([`crate::run::RunOptions::this_thread`]), so parallelism is
//! only ever across runs.
//! Results come back to the caller's thread over a channel, in batches, in
//! completion order; the caller sorts them.

use super::progress::wall_now;
use super::row::SeedRow;
use crate::determinism::{self, Nondeterminism};
use crate::fault::AppliedFault;
use crate::registry::LoadedScenario;
use crate::run::RunOptions;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// One finished seed.
#[derive(Debug)]
pub struct Done {
    /// Its row.
    pub row: SeedRow,
    /// For a run that was not valid: the faults it applied.
    pub timeline: Option<Vec<AppliedFault>>,
    /// A failed determinism check.
    pub nondeterminism: Option<Nondeterminism>,
    /// A panic's message (the protocol or engine asserted).
    pub panic: Option<String>,
    /// Cut short by the time limit: not a result (its row depends on wall
    /// time, so it is not recorded).
    pub cancelled: bool,
}

/// What the pool runs.
pub struct Work<'a> {
    /// The scenario.
    pub scenario: &'a dyn LoadedScenario,
    /// The `i`-th seed to run, None past the last.
    pub seed_at: &'a (dyn Fn(u64) -> Option<u64> + Sync),
    /// Worker threads.
    pub jobs: usize,
    /// Run seeds divisible by this twice and compare.
    pub determinism_every: Option<u64>,
    /// Stop taking seeds once this many have failed (checked by the
    /// workers themselves, so a slow consumer does not let them run on).
    pub stop_after: Option<u64>,
    /// Wall time after which no seed starts and running ones are cancelled.
    pub time_limit: Option<Duration>,
}

/// Runs every seed of `work` (until `stop` is set), handing each result to
/// `sink` on this thread. Past the time limit this thread sets `stop` and
/// cancels the runs in progress, so one stuck seed cannot hold the sweep.
pub fn run(work: &Work<'_>, stop: &AtomicBool, mut sink: impl FnMut(Done)) {
    // 'static because runs hold it inside their world (RunOptions is Copy):
    // one byte per sweep.
    let cancel: &'static AtomicBool = Box::leak(Box::new(AtomicBool::new(false)));
    let next = AtomicU64::new(0);
    let failures = AtomicU64::new(0);
    let (tx, rx) = mpsc::channel();
    std::thread::scope(|s| {
        for w in 0..work.jobs.max(1) {
            let tx = tx.clone();
            let (next, failures) = (&next, &failures);
            let spawned = std::thread::Builder::new()
                .name(format!("sweep-worker-{w}"))
                .spawn_scoped(s, move || {
                    let mut batch = Batch::new(tx);
                    while !stop.load(Ordering::Relaxed) {
                        let Some(seed) = (work.seed_at)(next.fetch_add(1, Ordering::Relaxed))
                        else {
                            break;
                        };
                        let done = run_one(work, seed, cancel);
                        let failed = done.row.verdict != "valid";
                        if failed {
                            let n = failures.fetch_add(1, Ordering::Relaxed) + 1;
                            if work.stop_after.is_some_and(|k| n >= k) {
                                stop.store(true, Ordering::Relaxed);
                            }
                        }
                        if !batch.add(done, failed) {
                            break;
                        }
                    }
                    batch.flush();
                });
            spawned.expect("spawning a sweep worker");
        }
        drop(tx);
        receive(&rx, work.time_limit, (stop, cancel), &mut sink);
    });
}

/// Hands every batch to `sink` until the workers are gone, watching the
/// time limit between batches.
fn receive(
    rx: &mpsc::Receiver<Vec<Done>>,
    limit: Option<Duration>,
    (stop, cancel): (&AtomicBool, &AtomicBool),
    sink: &mut impl FnMut(Done),
) {
    let started = wall_now();
    loop {
        match rx.recv_timeout(WATCH_EVERY) {
            Ok(batch) => batch.into_iter().for_each(&mut *sink),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        }
        if limit.is_some_and(|t| started.elapsed() >= t) {
            stop.store(true, Ordering::Relaxed);
            cancel.store(true, Ordering::Relaxed);
        }
    }
}

/// The verdict word of a seed that hit an engine error.
pub const ENGINE_ERROR: &str = "error";

/// How often the time limit is looked at while no result arrives.
const WATCH_EVERY: Duration = Duration::from_millis(50);

/// A worker's finished seeds on their way to the caller's thread.
///
/// Sent in batches: a wake-up of the caller per seed preempted a worker
/// each time (~9,000 involuntary context switches in a 6,000-seed small
/// raft sweep on 2 jobs), which held `--jobs 2` under 1.8x `--jobs 1`. A
/// batch goes out every `BATCH_EVERY` or `BATCH_MAX` seeds, whichever comes
/// first, and at once for a failing seed, so progress and failures still
/// show promptly.
struct Batch {
    tx: mpsc::Sender<Vec<Done>>,
    items: Vec<Done>,
    since: Instant,
}

const BATCH_EVERY: Duration = Duration::from_millis(20);
const BATCH_MAX: usize = 256;

impl Batch {
    fn new(tx: mpsc::Sender<Vec<Done>>) -> Self {
        Batch {
            tx,
            items: Vec::new(),
            since: wall_now(),
        }
    }

    /// Adds a seed's result; false once the caller has gone away.
    fn add(&mut self, done: Done, urgent: bool) -> bool {
        self.items.push(done);
        if urgent || self.items.len() >= BATCH_MAX || self.since.elapsed() >= BATCH_EVERY {
            return self.flush();
        }
        true
    }

    fn flush(&mut self) -> bool {
        self.since = wall_now();
        if self.items.is_empty() {
            return true;
        }
        self.tx.send(std::mem::take(&mut self.items)).is_ok()
    }
}

/// Runs one seed (twice when sampled for determinism); an engine panic
/// becomes a row with the verdict `error`.
fn run_one(work: &Work<'_>, seed: u64, cancel: &'static AtomicBool) -> Done {
    let sampled = work
        .determinism_every
        .is_some_and(|n| seed.is_multiple_of(n.max(1)));
    let result = catch_unwind(AssertUnwindSafe(|| {
        let cancel = Some(cancel);
        if sampled {
            let opts = RunOptions {
                cancel,
                ..RunOptions::default()
            };
            let (outcome, same) = determinism::check_with(work.scenario, seed, opts);
            (outcome, same.err())
        } else {
            let opts = RunOptions {
                this_thread: true,
                cancel,
                ..RunOptions::default()
            };
            (work.scenario.run_with(seed, opts), None)
        }
    }));
    match result {
        Ok((outcome, _)) if cancel.load(Ordering::Relaxed) && outcome.stopped.is_some() => Done {
            row: SeedRow::of(&outcome),
            timeline: None,
            nondeterminism: None,
            panic: None,
            cancelled: true,
        },
        Ok((outcome, nondeterminism)) => {
            let mut row = SeedRow::of(&outcome);
            if sampled {
                let word = if nondeterminism.is_some() {
                    "differs"
                } else {
                    "same"
                };
                row.determinism = word.into();
            }
            let failed = outcome.verdict() != "valid";
            Done {
                row,
                timeline: failed.then_some(outcome.timeline),
                nondeterminism,
                panic: None,
                cancelled: false,
            }
        }
        Err(panic) => panicked(seed, panic),
    }
}

/// A seed whose run panicked outside protocol code (a protocol's panic is
/// the run's `no-panic` finding instead): an engine error, exit 6.
fn panicked(seed: u64, panic: Box<dyn std::any::Any + Send>) -> Done {
    let message = crate::panics::engine_error(panic.as_ref()).to_string();
    Done {
        row: SeedRow {
            seed,
            verdict: ENGINE_ERROR.into(),
            failing: format!("engine/panic/{ENGINE_ERROR}"),
            ops: 0,
            faults: 0,
            trace_hash: String::new(),
            determinism: String::new(),
            reached: String::new(),
        },
        timeline: None,
        nondeterminism: None,
        panic: Some(message),
        cancelled: false,
    }
}
