//! The JSON API (the CLI's lookups, with the shapes of their `--format json`), the canned
//! queries, and graph exports over HTTP.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path as UrlPath, Query};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use clap::ValueEnum;
use serde_json::{json, Value};

use super::shared::Snapshot;
use super::sparql::results_response;
use super::{blocking, HttpError, State};
use crate::export::render::Layout;
use crate::export::{self, ExportFormat, View};
use crate::graph::analytics::Metrics;
use crate::graph::{self, Filter, GraphView, NodeKind};
use crate::lookup::{self, ConceptResolution};
use crate::query::canned;
use crate::query::{self, QueryOptions};

type Params = Query<HashMap<String, String>>;

/// Runs a lookup on the current snapshot within the server's time limit; errors are JSON.
async fn lookup<T: Send + 'static>(state: &State, work: impl FnOnce(&Snapshot) -> Result<T, HttpError> + Send + 'static) -> Result<T, HttpError> {
    let shared = state.0.clone();
    blocking(shared.options.timeout, move || work(&shared.store.snapshot())).await.map_err(HttpError::as_json)
}

fn required<'a>(params: &'a HashMap<String, String>, name: &str) -> Result<&'a str, HttpError> {
    params
        .get(name)
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| HttpError::bad_request(format!("give ?{name}=")).as_json())
}

/// GET `/api/summary`: what the store holds.
pub async fn summary(state: State) -> Result<Json<Value>, HttpError> {
    lookup(&state, |snapshot| {
        let counts = snapshot.counts()?;
        Ok(Json(json!({
            "store": snapshot.store.path.display().to_string(),
            "papers": counts.papers,
            "concepts": counts.concepts,
            "repositories": counts.repositories,
        })))
    })
    .await
}

/// GET `/api/concepts?q=kv&limit=10`: concepts whose label or alias contains the text.
pub async fn concepts(state: State, Query(params): Params) -> Result<Json<Value>, HttpError> {
    let typed = params.get("q").cloned().unwrap_or_default();
    let limit = params.get("limit").and_then(|l| l.parse().ok()).unwrap_or(10usize).min(100);
    lookup(&state, move |snapshot| Ok(Json(json!(lookup::suggest_concepts(&snapshot.store, &typed, limit)?)))).await
}

/// The concept `name` resolves to, or a 404 / 409 (with the candidates) error.
fn resolve(snapshot: &Snapshot, name: &str) -> Result<lookup::Named, HttpError> {
    match lookup::resolve_concept(&snapshot.store, name)? {
        ConceptResolution::Found { concept, .. } => Ok(concept),
        ConceptResolution::Ambiguous(candidates) => {
            let candidates: Vec<Value> = candidates.iter().map(|(c, matched)| json!({ "iri": c.iri, "label": c.label, "matched": matched })).collect();
            Err(HttpError::new(StatusCode::CONFLICT, format!("{name:?} could mean {} concepts", candidates.len())).with_details(json!({ "candidates": candidates })))
        }
        ConceptResolution::NotFound => Err(HttpError::new(StatusCode::NOT_FOUND, format!("no concept matches {name:?}")).as_json()),
    }
}

/// GET `/api/concept?name=`: the concept report (`papergraph concept --format json`).
pub async fn concept(state: State, Query(params): Params) -> Result<Json<Value>, HttpError> {
    let name = required(&params, "name")?.to_owned();
    lookup(&state, move |snapshot| {
        let concept = resolve(snapshot, &name)?;
        Ok(Json(json!(lookup::concept_report(&snapshot.store, &concept)?)))
    })
    .await
}

/// Candidates a paper lookup matching several papers returns.
const SHOWN_CANDIDATES: usize = 100;

