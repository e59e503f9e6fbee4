//! `faultline bench`: the engine's speed against a bare event loop measured
//! in the same process, protocol runs, sweep scaling, checker speed and
//! memory. Prints a table and writes `reports/bench/bench.csv`.

pub mod baseline;
mod checker;
pub mod child;
mod wall;

use crate::error::Error;
use crate::registry::{LoadedScenario, Registry};
use crate::scenario::Source;
use crate::verdict::RunVerdict;
pub use checker::checker_speed;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use wall::{status_mb, timed};

/// One measured figure.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Row {
    /// Which benchmark.
    pub group: String,
    /// What was measured.
    pub name: String,
    /// The figure.
    pub value: f64,
    /// Its unit.
    pub unit: String,
    /// The reference measured in the same run, if any.
    pub baseline: Option<f64>,
    /// value / baseline.
    pub ratio: Option<f64>,
    /// The target, in words.
    pub target: String,
    /// Whether the target is met (None: no target).
    pub met: Option<bool>,
}

fn row(group: &str, name: impl Into<String>, value: f64, unit: &str) -> Row {
    Row {
        group: group.into(),
        name: name.into(),
        value,
        unit: unit.into(),
        baseline: None,
        ratio: None,
        target: String::new(),
        met: None,
    }
}

/// How big the benchmarks are.
#[derive(Debug, Clone)]
pub struct Sizes {
    /// Delivered messages of the engine-throughput run.
    pub messages: u64,
    /// Seeds per sweep-throughput measurement.
    pub sweep_seeds: u64,
    /// Seeds of the memory sweep.
    pub memory_seeds: u64,
}

impl Default for Sizes {
    fn default() -> Self {
        Sizes {
            messages: 1_000_000,
            sweep_seeds: 3_000,
            memory_seeds: 2_000,
        }
    }
}

fn in_memory(
    registry: &Registry,
    name: &str,
    text: String,
) -> Result<Box<dyn LoadedScenario>, Error> {
    registry.load_source(Source {
        path: PathBuf::from(name),
        text,
    })
}

/// 1 and 2: the ping workload on the engine and on the bare loop.
pub fn engine_throughput(registry: &Registry, messages: u64) -> Result<Vec<Row>, Error> {
    // ~3,600 deliveries per simulated second with 20 pings in flight.
    let duration_ms = (messages as f64 / 3_600.0 * 1000.0).ceil() + 1000.0;
    let text = format!(
        "[protocol]\nname = \"ping\"\nnodes = 5\n[protocol.params]\noutstanding = 4\nretry = false\n\
         [network]\nlatency = {{ dist = \"uniform\", min_ms = 1, max_ms = 10 }}\n\
         [workload]\nclients = 0\n[run]\nduration_ms = {duration_ms}\nconverge_ms = 0\n"
    );
    let scenario = in_memory(registry, "bench-ping.toml", text)?;
    let (secs, outcome) = timed(|| scenario.run(1));
    let engine = outcome.net.delivered as f64 / secs;
    let (base_secs, (base_n, _)) =
        timed(|| baseline::ping_pong(5, 4, (1000, 10_000), outcome.net.delivered, 1));
    let base = base_n as f64 / base_secs;
    let mut r = row(
        "engine",
        "ping/pong delivered messages per wall second",
        engine,
        "msg/s",
    );
    r.baseline = Some(base);
    r.ratio = Some(engine / base);
    r.target = ">= 1.2M msg/s and >= 1/12 of the bare loop".into();
    r.met = Some(engine >= 1.2e6 && engine * 12.0 >= base);
    let sim = row(
        "engine",
        "ping/pong simulated seconds per wall second",
        outcome.end_us as f64 / 1e6 / secs,
        "x",
    );
    let mut b = row(
        "engine",
        "bare event loop (baseline) messages per wall second",
        base,
        "msg/s",
    );
    b.target = "reference".into();
    Ok(vec![r, sim, b])
}

/// 3: every bundled correct-variant scenario for 60 s of simulated time,
/// each in a child process so that its peak RSS is its own.
pub fn protocol_runs(files: &[PathBuf]) -> Result<Vec<Row>, Error> {
    let mut rows = Vec::new();
    for file in files {
        rows.extend(child::spawn(&["protocol", &file.display().to_string()])?);
    }
    Ok(rows)
}

