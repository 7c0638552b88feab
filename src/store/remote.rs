//! A SPARQL server as the store: queries over the SPARQL 1.1 Protocol, loading over the SPARQL
//! 1.1 Graph Store HTTP Protocol, and the few edits finishing needs as SPARQL 1.1 Update.
//!
//! Any server speaking the standard protocols works (Virtuoso, QLever, GraphDB, Fuseki,
//! Oxigraph's server, `papergraph serve` for reading). The facts may live in one named graph of
//! the server (`--graph`): queries then name it as their default graph (`default-graph-uri`)
//! and see the statistics graph as a named graph, as they do in the embedded store.

use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{GraphName, NamedNode, Quad, Term, Triple};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsParser, ReaderQueryResultsParserOutput};
use oxigraph::sparql::Variable;

use crate::rdf::vocab::STATISTICS_GRAPH;

/// Environment variables holding the user name and password sent to the server (never on the
/// command line, where other users of the machine could read them).
pub const USER_ENV: &str = "PAPERGRAPH_ENDPOINT_USER";
pub const PASSWORD_ENV: &str = "PAPERGRAPH_ENDPOINT_PASSWORD";

/// Longest a request may take when no query time limit says otherwise.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);
/// Bytes of an error response kept for the message.
const ERROR_BODY_CHARS: usize = 600;

#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    #[error("{url}: {message}")]
    Http { url: String, message: String },
    #[error("{url} answered {status}: {body}")]
    Status { url: String, status: u16, body: String },
    #[error("{url} answered something that is not {what}: {message}")]
    Malformed { url: String, what: &'static str, message: String },
    #[error("{url}: the server stopped the request after the {} s time limit", limit.as_secs_f64())]
    Timeout { url: String, limit: Duration },
}

/// User name and password for HTTP Basic or Digest authentication.
#[derive(Clone)]
pub struct Credentials {
    user: String,
    password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({}, ***)", self.user)
    }
}

impl Credentials {
    /// From [`USER_ENV`] and [`PASSWORD_ENV`], when the user is set.
    pub fn from_env() -> Option<Self> {
        let user = std::env::var(USER_ENV).ok().filter(|u| !u.is_empty())?;
        Some(Credentials { user, password: std::env::var(PASSWORD_ENV).unwrap_or_default() })
    }
}

/// A SPARQL server papergraph reads from and writes to.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// SPARQL 1.1 Protocol query URL.
    pub query_url: String,
    /// SPARQL 1.1 Update URL (often the query URL, or an authenticated twin of it).
    pub update_url: String,
    /// Graph Store HTTP Protocol URL, when the server has one.
    pub graph_store_url: Option<String>,
    /// Named graph holding the facts; `None`: the server's default graph.
    pub graph: Option<NamedNode>,
    credentials: Option<Credentials>,
    /// The server's last Digest challenge, answered up front (with a growing nonce count).
    digest: Arc<Mutex<Option<digest_auth::WwwAuthenticateHeader>>>,
    agent: ureq::Agent,
}

/// A query's answer as read from the server.
pub enum RemoteAnswer {
    Solutions { variables: Vec<Variable>, rows: Vec<Vec<Option<Term>>> },
    Boolean(bool),
    Graph(Vec<Triple>),
}

impl Endpoint {
    pub fn new(query_url: &str, update_url: Option<&str>, graph_store_url: Option<&str>, graph: Option<NamedNode>, credentials: Option<Credentials>) -> Self {
        let agent = ureq::Agent::config_builder().http_status_as_error(false).timeout_global(Some(DEFAULT_TIMEOUT)).build().new_agent();
        Endpoint {
            query_url: query_url.to_owned(),
            update_url: update_url.unwrap_or(query_url).to_owned(),
            graph_store_url: graph_store_url.map(str::to_owned),
            graph,
            credentials,
            digest: Arc::default(),
            agent,
        }
    }