/// GET `/api/paper?q=`: the paper, its abstract and every fact's evidence
/// (`papergraph explain --format json`); 409 with the candidates when several papers match.
pub async fn paper(state: State, Query(params): Params) -> Result<Json<Value>, HttpError> {
    let wanted = required(&params, "q")?.to_owned();
    lookup(&state, move |snapshot| {
        let store = &snapshot.store;
        let found = lookup::find_papers(store, &wanted, SHOWN_CANDIDATES)?;
        match (found.count, found.papers.as_slice()) {
            (1, [paper]) => Ok(Json(lookup::paper_json(store, paper)?)),
            (0, _) | (_, []) => Err(HttpError::new(StatusCode::NOT_FOUND, format!("no paper matches {wanted:?}")).as_json()),
            (count, shown) => Err(HttpError::new(StatusCode::CONFLICT, format!("{count} papers match {wanted:?}")).with_details(json!({ "candidates": shown }))),
        }
    })
    .await
}

/// GET `/api/repo?name=owner/name`: the repository report (`papergraph repo --format json`).
pub async fn repo(state: State, Query(params): Params) -> Result<Json<Value>, HttpError> {
    let name = required(&params, "name")?.to_owned();
    lookup(&state, move |snapshot| match lookup::repo_report(&snapshot.store, &name)? {
        Some(report) => Ok(Json(json!(report))),
        None => Err(HttpError::new(StatusCode::NOT_FOUND, format!("no repository {name:?} in the graph")).as_json()),
    })
    .await
}

/// GET `/api/queries`: the canned queries with their descriptions, parameters and text.
pub async fn queries() -> Result<Json<Value>, HttpError> {
    let mut list = Vec::new();
    for (name, text) in canned::CANNED {
        let params = canned::params(text).map_err(|e| HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("{name}: {e}")))?;
        let params: Vec<Value> = params.iter().map(|p| json!({ "name": p.name, "kind": p.kind.as_str(), "help": p.help })).collect();
        list.push(json!({ "name": name, "description": canned::description(text), "params": params, "text": text }));
    }
    Ok(Json(Value::Array(list)))
}

/// GET `/api/queries/{name}?PARAM=VALUE...`: runs a canned query with its parameters bound as
/// on the CLI; results negotiated like `/sparql` (SPARQL JSON by default).
pub async fn canned_query(state: State, headers: HeaderMap, UrlPath(name): UrlPath<String>, Query(params): Params) -> Result<Response, HttpError> {
    let Some(text) = canned::canned(&name) else {
        return Err(HttpError::new(StatusCode::NOT_FOUND, format!("no canned query {name:?} (GET /api/queries lists them)")));
    };
    let shared = state.0.clone();
    let options = QueryOptions { timeout: Some(shared.options.timeout), max_results: Some(shared.options.max_results), ..QueryOptions::default() };
    let given: Vec<(String, String)> = params.into_iter().collect();
    let answer = blocking(shared.options.timeout, move || {
        let snapshot = shared.store.snapshot();
        let bindings = canned::bind(&snapshot.store, text, &given).map_err(|e| HttpError::bad_request(format!("{name}: {e}")))?;
        Ok(query::run_bounded(&snapshot.store, text, &name, &bindings, &options)?)
    })
    .await?;
    results_response(&answer, &headers)
}

