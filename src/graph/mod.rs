//! The petgraph projection of the store, and what is computed on it.
//!
//! [`project`] reads nodes (papers, concepts, methods, repositories, datasets, listings, authors,
//! categories) and weighted edges out of the store with SPARQL; the store stays the source of
//! truth. Nodes are ordered by kind then IRI, edges by kind then endpoints, so the same store
//! always gives the same graph. [`Filter`] cuts it down (node kinds, a concept's neighbourhood,
//! a minimum edge weight); [`analytics`], [`communities`], [`cooccurrence`] and [`path`] work on
//! the result.

pub mod analytics;
pub mod communities;
pub mod cooccurrence;
pub mod path;
pub mod report;

use std::collections::{HashMap, HashSet, VecDeque};

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use oxigraph::model::{GraphNameRef, NamedNodeRef, NamedOrBlankNode, Term};

use crate::query::{self, QueryError};
use crate::rdf::vocab::{DCTERMS_SUBJECT, PG_CATEGORY, PG_DEFINES, PG_EVALUATED_ON, PG_HAS_CODE, PG_LISTED_IN, PG_PROPOSES, SCHEMA_AUTHOR, SCHEMA_MENTIONS, SKOS_BROADER};
use crate::store::{provenance, GraphStore};

/// What a node stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum)]
pub enum NodeKind {
    Paper,
    Concept,
    Method,
    Repository,
    Dataset,
    Listing,
    Author,
    Category,
}

/// What an edge stands for; edges point from the paper (or narrower concept, or method) outwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EdgeKind {
    /// Paper → concept its text mentions; weight = number of mentions.
    Mentions,
    /// Paper → repository its abstract links; weight = number of links.
    HasCode,
    /// Paper → dataset or benchmark its text names; weight = number of mentions.
    EvaluatedOn,
    /// Paper → method whose acronym it defines.
    Defines,
    /// Paper → method it introduces.
    Proposes,
    /// Method → concept its long name mentions.
    About,
    /// Concept → broader concept.
    Broader,
    /// Paper → listing page or input file it was read from.
    ListedIn,
    /// Paper → author.
    AuthoredBy,
    /// Paper → arXiv category.
    InCategory,
    /// Concept — concept: papers mention both (the co-occurrence view only).
    CoOccurs,
}

impl NodeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Paper => "paper",
            NodeKind::Concept => "concept",
            NodeKind::Method => "method",
            NodeKind::Repository => "repository",
            NodeKind::Dataset => "dataset",
            NodeKind::Listing => "listing",
            NodeKind::Author => "author",
            NodeKind::Category => "category",
        }
    }
}

impl EdgeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::Mentions => "mentions",
            EdgeKind::HasCode => "has-code",
            EdgeKind::EvaluatedOn => "evaluated-on",
            EdgeKind::Defines => "defines",
            EdgeKind::Proposes => "proposes",
            EdgeKind::About => "about",
            EdgeKind::Broader => "broader",
            EdgeKind::ListedIn => "listed-in",
            EdgeKind::AuthoredBy => "authored-by",
            EdgeKind::InCategory => "in-category",
            EdgeKind::CoOccurs => "co-occurs",
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
    /// How strongly the endpoints are linked: occurrences for extracted facts, 1 otherwise,
    /// papers in common for co-occurrence.
    pub weight: f64,
    /// Normalized pointwise mutual information, for co-occurrence edges.
    pub npmi: Option<f64>,
}

pub type KnowledgeGraph = DiGraph<Node, Edge>;

