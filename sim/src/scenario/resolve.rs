//! Validating a parsed scenario against its model into a runnable [`Scenario`].

use super::load::{Key, Source};
use super::schema::{LinkSpec, NetworkSpec, ScenarioFile, WorkloadSpec};
use crate::error::Error;
use crate::fault::nemesis::Nemesis;
use crate::fault::PlannedFault;
use crate::net::{Latency, LinkConfig, NetConfig};
use crate::world::client::Workload;
use faultline_models::{Model, ModelError, NodeSpec, Variant};

/// Nodes a scenario may ask for.
pub const NODES_MAX: usize = 1000;
/// Longest run a scenario may ask for (safety + liveness), in ms of simulated time.
pub const RUN_MS_MAX: f64 = 24.0 * 3600.0 * 1000.0;

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
    /// Explicit faults with their jitter bound.
    pub faults: Vec<(PlannedFault, u64)>,
    /// Random faults.
    pub nemesis: Option<Nemesis>,
}

fn ms_to_us(ms: f64) -> u64 {
    (ms * 1000.0).round() as u64
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
        let history_entries_max = file.run.history_entries_max;
        let faults = super::resolve_faults::explicit(&source, &file.faults, &names, duration_us)?;
        let nemesis = match &file.nemesis {
            Some(spec) => Some(super::resolve_faults::nemesis(&source, spec, &names)?),
            None => None,
        };
        check_section::<M>(&source, &file, &model)?;
        let clock = clock(&source, &file)?;
        let name = file.name.clone().unwrap_or_else(|| stem(&source));
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
    M::new(variant, p.nodes, p.params.clone()).map_err(|e| match &e {
        ModelError::Param { key, .. } => src.error_at_key(
            &[Key::Name("protocol"), Key::Name("params"), Key::Name(key)],
            format!("[protocol.params] {key}: {e}"),
        ),
        _ => src.error_at_key(&[Key::Name("protocol")], e.to_string()),
    })
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
    if !(spec.reorder_ms >= 0.0 && spec.reorder_ms.is_finite()) {
        return Err(src.error_at_key(
            &at("reorder_ms"),
            format!("expected reorder_ms >= 0, found {}", spec.reorder_ms),
        ));
    }
    net.reorder_us = ms_to_us(spec.reorder_ms);
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
    if spec.clients > 10_000 {
        return Err(src.error_at_key(
            &at("clients"),
            format!("expected at most 10000 clients, found {}", spec.clients),
        ));
    }
    if !(spec.rate_per_s > 0.0 && spec.rate_per_s <= 1e6) {
        return Err(src.error_at_key(
            &at("rate_per_s"),
            format!("expected rate_per_s in (0, 1e6], found {}", spec.rate_per_s),
        ));
    }
    if !(spec.timeout_ms > 0.0 && spec.timeout_ms.is_finite()) {
        return Err(src.error_at_key(
            &at("timeout_ms"),
            format!("expected timeout_ms > 0, found {}", spec.timeout_ms),
        ));
    }
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
        if weight > 0 {
            mix.push((info.name, weight));
        }
    }
    if spec.mix.is_empty() {
        mix = M::ops()
            .iter()
            .filter(|o| o.default_weight > 0)
            .map(|o| (o.name, o.default_weight))
            .collect();
    }
    let clients = if mix.is_empty() { 0 } else { spec.clients };
    let gap_us_mean = 1e6 / spec.rate_per_s;
    Ok(Workload {
        clients,
        gap_us_mean,
        timeout_us: ms_to_us(spec.timeout_ms),
        mix,
    })
}

fn run_lengths<P>(src: &Source, file: &ScenarioFile<P>) -> Result<(u64, u64), Error> {
    let r = &file.run;
    let at = |k: &'static str| [Key::Name("run"), Key::Name(k)];
    if !(r.duration_ms > 0.0 && r.duration_ms <= RUN_MS_MAX) {
        return Err(src.error_at_key(
            &at("duration_ms"),
            format!(
                "expected duration_ms in (0, {RUN_MS_MAX}], found {}",
                r.duration_ms
            ),
        ));
    }
    if !(r.converge_ms >= 0.0 && r.converge_ms <= RUN_MS_MAX) {
        return Err(src.error_at_key(
            &at("converge_ms"),
            format!(
                "expected converge_ms in [0, {RUN_MS_MAX}], found {}",
                r.converge_ms
            ),
        ));
    }
    let max = super::schema::HISTORY_ENTRIES_MAX_LIMIT;
    if !(1..=max).contains(&r.history_entries_max) {
        return Err(src.error_at_key(
            &at("history_entries_max"),
            format!(
                "expected history_entries_max in [1, {max}], found {}",
                r.history_entries_max
            ),
        ));
    }
    Ok((ms_to_us(r.duration_ms), ms_to_us(r.converge_ms)))
}

fn clock<P>(src: &Source, file: &ScenarioFile<P>) -> Result<(u64, f64), Error> {
    let c = &file.clock;
    let at = |k: &'static str| [Key::Name("clock"), Key::Name(k)];
    if !(c.skew_ms_max >= 0.0 && c.skew_ms_max <= RUN_MS_MAX) {
        return Err(src.error_at_key(
            &at("skew_ms_max"),
            format!("expected skew_ms_max >= 0, found {}", c.skew_ms_max),
        ));
    }
    if !(c.drift_ppm_max >= 0.0 && c.drift_ppm_max < 500_000.0) {
        return Err(src.error_at_key(
            &at("drift_ppm_max"),
            format!(
                "expected drift_ppm_max in [0, 500000), found {}",
                c.drift_ppm_max
            ),
        ));
    }
    Ok((ms_to_us(c.skew_ms_max), c.drift_ppm_max))
}

fn check_section<M: Model>(
    src: &Source,
    file: &ScenarioFile<M::Params>,
    model: &M,
) -> Result<(), Error> {
    let known: Vec<&str> = model.checkers().iter().map(|c| c.name()).collect();
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
