//! What `papergraph analyze` reports: the graph's shape, its most central nodes, its
//! communities and its strongest concept pairs.

use petgraph::visit::EdgeRef;
use serde::Serialize;

use super::analytics::Metrics;
use super::cooccurrence::cooccurrence;
use super::{count_kinds, KnowledgeGraph, NodeKind};

/// A node with a score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranked {
    pub iri: String,
    pub label: String,
    pub kind: &'static str,
    pub score: f64,
}

/// One community: its size by kind and its most central concepts and papers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Community {
    pub id: usize,
    pub size: usize,
    pub kinds: Vec<(&'static str, usize)>,
    pub top_concepts: Vec<String>,
    pub top_papers: Vec<String>,
}

/// Two concepts mentioned together.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pair {
    pub a: String,
    pub b: String,
    pub papers: usize,
    pub npmi: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    pub nodes: usize,
    pub edges: usize,
    pub kinds: Vec<(&'static str, usize)>,
    pub components: usize,
    pub largest_component: usize,
    pub modularity: f64,
    /// Highest PageRank over all nodes.
    pub top_pagerank: Vec<Ranked>,
    /// Highest PageRank among concepts.
    pub top_concepts: Vec<Ranked>,
    /// Most connected nodes (in + out degree).
    pub top_degree: Vec<Ranked>,
    /// Communities with at least two nodes, largest first.
    pub communities: Vec<Community>,
    /// Concept pairs by papers in common.
    pub top_pairs_by_count: Vec<Pair>,
    /// Concept pairs seen in at least `min_pair_papers` papers, by NPMI.
    pub top_pairs_by_npmi: Vec<Pair>,
}

/// Pairs need this many papers in common to be ranked by NPMI (rare pairs score high by chance).
pub const MIN_PAIR_PAPERS: f64 = 3.0;

/// Analyses `graph` with its `metrics`, keeping the `top` entries of each ranking.
pub fn analyze(graph: &KnowledgeGraph, metrics: &Metrics, top: usize) -> Analysis {
    let ranked = |n: usize, score: f64| {
        let node = &graph[petgraph::graph::NodeIndex::new(n)];
        Ranked { iri: node.iri.clone(), label: node.label.clone(), kind: node.kind.as_str(), score }
    };
    let mut by_rank: Vec<usize> = (0..graph.node_count()).collect();
    by_rank.sort_by(|&a, &b| metrics.pagerank[b].total_cmp(&metrics.pagerank[a]).then(a.cmp(&b)));
    let of_kind = |n: &usize, kind| graph[petgraph::graph::NodeIndex::new(*n)].kind == kind;
    let mut by_degree: Vec<usize> = (0..graph.node_count()).collect();
    by_degree.sort_by_key(|&n| (std::cmp::Reverse(metrics.degree(n)), n));

    let community_count = metrics.community.iter().max().map_or(0, |m| m + 1);
    let mut communities = Vec::new();
    for id in 0..community_count {
        let members: Vec<usize> = by_rank.iter().copied().filter(|&n| metrics.community[n] == id).collect();
        if members.len() < 2 {
            continue;
        }
        let labels = |kind| members.iter().filter(|n| of_kind(n, kind)).take(top).map(|&n| ranked(n, 0.0).label).collect();
        let kinds = count_kinds(members.iter().map(|&n| graph[petgraph::graph::NodeIndex::new(n)].kind));
        communities.push(Community {
            id,
            size: members.len(),
            kinds: kinds.into_iter().map(|(k, c)| (k.as_str(), c)).collect(),
            top_concepts: labels(NodeKind::Concept),
            top_papers: labels(NodeKind::Paper),
        });
    }

    let co = cooccurrence(graph);
    let mut pairs: Vec<Pair> = co
        .edge_references()
        .map(|e| Pair {
            a: co[e.source()].label.clone(),
            b: co[e.target()].label.clone(),
            papers: e.weight().weight as usize,
            npmi: e.weight().npmi.unwrap_or(0.0),
        })
        .collect();
    pairs.sort_by(|x, y| y.papers.cmp(&x.papers).then(y.npmi.total_cmp(&x.npmi)));
    let top_pairs_by_count = pairs.iter().take(top).cloned().collect();
    pairs.retain(|p| p.papers as f64 >= MIN_PAIR_PAPERS);
    pairs.sort_by(|x, y| y.npmi.total_cmp(&x.npmi).then(y.papers.cmp(&x.papers)));

    Analysis {
        nodes: graph.node_count(),
        edges: graph.edge_count(),
        kinds: count_kinds(graph.node_weights().map(|n| n.kind)).into_iter().map(|(k, c)| (k.as_str(), c)).collect(),
        components: metrics.component.iter().max().map_or(0, |m| m + 1),
        largest_component: metrics.component.iter().filter(|&&c| c == 0).count(),
        modularity: metrics.modularity,
        top_pagerank: by_rank.iter().take(top).map(|&n| ranked(n, metrics.pagerank[n])).collect(),
        top_concepts: by_rank.iter().filter(|n| of_kind(n, NodeKind::Concept)).take(top).map(|&n| ranked(n, metrics.pagerank[n])).collect(),
        top_degree: by_degree.iter().take(top).map(|&n| ranked(n, metrics.degree(n) as f64)).collect(),
        communities,
        top_pairs_by_count,
        top_pairs_by_npmi: pairs.into_iter().take(top).collect(),
    }
}
