//! Wall-clock and memory readings for `faultline bench`, which measures
//! outside any run: the only place the wall clock is read.

/// Seconds `f` took on the wall clock, and its result.
#[allow(clippy::disallowed_methods)] // a benchmark measures wall time by definition
pub fn timed<T>(f: impl FnOnce() -> T) -> (f64, T) {
    let start = std::time::Instant::now();
    let out = f();
    (start.elapsed().as_secs_f64(), out)
}

/// A field of /proc/self/status in MB (`VmRSS` now, `VmHWM` peak); 0 where unavailable.
pub fn status_mb(field: &str) -> f64 {
    let Ok(text) = std::fs::read_to_string("/proc/self/status") else {
        return 0.0;
    };
    let kb = text
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok());
    kb.unwrap_or(0.0) / 1024.0
}
