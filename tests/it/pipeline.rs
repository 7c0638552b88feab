use std::path::PathBuf;

use oxigraph::model::Term;
use papergraph::extract::Taxonomy;
use papergraph::graph::{self, EdgeKind, NodeKind};
use papergraph::pipeline::{self, BuildOptions, Knowledge, Target};
use papergraph::query::{self, Answer};
use papergraph::store::GraphStore;

use super::{listings_dir, ABSTRACT};

/// Builds `inputs` into `store` with default options.
pub fn build_into(inputs: &[PathBuf], store: &GraphStore) -> pipeline::BuildReport {
    pipeline::build(inputs, &Knowledge::bundled(), Target::Store(store), &BuildOptions::default(), &|_| ()).unwrap()
}

fn build_bundled() -> (tempfile::TempDir, GraphStore, pipeline::BuildReport) {
    let dir = tempfile::tempdir().unwrap();
    let store = GraphStore::open(&dir.path().join("store")).unwrap();
    let report = build_into(&[listings_dir()], &store);
    (dir, store, report)
}

fn column(store: &GraphStore, sparql: &str) -> Vec<String> {
    let Answer::Solutions { rows, .. } = query::run(store, sparql, "test").unwrap() else { panic!("not a SELECT") };
    rows.into_iter()
        .map(|row| match &row[0] {
            Some(Term::Literal(l)) => l.value().to_owned(),
            Some(Term::NamedNode(n)) => n.as_str().to_owned(),
            other => format!("{other:?}"),
        })
        .collect()
}

#[test]
fn bundled_listings_give_136_distinct_papers_from_149_entries() {
    let (_dir, store, report) = build_bundled();
    assert_eq!((report.records, report.papers, report.files), (149, 136, 2));
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(column(&store, &std::fs::read_to_string("queries/count-papers.rq").unwrap()), ["136"]);
    // 13 papers appear on both pages and record both listings.
    let on_both = column(&store, "SELECT ?p WHERE { ?p pg:listedIn ?a, ?b FILTER(STR(?a) < STR(?b)) }");
    assert_eq!(on_both.len(), 13);
    let dates = column(&store, "SELECT ?d WHERE { ?l a pg:Listing ; dcterms:date ?d } ORDER BY ?d");
    assert_eq!(dates, ["Mar 13", "Mar 18"]);
}

#[test]
fn every_distinct_repository_becomes_one_node() {
    let (_dir, store, report) = build_bundled();
    let repos = column(&store, "SELECT ?url WHERE { ?r a schema:SoftwareSourceCode ; schema:codeRepository ?url } ORDER BY ?url");
    // Hand-checked against the pages: 54 distinct repositories (GitHub, Gitee, Hugging Face),
    // some wrapped in LaTeX debris, some written twice in one abstract.
    for expected in [
        "https://github.com/microsoft/SPTAG",
        "https://github.com/skyhehe123/ScatterFormer",
        "https://github.com/ChaoningZhang/MobileSAM",
        "https://github.com/WujiangXu/AgenticMemory",
        "https://gitee.com/mindspore/models",
        "https://huggingface.co/datasets/Yinxuan/OCTScenes",
        "https://github.com/hustvl/Vim",
    ] {
        assert!(repos.iter().any(|r| r == expected), "missing {expected} in {repos:#?}");
    }
    assert!(repos.iter().all(|r| !r.contains(['{', '}']) && !r.ends_with('.')), "{repos:#?}");
    assert_eq!(repos.len(), report.repositories);
    assert_eq!(repos.len(), EXPECTED_REPOSITORIES);
    // Vision Mamba is listed on both pages: one paper, one repository, one has-code edge.
    let vim = column(&store, "SELECT ?l WHERE { ?p pg:hasCode <https://w3id.org/papergraph/id/repo/github.com/hustvl/vim> ; pg:listedIn ?l }");
    assert_eq!(vim.len(), 2);
    // Project pages and short links are not repositories.
    let pages = column(&store, "SELECT ?u WHERE { ?p rdfs:seeAlso ?u } ORDER BY ?u");
    assert!(pages.contains(&"https://aka.ms/SCBench".to_owned()) && pages.contains(&"https://sam2act.github.io".to_owned()), "{pages:?}");
}