/// One scenario of [`protocol_runs`]; no rows for a buggy variant.
pub fn protocol_run(registry: &Registry, file: &Path) -> Result<Vec<Row>, Error> {
    let source = Source::read(file)?;
    let Some(text) = sixty_seconds(&source.text) else {
        return Ok(Vec::new());
    };
    let scenario = in_memory(registry, &file.display().to_string(), text)?;
    if !is_correct(registry, &*scenario) {
        return Ok(Vec::new());
    }
    let (secs, o) = timed(|| scenario.run(1));
    let speed = o.end_us as f64 / 1e6 / secs;
    let name = |what: &str| format!("{} {what}", file.display());
    let mut r = row("protocol", name("simulated:wall"), speed, "x");
    if scenario.protocol() == "raft" && declared_nodes(&source.text) == Some(5) {
        r.target = ">= 1000x for a 5-node 60 s raft run".into();
        r.met = Some(speed >= 1000.0);
    }
    let events = (o.net.delivered + o.net.timers) as f64 / secs;
    let mut e = row(
        "protocol",
        name("events per wall second"),
        events,
        "events/s",
    );
    e.target = ">= 500,000 events/s".into();
    e.met = Some(events >= 500_000.0);
    let peak_mb = status_mb("VmHWM");
    let mut rows = vec![
        r,
        e,
        row("protocol", name("peak RSS"), peak_mb, "MB"),
        verdict_row(name("verdict at 60 s"), &*scenario, &o),
    ];
    if file.ends_with("quorum/bench.toml") {
        rows.push(rss_per_kop(&o, peak_mb));
    }
    Ok(rows)
}

/// Peak RSS per 1,000 client ops of a 60 s quorum bench run, before the
/// typed, compact history (measured with that build on this machine: 1,087
/// MB for 212,967 ops, no report).
const QUORUM_MB_PER_KOP_BEFORE: f64 = 5.10;

fn rss_per_kop(o: &crate::run::RunOutcome, peak_mb: f64) -> Row {
    let invoked = o
        .history
        .op_lines()
        .filter(|op| op.kind == faultline_models::OpType::Invoke)
        .count();
    let per_kop = peak_mb / (invoked.max(1) as f64 / 1000.0);
    let mut r = row(
        "memory",
        format!("{} peak RSS per 1,000 client ops", checker::QUORUM_BENCH),
        per_kop,
        "MB",
    );
    r.baseline = Some(QUORUM_MB_PER_KOP_BEFORE);
    r.ratio = Some(per_kop / QUORUM_MB_PER_KOP_BEFORE);
    r.target = "<= 1/8 of before the typed history".into();
    r.met = Some(per_kop * 8.0 <= QUORUM_MB_PER_KOP_BEFORE);
    r
}

/// Whether the 60 s run still judges as the scenario expects: a correct
/// variant that a longer run flags is a false alarm the 3 s tests miss
/// (60 s of saga `steady` sold out its stock and was judged a stall).
fn verdict_row(name: String, s: &dyn LoadedScenario, o: &crate::run::RunOutcome) -> Row {
    let got = o.checks_verdict();
    let want_invalid = s.expect() == Some("invalid");
    let ok = if want_invalid {
        got == RunVerdict::Invalid
    } else {
        got != RunVerdict::Invalid && got != RunVerdict::Stopped
    };
    let mut r = row("protocol", name, f64::from(u8::from(ok)), got.word());
    r.target = if want_invalid {
        "invalid, as the scenario expects".into()
    } else {
        "no violation (valid or unknown)".into()
    };
    r.met = Some(ok);
    r
}

fn is_correct(registry: &Registry, s: &dyn LoadedScenario) -> bool {
    // Test-only protocols (not in the registry's list) count as not correct.
    let p = registry.protocols().iter().find(|p| p.name == s.protocol());
    p.and_then(|p| p.variants.iter().find(|v| v.name == s.variant()))
        .is_some_and(|v| v.correct)
}

/// `[protocol] nodes` as the file says (the run may add helper nodes).
fn declared_nodes(text: &str) -> Option<i64> {
    let doc: toml_edit::DocumentMut = text.parse().ok()?;
    doc.get("protocol")?.get("nodes")?.as_integer()
}

/// The scenario with a 60 s safety phase (None if it does not parse).
fn sixty_seconds(text: &str) -> Option<String> {
    let mut doc: toml_edit::DocumentMut = text.parse().ok()?;
    doc.get_mut("run")?
        .as_table_mut()?
        .insert("duration_ms", toml_edit::value(60_000));
    Some(doc.to_string())
}

/// Seeds per wall second of `scenario` over `seeds` seeds on `jobs` threads.
pub fn seeds_per_second(scenario: &dyn LoadedScenario, seeds: u64, jobs: usize) -> f64 {
    // The sweep's own worker pool (each seed on a fresh thread), so this
    // measures what `faultline sweep --jobs N` does, less its file output.
    let seed_at = |i: u64| (i < seeds).then_some(i + 1);
    let work = crate::sweep::pool::Work {
        scenario,
        seed_at: &seed_at,
        jobs,
        determinism_every: None,
        stop_after: None,
        time_limit: None,
    };
    let stop = std::sync::atomic::AtomicBool::new(false);
    let (secs, ()) = timed(|| crate::sweep::pool::run(&work, &stop, drop));
    seeds as f64 / secs
}

