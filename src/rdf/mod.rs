//! From papers and extracted facts to RDF quads (all in the default graph).
//!
//! Each fact is a direct edge that queries use (`paper schema:mentions concept`), in the
//! default graph; its provenance (listing, extractor, confidence, and each occurrence's line,
//! field, span and matched text) is stored as [`Provenance`] says. Everything has a
//! deterministic IRI or value, so loading the same input twice adds nothing.

pub mod iri;
pub mod occurrences;
pub mod quads;
pub mod vocab;

use std::cell::RefCell;
use std::collections::BTreeSet;

use oxigraph::model::{GraphNameRef, Literal, LiteralRef, NamedNode, NamedNodeRef, QuadRef, TermRef, Triple};
use xxhash_rust::xxh3::Xxh3;

use crate::extract::{
    Extractor, LinkTarget, PaperFacts, ACRONYM_FINDER, CONCEPT_MATCHER, DATASET_MATCHER, EXTRACTORS,
    LINK_FINDER, PROPOSAL_FINDER,
};
use crate::extract::{Definition, Link, Proposal, Repository, CODE_LINK_READER};
use crate::model::{CodeLink, Field, Listing, Paper};
pub use quads::Quads;
use vocab::*;

/// Accumulates quads: those about the record itself, those describing nodes many records share
/// (authors, categories, methods, repositories: the caller may drop the ones it has already
/// written), and the fact sources they use (described once per listing by the caller).
#[derive(Default)]
pub struct QuadSink {
    pub quads: Quads,
    pub shared: Quads,
    /// A 128-bit hash of each shared quad's parts, which identifies it when a build drops repeats.
    pub shared_keys: Vec<u128>,
    pub fact_sources: BTreeSet<FactSource>,
    /// Where the record is in a build, when the sink may skip shared quads this thread already
    /// made for an earlier chunk of the same build (see [`SharedAt`]).
    at: Option<SharedAt>,
}

/// A chunk of a build. Chunks of one build are made one after the other, so a shared quad a
/// thread made for an earlier chunk has been handed to the build's writer already: making it
/// again would only cost allocations and hashing, then be dropped as a duplicate. Quads made
/// for the current chunk are made again: the writer keeps the first one in input order, so the
/// output does not depend on which thread made what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SharedAt {
    /// Distinct for every build in the process.
    pub build: u64,
    /// Increasing within a build, from 1.
    pub chunk: u64,
}

/// The object of a shared quad, made only when the quad is.
#[derive(Clone, Copy)]
enum Object<'a> {
    Node(NamedNodeRef<'a>),
    Text(&'a str),
}

/// The shared quads this thread made lately, each with the chunk it was first made for: a
/// direct-mapped table of hashes, small enough to stay in a core's cache. A quad whose slot a
/// later one took is made again, and dropped by the build's writer.
struct SharedMade {
    build: Option<u64>,
    /// (hash, chunk); chunk 0 (chunks count from 1) marks an empty slot.
    slots: Box<[(u128, u64)]>,
}

/// Slots of [`SharedMade`] (32 bytes each).
const SHARED_MADE_SLOTS: usize = 1 << 14;

thread_local! {
    static SHARED_MADE: RefCell<SharedMade> = RefCell::new(SharedMade { build: None, slots: vec![(0, 0); SHARED_MADE_SLOTS].into_boxed_slice() });
}

impl QuadSink {
    /// A sink with room for a typical paper's quads (about 40 with 4 KB of text, and 15
    /// shared), so that building them does not copy what was made so far as the buffers grow;
    /// `at`: see [`SharedAt`].
    pub fn for_record(at: Option<SharedAt>) -> Self {
        QuadSink {
            quads: Quads::with_capacity(48, 4096),
            shared: Quads::with_capacity(16, 512),
            shared_keys: Vec::with_capacity(16),
            fact_sources: BTreeSet::new(),
            at,
        }
    }

    fn add<'a>(&mut self, subject: impl Into<NamedNodeRef<'a>>, predicate: NamedNodeRef<'static>, object: impl Into<TermRef<'a>>) {
        self.quads.push(subject.into(), predicate, object);
    }

    fn add_shared(&mut self, subject: &NamedNode, predicate: NamedNodeRef<'static>, object: Object<'_>) {
        let key = shared_key(subject.as_str(), predicate.as_str(), object);
        if self.at.is_some_and(|at| made_before(at, key)) {
            return;
        }
        let object: TermRef<'_> = match object {
            Object::Node(node) => node.into(),
            Object::Text(text) => LiteralRef::new_simple_literal(text).into(),
        };
        self.shared.push(subject, predicate, object);
        self.shared_keys.push(key);
    }
}

