//! The one registry that maps a protocol name to its model.
//!
//! A user's own protocol joins with [`Registry::register`]; the bundled ones
//! are registered the same way in [`Registry::builtin`].

use crate::error::Error;
use crate::fault::AppliedFault;
use crate::run::{run, run_with, RunOptions, RunOutcome};
use crate::scenario::{probe_protocol, Scenario, Source};
use faultline_models::model::{OpInfo, VariantInfo};
use faultline_models::{CheckerInfo, Model, Variant};
use std::path::Path;

/// A loaded, validated scenario of some protocol, ready to run any seed.
pub trait LoadedScenario: Send + Sync {
    /// The scenario's name (report folder).
    fn name(&self) -> &str;
    /// The file it came from.
    fn path(&self) -> &Path;
    /// The protocol's name.
    fn protocol(&self) -> &'static str;
    /// The variant's name.
    fn variant(&self) -> &str;
    /// The seed to use when none is given.
    fn default_seed(&self) -> u64;
    /// The verdict a regression file expects, if it says.
    fn expect(&self) -> Option<&str>;
    /// The scenario's `description`, if it has one.
    fn description(&self) -> Option<&str>;
    /// Runs one seed.
    fn run(&self, seed: u64) -> RunOutcome;
    /// Runs one seed with options (e.g. keeping the per-event trail, or
    /// recording messages in a window).
    fn run_with(&self, seed: u64, opts: RunOptions) -> RunOutcome;
    /// The scenario file's text.
    fn text(&self) -> &str;
    /// The names of the situations its protocol declares.
    fn situations(&self) -> Vec<&'static str>;
    /// The checkers its `[check] only` names, if it does.
    fn only(&self) -> Option<&[String]>;
    /// The situations its `[check] require` names.
    fn required(&self) -> &[String];
}

impl<M: Model> LoadedScenario for Scenario<M> {
    fn name(&self) -> &str {
        &self.name
    }
    fn path(&self) -> &Path {
        &self.source.path
    }
    fn protocol(&self) -> &'static str {
        M::NAME
    }
    fn variant(&self) -> &str {
        &self.file.protocol.variant
    }
    fn default_seed(&self) -> u64 {
        Scenario::default_seed(self)
    }
    fn expect(&self) -> Option<&str> {
        self.file.check.expect.as_deref()
    }
    fn description(&self) -> Option<&str> {
        self.file.description.as_deref()
    }
    fn run(&self, seed: u64) -> RunOutcome {
        run(self, seed)
    }
    fn run_with(&self, seed: u64, opts: RunOptions) -> RunOutcome {
        run_with(self, seed, opts)
    }
    fn text(&self) -> &str {
        &self.source.text
    }
    fn situations(&self) -> Vec<&'static str> {
        M::situations().iter().map(|s| s.name).collect()
    }
    fn only(&self) -> Option<&[String]> {
        self.file.check.only.as_deref()
    }
    fn required(&self) -> &[String] {
        self.file.check.require.as_deref().unwrap_or_default()
    }
}

/// What `faultline list` shows of a protocol, and how to load its scenarios.
pub struct Protocol {
    /// Name used in scenario files.
    pub name: &'static str,
    /// One sentence.
    pub description: &'static str,
    /// Its variants.
    pub variants: &'static [VariantInfo],
    /// Its client operations.
    pub ops: &'static [OpInfo],
    /// Every checker it may run.
    pub checkers: &'static [CheckerInfo],
    /// Its situations: (name, description).
    pub situations: Vec<(&'static str, &'static str)>,
    load: fn(Source) -> Result<Box<dyn LoadedScenario>, Error>,
}

fn load_as<M: Model>(source: Source) -> Result<Box<dyn LoadedScenario>, Error> {
    Ok(Box::new(Scenario::<M>::load(source)?))
}

/// Protocols by name.
#[derive(Default)]
pub struct Registry {
    protocols: Vec<Protocol>,
}

impl Registry {
    /// The bundled protocols.
    pub fn builtin() -> Registry {
        let mut r = Registry::default();
        r.register::<faultline_models::raft::RaftModel>();
        r.register::<faultline_models::ping::PingModel>();
        r.register::<faultline_models::saga::SagaModel>();
        r.register::<faultline_models::quorum::QuorumModel>();
        r.register::<faultline_models::cqrs::CqrsModel>();
        r.register::<faultline_models::twopc::TwoPcModel>();
        r
    }

    /// Adds model `M` under `M::NAME`; a later registration of the same name wins.
    pub fn register<M: Model>(&mut self) {
        self.protocols.retain(|p| p.name != M::NAME);
        self.protocols.push(Protocol {
            name: M::NAME,
            description: M::DESCRIPTION,
            variants: M::Variant::INFOS,
            ops: M::ops(),
            checkers: M::CHECKERS,
            situations: (M::situations().iter())
                .map(|s| (s.name, s.description))
                .collect(),
            load: load_as::<M>,
        });
    }

    /// The registered protocols, in registration order.
    pub fn protocols(&self) -> &[Protocol] {
        &self.protocols
    }

    /// Reads, parses and validates the scenario at `path`.
    pub fn load(&self, path: &Path) -> Result<Box<dyn LoadedScenario>, Error> {
        let source = Source::read(path)?;
        self.load_source(source)
    }

    /// Parses and validates an in-memory scenario (e.g. a shrunk one).
    pub fn load_source(&self, source: Source) -> Result<Box<dyn LoadedScenario>, Error> {
        let name = probe_protocol(&source)?;
        let Some(p) = self.protocols.iter().find(|p| p.name == name) else {
            let known: Vec<_> = self.protocols.iter().map(|p| p.name).collect();
            let at = crate::scenario::locate(
                &source.text,
                &[
                    crate::scenario::Key::Name("protocol"),
                    crate::scenario::Key::Name("name"),
                ],
            );
            return Err(source.error_at(
                at,
                format!(
                    "unknown protocol {name:?}; expected one of: {}",
                    known.join(", ")
                ),
            ));
        };
        (p.load)(source)
    }
}

/// The applied timeline as `[[faults]]` TOML entries that reproduce it
/// without the nemesis.
pub fn timeline_toml(timeline: &[AppliedFault]) -> String {
    let mut out = String::new();
    for f in timeline.iter().filter(|f| f.effective) {
        out.push_str(&crate::report::fault_entry_toml(f));
    }
    out
}
