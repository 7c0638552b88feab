//! From papers and extracted facts to RDF quads (all in the default graph).
//!
//! Each fact is written twice: as a direct edge that queries use (`paper schema:mentions
//! concept`), and as a `pg:Evidence` record holding its provenance (listing, field, span,
//! matched text, extractor, confidence). Both have deterministic IRIs, so loading the same
//! input twice adds nothing.

pub mod iri;
pub mod vocab;

use oxigraph::model::{GraphName, Literal, NamedNode, NamedNodeRef, Quad, Term, Triple};

use crate::extract::{
    Extractor, LinkTarget, PaperFacts, ACRONYM_FINDER, CONCEPT_MATCHER, DATASET_MATCHER, EXTRACTORS,
    LINK_FINDER, PROPOSAL_FINDER,
};
use crate::extract::{Repository, CODE_LINK_READER};
use crate::model::{CodeLink, Field, Listing, Paper};
use vocab::*;

/// Accumulates quads for the default graph.
#[derive(Default)]
pub struct QuadSink {
    pub quads: Vec<Quad>,
}

impl QuadSink {
    fn add(&mut self, subject: &NamedNode, predicate: NamedNodeRef<'_>, object: impl Into<Term>) {
        self.quads.push(Quad::new(subject.clone(), predicate, object, GraphName::DefaultGraph));
    }
}

/// Curated knowledge (the taxonomy, the dataset list) as stored: its own triples.
pub fn default_graph_quads(triples: &[Triple]) -> Vec<Quad> {
    triples.iter().map(|t| t.clone().in_graph(GraphName::DefaultGraph)).collect()
}

/// The extractors as PROV software agents.
pub fn extractor_quads() -> Vec<Quad> {
    let mut sink = QuadSink::default();
    for name in EXTRACTORS {
        let agent = iri::extractor(name);
        sink.add(&agent, RDF_TYPE, PROV_SOFTWARE_AGENT);
        sink.add(&agent, SCHEMA_NAME, Literal::new_simple_literal(name));
    }
    sink.quads
}

/// A listing page and its date.
pub fn listing_quads(listing: &Listing, sink: &mut QuadSink) {
    let node = iri::listing(&listing.name);
    sink.add(&node, RDF_TYPE, PG_LISTING);
    sink.add(&node, DCTERMS_SOURCE, Literal::new_simple_literal(&listing.name));
    if let Some(date) = &listing.date {
        sink.add(&node, DCTERMS_DATE, Literal::new_simple_literal(date));
    }
}

