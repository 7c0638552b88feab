//! The SPARQL 1.1 Protocol at `/sparql`: queries by GET `?query=`, POST
//! `application/sparql-query` or POST form, with `default-graph-uri` / `named-graph-uri`;
//! results negotiated from `Accept`; updates refused; a service description when no query is
//! given.

use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use oxigraph::io::RdfFormat;
use oxigraph::model::vocab::rdf;
use oxigraph::model::{BlankNode, NamedNode, Triple};
use oxigraph::sparql::results::QueryResultsFormat;

use super::{blocking, HttpError, State};
use crate::query::{self, Answer, QueryOptions};
use crate::rdf::vocab::STATISTICS_GRAPH;

/// The protocol's parameters, from a query string or a form body.
#[derive(Debug, Default)]
struct Request {
    query: Option<String>,
    update: bool,
    default_graphs: Vec<NamedNode>,
    named_graphs: Vec<NamedNode>,
}

impl Request {
    fn parse(encoded: &[u8]) -> Result<Self, HttpError> {
        let mut request = Request::default();
        let iri = |value: &str, name: &str| {
            NamedNode::new(value).map_err(|e| HttpError::bad_request(format!("{name}={value:?} is not an IRI: {e}")))
        };
        for (name, value) in form_urlencoded::parse(encoded) {
            match &*name {
                "query" if request.query.is_some() => return Err(HttpError::bad_request("more than one query= parameter")),
                "query" => request.query = Some(value.into_owned()),
                "update" => request.update = true,
                "default-graph-uri" => request.default_graphs.push(iri(&value, &name)?),
                "named-graph-uri" => request.named_graphs.push(iri(&value, &name)?),
                _ => {}
            }
        }
        Ok(request)
    }
}

/// GET `/sparql?query=...`; without a query, the service description.
pub async fn get(state: State, headers: HeaderMap, RawQuery(raw): RawQuery) -> Result<Response, HttpError> {
    let request = Request::parse(raw.unwrap_or_default().as_bytes())?;
    respond(state, &headers, request).await
}

/// POST `/sparql` with `application/sparql-query` or a form (`query=` or `update=`).
pub async fn post(state: State, headers: HeaderMap, RawQuery(raw): RawQuery, body: Bytes) -> Result<Response, HttpError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let media_type = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let mut request = Request::parse(raw.unwrap_or_default().as_bytes())?;
    match media_type.as_str() {
        "application/sparql-query" => {
            let text = String::from_utf8(body.to_vec()).map_err(|_| HttpError::bad_request("the query is not UTF-8"))?;
            request.query = Some(text);
        }
        "application/sparql-update" => request.update = true,
        "application/x-www-form-urlencoded" => {
            let form = Request::parse(&body)?;
            request.query = form.query.or(request.query);
            request.update |= form.update;
            request.default_graphs.extend(form.default_graphs);
            request.named_graphs.extend(form.named_graphs);
        }
        other => {
            return Err(HttpError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("POST a query as application/sparql-query or application/x-www-form-urlencoded, not {other:?}"),
            ))
        }
    }
    respond(state, &headers, request).await
}

async fn respond(state: State, headers: &HeaderMap, request: Request) -> Result<Response, HttpError> {
    if request.update {
        return Err(HttpError::new(StatusCode::FORBIDDEN, "this endpoint is read-only: SPARQL updates are refused (change the store with `papergraph build`)"));
    }
    let Some(text) = request.query else {
        return graph_response(&service_description(&endpoint_iri(headers)), accept(headers));
    };
    let options = QueryOptions {
        timeout: Some(state.options.timeout),
        max_results: Some(state.options.max_results),
        default_graphs: (!request.default_graphs.is_empty()).then_some(request.default_graphs),
        named_graphs: (!request.named_graphs.is_empty()).then_some(request.named_graphs),
    };
    let shared = state.0.clone();
    let answer = blocking(shared.options.timeout, move || {
        let snapshot = shared.store.snapshot();
        Ok(query::run_bounded(&snapshot.store, &text, "<request>", &[], &options)?)
    })
    .await?;
    results_response(&answer, headers)
}