/// Distinct repositories in the two bundled pages, counted by hand from their URLs.
const EXPECTED_REPOSITORIES: usize = 54;

#[test]
fn papers_citing_one_repository_share_its_node() {
    let dir = tempfile::tempdir().unwrap();
    let page = format!(
        "Mar 20\n\nFirst Paper\n\n{ABSTRACT}\n\nSecond Paper\n\n{}\n",
        ABSTRACT.replace("https://github.com/example/kvzip.", "See {https://www.GitHub.com/Example/KVZip.git}}.")
    );
    std::fs::write(dir.path().join("page.txt"), page).unwrap();
    let store = GraphStore::open(&dir.path().join("store")).unwrap();
    let report = build_into(&[dir.path().join("page.txt")], &store);
    assert_eq!(report.repositories, 1);
    let citing = column(&store, "SELECT ?t WHERE { ?p pg:hasCode ?r ; dcterms:title ?t } ORDER BY ?t");
    assert_eq!(citing, ["First Paper", "Second Paper"]);
}

#[test]
fn kv_cache_papers_include_scbench() {
    let (_dir, store, _) = build_bundled();
    let titles = column(&store, &std::fs::read_to_string("queries/kv-cache-papers.rq").unwrap());
    assert!(titles.iter().any(|t| t.starts_with("SCBench: A KV Cache-Centric Analysis")), "{titles:#?}");
}

#[test]
fn loading_the_same_files_again_adds_nothing() {
    let (_dir, store, first) = build_bundled();
    let quads = store.len().unwrap();
    assert!(first.quads_written > 4_000 && quads > first.quads_written, "{quads} quads, {} written", first.quads_written);
    let second = build_into(&[listings_dir()], &store);
    assert_eq!(store.len().unwrap(), quads);
    assert_eq!(second.papers, first.papers);
}

#[test]
fn bad_files_are_reported_and_good_records_survive() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.txt");
    std::fs::write(&good, format!("Mar 20\n\nKVZip: Query-Agnostic KV Cache Compression\n\n{ABSTRACT}\n")).unwrap();
    let orphan = dir.path().join("orphan.txt");
    std::fs::write(&orphan, format!("Mar 21\r\n\r\nLonely Title\r\n\r\nKept Paper\r\n\r\n{ABSTRACT}\r\n")).unwrap();
    std::fs::write(dir.path().join("empty.txt"), "").unwrap();
    std::fs::write(dir.path().join("blob.txt"), [0x89, b'P', b'N', b'G', 0, 1, 2, 3]).unwrap();

    let store = GraphStore::open(&dir.path().join("store")).unwrap();
    let report = build_into(&[dir.path().to_path_buf()], &store);
    let problems: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
    assert_eq!(problems.len(), 3, "{problems:#?}");
    assert!(problems[0].ends_with("blob.txt:1: binary data: invalid UTF-8 at byte 0; a listing page must be text"), "{}", problems[0]);
    assert!(problems[1].ends_with("empty.txt: empty file: no listing entries"), "{}", problems[1]);
    assert!(problems[2].ends_with("orphan.txt:3: title \"Lonely Title\" has no abstract: the next paragraph (line 5) looks like another title"), "{}", problems[2]);
    let titles = column(&store, "SELECT ?t WHERE { ?p a schema:ScholarlyArticle ; dcterms:title ?t } ORDER BY ?t");
    assert_eq!(titles, ["KVZip: Query-Agnostic KV Cache Compression", "Kept Paper"]);
}

