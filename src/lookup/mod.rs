//! Looking things up in the store by what a user types: concepts by name, alias or near-miss;
//! papers by title words, arXiv id or IRI; repositories by `owner/name`.

mod concept;
mod paper;
mod repo;

use oxigraph::model::{Term, Variable};

pub use concept::{concept_report, resolve_concept, ConceptPaper, ConceptReport, ConceptResolution, Cooccurrence, MethodRef, Named};
pub use paper::{evidence, find_papers, Evidence, PaperRef};
pub use repo::{repo_report, RepoReport};

use crate::query::{self, Answer, QueryError};
use crate::store::GraphStore;

/// Rows of a SELECT run for a lookup.
fn rows(store: &GraphStore, sparql: &str, bindings: &[(Variable, Term)]) -> Result<Vec<Vec<Option<Term>>>, QueryError> {
    match query::run_with(store, sparql, "lookup", bindings)? {
        Answer::Solutions { rows, .. } => Ok(rows),
        _ => unreachable!("lookup queries are SELECTs"),
    }
}

/// An IRI as a plain string (other terms as their value).
fn iri_of(term: &Option<Term>) -> String {
    match term {
        Some(Term::NamedNode(n)) => n.as_str().to_owned(),
        other => value_of(other),
    }
}

/// A literal's value (other terms as strings, unbound as empty).
fn value_of(term: &Option<Term>) -> String {
    match term {
        Some(Term::Literal(l)) => l.value().to_owned(),
        Some(Term::NamedNode(n)) => n.as_str().to_owned(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

fn number_of(term: &Option<Term>) -> u64 {
    value_of(term).parse::<f64>().map_or(0, |n| n as u64)
}
