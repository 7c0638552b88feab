//! Provenance modes and the lookup statistics: compact provenance explains every fact as full
//! provenance does, and lookups stay right as a store grows by `--append`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use oxigraph::model::{GraphNameRef, Quad};
use papergraph::lookup::{self, ConceptResolution};
use papergraph::pipeline::{self, BuildOptions, Knowledge, Target};
use papergraph::query::{self, Answer};
use papergraph::rdf::vocab::{PG_EVIDENCE, PG_OCCURRENCES, RDF_TYPE, STATISTICS_GRAPH};
use papergraph::rdf::iri::normalize_title;
use papergraph::rdf::Provenance;
use papergraph::store::titles::TitleIndex;
use papergraph::store::GraphStore;

use super::listings_dir;

fn build(inputs: &[PathBuf], store: &GraphStore, provenance: Provenance) -> pipeline::BuildReport {
    let options = BuildOptions { provenance, ..BuildOptions::default() };
    pipeline::build(inputs, &Knowledge::bundled(), Target::Store(store), &options, &|_| ()).unwrap()
}

fn store_in(dir: &Path, name: &str) -> GraphStore {
    GraphStore::open(&dir.join(name)).unwrap()
}

fn listing(n: usize) -> PathBuf {
    let mut files: Vec<PathBuf> = std::fs::read_dir(listings_dir()).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files.swap_remove(n)
}

/// Quads that state facts: everything but the provenance itself and the statistics.
fn facts(store: &GraphStore) -> BTreeSet<String> {
    let evidence: BTreeSet<String> = store.quads(None, Some(RDF_TYPE), Some(PG_EVIDENCE.into()), None).map(|q| q.unwrap().subject.to_string()).collect();
    store
        .quads(None, None, None, None)
        .map(Result::unwrap)
        .filter(|q| q.predicate != PG_OCCURRENCES && !evidence.contains(&q.subject.to_string()))
        .filter(|q| !matches!(q.graph_name.as_ref(), GraphNameRef::NamedNode(g) if g.as_str() == STATISTICS_GRAPH))
        .map(|q: Quad| q.to_string())
        .collect()
}

fn papers(store: &GraphStore) -> Vec<String> {
    let Answer::Solutions { rows, .. } = query::run(store, "SELECT ?p WHERE { ?p a schema:ScholarlyArticle } ORDER BY ?p", "t").unwrap() else { panic!() };
    rows.iter().map(|r| query::plain_value(&r[0])).collect()
}

fn count(store: &GraphStore, sparql: &str) -> u64 {
    let Answer::Solutions { rows, .. } = query::run(store, sparql, "t").unwrap() else { panic!() };
    query::plain_value(&rows[0][0]).parse().unwrap()
}

#[test]
fn compact_provenance_explains_every_occurrence_as_full_does_in_a_fraction_of_the_quads() {
    let dir = tempfile::tempdir().unwrap();
    let (compact, full, none) = (store_in(dir.path(), "compact"), store_in(dir.path(), "full"), store_in(dir.path(), "none"));
    build(&[listings_dir()], &compact, Provenance::Compact);
    build(&[listings_dir()], &full, Provenance::Full);
    build(&[listings_dir()], &none, Provenance::None);

    // The same facts, stated with the same provenance properties.
    let facts_compact = facts(&compact);
    assert_eq!(facts_compact, facts(&full));
    let sourced = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?via ?o . ?via a pg:ProvenanceProperty }";
    assert!(count(&compact, sourced) > 1000);
    let bare = facts(&none);
    assert!(bare.iter().all(|q| facts_compact.contains(q)));
    assert!(facts_compact.iter().filter(|q| !bare.contains(*q)).all(|q| q.contains("/id/provenance/")), "only provenance properties differ");
    assert_eq!(count(&none, sourced), 0);

    // Occurrence for occurrence, the same evidence for every paper.
    let mut occurrences = 0;
    for paper in papers(&compact) {
        let from_compact = lookup::evidence(&compact, &paper).unwrap();
        assert_eq!(from_compact, lookup::evidence(&full, &paper).unwrap(), "{paper}");
        assert!(lookup::evidence(&none, &paper).unwrap().is_empty());
        occurrences += from_compact.len();
    }
    assert!(occurrences > 1500, "{occurrences}");

    let (quads_compact, quads_full) = (compact.len().unwrap(), full.len().unwrap());
    assert!(quads_compact * 3 < quads_full, "compact {quads_compact} quads, full {quads_full}");
    assert!(none.len().unwrap() < quads_compact);
}