/// The 128-bit XXH3 hash of a shared quad's parts (all shared quads are in the default graph).
fn shared_key(subject: &str, predicate: &str, object: Object<'_>) -> u128 {
    let mut hasher = Xxh3::new();
    let (tag, text) = match object {
        Object::Node(node) => (0, node.as_str()),
        Object::Text(text) => (1, text),
    };
    // 0xff never occurs in UTF-8: the parts cannot run into each other.
    for part in [subject.as_bytes(), &[0xff], predicate.as_bytes(), &[0xff, tag], text.as_bytes()] {
        hasher.update(part);
    }
    hasher.digest128()
}

/// Whether this thread made the shared quad `key` for an earlier chunk of the build `at` is in;
/// the quad is remembered as made now otherwise.
fn made_before(at: SharedAt, key: u128) -> bool {
    SHARED_MADE.with_borrow_mut(|made| {
        if made.build != Some(at.build) {
            made.build = Some(at.build);
            made.slots.fill((0, 0));
        }
        let slot = &mut made.slots[key as usize % SHARED_MADE_SLOTS];
        if slot.0 == key && slot.1 != 0 {
            return slot.1 < at.chunk;
        }
        *slot = (key, at.chunk);
        false
    })
}

/// Curated knowledge (the taxonomy, the dataset list) as stored: its own triples.
pub fn default_graph_quads(triples: &[Triple]) -> Quads {
    let mut quads = Quads::default();
    for triple in triples {
        quads.push_quad(triple.as_ref().in_graph(GraphNameRef::DefaultGraph));
    }
    quads
}

/// The extractors as PROV software agents.
pub fn extractor_quads() -> Quads {
    let mut sink = QuadSink::default();
    for name in EXTRACTORS {
        let agent = iri::extractor(name);
        sink.add(&agent, RDF_TYPE, PROV_SOFTWARE_AGENT);
        sink.add(&agent, SCHEMA_NAME, LiteralRef::new_simple_literal(name));
    }
    sink.quads
}

/// A listing page and its date.
pub fn listing_quads(listing: &Listing, sink: &mut QuadSink) {
    let node = iri::listing(&listing.name);
    sink.add(&node, RDF_TYPE, PG_LISTING);
    sink.add(&node, DCTERMS_SOURCE, LiteralRef::new_simple_literal(&listing.name));
    if let Some(date) = &listing.date {
        sink.add(&node, DCTERMS_DATE, LiteralRef::new_simple_literal(date));
    }
}

