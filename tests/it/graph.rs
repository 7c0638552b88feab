//! The graph projection through the CLI: exports read by real consumers (networkx, igraph,
//! rdflib, the GraphML XSD, Graphviz), analytics and paths, checked against SPARQL counts.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::cli::{papergraph, stderr, stdout};
use super::listings_dir;

/// A store built from the bundled listings.
fn bundled_store() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let built = papergraph(&store, &["build", listings_dir().to_str().unwrap()]);
    assert!(built.status.success(), "{}", stderr(&built));
    (dir, store)
}

/// The single number a one-cell SELECT answers.
fn count(store: &Path, sparql: &str) -> u64 {
    let out = papergraph(store, &["query", "--format", "tsv", "-e", sparql]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out).lines().nth(1).unwrap().trim().parse().unwrap()
}

/// Runs tests/consumers/graph_check.py and returns its JSON report.
fn consumer_check(args: &[&str]) -> Value {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("python3").arg(root.join("tests/consumers/graph_check.py")).args(args).current_dir(root).output().unwrap();
    assert!(out.status.success(), "graph_check.py {args:?} failed (.ci/run installs its requirements): {}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

const NODE_COUNT: &str = "SELECT (COUNT(DISTINCT ?n) AS ?c) WHERE {
    { ?n a schema:ScholarlyArticle } UNION { ?n a skos:Concept } UNION { ?n a pg:Method } UNION { ?n a schema:SoftwareSourceCode }
    UNION { ?n a pg:Listing } UNION { ?n a schema:Dataset . ?p pg:evaluatedOn ?n } UNION { ?n a schema:Person } UNION { ?n a pg:Category } }";
const EDGE_COUNT: &str = "SELECT (COUNT(*) AS ?c) WHERE { ?s ?p ?o VALUES ?p { schema:mentions pg:hasCode pg:evaluatedOn pg:defines
    pg:proposes dcterms:subject skos:broader pg:listedIn schema:author pg:category } }";

