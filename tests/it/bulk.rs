//! Bulk formats through the CLI: merging with listings, appending, --strict, --dry-run, gzip.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::cli::{papergraph, stderr, stdout};
use super::listings_dir;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ingest").join(name)
}

fn count(store: &Path, sparql: &str) -> u64 {
    let out = papergraph(store, &["query", "--format", "tsv", "-e", sparql]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out).lines().nth(1).unwrap().trim().parse().unwrap()
}

const PAPERS: &str = "SELECT (COUNT(DISTINCT ?p) AS ?c) WHERE { ?p a schema:ScholarlyArticle }";
const QUADS: &str = "SELECT (COUNT(*) AS ?c) WHERE { ?s ?p ?o }";

#[test]
fn arxiv_records_merge_with_listing_papers_and_bring_authors_categories_and_code() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    assert!(papergraph(&store, &["build", listings_dir().to_str().unwrap()]).status.success());
    let before = count(&store, PAPERS);

    let out = papergraph(&store, &["build", "--append", fixture("arxiv-snapshot.jsonl").to_str().unwrap(), fixture("pwc-links.json").to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Vision Mamba is on a listing page without an id; its arXiv record and PwC link join it.
    let vim = "SELECT (COUNT(*) AS ?c) WHERE { ?p dcterms:identifier \"arXiv:2401.09417\" ; pg:listedIn ?l ; schema:author ?a ;
               pg:category ?cat ; pg:hasCode ?r . ?cat schema:name \"cs.CV\" . ?a schema:name \"Xinggang Wang\" }";
    assert!(count(&store, vim) >= 1, "{}", stdout(&out));
    let listed_twice = count(&store, "SELECT (COUNT(DISTINCT ?p) AS ?c) WHERE { ?p dcterms:title ?t FILTER(STRSTARTS(?t, \"Vision Mamba: Efficient\")) }");
    assert_eq!(listed_twice, 1, "one Vision Mamba paper after merging");
    let new_papers = count(&store, PAPERS) - before;
    let arxiv_only = count(&store, "SELECT (COUNT(DISTINCT ?p) AS ?c) WHERE { ?p dcterms:identifier ?i FILTER NOT EXISTS { ?p pg:listedIn ?l . ?l a pg:Listing ; dcterms:date ?d } }");
    assert!(new_papers <= arxiv_only, "{new_papers} new papers, {arxiv_only} not on a listing page");

    // Appending the same files again adds nothing.
    let quads = count(&store, QUADS);
    let again = papergraph(&store, &["build", "--append", fixture("arxiv-snapshot.jsonl").to_str().unwrap(), fixture("pwc-links.json").to_str().unwrap()]);
    assert!(again.status.success());
    assert_eq!(count(&store, QUADS), quads);
}

#[test]
fn strict_stops_at_the_first_bad_record_and_leaves_the_store_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    assert!(papergraph(&store, &["build", listings_dir().to_str().unwrap()]).status.success());
    let quads = count(&store, QUADS);
    let bad = fixture("arxiv-snapshot-malformed.jsonl");
    for mode in [&["build", "--append", "--strict"][..], &["build", "--strict"][..]] {
        let out = papergraph(&store, &[mode, &[bad.to_str().unwrap()]].concat());
        assert_eq!(out.status.code(), Some(1), "{mode:?}");
        assert!(stderr(&out).contains("arxiv-snapshot-malformed.jsonl:2: invalid JSON"), "{}", stderr(&out));
        assert_eq!(count(&store, QUADS), quads, "{mode:?} changed the store");
    }
    // Without --strict the good records are kept and the bad ones named; exit 2.
    let out = papergraph(&store, &["build", "--append", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("arxiv-snapshot-malformed.jsonl:4: record 2312.11514 has no abstract"), "{}", stderr(&out));
    assert!(stdout(&out).contains("read 3 paper records"), "{}", stdout(&out));
}

#[test]
fn dry_run_stores_nothing_and_gzip_reads_like_plain() {
    let dir = tempfile::tempdir().unwrap();
    let plain = fixture("arxiv-snapshot.jsonl");
    let zipped = dir.path().join("snapshot"); // no extension: recognized by content
    let mut encoder = flate2::write::GzEncoder::new(std::fs::File::create(&zipped).unwrap(), flate2::Compression::default());
    encoder.write_all(&std::fs::read(&plain).unwrap()).unwrap();
    encoder.finish().unwrap();

    let summary = dir.path().join("summary.json");
    let dry = papergraph(&dir.path().join("nothing"), &["build", "--dry-run", "--summary-json", summary.to_str().unwrap(), zipped.to_str().unwrap()]);
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert!(!dir.path().join("nothing").exists());
    let summary: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    assert!(summary["quads_written"].as_u64().unwrap() > 100, "{summary}");

    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    assert!(papergraph(&a, &["build", plain.to_str().unwrap()]).status.success());
    assert!(papergraph(&b, &["build", zipped.to_str().unwrap()]).status.success());
    assert_eq!(count(&a, PAPERS), summary["records"].as_u64().unwrap());
    assert_eq!(count(&a, PAPERS), count(&b, PAPERS));
    assert_eq!(count(&a, QUADS), count(&b, QUADS));
}
