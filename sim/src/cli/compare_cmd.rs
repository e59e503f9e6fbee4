//! `faultline compare`: scenarios × a matrix of values × seeds, side by side.

use crate::compare::expect::{exit_code, Expectation};
use crate::compare::index::page;
use crate::compare::matrix::{cli_axis, compare_spec, configs, file_axes, Axis, Config};
use crate::compare::output::{write, Comparison};
use crate::compare::{run_jobs, Row};
use crate::error::Error;
use crate::metrics::LatencyHistogram;
use crate::registry::{LoadedScenario, Registry};
use crate::scenario::{Key, Source};
use crate::sweep::seeds::SeedRange;
use std::path::PathBuf;

/// Arguments of `compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// Scenario files (each may declare its own matrix in `[compare]`).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// An extra axis: KEY=V1,V2,... (e.g. protocol.variant=correct,lease).
    #[arg(long = "set", value_name = "KEY=V1,V2", value_parser = cli_axis)]
    pub axes: Vec<Axis>,
    /// Seeds per configuration: N (1..=N), A..B or A..=B. Default: the file's
    /// `[compare] seeds`, else 10.
    #[arg(long, value_parser = parse_seeds)]
    pub seeds: Option<(u64, u64)>,
    /// Report folder name under OUT/compare/ (default: the first scenario's name).
    #[arg(long)]
    pub name: Option<String>,
    /// Where report folders go.
    #[arg(long, default_value = "reports")]
    pub out: PathBuf,
    /// Runs at once (default: the number of cores).
    #[arg(long)]
    pub jobs: Option<usize>,
}

/// Parses seeds as every command does ([`SeedRange`]: `N`, `A..B`,
/// `A..=B`), as the inclusive pair compare keeps.
pub fn parse_seeds(text: &str) -> Result<(u64, u64), String> {
    let range: SeedRange = text.parse().map_err(|e: Error| e.to_string())?;
    Ok((range.start, range.end - 1))
}

/// A configuration, its loaded scenario and its inclusive seed range.
type Planned = (Config, Box<dyn LoadedScenario>, (u64, u64));

/// Validates the `[compare]` matrix of `file` as `compare` would run it:
/// every configuration loads; returns how many there are (0: no matrix).
pub fn check_matrix(registry: &Registry, file: &std::path::Path) -> Result<usize, Error> {
    let src = Source::read(file)?;
    let Some(spec) = compare_spec(&src)? else {
        return Ok(0);
    };
    let configs = configs(&src, &file_axes(&src, &spec)?, None)?;
    // A configuration's error is at the axes that made it: its own text
    // has the axis values written in, at lines the file may not have.
    let at = [Key::Name("compare"), Key::Name("axes")];
    for config in &configs {
        registry
            .load_source(config.source.clone())
            .map_err(|e| match e {
                Error::Scenario { message, .. } => src.error_at_key(
                    &at,
                    format!("[compare] configuration {:?}: {message}", config.label),
                ),
                other => other,
            })?;
    }
    Ok(configs.len())
}

/// Loads every configuration with its seed range.
fn plan(registry: &Registry, args: &CompareArgs) -> Result<Vec<Planned>, Error> {
    let mut out = Vec::new();
    for file in &args.files {
        let src = Source::read(file)?;
        let spec = compare_spec(&src)?;
        let mut axes = match &spec {
            Some(s) => file_axes(&src, s)?,
            None => Vec::new(),
        };
        no_key_twice(&axes, &args.axes)?;
        axes.extend(args.axes.iter().cloned());
        let seeds = args
            .seeds
            .unwrap_or((1, spec.as_ref().map_or(10, |s| s.seeds)));
        let prefix = (args.files.len() > 1).then(|| stem(file));
        for config in configs(&src, &axes, prefix.as_deref())? {
            let scenario = registry.load_source(config.source.clone())?;
            out.push((config, scenario, seeds));
        }
    }
    Ok(out)
}

