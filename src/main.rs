//! The `faultline` binary; see `faultline_sim::cli`. It lives in the root package so that
//! the end-to-end tests in `tests/` can run it (`CARGO_BIN_EXE_faultline`).

fn main() {
    // Rust ignores SIGPIPE, so `faultline run X | head` made the next
    // println! panic with a backtrace. With the default action the process
    // ends quietly when its reader goes away, as command-line tools do.
    // SAFETY: called first thing in main, before any other thread exists;
    // setting a signal's action to SIG_DFL has no other effect.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    std::process::exit(faultline_sim::cli::main());
}
