//! Writers that turn the graph projection into files visualization tools open.

pub mod graphml;

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// GraphML (Gephi, Cytoscape, yEd, networkx, igraph).
    Graphml,
}