/// A paper, the facts extracted from it, and their evidence.
pub fn paper_quads(paper: &Paper, facts: &PaperFacts, extractor: &Extractor<'_>, sink: &mut QuadSink) {
    let node = iri::paper(paper);
    let listing = iri::listing(&paper.source.name);
    sink.add(&node, DCTERMS_TITLE, Literal::new_simple_literal(&paper.title));
    sink.add(&node, DCTERMS_ABSTRACT, Literal::new_simple_literal(&paper.abstract_text));
    sink.add(&node, PG_LISTED_IN, listing.clone());
    paper_identity_quads(&node, paper.arxiv_id.as_deref(), Some(&paper.title), sink);
    if let Some(date) = &paper.date {
        sink.add(&node, DCTERMS_DATE, Literal::new_typed_literal(date, oxigraph::model::vocab::xsd::DATE));
    }
    for name in &paper.authors {
        let person = iri::person(name);
        sink.add(&node, SCHEMA_AUTHOR, person.clone());
        sink.add(&person, RDF_TYPE, SCHEMA_PERSON);
        sink.add(&person, SCHEMA_NAME, Literal::new_simple_literal(name));
    }
    for code in &paper.categories {
        let category = iri::category(code);
        sink.add(&node, PG_CATEGORY, category.clone());
        sink.add(&category, RDF_TYPE, PG_CATEGORY_CLASS);
        sink.add(&category, SCHEMA_NAME, Literal::new_simple_literal(code));
    }

    let mut evidence = |predicate: NamedNodeRef<'_>, object: &Term, span: Span<'_>| {
        let start = span.start.to_string();
        let record = iri::evidence(&[node.as_str(), predicate.as_str(), &object.to_string(), &paper.source.name, span.field.as_str(), &start]);
        let found = Found { extractor: span.extractor, line: paper.line_of(span.field), confidence: span.confidence };
        fact_with_evidence(&record, &node, predicate, object, &listing, found, sink);
        sink.add(&record, PG_FIELD, Literal::new_simple_literal(span.field.as_str()));
        sink.add(&record, PG_START, Literal::from(span.start as u64));
        sink.add(&record, PG_END, Literal::from(span.end as u64));
        sink.add(&record, PG_MATCHED_TEXT, Literal::new_simple_literal(span.text));
    };

    for m in &facts.mentions {
        let concept = Term::from(extractor.taxonomy.concepts[m.entry].iri.clone());
        let span = Span { extractor: CONCEPT_MATCHER, field: m.field, start: m.start, end: m.end, text: &m.text, confidence: m.confidence };
        evidence(SCHEMA_MENTIONS, &concept, span);
    }
    for m in &facts.datasets {
        let dataset = Term::from(extractor.datasets.datasets[m.entry].iri.clone());
        let span = Span { extractor: DATASET_MATCHER, field: m.field, start: m.start, end: m.end, text: &m.text, confidence: m.confidence };
        evidence(PG_EVALUATED_ON, &dataset, span);
    }
    let mut methods = Vec::new();
    for d in &facts.definitions {
        let a = &d.acronym;
        let method = iri::method(&a.short, Some(&a.long));
        let text = a.text(paper.text(a.field));
        let span = Span { extractor: ACRONYM_FINDER, field: a.field, start: a.start, end: a.end, text: &text, confidence: ACRONYM_CONFIDENCE };
        evidence(PG_DEFINES, &method.clone().into(), span);
        methods.push((method, a.short.clone(), Some(a.long.clone()), d.concepts.clone()));
    }
    for p in &facts.proposals {
        let defined = facts.definitions.iter().find(|d| d.acronym.short == p.name).map(|d| d.acronym.long.as_str());
        let method = iri::method(&p.name, defined);
        let text: String = paper.text(p.field).chars().skip(p.start).take(p.end - p.start).collect();
        let span = Span { extractor: PROPOSAL_FINDER, field: p.field, start: p.start, end: p.end, text: &text, confidence: p.confidence };
        evidence(PG_PROPOSES, &method.clone().into(), span);
        if defined.is_none() {
            methods.push((method, p.name.clone(), None, Vec::new()));
        }
    }
    let mut repos = Vec::new();
    for link in &facts.links {
        let span = Span { extractor: LINK_FINDER, field: link.field, start: link.start, end: link.end, text: &link.text, confidence: 1.0 };
        match &link.target {
            LinkTarget::Repository(repo) => {
                let repo_node = iri::repository(repo);
                evidence(PG_HAS_CODE, &repo_node.clone().into(), span);
                repos.push((repo_node, repo));
            }
            LinkTarget::Page(url) => {
                if let Ok(page) = NamedNode::new(url) {
                    evidence(RDFS_SEE_ALSO, &page.into(), span);
                }
            }
        }
    }
    for (method, short, long, concepts) in methods {
        sink.add(&method, RDF_TYPE, PG_METHOD);
        sink.add(&method, SCHEMA_NAME, Literal::new_simple_literal(short));
        if let Some(long) = long {
            sink.add(&method, SCHEMA_ALTERNATE_NAME, Literal::new_simple_literal(long));
        }
        for concept in concepts {
            sink.add(&method, DCTERMS_SUBJECT, extractor.taxonomy.concepts[concept].iri.clone());
        }
    }
    for (repo_node, repo) in repos {
        repository_quads(&repo_node, repo, sink);
    }
}

/// The arXiv id and title key every paper node carries, whatever its source.
fn paper_identity_quads(node: &NamedNode, arxiv_id: Option<&str>, title: Option<&str>, sink: &mut QuadSink) {
    sink.add(node, RDF_TYPE, SCHEMA_SCHOLARLY_ARTICLE);
    if let Some(title) = title {
        sink.add(node, PG_TITLE_KEY, Literal::new_simple_literal(iri::normalize_title(title)));
    }
    if let Some(id) = arxiv_id {
        sink.add(node, DCTERMS_IDENTIFIER, Literal::new_simple_literal(format!("arXiv:{id}")));
    }
}

