//! `faultline check --model KIND FILE`: judge a recorded history for
//! linearizability, without running anything.
//!
//! Reads Faultline's JSON lines (a run's `history.jsonl`), Jepsen/Knossos
//! EDN and Jepsen etcd logs (the formats of `../shared/conformance/`),
//! guessing the format from the name and text unless `--format` says. What
//! `fail` and null reads mean follows the format: Faultline's and Knossos's
//! `fail` did not happen; an etcd log's failed cas saw another value;
//! Knossos treats a null read as unknown. Prints the verdict and, for each
//! failing key, the op that cannot be placed and the window of ops around
//! it (the longest linearizable prefix's last op and the concurrent ops).
//! Exit codes as `run`: 0 valid, 1 invalid, 2 unknown (also: no operations
//! at all); 3 bad input, including a history no recorder could write (see
//! [`super::well_formed`]; the message names the file and line); 4 the
//! file cannot be read.

use crate::error::Error;
use faultline_models::check::linearizability::convert::{self, ConvertError, Format};
use faultline_models::check::linearizability::{analyze, Analysis, CheckOptions, SpecKind};
use faultline_models::{Entry, History};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The sequential model: register, cas-register, kv (also mutex, multi-register).
    #[arg(long)]
    pub model: String,
    /// The history file.
    pub file: PathBuf,
    /// The file's format: jsonl, edn or etcd (default: guessed).
    #[arg(long)]
    pub format: Option<String>,
    /// Every key's value before the first write, as JSON (default: null;
    /// Knossos's cas-register tests start at 0).
    #[arg(long)]
    pub initial: Option<String>,
}

/// Runs `check`; returns the exit code.
pub fn check(args: CheckArgs) -> Result<i32, Error> {
    let kind = SpecKind::from_name(&args.model).ok_or_else(|| {
        let all: Vec<_> = SpecKind::ALL.iter().map(|k| k.name()).collect();
        Error::Usage(format!(
            "unknown model {:?}; expected one of: {}",
            args.model,
            all.join(", ")
        ))
    })?;
    let text = crate::scenario::read_text(&args.file, None)?;
    let format = pick_format(&args, &text)?;
    let history = convert::parse(&text, format).map_err(|e| bad_file(&args.file, &e))?;
    let options = options(format, &text, args.initial.as_deref())?;
    validate_ops(&history, kind, &args.file, &text, format)?;
    super::well_formed::check(&history).map_err(|m| {
        let at = place(&args.file, &text, format, m.index);
        Error::Usage(format!(
            "{at}: {} (not a history a recorder could write)",
            m.message
        ))
    })?;
    println!(
        "history: {} ({:?}, {} lines), model {}",
        args.file.display(),
        format,
        history.entries.len(),
        kind.name()
    );
    if !super::well_formed::has_ops(&history) {
        println!("verdict: UNKNOWN\n  the history has no client operations: nothing to judge");
        return Ok(2);
    }
    Ok(report(&history, &analyze(&history, kind, &options)))
}

fn pick_format(args: &CheckArgs, text: &str) -> Result<Format, Error> {
    let name = args.file.to_string_lossy();
    match args.format.as_deref() {
        None => Ok(Format::guess(&name, text)),
        Some("jsonl") => Ok(Format::Jsonl),
        Some("edn") => Ok(Format::Edn),
        Some("etcd") => Ok(Format::EtcdLog),
        Some(other) => Err(Error::Usage(format!(
            "unknown format {other:?}; expected jsonl, edn or etcd"
        ))),
    }
}

/// What `fail` and null reads mean, and the initial value, by format.
fn options(format: Format, text: &str, initial: Option<&str>) -> Result<CheckOptions, Error> {
    let initial: Option<Value> = initial
        .map(|s| {
            serde_json::from_str(s)
                .map_err(|e| Error::Usage(format!("--initial {s:?} is not JSON: {e}")))
        })
        .transpose()?;
    let mut opts = match format {
        Format::Jsonl => CheckOptions::default(),
        Format::EtcdLog => CheckOptions::porcupine_etcd(),
        Format::Edn if text.trim_start().starts_with("{:") => CheckOptions::porcupine_kv(),
        Format::Edn => CheckOptions::knossos(Value::Null),
    };
    if let Some(v) = initial {
        opts.initial = v;
    }
    Ok(opts)
}

fn bad_file(path: &Path, e: &ConvertError) -> Error {
    match e {
        ConvertError::Syntax { line, message } => {
            Error::Usage(format!("{}:{line}: {message}", path.display()))
        }
        ConvertError::Shape { index, message } => {
            Error::Usage(format!("{}: event {index}: {message}", path.display()))
        }
    }
}

/// The operation names `kind` knows.
fn known_ops(kind: SpecKind) -> &'static [&'static str] {
    match kind {
        SpecKind::Register => &["read", "get", "write", "put"],
        SpecKind::CasRegister => &["read", "get", "write", "put", "cas"],
        SpecKind::Kv => &["read", "get", "write", "put", "cas", "append"],
        SpecKind::Mutex => &["acquire", "lock", "release", "unlock"],
        SpecKind::MultiRegister => &["txn"],
    }
}

/// Rejects an invocation the model does not know, naming its line.
fn validate_ops(
    history: &History,
    kind: SpecKind,
    path: &Path,
    text: &str,
    format: Format,
) -> Result<(), Error> {
    for (i, e) in history.entries.iter().enumerate() {
        let Entry::Op(op) = e else { continue };
        if known_ops(kind).contains(&op.f()) {
            continue;
        }
        let at = place(path, text, format, i);
        return Err(Error::Usage(format!(
            "{at}: operation {:?} is not one of the {} model's ({})",
            op.f(),
            kind.name(),
            known_ops(kind).join(", ")
        )));
    }
    Ok(())
}

/// Where entry `i` is: `file:line` for JSON lines (one entry per non-blank
/// line), else `file: event i`.
fn place(path: &Path, text: &str, format: Format, i: usize) -> String {
    let line = (text.lines().enumerate())
        .filter(|(_, l)| !l.trim().is_empty())
        .nth(i)
        .map(|(n, _)| n + 1);
    match (format, line) {
        (Format::Jsonl, Some(line)) => format!("{}:{line}", path.display()),
        _ => format!("{}: event {i}", path.display()),
    }
}

/// Prints the verdict and each failure's window; returns the exit code.
fn report(history: &History, analysis: &Analysis) -> i32 {
    match analysis {
        Analysis::Linearizable => {
            println!("verdict: VALID");
            0
        }
        Analysis::Unknown(reason) => {
            println!("verdict: UNKNOWN\n  {reason}");
            2
        }
        Analysis::NotLinearizable(failures) => {
            println!("verdict: INVALID");
            for f in failures {
                println!("  {}", f.to_violation(history).message);
                println!("  window ({} lines):", f.entries().len());
                for i in f.entries() {
                    let line = history.line(i);
                    println!("    [{i}] {line}");
                }
            }
            1
        }
    }
}
