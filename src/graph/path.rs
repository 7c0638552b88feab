//! Shortest paths between two nodes, following edges in either direction.

use std::collections::VecDeque;

use petgraph::graph::{EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;

use super::KnowledgeGraph;

/// One hop of a path: the edge taken, whether it was followed forwards, and the node reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub edge: EdgeIndex,
    pub forward: bool,
    pub to: NodeIndex,
}

/// A fewest-hops path from `from` to `to` (breadth-first, ignoring direction), or `None` when
/// they are not connected. Among equally short paths, the one through lower-numbered nodes and
/// edges wins, so the answer is stable.
pub fn shortest_path(graph: &KnowledgeGraph, from: NodeIndex, to: NodeIndex) -> Option<Vec<Step>> {
    let mut came_by: Vec<Option<Step>> = vec![None; graph.node_count()];
    let mut seen = vec![false; graph.node_count()];
    let mut queue = VecDeque::from([from]);
    seen[from.index()] = true;
    while let Some(node) = queue.pop_front() {
        if node == to {
            break;
        }
        let mut steps: Vec<Step> = graph
            .edges_directed(node, petgraph::Outgoing)
            .map(|e| Step { edge: e.id(), forward: true, to: e.target() })
            .chain(graph.edges_directed(node, petgraph::Incoming).map(|e| Step { edge: e.id(), forward: false, to: e.source() }))
            .collect();
        steps.sort_by_key(|s| (s.to, s.edge));
        for step in steps {
            if !seen[step.to.index()] {
                seen[step.to.index()] = true;
                came_by[step.to.index()] = Some(step);
                queue.push_back(step.to);
            }
        }
    }
    if !seen[to.index()] {
        return None;
    }
    let mut path = Vec::new();
    let mut at = to;
    while at != from {
        let step = came_by[at.index()].expect("every reached node but the start has a step");
        path.push(step);
        let (a, b) = graph.edge_endpoints(step.edge).expect("edge exists");
        at = if step.forward { a } else { b };
    }
    path.reverse();
    Some(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::tests::graph_of;
    use crate::graph::NodeKind::{Concept as C, Paper as P};

    #[test]
    fn path_goes_against_edge_direction_through_a_shared_paper() {
        // Papers 0 and 1 mention concepts: 0 → {2, 3}, 1 → {3, 4}.
        let graph = graph_of(&[P, P, C, C, C], &[(0, 2, 1.0), (0, 3, 1.0), (1, 3, 1.0), (1, 4, 1.0)]);
        let path = shortest_path(&graph, NodeIndex::new(2), NodeIndex::new(4)).unwrap();
        let nodes: Vec<usize> = path.iter().map(|s| s.to.index()).collect();
        assert_eq!(nodes, [0, 3, 1, 4]);
        assert_eq!(path.iter().map(|s| s.forward).collect::<Vec<_>>(), [false, true, false, true]);
    }

    #[test]
    fn unconnected_nodes_have_no_path_and_a_node_reaches_itself() {
        let graph = graph_of(&[P, C, C], &[(0, 1, 1.0)]);
        assert_eq!(shortest_path(&graph, NodeIndex::new(1), NodeIndex::new(2)), None);
        assert_eq!(shortest_path(&graph, NodeIndex::new(1), NodeIndex::new(1)), Some(vec![]));
    }
}
