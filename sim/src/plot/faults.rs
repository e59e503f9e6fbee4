//! Fault windows drawn behind time plots: one shaded band per applied fault
//! (colour by kind), labelled with its kind and nodes where there is room,
//! and a dashed line at heal.

use super::canvas::{err, DrawResult};
use crate::fault::AppliedFault;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use std::collections::BTreeSet;

/// A chart whose x axis is simulated seconds.
pub type TimeChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The colour of a fault kind.
pub fn color(kind: &str) -> RGBColor {
    match kind {
        "crash" => RGBColor(214, 39, 40),
        "pause" => RGBColor(148, 103, 189),
        "partition" => RGBColor(31, 119, 180),
        "one-way" => RGBColor(23, 190, 207),
        "skew" | "drift" => RGBColor(188, 189, 34),
        _ => RGBColor(127, 127, 127),
    }
}

/// A fault's label, saying what it does: "crash n1", "isolate n4",
/// "partition n1,n2 | n3,n4,n5", "n1 cannot reach n2,n3" (one-way).
pub fn label(f: &AppliedFault) -> String {
    if !f.pairs.is_empty() {
        return links(&f.pairs);
    }
    let nodes: Vec<&str> = f.nodes.iter().map(String::as_str).collect();
    let amount = f.amount.map_or(String::new(), |a| format!(" {a}"));
    if nodes.len() > 4 {
        format!(
            "{}{amount} {} +{}",
            f.kind,
            nodes[..3].join(","),
            nodes.len() - 3
        )
    } else if nodes.is_empty() {
        format!("{}{amount} (all links)", f.kind)
    } else {
        format!("{}{amount} {}", f.kind, nodes.join(","))
    }
}

/// What a set of cut directed links does, in words.
fn links(pairs: &[(String, String)]) -> String {
    let cut: BTreeSet<(&str, &str)> = pairs
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let symmetric = cut.iter().all(|&(a, b)| cut.contains(&(b, a)));
    let names = |v: &BTreeSet<&str>| v.iter().copied().collect::<Vec<_>>().join(",");
    if symmetric {
        let groups = groups(&cut);
        let cross: usize = (0..groups.len())
            .flat_map(|i| (i + 1..groups.len()).map(move |j| (i, j)))
            .map(|(i, j)| 2 * groups[i].len() * groups[j].len())
            .sum();
        if groups.len() >= 2 && cross == cut.len() {
            let single = groups.iter().filter(|g| g.len() == 1).count();
            if groups.len() == 2 && single == 1 {
                let alone = groups.iter().find(|g| g.len() == 1).map(names);
                return format!("isolate {}", alone.unwrap_or_default());
            }
            let parts: Vec<String> = groups.iter().map(names).collect();
            return format!("partition {}", parts.join(" | "));
        }
    } else {
        let from: BTreeSet<&str> = cut.iter().map(|p| p.0).collect();
        let to: BTreeSet<&str> = cut.iter().map(|p| p.1).collect();
        if from.len() * to.len() == cut.len() {
            return format!("{} cannot reach {}", names(&from), names(&to));
        }
    }
    let shown: Vec<String> = cut
        .iter()
        .take(3)
        .map(|(a, b)| format!("{a}-{b}"))
        .collect();
    let more = cut.len().saturating_sub(3);
    let more = if more > 0 {
        format!(" +{more}")
    } else {
        String::new()
    };
    format!("cut {} links: {}{more}", cut.len(), shown.join(" "))
}

/// The groups of nodes that can still talk to each other: connected
/// components of "not cut" among the nodes the cut links name.
fn groups<'a>(cut: &BTreeSet<(&'a str, &'a str)>) -> Vec<BTreeSet<&'a str>> {
    let nodes: BTreeSet<&str> = cut.iter().flat_map(|&(a, b)| [a, b]).collect();
    let mut left: Vec<&str> = nodes.iter().copied().collect();
    let mut out = Vec::new();
    while let Some(seed) = left.first().copied() {
        let mut group = BTreeSet::from([seed]);
        let mut frontier = vec![seed];
        while let Some(x) = frontier.pop() {
            for &y in &left {
                if !group.contains(y) && !cut.contains(&(x, y)) {
                    group.insert(y);
                    frontier.push(y);
                }
            }
        }
        left.retain(|n| !group.contains(n));
        out.push(group);
    }
    out
}

/// Shades every effective fault of `timeline` over `y` (data units) and
/// marks heal; labels faults at the top when they are far enough apart.
pub fn shade<DB: DrawingBackend>(
    chart: &mut TimeChart<'_, DB>,
    timeline: &[AppliedFault],
    (heal_us, end_us): (u64, u64),
    (y0, y1): (f64, f64),
) -> DrawResult {
    let s = |us: u64| us as f64 / 1e6;
    let x_span = s(end_us).max(1e-6);
    let mut last_label_x = f64::NEG_INFINITY;
    for f in timeline.iter().filter(|f| f.effective) {
        let (a, b) = (s(f.at_us), s(f.until_us.unwrap_or(heal_us).max(f.at_us)));
        let band = Rectangle::new(
            [(a, y0), (b.max(a + x_span / 500.0), y1)],
            color(f.kind.as_str()).mix(0.18).filled(),
        );
        chart.draw_series(std::iter::once(band)).map_err(err)?;
        if a - last_label_x >= x_span / 12.0 {
            last_label_x = a;
            let style = ("sans-serif", 12)
                .into_font()
                .color(&color(f.kind.as_str()));
            let text = Text::new(label(f), (a, y1), style);
            chart.draw_series(std::iter::once(text)).map_err(err)?;
        }
    }
    let dash = DashedLineSeries::new(
        [(s(heal_us), y0), (s(heal_us), y1)],
        6,
        4,
        BLACK.mix(0.6).stroke_width(1),
    );
    chart.draw_series(dash).map_err(err)?;
    let style = ("sans-serif", 12).into_font().color(&BLACK.mix(0.7));
    let heal = Text::new("heal", (s(heal_us), y1), style);
    chart.draw_series(std::iter::once(heal)).map_err(err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(pairs: &[(&str, &str)]) -> AppliedFault {
        AppliedFault {
            at_us: 0,
            until_us: None,
            kind: faultline_models::FaultKind::parse("partition").unwrap(),
            nodes: vec![],
            pairs: pairs
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            amount: None,
            lose_unsynced: false,
            effective: true,
        }
    }

    fn both(pairs: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
        pairs.iter().flat_map(|&(a, b)| [(a, b), (b, a)]).collect()
    }

    #[test]
    fn partitions_are_named_for_what_they_do() {
        let isolate = both(&[("n4", "n1"), ("n4", "n2"), ("n4", "n3"), ("n4", "n5")]);
        assert_eq!(label(&cut(&isolate)), "isolate n4");
        let split = both(&[("n1", "n3"), ("n1", "n4"), ("n2", "n3"), ("n2", "n4")]);
        assert_eq!(label(&cut(&split)), "partition n1,n2 | n3,n4");
        assert_eq!(
            label(&cut(&[("n1", "n2"), ("n1", "n3")])),
            "n1 cannot reach n2,n3"
        );
        let ring = both(&[("n1", "n2"), ("n2", "n3"), ("n3", "n4"), ("n4", "n1")]);
        assert_eq!(label(&cut(&ring)), "partition n1,n3 | n2,n4");
        let two = both(&[("n1", "n2"), ("n3", "n4")]);
        assert_eq!(label(&cut(&two)), "cut 4 links: n1-n2 n2-n1 n3-n4 +1");
    }
}
