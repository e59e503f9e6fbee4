//! Validating `[[faults]]` and `[nemesis]`.

use super::limits::{self, REPEAT_MAX, RUN_MS_MAX};
use super::load::{Key, Source};
use super::schema::{FaultSpec, NemesisSpec};
use crate::error::Error;
use crate::fault::nemesis::Nemesis;
use crate::fault::{FaultAction, PlannedFault, Split, Target, KINDS};

struct At<'a> {
    src: &'a Source,
    index: usize,
    /// The roles the protocol's nodes may announce (None: not declared).
    roles: Option<&'a [&'a str]>,
}

impl At<'_> {
    fn err(&self, field: &'static str, message: String) -> Error {
        self.src.error_at_key(
            &[
                Key::Name("faults"),
                Key::Index(self.index),
                Key::Name(field),
            ],
            message,
        )
    }
}

/// Expands every `[[faults]]` entry into planned faults (with jitter
/// bounds); `roles` are those the protocol declares (`Model::ROLES`).
pub fn explicit(
    src: &Source,
    specs: &[FaultSpec],
    (names, roles): (&[String], Option<&[&str]>),
    duration_us: u64,
) -> Result<Vec<(PlannedFault, u64)>, Error> {
    let mut plan = Vec::new();
    for (index, spec) in specs.iter().enumerate() {
        let at = At { src, index, roles };
        if let Some((key, m)) = super::fault_keys::contradiction(spec) {
            return Err(at.err(key, m));
        }
        let action = action(&at, spec, names)?;
        let at_us = non_negative_us(&at, "at_ms", spec.at_ms)?;
        if at_us >= duration_us {
            return Err(at.err("at_ms", format!("expected at_ms before the end of the safety phase (run.duration_ms = {}), found {}", duration_us / 1000, spec.at_ms)));
        }
        let for_us = spec
            .for_ms
            .map(|ms| non_negative_us(&at, "for_ms", ms))
            .transpose()?;
        let jitter_us = spec
            .jitter_ms
            .map(|ms| non_negative_us(&at, "jitter_ms", ms))
            .transpose()?
            .unwrap_or(0);
        let repeat = spec.repeat.unwrap_or(1);
        if repeat == 0 || repeat > REPEAT_MAX {
            return Err(at.err(
                "repeat",
                format!("expected repeat between 1 and {REPEAT_MAX}, found {repeat}"),
            ));
        }
        let every_us = match spec.every_ms {
            Some(ms) => limits::positive("every_ms", ms, RUN_MS_MAX)
                .map(limits::us)
                .map_err(|m| at.err("every_ms", m))?,
            None if repeat == 1 => 0,
            None => return Err(at.err("every_ms", "expected every_ms > 0 when repeat > 1".into())),
        };
        // No overflow: every_us <= RUN_MS_MAX us and k < REPEAT_MAX.
        for k in 0..u64::from(repeat) {
            let start = at_us + k * every_us;
            if start >= duration_us {
                break;
            }
            plan.push((
                PlannedFault {
                    at_us: start,
                    for_us,
                    action: action.clone(),
                },
                jitter_us,
            ));
        }
    }
    Ok(plan)
}

fn ms_us(ms: f64) -> u64 {
    limits::us(ms)
}

/// A time in `[0, RUN_MS_MAX]` ms, as microseconds.
fn non_negative_us(at: &At<'_>, field: &'static str, ms: f64) -> Result<u64, Error> {
    limits::time_us(field, ms).map_err(|m| at.err(field, m))
}

