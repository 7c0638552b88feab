#!/usr/bin/env python3
"""Reads papergraph's exports with third-party tools and prints what they saw.

Usage (from the repository root; install tests/consumers/requirements.txt first):

    python3 tests/consumers/graph_check.py graphml FILE [--xsd tests/xsd/graphml.xsd]
    python3 tests/consumers/graph_check.py gexf FILE
    python3 tests/consumers/graph_check.py rdf FILE --format turtle|nt|nquads|trig

Each subcommand prints one JSON object (sorted keys) on stdout and exits 0.
When a check fails it prints `graph_check: <reason>` on stderr and exits 1
(argparse exits 2 on bad usage).

graphml  Validates FILE against the GraphML 1.0 XML Schema with lxml, offline
         (--xsd defaults to tests/xsd/graphml.xsd; the first schema errors are
         printed as FILE:LINE: message), then reads it with
         networkx.read_graphml(force_multigraph=True) and igraph's
         Graph.Read_GraphML; fails if the two disagree on node or edge counts.
         {"nodes", "edges", "igraph_nodes", "igraph_edges",
          "kinds": {kind: count}, "edge_kinds": {kind: count},
          "unlabelled": nodes without a non-empty label,
          "attribute_types": {name: python type of networkx's node values},
          "edge_attribute_types": {name: python type of edge values}}
gexf     Checks the root is <gexf xmlns="http://gexf.net/1.3" version="1.3">,
         then reads it with networkx.read_gexf(version="1.3") (networkx 3.6 is
         the first release that knows GEXF 1.3) and fails if
         networkx kept fewer nodes/edges than the file has <node>/<edge>
         elements (it collapses edges sharing an id).  Same summary without
         the igraph counts.  networkx takes node labels from the
         <node label=".."> attribute and edge kinds only from <attvalues>
         (it ignores GEXF's own <edge kind=".."> attribute).
rdf      Parses FILE with rdflib (a Graph for turtle/nt, a Dataset for nquads/trig).
         {"triples": n}; for nquads/trig n counts every quad (a triple stated in two
         graphs counts twice) and "graphs" is the number of named graphs
         holding quads (the default graph is not counted).  With --check-iris,
         also fails if an IRI is not one by RFC 3987 as far as its characters go
         (rdflib's parsers let some through): no scheme, white space or control
         characters, any of <>"{}|\^` , bidirectional formatting characters,
         U+FFFE/U+FFFF, or a % not starting an escape; adds "iris": n checked.

Nodes or edges without a kind are counted under "(none)".  A type is the
Python type name ("str", "float", "int", "bool"); an attribute whose values
have several types lists them joined by "|".
"""
import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

GEXF_NS = "http://gexf.net/1.3"
DEFAULT_XSD = Path(__file__).resolve().parent.parent / "xsd" / "graphml.xsd"
MAX_SCHEMA_ERRORS = 10


class CheckFailed(Exception):
    pass


def xml_parser():
    from lxml import etree

    # Never fetch anything: no DTDs, no entities, no network.
    return etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)


def parse_xml(path):
    from lxml import etree

    try:
        return etree.parse(str(path), xml_parser())
    except (OSError, etree.XMLSyntaxError) as e:
        raise CheckFailed(f"{path} is not well-formed XML: {e}") from e


def validate(path, xsd):
    from lxml import etree

    try:
        schema = etree.XMLSchema(etree.parse(str(xsd), xml_parser()))
    except (OSError, etree.XMLSyntaxError, etree.XMLSchemaParseError) as e:
        raise CheckFailed(f"cannot load XML Schema {xsd}: {e}") from e
    if not schema.validate(parse_xml(path)):
        errors = list(schema.error_log)
        shown = "\n".join(f"  {path}:{e.line}: {e.message}" for e in errors[:MAX_SCHEMA_ERRORS])
        more = f"\n  ... and {len(errors) - MAX_SCHEMA_ERRORS} more" if len(errors) > MAX_SCHEMA_ERRORS else ""
        raise CheckFailed(f"{path} is not valid against {xsd} ({len(errors)} errors):\n{shown}{more}")


def read_with(tool, reader, path):
    try:
        return reader()
    except Exception as e:  # any parse error of a consumer is a failed check
        raise CheckFailed(f"{tool} cannot read {path}: {type(e).__name__}: {e}") from e


def summarize(graph):
    """Counts and attribute types of a networkx (multi)graph."""

    def types(datas):
        seen = defaultdict(set)
        for data in datas:
            for name, value in data.items():
                if value is not None:
                    seen[name].add(type(value).__name__)
        return {name: "|".join(sorted(t)) for name, t in seen.items()}

    def kinds(datas):
        return dict(Counter("(none)" if d.get("kind") is None else str(d["kind"]) for d in datas))

    nodes = [d for _, d in graph.nodes(data=True)]
    edges = [d for *_, d in graph.edges(data=True)]
    return {
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "kinds": kinds(nodes),
        "edge_kinds": kinds(edges),
        "unlabelled": sum(1 for d in nodes if not d.get("label")),
        "attribute_types": types(nodes),
        "edge_attribute_types": types(edges),
    }


