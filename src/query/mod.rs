//! SPARQL over the store, with papergraph's prefixes predeclared, and result writers.

pub mod canned;
mod table;

use std::io::Write;

use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{Term, Triple, Variable};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};

use crate::rdf::vocab::PREFIXES;
use crate::store::GraphStore;
pub use table::{render_term, truncate, write_table};

/// How results are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Aligned columns for reading (IRIs shortened with the standard prefixes).
    Table,
    /// SPARQL 1.1 CSV results.
    Csv,
    /// SPARQL 1.1 TSV results.
    Tsv,
    /// SPARQL 1.1 JSON results.
    Json,
    /// SPARQL XML results.
    Xml,
}

/// The answer to a query, fully read.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Solutions { variables: Vec<Variable>, rows: Vec<Vec<Option<Term>>> },
    Boolean(bool),
    Graph(Vec<Triple>),
}

#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// The query does not parse; `message` gives line and column within the query.
    #[error("SPARQL syntax error in {source_name}: {message}")]
    Syntax { source_name: String, message: String },
    #[error("query {source_name} failed: {message}")]
    Evaluation { source_name: String, message: String },
    #[error("cannot write results: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// Parses and runs a query. `source_name` (a file name or `-e`) names the query in errors.
pub fn run(store: &GraphStore, query: &str, source_name: &str) -> Result<Answer, QueryError> {
    run_with(store, query, source_name, &[])
}

/// Runs a query with variables bound to RDF terms before evaluation. The terms never pass
/// through query text, so user input cannot change the query's shape. Bound variables must be
/// in the query's projection (an Oxigraph rule).
pub fn run_with(store: &GraphStore, query: &str, source_name: &str, bindings: &[(Variable, Term)]) -> Result<Answer, QueryError> {
    let evaluation = |e: &dyn std::fmt::Display| QueryError::Evaluation { source_name: source_name.to_owned(), message: e.to_string() };
    let mut evaluator = SparqlEvaluator::new();
    for (prefix, iri) in PREFIXES {
        evaluator = evaluator.with_prefix(prefix, iri).expect("papergraph prefixes are valid IRIs");
    }
    let prepared = evaluator
        .parse_query(query)
        .map_err(|e| QueryError::Syntax { source_name: source_name.to_owned(), message: e.to_string() })?;
    let mut bound = prepared.on_store(&store.store);
    for (variable, term) in bindings {
        bound = bound.substitute_variable(variable.clone(), term.clone());
    }
    Ok(match bound.execute().map_err(|e| evaluation(&e))? {
        QueryResults::Solutions(solutions) => {
            let variables = solutions.variables().to_vec();
            let mut rows = Vec::new();
            for solution in solutions {
                let solution = solution.map_err(|e| evaluation(&e))?;
                rows.push(variables.iter().map(|v| solution.get(v).cloned()).collect());
            }
            Answer::Solutions { variables, rows }
        }
        QueryResults::Boolean(value) => Answer::Boolean(value),
        QueryResults::Graph(triples) => Answer::Graph(triples.collect::<Result<_, _>>().map_err(|e| evaluation(&e))?),
    })
}

/// Runs a query that must be a SELECT and returns its rows.
pub fn select(store: &GraphStore, query: &str, source_name: &str, bindings: &[(Variable, Term)]) -> Result<Vec<Vec<Option<Term>>>, QueryError> {
    match run_with(store, query, source_name, bindings)? {
        Answer::Solutions { rows, .. } => Ok(rows),
        _ => Err(QueryError::Evaluation { source_name: source_name.to_owned(), message: "expected a SELECT query".into() }),
    }
}

/// A term as plain text: an IRI bare, a literal's value, unbound as empty.
pub fn plain_value(term: &Option<Term>) -> String {
    match term {
        Some(Term::NamedNode(n)) => n.as_str().to_owned(),
        Some(Term::Literal(l)) => l.value().to_owned(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

/// Writes an answer. Graph answers (CONSTRUCT, DESCRIBE) are written as N-Triples whatever the
/// format, since the result formats above are for solutions.
pub fn write_answer(answer: &Answer, format: OutputFormat, out: &mut impl Write) -> Result<(), QueryError> {
    let results_format = match format {
        OutputFormat::Table => None,
        OutputFormat::Csv => Some(QueryResultsFormat::Csv),
        OutputFormat::Tsv => Some(QueryResultsFormat::Tsv),
        OutputFormat::Json => Some(QueryResultsFormat::Json),
        OutputFormat::Xml => Some(QueryResultsFormat::Xml),
    };
    match (answer, results_format) {
        (Answer::Solutions { variables, rows }, None) => write_table(variables, rows, out)?,
        (Answer::Solutions { variables, rows }, Some(results_format)) => {
            let mut serializer = QueryResultsSerializer::from_format(results_format).serialize_solutions_to_writer(&mut *out, variables.clone())?;
            for row in rows {
                serializer.serialize(variables.iter().zip(row).filter_map(|(v, t)| Some((v.as_ref(), t.as_ref()?.as_ref()))))?;
            }
            serializer.finish()?;
        }
        (Answer::Boolean(value), None) => writeln!(out, "{value}")?,
        (Answer::Boolean(value), Some(results_format)) => {
            QueryResultsSerializer::from_format(results_format).serialize_boolean_to_writer(&mut *out, *value)?;
        }
        (Answer::Graph(triples), _) => {
            let mut serializer = RdfSerializer::from_format(RdfFormat::NTriples).for_writer(&mut *out);
            for triple in triples {
                serializer.serialize_triple(triple)?;
            }
            serializer.finish()?;
        }
    }
    Ok(())
}
