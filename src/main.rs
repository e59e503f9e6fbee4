//! The `faultline` binary; see `faultline_sim::cli`. It lives in the root package so that
//! the end-to-end tests in `tests/` can run it (`CARGO_BIN_EXE_faultline`).

fn main() {
    std::process::exit(faultline_sim::cli::main());
}
