//! Repositories by `owner/name`, `host/owner/name` or URL.

use oxigraph::model::{Term, Variable};
use serde::Serialize;

use super::{number_of, rows, value_of};
use crate::extract::links::{classify, LinkTarget};
use crate::query::QueryError;
use crate::rdf::iri;
use crate::store::GraphStore;

/// A paper citing a repository, with the text that cites it.
#[derive(Debug, Clone, Serialize)]
pub struct CitingPaper {
    pub iri: String,
    pub title: String,
    /// The URL as written in the abstract.
    pub evidence: String,
    pub listing: String,
    pub line: u64,
}

/// Everything the graph knows about a repository.
#[derive(Debug, Clone, Serialize)]
pub struct RepoReport {
    pub iri: String,
    pub name: String,
    pub url: String,
    pub host: String,
    pub papers: Vec<CitingPaper>,
    /// Concepts the citing papers mention, most papers first.
    pub concepts: Vec<(String, u64)>,
}

/// Looks a repository up; `None` when the graph has no such repository.
pub fn repo_report(store: &GraphStore, query: &str) -> Result<Option<RepoReport>, QueryError> {
    let wanted = query.trim().trim_end_matches('/');
    let url = if wanted.contains('.') && wanted.contains('/') { wanted.to_owned() } else { format!("github.com/{wanted}") };
    let Some(LinkTarget::Repository(repo)) = classify(&url) else { return Ok(None) };
    let node = iri::repository(&repo);
    let bind = [(Variable::new_unchecked("repo"), Term::from(node.clone()))];
    let about = rows(
        store,
        "SELECT ?name ?url ?host ?repo WHERE { ?repo schema:name ?name ; schema:codeRepository ?url ; schema:provider ?host }",
        &bind,
    )?;
    let Some(first) = about.first() else { return Ok(None) };
    let papers = rows(
        store,
        "SELECT DISTINCT ?paper ?title ?text ?listing ?line ?repo WHERE {
           ?paper pg:hasCode ?repo ; dcterms:title ?title .
           ?e pg:subject ?paper ; pg:predicate pg:hasCode ; pg:object ?repo ; pg:matchedText ?text ;
              pg:line ?line ; prov:wasDerivedFrom/dcterms:source ?listing .
         } ORDER BY ?title ?listing",
        &bind,
    )?
    .iter()
    .map(|row| CitingPaper {
        iri: value_of(&row[0]),
        title: value_of(&row[1]),
        evidence: value_of(&row[2]),
        listing: value_of(&row[3]),
        line: number_of(&row[4]),
    })
    .collect();
    let concepts = rows(
        store,
        "SELECT ?label (COUNT(DISTINCT ?paper) AS ?n) ?repo WHERE {
           ?paper pg:hasCode ?repo ; schema:mentions/skos:prefLabel ?label } GROUP BY ?label ?repo ORDER BY DESC(?n) ?label",
        &bind,
    )?
    .iter()
    .map(|row| (value_of(&row[0]), number_of(&row[1])))
    .collect();
    Ok(Some(RepoReport {
        iri: node.as_str().to_owned(),
        name: value_of(&first[0]),
        url: value_of(&first[1]),
        host: value_of(&first[2]),
        papers,
        concepts,
    }))
}
