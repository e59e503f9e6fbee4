//! Validating a parsed scenario against its model into a runnable [`Scenario`].

use super::load::{Key, Source};
use super::schema::{LinkSpec, NetworkSpec, ScenarioFile, WorkloadSpec};
use crate::error::Error;
use crate::fault::nemesis::Nemesis;
use crate::fault::PlannedFault;
use crate::net::{Latency, LinkConfig, NetConfig};
use crate::world::client::Workload;
use faultline_models::{Model, ModelError, NodeSpec, Variant};

use super::limits::{self, LATENCY_MS_MAX};
pub use super::limits::{NODES_MAX, RUN_MS_MAX};

/// A validated scenario for model `M`, ready to run with any seed.
pub struct Scenario<M: Model> {
    /// Where it came from.
    pub source: Source,
    /// Report folder name.
    pub name: String,
    /// The file as parsed.
    pub file: ScenarioFile<M::Params>,
    /// The cluster layout.
    pub specs: Vec<NodeSpec>,
    /// Node names by id.
    pub names: Vec<String>,
    /// The network.
    pub net: NetConfig,
    /// Static clock skew bound (us) and drift bound (ppm).
    pub clock: (u64, f64),
    /// The clients.
    pub workload: Workload,
    /// Safety phase length.
    pub duration_us: u64,
    /// Liveness bound after heal.
    pub converge_us: u64,
    /// Most history lines a run keeps (`[run] history_entries_max`).
    pub history_entries_max: u64,
    /// Most events at one simulated instant (`[run] events_per_instant_max`).
    pub events_per_instant_max: u64,
    /// Most events in one run (`[run] events_max`).
    pub events_max: u64,
    /// Explicit faults with their jitter bound.
    pub faults: Vec<(PlannedFault, u64)>,
    /// Random faults.
    pub nemesis: Option<Nemesis>,
}

impl<M: Model> Scenario<M> {
    /// Parses and validates `source` for model `M`.
    pub fn load(source: Source) -> Result<Self, Error> {
        let file: ScenarioFile<M::Params> = source.parse()?;
        let model = build_model::<M>(&source, &file)?;
        let specs = model.nodes();
        let names: Vec<String> = specs.iter().map(|s| s.name.clone()).collect();
        let net = network(&source, &file.network, &names)?;
        let workload = workload::<M>(&source, &file.workload)?;
        let (duration_us, converge_us) = run_lengths(&source, &file)?;
        let (history_entries_max, events_per_instant_max, events_max) = run_caps(&source, &file)?;
        no_idle_clients(&source, &workload, duration_us + converge_us)?;
        let cluster = (names.as_slice(), M::ROLES);
        let faults = super::resolve_faults::explicit(&source, &file.faults, cluster, duration_us)?;
        let nemesis = match &file.nemesis {
            Some(spec) => Some(super::resolve_faults::nemesis(&source, spec, cluster)?),
            None => None,
        };
        let n = names.len() as u64;
        super::budget::check(&source, &faults, nemesis.as_ref(), n, duration_us)?;
        check_section::<M>(&source, &file, &model)?;
        let clock = clock(&source, &file)?;
        let name = file.name.clone().unwrap_or_else(|| stem(&source));
        limits::folder_name(&name).map_err(|m| {
            let from = if file.name.is_some() {
                ""
            } else {
                " (the file's name)"
            };
            source.error_at_key(&[Key::Name("name")], format!("scenario name{from}: {m}"))
        })?;
        Ok(Scenario {
            source,
            name,
            file,
            specs,
            names,
            net,
            clock,
            workload,
            duration_us,
            converge_us,
            history_entries_max,
            events_per_instant_max,
            events_max,
            faults,
            nemesis,
        })
    }

    /// A fresh model for one run (validated in `load`).
    pub fn model(&self) -> M {
        let p = &self.file.protocol;
        let variant = M::Variant::parse(&p.variant).expect("validated when the scenario loaded");
        M::new(variant, p.nodes, p.params.clone()).expect("validated when the scenario loaded")
    }

    /// The seed to use when none is given.
    pub fn default_seed(&self) -> u64 {
        self.file.seed.unwrap_or(1)
    }
}

fn stem(source: &Source) -> String {
    source
        .path
        .file_stem()
        .map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned())
}

