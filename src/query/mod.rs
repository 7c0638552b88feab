//! SPARQL over the store, with papergraph's prefixes predeclared, and result writers.

pub mod canned;
mod table;

use std::io::Write;
use std::sync::mpsc;
use std::time::Duration;

use oxigraph::io::RdfFormat;
use oxigraph::model::{NamedNode, Term, Triple, Variable};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{CancellationToken, QueryResults, SparqlEvaluator};


use crate::rdf::vocab::{prefixed_serializer, PREFIXES};
use spargebra::algebra::GraphPattern;
use spargebra::term::GroundTerm;

use crate::store::remote::{Endpoint, RemoteAnswer, RemoteError};
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
    /// The query ran longer than its time limit and was stopped.
    #[error("query {source_name} stopped after the {} s time limit: narrow it (a LIMIT, a more selective pattern) or allow more time", limit.as_secs_f64())]
    Timeout { source_name: String, limit: Duration },
    /// The answer has more rows (or triples) than allowed.
    #[error("query {source_name} has more than {limit} results: add a LIMIT (with OFFSET to page through them)")]
    TooManyResults { source_name: String, limit: usize },
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
    run_bounded(store, query, source_name, bindings, &QueryOptions::default())
}

/// How a query runs: limits on its cost (`None` is unlimited) and the dataset it sees.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryOptions {
    /// Wall-clock time after which evaluation is cancelled.
    pub timeout: Option<Duration>,
    /// Most solutions (or triples) an answer may have.
    pub max_results: Option<usize>,
    /// Graphs whose union is the default graph, instead of the query's FROM (SPARQL Protocol's
    /// `default-graph-uri`).
    pub default_graphs: Option<Vec<NamedNode>>,
    /// The named graphs the query sees, instead of its FROM NAMED (`named-graph-uri`).
    pub named_graphs: Option<Vec<NamedNode>>,
}

/// [`run_with`] with `options`: a query that runs too long is cancelled
/// ([`QueryError::Timeout`]); one with too many results fails ([`QueryError::TooManyResults`]).
pub fn run_bounded(store: &GraphStore, query: &str, source_name: &str, bindings: &[(Variable, Term)], options: &QueryOptions) -> Result<Answer, QueryError> {
    if let Some(endpoint) = store.endpoint() {
        return run_remote(endpoint, query, source_name, bindings, options);
    }
    let cancellation = CancellationToken::new();
    let mut evaluator = SparqlEvaluator::new().with_cancellation_token(cancellation.clone());
    for (prefix, iri) in PREFIXES {
        evaluator = evaluator.with_prefix(prefix, iri).expect("papergraph prefixes are valid IRIs");
    }
    let mut prepared = evaluator
        .parse_query(query)
        .map_err(|e| QueryError::Syntax { source_name: source_name.to_owned(), message: e.to_string() })?;
    if let Some(graphs) = &options.default_graphs {
        prepared.dataset_mut().set_default_graph(graphs.iter().cloned().map(Into::into).collect());
    }
    if let Some(graphs) = &options.named_graphs {
        prepared.dataset_mut().set_available_named_graphs(graphs.iter().cloned().map(Into::into).collect());
    }
    // A watchdog cancels the evaluation at the deadline; it ends early when the query does.
    let (done, finished) = mpsc::channel::<()>();
    let watchdog = options.timeout.map(|limit| {
        let cancellation = cancellation.clone();
        std::thread::spawn(move || {
            if finished.recv_timeout(limit) == Err(mpsc::RecvTimeoutError::Timeout) {
                cancellation.cancel();
            }
        })
    });
    let failed = |e: &dyn std::fmt::Display| match options.timeout {
        Some(limit) if cancellation.is_cancelled() => QueryError::Timeout { source_name: source_name.to_owned(), limit },
        _ => QueryError::Evaluation { source_name: source_name.to_owned(), message: e.to_string() },
    };
    let too_many = |count: usize| match options.max_results {
        Some(limit) if count > limit => Err(QueryError::TooManyResults { source_name: source_name.to_owned(), limit }),
        _ => Ok(()),
    };
    let mut bound = prepared.on_store(store.local("querying")?);
    for (variable, term) in bindings {
        bound = bound.substitute_variable(variable.clone(), term.clone());
    }
    let answer = (|| {
        Ok(match bound.execute().map_err(|e| failed(&e))? {
            QueryResults::Solutions(solutions) => {
                let variables = solutions.variables().to_vec();
                let mut rows = Vec::new();
                for solution in solutions {
                    let solution = solution.map_err(|e| failed(&e))?;
                    rows.push(variables.iter().map(|v| solution.get(v).cloned()).collect());
                    too_many(rows.len())?;
                }
                Answer::Solutions { variables, rows }
            }
            QueryResults::Boolean(value) => Answer::Boolean(value),
            QueryResults::Graph(triples) => {
                let mut graph = Vec::new();
                for triple in triples {
                    graph.push(triple.map_err(|e| failed(&e))?);
                    too_many(graph.len())?;
                }
                Answer::Graph(graph)
            }
        })
    })();
    drop(done);
    if let Some(watchdog) = watchdog {
        watchdog.join().expect("the query watchdog does not panic");
    }
    answer
}