/// GET `/export?format=graphml&concept=&depth=&kinds=&min_weight=&view=&analytics=&layout=`:
/// the same bytes as `papergraph export` with those options; RDF formats stream the store.
pub async fn export(state: State, Query(params): Params) -> Result<Response, HttpError> {
    let value = |name: &str| params.get(name).map(String::as_str).filter(|v| !v.is_empty());
    let format = parse_enum::<ExportFormat>(value("format").unwrap_or("graphml"), "format")?;
    if format == ExportFormat::Neo4j {
        return Err(HttpError::bad_request("format=neo4j writes two files; export it with the CLI (papergraph export --format neo4j -o DIR)"));
    }
    let media_type = format.media_type().expect("every format but neo4j is one file");
    let shared = state.0.clone();
    if let Some(rdf_format) = format.rdf_format() {
        if ["concept", "kinds", "min_weight", "view"].iter().any(|name| value(name).is_some()) {
            return Err(HttpError::bad_request("concept, kinds, min_weight and view shape the graph formats; RDF formats dump the whole store"));
        }
        return Ok(stream_store(shared.store.snapshot(), rdf_format, media_type, format.extension()));
    }
    let kinds = match value("kinds") {
        Some(list) => list.split(',').map(|k| parse_enum::<NodeKind>(k, "kinds")).collect::<Result<Vec<_>, _>>()?,
        None => Vec::new(),
    };
    let view = parse_enum::<GraphView>(value("view").unwrap_or("knowledge"), "view")?;
    let layout = parse_enum::<Layout>(value("layout").unwrap_or("sfdp"), "layout")?;
    let depth = parse_number::<usize>(value("depth").unwrap_or("1"), "depth")?;
    let min_weight = value("min_weight").map(|w| parse_number::<f64>(w, "min_weight")).transpose()?;
    let analytics = !matches!(value("analytics"), Some("false" | "0" | "no"));
    let concept = value("concept").map(str::to_owned);
    // The first export of a store projects the whole graph (kept for later exports): it may
    // take longer than a query.
    let limit = shared.options.timeout.max(std::time::Duration::from_secs(60));
    let (body, file_name) = blocking(limit, move || {
        let snapshot = shared.store.snapshot();
        let around = match &concept {
            Some(name) => Some((resolve(&snapshot, name).map_err(|e| HttpError { json: false, ..e })?, depth)),
            None => None,
        };
        let file_name = format!("papergraph{}.{}", around.as_ref().map(|(c, _)| format!("-{}", slug(&c.label))).unwrap_or_default(), format.extension());
        let around = around.map(|(concept, depth)| (concept.iri, depth));
        let graph = graph::select(&*snapshot.projection()?, view, &Filter { kinds, around, min_weight });
        if graph.node_count() == 0 {
            return Err(HttpError::bad_request("the selection is empty: loosen kinds, depth or min_weight"));
        }
        let metrics = analytics.then(|| Metrics::compute(&graph));
        let mut body = Vec::new();
        export::write_graph(&View::new(&graph, metrics.as_ref(), view.is_directed()), format, layout, &mut body).map_err(|e| match e {
            export::ExportError::Render(e) => HttpError::bad_request(e.to_string()),
            other => HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, other.to_string()),
        })?;
        Ok((body, file_name))
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, media_type.to_owned()), (header::CONTENT_DISPOSITION, format!("inline; filename=\"{file_name}\""))], body).into_response())
}

/// Streams the store as RDF while it is written, through a bounded channel.
fn stream_store(snapshot: Arc<Snapshot>, format: oxigraph::io::RdfFormat, media_type: &'static str, extension: &str) -> Response {
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(16);
    tokio::task::spawn_blocking(move || {
        let writer = std::io::BufWriter::with_capacity(64 * 1024, ChannelWriter(sender.clone()));
        if let Err(e) = export::rdf::write(&snapshot.store, format, writer) {
            // The client sees a cut-off body; a closed connection needs no report.
            let _ = sender.blocking_send(Err(std::io::Error::other(e.to_string())));
        }
    });
    let body = Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(receiver));
    ([(header::CONTENT_TYPE, media_type.to_owned()), (header::CONTENT_DISPOSITION, format!("inline; filename=\"papergraph.{extension}\""))], body).into_response()
}

/// Sends what is written to a response body; fails once the client has gone.
struct ChannelWriter(tokio::sync::mpsc::Sender<Result<Vec<u8>, std::io::Error>>);

impl Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.blocking_send(Ok(buf.to_vec())).map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client closed the connection"))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn parse_enum<T: ValueEnum>(text: &str, name: &str) -> Result<T, HttpError> {
    T::from_str(text.trim(), true).map_err(|_| {
        let names: Vec<String> = T::value_variants().iter().filter_map(|v| v.to_possible_value()).map(|v| v.get_name().to_owned()).collect();
        HttpError::bad_request(format!("{name}={text:?} is not one of {}", names.join(", ")))
    })
}

fn parse_number<T: std::str::FromStr>(text: &str, name: &str) -> Result<T, HttpError> {
    text.trim().parse().map_err(|_| HttpError::bad_request(format!("{name}={text:?} is not a number")))
}

/// A name as a file-name fragment.
fn slug(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect::<String>().trim_matches('-').to_owned()
}
