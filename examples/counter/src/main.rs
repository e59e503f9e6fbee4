//! `counter`: the whole `faultline` command line (`run`, `sweep`, `shrink`,
//! `compare`, `replay`, `list`, ...) with the counter protocol added to the
//! bundled ones, e.g. `cargo run --release -- sweep scenarios/count-messages.toml --seeds 1..=50`.

fn main() {
    let mut registry = faultline_sim::registry::Registry::builtin();
    registry.register::<counter::CounterModel>();
    std::process::exit(faultline_sim::cli::main_with(registry));
}
