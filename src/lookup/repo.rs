//! Repositories by `owner/name`, `host/owner/name` or URL.

use oxigraph::model::{NamedNode, Term, Variable};
use serde::Serialize;

use super::{rows, value_of};
use crate::extract::links::{classify, LinkTarget};
use crate::query::QueryError;
use crate::rdf::iri;
pub use crate::store::statistics::CitingPaper;
use crate::store::statistics;
use crate::store::GraphStore;

/// Everything the graph knows about a repository.
#[derive(Debug, Clone, Serialize)]
pub struct RepoReport {
    pub iri: String,
    pub name: String,
    pub url: String,
    pub host: String,
    /// Papers citing the repository.
    pub paper_count: u64,
    /// Up to [`statistics::REPO_PAPERS`] of them (the first by IRI), by title.
    pub papers: Vec<CitingPaper>,
    /// Concepts the citing papers mention, most papers first (at most
    /// [`statistics::REPO_CONCEPTS`]).
    pub concepts: Vec<(String, u64)>,
}

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
    // Precomputed when the store was built: aggregating over every citing paper does not scale.
    let stats = statistics::repo_statistics(store, node.as_str())?.unwrap_or_default();
    Ok(Some(RepoReport {
        iri: node.as_str().to_owned(),
        name: value_of(&first[0]),
        url: value_of(&first[1]),
        host: value_of(&first[2]),
        paper_count: stats.paper_count,
        papers: stats.papers,
        concepts: stats.concepts,
    }))
}