/// The small raft scenario of the sweep and memory benchmarks: 5 nodes, 6 s
/// simulated, ~1,000 delivered messages (plus heartbeat and election timers).
pub fn small_raft(registry: &Registry) -> Result<Box<dyn LoadedScenario>, Error> {
    let text = "[protocol]\nname = \"raft\"\nnodes = 5\n[workload]\nclients = 1\nrate_per_s = 5\n\
                [run]\nduration_ms = 5000\nconverge_ms = 1000\n"
        .to_string();
    in_memory(registry, "bench-raft-small.toml", text)
}

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// 4: sweep throughput with 1 and 2 jobs, and the scaling ratio.
pub fn sweep_scaling(registry: &Registry, seeds: u64) -> Result<Vec<Row>, Error> {
    let scenario = small_raft(registry)?;
    // Interleaved repeats, median of each: a burst of other load on the
    // machine then skews one sample rather than the ratio. Five, not three:
    // this shared 2-vCPU host drifts by 15% within seconds, and with three
    // the ratio fell under 1.8 in one bench run of five.
    let (mut ones, mut twos) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        ones.push(seeds_per_second(&*scenario, seeds, 1));
        twos.push(seeds_per_second(&*scenario, seeds, 2));
    }
    let (one, two) = (median(&mut ones), median(&mut twos));
    let mut r1 = row(
        "sweep",
        "small raft seeds per second, 1 job",
        one,
        "seeds/s",
    );
    r1.target = ">= 1000 seeds/s per core".into();
    r1.met = Some(one >= 1000.0);
    let mut r2 = row(
        "sweep",
        "small raft seeds per second, 2 jobs",
        two,
        "seeds/s",
    );
    r2.baseline = Some(one);
    r2.ratio = Some(two / one);
    r2.target = ">= 1.8x 1 job".into();
    r2.met = Some(two >= 1.8 * one);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores <= 2 {
        return Ok(vec![r1, r2]);
    }
    let all = seeds_per_second(&*scenario, seeds, cores);
    let mut r3 = row(
        "sweep",
        format!("small raft seeds per second, {cores} jobs (all cores)"),
        all,
        "seeds/s",
    );
    r3.baseline = Some(one);
    r3.ratio = Some(all / one);
    Ok(vec![r1, r2, r3])
}

/// 6: RSS while sweeping; flat means no per-run leak. Run it through
/// [`child::spawn`] so the peak is the sweep's own.
pub fn memory(registry: &Registry, seeds: u64) -> Result<Vec<Row>, Error> {
    let scenario = small_raft(registry)?;
    let quarter = (seeds / 4).max(1);
    seeds_per_second(&*scenario, quarter, 2);
    let after_quarter = status_mb("VmRSS");
    seeds_per_second(&*scenario, seeds - quarter, 2);
    let after_all = status_mb("VmRSS");
    let mut r = row(
        "memory",
        format!("RSS after {seeds} seeds (baseline: after {quarter})"),
        after_all,
        "MB",
    );
    r.baseline = Some(after_quarter);
    r.ratio = Some(after_all / after_quarter.max(1e-9));
    r.target = "not growing with seeds (ratio ~1)".into();
    r.met = Some(after_all <= after_quarter * 1.1 + 1.0);
    let peak = status_mb("VmHWM");
    let mut p = row(
        "memory",
        format!("peak RSS of a {seeds}-seed sweep, 2 jobs"),
        peak,
        "MB",
    );
    p.target = "< 50 MB".into();
    p.met = Some(peak < 50.0);
    Ok(vec![r, p])
}

/// Prints `rows` as a table.
pub fn print(rows: &[Row]) {
    println!(
        "{:<9} {:<70} {:>14} {:<9} {:>14} {:>8}  target",
        "group", "measure", "value", "unit", "baseline", "ratio"
    );
    for r in rows {
        let base = r.baseline.map_or(String::new(), |b| format!("{b:.1}"));
        let ratio = r.ratio.map_or(String::new(), |x| format!("{x:.3}"));
        let met = match r.met {
            Some(true) => " [met]",
            Some(false) => " [NOT met]",
            None => "",
        };
        println!(
            "{:<9} {:<70} {:>14.1} {:<9} {:>14} {:>8}  {}{met}",
            r.group, r.name, r.value, r.unit, base, ratio, r.target
        );
    }
}

/// Writes `rows` to `path` as CSV, atomically.
pub fn write_csv(rows: &[Row], path: &Path) -> Result<(), Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| Error::io(path, std::io::Error::other(e));
    for r in rows {
        w.serialize(r).map_err(io)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Error::io(path, std::io::Error::other(e.to_string())))?;
    crate::report::write_file(path, &bytes)
}
