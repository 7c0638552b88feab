//! Looking things up in the store by what a user types: concepts by name, alias or near-miss;
//! papers by title words, arXiv id or IRI; repositories by `owner/name`.

mod concept;
mod paper;
mod repo;

use oxigraph::model::{Term, Variable};

pub use concept::{concept_report, resolve_concept, suggest_concepts, ConceptPaper, ConceptReport, ConceptResolution, Cooccurrence, MethodRef, Named, Suggestion};
pub use paper::{abstract_of, evidence, find_papers, paper_json, papers_with_title_words_by_scan, Evidence, Matches, PaperRef};
pub use repo::{repo_report, RepoReport};

use crate::query::{self, plain_value as value_of, QueryError};
use crate::store::GraphStore;

/// Rows of a SELECT run for a lookup.
fn rows(store: &GraphStore, sparql: &str, bindings: &[(Variable, Term)]) -> Result<Vec<Vec<Option<Term>>>, QueryError> {
    query::select(store, sparql, "lookup", bindings)
}