fn action(at: &At<'_>, spec: &FaultSpec, names: &[String]) -> Result<FaultAction, Error> {
    let target = || whom(at, spec, names);
    Ok(match spec.kind.as_str() {
        "crash" => FaultAction::Crash {
            target: target()?,
            lose_unsynced: spec.lose_unsynced,
        },
        "pause" => FaultAction::Pause(target()?),
        "partition" => FaultAction::Partition(split(at, spec, names)?),
        "one-way" => {
            let from = spec
                .from
                .as_deref()
                .ok_or_else(|| at.err("kind", "a one-way fault needs `from` and `to`".into()))?;
            let to = spec
                .to
                .as_deref()
                .ok_or_else(|| at.err("kind", "a one-way fault needs `from` and `to`".into()))?;
            FaultAction::OneWay {
                from: words(at, "from", from, names)?,
                to: words(at, "to", to, names)?,
            }
        }
        "skew" => {
            let ms = spec
                .offset_ms
                .ok_or_else(|| at.err("kind", "a skew fault needs `offset_ms`".into()))?;
            let ms = limits::within("offset_ms", ms, -RUN_MS_MAX, RUN_MS_MAX)
                .map_err(|m| at.err("offset_ms", m))?;
            FaultAction::Skew {
                target: target()?,
                offset_us: (ms * 1000.0).round() as i64,
            }
        }
        "drift" => {
            let ppm = spec
                .ppm
                .ok_or_else(|| at.err("kind", "a drift fault needs `ppm`".into()))?;
            if ppm.is_nan() || ppm.abs() >= limits::DRIFT_PPM_MAX {
                let max = limits::DRIFT_PPM_MAX;
                let found = limits::show(ppm);
                return Err(at.err("ppm", format!("expected |ppm| < {max}, found {found}")));
            }
            FaultAction::Drift {
                target: target()?,
                ppm,
            }
        }
        "loss" | "duplicate" => {
            let p = spec.probability.ok_or_else(|| {
                at.err("kind", format!("a {} fault needs `probability`", spec.kind))
            })?;
            let p =
                limits::within("probability", p, 0.0, 1.0).map_err(|m| at.err("probability", m))?;
            if spec.kind == "loss" {
                FaultAction::Loss(p)
            } else {
                FaultAction::Duplicate(p)
            }
        }
        other => {
            return Err(at.err(
                "kind",
                format!(
                    "unknown fault kind {other:?}; expected one of: {}",
                    KINDS.join(", ")
                ),
            ))
        }
    })
}

fn whom(at: &At<'_>, spec: &FaultSpec, names: &[String]) -> Result<Target, Error> {
    match (&spec.target, &spec.nodes) {
        (Some(word), None) => word_target(at, "target", word, names),
        (None, Some(nodes)) => words(at, "nodes", nodes, names),
        (Some(_), Some(_)) => {
            Err(at.err("nodes", "give either `target` or `nodes`, not both".into()))
        }
        (None, None) => Err(at.err(
            "kind",
            format!("a {} fault needs `target` or `nodes`", spec.kind),
        )),
    }
}

/// A word that is not a node name is a role, unless it looks like a node name.
fn word_target(
    at: &At<'_>,
    field: &'static str,
    word: &str,
    names: &[String],
) -> Result<Target, Error> {
    let target = Target::parse(word, names);
    let looks_like_node = word.ends_with(|c: char| c.is_ascii_digit());
    if matches!(target, Target::Role(_)) && looks_like_node {
        return Err(at.err(field, format!("unknown node {word:?}; expected a node ({}), a role (e.g. \"leader\"), \"random\", \"random-<role>\" or \"all\"", names.join(", "))));
    }
    let role = match &target {
        Target::Role(r) | Target::RandomRole(r) => Some(r.as_str()),
        _ => None,
    };
    if let (Some(role), Some(roles)) = (role, at.roles) {
        if !roles.contains(&role) {
            let known = if roles.is_empty() {
                "its nodes announce no role".to_string()
            } else {
                format!("its roles: {}", roles.join(", "))
            };
            return Err(at.err(field, format!("no node of this protocol ever has the role {role:?}, so the fault would never apply; {known} (or name a node: {}, \"random\", \"all\")", names.join(", "))));
        }
    }
    Ok(target)
}

fn words(
    at: &At<'_>,
    field: &'static str,
    list: &[String],
    names: &[String],
) -> Result<Target, Error> {
    if let [one] = list {
        return word_target(at, field, one, names);
    }
    let mut ids = Vec::new();
    for w in list {
        match names.iter().position(|n| n == w) {
            Some(id) => ids.push(id),
            None => {
                return Err(at.err(
                    field,
                    format!(
                        "unknown node {w:?} in a list; expected node names: {}",
                        names.join(", ")
                    ),
                ))
            }
        }
    }
    Ok(Target::Nodes(ids))
}

fn split(at: &At<'_>, spec: &FaultSpec, names: &[String]) -> Result<Split, Error> {
    if let Some(groups) = &spec.groups {
        return groups_split(at, groups, names);
    }
    if let Some(pairs) = &spec.pairs {
        return pairs_split(at, pairs, names);
    }
    match spec.split.as_deref() {
        Some("isolate") => Ok(Split::Isolate(whom(at, spec, names)?)),
        Some("majority") => Ok(Split::Majority),
        Some("halves") => Ok(Split::Halves),
        Some("bridge") => Ok(Split::Bridge),
        Some("ring") => Ok(Split::Ring),
        Some(other) => Err(at.err(
            "split",
            format!("unknown split {other:?}; expected isolate, majority, halves, bridge or ring"),
        )),
        None => Err(at.err(
            "kind",
            "a partition needs `split`, `groups` or `pairs`".into(),
        )),
    }
}