#[test]
fn graph_projection_has_typed_nodes_and_edges() {
    let (_dir, store, report) = build_bundled();
    let graph = graph::project(&store, &[]).unwrap();
    let count = |kind| graph.node_weights().filter(|n| n.kind == kind).count();
    assert_eq!(count(NodeKind::Paper), 136);
    assert_eq!(count(NodeKind::Repository), report.repositories);
    assert_eq!(count(NodeKind::Concept), Taxonomy::bundled().concepts.len());
    let edges = |kind| graph.edge_weights().filter(|e| e.kind == kind).count();
    let mentions = column(&store, "SELECT (COUNT(*) AS ?n) WHERE { ?p schema:mentions ?c }");
    assert_eq!(edges(EdgeKind::Mentions).to_string(), mentions[0]);
    assert!(edges(EdgeKind::HasCode) >= report.repositories);
    assert!(edges(EdgeKind::Broader) > 0);
    assert!(graph.node_weights().all(|n| !n.label.is_empty()));
}

/// Extraction quality on the hand-labelled gold file; floors sit just under the measured
/// figures so a regression fails here (see tests/gold/listings.json for the labelling rules).
#[test]
fn extraction_quality_on_gold_papers_does_not_drop() {
    use papergraph::eval;
    use papergraph::extract::Extractor;

    let gold = eval::load_gold(std::path::Path::new("tests/gold/listings.json")).unwrap();
    assert!(gold.papers.len() >= 40);
    let ingested = papergraph::ingest::read_inputs(&[listings_dir()]);
    let knowledge = Knowledge::bundled();
    let extractor = Extractor::new(&knowledge.taxonomy, &knowledge.datasets);
    let scores = eval::evaluate(&gold, "gold", &ingested.papers, &extractor).unwrap();
    // (fact type, precision floor, recall floor); measured: see the closing note of issue 3.
    for (kind, precision, recall) in [
        ("concepts", 0.93, 0.82),
        ("repositories", 1.0, 1.0),
        ("datasets", 0.99, 0.98),
        ("acronyms", 0.91, 0.82),
        ("proposes", 0.90, 0.64),
    ] {
        let c = scores.by_type[kind];
        assert!(c.precision() >= precision && c.recall() >= recall, "{kind}: P {:.3} R {:.3} ({c:?})", c.precision(), c.recall());
    }
}

/// Extraction quality on real abstracts from outside the bundled listings, labelled for 24
/// concepts with hard negatives (tests/gold/README.md); the held-out part is never tuned on.
/// Floors sit just under the figures measured after derived forms (issue 15).
#[test]
fn extraction_quality_on_external_gold_does_not_drop() {
    use papergraph::eval;
    use papergraph::extract::Extractor;

    let ingested = papergraph::ingest::read_inputs(&[std::path::PathBuf::from("tests/gold/external-abstracts.json")]);
    assert!(ingested.problems.is_empty(), "{:?}", ingested.problems);
    let knowledge = Knowledge::bundled();
    let extractor = Extractor::new(&knowledge.taxonomy, &knowledge.datasets);
    for (file, papers, precision, recall) in [("tests/gold/external-tuning.json", 110, 0.98, 0.90), ("tests/gold/external-heldout.json", 45, 0.93, 0.88)] {
        let gold = eval::load_gold(std::path::Path::new(file)).unwrap();
        assert!(gold.papers.len() >= papers && gold.concepts_labelled.as_ref().unwrap().len() >= 20);
        let scores = eval::evaluate(&gold, file, &ingested.papers, &extractor).unwrap();
        assert_eq!(scores.by_type.keys().collect::<Vec<_>>(), ["concepts"], "only concepts are labelled");
        let c = scores.by_type["concepts"];
        assert!(c.precision() >= precision && c.recall() >= recall, "{file}: P {:.3} R {:.3} ({c:?})", c.precision(), c.recall());
    }
}

