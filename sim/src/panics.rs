//! Telling a panic in protocol code from a panic in faultline itself.
//!
//! A panic while a node handles something (`build`, `on_start`, `on_msg`,
//! `on_timer`, `on_client`) or while the workload makes or routes an
//! operation is the protocol's: a failed assertion inside it, which the
//! `no-panic` checker reports as a finding (exit 1). Anything else that
//! panics (the engine, a checker, a metric, a report) is a bug in faultline:
//! it becomes an [`EngineError`], which ends the command with exit code
//! [`EXIT_CODE`], the message and the seed, so it can never pass for a
//! verdict about the protocol.
//!
//! [`protocol`] marks protocol code with a thread-local flag. A panic
//! leaves the flag set (the code after the call never runs), so whoever
//! catches the panic asks [`take_in_protocol`] where it came from.

use std::cell::Cell;

/// The exit code of an engine error.
pub const EXIT_CODE: i32 = 6;

thread_local! {
    static IN_PROTOCOL: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`, protocol code, with the flag set.
pub fn protocol<R>(f: impl FnOnce() -> R) -> R {
    let outer = IN_PROTOCOL.with(|c| c.replace(true));
    let r = f();
    IN_PROTOCOL.with(|c| c.set(outer));
    r
}

/// Whether the last panic on this thread came from protocol code; clears the flag.
pub fn take_in_protocol() -> bool {
    IN_PROTOCOL.with(|c| c.replace(false))
}

/// A panic in faultline itself, carried as a panic payload to the command
/// line (see the module doc).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineError {
    /// What panicked, with the seed and scenario.
    pub message: String,
}

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "engine error (a bug in faultline itself, not a finding about the protocol): {}",
            self.message
        )
    }
}

/// A panic payload's text.
pub fn message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(e) = panic.downcast_ref::<EngineError>() {
        return e.message.clone();
    }
    (panic.downcast_ref::<String>().cloned())
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "(no message)".into())
}

/// A caught panic as an engine error: its own if it is one, else a new one
/// (any panic outside a run is faultline's).
pub fn engine_error(panic: &(dyn std::any::Any + Send)) -> EngineError {
    match panic.downcast_ref::<EngineError>() {
        Some(e) => e.clone(),
        None => EngineError {
            message: message(panic),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_inside_protocol_code_leaves_the_flag_set() {
        let caught = std::panic::catch_unwind(|| protocol(|| panic!("assertion")));
        assert!(caught.is_err());
        assert!(take_in_protocol());
        assert!(!take_in_protocol(), "taking clears it");
        let caught = std::panic::catch_unwind(|| {
            protocol(|| ());
            panic!("engine")
        });
        assert_eq!(message(caught.unwrap_err().as_ref()), "engine");
        assert!(!take_in_protocol());
    }
}