#[test]
fn every_fact_has_an_occurrence_whose_span_is_its_text() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path(), "store");
    build(&[listings_dir()], &store, Provenance::Compact);
    let Answer::Solutions { rows, .. } = query::run(
        &store,
        "SELECT ?paper ?p ?o ?title ?abstract WHERE { ?paper a schema:ScholarlyArticle ; dcterms:title ?title ; dcterms:abstract ?abstract ; ?p ?o
           VALUES ?p { schema:mentions pg:evaluatedOn pg:defines pg:proposes pg:hasCode } }",
        "t",
    )
    .unwrap() else {
        panic!()
    };
    assert!(rows.len() > 1000);
    for row in rows {
        let value = |i: usize| query::plain_value(&row[i]);
        let evidence = lookup::evidence(&store, &value(0)).unwrap();
        let support: Vec<_> = evidence.iter().filter(|e| e.predicate == value(1) && e.object == value(2)).collect();
        assert!(!support.is_empty(), "{} {} {} has no occurrence", value(0), value(1), value(2));
        // A paper read twice with different title casing has two titles: one of them holds the span.
        let texts = |field: &str| if field == "title" { value(3) } else { value(4) };
        for e in support {
            let text: String = texts(&e.field).chars().skip(e.start as usize).take((e.end - e.start) as usize).collect();
            let matches = text == e.text || (e.field == "title" && text.to_lowercase() == e.text.to_lowercase());
            assert!(matches, "{}: span {}..{} of {} is {text:?}, not {:?}", value(0), e.start, e.end, e.field, e.text);
            assert!(e.line > 0 && e.listing.ends_with(".txt") && !e.extractor.is_empty());
        }
    }
}

#[test]
fn facts_are_selected_by_extractor_and_confidence_in_sparql() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path(), "store");
    build(&[listings_dir()], &store, Provenance::Compact);
    let by = |extractor: &str, min: f64| {
        count(
            &store,
            &format!(
                "SELECT (COUNT(DISTINCT *) AS ?n) WHERE {{ ?paper ?via ?c . ?via rdfs:subPropertyOf schema:mentions ;
                   prov:wasGeneratedBy/schema:name \"{extractor}\" ; pg:confidence ?confidence FILTER(?confidence >= {min}) }}"
            ),
        )
    };
    let all = count(&store, "SELECT (COUNT(*) AS ?n) WHERE { ?paper schema:mentions ?c }");
    let (any, sure) = (by("concept-matcher", 0.0), by("concept-matcher", 0.9));
    assert!(any >= all && sure > 0 && sure < any, "{all} mentions; {any} by the matcher, {sure} at 0.9 or more");
    assert_eq!(by("link-finder", 0.0), 0, "mentions come from the concept matcher only");
    // Provenance properties say where their facts come from, and every one is described.
    let described = count(&store, "SELECT (COUNT(*) AS ?n) WHERE { ?via a pg:ProvenanceProperty ; rdfs:subPropertyOf ?p ; prov:wasDerivedFrom ?l ; prov:wasGeneratedBy ?x ; pg:confidence ?c . ?l a pg:Listing . ?x a prov:SoftwareAgent }");
    let used = count(&store, "SELECT (COUNT(DISTINCT ?via) AS ?n) WHERE { ?s ?via ?o FILTER(STRSTARTS(STR(?via), \"https://w3id.org/papergraph/id/provenance/\")) }");
    assert!(used > 5);
    assert_eq!(described, used);
    // Each stated fact also holds with its plain predicate.
    let unstated = count(&store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?via ?o . ?via rdfs:subPropertyOf ?p FILTER NOT EXISTS { ?s ?p ?o } }");
    assert_eq!(unstated, 0);
}

fn report(store: &GraphStore, name: &str) -> serde_json::Value {
    let ConceptResolution::Found { concept, .. } = lookup::resolve_concept(store, name).unwrap() else { panic!("{name}") };
    serde_json::to_value(lookup::concept_report(store, &concept).unwrap()).unwrap()
}

