//! The `papergraph` command; all logic lives in the library, `cli` only parses and reports.

mod cli;

/// mimalloc: building quads allocates many small strings, and it halves their cost.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
