//! Which keys each `[[faults]]` kind takes: a key the kind would ignore
//! (a `target` on a `loss` fault, a `probability` on a crash,
//! `lose_unsynced` on a pause) is a contradiction, rejected at the key
//! rather than silently dropped.

use super::schema::FaultSpec;

/// Keys every kind takes.
const COMMON: &[&str] = &["at_ms", "for_ms", "kind", "repeat", "every_ms", "jitter_ms"];

/// The keys `kind` takes besides [`COMMON`]; None for an unknown kind.
pub fn allowed(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "crash" => &["target", "nodes", "lose_unsynced"],
        "pause" => &["target", "nodes"],
        "partition" => &["split", "groups", "pairs", "target", "nodes"],
        "one-way" => &["from", "to"],
        "skew" => &["target", "nodes", "offset_ms"],
        "drift" => &["target", "nodes", "ppm"],
        "loss" | "duplicate" => &["probability"],
        _ => return None,
    })
}

/// The optional keys `spec` gives (`lose_unsynced` only when true).
pub fn given(spec: &FaultSpec) -> Vec<&'static str> {
    let keys = [
        ("target", spec.target.is_some()),
        ("nodes", spec.nodes.is_some()),
        ("split", spec.split.is_some()),
        ("groups", spec.groups.is_some()),
        ("pairs", spec.pairs.is_some()),
        ("from", spec.from.is_some()),
        ("to", spec.to.is_some()),
        ("lose_unsynced", spec.lose_unsynced),
        ("offset_ms", spec.offset_ms.is_some()),
        ("ppm", spec.ppm.is_some()),
        ("probability", spec.probability.is_some()),
    ];
    keys.iter().filter(|(_, on)| *on).map(|(k, _)| *k).collect()
}

/// The first contradiction in `spec`, as (key, message); None if it has none.
pub fn contradiction(spec: &FaultSpec) -> Option<(&'static str, String)> {
    let kind = spec.kind.as_str();
    let allowed = allowed(kind)?;
    if let Some(key) = given(spec).into_iter().find(|k| !allowed.contains(k)) {
        let mut keys: Vec<&str> = allowed.to_vec();
        keys.extend_from_slice(COMMON);
        let m = format!(
            "a {kind} fault takes no `{key}`; its keys: {}",
            keys.join(", ")
        );
        return Some((key, m));
    }
    if let Some(c) = (kind == "partition").then(|| partition(spec)).flatten() {
        return Some(c);
    }
    if spec.every_ms.is_some() && spec.repeat.unwrap_or(1) == 1 {
        return Some((
            "every_ms",
            "every_ms is the gap between repeats: it needs repeat > 1".into(),
        ));
    }
    None
}

fn partition(spec: &FaultSpec) -> Option<(&'static str, String)> {
    let shapes: Vec<&str> = given(spec)
        .into_iter()
        .filter(|k| ["split", "groups", "pairs"].contains(k))
        .collect();
    if shapes.len() > 1 {
        let m = format!(
            "a partition takes one of `split`, `groups` or `pairs`, found {}",
            shapes.join(" and ")
        );
        return Some((shapes[1], m));
    }
    let whom = spec.target.is_some() || spec.nodes.is_some();
    if whom && spec.split.as_deref() != Some("isolate") {
        let key = if spec.target.is_some() {
            "target"
        } else {
            "nodes"
        };
        let m = format!("`{key}` goes with split = \"isolate\" only (whom to cut off)");
        return Some((key, m));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(kind: &str) -> FaultSpec {
        FaultSpec {
            kind: kind.into(),
            ..FaultSpec::default()
        }
    }

    #[test]
    fn keys_a_kind_would_ignore_are_contradictions() {
        let loss = FaultSpec {
            target: Some("n1".into()),
            probability: Some(0.5),
            ..spec("loss")
        };
        assert_eq!(contradiction(&loss).unwrap().0, "target");
        let pause = FaultSpec {
            lose_unsynced: true,
            ..spec("pause")
        };
        assert_eq!(contradiction(&pause).unwrap().0, "lose_unsynced");
        let crash = FaultSpec {
            probability: Some(0.1),
            ..spec("crash")
        };
        assert!(contradiction(&crash)
            .unwrap()
            .1
            .contains("takes no `probability`"));
        let both = FaultSpec {
            split: Some("halves".into()),
            groups: Some(vec![]),
            ..spec("partition")
        };
        assert_eq!(contradiction(&both).unwrap().0, "groups");
        let aimed = FaultSpec {
            split: Some("halves".into()),
            target: Some("n1".into()),
            ..spec("partition")
        };
        assert_eq!(contradiction(&aimed).unwrap().0, "target");
        assert_eq!(
            contradiction(&spec("meteor")),
            None,
            "unknown kinds fail elsewhere"
        );
    }
}
