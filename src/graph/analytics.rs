//! Node metrics: PageRank, degree, connected components and communities, computed on the
//! graph read as undirected and weighted (a paper mentioning a concept ties both ways).

use petgraph::unionfind::UnionFind;
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use serde::Serialize;

use super::communities::louvain;
use super::KnowledgeGraph;

/// Damping factor of PageRank (the usual 0.85).
pub const DAMPING: f64 = 0.85;

/// Metrics of every node, indexed like the graph's nodes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    pub pagerank: Vec<f64>,
    pub in_degree: Vec<usize>,
    pub out_degree: Vec<usize>,
    /// Connected component, numbered from 0 by decreasing size.
    pub component: Vec<usize>,
    /// Louvain community, numbered from 0 by decreasing size.
    pub community: Vec<usize>,
    /// Modularity of the communities found.
    pub modularity: f64,
}

impl Metrics {
    pub fn compute(graph: &KnowledgeGraph) -> Metrics {
        let neighbours = undirected_neighbours(graph);
        let (community, modularity) = louvain(&neighbours);
        let degree = |direction| graph.node_indices().map(|n| graph.edges_directed(n, direction).count()).collect();
        Metrics {
            pagerank: pagerank(&neighbours, DAMPING),
            in_degree: degree(Direction::Incoming),
            out_degree: degree(Direction::Outgoing),
            component: components(graph),
            community,
            modularity,
        }
    }

    pub fn degree(&self, node: usize) -> usize {
        self.in_degree[node] + self.out_degree[node]
    }
}

/// Weighted adjacency lists of the graph read as undirected; self-loops count once.
pub fn undirected_neighbours(graph: &KnowledgeGraph) -> Vec<Vec<(usize, f64)>> {
    let mut neighbours = vec![Vec::new(); graph.node_count()];
    for edge in graph.edge_references() {
        let (a, b, w) = (edge.source().index(), edge.target().index(), edge.weight().weight);
        neighbours[a].push((b, w));
        if a != b {
            neighbours[b].push((a, w));
        }
    }
    neighbours
}

/// Weighted PageRank by power iteration over out-links `links[i] = [(j, weight)]`. The rank of
/// nodes without out-links is spread evenly, so ranks always sum to 1.
pub fn pagerank(links: &[Vec<(usize, f64)>], damping: f64) -> Vec<f64> {
    const TOLERANCE: f64 = 1e-10;
    const MAX_ITERATIONS: usize = 200;
    let n = links.len();
    if n == 0 {
        return Vec::new();
    }
    let out_weight: Vec<f64> = links.iter().map(|l| l.iter().map(|(_, w)| w).sum()).collect();
    let mut rank = vec![1.0 / n as f64; n];
    for _ in 0..MAX_ITERATIONS {
        let dangling: f64 = (0..n).filter(|&i| out_weight[i] <= 0.0).map(|i| rank[i]).sum();
        let base = (1.0 - damping) / n as f64 + damping * dangling / n as f64;
        let mut next = vec![base; n];
        for (i, out) in links.iter().enumerate() {
            if out_weight[i] > 0.0 {
                let share = damping * rank[i] / out_weight[i];
                for &(j, w) in out {
                    next[j] += share * w;
                }
            }
        }
        let change: f64 = next.iter().zip(&rank).map(|(a, b)| (a - b).abs()).sum();
        rank = next;
        if change < TOLERANCE {
            break;
        }
    }
    rank
}

/// Weakly connected components, numbered by decreasing size (ties by first node).
fn components(graph: &KnowledgeGraph) -> Vec<usize> {
    let mut sets = UnionFind::new(graph.node_count());
    for edge in graph.edge_references() {
        sets.union(edge.source().index(), edge.target().index());
    }
    renumber_by_size(&sets.into_labeling())
}

/// Relabels groups 0, 1, ... by decreasing size, ties broken by the group's first member.
pub(crate) fn renumber_by_size(labels: &[usize]) -> Vec<usize> {
    let mut groups: std::collections::HashMap<usize, (usize, usize)> = std::collections::HashMap::new();
    for (node, &label) in labels.iter().enumerate() {
        let entry = groups.entry(label).or_insert((0, node));
        entry.0 += 1;
    }
    let mut order: Vec<(usize, (usize, usize))> = groups.into_iter().collect();
    order.sort_by_key(|&(_, (size, first))| (std::cmp::Reverse(size), first));
    let rank: std::collections::HashMap<usize, usize> = order.iter().enumerate().map(|(i, &(label, _))| (label, i)).collect();
    labels.iter().map(|label| rank[label]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::tests::graph_of;
    use crate::graph::NodeKind::{Concept as C, Paper as P};

    #[test]
    fn pagerank_matches_networkx_on_a_directed_graph() {
        let mut links = vec![Vec::new(); 5];
        for (a, b) in [(0, 1), (1, 2), (2, 0), (2, 3), (3, 1), (4, 3)] {
            links[a].push((b, 1.0));
        }
        // networkx 3.6 `pagerank(G, alpha=0.85)` on the same graph.
        let networkx = [0.1591644801, 0.3222546161, 0.3039164237, 0.1846644801, 0.03];
        let ours = pagerank(&links, DAMPING);
        for (a, b) in ours.iter().zip(networkx) {
            assert!((a - b).abs() < 1e-8, "ours {ours:?} networkx {networkx:?}");
        }
    }

    #[test]
    fn pagerank_weights_pull_rank_and_sums_to_one_with_dangling_nodes() {
        // 0 links to 1 (weight 9) and 2 (weight 1); 3 has no links at all.
        let links = vec![vec![(1, 9.0), (2, 1.0)], vec![(0, 1.0)], vec![(0, 1.0)], vec![]];
        let rank = pagerank(&links, DAMPING);
        assert!((rank.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        assert!(rank[1] > 2.0 * rank[2], "{rank:?}");
    }

    #[test]
    fn star_centre_ranks_first_and_components_are_numbered_by_size() {
        // A star 0–{1,2,3} and a separate pair 4–5.
        let graph = graph_of(&[C, P, P, P, C, P], &[(1, 0, 1.0), (2, 0, 1.0), (3, 0, 1.0), (5, 4, 1.0)]);
        let metrics = Metrics::compute(&graph);
        let best = (0..6).max_by(|&a, &b| metrics.pagerank[a].total_cmp(&metrics.pagerank[b])).unwrap();
        assert_eq!(best, 0);
        assert_eq!(metrics.component, [0, 0, 0, 0, 1, 1]);
        assert_eq!((metrics.in_degree[0], metrics.out_degree[0], metrics.degree(1)), (3, 0, 1));
    }
}
