//! Scenarios built in Rust, for a `#[test]` that would rather not write
//! TOML text: the builder sets the keys of the scenario file's schema
//! (`scenarios/README.md`) by their dotted names, adds faults at simulated
//! times, and turns into the text of a scenario file, which loads through
//! the same [`Registry::load_source`] as a file does. So every rule a file
//! must follow (unknown keys, ranges, a fault after the safety phase, a
//! variant that does not exist) is checked the same way, and an error
//! names the key.
//!
//! ```no_run
//! use faultline_sim::scenario::builder::{Fault, ScenarioBuilder};
//! let registry = faultline_sim::registry::Registry::builtin();
//! let scenario = ScenarioBuilder::new("raft", 5)
//!     .duration_ms(3000)
//!     .set("network.loss", 0.01)
//!     .fault(Fault::crash("leader").at_ms(1000).for_ms(500))
//!     .fault(Fault::partition("halves").at_ms(2000).for_ms(300))
//!     .load(&registry)
//!     .unwrap();
//! assert_eq!(scenario.run(1).verdict(), "valid");
//! ```

use super::Source;
use crate::error::Error;
use crate::registry::{LoadedScenario, Registry};
use std::path::PathBuf;
use toml::{Table, Value};

/// A scenario under construction.
#[derive(Debug, Clone)]
pub struct ScenarioBuilder {
    doc: Table,
    faults: Vec<Value>,
    /// The first key that could not be set (reported by [`Self::load`]).
    error: Option<String>,
}

impl ScenarioBuilder {
    /// `nodes` server nodes of `protocol`, its correct variant, a 2 s
    /// safety phase; everything else at the file format's defaults.
    pub fn new(protocol: &str, nodes: usize) -> ScenarioBuilder {
        let b = ScenarioBuilder {
            doc: Table::new(),
            faults: Vec::new(),
            error: None,
        };
        b.set("protocol.name", protocol)
            .set("protocol.nodes", nodes as i64)
            .set("run.duration_ms", 2000)
    }

    /// Sets the key at dotted path `key` (e.g. `"network.loss"`,
    /// `"protocol.params.retry_ms"`, `"nemesis.kinds"`) to `value`.
    pub fn set(mut self, key: &str, value: impl Into<Value>) -> ScenarioBuilder {
        if let Err(e) = set_path(&mut self.doc, key, value.into()) {
            self.error.get_or_insert(e);
        }
        self
    }

    /// The report folder name (default: `built`).
    pub fn name(self, name: &str) -> ScenarioBuilder {
        self.set("name", name)
    }

    /// The protocol variant.
    pub fn variant(self, variant: &str) -> ScenarioBuilder {
        self.set("protocol.variant", variant)
    }

    /// The safety phase, in simulated milliseconds.
    pub fn duration_ms(self, ms: impl Into<f64>) -> ScenarioBuilder {
        self.set("run.duration_ms", ms.into())
    }

    /// The liveness bound after heal, in simulated milliseconds.
    pub fn converge_ms(self, ms: impl Into<f64>) -> ScenarioBuilder {
        self.set("run.converge_ms", ms.into())
    }

    /// `clients` client processes, each issuing `rate_per_s` ops a second.
    pub fn clients(self, clients: usize, rate_per_s: impl Into<f64>) -> ScenarioBuilder {
        self.set("workload.clients", clients as i64)
            .set("workload.rate_per_s", rate_per_s.into())
    }

    /// Random faults of these kinds drawn from the seed (`[nemesis]`).
    pub fn nemesis(self, kinds: &[&str]) -> ScenarioBuilder {
        let kinds: Vec<Value> = kinds.iter().map(|k| Value::from(*k)).collect();
        self.set("nemesis.kinds", kinds)
    }

    /// Adds a fault at a simulated time (`[[faults]]`).
    pub fn fault(mut self, fault: Fault) -> ScenarioBuilder {
        self.faults.push(Value::Table(fault.0));
        self
    }

    /// The scenario as the text of a scenario file.
    pub fn toml(&self) -> String {
        let mut doc = self.doc.clone();
        if !self.faults.is_empty() {
            doc.insert("faults".into(), Value::Array(self.faults.clone()));
        }
        doc.to_string()
    }

    /// The scenario as a [`Source`], named after its `name` (else `built`).
    pub fn source(&self) -> Result<Source, Error> {
        if let Some(e) = &self.error {
            return Err(Error::Usage(format!("scenario builder: {e}")));
        }
        let name = self
            .doc
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("built");
        Ok(Source {
            path: PathBuf::from(format!("{name}.toml (built in Rust)")),
            text: self.toml(),
        })
    }