fn build_model<M: Model>(src: &Source, file: &ScenarioFile<M::Params>) -> Result<M, Error> {
    let p = &file.protocol;
    if p.nodes == 0 || p.nodes > NODES_MAX {
        let msg = format!(
            "expected [protocol] nodes between 1 and {NODES_MAX}, found {}",
            p.nodes
        );
        return Err(src.error_at_key(&[Key::Name("protocol"), Key::Name("nodes")], msg));
    }
    let variant = M::Variant::parse(&p.variant).map_err(|e| {
        src.error_at_key(
            &[Key::Name("protocol"), Key::Name("variant")],
            e.to_string(),
        )
    })?;
    protocol_times(src, &p.params)?;
    M::new(variant, p.nodes, p.params.clone()).map_err(|e| match &e {
        ModelError::Param { key, .. } => src.error_at_key(
            &[Key::Name("protocol"), Key::Name("params"), Key::Name(key)],
            format!("[protocol.params] {key}: {e}"),
        ),
        _ => src.error_at_key(&[Key::Name("protocol")], e.to_string()),
    })
}

/// Every time a protocol takes (a `[protocol.params]` key named `*_ms` or
/// `*_ms_*`, at any depth, defaults included) is held to [`RUN_MS_MAX`]:
/// beyond a day of simulated time a timer cannot fire in any run, and
/// near `u64::MAX` milliseconds the conversion to microseconds overflows
/// (a raft `election_timeout_ms_max = 9e18` made every run a false
/// liveness violation).
fn protocol_times<P: serde::Serialize>(src: &Source, params: &P) -> Result<(), Error> {
    let Ok(toml::Value::Table(table)) = toml::Value::try_from(params) else {
        return Ok(());
    };
    let mut path = vec!["protocol".to_string(), "params".to_string()];
    times_in(src, &table, &mut path)
}

fn times_in(src: &Source, table: &toml::Table, path: &mut Vec<String>) -> Result<(), Error> {
    for (key, value) in table {
        path.push(key.clone());
        let is_time = key.ends_with("_ms") || key.contains("_ms_");
        let ms = match value {
            toml::Value::Integer(i) => Some(*i as f64),
            toml::Value::Float(f) => Some(*f),
            _ => None,
        };
        match (value, ms) {
            (toml::Value::Table(t), _) => times_in(src, t, path)?,
            (_, Some(ms)) if is_time && !(0.0..=RUN_MS_MAX).contains(&ms) => {
                let keys: Vec<Key<'_>> = path.iter().map(|k| Key::Name(k)).collect();
                let shown = path[2..].join(".");
                return Err(src.error_at_key(
                    &keys,
                    format!(
                        "[protocol.params] {shown}: expected a time between 0 and {RUN_MS_MAX} ms (a day), found {ms}"
                    ),
                ));
            }
            _ => {}
        }
        path.pop();
    }
    Ok(())
}

fn probability(src: &Source, path: &[Key<'_>], what: &str, p: f64) -> Result<f64, Error> {
    if (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(src.error_at_key(
            path,
            format!("expected {what} to be a probability in [0, 1], found {p}"),
        ))
    }
}

fn network(src: &Source, spec: &NetworkSpec, names: &[String]) -> Result<NetConfig, Error> {
    let at = |k: &'static str| [Key::Name("network"), Key::Name(k)];
    let latency =
        Latency::from_spec(&spec.latency).map_err(|m| src.error_at_key(&at("latency"), m))?;
    let loss = probability(src, &at("loss"), "network.loss", spec.loss)?;
    let duplicate = probability(src, &at("duplicate"), "network.duplicate", spec.duplicate)?;
    let mut net = NetConfig::uniform(
        LinkConfig {
            latency,
            loss,
            duplicate,
        },
        names.len(),
    );
    net.reorder = probability(src, &at("reorder"), "network.reorder", spec.reorder)?;
    let reorder_ms = limits::within("reorder_ms", spec.reorder_ms, 0.0, LATENCY_MS_MAX)
        .map_err(|m| src.error_at_key(&at("reorder_ms"), m))?;
    net.reorder_us = limits::us(reorder_ms);
    if spec.links.len() > limits::LINKS_MAX {
        let at = [
            Key::Name("network"),
            Key::Name("links"),
            Key::Index(limits::LINKS_MAX),
        ];
        let m = format!(
            "expected at most {} [[network.links]] entries, found {}",
            limits::LINKS_MAX,
            spec.links.len()
        );
        return Err(src.error_at_key(&at, m));
    }
    for (i, link) in spec.links.iter().enumerate() {
        apply_link(src, i, link, names, &mut net)?;
    }
    Ok(net)
}

fn link_nodes(
    src: &Source,
    i: usize,
    field: &'static str,
    words: &[String],
    names: &[String],
) -> Result<Vec<usize>, Error> {
    let mut ids = Vec::new();
    for (j, w) in words.iter().enumerate() {
        if w == "*" {
            ids.extend(0..names.len());
        } else if let Some(id) = names.iter().position(|n| n == w) {
            ids.push(id);
        } else {
            let path = [
                Key::Name("network"),
                Key::Name("links"),
                Key::Index(i),
                Key::Name(field),
                Key::Index(j),
            ];
            return Err(src.error_at_key(
                &path,
                format!(
                    "unknown node {w:?}; expected \"*\" or one of: {}",
                    names.join(", ")
                ),
            ));
        }
    }
    Ok(ids)
}

fn apply_link(
    src: &Source,
    i: usize,
    link: &LinkSpec,
    names: &[String],
    net: &mut NetConfig,
) -> Result<(), Error> {
    let at = |k: &'static str| {
        [
            Key::Name("network"),
            Key::Name("links"),
            Key::Index(i),
            Key::Name(k),
        ]
    };
    let from = link_nodes(src, i, "from", &link.from, names)?;
    let to = link_nodes(src, i, "to", &link.to, names)?;
    let latency = match &link.latency {
        Some(l) => Some(Latency::from_spec(l).map_err(|m| src.error_at_key(&at("latency"), m))?),
        None => None,
    };
    let loss = link
        .loss
        .map(|p| probability(src, &at("loss"), "loss", p))
        .transpose()?;
    let dup = link
        .duplicate
        .map(|p| probability(src, &at("duplicate"), "duplicate", p))
        .transpose()?;
    let mut pairs: Vec<(usize, usize)> = from
        .iter()
        .flat_map(|&a| to.iter().map(move |&b| (a, b)))
        .collect();
    if link.both_ways {
        pairs.extend(pairs.clone().into_iter().map(|(a, b)| (b, a)));
    }
    for (a, b) in pairs {
        let cfg = &mut net.links[a][b];
        if let Some(l) = &latency {
            cfg.latency = l.clone();
        }
        cfg.loss = loss.unwrap_or(cfg.loss);
        cfg.duplicate = dup.unwrap_or(cfg.duplicate);
    }
    Ok(())
}