fn repository_quads(node: &NamedNode, repo: &Repository, sink: &mut QuadSink) {
    sink.add(node, RDF_TYPE, SCHEMA_SOFTWARE_SOURCE_CODE);
    sink.add(node, SCHEMA_NAME, Literal::new_simple_literal(repo.full_name()));
    sink.add(node, SCHEMA_PROVIDER, Literal::new_simple_literal(&repo.host));
    if let Ok(url) = NamedNode::new(repo.url()) {
        sink.add(node, SCHEMA_CODE_REPOSITORY, url);
    }
}

/// A Papers-with-Code link: paper `pg:hasCode` repository, with evidence pointing at the file
/// and line (no text span: the link is the record). Links to pages that are not repositories
/// become `rdfs:seeAlso`. A link naming neither an arXiv id nor a title is skipped.
pub fn code_link_quads(link: &CodeLink, sink: &mut QuadSink) {
    let (arxiv_id, title) = (link.arxiv_id.as_deref(), link.title.as_deref());
    if arxiv_id.is_none() && title.is_none() {
        return;
    }
    let node = iri::paper_by(arxiv_id, title.unwrap_or_default());
    paper_identity_quads(&node, arxiv_id, title, sink);
    if let Some(title) = title {
        sink.add(&node, DCTERMS_TITLE, Literal::new_simple_literal(title));
    }
    let (predicate, object): (NamedNodeRef<'_>, Term) = match crate::extract::classify_url(&link.url) {
        Some(LinkTarget::Repository(repo)) => {
            let repo_node = iri::repository(&repo);
            repository_quads(&repo_node, &repo, sink);
            (PG_HAS_CODE, repo_node.into())
        }
        Some(LinkTarget::Page(url)) => match NamedNode::new(url) {
            Ok(page) => (RDFS_SEE_ALSO, page.into()),
            Err(_) => return,
        },
        None => return,
    };
    let listing = iri::listing(&link.source.name);
    let line = link.line.to_string();
    let record = iri::evidence(&[node.as_str(), predicate.as_str(), &object.to_string(), &link.source.name, &line]);
    let found = Found { extractor: CODE_LINK_READER, line: link.line, confidence: if link.official == Some(false) { 0.8 } else { 1.0 } };
    fact_with_evidence(&record, &node, predicate, &object, &listing, found, sink);
}

/// Who found a fact, on which line of its source, and how sure it is.
struct Found {
    extractor: &'static str,
    line: usize,
    confidence: f64,
}

/// The fact `subject predicate object`, and its evidence `record`: the fact it supports, the
/// source file, extractor, line and confidence. Text spans are the caller's to add.
fn fact_with_evidence(
    record: &NamedNode,
    subject: &NamedNode,
    predicate: NamedNodeRef<'_>,
    object: &Term,
    listing: &NamedNode,
    found: Found,
    sink: &mut QuadSink,
) {
    sink.add(subject, predicate, object.clone());
    sink.add(record, RDF_TYPE, PG_EVIDENCE);
    sink.add(record, PG_SUBJECT, subject.clone());
    sink.add(record, PG_PREDICATE, predicate);
    sink.add(record, PG_OBJECT, object.clone());
    sink.add(record, PROV_WAS_DERIVED_FROM, listing.clone());
    sink.add(record, PROV_WAS_GENERATED_BY, iri::extractor(found.extractor));
    sink.add(record, PG_LINE, Literal::from(found.line as u64));
    sink.add(record, PG_CONFIDENCE, Literal::from(found.confidence));
}

/// Confidence of an acronym definition (the Schwartz & Hearst match is strict).
const ACRONYM_CONFIDENCE: f64 = 0.9;

/// Where a fact was found.
struct Span<'a> {
    extractor: &'static str,
    field: Field,
    start: usize,
    end: usize,
    text: &'a str,
    confidence: f64,
}