/// A `--set` axis on a key another axis (the file's, or another `--set`)
/// already sets would silently override it: an error instead.
fn no_key_twice(file_axes: &[Axis], cli_axes: &[Axis]) -> Result<(), Error> {
    let mut seen: Vec<(&str, &str)> = (file_axes.iter())
        .flat_map(|a| {
            a.keys
                .iter()
                .map(|k| (k.as_str(), "an axis of the file's [compare]"))
        })
        .collect();
    for key in cli_axes.iter().flat_map(|a| &a.keys) {
        if let Some((_, by)) = seen.iter().find(|(k, _)| k == key) {
            return Err(Error::Usage(format!(
                "--set {key}: {by} already sets {key}; give each key one axis"
            )));
        }
        seen.push((key, "another --set"));
    }
    Ok(())
}

fn stem(file: &std::path::Path) -> String {
    file.file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
}

/// Runs the comparison, writes its folder, prints one line per
/// configuration and every configuration that missed its expectation;
/// returns the exit code ([`crate::compare::expect`]).
pub fn run(registry: &Registry, args: CompareArgs) -> Result<i32, Error> {
    crate::logging::init("warn");
    if let Some(name) = &args.name {
        // Scenario names were checked when they loaded.
        crate::scenario::limits::folder_name(name)
            .map_err(|m| Error::Usage(format!("--name: {m}")))?;
    }
    super::jobs_within_limit(args.jobs)?;
    let planned = plan(registry, &args)?;
    runs_within_limit(&planned)?;
    let jobs: Vec<(usize, u64)> = planned
        .iter()
        .enumerate()
        .flat_map(|(i, (_, _, (a, b)))| (*a..=*b).map(move |seed| (i, seed)))
        .collect();
    let threads = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    println!(
        "compare: {} configurations, {} runs on {threads} threads",
        planned.len(),
        jobs.len()
    );
    let (configs, scenarios): (Vec<Config>, Vec<Box<dyn LoadedScenario>>) =
        planned.into_iter().map(|(c, s, _)| (c, s)).unzip();
    let rows = run_jobs(&scenarios, &jobs, threads.max(1));
    let names: Vec<String> = scenarios.iter().map(|s| s.name().to_string()).collect();
    let axes = axis_names(&configs);
    let name = args.name.clone().unwrap_or_else(|| names[0].clone());
    let comparison = Comparison {
        name: &name,
        configs: &configs,
        scenarios: &names,
        axes: &axes,
        rows: &rows,
    };
    let expectations = judge(&scenarios, &rows);
    let target = args.out.join("compare").join(&name);
    let staging = crate::staging::Staging::begin(&target)?;
    let dir = staging.dir().to_path_buf();
    let files = write(&comparison, &dir)?;
    let description = (args.files.len() == 1)
        .then(|| scenarios[0].description())
        .flatten();
    let html = page(
        &comparison,
        description,
        &repro(&args),
        &expectations,
        &files,
    );
    crate::report::index::write(&dir, &html)?;
    let dir = staging.commit()?;
    print_table(&configs, &rows);
    print_misses(&configs, &rows, &expectations);
    println!("report: {}", dir.display());
    Ok(exit_code(&expectations))
}

/// Rows are kept in memory (each with a latency histogram): the product of
/// configurations and seeds is bounded.
fn runs_within_limit(planned: &[Planned]) -> Result<(), Error> {
    let max = crate::scenario::limits::COMPARE_RUNS_MAX;
    let runs = (planned.iter())
        .map(|(_, _, (a, b))| (b - a).saturating_add(1))
        .fold(0u64, u64::saturating_add);
    if runs > max {
        return Err(Error::Usage(format!(
            "compare: {} configurations over their seeds make {runs} runs; at most {max} (use fewer seeds or axis values)",
            planned.len()
        )));
    }
    Ok(())
}

