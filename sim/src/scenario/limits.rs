//! Every bound a scenario is held to, in one place, and the checks of the
//! numbers it gives. `scenarios/README.md` ("Limits") lists them all.
//!
//! Each bound keeps an accepted scenario from hanging the engine (a time
//! that does not move, a repeat past the end of `u64`), from panicking it
//! (an `f64` that becomes `i64::MAX` microseconds) or from exhausting memory
//! without a message. A value outside one is an error at its key, naming
//! the range; nothing is clamped silently.

/// Server nodes a scenario may ask for.
pub const NODES_MAX: usize = 1000;
/// Longest run (safety + liveness) and any other time a scenario gives, in
/// ms of simulated time: a day.
pub const RUN_MS_MAX: f64 = 24.0 * 3600.0 * 1000.0;
/// Largest latency parameter and extra reorder delay, in ms; every latency
/// draw is capped at this too (`net::LATENCY_US_MAX`).
pub const LATENCY_MS_MAX: f64 = 60_000.0;
/// Largest log-normal `sigma` (e^10 is a factor of 22,000 already).
pub const SIGMA_MAX: f64 = 10.0;
/// Largest Pareto `alpha` (beyond it the tail is a constant).
pub const ALPHA_MAX: f64 = 1e6;
/// Clock drift magnitudes must stay below this, in parts per million.
pub const DRIFT_PPM_MAX: f64 = 500_000.0;
/// Client processes.
pub const CLIENTS_MAX: usize = 10_000;
/// Operations per second per client.
pub const RATE_PER_S_MAX: f64 = 1e6;
/// Largest weight of one operation in `[workload.mix]`.
pub const MIX_WEIGHT_MAX: u32 = 1_000_000;
/// `[[network.links]]` entries.
pub const LINKS_MAX: usize = 1000;
/// Occurrences one `[[faults]]` entry may expand to (`repeat`).
pub const REPEAT_MAX: u32 = 100_000;
/// Faults one run may plan: explicit occurrences plus the most the nemesis
/// can draw (one per `interval_ms_min + duration_ms_min` of the safety
/// phase).
pub const FAULTS_MAX: u64 = 100_000;
/// Node and link records the planned faults may write at most: a fault on
/// nodes counts the cluster's size, a partition or one-way fault every
/// directed link (nodes²). Each record costs ~100 bytes in the fault
/// timeline and the history: 10 million is ~1 GB.
pub const FAULT_RECORDS_MAX: u64 = 10_000_000;
/// Size of a scenario file, in bytes.
pub const SCENARIO_BYTES_MAX: u64 = 4 << 20;
/// Longest scenario `name` (a folder name).
pub const NAME_CHARS_MAX: usize = 100;
/// Configurations one `faultline compare` may run.
pub const CONFIGS_MAX: usize = 1000;
/// Runs (configurations × seeds) one `faultline compare` may do (each
/// keeps a row with a latency histogram until the end).
pub const COMPARE_RUNS_MAX: u64 = 100_000;

/// Default of `[run] events_per_instant_max`: events dispatched at one
/// simulated instant before the run stops as a livelock. A legitimate burst
/// (every node of the largest cluster messaging every other at once) stays
/// below it; a protocol looping over zero-delay messages reaches it in
/// about a second of wall time.
pub const EVENTS_PER_INSTANT_MAX_DEFAULT: u64 = 1_000_000;
/// Default of `[run] events_max`: events one run may dispatch, about ten
/// minutes of wall time at the engine's ~1.5 M events/s and far above a
/// bundled 60 s run (under 10 M).
pub const EVENTS_MAX_DEFAULT: u64 = 1_000_000_000;
/// The most either event cap may be set to.
pub const EVENTS_LIMIT: u64 = 1_000_000_000_000;

/// Checks that `name` can be one folder under `--out` and nothing else: not
/// empty, at most [`NAME_CHARS_MAX`] characters, no path separator, no
/// leading `.` (so neither `..` nor a hidden folder), no control character,
/// none of `<>:"|?*` (not allowed in Windows file names).
pub fn folder_name(name: &str) -> Result<(), String> {
    let bad = name
        .chars()
        .find(|&c| c == '/' || c == '\\' || c.is_control() || "<>:\"|?*".contains(c));
    let why = if name.is_empty() {
        "it is empty".to_string()
    } else if name.chars().count() > NAME_CHARS_MAX {
        format!("it is longer than {NAME_CHARS_MAX} characters")
    } else if name.starts_with('.') {
        "it starts with '.'".to_string()
    } else if let Some(c) = bad {
        format!("it contains {c:?}")
    } else {
        return Ok(());
    };
    Err(format!(
        "{name:?} cannot name a report folder: {why}; expected one folder name (letters, digits, '-', '_', ...)"
    ))
}

/// `ms` in whole microseconds, once it passed a check below.
pub fn us(ms: f64) -> u64 {
    (ms * 1000.0).round() as u64
}

/// A number as a person would write it: `1e300`, not 301 digits.
pub fn show(v: f64) -> String {
    if v.is_finite() && v != 0.0 && !(1e-6..1e16).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        v.to_string()
    }
}

/// `value` if it is a number in `[lo, hi]` (NaN and infinities are not),
/// else the message to show at its key.
pub fn within(name: &str, value: f64, lo: f64, hi: f64) -> Result<f64, String> {
    if value.is_finite() && (lo..=hi).contains(&value) {
        Ok(value)
    } else {
        Err(format!(
            "expected {name} in [{}, {}], found {}",
            show(lo),
            show(hi),
            show(value)
        ))
    }
}

/// `value` if it is a number in `(0, hi]`, else the message.
pub fn positive(name: &str, value: f64, hi: f64) -> Result<f64, String> {
    if value.is_finite() && value > 0.0 && value <= hi {
        Ok(value)
    } else {
        Err(format!(
            "expected {name} in (0, {}], found {}",
            show(hi),
            show(value)
        ))
    }
}

/// A time in ms, in `[0, RUN_MS_MAX]`, as microseconds.
pub fn time_us(name: &str, ms: f64) -> Result<u64, String> {
    within(name, ms, 0.0, RUN_MS_MAX).map(us)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_and_infinities_are_outside_every_range() {
        for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert!(within("x", v, f64::MIN, f64::MAX).is_err());
            assert!(positive("x", v, f64::MAX).is_err());
            assert!(time_us("x", v).is_err());
        }
        assert!(time_us("x", 1e300).unwrap_err().contains("found 1e300"));
        assert_eq!(time_us("x", 1.5), Ok(1500));
        assert!(positive("x", 0.0, 1.0).is_err());
    }

    #[test]
    fn a_name_is_one_folder_and_nothing_else() {
        for bad in [
            "", "..", "../../x", "/etc", "a/b", "a\\b", ".hidden", "a\nb", "tab\tx", "c:x",
        ] {
            assert!(folder_name(bad).is_err(), "{bad:?}");
        }
        assert!(folder_name(&"x".repeat(NAME_CHARS_MAX + 1)).is_err());
        for good in ["raft-steady", "ping_1.2", "naïve run"] {
            assert_eq!(folder_name(good), Ok(()));
        }
    }
}
