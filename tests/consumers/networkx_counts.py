"""Reads a GraphML file with networkx and prints what it saw, one `name value` per line."""
import sys

import networkx as nx

graph = nx.read_graphml(sys.argv[1])
kinds = sorted({data.get("kind") for _, data in graph.nodes(data=True)})
print(f"nodes {graph.number_of_nodes()}")
print(f"edges {graph.number_of_edges()}")
print(f"kinds {','.join(str(k) for k in kinds)}")
print(f"unlabelled {sum(1 for _, data in graph.nodes(data=True) if not data.get('label'))}")
print(f"edge_kinds {','.join(sorted({d.get('kind') for _, _, d in graph.edges(data=True)}))}")