/// `groups`: node names, each node in one group at most.
fn groups_split(at: &At<'_>, groups: &[Vec<String>], names: &[String]) -> Result<Split, Error> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    for g in groups {
        let Target::Nodes(ids) = words(at, "groups", g, names)? else {
            return Err(at.err("groups", "expected groups of node names".into()));
        };
        let seen = |id: &usize| out.iter().flatten().any(|o| o == id);
        if let Some(&dup) = ids.iter().find(|id| seen(id)) {
            let m = format!(
                "node {:?} is in two groups; partition groups must not overlap",
                names[dup]
            );
            return Err(at.err("groups", m));
        }
        out.push(ids);
    }
    Ok(Split::Groups(out))
}

/// `pairs`: blocked directed links, each of two different node names.
fn pairs_split(at: &At<'_>, pairs: &[Vec<String>], names: &[String]) -> Result<Split, Error> {
    let id = |w: &String| {
        (names.iter().position(|n| n == w)).ok_or_else(|| {
            let m = format!(
                "unknown node {w:?}; expected node names: {}",
                names.join(", ")
            );
            at.err("pairs", m)
        })
    };
    let mut out = Vec::new();
    for pair in pairs {
        let [a, b] = pair.as_slice() else {
            let m = format!(
                "expected each pair to be [from, to], two node names; found {} names {pair:?}",
                pair.len()
            );
            return Err(at.err("pairs", m));
        };
        if a == b {
            return Err(at.err(
                "pairs",
                format!("pair [{a:?}, {b:?}] links a node to itself"),
            ));
        }
        out.push((id(a)?, id(b)?));
    }
    Ok(Split::Pairs(out))
}

/// Validates `[nemesis]`.
pub fn nemesis(
    src: &Source,
    spec: &NemesisSpec,
    (names, roles): (&[String], Option<&[&str]>),
) -> Result<Nemesis, Error> {
    let err = |field: &'static str, m: String| {
        src.error_at_key(&[Key::Name("nemesis"), Key::Name(field)], m)
    };
    if spec.kinds.is_empty() {
        return Err(err("kinds", "expected at least one fault kind".into()));
    }
    for k in &spec.kinds {
        if !KINDS.contains(&k.as_str()) {
            return Err(err(
                "kinds",
                format!(
                    "unknown fault kind {k:?}; expected one of: {}",
                    KINDS.join(", ")
                ),
            ));
        }
    }
    if spec.lose_unsynced && !spec.kinds.iter().any(|k| k == "crash") {
        let m = "lose_unsynced is for crashes, and kinds has no \"crash\"".to_string();
        return Err(err("lose_unsynced", m));
    }
    if spec.targets.is_empty() {
        return Err(err("targets", "expected at least one target".into()));
    }
    let at = At {
        src,
        index: usize::MAX,
        roles,
    };
    let mut targets = Vec::new();
    for w in &spec.targets {
        let target = word_target(&at, "targets", w, names).map_err(|e| match e {
            Error::Scenario { message, .. } => err("targets", message),
            other => other,
        })?;
        targets.push(target);
    }
    let range = |field: &'static str, lo: f64, hi: f64| {
        if lo >= 0.0 && lo <= hi && hi <= RUN_MS_MAX {
            Ok((ms_us(lo), ms_us(hi)))
        } else {
            Err(err(
                field,
                format!(
                    "expected 0 <= {field}_min <= {field}_max <= {RUN_MS_MAX}, found {lo} and {hi}"
                ),
            ))
        }
    };
    let interval_us = range("interval_ms", spec.interval_ms_min, spec.interval_ms_max)?;
    if interval_us.1 == 0 {
        return Err(err(
            "interval_ms_max",
            "expected interval_ms_max > 0".into(),
        ));
    }
    let duration_us = range("duration_ms", spec.duration_ms_min, spec.duration_ms_max)?;
    Ok(Nemesis {
        kinds: spec.kinds.clone(),
        targets,
        interval_us,
        duration_us,
        lose_unsynced: spec.lose_unsynced,
    })
}
