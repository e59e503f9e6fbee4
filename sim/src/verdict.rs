//! A run's overall verdict and its exit code.

use serde::Serialize;
use std::fmt;

/// What a run (or a sweep, or a comparison) concluded, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunVerdict {
    /// Some checker found a violation.
    Invalid,
    /// The run hit an engine limit (e.g. `[run] history_entries_max`) and
    /// stopped before its end: nothing was judged.
    Stopped,
    /// Some checker could not decide; none found a violation.
    Unknown,
    /// Every checker: valid.
    Valid,
}

impl RunVerdict {
    /// The verdict's word: "valid", "invalid", "unknown" or "stopped".
    pub fn word(self) -> &'static str {
        match self {
            RunVerdict::Valid => "valid",
            RunVerdict::Invalid => "invalid",
            RunVerdict::Unknown => "unknown",
            RunVerdict::Stopped => "stopped",
        }
    }

    /// The exit code: 0 valid, 1 invalid, 2 unknown, 5 stopped at a limit.
    pub fn exit_code(self) -> i32 {
        match self {
            RunVerdict::Valid => 0,
            RunVerdict::Invalid => 1,
            RunVerdict::Unknown => 2,
            RunVerdict::Stopped => 5,
        }
    }

    /// Whether it is [`RunVerdict::Valid`].
    pub fn is_valid(self) -> bool {
        self == RunVerdict::Valid
    }
}

impl fmt::Display for RunVerdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

impl PartialEq<&str> for RunVerdict {
    fn eq(&self, other: &&str) -> bool {
        self.word() == *other
    }
}

impl PartialEq<str> for RunVerdict {
    fn eq(&self, other: &str) -> bool {
        self.word() == other
    }
}

impl PartialEq<String> for RunVerdict {
    fn eq(&self, other: &String) -> bool {
        self.word() == other.as_str()
    }
}
