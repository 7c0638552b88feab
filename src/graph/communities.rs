//! Louvain community detection (Blondel et al. 2008) on a weighted undirected graph.
//!
//! Nodes are visited in index order and ties keep a node where it is, so the result is
//! deterministic for a given graph.

use std::collections::BTreeMap;

use super::analytics::renumber_by_size;

/// Communities of a graph given as symmetric weighted adjacency lists (`adj[i]` holds `(j, w)`
/// for every edge i–j, and `(i, w)` once for a self-loop). Returns each node's community,
/// numbered by decreasing size, and the partition's modularity.
pub fn louvain(adj: &[Vec<(usize, f64)>]) -> (Vec<usize>, f64) {
    let mut membership: Vec<usize> = (0..adj.len()).collect();
    let mut level: Vec<Vec<(usize, f64)>> = adj.to_vec();
    loop {
        let (moved, local) = move_nodes(&level);
        if !moved {
            break;
        }
        let (renumbered, count) = compact(&local);
        for community in &mut membership {
            *community = renumbered[*community];
        }
        level = aggregate(&level, &renumbered, count);
    }
    let communities = renumber_by_size(&membership);
    let q = modularity(adj, &communities);
    (communities, q)
}

/// Newman's modularity of a partition.
pub fn modularity(adj: &[Vec<(usize, f64)>], community: &[usize]) -> f64 {
    let degree: Vec<f64> = adj.iter().map(|l| l.iter().map(|(_, w)| w).sum()).collect();
    let two_m: f64 = degree.iter().sum();
    if two_m == 0.0 {
        return 0.0;
    }
    let mut inside = 0.0;
    let mut totals: BTreeMap<usize, f64> = BTreeMap::new();
    for (i, links) in adj.iter().enumerate() {
        inside += links.iter().filter(|(j, _)| community[*j] == community[i]).map(|(_, w)| w).sum::<f64>();
        *totals.entry(community[i]).or_default() += degree[i];
    }
    inside / two_m - totals.values().map(|t| (t / two_m).powi(2)).sum::<f64>()
}

/// Phase one: moves single nodes to the neighbouring community with the best modularity gain
/// until none improves. Returns whether anything moved, and each node's community.
fn move_nodes(adj: &[Vec<(usize, f64)>]) -> (bool, Vec<usize>) {
    let n = adj.len();
    let degree: Vec<f64> = adj.iter().map(|l| l.iter().map(|(_, w)| w).sum()).collect();
    let two_m: f64 = degree.iter().sum();
    let mut community: Vec<usize> = (0..n).collect();
    let mut total = degree.clone();
    let mut moved_any = false;
    if two_m == 0.0 {
        return (false, community);
    }
    loop {
        let mut moved = false;
        for i in 0..n {
            let mut links: BTreeMap<usize, f64> = BTreeMap::new();
            for &(j, w) in &adj[i] {
                if j != i {
                    *links.entry(community[j]).or_default() += w;
                }
            }
            let current = community[i];
            total[current] -= degree[i];
            let gain = |c: usize, k_in: f64| k_in - total[c] * degree[i] / two_m;
            let mut best = (current, gain(current, links.get(&current).copied().unwrap_or(0.0)));
            for (&c, &k_in) in &links {
                let g = gain(c, k_in);
                if g > best.1 + 1e-12 {
                    best = (c, g);
                }
            }
            total[best.0] += degree[i];
            if best.0 != current {
                community[i] = best.0;
                moved = true;
                moved_any = true;
            }
        }
        if !moved {
            return (moved_any, community);
        }
    }
}

/// Renumbers community labels to 0..count in order of first appearance.
fn compact(labels: &[usize]) -> (Vec<usize>, usize) {
    let mut ids = BTreeMap::new();
    let mut first_seen = Vec::new();
    for &label in labels {
        let next = ids.len();
        first_seen.push(*ids.entry(label).or_insert(next));
    }
    (first_seen, ids.len())
}

/// Phase two: one node per community; edge weights summed (internal ones become self-loops).
fn aggregate(adj: &[Vec<(usize, f64)>], community: &[usize], count: usize) -> Vec<Vec<(usize, f64)>> {
    let mut merged: Vec<BTreeMap<usize, f64>> = vec![BTreeMap::new(); count];
    for (i, links) in adj.iter().enumerate() {
        for &(j, w) in links {
            *merged[community[i]].entry(community[j]).or_default() += w;
        }
    }
    merged.into_iter().map(|m| m.into_iter().collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn adjacency(n: usize, edges: &[(usize, usize)]) -> Vec<Vec<(usize, f64)>> {
        let mut adj = vec![Vec::new(); n];
        for &(a, b) in edges {
            adj[a].push((b, 1.0));
            adj[b].push((a, 1.0));
        }
        adj
    }

    #[test]
    fn two_cliques_joined_by_one_edge_are_two_communities() {
        let mut edges = Vec::new();
        for offset in [0, 5] {
            for a in 0..5 {
                for b in a + 1..5 {
                    edges.push((offset + a, offset + b));
                }
            }
        }
        edges.push((4, 5));
        let (community, q) = louvain(&adjacency(10, &edges));
        assert_eq!(community, [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
        // Exact modularity of that split: 2·(20/42) − 2·(21/42)² = 0.452...
        assert!((q - (40.0 / 42.0 - 2.0 * 0.25)).abs() < 1e-9, "{q}");
    }

    /// Zachary's karate club; the best known partition has modularity 0.4198.
    const KARATE: [(usize, usize); 78] = [
        (0, 1), (0, 2), (0, 3), (0, 4), (0, 5), (0, 6), (0, 7), (0, 8), (0, 10), (0, 11), (0, 12), (0, 13),
        (0, 17), (0, 19), (0, 21), (0, 31), (1, 2), (1, 3), (1, 7), (1, 13), (1, 17), (1, 19), (1, 21), (1, 30),
        (2, 3), (2, 7), (2, 8), (2, 9), (2, 13), (2, 27), (2, 28), (2, 32), (3, 7), (3, 12), (3, 13), (4, 6),
        (4, 10), (5, 6), (5, 10), (5, 16), (6, 16), (8, 30), (8, 32), (8, 33), (9, 33), (13, 33), (14, 32),
        (14, 33), (15, 32), (15, 33), (18, 32), (18, 33), (19, 33), (20, 32), (20, 33), (22, 32), (22, 33),
        (23, 25), (23, 27), (23, 29), (23, 32), (23, 33), (24, 25), (24, 27), (24, 31), (25, 31), (26, 29),
        (26, 33), (27, 33), (28, 31), (28, 33), (29, 32), (29, 33), (30, 32), (30, 33), (31, 32), (31, 33),
        (32, 33),
    ];

    #[test]
    fn karate_club_modularity_is_near_the_best_known() {
        let adj = adjacency(34, &KARATE);
        let (community, q) = louvain(&adj);
        assert!(q > 0.40 && q <= 0.4198 + 1e-4, "modularity {q}");
        assert!((modularity(&adj, &community) - q).abs() < 1e-12);
        let groups = community.iter().max().unwrap() + 1;
        assert!((3..=5).contains(&groups), "{groups} communities");
        // The two leaders (the instructor 0 and the administrator 33) end up apart.
        assert_ne!(community[0], community[33]);
    }

    #[test]
    fn edgeless_graph_leaves_every_node_alone() {
        let (community, q) = louvain(&adjacency(3, &[]));
        assert_eq!(community, [0, 1, 2]);
        assert_eq!(q, 0.0);
    }
}