    /// Validates and loads the scenario as a file would be. An error shows
    /// the TOML it was built as, since its line numbers are of that text.
    pub fn load(&self, registry: &Registry) -> Result<Box<dyn LoadedScenario>, Error> {
        let source = self.source()?;
        registry.load_source(source.clone()).map_err(|e| match e {
            Error::Scenario {
                path,
                line,
                column,
                message,
            } => Error::Scenario {
                path,
                line,
                column,
                message: format!(
                    "{message}\n  the scenario as built:\n{}",
                    numbered(&source.text)
                ),
            },
            other => other,
        })
    }
}

/// One `[[faults]]` entry: a kind, a time and its keys.
#[derive(Debug, Clone)]
pub struct Fault(Table);

impl Fault {
    /// A fault of `kind` (see the fault kinds in `scenarios/README.md`) at 0 ms.
    pub fn new(kind: &str) -> Fault {
        let mut t = Table::new();
        t.insert("kind".into(), kind.into());
        t.insert("at_ms".into(), Value::Float(0.0));
        Fault(t)
    }

    /// Crashes `target`: a node name, a role, `random` or `all`.
    pub fn crash(target: &str) -> Fault {
        Fault::new("crash").target(target)
    }

    /// Pauses `target` (stop-the-world).
    pub fn pause(target: &str) -> Fault {
        Fault::new("pause").target(target)
    }

    /// A symmetric partition: `split` is `isolate` (with a target),
    /// `majority`, `halves`, `bridge` or `ring`.
    pub fn partition(split: &str) -> Fault {
        Fault::new("partition").set("split", split)
    }

    /// When it starts, in simulated milliseconds.
    pub fn at_ms(self, ms: impl Into<f64>) -> Fault {
        self.set("at_ms", ms.into())
    }

    /// How long it lasts (default: until heal).
    pub fn for_ms(self, ms: impl Into<f64>) -> Fault {
        self.set("for_ms", ms.into())
    }

    /// Whom it hits.
    pub fn target(self, target: &str) -> Fault {
        self.set("target", target)
    }

    /// Any other key of the entry (`nodes`, `lose_unsynced`, `probability`,
    /// `repeat`, `every_ms`, ...).
    pub fn set(mut self, key: &str, value: impl Into<Value>) -> Fault {
        self.0.insert(key.into(), value.into());
        self
    }
}

/// Sets `key` (dotted) in `doc`, creating tables on the way.
fn set_path(doc: &mut Table, key: &str, value: Value) -> Result<(), String> {
    let parts: Vec<&str> = key.split('.').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(format!(
            "cannot set {key:?}: expected a dotted path of names"
        ));
    }
    let (last, tables) = parts.split_last().ok_or("an empty key")?;
    let mut table = doc;
    for part in tables {
        let entry = (table.entry(part.to_string())).or_insert_with(|| Value::Table(Table::new()));
        table = entry
            .as_table_mut()
            .ok_or_else(|| format!("cannot set {key:?}: {part:?} is a value, not a table"))?;
    }
    table.insert(last.to_string(), value);
    Ok(())
}

/// `text` with line numbers, for an error about a line of it.
fn numbered(text: &str) -> String {
    (text.lines().enumerate())
        .map(|(i, l)| format!("  {:>4} | {l}", i + 1))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_built_scenario_loads_as_its_file_would_and_errors_name_the_key() {
        let registry = Registry::builtin();
        let b = ScenarioBuilder::new("ping", 3)
            .variant("corrupt-echo")
            .duration_ms(1000)
            .clients(2, 20)
            .set("network.loss", 0.01)
            .fault(Fault::crash("n1").at_ms(200).for_ms(100))
            .fault(Fault::partition("halves").at_ms(500).for_ms(50));
        let text = b.toml();
        assert!(
            text.contains("[[faults]]") && text.contains("split = \"halves\""),
            "{text}"
        );
        let s = b.load(&registry).unwrap();
        assert_eq!(s.variant(), "corrupt-echo");
        let o = s.run(3);
        assert_eq!(
            o.timeline.iter().filter(|f| f.effective).count(),
            2,
            "{:?}",
            o.timeline
        );

        let late = b.clone().fault(Fault::crash("n2").at_ms(5000));
        let e = late.load(&registry).err().unwrap().to_string();
        assert!(e.contains("(built in Rust)") && e.contains("at_ms"), "{e}");
        let unknown = ScenarioBuilder::new("ping", 3).set("network.lossy", 0.1);
        let e = unknown.load(&registry).err().unwrap().to_string();
        assert!(e.contains("lossy"), "{e}");
        let clash = ScenarioBuilder::new("ping", 3).set("protocol.name.x", 1);
        assert!(clash
            .source()
            .unwrap_err()
            .to_string()
            .contains("is a value"));
    }
}