#[test]
fn concept_lookups_after_append_equal_a_build_of_everything() {
    let dir = tempfile::tempdir().unwrap();
    let (grown, whole) = (store_in(dir.path(), "grown"), store_in(dir.path(), "whole"));
    build(&[listing(0)], &grown, Provenance::Compact);
    let before = report(&grown, "KV cache");
    build(&[listing(1)], &grown, Provenance::Compact);
    build(&[listing(0), listing(1)], &whole, Provenance::Compact);
    let after = report(&grown, "KV cache");
    assert!(after["paper_count"].as_u64() > before["paper_count"].as_u64(), "the second page adds KV-cache papers");
    let mamba = report(&grown, "mamba");
    let names = ["KV cache", "mamba", "large language model", "segment anything", "memory", "mixture of experts", "attention"];
    for name in names {
        assert_eq!(report(&grown, name), report(&whole, name), "{name}");
    }
    let methods = |store: &GraphStore| names.iter().map(|name| report(store, name)["methods"].as_array().unwrap().len()).sum::<usize>();
    assert!(methods(&grown) > 0, "the reports compared list methods");
    // Appending a page again changes nothing; the saved table and a recount from the store agree.
    build(&[listing(1)], &grown, Provenance::Compact);
    assert_eq!(report(&grown, "KV cache"), after);
    std::fs::remove_file(grown.path.join("papergraph-papers.bin")).unwrap();
    build(&[listing(1)], &grown, Provenance::Compact);
    assert_eq!(report(&grown, "KV cache"), after);
    // Papers on both pages (Vision Mamba) count once and list both pages.
    let papers = mamba["papers"].as_array().unwrap();
    let distinct: BTreeSet<&str> = papers.iter().map(|p| p["iri"].as_str().unwrap()).collect();
    assert_eq!(distinct.len(), papers.len());
    assert_eq!(mamba["paper_count"].as_u64().unwrap() as usize, papers.len());
    assert!(papers.iter().any(|p| p["listings"].as_array().unwrap().len() == 2), "a paper on both pages lists both");
}

#[test]
fn statistics_agree_with_counting_at_query_time() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path(), "store");
    build(&[listings_dir()], &store, Provenance::Compact);
    let Answer::Solutions { rows, .. } = query::run(
        &store,
        "SELECT ?concept ?stored (COUNT(DISTINCT ?paper) AS ?counted) WHERE {
           GRAPH pgid:statistics { ?concept pg:paperCount ?stored }
           ?c skos:broader* ?concept . ?paper schema:mentions ?c
         } GROUP BY ?concept ?stored",
        "t",
    )
    .unwrap() else {
        panic!()
    };
    assert!(rows.len() > 100, "{} concepts with statistics", rows.len());
    for row in &rows {
        assert_eq!(query::plain_value(&row[1]), query::plain_value(&row[2]), "{:?}", row[0]);
    }
    let wrong = count(
        &store,
        "SELECT (COUNT(*) AS ?n) WHERE {
           GRAPH pgid:statistics { ?pair pg:concept ?a, ?b ; pg:papers ?stored FILTER(STR(?a) < STR(?b)) }
           { SELECT ?a ?b (COUNT(DISTINCT ?p) AS ?counted) WHERE { ?p schema:mentions ?a, ?b } GROUP BY ?a ?b }
           FILTER(?stored != ?counted)
         }",
    );
    assert_eq!(wrong, 0);
    let pairs = count(&store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH pgid:statistics { ?pair a pg:ConceptPair } }");
    assert!(pairs > 50, "{pairs} pairs");

    // Every concept lists the methods a join through skos:broader* finds, in the same order.
    let Answer::Solutions { rows, .. } =
        query::run(&store, "SELECT ?concept ?stored WHERE { ?concept a skos:Concept GRAPH pgid:statistics { ?concept pg:conceptMethods ?stored } }", "t").unwrap()
    else {
        panic!()
    };
    assert_eq!(rows.len() as u64, count(&store, "SELECT (COUNT(*) AS ?n) WHERE { ?c a skos:Concept }"), "every concept has its list");
    let (mut listing, mut through_narrower) = (0, 0);
    for row in &rows {
        let stored: Vec<serde_json::Value> = serde_json::from_str(&query::plain_value(&row[1])).unwrap();
        let stored: Vec<(String, String, Option<String>)> = stored
            .iter()
            .map(|m| (m["iri"].as_str().unwrap().to_owned(), m["name"].as_str().unwrap().to_owned(), m["long_name"].as_str().map(str::to_owned)))
            .collect();
        let joined: Vec<(String, String, Option<String>)> = query::select(
            &store,
            "SELECT DISTINCT ?m ?name ?long ?concept WHERE { ?c skos:broader* ?concept . ?m dcterms:subject ?c ; a pg:Method ; schema:name ?name
               OPTIONAL { ?m schema:alternateName ?long } } ORDER BY ?name (STR(?m)) ?long LIMIT 100",
            "t",
            &[(oxigraph::model::Variable::new_unchecked("concept"), row[0].clone().unwrap())],
        )
        .unwrap()
        .iter()
        .map(|r| (query::plain_value(&r[0]), query::plain_value(&r[1]), r[2].as_ref().map(|_| query::plain_value(&r[2]))))
        .collect();
        assert_eq!(stored, joined, "{:?}", row[0]);
        listing += usize::from(!stored.is_empty());
        let concept = row[0].clone().unwrap();
        let own = count(&store, &format!("SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {{ ?m dcterms:subject {concept} }}"));
        through_narrower += usize::from(stored.len() as u64 > own);
    }
    assert!(listing > 10 && through_narrower > 3, "{listing} concepts list methods, {through_narrower} through narrower ones");
}