fn workload<M: Model>(src: &Source, spec: &WorkloadSpec) -> Result<Workload, Error> {
    let at = |k: &'static str| [Key::Name("workload"), Key::Name(k)];
    if spec.clients > limits::CLIENTS_MAX {
        return Err(src.error_at_key(
            &at("clients"),
            format!(
                "expected at most {} clients, found {}",
                limits::CLIENTS_MAX,
                spec.clients
            ),
        ));
    }
    let rate = limits::positive("rate_per_s", spec.rate_per_s, limits::RATE_PER_S_MAX)
        .map_err(|m| src.error_at_key(&at("rate_per_s"), m))?;
    let timeout_ms = limits::positive("timeout_ms", spec.timeout_ms, RUN_MS_MAX)
        .map_err(|m| src.error_at_key(&at("timeout_ms"), m))?;
    let mut mix = Vec::new();
    for (name, &weight) in &spec.mix {
        let Some(info) = M::ops().iter().find(|o| o.name == name) else {
            let expected: Vec<_> = M::ops().iter().map(|o| o.name).collect();
            let path = [Key::Name("workload"), Key::Name("mix"), Key::Name(name)];
            return Err(src.error_at_key(
                &path,
                format!(
                    "unknown operation {name:?} for {}; expected one of: {}",
                    M::NAME,
                    expected.join(", ")
                ),
            ));
        };
        if weight > limits::MIX_WEIGHT_MAX {
            let path = [Key::Name("workload"), Key::Name("mix"), Key::Name(name)];
            let max = limits::MIX_WEIGHT_MAX;
            let m = format!("expected a weight in [0, {max}], found {weight}");
            return Err(src.error_at_key(&path, m));
        }
        if weight > 0 {
            mix.push((info.name, weight));
        }
    }
    if !spec.mix.is_empty() && mix.is_empty() {
        let m = "every weight in [workload.mix] is 0, so no operation would run; give one a weight above 0 (or set clients = 0 for no workload)";
        return Err(src.error_at_key(&[Key::Name("workload"), Key::Name("mix")], m));
    }
    if spec.mix.is_empty() {
        mix = M::ops()
            .iter()
            .filter(|o| o.default_weight > 0)
            .map(|o| (o.name, o.default_weight))
            .collect();
    }
    let clients = if mix.is_empty() { 0 } else { spec.clients };
    let gap_us_mean = 1e6 / rate;
    Ok(Workload {
        clients,
        gap_us_mean,
        timeout_us: limits::us(timeout_ms),
        mix,
    })
}

/// Clients stop issuing `timeout_ms` before the end (so every op they
/// start can still time out): a timeout as long as the run leaves no time
/// for any op, which would pass every checker on an empty history.
fn no_idle_clients(src: &Source, w: &Workload, run_us: u64) -> Result<(), Error> {
    if w.clients > 0 && w.timeout_us >= run_us {
        let m = format!(
            "expected timeout_ms below the run's length (run.duration_ms + run.converge_ms = {} ms): clients stop issuing operations timeout_ms before the end, so none would run",
            run_us as f64 / 1000.0
        );
        return Err(src.error_at_key(&[Key::Name("workload"), Key::Name("timeout_ms")], m));
    }
    Ok(())
}

