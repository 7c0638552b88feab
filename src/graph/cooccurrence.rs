//! The concept co-occurrence graph: concepts linked by the papers that mention both, weighted
//! by that count and by normalized pointwise mutual information (NPMI).

use std::collections::{BTreeMap, BTreeSet};

use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;

use super::{Edge, EdgeKind, KnowledgeGraph, NodeKind};

/// Concepts mentioned by at least one paper, with one undirected `co-occurs` edge (stored from
/// the lower to the higher node index) per pair mentioned together; weight = papers in common.
pub fn cooccurrence(graph: &KnowledgeGraph) -> KnowledgeGraph {
    let mut concepts_of_paper: BTreeMap<NodeIndex, BTreeSet<NodeIndex>> = BTreeMap::new();
    for edge in graph.edge_references() {
        if edge.weight().kind == EdgeKind::Mentions && graph[edge.target()].kind == NodeKind::Concept {
            concepts_of_paper.entry(edge.source()).or_default().insert(edge.target());
        }
    }
    let papers = concepts_of_paper.len() as f64;
    let mut papers_of: BTreeMap<NodeIndex, usize> = BTreeMap::new();
    let mut pairs: BTreeMap<(NodeIndex, NodeIndex), usize> = BTreeMap::new();
    for concepts in concepts_of_paper.values() {
        let concepts: Vec<NodeIndex> = concepts.iter().copied().collect();
        for (i, &a) in concepts.iter().enumerate() {
            *papers_of.entry(a).or_default() += 1;
            for &b in &concepts[i + 1..] {
                *pairs.entry((a, b)).or_default() += 1;
            }
        }
    }
    let mut out = KnowledgeGraph::new();
    let index: BTreeMap<NodeIndex, NodeIndex> = papers_of.keys().map(|&c| (c, out.add_node(graph[c].clone()))).collect();
    for ((a, b), together) in pairs {
        let npmi = npmi(together as f64 / papers, papers_of[&a] as f64 / papers, papers_of[&b] as f64 / papers);
        out.add_edge(index[&a], index[&b], Edge { kind: EdgeKind::CoOccurs, weight: together as f64, npmi: Some(npmi) });
    }
    out
}

/// NPMI of two events from their joint and marginal probabilities: 1 when they always occur
/// together, 0 when independent, towards −1 when they avoid each other.
pub fn npmi(joint: f64, a: f64, b: f64) -> f64 {
    if joint >= 1.0 {
        return 1.0;
    }
    (joint / (a * b)).ln() / -joint.ln()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::tests::graph_of;
    use crate::graph::NodeKind::{Concept as C, Paper as P};

    #[test]
    fn pairs_count_papers_in_common_with_npmi() {
        // Papers 0..4; concepts 4 (in every paper), 5 and 6 (always together, in half the papers).
        let edges = [(0, 4, 1.0), (1, 4, 2.0), (2, 4, 1.0), (3, 4, 1.0), (0, 5, 1.0), (0, 6, 1.0), (1, 5, 1.0), (1, 6, 3.0)];
        let graph = graph_of(&[P, P, P, P, C, C, C], &edges);
        let co = cooccurrence(&graph);
        assert_eq!(co.node_count(), 3);
        let edge = |a: &str, b: &str| {
            co.edge_references()
                .find(|e| co[e.source()].iri == a && co[e.target()].iri == b)
                .map(|e| (e.weight().weight, e.weight().npmi.unwrap()))
                .unwrap()
        };
        let (together, score) = edge("n5", "n6");
        assert_eq!(together, 2.0);
        assert!((score - 1.0).abs() < 1e-12, "always together: {score}");
        let (together, score) = edge("n4", "n5");
        assert_eq!(together, 2.0);
        assert!(score.abs() < 1e-12, "n4 is everywhere, so independent: {score}");
    }

    #[test]
    fn npmi_is_negative_for_pairs_rarer_than_chance() {
        assert!(npmi(0.01, 0.5, 0.5) < 0.0);
        assert!(npmi(0.2, 0.2, 0.2) > 0.9);
    }
}
