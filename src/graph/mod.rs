//! The petgraph projection of the store: papers, concepts and repositories as nodes; mentions,
//! has-code and broader links as edges. The store stays the source of truth; the projection is
//! rebuilt from it on demand and ordered by IRI, so it is the same for the same store.

use std::collections::HashMap;

use petgraph::graph::{DiGraph, NodeIndex};

use crate::query::{self, QueryError};
use crate::store::GraphStore;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeKind {
    Paper,
    Concept,
    Repository,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EdgeKind {
    /// Paper → concept its text mentions.
    Mentions,
    /// Paper → repository its abstract links.
    HasCode,
    /// Concept → broader concept.
    Broader,
}

impl NodeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Paper => "paper",
            NodeKind::Concept => "concept",
            NodeKind::Repository => "repository",
        }
    }
}

impl EdgeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::Mentions => "mentions",
            EdgeKind::HasCode => "has-code",
            EdgeKind::Broader => "broader",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub iri: String,
    pub kind: NodeKind,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    pub kind: EdgeKind,
}

pub type KnowledgeGraph = DiGraph<Node, Edge>;

const NODE_QUERIES: [(NodeKind, &str); 3] = [
    (NodeKind::Paper, "SELECT ?n (MIN(?l) AS ?label) WHERE { ?n a schema:ScholarlyArticle ; dcterms:title ?l } GROUP BY ?n ORDER BY ?n"),
    (NodeKind::Concept, "SELECT ?n (MIN(?l) AS ?label) WHERE { ?n a skos:Concept ; skos:prefLabel ?l } GROUP BY ?n ORDER BY ?n"),
    (NodeKind::Repository, "SELECT ?n (MIN(?l) AS ?label) WHERE { ?n a schema:SoftwareSourceCode ; schema:name ?l } GROUP BY ?n ORDER BY ?n"),
];

const EDGE_QUERIES: [(EdgeKind, &str); 3] = [
    (EdgeKind::Mentions, "SELECT ?s ?o WHERE { ?s a schema:ScholarlyArticle ; schema:mentions ?o } ORDER BY ?s ?o"),
    (EdgeKind::HasCode, "SELECT ?s ?o WHERE { ?s a schema:ScholarlyArticle ; pg:hasCode ?o } ORDER BY ?s ?o"),
    (EdgeKind::Broader, "SELECT ?s ?o WHERE { ?s a skos:Concept ; skos:broader ?o } ORDER BY ?s ?o"),
];

/// Projects the store into a directed graph.
pub fn project(store: &GraphStore) -> Result<KnowledgeGraph, QueryError> {
    let mut graph = KnowledgeGraph::new();
    let mut index: HashMap<String, NodeIndex> = HashMap::new();
    for (kind, sparql) in NODE_QUERIES {
        for [iri, label] in pairs(store, sparql)? {
            let node = graph.add_node(Node { iri: iri.clone(), kind, label });
            index.insert(iri, node);
        }
    }
    for (kind, sparql) in EDGE_QUERIES {
        for [from, to] in pairs(store, sparql)? {
            if let (Some(&a), Some(&b)) = (index.get(&from), index.get(&to)) {
                graph.add_edge(a, b, Edge { kind });
            }
        }
    }
    Ok(graph)
}

/// Runs a two-column SELECT and returns each row's values (IRIs bare, literals as values).
fn pairs(store: &GraphStore, sparql: &str) -> Result<Vec<[String; 2]>, QueryError> {
    let rows = query::select(store, sparql, "graph projection", &[])?;
    Ok(rows.iter().map(|row| [query::plain_value(&row[0]), query::plain_value(&row[1])]).collect())
}
