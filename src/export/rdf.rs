//! The store itself as RDF: Turtle and N-Triples (the default graph: everything but the lookup
//! statistics) or TriG and N-Quads (every graph). Streams straight from the store.

use std::io::Write;

use oxigraph::io::RdfFormat;
use oxigraph::model::{GraphNameRef, NamedNode};

use crate::rdf::vocab::{prefixed_serializer, STATISTICS_GRAPH};
use crate::store::{GraphStore, StoreError};

/// Dumps the store in `format` (Turtle, TriG, N-Triples or N-Quads). Turtle and TriG use the
/// vocabulary's prefixes.
///
/// From a SPARQL server, the facts graph and the statistics graph are read whole first (for
/// big graphs, use the server's own dump).
pub fn write(store: &GraphStore, format: RdfFormat, out: impl Write) -> Result<(), StoreError> {
    let serializer = prefixed_serializer(format);
    if store.endpoint().is_some() {
        let dump_error = |source: std::io::Error| StoreError::Dump { path: store.path.clone(), source: source.into() };
        let mut writer = serializer.for_writer(out);
        let statistics = NamedNode::new_unchecked(STATISTICS_GRAPH);
        let mut graphs = vec![GraphNameRef::DefaultGraph];
        if format.supports_datasets() {
            graphs.push(statistics.as_ref().into());
        }
        for graph in graphs {
            for quad in store.quads(None, None, None, Some(graph)) {
                writer.serialize_quad(&quad?).map_err(dump_error)?;
            }
        }
        return writer.finish().map(drop).map_err(dump_error);
    }
    let local = store.local("dumping the store")?;
    let result = if format.supports_datasets() {
        local.dump_to_writer(serializer, out).map(drop)
    } else {
        local.dump_graph_to_writer(GraphNameRef::DefaultGraph, serializer, out).map(drop)
    };
    result.map_err(|source| StoreError::Dump { path: store.path.clone(), source })
}
