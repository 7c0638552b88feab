//! Papers by title words, arXiv id or IRI, and their facts with evidence.

use std::collections::BTreeMap;

use oxigraph::model::{GraphNameRef, Literal, NamedNode, Term};
use serde::Serialize;

use super::{rows, value_of};
use crate::query::QueryError;
use crate::model::Field;
use crate::rdf::iri::normalize_title;
use crate::rdf::vocab::{DCTERMS_ABSTRACT, SCHEMA_NAME, SKOS_PREF_LABEL};
use crate::store::provenance;
use crate::store::titles::TitleIndex;
use crate::store::{GraphStore, StoreError};

/// A paper found by a lookup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaperRef {
    pub iri: String,
    pub title: String,
}

/// One piece of evidence for a fact about a paper.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// Predicate IRI of the fact.
    pub predicate: String,
    /// Object of the fact (IRI).
    pub object: String,
    /// Human label of the object (concept prefLabel, repository or dataset name), else the IRI.
    pub label: String,
    pub listing: String,
    pub line: u64,
    pub field: String,
    pub start: u64,
    pub end: u64,
    pub text: String,
    pub extractor: String,
    pub confidence: f64,
}

/// What a paper lookup found: how many papers match, and the first of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Matches {
    /// Papers matching.
    pub count: usize,
    /// The first `shown` of them, in order of normalized title, then IRI.
    pub papers: Vec<PaperRef>,
}

/// Papers matching `query`: an IRI, an arXiv id, an exact title, or words all found in the title.
/// An exact (normalized) title match wins over word matches. IRIs, ids and exact titles are
/// index lookups; title words read the title-word index saved with the store (scan the titles
/// where there is none). Only the first `shown` papers' titles are read: common title words
/// match thousands of papers on a big store.
pub fn find_papers(store: &GraphStore, query: &str, shown: usize) -> Result<Matches, QueryError> {
    let wanted = query.trim();
    if let Ok(iri) = NamedNode::new(wanted.trim_matches(['<', '>'])) {
        let hits = titled(store, &format!("VALUES ?paper {{ {iri} }} ?paper a schema:ScholarlyArticle ."))?;
        if !hits.is_empty() {
            return Ok(first(hits, shown));
        }
    }
    if let Some(id) = crate::ingest::text::arxiv_id(wanted) {
        // An arXiv id (any version, `arXiv:` or URL form) names a paper; it is no title to
        // search for word by word, which would scan every title of a big store.
        let hits = titled(store, &format!("?paper dcterms:identifier {} .", Literal::new_simple_literal(format!("arXiv:{id}"))))?;
        return Ok(first(hits, shown));
    }
    let key = normalize_title(wanted);
    let hits = titled(store, &format!("?paper pg:titleKey {} .", Literal::new_simple_literal(&key)))?;
    if !hits.is_empty() {
        return Ok(first(hits, shown));
    }
    let words: Vec<&str> = key.split(' ').filter(|w| !w.is_empty()).collect();
    if words.is_empty() {
        return Ok(Matches::default());
    }
    let Some(index) = title_index(store) else { return Ok(first(papers_with_title_words_by_scan(store, &words)?, shown)) };
    let index_error = |e: std::io::Error| QueryError::Evaluation { source_name: "title index".into(), message: e.to_string() };
    let mut hits = index.papers_with(&words).map_err(index_error)?;
    let count = hits.len();
    // Ordered by the keys the index holds, then IRI: only the IRIs of the papers up to the last
    // key shown, and the shown papers' titles, are read.
    hits.sort_unstable_by(|a, b| a.key.cmp(&b.key));
    if let Some(last) = shown.checked_sub(1).and_then(|i| hits.get(i)).map(|hit| hit.key.clone()) {
        hits.truncate(hits.partition_point(|hit| hit.key <= last));
    }
    let mut shown_hits = hits.iter().map(|hit| Ok((&hit.key, index.iri(hit)?))).collect::<Result<Vec<_>, _>>().map_err(index_error)?;
    shown_hits.sort_unstable();
    shown_hits.truncate(shown);
    let values: String = shown_hits.iter().filter_map(|(_, iri)| NamedNode::new(iri.as_str()).ok()).map(|iri| format!("{iri} ")).collect();
    let papers = if shown_hits.is_empty() { Vec::new() } else { titled(store, &format!("VALUES ?paper {{ {values} }}"))? };
    Ok(Matches { count, papers: first(papers, shown).papers })
}

/// `papers` counted, and the first `shown` in order of normalized title, then IRI.
fn first(papers: Vec<PaperRef>, shown: usize) -> Matches {
    let mut keyed: Vec<(String, PaperRef)> = papers.into_iter().map(|p| (normalize_title(&p.title), p)).collect();
    keyed.sort_by(|(a_key, a), (b_key, b)| (a_key, &a.iri).cmp(&(b_key, &b.iri)));
    let count = keyed.len();
    Matches { count, papers: keyed.into_iter().take(shown).map(|(_, p)| p).collect() }
}