/// A paper, the facts extracted from it, and their provenance as `provenance` says.
pub fn paper_quads(paper: &Paper, facts: &PaperFacts, extractor: &Extractor<'_>, provenance: Provenance, sink: &mut QuadSink) {
    let node = iri::paper(paper);
    sink.add(&node, DCTERMS_TITLE, LiteralRef::new_simple_literal(&paper.title));
    sink.add(&node, DCTERMS_ABSTRACT, LiteralRef::new_simple_literal(&paper.abstract_text));
    sink.add(&node, PG_LISTED_IN, &iri::listing(&paper.source.name));
    paper_identity_quads(&node, paper.arxiv_id.as_deref(), Some(&paper.title), sink);
    if let Some(date) = &paper.date {
        sink.add(&node, DCTERMS_DATE, LiteralRef::new_typed_literal(date, oxigraph::model::vocab::xsd::DATE));
    }
    for name in &paper.authors {
        let person = iri::person(name);
        sink.add(&node, SCHEMA_AUTHOR, &person);
        sink.add_shared(&person, RDF_TYPE, Object::Node(SCHEMA_PERSON));
        sink.add_shared(&person, SCHEMA_NAME, Object::Text(name));
    }
    for code in &paper.categories {
        let category = iri::category(code);
        sink.add(&node, PG_CATEGORY, &category);
        sink.add_shared(&category, RDF_TYPE, Object::Node(PG_CATEGORY_CLASS));
        sink.add_shared(&category, SCHEMA_NAME, Object::Text(code));
    }

    // The IRIs minted for this paper come first: the occurrences borrow them.
    // A definition of a concept's own long form names the concept (a mention), not a method.
    let defined: Vec<(&Definition, NamedNode)> =
        facts.definitions.iter().filter(|d| d.known_concept.is_none()).map(|d| (d, iri::method(&d.acronym.short, Some(&d.acronym.long)))).collect();
    let proposed: Vec<(&Proposal, Option<&str>, NamedNode)> = facts
        .proposals
        .iter()
        .map(|p| {
            let long = facts.definitions.iter().find(|d| d.acronym.short == p.name).map(|d| d.acronym.long.as_str());
            (p, long, iri::method(&p.name, long))
        })
        .collect();
    let linked: Vec<(&Link, NamedNodeRef<'static>, NamedNode)> = facts
        .links
        .iter()
        .filter_map(|link| match &link.target {
            LinkTarget::Repository(repo) => Some((link, PG_HAS_CODE, iri::repository(repo))),
            LinkTarget::Page(url) => NamedNode::new(url).ok().map(|page| (link, RDFS_SEE_ALSO, page)),
        })
        .collect();

    let mut found = Vec::with_capacity(facts.mentions.len() + facts.datasets.len() + defined.len() + proposed.len() + linked.len());
    let mut occurrence = |predicate, object, extractor, field: Field, start, end, text, confidence| {
        let line = paper.line_of(field);
        found.push(Occurrence { predicate, object, extractor, confidence, line, span: Some(Span { field, start, end, text }) });
    };
    for m in &facts.mentions {
        let concept = extractor.taxonomy.concepts[m.entry].iri.as_ref();
        occurrence(SCHEMA_MENTIONS, concept, CONCEPT_MATCHER, m.field, m.start, m.end, m.text.as_str(), m.confidence);
    }
    for m in &facts.datasets {
        let dataset = extractor.datasets.datasets[m.entry].iri.as_ref();
        occurrence(PG_EVALUATED_ON, dataset, DATASET_MATCHER, m.field, m.start, m.end, m.text.as_str(), m.confidence);
    }
    for (d, method) in &defined {
        let a = &d.acronym;
        occurrence(PG_DEFINES, method.as_ref(), ACRONYM_FINDER, a.field, a.start, a.end, a.text(paper.text(a.field)), ACRONYM_CONFIDENCE);
    }
    for (p, _, method) in &proposed {
        occurrence(PG_PROPOSES, method.as_ref(), PROPOSAL_FINDER, p.field, p.start, p.end, paper.chars_of(p.field, p.start, p.end), p.confidence);
    }
    for (link, predicate, object) in &linked {
        occurrence(*predicate, object.as_ref(), LINK_FINDER, link.field, link.start, link.end, link.text.as_str(), 1.0);
    }
    facts_with_provenance(&node, &paper.source.name, &found, provenance, sink);
    for (d, method) in &defined {
        sink.add_shared(method, RDF_TYPE, Object::Node(PG_METHOD));
        sink.add_shared(method, SCHEMA_NAME, Object::Text(&d.acronym.short));
        sink.add_shared(method, SCHEMA_ALTERNATE_NAME, Object::Text(&d.acronym.long));
        for &concept in &d.concepts {
            sink.add_shared(method, DCTERMS_SUBJECT, Object::Node(extractor.taxonomy.concepts[concept].iri.as_ref()));
        }
    }
    for (p, _, method) in proposed.iter().filter(|(_, long, _)| long.is_none()) {
        sink.add_shared(method, RDF_TYPE, Object::Node(PG_METHOD));
        sink.add_shared(method, SCHEMA_NAME, Object::Text(&p.name));
    }
    for (link, _, node) in &linked {
        if let LinkTarget::Repository(repo) = &link.target {
            repository_quads(node, repo, sink);
        }
    }
}

/// The arXiv id and title key every paper node carries, whatever its source.
fn paper_identity_quads(node: &NamedNode, arxiv_id: Option<&str>, title: Option<&str>, sink: &mut QuadSink) {
    sink.add(node, RDF_TYPE, SCHEMA_SCHOLARLY_ARTICLE);
    if let Some(title) = title {
        sink.add(node, PG_TITLE_KEY, LiteralRef::new_simple_literal(&iri::normalize_title(title)));
    }
    if let Some(id) = arxiv_id {
        sink.add(node, DCTERMS_IDENTIFIER, LiteralRef::new_simple_literal(&format!("arXiv:{id}")));
    }
}

fn repository_quads(node: &NamedNode, repo: &Repository, sink: &mut QuadSink) {
    sink.add_shared(node, RDF_TYPE, Object::Node(SCHEMA_SOFTWARE_SOURCE_CODE));
    sink.add_shared(node, SCHEMA_NAME, Object::Text(&repo.full_name()));
    sink.add_shared(node, SCHEMA_PROVIDER, Object::Text(&repo.host));
    if let Ok(url) = NamedNode::new(repo.url()) {
        sink.add_shared(node, SCHEMA_CODE_REPOSITORY, Object::Node(url.as_ref()));
    }
}

/// A Papers-with-Code link: paper `pg:hasCode` repository, with provenance pointing at the file
/// and line (no text span: the link is the record). Links to pages that are not repositories
/// become `rdfs:seeAlso`. A link naming neither an arXiv id nor a title is skipped.
pub fn code_link_quads(link: &CodeLink, provenance: Provenance, sink: &mut QuadSink) {
    let (arxiv_id, title) = (link.arxiv_id.as_deref(), link.title.as_deref());
    if arxiv_id.is_none() && title.is_none() {
        return;
    }
    let node = iri::paper_by(arxiv_id, title.unwrap_or_default());
    paper_identity_quads(&node, arxiv_id, title, sink);
    if let Some(title) = title {
        sink.add(&node, DCTERMS_TITLE, LiteralRef::new_simple_literal(title));
    }
    let (predicate, object): (NamedNodeRef<'static>, NamedNode) = match crate::extract::classify_url(&link.url) {
        Some(LinkTarget::Repository(repo)) => {
            let repo_node = iri::repository(&repo);
            repository_quads(&repo_node, &repo, sink);
            (PG_HAS_CODE, repo_node)
        }
        Some(LinkTarget::Page(url)) => match NamedNode::new(url) {
            Ok(page) => (RDFS_SEE_ALSO, page),
            Err(_) => return,
        },
        None => return,
    };
    let confidence = if link.official == Some(false) { 0.8 } else { 1.0 };
    let found = Occurrence { predicate, object: object.as_ref(), extractor: CODE_LINK_READER, confidence, line: link.line, span: None };
    facts_with_provenance(&node, &link.source.name, &[found], provenance, sink);
}

/// How much provenance a build stores with each fact. Every mode stores the facts themselves
/// (`paper schema:mentions concept`) in the default graph; see ARCHITECTURE.md for the trade-off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Provenance {
    /// Also each fact through its provenance properties, and one `pg:Evidence` record (a
    /// dozen quads) per occurrence.
    Full,
    /// Also each fact through its provenance properties (sub-properties of its predicate that
    /// say the listing, extractor and confidence), and one `pg:occurrences` literal per paper
    /// and source holding every occurrence.
    #[default]
    Compact,
    /// The bare graph.
    None,
}

