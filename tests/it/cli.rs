use std::path::Path;
use std::process::{Command, Output};

use super::{listings_dir, ABSTRACT};

pub fn papergraph(store: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_papergraph"))
        .arg("--store")
        .arg(store)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

#[test]
fn build_and_query_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");

    let built = papergraph(&store, &["build", listings_dir().to_str().unwrap()]);
    assert!(built.status.success(), "{}", stderr(&built));
    assert!(stdout(&built).contains("read 149 paper records and 0 code links from 2 files; skipped 0"), "{}", stdout(&built));
    assert!(stdout(&built).contains(": 136 distinct papers, 54 code repositories"), "{}", stdout(&built));

    let count = papergraph(&store, &["query", "queries/count-papers.rq", "--format", "csv"]);
    assert_eq!(stdout(&count), "papers\r\n136\r\n", "{}", stderr(&count));

    let table = papergraph(&store, &["query", "queries/kv-cache-papers.rq"]);
    let table = stdout(&table);
    assert!(table.lines().next().unwrap().starts_with("title"), "{table}");
    assert!(table.contains("SCBench: A KV Cache-Centric Analysis"), "{table}");

    let json = papergraph(&store, &["query", "-e", "ASK { ?p schema:mentions concept:mamba }", "--format", "json"]);
    assert_eq!(stdout(&json).trim(), r#"{"head":{},"boolean":true}"#);
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
    // 28 titles hold "memory": the first 20 are listed, then how many more.
    let listed = stderr(&ambiguous).lines().filter(|l| l.starts_with("  ") && !l.contains("more")).count();
    assert_eq!(listed, 20, "{}", stderr(&ambiguous));
    assert!(stderr(&ambiguous).ends_with("  ... and 8 more\n"), "{}", stderr(&ambiguous));
}

#[test]
fn concept_lookup_is_forgiving_and_scriptable() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let extra = dir.path().join("extra.ttl");
    std::fs::write(
        &extra,
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n\
         <https://example.org/c/kv-store> a skos:Concept ; skos:prefLabel \"KV store\" ; skos:altLabel \"key-value cache\" .\n",
    )
    .unwrap();
    assert!(papergraph(&store, &["build", listings_dir().to_str().unwrap()]).status.success());

    for name in ["KV cache", "kv-cache", "KV Caches", "concept:kv-cache", "kv cahce"] {
        let found = papergraph(&store, &["concept", name, "--format", "json"]);
        assert!(found.status.success(), "{name}: {}", stderr(&found));
        let report: serde_json::Value = serde_json::from_slice(&found.stdout).unwrap();
        assert_eq!(report["label"], "KV cache", "{name}");
        let titles: Vec<&str> = report["papers"].as_array().unwrap().iter().map(|p| p["title"].as_str().unwrap()).collect();
        assert!(titles.iter().any(|t| t.starts_with("SCBench")), "{titles:?}");
        assert_eq!(report["paper_count"], titles.len());
    }

    let sam = papergraph(&store, &["concept", "segment anything"]);
    let text = stdout(&sam);
    assert!(text.starts_with("Segment Anything Model  <https://w3id.org/papergraph/concept/segment-anything>"), "{text}");
    assert!(text.contains("narrower: EfficientSAM"), "{text}");
    assert!(text.contains("the rest count through narrower concepts"), "{text}");
    let mamba: serde_json::Value = serde_json::from_slice(&papergraph(&store, &["concept", "mamba", "--format", "json"]).stdout).unwrap();
    assert!(mamba["methods"].as_array().unwrap().iter().any(|m| m["name"] == "Vim"), "{mamba}");
    assert!(mamba["cooccurring"].as_array().unwrap().iter().all(|c| c["label"] != "Vision Mamba" && c["label"] != "selective state space model"));

    let missing = papergraph(&store, &["concept", "quantum gravity"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("no concept matches \"quantum gravity\""), "{}", stderr(&missing));

    // A user taxonomy that reuses an alias makes the name ambiguous: both candidates are listed.
    let store2 = dir.path().join("store2");
    let built = papergraph(&store2, &["build", listings_dir().to_str().unwrap(), "--taxonomy", extra.to_str().unwrap()]);
    assert!(built.status.success(), "{}", stderr(&built));
    let ambiguous = papergraph(&store2, &["concept", "key value cache"]);
    assert_eq!(ambiguous.status.code(), Some(1));
    let message = stderr(&ambiguous);
    assert!(message.contains("could mean 2 concepts") && message.contains("KV store") && message.contains("KV cache"), "{message}");
}

#[test]
fn repo_lookup_lists_citing_papers_with_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    assert!(papergraph(&store, &["build", listings_dir().to_str().unwrap()]).status.success());
    for name in ["hustvl/Vim", "https://github.com/HUSTVL/vim.git"] {
        let found = papergraph(&store, &["repo", name, "--format", "json"]);
        assert!(found.status.success(), "{}", stderr(&found));
        let report: serde_json::Value = serde_json::from_slice(&found.stdout).unwrap();
        assert_eq!(report["url"], "https://github.com/hustvl/Vim");
        assert!(report["papers"][0]["title"].as_str().unwrap().starts_with("Vision Mamba"));
        assert_eq!(report["papers"][0]["evidence"], "https://github.com/hustvl/Vim");
    }
    let missing = papergraph(&store, &["repo", "nobody/nothing"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("no repository \"nobody/nothing\""), "{}", stderr(&missing));
}

#[test]
fn an_arxiv_id_finds_its_paper_in_any_form_and_is_never_searched_as_title_words() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let corpus = dir.path().join("papers.jsonl");
    std::fs::write(
        &corpus,
        "{\"id\":\"2401.09417\",\"title\":\"Vision Mamba: Efficient Visual Representation Learning\",\"abstract\":\"Mamba for vision.\"}\n\
         {\"id\":\"2402.00001\",\"title\":\"Errata for 2401.09999\",\"abstract\":\"Corrections.\"}\n",
    )
    .unwrap();
    assert!(papergraph(&store, &["build", corpus.to_str().unwrap()]).status.success());
    for name in ["2401.09417", "2401.09417v3", "arXiv:2401.09417", "https://arxiv.org/abs/2401.09417v1"] {
        let found = papergraph(&store, &["paper", name, "--format", "json"]);
        assert!(found.status.success(), "{name}: {}", stderr(&found));
        let report: serde_json::Value = serde_json::from_slice(&found.stdout).unwrap();
        assert!(report["paper"]["title"].as_str().unwrap().starts_with("Vision Mamba"), "{name}: {report}");
    }
    // An id no paper has: not found, although a title holds its digits.
    let missing = papergraph(&store, &["paper", "2401.09999"]);
    assert_eq!(missing.status.code(), Some(1), "{}", stdout(&missing));
}