/// Every concept, paper and repository lookup on the bundled data, as a digest of its JSON,
/// against `tests/fixtures/lookups-bundled.tsv` (recorded with the store built before compact
/// provenance and the statistics graph, and checked equal to its answers). After a deliberate
/// change, `PAPERGRAPH_BLESS=1 cargo test --release lookups_on_the_bundled` records the new answers.
#[test]
fn lookups_on_the_bundled_data_answer_as_recorded() {
    use sha2::{Digest, Sha256};

    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path(), "store");
    build(&[listings_dir()], &store, Provenance::Compact);
    let column = |sparql: &str| -> Vec<String> {
        let Answer::Solutions { rows, .. } = query::run(&store, sparql, "t").unwrap() else { panic!() };
        rows.iter().map(|r| query::plain_value(&r[0])).collect()
    };
    let digest = |value: serde_json::Value| format!("{:x}", Sha256::digest(value.to_string()));
    let mut answers = Vec::new();
    for concept in column("SELECT ?c WHERE { ?c a skos:Concept } ORDER BY ?c") {
        answers.push(format!("concept\t{concept}\t{}", digest(report(&store, &concept))));
    }
    for paper in column("SELECT ?p WHERE { ?p a schema:ScholarlyArticle } ORDER BY ?p") {
        let found = lookup::find_papers(&store, &paper, 1).unwrap();
        assert_eq!(found.count, 1, "{paper}");
        let json = serde_json::json!({ "paper": found.papers[0], "evidence": lookup::evidence(&store, &paper).unwrap() });
        answers.push(format!("paper\t{paper}\t{}", digest(json)));
    }
    for repo in column("SELECT ?url WHERE { ?r a schema:SoftwareSourceCode ; schema:codeRepository ?url } ORDER BY ?url") {
        let report = lookup::repo_report(&store, &repo).unwrap().expect("a stored repository is found");
        answers.push(format!("repo\t{repo}\t{}", digest(serde_json::to_value(report).unwrap())));
    }
    let recorded = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lookups-bundled.tsv");
    if std::env::var_os("PAPERGRAPH_BLESS").is_some() {
        std::fs::write(&recorded, answers.join("\n") + "\n").unwrap();
    }
    let expected: Vec<String> = std::fs::read_to_string(&recorded).unwrap().lines().map(str::to_owned).collect();
    assert_eq!(answers.len(), 243 + 136 + 54);
    let changed: Vec<&String> = answers.iter().filter(|a| !expected.contains(a)).collect();
    assert!(changed.is_empty(), "{} lookups answer differently than recorded: {changed:#?}", changed.len());
}

