//! `--set KEY=VALUE` and `--variant NAME` on the commands that run a
//! scenario. They are written into the scenario's text before it loads,
//! with the edit `compare --set` makes (toml_edit keeps the rest of the
//! file), so the edited scenario is validated as a file would be, and a
//! sweep's failure files and a shrunk file carry the values themselves.

use crate::compare::matrix::{parse_value, set_keys};
use crate::error::Error;
use crate::registry::{LoadedScenario, Registry};
use crate::scenario::Source;
use std::path::Path;

/// The overrides of one command.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Overrides {
    /// Set a scenario key, dotted (e.g. network.loss=0.05,
    /// protocol.params.x=3, nemesis.kinds=["crash"]); the value is read as
    /// TOML, else as a string. Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = parse_setting)]
    pub sets: Vec<Setting>,
    /// Run this variant of the protocol (the same as --set protocol.variant=NAME).
    #[arg(long, value_name = "NAME")]
    pub variant: Option<String>,
}

/// One `--set KEY=VALUE`.
#[derive(Debug, Clone)]
pub struct Setting {
    /// The dotted key path.
    pub key: String,
    /// The value as typed.
    pub text: String,
    /// The value as TOML.
    pub value: toml_edit::Value,
}

/// Parses `KEY=VALUE`.
pub fn parse_setting(text: &str) -> Result<Setting, String> {
    let (key, value) = text
        .split_once('=')
        .filter(|(k, _)| !k.trim().is_empty())
        .ok_or_else(|| format!("expected KEY=VALUE (e.g. network.loss=0.05), found {text:?}"))?;
    Ok(Setting {
        key: key.trim().to_string(),
        text: value.trim().to_string(),
        value: parse_value(value.trim()),
    })
}

impl Overrides {
    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.sets.is_empty() && self.variant.is_none()
    }

    /// Every (key, value), the variant last; a key given twice is an error.
    fn settings(&self) -> Result<Vec<(String, toml_edit::Value)>, Error> {
        let mut out: Vec<(String, toml_edit::Value)> = Vec::new();
        let variant = (self.variant.as_ref()).map(|v| ("protocol.variant".to_string(), v.into()));
        let sets = self.sets.iter().map(|s| (s.key.clone(), s.value.clone()));
        for (key, value) in sets.chain(variant) {
            if out.iter().any(|(k, _)| *k == key) {
                return Err(Error::Usage(format!(
                    "{key} is set twice (by --set {key}=... and --set or --variant): give it once"
                )));
            }
            out.push((key, value));
        }
        Ok(out)
    }

    /// `src` with the overrides written in.
    pub fn apply(&self, src: Source) -> Result<Source, Error> {
        if self.is_empty() {
            return Ok(src);
        }
        let (keys, values): (Vec<String>, Vec<toml_edit::Value>) =
            self.settings()?.into_iter().unzip();
        let text = set_keys(&src, &src.text, &keys, &values)?;
        Ok(Source { text, ..src })
    }

    /// Reads `path`, applies the overrides and loads the result; returns
    /// the edited source too. An error in the edited scenario says so.
    pub fn load(
        &self,
        registry: &Registry,
        path: &Path,
    ) -> Result<(Source, Box<dyn LoadedScenario>), Error> {
        let source = self.apply(Source::read(path)?)?;
        let loaded = registry.load_source(source.clone()).map_err(|e| match e {
            Error::Scenario {
                path,
                line,
                column,
                message,
            } if !self.is_empty() => Error::Scenario {
                path,
                line,
                column,
                message: format!("{message} (in the scenario as edited by{})", self.args()),
            },
            other => other,
        })?;
        Ok((source, loaded))
    }

    /// The overrides as command-line arguments (each with a leading
    /// space, quoted for a POSIX shell where needed), for repro commands.
    pub fn args(&self) -> String {
        let mut out = String::new();
        for s in &self.sets {
            out.push_str(&format!(
                " --set {}",
                shell_word(&format!("{}={}", s.key, s.text))
            ));
        }
        if let Some(v) = &self.variant {
            out.push_str(&format!(" --variant {}", shell_word(v)));
        }
        out
    }
}

/// `word` as one POSIX shell word: as is when it has only safe characters,
/// else in single quotes.
pub fn shell_word(word: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "_-+.,:/=@%".contains(c);
    if !word.is_empty() && word.chars().all(safe) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overrides(sets: &[&str], variant: Option<&str>) -> Overrides {
        Overrides {
            sets: sets.iter().map(|s| parse_setting(s).unwrap()).collect(),
            variant: variant.map(str::to_string),
        }
    }

    #[test]
    fn settings_are_written_in_and_echoed_as_arguments() {
        let src = Source {
            path: "t.toml".into(),
            text: "[protocol]\nname = \"ping\"\nnodes = 3\n".into(),
        };
        let o = overrides(
            &["network.loss=0.1", "nemesis.kinds=[\"crash\"]"],
            Some("x"),
        );
        let text = o.apply(src).unwrap().text;
        assert!(text.contains("loss = 0.1"), "{text}");
        assert!(text.contains("kinds = [\"crash\"]"), "{text}");
        assert!(text.contains("variant = \"x\""), "{text}");
        assert_eq!(
            o.args(),
            " --set network.loss=0.1 --set 'nemesis.kinds=[\"crash\"]' --variant x"
        );
    }

    #[test]
    fn a_key_given_twice_and_a_bare_word_are_errors() {
        let o = overrides(&["protocol.variant=a"], Some("b"));
        assert!(o.settings().unwrap_err().to_string().contains("set twice"));
        assert!(parse_setting("loss").is_err());
        assert!(parse_setting("=3").is_err());
        assert_eq!(shell_word("it's"), r"'it'\''s'");
    }
}