#[test]
fn graphml_and_gexf_open_in_networkx_and_igraph_with_the_stores_counts() {
    let (dir, store) = bundled_store();
    let (nodes, edges) = (count(&store, NODE_COUNT), count(&store, EDGE_COUNT));
    let papers = count(&store, "SELECT (COUNT(DISTINCT ?p) AS ?c) WHERE { ?p a schema:ScholarlyArticle }");

    let graphml = dir.path().join("graph.graphml");
    let out = papergraph(&store, &["export", "--format", "graphml", "-o", graphml.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = consumer_check(&["graphml", graphml.to_str().unwrap(), "--xsd", "tests/xsd/graphml.xsd"]);
    assert_eq!(report["nodes"], nodes, "{report}");
    assert_eq!(report["edges"], edges, "{report}");
    assert_eq!(report["igraph_nodes"], nodes, "{report}");
    assert_eq!(report["igraph_edges"], edges, "{report}");
    assert_eq!(report["kinds"]["paper"], papers, "{report}");
    assert_eq!(report["unlabelled"], 0, "{report}");
    for (attribute, ty) in [("pagerank", "float"), ("degree", "int"), ("community", "int"), ("component", "int"), ("label", "str")] {
        assert_eq!(report["attribute_types"][attribute], ty, "{attribute}: {report}");
    }
    assert_eq!(report["edge_attribute_types"]["weight"], "float", "{report}");

    let gexf = dir.path().join("graph.gexf");
    let out = papergraph(&store, &["export", "--format", "gexf", "-o", gexf.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = consumer_check(&["gexf", gexf.to_str().unwrap()]);
    assert_eq!((report["nodes"].clone(), report["edges"].clone()), (nodes.into(), edges.into()), "{report}");
    assert_eq!(report["kinds"]["paper"], papers, "{report}");
    assert_eq!(report["attribute_types"]["pagerank"], "float", "{report}");
}

#[test]
fn rdf_dumps_parse_in_rdflib_with_the_stores_triple_count() {
    let (dir, store) = bundled_store();
    let triples = count(&store, "SELECT (COUNT(*) AS ?c) WHERE { ?s ?p ?o }");
    let quads = count(&store, "SELECT (COUNT(*) AS ?c) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }");
    let graphs = count(&store, "SELECT (COUNT(DISTINCT ?g) AS ?c) WHERE { GRAPH ?g { ?s ?p ?o } }");
    assert!(quads > triples && graphs == 1, "the statistics are a named graph");
    for (format, checker, expected) in [("turtle", "turtle", triples), ("ntriples", "nt", triples), ("nquads", "nquads", quads), ("trig", "trig", quads)] {
        let file = dir.path().join(format!("store.{format}"));
        let out = papergraph(&store, &["export", "--format", format, "-o", file.to_str().unwrap()]);
        assert!(out.status.success(), "{}", stderr(&out));
        let report = consumer_check(&["rdf", file.to_str().unwrap(), "--format", checker]);
        assert_eq!(report["triples"], expected, "{format}: {report}");
        if expected == quads {
            assert_eq!(report["graphs"], graphs, "{format}: {report}");
        }
    }
    let filtered = papergraph(&store, &["export", "--format", "turtle", "--kinds", "concept"]);
    assert_eq!(filtered.status.code(), Some(1));
    assert!(stderr(&filtered).contains("RDF formats dump the whole store"), "{}", stderr(&filtered));
}

#[test]
fn cytoscape_neo4j_and_dot_exports_agree_on_the_graph() {
    let (dir, store) = bundled_store();
    let (nodes, edges) = (count(&store, NODE_COUNT) as usize, count(&store, EDGE_COUNT) as usize);

    let out = papergraph(&store, &["export", "--format", "cytoscape"]);
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let cy_nodes = json["elements"]["nodes"].as_array().unwrap();
    let cy_edges = json["elements"]["edges"].as_array().unwrap();
    assert_eq!((cy_nodes.len(), cy_edges.len()), (nodes, edges));
    let ids: std::collections::HashSet<&str> = cy_nodes.iter().map(|n| n["data"]["id"].as_str().unwrap()).collect();
    assert!(cy_edges.iter().all(|e| ids.contains(e["data"]["source"].as_str().unwrap()) && ids.contains(e["data"]["target"].as_str().unwrap())));
    assert!(cy_nodes.iter().all(|n| n["data"]["pagerank"].is_f64() && n["data"]["kind"].is_string()));

    let csv_dir = dir.path().join("neo4j");
    let out = papergraph(&store, &["export", "--format", "neo4j", "-o", csv_dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let node_csv = std::fs::read_to_string(csv_dir.join("nodes.csv")).unwrap();
    let rel_csv = std::fs::read_to_string(csv_dir.join("relationships.csv")).unwrap();
    assert!(node_csv.starts_with("id:ID,:LABEL,label,kind,iri,pagerank:double,degree:long,"), "{}", node_csv.lines().next().unwrap());
    assert!(rel_csv.starts_with(":START_ID,:END_ID,:TYPE,kind,weight:double\n"));
    assert_eq!((node_csv.lines().count() - 1, rel_csv.lines().count() - 1), (nodes, edges));
    assert!(rel_csv.lines().any(|l| l.contains(",MENTIONS,mentions,")));

    let out = papergraph(&store, &["export", "--format", "dot", "--no-analytics"]);
    let dot = stdout(&out);
    assert!(dot.starts_with("digraph papergraph {"));
    assert_eq!(dot.matches(" -> ").count(), edges);
    assert!(!dot.contains("pagerank="));
}

#[test]
fn a_concept_neighbourhood_is_drawn_by_graphviz() {
    let (dir, store) = bundled_store();
    let svg = dir.path().join("kv.svg");
    let out = papergraph(&store, &["export", "--format", "svg", "--concept", "kv cache", "--depth", "1", "-o", svg.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let picture = std::fs::read_to_string(&svg).unwrap();
    assert!(picture.contains("<svg") && picture.contains("SCBench"), "{}", &picture[..200.min(picture.len())]);
    // Every paper mentioning KV cache directly is in its depth-1 neighbourhood.
    let direct = count(&store, "SELECT (COUNT(DISTINCT ?p) AS ?c) WHERE { ?p schema:mentions concept:kv-cache }");
    let dot = stdout(&papergraph(&store, &["export", "--format", "dot", "--concept", "kv cache", "--kinds", "paper,concept"]));
    assert_eq!(dot.matches("shape=box").count() as u64, direct, "{dot}");

    let no_graphviz = Command::new(env!("CARGO_BIN_EXE_papergraph"))
        .args(["--store", store.to_str().unwrap(), "export", "--format", "png", "--concept", "mamba"])
        .env("PATH", dir.path())
        .output()
        .unwrap();
    assert_eq!(no_graphviz.status.code(), Some(1));
    assert!(stderr(&no_graphviz).contains("Graphviz's `sfdp` is not on PATH"), "{}", stderr(&no_graphviz));

    let everything = papergraph(&store, &["export", "--format", "svg", "--layout", "neato"]);
    assert!(stderr(&everything).contains("too many to draw"), "{}", stderr(&everything));
}

#[test]
fn analyze_ranks_concepts_finds_communities_and_scores_pairs() {
    let (_dir, store) = bundled_store();
    let out = papergraph(&store, &["analyze", "--format", "json", "--top", "10"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let analysis: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let concepts = analysis["top_concepts"].as_array().unwrap();
    assert_eq!(concepts.len(), 10);
    assert!(concepts.iter().all(|c| c["kind"] == "concept"));
    let scores: Vec<f64> = concepts.iter().map(|c| c["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    assert!(analysis["modularity"].as_f64().unwrap() > 0.3, "{}", analysis["modularity"]);
    assert!(analysis["communities"].as_array().unwrap().len() >= 3);
    assert_eq!(analysis["kinds"].as_array().unwrap().iter().filter(|k| k[0] == "listing").count(), 0, "listings are left out");

    // The most frequent pair's count is what SPARQL counts.
    let pair = &analysis["top_pairs_by_count"][0];
    let (a, b) = (pair["a"].as_str().unwrap(), pair["b"].as_str().unwrap());
    let together = count(
        &store,
        &format!(
            "SELECT (COUNT(DISTINCT ?p) AS ?c) WHERE {{ ?p schema:mentions ?a , ?b . ?a skos:prefLabel ?la . ?b skos:prefLabel ?lb
               FILTER(STR(?la) = {a:?} && STR(?lb) = {b:?}) }}"
        ),
    );
    assert_eq!(pair["papers"], together, "{pair}");
}

#[test]
fn path_from_kv_cache_to_mamba_goes_through_a_paper_mentioning_both() {
    let (_dir, store) = bundled_store();
    let out = papergraph(&store, &["path", "KV cache", "mamba"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("KV cache → Mamba: 2 hops through paper, concept\n"), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    let paper = lines[3].trim().strip_prefix("paper").unwrap().trim();
    let both = count(
        &store,
        &format!("SELECT (COUNT(*) AS ?c) WHERE {{ ?p dcterms:title {paper:?} ; schema:mentions concept:kv-cache, concept:mamba }}"),
    );
    assert_eq!(both, 1, "{text}");

    let unknown = papergraph(&store, &["path", "KV cache", "no such concept at all"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).contains("no concept matches"), "{}", stderr(&unknown));
}

#[test]
fn cooccurrence_view_is_undirected_with_npmi() {
    let (dir, store) = bundled_store();
    let graphml = dir.path().join("co.graphml");
    let out = papergraph(&store, &["export", "--view", "cooccurrence", "--min-weight", "2", "-o", graphml.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&graphml).unwrap();
    assert!(text.contains(r#"edgedefault="undirected""#) && text.contains(r#"attr.name="npmi""#));
    let report = consumer_check(&["graphml", graphml.to_str().unwrap(), "--xsd", "tests/xsd/graphml.xsd"]);
    assert_eq!(report["kinds"].as_object().unwrap().keys().collect::<Vec<_>>(), ["concept"], "{report}");
    assert_eq!(report["edge_attribute_types"]["npmi"], "float", "{report}");
}
