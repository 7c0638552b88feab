//! The `papergraph` command; all logic lives in the library, `cli` only parses and reports.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
