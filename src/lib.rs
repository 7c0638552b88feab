//! papergraph turns machine-learning paper listings into an RDF knowledge graph.
//!
//! Data flows one way (see ARCHITECTURE.md):
//! [`ingest`] → [`extract`] → [`rdf`] → [`store`] → [`query`] | [`graph`] → [`export`].
//! [`pipeline`] runs the first four for `papergraph build`.

pub mod eval;
pub mod export;
pub mod extract;
pub mod graph;
pub mod ingest;
pub mod lookup;
pub mod model;
pub mod pipeline;
pub mod query;
pub mod rdf;
pub mod serve;
pub mod store;
mod swar;