/// One place a fact was found: who found it, how sure it is, on which source line, and (for
/// facts read from text) the span.
struct Occurrence<'a> {
    predicate: NamedNodeRef<'static>,
    object: NamedNodeRef<'a>,
    extractor: &'static str,
    confidence: f64,
    line: usize,
    span: Option<Span<'a>>,
}

/// Where in a paper's text a fact was found.
struct Span<'a> {
    field: Field,
    start: usize,
    end: usize,
    text: &'a str,
}

/// The facts `subject predicate object` the occurrences support, each once, and their provenance.
fn facts_with_provenance(subject: &NamedNode, listing_name: &str, found: &[Occurrence<'_>], provenance: Provenance, sink: &mut QuadSink) {
    let mut facts: Vec<(NamedNodeRef<'static>, NamedNodeRef<'_>)> = found.iter().map(|o| (o.predicate, o.object)).collect();
    facts.sort_unstable();
    facts.dedup();
    for (predicate, object) in facts {
        sink.add(subject, predicate, object);
    }
    if provenance == Provenance::None {
        return;
    }
    let mut sourced: Vec<(FactSource, NamedNodeRef<'_>)> = found.iter().map(|o| (FactSource::new(o.predicate, o.extractor, o.confidence), o.object)).collect();
    sourced.sort_unstable();
    sourced.dedup();
    for same_source in sourced.chunk_by(|a, b| a.0 == b.0) {
        let source = same_source[0].0;
        let property = source.property(listing_name);
        for &(_, object) in same_source {
            sink.quads.push_quad(QuadRef::new(subject, &property, object, GraphNameRef::DefaultGraph));
        }
        sink.fact_sources.insert(source);
    }
    match provenance {
        Provenance::Compact => {
            let json = occurrences::to_json(listing_name, found.iter().map(Occurrence::as_entry));
            sink.add(subject, PG_OCCURRENCES, LiteralRef::new_typed_literal(&json, RDF_JSON));
        }
        Provenance::Full => {
            let listing = iri::listing(listing_name);
            for o in found {
                evidence_record(subject, &listing, listing_name, o, sink);
            }
        }
        Provenance::None => {}
    }
}

impl Occurrence<'_> {
    fn as_entry(&self) -> occurrences::Entry<'_> {
        let (field, start, end, text) = match &self.span {
            Some(span) => (Some(span.field), span.start, span.end, span.text),
            None => (None, 0, 0, ""),
        };
        occurrences::Entry { predicate: self.predicate.as_str(), object: self.object.as_str(), extractor: self.extractor, confidence: self.confidence, line: self.line, field, start, end, text }
    }
}