#[test]
fn repo_lookup_follows_an_append() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    assert!(papergraph(&store, &["build", listings_dir().to_str().unwrap()]).status.success());
    let report = |store: &Path| -> serde_json::Value {
        serde_json::from_slice(&papergraph(store, &["repo", "hustvl/Vim", "--format", "json"]).stdout).unwrap()
    };
    let before = report(&store);
    let extra = dir.path().join("more.jsonl");
    std::fs::write(
        &extra,
        "{\"id\":\"2501.00002\",\"title\":\"Quantized Vision Mamba on FPGAs\",\
          \"abstract\":\"We run Vim (https://github.com/hustvl/Vim) on an FPGA after post-training quantization.\"}\n",
    )
    .unwrap();
    assert!(papergraph(&store, &["build", "--append", extra.to_str().unwrap()]).status.success());
    let after = report(&store);
    assert_eq!(after["paper_count"].as_u64().unwrap(), before["paper_count"].as_u64().unwrap() + 1, "{after}");
    let titles: Vec<&str> = after["papers"].as_array().unwrap().iter().map(|p| p["title"].as_str().unwrap()).collect();
    assert!(titles.contains(&"Quantized Vision Mamba on FPGAs"), "{titles:?}");
    let concepts = |r: &serde_json::Value, label: &str| {
        r["concepts"].as_array().unwrap().iter().find(|c| c[0] == label).map_or(0, |c| c[1].as_u64().unwrap())
    };
    assert_eq!(concepts(&after, "FPGA"), concepts(&before, "FPGA") + 1, "{after}");
    assert_eq!(concepts(&after, "post-training quantization"), concepts(&before, "post-training quantization") + 1, "{after}");
}

