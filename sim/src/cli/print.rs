//! What the CLI prints.

use crate::registry::Registry;
use crate::report::repro_command;
use crate::run::RunOutcome;
use crate::stats::op_stats;
use faultline_models::check::at_ms;
use faultline_models::{MetricValue, Verdict};
use std::collections::BTreeMap;
use std::path::Path;

/// Prints a run's summary.
/// `args` are the overrides it ran with, for the repro command.
pub fn summary(o: &RunOutcome, path: &Path, args: &str, report: Option<&Path>) {
    println!(
        "scenario: {} ({}), protocol {} variant {}",
        o.scenario,
        path.display(),
        o.protocol,
        o.variant
    );
    println!("verdict: {}", o.verdict().word().to_uppercase());
    if let Some(why) = &o.stopped {
        println!("  stopped early, nothing judged: {why}");
    }
    for c in &o.checks {
        println!(
            "  {:<24} {:<10} {}",
            c.name,
            format!("{:?}", c.property).to_lowercase(),
            c.verdict.word()
        );
        match &c.verdict {
            Verdict::Invalid { violations } => {
                for v in violations.iter().take(VIOLATIONS_SHOWN) {
                    let at = v
                        .time_us
                        .map(|t| format!("at {}: ", at_ms(t)))
                        .unwrap_or_default();
                    println!("      {at}{}", v.message);
                }
                more_violations(violations.len(), report);
            }
            Verdict::Unknown { reason } => println!("      {reason}"),
            Verdict::Valid => {}
        }
    }
    situations(o);
    ops(o);
    faults(o);
    let n = &o.net;
    println!(
        "network: {} sent, {} delivered, {} lost, {} partitioned, {} to down nodes, {} duplicated",
        n.sent, n.delivered, n.lost, n.partitioned, n.to_dead_node, n.duplicated
    );
    metrics(o);
    println!(
        "simulated: {} (heal at {})",
        at_ms(o.end_us),
        at_ms(o.heal_us)
    );
    println!("trace hash: {}", o.trace_hash);
    if let Some(dir) = report {
        println!("report: {}", dir.display());
        pages(o, dir);
    }
    if o.verdict() != "valid" {
        println!("repro: {}", repro_command(path, o.seed, args));
    }
}

/// Violations printed per checker; the rest are in `summary.json`.
const VIOLATIONS_SHOWN: usize = 3;

/// Says how many violations were not printed, and where they all are.
fn more_violations(count: usize, report: Option<&Path>) {
    let more = count.saturating_sub(VIOLATIONS_SHOWN);
    if more == 0 {
        return;
    }
    match report {
        Some(dir) => println!(
            "      +{more} more, see {}",
            dir.join("summary.json").display()
        ),
        None => println!("      +{more} more (in summary.json when run without --no-report)"),
    }
}

/// For a failure, the report's pages that explain it (timeline, messages,
/// linearizability), those the folder holds.
fn pages(o: &RunOutcome, dir: &Path) {
    let pages: Vec<&str> = crate::report::index::PAGES
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| dir.join(name).is_file())
        .collect();
    if o.verdict() == "invalid" && !pages.is_empty() {
        println!("explained in: {} (in the report folder)", pages.join(", "));
    }
}

/// Which declared situations the run reached, and which required ones it
/// missed (those make the verdict UNKNOWN: the run did not test them).
fn situations(o: &RunOutcome) {
    if o.situations.is_empty() {
        return;
    }
    let reached: Vec<String> = (o.situations.iter())
        .filter_map(|s| Some(format!("{} at {}", s.name, at_ms(s.time_us?))))
        .collect();
    let missed: Vec<&str> = (o.situations.iter())
        .filter(|s| s.time_us.is_none())
        .map(|s| s.name)
        .collect();
    println!(
        "situations reached {}/{}: {}",
        reached.len(),
        o.situations.len(),
        if reached.is_empty() {
            "none".into()
        } else {
            reached.join(", ")
        }
    );
    if !missed.is_empty() {
        println!("  not reached: {}", missed.join(", "));
    }
    let unmet = o.unmet_required();
    if !unmet.is_empty() {
        println!(
            "  required by [check] require but not reached (verdict unknown: this run did not test them): {}",
            unmet.join(", ")
        );
    }
}