fn run_lengths<P>(src: &Source, file: &ScenarioFile<P>) -> Result<(u64, u64), Error> {
    let r = &file.run;
    let at = |k: &'static str| [Key::Name("run"), Key::Name(k)];
    let duration = limits::positive("duration_ms", r.duration_ms, RUN_MS_MAX)
        .map_err(|m| src.error_at_key(&at("duration_ms"), m))?;
    let converge = limits::within("converge_ms", r.converge_ms, 0.0, RUN_MS_MAX)
        .map_err(|m| src.error_at_key(&at("converge_ms"), m))?;
    if duration + converge > RUN_MS_MAX {
        let m = format!("expected duration_ms + converge_ms <= {RUN_MS_MAX} (a day), found {duration} + {converge}");
        return Err(src.error_at_key(&at("converge_ms"), m));
    }
    Ok((limits::us(duration), limits::us(converge)))
}

/// `[run]`'s caps: history lines, events per instant, events per run.
fn run_caps<P>(src: &Source, file: &ScenarioFile<P>) -> Result<(u64, u64, u64), Error> {
    let r = &file.run;
    let cap = |key: &'static str, value: u64, max: u64| {
        if (1..=max).contains(&value) {
            Ok(value)
        } else {
            let m = format!("expected {key} in [1, {max}], found {value}");
            Err(src.error_at_key(&[Key::Name("run"), Key::Name(key)], m))
        }
    };
    let history = super::schema::HISTORY_ENTRIES_MAX_LIMIT;
    Ok((
        cap("history_entries_max", r.history_entries_max, history)?,
        cap(
            "events_per_instant_max",
            r.events_per_instant_max,
            limits::EVENTS_LIMIT,
        )?,
        cap("events_max", r.events_max, limits::EVENTS_LIMIT)?,
    ))
}

fn clock<P>(src: &Source, file: &ScenarioFile<P>) -> Result<(u64, f64), Error> {
    let c = &file.clock;
    let at = |k: &'static str| [Key::Name("clock"), Key::Name(k)];
    let skew_us = limits::time_us("skew_ms_max", c.skew_ms_max)
        .map_err(|m| src.error_at_key(&at("skew_ms_max"), m))?;
    if !(c.drift_ppm_max >= 0.0 && c.drift_ppm_max < limits::DRIFT_PPM_MAX) {
        return Err(src.error_at_key(
            &at("drift_ppm_max"),
            format!(
                "expected drift_ppm_max in [0, {}), found {}",
                limits::DRIFT_PPM_MAX,
                c.drift_ppm_max
            ),
        ));
    }
    Ok((skew_us, c.drift_ppm_max))
}

fn check_section<M: Model>(
    src: &Source,
    file: &ScenarioFile<M::Params>,
    model: &M,
) -> Result<(), Error> {
    let known: Vec<&str> = model.checkers().iter().map(|c| c.name()).collect();
    if file.check.only.as_ref().is_some_and(|o| o.is_empty()) {
        let m = format!(
            "check.only = [] runs no checker, so every run would be VALID; name at least one of: {} (or leave `only` out to run them all)",
            known.join(", ")
        );
        return Err(src.error_at_key(&[Key::Name("check"), Key::Name("only")], m));
    }
    for (i, name) in file.check.only.iter().flatten().enumerate() {
        if !known.contains(&name.as_str()) {
            let path = [Key::Name("check"), Key::Name("only"), Key::Index(i)];
            let why = if M::CHECKERS.iter().any(|c| c.name == name) {
                format!("checker {name:?} does not run with this variant and these [protocol.params]; the ones that do: {}", known.join(", "))
            } else {
                format!(
                    "unknown checker {name:?}; expected one of: {}",
                    known.join(", ")
                )
            };
            return Err(src.error_at_key(&path, why));
        }
    }
    let situations: Vec<&str> = M::situations().iter().map(|s| s.name).collect();
    for (i, name) in file.check.require.iter().flatten().enumerate() {
        if !situations.contains(&name.as_str()) {
            let path = [Key::Name("check"), Key::Name("require"), Key::Index(i)];
            let why = match situations.is_empty() {
                true => format!(
                    "unknown situation {name:?}: protocol {} declares no situations",
                    M::NAME
                ),
                false => format!(
                    "unknown situation {name:?}; expected one of: {}",
                    situations.join(", ")
                ),
            };
            return Err(src.error_at_key(&path, why));
        }
    }
    if let Some(expect) = &file.check.expect {
        if !["valid", "invalid", "unknown"].contains(&expect.as_str()) {
            let path = [Key::Name("check"), Key::Name("expect")];
            return Err(src.error_at_key(
                &path,
                format!("expected check.expect to be valid, invalid or unknown, found {expect:?}"),
            ));
        }
    }
    Ok(())
}