/// [`run_bounded`] on a SPARQL server. The query is parsed here (papergraph's prefixes
/// declared) and sent in full form; bound variables become a VALUES block joined under the
/// solution modifiers (ORDER BY, projection, grouping, LIMIT), as a substitution would be.
fn run_remote(endpoint: &Endpoint, query: &str, source_name: &str, bindings: &[(Variable, Term)], options: &QueryOptions) -> Result<Answer, QueryError> {
    let syntax = |message: String| QueryError::Syntax { source_name: source_name.to_owned(), message };
    let mut parser = spargebra::SparqlParser::new();
    for (prefix, iri) in PREFIXES {
        parser = parser.with_prefix(prefix, iri).expect("papergraph prefixes are valid IRIs");
    }
    let mut parsed = parser.parse_query(query).map_err(|e| syntax(e.to_string()))?;
    if !bindings.is_empty() {
        let mut row = Vec::new();
        for (variable, term) in bindings {
            row.push(Some(match term {
                Term::NamedNode(n) => GroundTerm::NamedNode(n.clone()),
                Term::Literal(l) => GroundTerm::Literal(l.clone()),
                other => return Err(syntax(format!("?{} cannot be bound to {other} on a server", variable.as_str()))),
            }));
        }
        let values = GraphPattern::Values { variables: bindings.iter().map(|(v, _)| v.clone()).collect(), bindings: vec![row] };
        let (spargebra::Query::Select { pattern, .. } | spargebra::Query::Construct { pattern, .. } | spargebra::Query::Describe { pattern, .. } | spargebra::Query::Ask { pattern, .. }) = &mut parsed;
        *pattern = join_under_modifiers(std::mem::replace(pattern, GraphPattern::Bgp { patterns: Vec::new() }), values);
    }
    let graph_form = matches!(parsed, spargebra::Query::Construct { .. } | spargebra::Query::Describe { .. });
    let text = parsed.to_string();
    let answer = endpoint
        .query(&text, graph_form, options.default_graphs.as_deref(), options.named_graphs.as_deref(), options.timeout)
        .map_err(|e| match (e, options.timeout) {
            (RemoteError::Timeout { .. }, Some(limit)) => QueryError::Timeout { source_name: source_name.to_owned(), limit },
            (e, _) => QueryError::Evaluation { source_name: source_name.to_owned(), message: e.to_string() },
        })?;
    let (count, answer) = match answer {
        RemoteAnswer::Solutions { variables, rows } => (rows.len(), Answer::Solutions { variables, rows }),
        RemoteAnswer::Boolean(value) => (0, Answer::Boolean(value)),
        RemoteAnswer::Graph(triples) => (triples.len(), Answer::Graph(triples)),
    };
    match options.max_results {
        Some(limit) if count > limit => Err(QueryError::TooManyResults { source_name: source_name.to_owned(), limit }),
        _ => Ok(answer),
    }
}

/// `pattern` joined with `values` below its solution modifiers and aggregation.
fn join_under_modifiers(pattern: GraphPattern, values: GraphPattern) -> GraphPattern {
    let inside = |inner: Box<GraphPattern>| Box::new(join_under_modifiers(*inner, values.clone()));
    match pattern {
        GraphPattern::Project { inner, variables } => GraphPattern::Project { inner: inside(inner), variables },
        GraphPattern::Distinct { inner } => GraphPattern::Distinct { inner: inside(inner) },
        GraphPattern::Reduced { inner } => GraphPattern::Reduced { inner: inside(inner) },
        GraphPattern::Slice { inner, start, length } => GraphPattern::Slice { inner: inside(inner), start, length },
        GraphPattern::OrderBy { inner, expression } => GraphPattern::OrderBy { inner: inside(inner), expression },
        GraphPattern::Filter { expr, inner } => GraphPattern::Filter { expr, inner: inside(inner) },
        GraphPattern::Extend { inner, variable, expression } => GraphPattern::Extend { inner: inside(inner), variable, expression },
        GraphPattern::Group { inner, variables, aggregates } => GraphPattern::Group { inner: inside(inner), variables, aggregates },
        other => GraphPattern::Join { left: Box::new(values.clone()), right: Box::new(other) },
    }
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
        (Answer::Boolean(value), None) => writeln!(out, "{value}")?,
        (Answer::Graph(triples), _) => write_triples(triples, RdfFormat::NTriples, out)?,
        (_, Some(results_format)) => write_results(answer, results_format, out)?,
    }
    Ok(())
}

/// Writes solutions or a boolean in a SPARQL results format (a graph answer writes nothing).
pub fn write_results(answer: &Answer, format: QueryResultsFormat, out: &mut impl Write) -> std::io::Result<()> {
    match answer {
        Answer::Solutions { variables, rows } => {
            let mut serializer = QueryResultsSerializer::from_format(format).serialize_solutions_to_writer(&mut *out, variables.clone())?;
            for row in rows {
                serializer.serialize(variables.iter().zip(row).filter_map(|(v, t)| Some((v.as_ref(), t.as_ref()?.as_ref()))))?;
            }
            serializer.finish()?;
        }
        Answer::Boolean(value) => drop(QueryResultsSerializer::from_format(format).serialize_boolean_to_writer(&mut *out, *value)?),
        Answer::Graph(_) => {}
    }
    Ok(())
}

/// Writes triples in an RDF format, with papergraph's prefixes where the format has prefixes.
pub fn write_triples(triples: &[Triple], format: RdfFormat, out: &mut impl Write) -> std::io::Result<()> {
    let mut serializer = prefixed_serializer(format).for_writer(&mut *out);
    for triple in triples {
        serializer.serialize_triple(triple)?;
    }
    serializer.finish()?;
    Ok(())
}