#[test]
fn acronym_definitions_become_methods_linked_to_concepts() {
    let (_dir, store, _) = build_bundled();
    let vim = column(
        &store,
        "SELECT ?c WHERE { ?p pg:defines ?m . ?m schema:name \"Vim\" ; dcterms:subject ?c }",
    );
    assert!(vim.iter().any(|c| c.ends_with("/concept/mamba")), "{vim:?}");
    let ram = column(&store, "SELECT ?long WHERE { ?m a pg:Method ; schema:name \"RAM++\" ; schema:alternateName ?long }");
    assert_eq!(ram, ["Recognize Anything Plus Model"]);
    let slash = column(&store, "SELECT ?t WHERE { ?p pg:proposes/schema:name \"SLASH\" ; dcterms:title ?t }");
    assert_eq!(slash.len(), 1, "{slash:?}");
    let imagenet = column(&store, "SELECT DISTINCT ?p WHERE { ?p pg:evaluatedOn dataset:imagenet }");
    assert!(imagenet.len() >= 5, "{imagenet:?}");
}

#[test]
fn memory_is_split_into_senses() {
    let (_dir, store, _) = build_bundled();
    let senses = |title: &str| {
        column(
            &store,
            &format!("SELECT ?c WHERE {{ ?p dcterms:title \"{title}\" ; schema:mentions ?c . ?c skos:broader* concept:memory }} ORDER BY ?c"),
        )
    };
    let agent = senses("A-MEM: Agentic Memory for LLM Agents");
    assert!(agent.iter().any(|c| c.ends_with("/agent-memory")), "{agent:?}");
    let flash = senses("LLM in a flash: Efficient Large Language Model Inference with Limited Memory");
    assert!(flash.iter().any(|c| c.ends_with("/flash-memory") || c.ends_with("/memory-hardware")), "{flash:?}");
    // No paper is left with only the bare umbrella concept when it names a sense.
    let bare_beside_sense = column(
        &store,
        "SELECT ?p WHERE { ?p schema:mentions concept:memory, ?s . ?s skos:broader+ concept:memory }",
    );
    assert!(bare_beside_sense.is_empty(), "{bare_beside_sense:?}");
}