/// An answer in the format the request's `Accept` prefers: SPARQL results for solutions and
/// booleans, RDF for graphs.
pub(super) fn results_response(answer: &Answer, headers: &HeaderMap) -> Result<Response, HttpError> {
    let accept = accept(headers);
    if let Answer::Graph(triples) = answer {
        return graph_response(triples, accept);
    }
    let format = negotiate(accept, RESULTS_FORMATS).ok_or_else(|| not_acceptable(accept, RESULTS_FORMATS))?;
    let mut body = Vec::new();
    query::write_results(answer, format.1, &mut body).map_err(|e| HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    Ok(([(header::CONTENT_TYPE, format.0)], body).into_response())
}

/// The request's `Accept` (`*/*` when absent).
fn accept(headers: &HeaderMap) -> &str {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("*/*")
}

/// Media types offered for SELECT and ASK, the first being the default.
const RESULTS_FORMATS: &[(&str, QueryResultsFormat)] = &[
    ("application/sparql-results+json", QueryResultsFormat::Json),
    ("application/sparql-results+xml", QueryResultsFormat::Xml),
    ("text/csv", QueryResultsFormat::Csv),
    ("text/tab-separated-values", QueryResultsFormat::Tsv),
    ("application/json", QueryResultsFormat::Json),
    ("application/xml", QueryResultsFormat::Xml),
];

/// Media types offered for CONSTRUCT, DESCRIBE and the service description.
const GRAPH_FORMATS: &[(&str, RdfFormat)] = &[
    ("text/turtle", RdfFormat::Turtle),
    ("application/n-triples", RdfFormat::NTriples),
    ("application/rdf+xml", RdfFormat::RdfXml),
    ("application/ld+json", RdfFormat::JsonLd { profile: oxigraph::io::JsonLdProfileSet::empty() }),
    ("text/plain", RdfFormat::NTriples),
];

fn graph_response(triples: &[Triple], accept: &str) -> Result<Response, HttpError> {
    let format = negotiate(accept, GRAPH_FORMATS).ok_or_else(|| not_acceptable(accept, GRAPH_FORMATS))?;
    let mut body = Vec::new();
    query::write_triples(triples, format.1, &mut body).map_err(|e| HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    Ok(([(header::CONTENT_TYPE, format.0)], body).into_response())
}

fn not_acceptable<T>(accept: &str, offered: &[(&str, T)]) -> HttpError {
    let names: Vec<&str> = offered.iter().map(|(name, _)| *name).collect();
    HttpError::new(StatusCode::NOT_ACCEPTABLE, format!("cannot answer in {accept:?}; this answer is available as {}", names.join(", ")))
}

/// The offered format `accept` prefers (highest q, then the order of `offered`); `*/*` and
/// `type/*` take the first matching offer.
fn negotiate<T: Copy>(accept: &str, offered: &[(&'static str, T)]) -> Option<(&'static str, T)> {
    let mut best: Option<(f32, usize)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let wanted = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if q <= 0.0 {
            continue;
        }
        let matches = |media: &str| match wanted.split_once('/') {
            Some(("*", "*")) => true,
            Some((kind, "*")) => media.split('/').next() == Some(kind),
            _ => media == wanted,
        };
        if let Some(position) = offered.iter().position(|(media, _)| matches(media)) {
            if best.is_none_or(|(best_q, best_position)| q > best_q || (q == best_q && position < best_position)) {
                best = Some((q, position));
            }
        }
    }
    best.map(|(_, position)| offered[position])
}

/// The endpoint's own IRI, from the request's Host.
fn endpoint_iri(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("localhost");
    format!("http://{host}/sparql")
}

/// The SPARQL 1.1 Service Description of this endpoint.
fn service_description(endpoint: &str) -> Vec<Triple> {
    const SD: &str = "http://www.w3.org/ns/sparql-service-description#";
    const FORMATS: &str = "http://www.w3.org/ns/formats/";
    let sd = |local: &str| NamedNode::new_unchecked(format!("{SD}{local}"));
    let service = BlankNode::default();
    let dataset = BlankNode::default();
    let default_graph = BlankNode::default();
    let named_graph = BlankNode::default();
    let endpoint = NamedNode::new(endpoint).unwrap_or_else(|_| NamedNode::new_unchecked("http://localhost/sparql"));
    let mut triples = vec![
        Triple::new(service.clone(), rdf::TYPE, sd("Service")),
        Triple::new(service.clone(), sd("endpoint"), endpoint),
        Triple::new(service.clone(), sd("supportedLanguage"), sd("SPARQL11Query")),
        Triple::new(service.clone(), sd("defaultDataset"), dataset.clone()),
        Triple::new(dataset.clone(), rdf::TYPE, sd("Dataset")),
        Triple::new(dataset.clone(), sd("defaultGraph"), default_graph.clone()),
        Triple::new(default_graph, rdf::TYPE, sd("Graph")),
        Triple::new(dataset, sd("namedGraph"), named_graph.clone()),
        Triple::new(named_graph.clone(), rdf::TYPE, sd("NamedGraph")),
        Triple::new(named_graph, sd("name"), NamedNode::new_unchecked(STATISTICS_GRAPH)),
    ];
    for format in ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV", "Turtle", "N-Triples", "RDF_XML", "JSON-LD"] {
        triples.push(Triple::new(service.clone(), sd("resultFormat"), NamedNode::new_unchecked(format!("{FORMATS}{format}"))));
    }
    triples
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFERED: &[(&str, u8)] = &[("application/sparql-results+json", 1), ("application/sparql-results+xml", 2), ("text/csv", 3)];

    #[test]
    fn negotiation_follows_q_values_then_the_offer_order() {
        assert_eq!(negotiate("text/csv", OFFERED).map(|f| f.1), Some(3));
        assert_eq!(negotiate("*/*", OFFERED).map(|f| f.1), Some(1));
        assert_eq!(negotiate("text/csv;q=0.5, application/sparql-results+xml", OFFERED).map(|f| f.1), Some(2));
        assert_eq!(negotiate("application/*;q=0.9, text/csv;q=0.8", OFFERED).map(|f| f.1), Some(1));
        assert_eq!(negotiate("text/html", OFFERED), None);
        assert_eq!(negotiate("text/csv;q=0", OFFERED), None);
    }

    #[test]
    fn form_parameters_are_read_and_checked() {
        let request = Request::parse(b"query=ASK%7B%7D&default-graph-uri=http%3A%2F%2Fa.example%2Fg").expect("parses");
        assert_eq!(request.query.as_deref(), Some("ASK{}"));
        assert_eq!(request.default_graphs, vec![NamedNode::new_unchecked("http://a.example/g")]);
        assert!(Request::parse(b"query=a&query=b").is_err());
        assert!(Request::parse(b"named-graph-uri=not%20an%20iri").is_err());
        assert!(Request::parse(b"update=INSERT").expect("parses").update);
    }
}
