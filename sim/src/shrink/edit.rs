//! Edits of a scenario's TOML text that keep everything else (comments,
//! key order, the protocol's own parameters) as the user wrote it.
//!
//! The shrinker works on text, not on the typed [`Scenario`]: every
//! candidate is written out and loaded again through the [`Registry`], so
//! what is kept is exactly a file a user can run.
//!
//! [`Scenario`]: crate::scenario::Scenario
//! [`Registry`]: crate::registry::Registry

use crate::error::Error;
use crate::fault::AppliedFault;
use crate::registry::timeline_toml;
use toml_edit::{value, ArrayOfTables, DocumentMut, Item, Table};

/// A scenario being edited.
#[derive(Debug, Clone)]
pub struct Draft {
    doc: DocumentMut,
}

impl Draft {
    /// Parses scenario text.
    pub fn parse(text: &str) -> Result<Draft, Error> {
        let doc = text
            .parse::<DocumentMut>()
            .map_err(|e| Error::Usage(format!("scenario text does not parse: {e}")))?;
        Ok(Draft { doc })
    }

    /// The scenario's `[[faults]]` replaced by `timeline` (its effective
    /// faults, with concrete nodes and times), `[nemesis]` removed and `seed`
    /// pinned: a file that replays the run without random faults.
    pub fn materialise(text: &str, seed: u64, timeline: &[AppliedFault]) -> Result<Draft, Error> {
        let mut draft = Draft::parse(text)?;
        draft.doc.remove("nemesis");
        draft.doc.remove("faults");
        draft.doc["seed"] = value(seed as i64);
        // Appended as text, so the entries come last in the file.
        let text = draft.text();
        let sep = if text.ends_with('\n') || text.is_empty() {
            ""
        } else {
            "\n"
        };
        Draft::parse(&format!("{text}{sep}{}", timeline_toml(timeline)))
    }

    /// The text, ending in a newline.
    pub fn text(&self) -> String {
        let mut text = self.doc.to_string();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text
    }

    fn faults(&self) -> Option<&ArrayOfTables> {
        self.doc.get("faults").and_then(Item::as_array_of_tables)
    }

    /// Number of `[[faults]]` entries.
    pub fn fault_count(&self) -> usize {
        self.faults().map_or(0, ArrayOfTables::len)
    }

    /// `(at_ms, for_ms)` of each fault (for_ms None: until heal).
    pub fn fault_windows(&self) -> Vec<(f64, Option<f64>)> {
        let Some(faults) = self.faults() else {
            return vec![];
        };
        faults
            .iter()
            .map(|t| {
                (
                    number(t.get("at_ms")).unwrap_or(0.0),
                    number(t.get("for_ms")),
                )
            })
            .collect()
    }

    /// A copy keeping only the faults whose indices are in `keep`.
    pub fn keep_faults(&self, keep: &[usize]) -> Draft {
        let mut out = self.clone();
        let Some(faults) = self.faults() else {
            return out;
        };
        let mut kept = ArrayOfTables::new();
        for (i, t) in faults.iter().enumerate() {
            if keep.contains(&i) {
                kept.push(t.clone());
            }
        }
        out.doc.remove("faults");
        if !kept.is_empty() {
            out.doc["faults"] = Item::ArrayOfTables(kept);
        }
        out
    }

    /// A copy with fault `index` lasting `for_ms`.
    pub fn with_fault_length(&self, index: usize, for_ms: f64) -> Draft {
        let mut out = self.clone();
        if let Some(t) = out
            .doc
            .get_mut("faults")
            .and_then(Item::as_array_of_tables_mut)
            .and_then(|a| a.get_mut(index))
        {
            t["for_ms"] = value(for_ms);
        }
        out
    }

    /// A number at `table.key`, if set.
    pub fn get(&self, table: &str, key: &str) -> Option<f64> {
        number(self.doc.get(table).and_then(|t| t.get(key)))
    }

    /// A copy with `table.key = v` (the table is created if missing).
    pub fn with(&self, table: &str, key: &str, v: impl Into<toml_edit::Value>) -> Draft {
        let mut out = self.clone();
        if !out.doc.contains_table(table) {
            out.doc[table] = Item::Table(Table::new());
        }
        out.doc[table][key] = Item::Value(v.into());
        out
    }

    /// A copy whose safety phase lasts `duration_ms`; faults that would
    /// start after it are dropped (they could not apply).
    pub fn with_duration(&self, duration_ms: f64) -> Draft {
        let keep: Vec<usize> = self
            .fault_windows()
            .iter()
            .enumerate()
            .filter(|(_, (at, _))| *at < duration_ms)
            .map(|(i, _)| i)
            .collect();
        self.keep_faults(&keep)
            .with("run", "duration_ms", duration_ms)
    }

    /// A top-level string key (`name`, `description`).
    pub fn set_top(&mut self, key: &str, v: &str) {
        self.doc[key] = value(v);
    }

    /// Sets `[check] only = [checker]` and `expect = verdict`.
    pub fn expect(&mut self, checker: &str, verdict: &str) {
        let mut only = toml_edit::Array::new();
        only.push(checker);
        *self = self
            .with("check", "only", only)
            .with("check", "expect", verdict);
    }
}

/// A TOML integer or float as f64.
fn number(item: Option<&Item>) -> Option<f64> {
    let v = item?.as_value()?;
    v.as_float().or_else(|| v.as_integer().map(|i| i as f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# keep me\nname = \"x\"\n[protocol]\nname = \"ping\"\nnodes = 3\n[run]\nduration_ms = 1000\n[nemesis]\nkinds = [\"crash\"]\n";

    fn crash(at_us: u64) -> AppliedFault {
        AppliedFault {
            at_us,
            until_us: Some(at_us + 50_000),
            kind: faultline_models::FaultKind::Crash,
            nodes: vec!["n1".into()],
            pairs: vec![],
            amount: None,
            lose_unsynced: false,
            effective: true,
        }
    }

    #[test]
    fn materialise_replaces_the_nemesis_with_the_timeline() {
        let d = Draft::materialise(TEXT, 7, &[crash(100_000), crash(300_000)]).unwrap();
        let text = d.text();
        assert!(text.starts_with("# keep me"), "{text}");
        assert!(!text.contains("nemesis"), "{text}");
        assert!(text.contains("seed = 7"), "{text}");
        assert_eq!(
            d.fault_windows(),
            vec![(100.0, Some(50.0)), (300.0, Some(50.0))]
        );
        let one = d.keep_faults(&[1]).with_fault_length(0, 5.0);
        assert_eq!(one.fault_windows(), vec![(300.0, Some(5.0))]);
        assert_eq!(d.with_duration(200.0).fault_count(), 1);
        assert_eq!(
            d.with_duration(200.0).get("run", "duration_ms"),
            Some(200.0)
        );
        assert_eq!(d.keep_faults(&[]).fault_count(), 0);
    }
}
