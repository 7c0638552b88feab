//! Writers that turn the graph projection into files visualization tools open, and the store
//! itself into RDF files. Every writer streams to the output as it goes.

pub mod cytoscape;
pub mod dot;
pub mod gexf;
pub mod graphml;
pub mod neo4j;
pub mod rdf;
pub mod render;

use std::io::Write;

use petgraph::graph::{EdgeReference, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::graph::analytics::Metrics;
use crate::graph::{Edge, KnowledgeGraph};

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// GraphML (Gephi, Cytoscape, yEd, networkx, igraph), valid against the GraphML schema.
    Graphml,
    /// GEXF 1.3 (Gephi).
    Gexf,
    /// Graphviz DOT.
    Dot,
    /// Cytoscape.js JSON (`elements.nodes` / `elements.edges`).
    Cytoscape,
    /// CSV files `nodes.csv` and `relationships.csv` with `neo4j-admin import` headers (-o DIR).
    Neo4j,
    /// The store as Turtle (the default graph: everything but the lookup statistics).
    Turtle,
    /// The store as TriG (every graph, the lookup statistics included).
    Trig,
    /// The store as N-Triples (the default graph: everything but the lookup statistics).
    Ntriples,
    /// The store as N-Quads (every graph).
    Nquads,
    /// A picture laid out by Graphviz (needs `dot`/`sfdp` on PATH).
    Svg,
    /// A picture laid out by Graphviz (needs `dot`/`sfdp` on PATH).
    Png,
}

/// Why a graph file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("--format {0} is not a single graph file (neo4j writes a directory; RDF formats dump the store)")]
    NotAGraphFile(&'static str),
    #[error(transparent)]
    Render(#[from] render::RenderError),
    #[error("cannot write the {format} export: {source}")]
    Io { format: &'static str, source: std::io::Error },
}

impl ExportFormat {
    /// The format's name as `--format` spells it.
    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Graphml => "graphml",
            ExportFormat::Gexf => "gexf",
            ExportFormat::Dot => "dot",
            ExportFormat::Cytoscape => "cytoscape",
            ExportFormat::Neo4j => "neo4j",
            ExportFormat::Turtle => "turtle",
            ExportFormat::Trig => "trig",
            ExportFormat::Ntriples => "ntriples",
            ExportFormat::Nquads => "nquads",
            ExportFormat::Svg => "svg",
            ExportFormat::Png => "png",
        }
    }

    /// The media type of the file the format writes (none for neo4j's directory).
    pub fn media_type(self) -> Option<&'static str> {
        Some(match self {
            ExportFormat::Graphml => "application/graphml+xml",
            ExportFormat::Gexf => "application/gexf+xml",
            ExportFormat::Dot => "text/vnd.graphviz",
            ExportFormat::Cytoscape => "application/json",
            ExportFormat::Neo4j => return None,
            ExportFormat::Turtle => "text/turtle",
            ExportFormat::Trig => "application/trig",
            ExportFormat::Ntriples => "application/n-triples",
            ExportFormat::Nquads => "application/n-quads",
            ExportFormat::Svg => "image/svg+xml",
            ExportFormat::Png => "image/png",
        })
    }

    /// The file name extension of the format.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Cytoscape => "json",
            ExportFormat::Turtle => "ttl",
            ExportFormat::Ntriples => "nt",
            ExportFormat::Nquads => "nq",
            other => other.name(),
        }
    }

    /// The RDF serialization of an RDF format.
    pub fn rdf_format(self) -> Option<oxigraph::io::RdfFormat> {
        use oxigraph::io::RdfFormat;
        Some(match self {
            ExportFormat::Turtle => RdfFormat::Turtle,
            ExportFormat::Trig => RdfFormat::TriG,
            ExportFormat::Ntriples => RdfFormat::NTriples,
            ExportFormat::Nquads => RdfFormat::NQuads,
            _ => return None,
        })
    }
}

/// Writes `view` as one graph file: GraphML, GEXF, DOT, Cytoscape.js JSON, or an SVG / PNG
/// picture laid out by Graphviz's `layout`.
pub fn write_graph(view: &View<'_>, format: ExportFormat, layout: render::Layout, out: impl Write) -> Result<(), ExportError> {
    let io = |source| ExportError::Io { format: format.name(), source };
    match format {
        ExportFormat::Graphml => graphml::write(view, out).map_err(io),
        ExportFormat::Gexf => gexf::write(view, out).map_err(io),
        ExportFormat::Dot => dot::write(view, out).map_err(io),
        ExportFormat::Cytoscape => cytoscape::write(view, out).map_err(io),
        ExportFormat::Svg => Ok(render::render(view, layout, "svg", out)?),
        ExportFormat::Png => Ok(render::render(view, layout, "png", out)?),
        other => Err(ExportError::NotAGraphFile(other.name())),
    }
}

