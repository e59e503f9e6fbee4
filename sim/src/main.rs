//! The `faultline` binary; see `faultline_sim::cli`.

fn main() {
    std::process::exit(faultline_sim::cli::main());
}
