//! Property tests of the readers, the extractors and the quads: on arbitrary bytes and on
//! well-formed inputs holding arbitrary text, no reader or extractor panics, every span lies
//! inside its field and holds the text it claims, every minted IRI parses, and every quad
//! round-trips through N-Quads.
//!
//! CI runs `PAPERGRAPH_FUZZ_CASES` cases per property (64 by default); a longer run:
//! `PAPERGRAPH_FUZZ_CASES=20000 cargo test --release --test it fuzz`.

use std::io::Write;
use std::sync::LazyLock;

use oxigraph::io::{RdfFormat, RdfParser, RdfSerializer};
use oxigraph::model::{GraphName, NamedNode, NamedOrBlankNode, Quad, QuadRef, Term};
use proptest::prelude::*;

use papergraph::extract::Extractor;
use papergraph::ingest::{self, Ingested};
use papergraph::model::{Field, Paper};
use papergraph::pipeline::Knowledge;
use papergraph::rdf::{self, Provenance, QuadSink};

static KNOWLEDGE: LazyLock<Knowledge> = LazyLock::new(Knowledge::bundled);
static EXTRACTOR: LazyLock<Extractor<'static>> = LazyLock::new(|| Extractor::new(&KNOWLEDGE.taxonomy, &KNOWLEDGE.datasets));