fn ops(o: &RunOutcome) {
    for (f, s) in op_stats(&*o.history, o.end_us) {
        let lat = s
            .latency_ms
            .map(|q| {
                format!(
                    "latency ms p50 {:.2} p99 {:.2} max {:.2}",
                    q.p50, q.p99, q.max
                )
            })
            .unwrap_or_default();
        println!(
            "ops {f:<8} {} invoked: {} ok, {} fail, {} info, {} pending; {:.1} ok/s; {lat}",
            s.invoked, s.ok, s.fail, s.info, s.pending, s.throughput_per_s
        );
    }
}

fn faults(o: &RunOutcome) {
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    o.timeline
        .iter()
        .filter(|f| f.effective)
        .for_each(|f| *by_kind.entry(f.kind.as_str()).or_default() += 1);
    let list: Vec<_> = by_kind.iter().map(|(k, n)| format!("{k} {n}")).collect();
    println!(
        "faults applied: {} ({})",
        by_kind.values().sum::<usize>(),
        if list.is_empty() {
            "none".into()
        } else {
            list.join(", ")
        }
    );
    unmatched_roles(&o.unmatched_roles);
}

/// Warns of faults that did nothing because no live node had their role.
fn unmatched_roles(missed: &[(u64, String)]) {
    if missed.is_empty() {
        return;
    }
    let first: Vec<String> = (missed.iter().take(5))
        .map(|(t, role)| format!("{role:?} at {}", at_ms(*t)))
        .collect();
    let more = if missed.len() > 5 { ", ..." } else { "" };
    println!(
        "warning: {} fault(s) aimed at a role no live node had when they fired, so they did nothing: {}{more}",
        missed.len(),
        first.join(", ")
    );
}

fn metrics(o: &RunOutcome) {
    for m in &o.metrics {
        match &m.value {
            MetricValue::Count { value } => println!("metric {}: {value}", m.name),
            MetricValue::Distribution { samples } => match crate::stats::Quantiles::of(samples) {
                Some(q) => println!(
                    "metric {}: n={} p50 {:.1} p90 {:.1} p99 {:.1} max {:.1}",
                    m.name,
                    samples.len(),
                    q.p50,
                    q.p90,
                    q.p99,
                    q.max
                ),
                None => println!("metric {}: no samples", m.name),
            },
            MetricValue::Series { points } => {
                println!("metric {}: {} points", m.name, points.len())
            }
        }
    }
}

/// Prints protocols, variants, ops, checkers and bundled scenarios.
pub fn list(registry: &Registry) {
    for p in registry.protocols() {
        println!("{} — {}", p.name, p.description);
        for v in p.variants {
            println!(
                "  variant {:<16} {}{}",
                v.name,
                v.description,
                if v.correct { "" } else { " [buggy]" }
            );
        }
        for op in p.ops {
            println!("  op      {:<16} {}", op.name, op.description);
        }
        for c in p.checkers {
            let kind = format!("{:?}", c.property).to_lowercase();
            println!("  checker {:<16} {kind:<10} {}", c.name, c.description);
        }
        for (name, description) in &p.situations {
            println!("  sometimes {name:<14} {description}");
        }
    }
    bundled(registry);
}

/// The bundled scenario files of the registered protocols, or where they
/// were looked for.
fn bundled(registry: &Registry) {
    let dir = match super::files::bundled_dir() {
        Ok(dir) => dir,
        Err(looked) => {
            let looked: Vec<String> = looked.iter().map(|d| d.display().to_string()).collect();
            println!(
                "bundled scenarios: none found; looked in {}",
                looked.join(", ")
            );
            return;
        }
    };
    let files = super::files::toml_files(&dir).unwrap_or_default();
    let ours = |f: &&std::path::PathBuf| {
        let source = crate::scenario::Source::read(f);
        let name = source.and_then(|s| crate::scenario::probe_protocol(&s));
        name.is_ok_and(|n| registry.protocols().iter().any(|p| p.name == n))
    };
    let files: Vec<&std::path::PathBuf> = files.iter().filter(ours).collect();
    println!("bundled scenarios ({}):", dir.display());
    files.iter().for_each(|f| println!("  {}", f.display()));
}