/// Every axis name, in order of first appearance.
fn axis_names(configs: &[Config]) -> Vec<String> {
    let mut axes: Vec<String> = Vec::new();
    for (axis, _) in configs.iter().flat_map(|c| &c.settings) {
        if !axes.contains(axis) {
            axes.push(axis.clone());
        }
    }
    axes
}

/// Each configuration's expectation, judged on its rows.
fn judge(scenarios: &[Box<dyn LoadedScenario>], rows: &[Row]) -> Vec<Expectation> {
    scenarios
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mine: Vec<&Row> = rows.iter().filter(|r| r.config == i).collect();
            Expectation::of(s.expect(), &mine)
        })
        .collect()
}

/// The command that reruns this comparison.
fn repro(args: &CompareArgs) -> String {
    let mut cmd = "cargo run --release -- compare".to_string();
    for f in &args.files {
        cmd.push_str(&format!(" {}", f.display()));
    }
    for axis in &args.axes {
        let points: Vec<&str> = axis.points.iter().map(|(l, _)| l.as_str()).collect();
        cmd.push_str(&format!(
            " --set {}={}",
            axis.keys.join(","),
            points.join(",")
        ));
    }
    if let Some((a, b)) = args.seeds {
        cmd.push_str(&format!(" --seeds {a}..={b}"));
    }
    if let Some(n) = &args.name {
        cmd.push_str(&format!(" --name {n}"));
    }
    cmd
}

/// The `run` command for one seed of one configuration: its axis values as `--set`.
fn rerun(config: &Config, seed: u64) -> String {
    let sets: Vec<crate::cli::overrides::Setting> = (config.sets.iter())
        .map(|(k, v)| crate::cli::overrides::Setting {
            key: k.clone(),
            text: v.clone(),
            value: crate::compare::matrix::parse_value(v),
        })
        .collect();
    let overrides = crate::cli::overrides::Overrides {
        sets,
        variant: None,
    };
    crate::report::repro_command(&config.source.path, seed, &overrides.args())
}

fn print_misses(configs: &[Config], rows: &[Row], all: &[Expectation]) {
    for (i, e) in all.iter().enumerate().filter(|(_, e)| !e.met()) {
        println!("FAILED {}: {}", configs[i].label, e.miss());
        let failed: std::collections::BTreeSet<&str> = rows
            .iter()
            .filter(|r| r.config == i)
            .flat_map(|r| r.failed.iter().copied())
            .collect();
        if !failed.is_empty() {
            let list: Vec<&str> = failed.into_iter().collect();
            println!("  checks that said invalid: {}", list.join(", "));
        }
        match e.off_seeds.first() {
            _ if e.expected == "invalid" && e.worst != "invalid" => println!(
                "  no seed failed, so there is nothing to rerun: expected invalid (try more --seeds)"
            ),
            Some(&seed) => println!("  rerun one seed: {}", rerun(&configs[i], seed)),
            None => {}
        }
    }
}

fn print_table(configs: &[Config], rows: &[Row]) {
    println!(
        "{:<28} {:>5} {:>8} {:>10} {:>9} {:>9}",
        "config", "seeds", "invalid", "ok/s(med)", "p50 ms", "p99 ms"
    );
    for (i, c) in configs.iter().enumerate() {
        let mine: Vec<&Row> = rows.iter().filter(|r| r.config == i).collect();
        let mut h = LatencyHistogram::new();
        mine.iter().for_each(|r| h.merge(&r.latency));
        let q = h.quantiles().unwrap_or_default();
        let tput = crate::plot::bars::Bar::of(
            "",
            &mine
                .iter()
                .map(|r| r.ops.throughput_per_s)
                .collect::<Vec<_>>(),
        );
        let invalid = mine.iter().filter(|r| r.verdict == "invalid").count();
        println!(
            "{:<28} {:>5} {:>8} {:>10.2} {:>9.2} {:>9.2}",
            c.label,
            mine.len(),
            invalid,
            tput.median,
            q.p50,
            q.p99
        );
    }
}
