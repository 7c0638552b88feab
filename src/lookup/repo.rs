//! Repositories by `owner/name`, `host/owner/name` or URL.

use oxigraph::model::{NamedNode, Term, Variable};
use serde::Serialize;

use super::{number_of, rows, value_of};
use crate::extract::links::{classify, LinkTarget};
use crate::query::QueryError;
use crate::rdf::iri;
use crate::rdf::vocab::PG_HAS_CODE;
use crate::store::provenance;
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
    /// Papers citing the repository.
    pub paper_count: u64,
    /// Up to [`PAPERS_SHOWN`] of them (the first in the store's order), by title.
    pub papers: Vec<CitingPaper>,
    /// Concepts the citing papers mention, most papers first (at most [`CONCEPTS_SHOWN`]).
    pub concepts: Vec<(String, u64)>,
}

/// Citing papers a report lists.
pub const PAPERS_SHOWN: usize = 100;
/// Concepts a report lists.
pub const CONCEPTS_SHOWN: usize = 50;

/// Looks a repository up; `None` when the graph has no such repository.
pub fn repo_report(store: &GraphStore, query: &str) -> Result<Option<RepoReport>, QueryError> {
    let wanted = query.trim().trim_end_matches('/');
    let url = if wanted.contains('.') && wanted.contains('/') { wanted.to_owned() } else { format!("github.com/{wanted}") };
    let Some(LinkTarget::Repository(repo)) = classify(&url) else { return Ok(None) };
    const ABOUT: &str = "SELECT ?name ?url ?host ?repo WHERE { ?repo schema:name ?name ; schema:codeRepository ?url ; schema:provider ?host }";
    let mut bind = [(Variable::new_unchecked("repo"), Term::from(iri::repository(&repo)))];
    let mut about = rows(store, ABOUT, &bind)?;
    if about.is_empty() && !wanted.contains('.') {
        // `owner/name` of a repository on another host than GitHub, when only one host has it
        // (concept reports name repositories so).
        let named = rows(store, "SELECT ?repo ?name WHERE { ?repo a schema:SoftwareSourceCode ; schema:name ?name }", &[(
            Variable::new_unchecked("name"),
            Term::from(oxigraph::model::Literal::new_simple_literal(wanted)),
        )])?;
        if let [only] = named.as_slice() {
            bind[0].1 = only[0].clone().expect("?repo is bound");
            about = rows(store, ABOUT, &bind)?;
        }
    }
    let Some(first) = about.first() else { return Ok(None) };
    let node = NamedNode::new_unchecked(value_of(&first[3]));
    let mut papers = Vec::new();
    let counted = rows(store, "SELECT (COUNT(DISTINCT ?paper) AS ?n) ?repo WHERE { ?paper pg:hasCode ?repo } GROUP BY ?repo", &bind)?;
    let paper_count = number_of(&counted.first().and_then(|row| row[0].clone()));
    let cited_by = format!(
        "SELECT DISTINCT ?paper ?title ?repo WHERE {{ {{ SELECT DISTINCT ?paper ?repo WHERE {{ ?paper pg:hasCode ?repo }} LIMIT {PAPERS_SHOWN} }} ?paper dcterms:title ?title }}"
    );
    for row in rows(store, &cited_by, &bind)? {
        let paper = value_of(&row[0]);
        let Ok(paper_node) = NamedNode::new(paper.as_str()) else { continue };
        let mut cited: Vec<(String, String, u64)> = provenance::occurrences_of(store, &paper_node)?
            .into_iter()
            .filter(|o| o.predicate == PG_HAS_CODE.as_str() && o.object == node.as_str())
            .map(|o| (o.text, o.source, o.line as u64))
            .collect();
        cited.sort();
        cited.dedup();
        papers.extend(cited.into_iter().map(|(evidence, listing, line)| CitingPaper { iri: paper.clone(), title: value_of(&row[1]), evidence, listing, line }));
    }
    papers.sort_by(|a, b| (&a.title, &a.listing, &a.iri, a.line, &a.evidence).cmp(&(&b.title, &b.listing, &b.iri, b.line, &b.evidence)));
    let concepts = rows(
        store,
        &format!(
            "SELECT ?label (COUNT(DISTINCT ?paper) AS ?n) ?repo WHERE {{
               ?paper pg:hasCode ?repo ; schema:mentions/skos:prefLabel ?label }} GROUP BY ?label ?repo ORDER BY DESC(?n) ?label LIMIT {CONCEPTS_SHOWN}"
        ),
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
        paper_count,
        papers,
        concepts,
    }))
}