/// Nodes of each kind with their label. Datasets appear only once a paper names them. (No
/// ORDER BY: Oxigraph would decode terms at every comparison; rows are sorted once decoded.)
const NODE_QUERIES: [(NodeKind, &str); 8] = [
    (NodeKind::Paper, "SELECT ?n (MIN(?l) AS ?label) WHERE { ?n a schema:ScholarlyArticle ; dcterms:title ?l } GROUP BY ?n"),
    (NodeKind::Concept, "SELECT ?n (MIN(?l) AS ?label) WHERE { ?n a skos:Concept ; skos:prefLabel ?l } GROUP BY ?n"),
    (NodeKind::Method, "SELECT ?n (MIN(?l) AS ?label) WHERE { ?n a pg:Method ; schema:name ?l } GROUP BY ?n"),
    (NodeKind::Repository, "SELECT ?n (MIN(?l) AS ?label) WHERE { ?n a schema:SoftwareSourceCode ; schema:name ?l } GROUP BY ?n"),
    (NodeKind::Dataset, "SELECT ?n (MIN(?l) AS ?label) WHERE { ?n a schema:Dataset ; schema:name ?l . FILTER EXISTS { ?p pg:evaluatedOn ?n } } GROUP BY ?n"),
    (NodeKind::Listing, "SELECT ?n (MIN(?l) AS ?label) WHERE { ?n a pg:Listing ; dcterms:source ?l } GROUP BY ?n"),
    (NodeKind::Author, "SELECT ?n (MIN(?l) AS ?label) WHERE { ?n a schema:Person ; schema:name ?l } GROUP BY ?n"),
    (NodeKind::Category, "SELECT ?n (MIN(?l) AS ?label) WHERE { ?n a pg:Category ; schema:name ?l } GROUP BY ?n"),
];