    /// Runs `query` (full SPARQL text, prefixes declared) of the given form on the server.
    /// `default_graphs` / `named_graphs` override the dataset (else the facts graph as the
    /// default graph and the statistics graph as a named one, when `--graph` is set).
    pub fn query(&self, query: &str, graph_form: bool, default_graphs: Option<&[NamedNode]>, named_graphs: Option<&[NamedNode]>, timeout: Option<Duration>) -> Result<RemoteAnswer, RemoteError> {
        let mut form: Vec<(&str, String)> = vec![("query", query.to_owned())];
        let statistics = NamedNode::new_unchecked(STATISTICS_GRAPH);
        let own_default = self.graph.clone().map(|g| vec![g]);
        let own_named = self.graph.as_ref().map(|_| vec![statistics]);
        for g in default_graphs.or(own_default.as_deref()).unwrap_or_default() {
            form.push(("default-graph-uri", g.as_str().to_owned()));
        }
        for g in named_graphs.or(own_named.as_deref()).unwrap_or_default() {
            form.push(("named-graph-uri", g.as_str().to_owned()));
        }
        let accept = if graph_form { "application/n-triples" } else { "application/sparql-results+json" };
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(form.iter().map(|(k, v)| (*k, v.as_str()))).finish();
        let response = self.send("POST", &self.query_url, "application/x-www-form-urlencoded", accept, body.as_bytes(), timeout)?;
        let reader = response.into_body().into_reader();
        if graph_form {
            let mut triples = Vec::new();
            for quad in RdfParser::from_format(RdfFormat::NTriples).for_reader(reader) {
                let quad = quad.map_err(|e| self.malformed("N-Triples", e))?;
                triples.push(Triple::from(quad));
            }
            return Ok(RemoteAnswer::Graph(triples));
        }
        match QueryResultsParser::from_format(QueryResultsFormat::Json).for_reader(reader).map_err(|e| self.malformed("SPARQL JSON results", e))? {
            ReaderQueryResultsParserOutput::Boolean(value) => Ok(RemoteAnswer::Boolean(value)),
            ReaderQueryResultsParserOutput::Solutions(solutions) => {
                let variables = solutions.variables().to_vec();
                let mut rows = Vec::new();
                for solution in solutions {
                    let solution = solution.map_err(|e| self.malformed("SPARQL JSON results", e))?;
                    rows.push(variables.iter().map(|v| solution.get(v).cloned()).collect());
                }
                Ok(RemoteAnswer::Solutions { variables, rows })
            }
        }
    }

    /// Runs a SPARQL 1.1 Update.
    pub fn update(&self, update: &str) -> Result<(), RemoteError> {
        self.send("POST", &self.update_url, "application/sparql-update", "*/*", update.as_bytes(), None).map(drop)
    }

    /// Sends N-Triples to a graph over the Graph Store Protocol: `replace` (PUT) or add (POST).
    pub fn send_triples(&self, graph: Option<&NamedNode>, ntriples: &[u8], replace: bool) -> Result<(), RemoteError> {
        let Some(base) = &self.graph_store_url else {
            return Err(RemoteError::Http { url: self.query_url.clone(), message: "no Graph Store Protocol URL: give --graph-store URL".into() });
        };
        let target = match graph {
            Some(graph) => format!("{base}{}graph={}", separator(base), encode(graph.as_str())),
            None => format!("{base}{}default", separator(base)),
        };
        self.send(if replace { "PUT" } else { "POST" }, &target, "application/n-triples", "*/*", ntriples, None).map(drop)
    }

    /// The graph the facts go to on the server (`None`: its default graph).
    pub fn facts_graph(&self) -> Option<&NamedNode> {
        self.graph.as_ref()
    }

    /// One HTTP request, authenticated when credentials are set: as the server's challenge
    /// asks (Basic, or Digest, whose challenge is then kept and answered up front next time).
    fn send(&self, method: &str, url: &str, content_type: &str, accept: &str, body: &[u8], timeout: Option<Duration>) -> Result<ureq::http::Response<ureq::Body>, RemoteError> {
        let mut authorization = match (&self.credentials, self.digest.lock().expect("not poisoned").as_mut()) {
            (Some(credentials), Some(prompt)) => Some(digest_response(credentials, prompt, method, url)?),
            _ => None,
        };
        // Sending an empty body to read the server's challenge, and having read one.
        let (mut probing, mut challenged) = (false, false);
        loop {
            let mut request = ureq::http::Request::builder().method(method).uri(url).header("Content-Type", content_type).header("Accept", accept);
            if let Some(value) = &authorization {
                request = request.header("Authorization", value);
            }
            let payload: &[u8] = if probing { &[] } else { body };
            let request = request.body(payload).map_err(|e| RemoteError::Http { url: url.to_owned(), message: e.to_string() })?;
            let mut request = self.agent.configure_request(request);
            if let Some(limit) = timeout {
                request = request.timeout_global(Some(limit));
            }
            let response = match self.agent.run(request.build()) {
                Ok(response) => response,
                // A server may answer 401 and close the connection before reading a big body,
                // so that writing it fails: ask again with an empty body to read the challenge.
                Err(ureq::Error::Io(e))
                    if !probing && !challenged && authorization.is_none() && self.credentials.is_some() && matches!(e.kind(), std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::ConnectionReset) =>
                {
                    probing = true;
                    continue;
                }
                Err(ureq::Error::Timeout(_)) => return Err(RemoteError::Timeout { url: url.to_owned(), limit: timeout.unwrap_or(DEFAULT_TIMEOUT) }),
                Err(other) => return Err(RemoteError::Http { url: url.to_owned(), message: other.to_string() }),
            };
            let status = response.status().as_u16();
            if let (401, false, Some(credentials)) = (status, challenged, &self.credentials) {
                let challenge = response.headers().get("WWW-Authenticate").and_then(|v| v.to_str().ok()).unwrap_or_default();
                if challenge.to_ascii_lowercase().starts_with("digest") {
                    let mut prompt = digest_auth::parse(challenge).map_err(|e| RemoteError::Http { url: url.to_owned(), message: format!("cannot read the Digest challenge: {e}") })?;
                    authorization = Some(digest_response(credentials, &mut prompt, method, url)?);
                    *self.digest.lock().expect("not poisoned") = Some(prompt);
                    (probing, challenged) = (false, true);
                    continue;
                }
                if challenge.to_ascii_lowercase().starts_with("basic") {
                    authorization = Some(basic(credentials));
                    (probing, challenged) = (false, true);
                    continue;
                }
            }
            if probing {
                // The server did not ask for credentials after all: send the body itself.
                (probing, challenged) = (false, true);
                continue;
            }
            if !(200..300).contains(&status) {
                let mut text = String::new();
                response.into_body().into_reader().take(64 * 1024).read_to_string(&mut text).ok();
                let text = text.trim();
                let body = if text.chars().count() > ERROR_BODY_CHARS { format!("{}…", text.chars().take(ERROR_BODY_CHARS).collect::<String>()) } else { text.to_owned() };
                return Err(RemoteError::Status { url: url.to_owned(), status, body });
            }
            return Ok(response);
        }
    }

