//! Integration tests: the whole pipeline on the bundled listings, through the library and the CLI.

pub mod cli;
mod bad_input;
mod bulk;
mod crash;
mod fuzz;
mod graph;
mod pipeline;
mod provenance;
mod remote;
pub mod scale_out;
mod serve;

use std::path::PathBuf;

/// The bundled listing pages.
pub fn listings_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/listings")
}

/// An abstract long enough to read as one.
pub const ABSTRACT: &str = "We propose a method for compressing the KV cache of large language models. \
    It keeps accuracy while reducing memory by four times. Code: https://github.com/example/kvzip.";