/// Type of an exported attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrType {
    String,
    Int,
    Double,
}

impl AttrType {
    /// The type's name in GraphML and GEXF.
    pub fn xml_name(self) -> &'static str {
        match self {
            AttrType::String => "string",
            AttrType::Int => "long",
            AttrType::Double => "double",
        }
    }
}

/// One attribute value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    Str(&'a str),
    Int(usize),
    Double(f64),
}

impl std::fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Str(s) => f.write_str(s),
            Value::Int(i) => write!(f, "{i}"),
            Value::Double(x) => write!(f, "{x}"),
        }
    }
}

/// What the graph writers export: a graph, whether it is directed, and node metrics to write
/// as attributes when they were computed. Every node has `label`, `kind` and `iri`; every edge
/// `kind` and `weight`.
pub struct View<'a> {
    pub graph: &'a KnowledgeGraph,
    pub metrics: Option<&'a Metrics>,
    pub directed: bool,
    has_npmi: bool,
}

const NODE_ATTRIBUTES: [(&str, AttrType); 3] = [("label", AttrType::String), ("kind", AttrType::String), ("iri", AttrType::String)];
const METRIC_ATTRIBUTES: [(&str, AttrType); 6] = [
    ("pagerank", AttrType::Double),
    ("degree", AttrType::Int),
    ("in_degree", AttrType::Int),
    ("out_degree", AttrType::Int),
    ("component", AttrType::Int),
    ("community", AttrType::Int),
];
const EDGE_ATTRIBUTES: [(&str, AttrType); 2] = [("kind", AttrType::String), ("weight", AttrType::Double)];

impl<'a> View<'a> {
    pub fn new(graph: &'a KnowledgeGraph, metrics: Option<&'a Metrics>, directed: bool) -> Self {
        View { graph, metrics, directed, has_npmi: graph.edge_weights().any(|e| e.npmi.is_some()) }
    }

    /// Node attribute names and types, in the order [`View::node_values`] gives values.
    pub fn node_attributes(&self) -> Vec<(&'static str, AttrType)> {
        let metrics = if self.metrics.is_some() { &METRIC_ATTRIBUTES[..] } else { &[] };
        NODE_ATTRIBUTES.iter().chain(metrics).copied().collect()
    }

    pub fn node_values(&self, n: NodeIndex) -> Vec<Value<'a>> {
        let node = &self.graph[n];
        let mut values = vec![Value::Str(&node.label), Value::Str(node.kind.as_str()), Value::Str(&node.iri)];
        if let Some(m) = self.metrics {
            let i = n.index();
            values.extend([
                Value::Double(m.pagerank[i]),
                Value::Int(m.degree(i)),
                Value::Int(m.in_degree[i]),
                Value::Int(m.out_degree[i]),
                Value::Int(m.component[i]),
                Value::Int(m.community[i]),
            ]);
        }
        values
    }

    /// Edge attribute names and types; `npmi` is there when the edges carry it.
    pub fn edge_attributes(&self) -> Vec<(&'static str, AttrType)> {
        let mut attributes = EDGE_ATTRIBUTES.to_vec();
        if self.has_npmi {
            attributes.push(("npmi", AttrType::Double));
        }
        attributes
    }

    /// Values of an edge, in the order of [`View::edge_attributes`] (a missing `npmi` is 0).
    pub fn edge_values(&self, edge: EdgeReference<'a, Edge>) -> Vec<Value<'a>> {
        let e = edge.weight();
        let mut values = vec![Value::Str(e.kind.as_str()), Value::Double(e.weight)];
        if self.has_npmi {
            values.push(Value::Double(e.npmi.unwrap_or(0.0)));
        }
        values
    }

    /// Edges with their endpoints' IRIs.
    pub fn edges(&self) -> impl Iterator<Item = (EdgeReference<'a, Edge>, &'a str, &'a str)> {
        let graph = self.graph;
        graph.edge_references().map(move |e| (e, graph[e.source()].iri.as_str(), graph[e.target()].iri.as_str()))
    }
}
