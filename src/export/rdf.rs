//! The store itself as RDF: Turtle and N-Triples (the default graph: everything but the lookup
//! statistics) or TriG and N-Quads (every graph). Streams straight from the store.

use std::io::Write;

use oxigraph::io::RdfFormat;
use oxigraph::model::GraphNameRef;

use crate::rdf::vocab::prefixed_serializer;
use crate::store::{GraphStore, StoreError};

/// Dumps the store in `format` (Turtle, TriG, N-Triples or N-Quads). Turtle and TriG use the
/// vocabulary's prefixes.
pub fn write(store: &GraphStore, format: RdfFormat, out: impl Write) -> Result<(), StoreError> {
    let serializer = prefixed_serializer(format);
    let result = if format.supports_datasets() {
        store.store.dump_to_writer(serializer, out).map(drop)
    } else {
        store.store.dump_graph_to_writer(GraphNameRef::DefaultGraph, serializer, out).map(drop)
    };
    result.map_err(|source| StoreError::Dump { path: store.path.clone(), source })
}