fn config() -> ProptestConfig {
    let cases = std::env::var("PAPERGRAPH_FUZZ_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(64);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

/// Reads `bytes` as a file named `name` (gzipped too), then extracts and checks every paper;
/// returns the papers read.
fn read_and_check(name: &str, bytes: &[u8]) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let read = ingest::read_inputs(&[path]);
    check(&read);
    let gzipped = dir.path().join(format!("{name}.gz"));
    let mut encoder = flate2::write::GzEncoder::new(std::fs::File::create(&gzipped).unwrap(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap();
    let unzipped = ingest::read_inputs(&[gzipped]);
    check(&unzipped);
    assert_eq!(unzipped.papers.len(), read.papers.len(), "gzip changes what is read");
    read.papers.len()
}

fn check(read: &Ingested) {
    for problem in &read.problems {
        assert!(!problem.to_string().is_empty());
    }
    for paper in &read.papers {
        check_paper(paper);
    }
}

/// A span of character offsets lies inside its field and holds `text`.
fn check_span(paper: &Paper, field: Field, start: usize, end: usize, text: &str, what: &str) {
    let field_text = paper.text(field);
    assert!(start <= end && end <= field_text.chars().count(), "{what} span {start}..{end} outside the {} field", field.as_str());
    let spanned: String = field_text.chars().skip(start).take(end - start).collect();
    assert_eq!(spanned, text, "{what} span {start}..{end} does not hold its text");
}

fn check_paper(paper: &Paper) {
    let facts = EXTRACTOR.extract(paper);
    for m in facts.mentions.iter().chain(&facts.datasets) {
        check_span(paper, m.field, m.start, m.end, &m.text, "mention");
    }
    for link in &facts.links {
        check_span(paper, link.field, link.start, link.end, &link.text, "link");
    }
    for proposal in &facts.proposals {
        let text: String = paper.text(proposal.field).chars().skip(proposal.start).take(proposal.end - proposal.start).collect();
        check_span(paper, proposal.field, proposal.start, proposal.end, &text, "proposal");
    }
    for definition in &facts.definitions {
        let acronym = &definition.acronym;
        check_span(paper, acronym.field, acronym.start, acronym.end, acronym.text(paper.text(acronym.field)), "acronym");
    }
    for provenance in [Provenance::Compact, Provenance::Full] {
        let mut sink = QuadSink::default();
        rdf::listing_quads(&paper.source, &mut sink);
        rdf::paper_quads(paper, &facts, &EXTRACTOR, provenance, &mut sink);
        let quads: Vec<Quad> = sink.quads.iter().chain(sink.shared.iter()).map(QuadRef::into_owned).collect();
        for quad in &quads {
            check_iris(quad);
        }
        round_trip(&quads);
    }
}

/// Every IRI of the quad parses as an IRI again.
fn check_iris(quad: &Quad) {
    let mut iris = vec![quad.predicate.as_str()];
    if let NamedOrBlankNode::NamedNode(n) = &quad.subject {
        iris.push(n.as_str());
    }
    if let Term::NamedNode(n) = &quad.object {
        iris.push(n.as_str());
    }
    if let GraphName::NamedNode(n) = &quad.graph_name {
        iris.push(n.as_str());
    }
    for iri in iris {
        assert!(NamedNode::new(iri).is_ok(), "minted IRI does not parse: {iri:?}");
    }
}

/// The quads written as N-Quads and parsed back are the same quads.
fn round_trip(quads: &[Quad]) {
    let mut serializer = RdfSerializer::from_format(RdfFormat::NQuads).for_writer(Vec::new());
    for quad in quads {
        serializer.serialize_quad(quad).unwrap();
    }
    let text = serializer.finish().unwrap();
    let parsed: Vec<Quad> = RdfParser::from_format(RdfFormat::NQuads)
        .for_slice(&text)
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("our N-Quads do not parse: {e}\n{}", String::from_utf8_lossy(&text)));
    assert_eq!(parsed, quads, "quads change through N-Quads");
}

/// An abstract's first sentence: readers take a record for a paper only with an abstract.
const OPENING: &str = "We study how the KV cache of large language models grows with context length, \
    and we propose a method that compresses it without retraining the model. ";

/// Text made of words the extractors react to, arbitrary Unicode, URLs and punctuation.
fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => "\\PC{0,12}",
        2 => prop::sample::select(vec![
            "KV cache", "key-value (KV) cache", "large language models (LLMs)", "Mamba", "mixture of experts",
            "We propose ", "FooNet", "(FN)", "ImageNet", "diffusion model", "quantization", "LoRA", "ViT-B/16",
        ])
        .prop_map(str::to_owned),
        1 => "https?://(github\\.com|gitee\\.com|huggingface\\.co|example\\.org)/[\\PC&&[^ ]]{0,20}",
        1 => prop::sample::select(vec![" ", ". ", ", ", "\n", "\t", "\u{202e}", "\u{200b}", "\u{0}", "{", "}", "\\", "\"", ">", "<"]).prop_map(str::to_owned),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_never_panic_a_reader(bytes in prop::collection::vec(any::<u8>(), 0..512), first in prop::sample::select(vec![b'{', b'[', b'<', b'T', 0x1f])) {
        let mut input = vec![first];
        input.extend(bytes);
        read_and_check("input", &input);
    }

    #[test]
    fn json_lines_with_arbitrary_text(title in text(), abstract_text in text(), id in "([0-9]{4}\\.[0-9]{4,5}|(cs|hep-th)/[0-9]{7})(v[0-9])?", authors in text()) {
        let line = serde_json::json!({ "id": id, "title": format!("A {title}"), "abstract": format!("{OPENING}{abstract_text}"), "authors": authors, "categories": "cs.LG" });
        let papers = read_and_check("arxiv.jsonl", format!("{line}\n{line}\n{{\"id\": 1}}\n").as_bytes());
        prop_assert!(papers >= 1);
    }

    #[test]
    fn papers_with_code_with_arbitrary_text(title in text(), abstract_text in text(), url in text()) {
        let entry = serde_json::json!({ "paper_url": url, "arxiv_id": null, "title": format!("A {title}"), "abstract": format!("{OPENING}{abstract_text}"), "url_abs": url, "date": "2024-01-01" });
        let papers = read_and_check("pwc.json", format!("[{entry}, {entry}]").as_bytes());
        prop_assert!(papers >= 1);
    }

    #[test]
    fn atom_with_arbitrary_text(title in text(), summary in text()) {
        let escape = |s: &str| s.chars().filter(|c| !c.is_control() || *c == '\n').collect::<String>().replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        let feed = format!(
            "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><id>http://arxiv.org/abs/2401.00001v1</id>\
             <title>A {}</title><summary>{OPENING}{}</summary><author><name>A. Author</name></author></entry></feed>",
            escape(&title), escape(&summary)
        );
        prop_assert_eq!(read_and_check("feed.xml", feed.as_bytes()), 1);
    }

    #[test]
    fn listing_pages_with_arbitrary_text(title in text(), abstract_text in text()) {
        let page = format!(
            "Trending Papers\n\nMar 13\n\nA Fixed Paper on Caches\n\n{OPENING}\n\nA {}\n\n{OPENING}{}\n",
            title.replace('\n', " "),
            abstract_text.replace('\n', " ")
        );
        let papers = read_and_check("listing.txt", page.as_bytes());
        prop_assert!(papers >= 1);
    }
}
