use std::path::Path;
use std::process::{Command, Output};

use super::{listings_dir, ABSTRACT};

fn papergraph(store: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_papergraph"))
        .arg("--store")
        .arg(store)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

#[test]
fn build_query_and_export_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");

    let built = papergraph(&store, &["build", listings_dir().to_str().unwrap()]);
    assert!(built.status.success(), "{}", stderr(&built));
    assert!(stdout(&built).contains("read 149 entries (136 distinct papers) from 2 files; skipped 0"), "{}", stdout(&built));

    let count = papergraph(&store, &["query", "queries/count-papers.rq", "--format", "csv"]);
    assert_eq!(stdout(&count), "papers\r\n136\r\n", "{}", stderr(&count));

    let table = papergraph(&store, &["query", "queries/kv-cache-papers.rq"]);
    let table = stdout(&table);
    assert!(table.lines().next().unwrap().starts_with("title"), "{table}");
    assert!(table.contains("SCBench: A KV Cache-Centric Analysis"), "{table}");

    let json = papergraph(&store, &["query", "-e", "ASK { ?p schema:mentions concept:mamba }", "--format", "json"]);
    assert_eq!(stdout(&json).trim(), r#"{"head":{},"boolean":true}"#);

    let graphml = dir.path().join("graph.graphml");
    let exported = papergraph(&store, &["export", "--format", "graphml", "-o", graphml.to_str().unwrap()]);
    assert!(exported.status.success(), "{}", stderr(&exported));
    check_with_networkx(&store, &graphml);
}

/// networkx must read the GraphML with the node and edge counts the store has.
fn check_with_networkx(store: &Path, graphml: &Path) {
    let counts = papergraph(
        store,
        &["query", "--format", "tsv", "-e",
          "SELECT (COUNT(DISTINCT ?n) AS ?nodes) WHERE { { ?n a schema:ScholarlyArticle } UNION { ?n a skos:Concept } UNION { ?n a schema:SoftwareSourceCode } }"],
    );
    let nodes: usize = stdout(&counts).lines().nth(1).unwrap().trim().parse().unwrap();
    let counts = papergraph(
        store,
        &["query", "--format", "tsv", "-e",
          "SELECT (COUNT(*) AS ?edges) WHERE { { SELECT DISTINCT ?s ?o WHERE { { ?s schema:mentions ?o } UNION { ?s pg:hasCode ?o } UNION { ?s a skos:Concept ; skos:broader ?o } } } }"],
    );
    let edges: usize = stdout(&counts).lines().nth(1).unwrap().trim().parse().unwrap();

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/consumers/networkx_counts.py");
    let output = Command::new("python3").arg(&script).arg(graphml).output().expect("python3 runs");
    assert!(output.status.success(), "networkx failed (is it installed? .ci/run installs it): {}", stderr(&output));
    let report = stdout(&output);
    assert!(report.contains(&format!("nodes {nodes}\n")), "store has {nodes} nodes; networkx saw:\n{report}");
    assert!(report.contains(&format!("edges {edges}\n")), "store has {edges} edges; networkx saw:\n{report}");
    assert!(report.contains("kinds concept,paper,repository\n"), "{report}");
    assert!(report.contains("unlabelled 0\n"), "{report}");
}

#[test]
fn sparql_syntax_errors_give_the_position() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let page = dir.path().join("page.txt");
    std::fs::write(&page, format!("Mar 20\n\nA Paper\n\n{ABSTRACT}\n")).unwrap();
    assert!(papergraph(&store, &["build", page.to_str().unwrap()]).status.success());

    let bad = papergraph(&store, &["query", "-e", "SELECT ?p\nWHER { ?p a schema:ScholarlyArticle }"]);
    assert_eq!(bad.status.code(), Some(1));
    let message = stderr(&bad);
    assert!(message.starts_with("error: SPARQL syntax error in -e: error at 2:"), "{message}");

    let file = dir.path().join("bad.rq");
    std::fs::write(&file, "# comment\nSELECT * WHERE { ?s ?p ?o \n").unwrap();
    let bad = papergraph(&store, &["query", file.to_str().unwrap()]);
    assert!(stderr(&bad).starts_with(&format!("error: SPARQL syntax error in {}: error at 3:", file.display())), "{}", stderr(&bad));
}

#[test]
fn partial_builds_exit_2_and_name_the_bad_line() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let page = dir.path().join("page.txt");
    std::fs::write(&page, format!("Mar 20\n\nGood Paper\n\n{ABSTRACT}\n\nNo Abstract Here\n")).unwrap();
    let built = papergraph(&store, &["build", page.to_str().unwrap()]);
    assert_eq!(built.status.code(), Some(2));
    assert!(stderr(&built).contains(&format!("warning: skipped {}:7: title \"No Abstract Here\" has no abstract", page.display())), "{}", stderr(&built));
    let count = papergraph(&store, &["query", "queries/count-papers.rq", "--format", "tsv"]);
    assert_eq!(stdout(&count).lines().nth(1), Some("1"));
}

#[test]
fn failures_exit_1_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let missing = papergraph(&store, &["query", "queries/count-papers.rq"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("run `papergraph build` first"), "{}", stderr(&missing));

    let nothing = papergraph(&store, &["build", dir.path().join("nope.txt").to_str().unwrap()]);
    assert_eq!(nothing.status.code(), Some(1));
    assert!(stderr(&nothing).contains("nope.txt: cannot read input"), "{}", stderr(&nothing));
    assert!(stderr(&nothing).contains("error: no papers read"), "{}", stderr(&nothing));

    let taxonomy = dir.path().join("bad.ttl");
    std::fs::write(&taxonomy, "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n<http://e.org/a> skos:prefLabel \"x\" \n<http://e.org/b> .\n").unwrap();
    let bad_taxonomy = papergraph(&store, &["build", "--taxonomy", taxonomy.to_str().unwrap()]);
    assert_eq!(bad_taxonomy.status.code(), Some(1));
    assert!(stderr(&bad_taxonomy).contains(&format!("{}:3:", taxonomy.display())), "{}", stderr(&bad_taxonomy));
}

#[test]
fn explain_prints_each_fact_with_its_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    assert!(papergraph(&store, &["build", listings_dir().to_str().unwrap()]).status.success());

    let text = papergraph(&store, &["explain", "SCBench"]);
    let text = stdout(&text);
    assert!(text.starts_with("SCBench: A KV Cache-Centric Analysis of Long-Context Methods\n"), "{text}");
    assert!(text.lines().any(|l| l.starts_with("schema:mentions") && l.contains("KV cache") && l.contains("concept-matcher")), "{text}");
    assert!(text.lines().any(|l| l.starts_with("pg:proposes") && l.contains("SCBench")), "{text}");

    let json = papergraph(&store, &["explain", "SCBench", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let evidence = value["evidence"].as_array().unwrap();
    let kv = evidence.iter().find(|e| e["label"] == "KV cache").expect("KV cache evidence");
    assert_eq!(kv["listing"], "000_ddb558801fc4f367.txt");
    assert!(kv["end"].as_u64().unwrap() > kv["start"].as_u64().unwrap());

    let ambiguous = papergraph(&store, &["explain", "memory"]);
    assert_eq!(ambiguous.status.code(), Some(1));
    assert!(stderr(&ambiguous).contains("papers match \"memory\"; be more specific"), "{}", stderr(&ambiguous));
}