/// Every canned query runs on the bundled data and gives the answers a reader would check by hand.
#[test]
fn canned_queries_answer_on_bundled_data() {
    use papergraph::query::canned::{self, CANNED};

    let (_dir, store, _) = build_bundled();
    let files: Vec<String> = std::fs::read_dir("queries")
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().trim_end_matches(".rq").to_owned())
        .collect();
    assert_eq!(files.len(), CANNED.len(), "every file in queries/ is compiled in: {files:?}");
    assert!(CANNED.len() >= 12);

    let run = |name: &str, params: &[(&str, &str)]| -> Vec<Vec<String>> {
        let text = canned::canned(name).unwrap();
        assert!(text.starts_with("# "), "{name} starts with a comment saying what it answers");
        let given: Vec<(String, String)> = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let bindings = canned::bind(&store, text, &given).unwrap();
        let Answer::Solutions { rows, .. } = query::run_with(&store, text, name, &bindings).unwrap() else { panic!() };
        rows.iter()
            .map(|row| row.iter().map(|t| t.as_ref().map(query::render_term).unwrap_or_default()).collect())
            .collect()
    };
    let column = |rows: &[Vec<String>], i: usize| rows.iter().map(|r| r[i].clone()).collect::<Vec<_>>();
    let any_starts = |values: &[String], prefix: &str| values.iter().any(|v| v.starts_with(prefix));

    assert_eq!(run("count-papers", &[])[0][0], "136");
    assert_eq!(run("count-repositories", &[])[0][0], EXPECTED_REPOSITORIES.to_string());
    assert!(any_starts(&column(&run("kv-cache-papers", &[]), 0), "SCBench"));
    assert_eq!(run("repositories", &[]).len(), EXPECTED_REPOSITORIES);
    let by_count = run("concepts-by-paper-count", &[]);
    assert_eq!(by_count[0][0], "large language model", "{:?}", &by_count[..3]);
    assert_eq!(run("papers-per-listing", &[]), [
        vec!["000_ddb558801fc4f367.txt".to_owned(), "Mar 13".to_owned(), "91".to_owned()],
        vec!["004_11e0c7473ff02c84.txt".to_owned(), "Mar 18".to_owned(), "58".to_owned()],
    ]);
    let mamba = column(&run("papers-by-concept", &[("concept", "mamba")]), 1);
    assert!(any_starts(&mamba, "Vision Mamba") && any_starts(&mamba, "EfficientVMamba"), "{mamba:?}");
    assert!(!any_starts(&mamba, "MAMBA: Multi-level"), "{mamba:?}");
    let with_code = run("papers-with-code", &[("concept", "Segment Anything")]);
    assert!(with_code.iter().any(|r| r[1].starts_with("TinySAM") && r[2].contains("xinghaochen/TinySAM")), "{with_code:?}");
    let without = column(&run("papers-without-code", &[("concept", "mamba")]), 1);
    assert_eq!(without, ["An Empirical Study of Mamba-based Language Models"]);
    let pairs = run("concept-cooccurrence", &[]);
    assert_eq!(pairs[0][..2], ["large language model".to_owned(), "memory efficiency".to_owned()], "{:?}", &pairs[..3]);
    assert!(pairs.iter().all(|r| r[2].parse::<u32>().unwrap() >= 2));
    let repos = column(&run("repositories-by-concept", &[("concept", "kv-cache")]), 1);
    assert!(repos.contains(&"liuzuyan/ElasticCache".to_owned()), "{repos:?}");
    let methods = column(&run("methods-by-concept", &[("concept", "object-centric learning")]), 1);
    assert!(methods.contains(&"SLASH".to_owned()), "{methods:?}");
    let both = column(&run("papers-on-two-concepts", &[("a", "mamba"), ("b", "KV cache")]), 2);
    assert!(any_starts(&both, "An Empirical Study of Mamba-based"), "{both:?}");
    let datasets = run("datasets-by-usage", &[]);
    assert_eq!(datasets[0][0], "ImageNet");
    let acronyms = run("acronyms", &[]);
    assert!(acronyms.iter().any(|r| r[0] == "SLASH" && r[1] == "SLot Attention via SHepherding"), "{:?}", &acronyms[..5]);
    let scbench = column(&run("count-papers", &[]), 0);
    assert_eq!(scbench, ["136"]);
    let evidence = run("evidence", &[("paper", "https://w3id.org/papergraph/id/paper/scbench-a-kv-cache-centric-analysis-of-long-579869077c")]);
    assert!(evidence.iter().all(|r| r[0].starts_with("SCBench")) && evidence.len() > 20, "{}", evidence.len());
}

/// Parameter values are RDF terms: quotes, braces and UNION in them cannot change the query.
#[test]
fn parameters_cannot_inject_sparql() {
    use papergraph::query::canned;

    let (_dir, store, _) = build_bundled();
    let text = canned::canned("papers-by-concept").unwrap();
    for hostile in ["kv-cache\" } UNION { ?paper ?p ?o } #", "} UNION {", "<x> } UNION { ?s ?p ?o }"] {
        let error = canned::bind(&store, text, &[("concept".into(), hostile.into())]).unwrap_err();
        assert!(error.starts_with("parameter concept: no concept matches"), "{error}");
    }
    // A string parameter holding query syntax is just a string.
    let query = "# Titles equal to a string.\n# @param t string A title.\nSELECT ?paper ?t WHERE { ?paper dcterms:title ?t }";
    let bindings = canned::bind(&store, query, &[("t".into(), "x\" } UNION { ?paper ?p ?t } #".into())]).unwrap();
    let Answer::Solutions { rows, .. } = query::run_with(&store, query, "q", &bindings).unwrap() else { panic!() };
    assert!(rows.is_empty());
    let error = canned::bind(&store, query, &[("nope".into(), "1".into())]).unwrap_err();
    assert_eq!(error, "the query has no parameter \"nope\" (it takes: t)");
    let error = canned::bind(&store, canned::canned("evidence").unwrap(), &[("paper".into(), "not an iri> } UNION {".into())]).unwrap_err();
    assert!(error.starts_with("parameter paper: \"not an iri> } UNION {\" is not an IRI"), "{error}");
}