/// The papers `pattern` binds to `?paper` that have a title, each with its least title.
/// Terms in `pattern` are written by Oxigraph's serializer, so they are escaped and cannot
/// change the query.
fn titled(store: &GraphStore, pattern: &str) -> Result<Vec<PaperRef>, QueryError> {
    let sparql = format!("SELECT ?paper (MIN(?t) AS ?title) WHERE {{ {pattern} ?paper dcterms:title ?t }} GROUP BY ?paper");
    Ok(rows(store, &sparql, &[])?.into_iter().map(|row| PaperRef { iri: value_of(&row[0]), title: value_of(&row[1]) }).collect())
}

/// The title-word index saved with an embedded store, when it is there and current.
fn title_index(store: &GraphStore) -> Option<TitleIndex> {
    if store.endpoint().is_some() {
        return None;
    }
    TitleIndex::open(&store.path).unwrap_or_else(|e| {
        eprintln!("warning: {e}; scanning the titles instead");
        None
    })
}

/// Papers whose normalized title holds every one of `words`, by reading every title: what
/// a store without a title index (a SPARQL server, a store an append left unfinished) does.
pub fn papers_with_title_words_by_scan(store: &GraphStore, words: &[&str]) -> Result<Vec<PaperRef>, QueryError> {
    // The title key holds the words; CONTAINS narrows the scan before the exact word check.
    let longest = words.iter().max_by_key(|w| w.len()).copied().unwrap_or_default();
    let candidates = rows(
        store,
        &format!(
            "SELECT ?paper (MIN(?t) AS ?title) (MIN(?k) AS ?key) WHERE {{ ?paper pg:titleKey ?k FILTER(CONTAINS(?k, {})) ?paper dcterms:title ?t }} GROUP BY ?paper",
            Literal::new_simple_literal(longest)
        ),
        &[],
    )?;
    Ok(candidates
        .into_iter()
        .filter(|row| {
            let title_key = value_of(&row[2]);
            let title_words: Vec<&str> = title_key.split(' ').collect();
            words.iter().all(|w| title_words.contains(w))
        })
        .map(|row| PaperRef { iri: value_of(&row[0]), title: value_of(&row[1]) })
        .collect())
}

/// Every fact about a paper with its evidence, by predicate, listing, field and position.
pub fn evidence(store: &GraphStore, paper: &str) -> Result<Vec<Evidence>, QueryError> {
    let paper = NamedNode::new(paper).map_err(|e| QueryError::Evaluation { source_name: "evidence".into(), message: e.to_string() })?;
    let mut found: Vec<Evidence> = provenance::occurrences_of(store, &paper)?
        .into_iter()
        .map(|o| Evidence {
            predicate: o.predicate,
            object: o.object,
            label: String::new(),
            listing: o.source,
            line: o.line as u64,
            field: o.field.map_or("", Field::as_str).to_owned(),
            start: o.start as u64,
            end: o.end as u64,
            text: o.text,
            extractor: o.extractor,
            confidence: o.confidence,
        })
        .collect();
    let order = |e: &Evidence| (e.predicate.clone(), e.listing.clone(), e.field.clone(), e.start, e.end, e.object.clone(), e.line, e.extractor.clone());
    found.sort_by(|a, b| order(a).cmp(&order(b)).then(a.confidence.total_cmp(&b.confidence)).then_with(|| a.text.cmp(&b.text)));
    let mut labels: BTreeMap<String, String> = BTreeMap::new();
    for e in &mut found {
        if !labels.contains_key(&e.object) {
            let label = label_of(store, &e.object)?;
            labels.insert(e.object.clone(), label.unwrap_or_else(|| e.object.clone()));
        }
        e.label = labels[&e.object].clone();
    }
    Ok(found)
}

/// A paper as `papergraph explain --format json` shows it: `{"paper", "abstract", "evidence"}`.
pub fn paper_json(store: &GraphStore, paper: &PaperRef) -> Result<serde_json::Value, QueryError> {
    Ok(serde_json::json!({
        "paper": paper,
        "abstract": abstract_of(store, &paper.iri)?,
        "evidence": evidence(store, &paper.iri)?,
    }))
}

/// The paper's abstract (`dcterms:abstract`), if it has one.
pub fn abstract_of(store: &GraphStore, paper: &str) -> Result<Option<String>, QueryError> {
    let Ok(node) = NamedNode::new(paper) else { return Ok(None) };
    match store.first_quad(Some(node.as_ref().into()), Some(DCTERMS_ABSTRACT), None, Some(GraphNameRef::DefaultGraph))? {
        Some(quad) => Ok(match quad.object {
            Term::Literal(text) => Some(text.value().to_owned()),
            _ => None,
        }),
        None => Ok(None),
    }
}

/// A node's human label: its `skos:prefLabel`, else its `schema:name`.
fn label_of(store: &GraphStore, iri: &str) -> Result<Option<String>, StoreError> {
    let Ok(node) = NamedNode::new(iri) else { return Ok(None) };
    for predicate in [SKOS_PREF_LABEL, SCHEMA_NAME] {
        if let Some(quad) = store.first_quad(Some(node.as_ref().into()), Some(predicate), None, Some(GraphNameRef::DefaultGraph))? {
            if let Term::Literal(literal) = quad.object {
                return Ok(Some(literal.value().to_owned()));
            }
        }
    }
    Ok(None)
}