/// One `pg:Evidence` record (full provenance): the fact it supports, the source file, extractor,
/// line, confidence and, for text, the field, span and matched text.
fn evidence_record(subject: &NamedNode, listing: &NamedNode, listing_name: &str, o: &Occurrence<'_>, sink: &mut QuadSink) {
    let object = o.object.to_string();
    let record = match &o.span {
        Some(span) => iri::evidence(&[subject.as_str(), o.predicate.as_str(), &object, listing_name, span.field.as_str(), &span.start.to_string()]),
        None => iri::evidence(&[subject.as_str(), o.predicate.as_str(), &object, listing_name, &o.line.to_string()]),
    };
    sink.add(&record, RDF_TYPE, PG_EVIDENCE);
    sink.add(&record, PG_SUBJECT, subject);
    sink.add(&record, PG_PREDICATE, o.predicate);
    sink.add(&record, PG_OBJECT, o.object);
    sink.add(&record, PROV_WAS_DERIVED_FROM, listing);
    sink.add(&record, PROV_WAS_GENERATED_BY, &iri::extractor(o.extractor));
    sink.add(&record, PG_LINE, &Literal::from(o.line as u64));
    sink.add(&record, PG_CONFIDENCE, &Literal::from(o.confidence));
    if let Some(span) = &o.span {
        sink.add(&record, PG_FIELD, LiteralRef::new_simple_literal(span.field.as_str()));
        sink.add(&record, PG_START, &Literal::from(span.start as u64));
        sink.add(&record, PG_END, &Literal::from(span.end as u64));
        sink.add(&record, PG_MATCHED_TEXT, LiteralRef::new_simple_literal(span.text));
    }
}

/// Where facts of one predicate come from, within a listing: which extractor found them, with
/// which confidence. Each has a provenance property (see [`iri::provenance_property`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FactSource {
    pub predicate: NamedNodeRef<'static>,
    pub extractor: &'static str,
    /// Confidence in thousandths, so that sources compare exactly.
    confidence_milli: u16,
}