/// The title-word index finds, for every word of every title and every pair of neighbouring
/// words, the papers that reading every title finds: after a build and after an append.
#[test]
fn title_word_lookups_read_the_index_and_find_what_scanning_the_titles_finds() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path(), "store");
    build(&[listing(0)], &store, Provenance::Compact);
    let (first_queries, first_words) = title_index_agrees_with_scanning(&store);
    build(&[listing(1)], &store, Provenance::Compact);
    let (second_queries, second_words) = title_index_agrees_with_scanning(&store);
    assert!(second_queries > first_queries, "{second_queries} queries after the append, {first_queries} before");
    let new_word = second_words.difference(&first_words).next().expect("the second page brings new title words");
    let index = TitleIndex::open(&store.path).unwrap().unwrap();
    assert!(!index.papers_with(&[new_word.as_str()]).unwrap().is_empty(), "{new_word}");
    // Through the lookup, as users ask: title words in any case and punctuation.
    let found = lookup::find_papers(&store, "vision MAMBA:", 100).unwrap();
    assert!(found.papers.iter().any(|p| p.title.starts_with("Vision Mamba")), "{found:?}");
    // A common word: every match counted, only the first read, in order of normalized title.
    let common = most_common_title_word(&store);
    let everything = lookup::find_papers(&store, &common, usize::MAX).unwrap();
    let first = lookup::find_papers(&store, &common, 3).unwrap();
    assert!(everything.count > 3, "{common}: {everything:?}");
    assert_eq!((first.count, everything.papers.len()), (everything.count, everything.count), "{common}");
    assert_eq!(first.papers, everything.papers[..3], "{common}");
    let keys: Vec<(String, &str)> = everything.papers.iter().map(|p| (normalize_title(&p.title), p.iri.as_str())).collect();
    assert!(keys.windows(2).all(|w| w[0] <= w[1]), "{keys:?}");
    let mut by_scan: Vec<String> = lookup::papers_with_title_words_by_scan(&store, &[&common]).unwrap().into_iter().map(|p| p.iri).collect();
    let mut found: Vec<String> = everything.papers.into_iter().map(|p| p.iri).collect();
    (by_scan.sort(), found.sort());
    assert_eq!(found, by_scan);
}

/// The title word the most papers' titles hold.
fn most_common_title_word(store: &GraphStore) -> String {
    let Answer::Solutions { rows, .. } = query::run(store, "SELECT DISTINCT ?p ?k WHERE { ?p pg:titleKey ?k }", "t").unwrap() else { panic!() };
    let mut papers: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for row in &rows {
        for word in query::plain_value(&row[1]).split(' ') {
            papers.entry(word.to_owned()).or_default().insert(query::plain_value(&row[0]));
        }
    }
    papers.into_iter().max_by_key(|(word, papers)| (papers.len(), std::cmp::Reverse(word.clone()))).unwrap().0
}

/// Checks every single-word and neighbouring-pair query; returns how many there were and the
/// words.
fn title_index_agrees_with_scanning(store: &GraphStore) -> (usize, BTreeSet<String>) {
    let index = TitleIndex::open(&store.path).unwrap().expect("every build saves a title index");
    let Answer::Solutions { rows, .. } = query::run(store, "SELECT ?k WHERE { ?p pg:titleKey ?k }", "t").unwrap() else { panic!() };
    let keys: Vec<String> = rows.iter().map(|r| query::plain_value(&r[0])).collect();
    let words: BTreeSet<String> = keys.iter().flat_map(|k| k.split(' ').map(str::to_owned)).collect();
    let pairs = keys.iter().flat_map(|k| k.split(' ').collect::<Vec<_>>().windows(2).map(|w| w.join(" ")).collect::<Vec<_>>());
    let queries: BTreeSet<String> = words.iter().cloned().chain(pairs).collect();
    for q in &queries {
        let words: Vec<&str> = q.split(' ').collect();
        let mut by_index: Vec<String> = index.papers_with(&words).unwrap().iter().map(|p| index.iri(p).unwrap()).collect();
        by_index.sort();
        let mut by_scan: Vec<String> = lookup::papers_with_title_words_by_scan(store, &words).unwrap().into_iter().map(|p| p.iri).collect();
        by_scan.sort();
        assert!(!by_scan.is_empty(), "{q}");
        assert_eq!(by_index, by_scan, "{q}");
    }
    (queries.len(), words)
}
