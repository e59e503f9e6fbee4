//! Operating errors of the engine and the CLI (bugs are panics instead).

use std::path::PathBuf;

/// Why a command could not do its work. Each maps to exit code 3 or 4.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input file (a scenario, a history) is malformed or invalid at a
    /// line and column.
    #[error("{path}:{line}:{column}: {message}")]
    Scenario {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What was found and what was expected.
        message: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Anything else the user asked for that cannot be done.
    #[error("{0}")]
    Usage(String),
}

impl Error {
    /// The process exit code for this error (see README: 3 bad input, 4 I/O).
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Scenario { .. } | Error::Usage(_) => 3,
            Error::Io { .. } => 4,
        }
    }

    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