def check_graphml(args):
    import igraph
    import networkx as nx

    validate(args.file, args.xsd)
    graph = read_with("networkx", lambda: nx.read_graphml(args.file, force_multigraph=True), args.file)
    ig = read_with("igraph", lambda: igraph.Graph.Read_GraphML(str(args.file)), args.file)
    out = summarize(graph)
    out["igraph_nodes"], out["igraph_edges"] = ig.vcount(), ig.ecount()
    if (out["nodes"], out["edges"]) != (out["igraph_nodes"], out["igraph_edges"]):
        raise CheckFailed(
            f"networkx and igraph disagree on {args.file}: networkx {out['nodes']} nodes / {out['edges']} edges, "
            f"igraph {out['igraph_nodes']} nodes / {out['igraph_edges']} edges"
        )
    return out


def check_gexf(args):
    import networkx as nx

    root = parse_xml(args.file).getroot()
    if root.tag != f"{{{GEXF_NS}}}gexf" or root.get("version") != "1.3":
        raise CheckFailed(
            f'{args.file}: root must be <gexf xmlns="{GEXF_NS}" version="1.3">, '
            f"found {root.tag} version={root.get('version')!r}"
        )
    if "1.3" not in nx.readwrite.gexf.GEXF.versions:
        raise CheckFailed(f"networkx {nx.__version__} cannot read GEXF 1.3: install networkx>=3.6")
    graph = read_with("networkx", lambda: nx.read_gexf(args.file, version="1.3"), args.file)
    out = summarize(graph)
    # networkx keys parallel edges by their id: edges sharing an id silently collapse.
    edges = root.iter(f"{{{GEXF_NS}}}edge")
    xml_counts = (sum(1 for _ in root.iter(f"{{{GEXF_NS}}}node")), sum(2 if e.get("type") == "mutual" else 1 for e in edges))
    if (out["nodes"], out["edges"]) != xml_counts:
        raise CheckFailed(
            f"networkx read {out['nodes']} nodes / {out['edges']} edges from {args.file}, which has "
            f"{xml_counts[0]} <node> / {xml_counts[1]} <edge> elements (duplicate ids?)"
        )
    return out


IRI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
IRI_BAD_CHAR = re.compile("[\x00-\x20<>\"{}|\\\\^`\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")
IRI_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def check_iris(path, terms):
    """Counts the distinct IRIs among `terms`; fails listing the first ones that are not IRIs."""
    import rdflib

    iris = {str(t) for t in terms if isinstance(t, rdflib.URIRef)}
    bad = sorted(i for i in iris if not IRI_SCHEME.match(i) or IRI_BAD_CHAR.search(i) or IRI_BAD_PERCENT.search(i))
    if bad:
        shown = "\n".join(f"  {i!r}" for i in bad[:MAX_SCHEMA_ERRORS])
        raise CheckFailed(f"{path} holds {len(bad)} invalid IRIs:\n{shown}")
    return len(iris)


def check_rdf(args):
    import rdflib
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

    if args.format in ("nquads", "trig"):
        dataset = rdflib.Dataset()
        read_with("rdflib", lambda: dataset.parse(args.file, format=args.format), args.file)
        quads = list(dataset.quads((None, None, None, None)))
        named = {c for *_, c in quads if c is not None and c != DATASET_DEFAULT_GRAPH_ID}
        out = {"triples": len(quads), "graphs": len(named)}
        if args.check_iris:
            out["iris"] = check_iris(args.file, (t for quad in quads for t in quad[:3]))
        return out
    graph = rdflib.Graph()
    read_with("rdflib", lambda: graph.parse(args.file, format=args.format), args.file)
    out = {"triples": len(graph)}
    if args.check_iris:
        out["iris"] = check_iris(args.file, (t for triple in graph for t in triple))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("graphml", help="validate against the GraphML XSD, read with networkx and igraph")
    p.add_argument("file", type=Path)
    p.add_argument("--xsd", type=Path, default=DEFAULT_XSD, help=f"default: {DEFAULT_XSD}")
    p.set_defaults(run=check_graphml)
    p = sub.add_parser("gexf", help="check the GEXF 1.3 root, read with networkx")
    p.add_argument("file", type=Path)
    p.set_defaults(run=check_gexf)
    p = sub.add_parser("rdf", help="parse with rdflib and count triples")
    p.add_argument("file", type=Path)
    p.add_argument("--format", required=True, choices=["turtle", "nt", "nquads", "trig"])
    p.add_argument("--check-iris", action="store_true", help="fail on IRIs RFC 3987 does not allow")
    p.set_defaults(run=check_rdf)
    args = parser.parse_args(argv)
    try:
        if not args.file.is_file():
            raise CheckFailed(f"{args.file}: no such file")
        result = args.run(args)
    except CheckFailed as e:
        print(f"graph_check: {e}", file=sys.stderr)
        return 1
    print(json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