/// Edge kinds, their predicate, the kinds of node they join, and whether the weight counts the
/// fact's stored occurrences.
const EDGE_PREDICATES: [(EdgeKind, NamedNodeRef<'static>, [NodeKind; 2], bool); 10] = [
    (EdgeKind::Mentions, SCHEMA_MENTIONS, [NodeKind::Paper, NodeKind::Concept], true),
    (EdgeKind::HasCode, PG_HAS_CODE, [NodeKind::Paper, NodeKind::Repository], true),
    (EdgeKind::EvaluatedOn, PG_EVALUATED_ON, [NodeKind::Paper, NodeKind::Dataset], true),
    (EdgeKind::Defines, PG_DEFINES, [NodeKind::Paper, NodeKind::Method], true),
    (EdgeKind::Proposes, PG_PROPOSES, [NodeKind::Paper, NodeKind::Method], true),
    (EdgeKind::About, DCTERMS_SUBJECT, [NodeKind::Method, NodeKind::Concept], false),
    (EdgeKind::Broader, SKOS_BROADER, [NodeKind::Concept, NodeKind::Concept], false),
    (EdgeKind::ListedIn, PG_LISTED_IN, [NodeKind::Paper, NodeKind::Listing], false),
    (EdgeKind::AuthoredBy, SCHEMA_AUTHOR, [NodeKind::Paper, NodeKind::Author], false),
    (EdgeKind::InCategory, PG_CATEGORY, [NodeKind::Paper, NodeKind::Category], false),
];

/// Projects the store into a directed graph: nodes of `kinds` (all when empty) and the edges
/// between them. Only what those kinds need is read (on a big store, leaving out authors,
/// categories and listings skips most of the edges).
pub fn project(store: &GraphStore, kinds: &[NodeKind]) -> Result<KnowledgeGraph, QueryError> {
    let wanted = |kind: NodeKind| kinds.is_empty() || kinds.contains(&kind);
    store.prefetch();
    let mut graph = KnowledgeGraph::new();
    let mut index: HashMap<String, NodeIndex> = HashMap::new();
    for (kind, sparql) in NODE_QUERIES.into_iter().filter(|(kind, _)| wanted(*kind)) {
        let mut nodes: Vec<(String, String)> =
            query::select(store, sparql, "graph projection", &[])?.iter().map(|row| (query::plain_value(&row[0]), query::plain_value(&row[1]))).collect();
        nodes.sort_unstable();
        for (iri, label) in nodes {
            let node = graph.add_node(Node { iri: iri.clone(), kind, label });
            index.insert(iri, node);
        }
    }
    let edges = EDGE_PREDICATES.iter().enumerate().filter(|(_, (_, _, [from, to], _))| wanted(*from) && wanted(*to));
    let edges: Vec<(usize, &(EdgeKind, NamedNodeRef<'static>, [NodeKind; 2], bool))> = edges.collect();
    // Occurrences per (subject, predicate, object), for the weights of counted edges.
    let mut weights: HashMap<(NodeIndex, usize, NodeIndex), f64> = HashMap::new();
    if edges.iter().any(|(_, (_, _, _, counted))| *counted) {
        provenance::for_each_count(store, |paper, predicate, object, _, n| {
            let kind = EDGE_PREDICATES.iter().position(|(_, p, _, counted)| *counted && p.as_str() == predicate);
            if let (Some(kind), Some(&a), Some(&b)) = (kind, index.get(paper), index.get(object)) {
                *weights.entry((a, kind, b)).or_default() += n as f64;
            }
        })?;
    }
    for (position, &(kind, predicate, _, counted)) in edges {
        let mut found: Vec<(NodeIndex, NodeIndex)> = Vec::new();
        for quad in store.quads(None, Some(predicate), None, Some(GraphNameRef::DefaultGraph)) {
            let quad = quad?;
            let NamedOrBlankNode::NamedNode(subject) = &quad.subject else { continue };
            let Term::NamedNode(object) = &quad.object else { continue };
            if let (Some(&a), Some(&b)) = (index.get(subject.as_str()), index.get(object.as_str())) {
                found.push((a, b));
            }
        }
        found.sort_unstable();
        found.dedup();
        for (a, b) in found {
            let weight = if counted { weights.get(&(a, position, b)).copied().unwrap_or(1.0) } else { 1.0 };
            graph.add_edge(a, b, Edge { kind, weight, npmi: None });
        }
    }
    Ok(graph)
}

/// Which graph to derive from the projection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphView {
    /// Papers and what they mention, link and propose.
    #[default]
    Knowledge,
    /// Concepts linked by the papers mentioning both, weighted by count and NPMI.
    Cooccurrence,
}

impl GraphView {
    /// Whether the view's edges have a direction.
    pub fn is_directed(self) -> bool {
        self == GraphView::Knowledge
    }
}

/// The `view` of the full projection, cut down by `filter`.
pub fn select(full: &KnowledgeGraph, view: GraphView, filter: &Filter) -> KnowledgeGraph {
    match view {
        GraphView::Knowledge => self::filter(full, filter),
        GraphView::Cooccurrence => self::filter(&cooccurrence::cooccurrence(full), filter),
    }
}

/// Which part of the graph to keep.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Keep only nodes of these kinds (all when empty).
    pub kinds: Vec<NodeKind>,
    /// Keep only nodes within `depth` hops (in either direction) of this node IRI.
    pub around: Option<(String, usize)>,
    /// Drop edges lighter than this, then the nodes that only those edges connected.
    pub min_weight: Option<f64>,
}

/// The subgraph `filter` describes; node and edge order is preserved.
pub fn filter(graph: &KnowledgeGraph, filter: &Filter) -> KnowledgeGraph {
    let kind_ok = |n: NodeIndex| filter.kinds.is_empty() || filter.kinds.contains(&graph[n].kind);
    let weight_ok = |w: f64| filter.min_weight.is_none_or(|min| w >= min);
    let mut keep: HashSet<NodeIndex> = graph.node_indices().filter(|&n| kind_ok(n)).collect();
    if let Some((iri, depth)) = &filter.around {
        let start = graph.node_indices().find(|&n| &graph[n].iri == iri && keep.contains(&n));
        let mut reached = HashSet::new();
        let mut queue: VecDeque<(NodeIndex, usize)> = start.into_iter().map(|n| (n, 0)).collect();
        reached.extend(start);
        while let Some((node, hops)) = queue.pop_front() {
            if hops == *depth {
                continue;
            }
            for edge in graph.edges_directed(node, petgraph::Outgoing).chain(graph.edges_directed(node, petgraph::Incoming)) {
                let next = if edge.source() == node { edge.target() } else { edge.source() };
                if keep.contains(&next) && weight_ok(edge.weight().weight) && reached.insert(next) {
                    queue.push_back((next, hops + 1));
                }
            }
        }
        keep = reached;
    }
    if filter.min_weight.is_some() {
        let connected = |n: NodeIndex| graph.neighbors_undirected(n).next().is_some();
        let linked: HashSet<NodeIndex> = graph
            .edge_references()
            .filter(|e| weight_ok(e.weight().weight))
            .flat_map(|e| [e.source(), e.target()])
            .collect();
        keep.retain(|&n| !connected(n) || linked.contains(&n));
    }
    graph.filter_map(
        |n, node| keep.contains(&n).then(|| node.clone()),
        |_, edge| weight_ok(edge.weight).then(|| edge.clone()),
    )
}

/// How many of each kind there are, in kind order.
pub fn count_kinds(kinds: impl IntoIterator<Item = NodeKind>) -> Vec<(NodeKind, usize)> {
    let mut counts = std::collections::BTreeMap::new();
    for kind in kinds {
        *counts.entry(kind).or_insert(0) += 1;
    }
    counts.into_iter().collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A graph of `kind` nodes named by their index, with the given weighted edges.
    pub(crate) fn graph_of(kinds: &[NodeKind], edges: &[(usize, usize, f64)]) -> KnowledgeGraph {
        let mut graph = KnowledgeGraph::new();
        for (i, &kind) in kinds.iter().enumerate() {
            graph.add_node(Node { iri: format!("n{i}"), kind, label: format!("node {i}") });
        }
        for &(a, b, weight) in edges {
            graph.add_edge(NodeIndex::new(a), NodeIndex::new(b), Edge { kind: EdgeKind::Mentions, weight, npmi: None });
        }
        graph
    }

    fn iris(graph: &KnowledgeGraph) -> Vec<&str> {
        graph.node_weights().map(|n| n.iri.as_str()).collect()
    }

    use NodeKind::{Concept as C, Paper as P};

    #[test]
    fn neighbourhood_follows_edges_both_ways_up_to_depth() {
        // n0 → n1 ← n2 → n3 → n4
        let graph = graph_of(&[P, C, P, C, C], &[(0, 1, 1.0), (2, 1, 1.0), (2, 3, 1.0), (3, 4, 1.0)]);
        let around = |depth| filter(&graph, &Filter { around: Some(("n1".into(), depth)), ..Filter::default() });
        assert_eq!(iris(&around(0)), ["n1"]);
        assert_eq!(iris(&around(1)), ["n0", "n1", "n2"]);
        assert_eq!(iris(&around(2)), ["n0", "n1", "n2", "n3"]);
        assert_eq!(around(2).edge_count(), 3);
    }

    #[test]
    fn kinds_filter_drops_nodes_and_their_edges() {
        let graph = graph_of(&[P, C, C], &[(0, 1, 1.0), (1, 2, 1.0)]);
        let concepts = filter(&graph, &Filter { kinds: vec![C], ..Filter::default() });
        assert_eq!(iris(&concepts), ["n1", "n2"]);
        assert_eq!(concepts.edge_count(), 1);
    }

    #[test]
    fn min_weight_drops_light_edges_and_nodes_left_alone_by_them() {
        // n3 had no edges to begin with and stays.
        let graph = graph_of(&[P, C, C, C], &[(0, 1, 3.0), (0, 2, 1.0)]);
        let heavy = filter(&graph, &Filter { min_weight: Some(2.0), ..Filter::default() });
        assert_eq!(iris(&heavy), ["n0", "n1", "n3"]);
        assert_eq!(heavy.edge_count(), 1);
    }
}