impl FactSource {
    fn new(predicate: NamedNodeRef<'static>, extractor: &'static str, confidence: f64) -> Self {
        FactSource { predicate, extractor, confidence_milli: (confidence.clamp(0.0, 1.0) * 1000.0).round() as u16 }
    }

    pub fn confidence(self) -> f64 {
        f64::from(self.confidence_milli) / 1000.0
    }

    /// The provenance property of this source in `listing_name`.
    fn property(self, listing_name: &str) -> NamedNode {
        iri::provenance_property(listing_name, self.extractor, self.confidence(), self.predicate.as_str())
    }
}

/// What a provenance property is: a sub-property of the fact's predicate, with its listing,
/// extractor and confidence (once per listing and source).
pub fn fact_source_quads(listing_name: &str, source: FactSource, sink: &mut QuadSink) {
    let node = source.property(listing_name);
    sink.add(&node, RDF_TYPE, PG_PROVENANCE_PROPERTY);
    sink.add(&node, RDFS_SUB_PROPERTY_OF, source.predicate);
    sink.add(&node, PROV_WAS_DERIVED_FROM, &iri::listing(listing_name));
    sink.add(&node, PROV_WAS_GENERATED_BY, &iri::extractor(source.extractor));
    sink.add(&node, PG_CONFIDENCE, &Literal::from(source.confidence()));
}

/// Confidence of an acronym definition (the Schwartz & Hearst match is strict).
const ACRONYM_CONFIDENCE: f64 = 0.9;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::{Datasets, Taxonomy};
    use crate::model::test_paper;

    /// (short names of the methods the paper defines, texts of its `large-language-model` and
    /// `agent-memory` mentions).
    fn methods_and_mentions(title: &str, abstract_text: &str) -> (Vec<String>, Vec<String>) {
        let (taxonomy, datasets) = (Taxonomy::bundled(), Datasets::default());
        let extractor = Extractor::new(&taxonomy, &datasets);
        let paper = test_paper(title, abstract_text);
        let facts = extractor.extract(&paper);
        let mut sink = QuadSink::default();
        paper_quads(&paper, &facts, &extractor, Provenance::Compact, &mut sink);
        let defined: Vec<String> = sink.quads.iter().filter(|q| q.predicate == PG_DEFINES).map(|q| q.object.to_string()).collect();
        let names = sink
            .shared
            .iter()
            .filter(|q| q.predicate == SCHEMA_NAME && defined.contains(&q.subject.to_string()))
            .map(|q| match q.object {
                TermRef::Literal(l) => l.value().to_owned(),
                other => other.to_string(),
            })
            .collect();
        let mentions = facts
            .mentions
            .iter()
            .filter(|m| ["large-language-model", "agent-memory"].iter().any(|id| taxonomy.concepts[m.entry].iri.as_str().ends_with(id)))
            .map(|m| m.text.clone())
            .collect();
        (names, mentions)
    }

    #[test]
    fn an_acronym_of_a_concepts_own_name_is_a_mention_not_a_method() {
        // Real sentences: RAM++ (Inject Semantic Concepts into Image Tagging) and A-MEM.
        let (methods, mentions) = methods_and_mentions(
            "Inject Semantic Concepts into Image Tagging for Open-Set Recognition",
            "Moreover, RAM++ employs large language models (LLMs) to generate diverse visual tag descriptions.",
        );
        assert!(!methods.contains(&"LLMs".to_owned()), "{methods:?}");
        assert!(mentions.contains(&"large language models".to_owned()) && mentions.contains(&"LLMs".to_owned()), "{mentions:?}");
        // The confusable case: a paper proposing something under a concept's name keeps it.
        let (methods, _) = methods_and_mentions(
            "A-MEM: Agentic Memory for LLM Agents",
            "We propose a novel agentic memory system for LLM agents that can dynamically organize memories.",
        );
        assert_eq!(methods, ["A-MEM"]);
        // A long form that is no concept's name still makes a method.
        let (methods, _) = methods_and_mentions(
            "MOS: Model Surgery for Pre-Trained Model-Based Class-Incremental Learning",
            "We propose MOdel Surgery (MOS) to rescue the model from forgetting previous knowledge.",
        );
        assert!(methods.contains(&"MOS".to_owned()), "{methods:?}");
    }
}
