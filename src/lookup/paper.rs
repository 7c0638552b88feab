//! Papers by title words, arXiv id or IRI, and their facts with evidence.

use oxigraph::model::{Literal, NamedNode, Variable};
use serde::Serialize;

use super::{number_of, rows, value_of};
use crate::query::QueryError;
use crate::rdf::iri::normalize_title;
use crate::store::GraphStore;

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

const PAPERS: &str = "SELECT ?paper (MIN(?t) AS ?title) WHERE { ?paper a schema:ScholarlyArticle ; dcterms:title ?t } GROUP BY ?paper ORDER BY ?title";

/// Papers matching `query`: an IRI, an arXiv id, an exact title, or words all found in the title.
/// An exact (normalized) title match wins over word matches.
pub fn find_papers(store: &GraphStore, query: &str) -> Result<Vec<PaperRef>, QueryError> {
    let all: Vec<PaperRef> = rows(store, PAPERS, &[])?
        .into_iter()
        .map(|row| PaperRef { iri: value_of(&row[0]), title: value_of(&row[1]) })
        .collect();
    let wanted = query.trim();
    if let Some(hit) = all.iter().find(|p| p.iri == wanted.trim_matches(['<', '>'])) {
        return Ok(vec![hit.clone()]);
    }
    let arxiv = wanted.trim_start_matches("arXiv:").trim_start_matches("arxiv:");
    let by_id = rows(
        store,
        "SELECT ?paper ?title ?id WHERE { ?paper dcterms:identifier ?id ; dcterms:title ?title }",
        &[(Variable::new_unchecked("id"), Literal::new_simple_literal(format!("arXiv:{arxiv}")).into())],
    )?;
    if let Some(row) = by_id.first() {
        return Ok(vec![PaperRef { iri: value_of(&row[0]), title: value_of(&row[1]) }]);
    }
    let key = normalize_title(wanted);
    if let Some(hit) = all.iter().find(|p| normalize_title(&p.title) == key) {
        return Ok(vec![hit.clone()]);
    }
    let words: Vec<&str> = key.split(' ').filter(|w| !w.is_empty()).collect();
    Ok(all
        .into_iter()
        .filter(|p| {
            let title = normalize_title(&p.title);
            let title_words: Vec<&str> = title.split(' ').collect();
            !words.is_empty() && words.iter().all(|w| title_words.contains(w))
        })
        .collect())
}

/// Every fact about a paper with its evidence, by predicate, field and position.
pub fn evidence(store: &GraphStore, paper: &str) -> Result<Vec<Evidence>, QueryError> {
    // Bound variables must be projected, hence ?paper last.
    const EVIDENCE: &str = "SELECT ?predicate ?object (SAMPLE(?l) AS ?label) ?listing ?line ?field ?start ?end ?text ?extractor ?confidence ?paper WHERE {
        ?e a pg:Evidence ; pg:subject ?paper ; pg:predicate ?predicate ; pg:object ?object ;
           prov:wasDerivedFrom/dcterms:source ?listing ; pg:line ?line ; pg:field ?field ;
           pg:start ?start ; pg:end ?end ; pg:matchedText ?text ;
           prov:wasGeneratedBy/schema:name ?extractor ; pg:confidence ?confidence .
        OPTIONAL { ?object skos:prefLabel|schema:name ?l }
      } GROUP BY ?predicate ?object ?listing ?line ?field ?start ?end ?text ?extractor ?confidence ?paper
        ORDER BY ?predicate ?listing ?field ?start";
    let paper = NamedNode::new(paper).map_err(|e| QueryError::Evaluation { source_name: "evidence".into(), message: e.to_string() })?;
    Ok(rows(store, EVIDENCE, &[(Variable::new_unchecked("paper"), paper.into())])?
        .into_iter()
        .map(|row| Evidence {
            predicate: value_of(&row[0]),
            object: value_of(&row[1]),
            label: row[2].as_ref().map_or_else(|| value_of(&row[1]), |_| value_of(&row[2])),
            listing: value_of(&row[3]),
            line: number_of(&row[4]),
            field: value_of(&row[5]),
            start: number_of(&row[6]),
            end: number_of(&row[7]),
            text: value_of(&row[8]),
            extractor: value_of(&row[9]),
            confidence: value_of(&row[10]).parse().unwrap_or_default(),
        })
        .collect())
}