    fn malformed(&self, what: &'static str, e: impl std::fmt::Display) -> RemoteError {
        RemoteError::Malformed { url: self.query_url.clone(), what, message: e.to_string() }
    }
}

/// Quads as N-Triples lines of their triples (the graph is given by the request).
pub fn ntriples_of<'a>(quads: impl IntoIterator<Item = &'a Quad>) -> Vec<u8> {
    use std::io::Write;
    let mut out = Vec::new();
    for quad in quads {
        writeln!(out, "{} {} {} .", quad.subject, quad.predicate, quad.object).expect("writing to memory cannot fail");
    }
    out
}

/// The graph a quad goes to on a server: the facts graph for the default graph.
pub fn target_graph(endpoint: &Endpoint, graph: &GraphName) -> Option<NamedNode> {
    match graph {
        GraphName::NamedNode(n) => Some(n.clone()),
        _ => endpoint.facts_graph().cloned(),
    }
}

fn separator(url: &str) -> char {
    if url.contains('?') {
        '&'
    } else {
        '?'
    }
}

fn encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

fn basic(credentials: &Credentials) -> String {
    use base64::Engine;
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", credentials.user, credentials.password)))
}

/// The `Authorization` header answering a Digest challenge (RFC 7616), counting its use.
fn digest_response(credentials: &Credentials, prompt: &mut digest_auth::WwwAuthenticateHeader, method: &str, url: &str) -> Result<String, RemoteError> {
    let uri = url.find("://").and_then(|i| url[i + 3..].find('/').map(|j| &url[i + 3 + j..])).unwrap_or("/");
    let context = digest_auth::AuthContext::new_with_method(&credentials.user, &credentials.password, uri, Option::<&[u8]>::None, digest_auth::HttpMethod::from(method));
    let answer = prompt.respond(&context).map_err(|e| RemoteError::Http { url: url.to_owned(), message: format!("cannot answer the Digest challenge: {e}") })?;
    Ok(answer.to_header_string())
}

/// Triples sent to a server in one Graph Store Protocol request.
pub const CHUNK_TRIPLES: usize = 50_000;

/// A SPARQL update moving every triple mentioning `from` (as subject or object) onto `to`, in
/// the facts graph.
pub fn rename_update(endpoint: &Endpoint, from: &NamedNode, to: &NamedNode) -> String {
    let wrap = |pattern: String| match endpoint.facts_graph() {
        Some(graph) => format!("GRAPH {graph} {{ {pattern} }}"),
        None => pattern,
    };
    let (old_out, new_out) = (wrap(format!("{from} ?p ?o")), wrap(format!("{to} ?p ?o")));
    let (old_in, new_in) = (wrap(format!("?s ?p {from}")), wrap(format!("?s ?p {to}")));
    format!("DELETE {{ {old_out} }} INSERT {{ {new_out} }} WHERE {{ {old_out} }} ;\nDELETE {{ {old_in} }} INSERT {{ {new_in} }} WHERE {{ {old_in} }}")
}
