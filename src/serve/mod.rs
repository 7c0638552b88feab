//! `papergraph serve`: the store over HTTP. A SPARQL 1.1 Protocol endpoint (`/sparql`), the
//! lookups as a JSON API (`/api/...`), graph exports (`/export`) and the explorer page (`/`).
//!
//! Handlers run the library's blocking calls (Oxigraph, the graph projection) on Tokio's
//! blocking pool, each query under a time limit and a cap on results. The store is opened
//! read-only and reopened when a build or an append changes it (see [`shared::SharedStore`]).

mod api;
mod assets;
mod shared;
mod sparql;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::query::QueryError;
use crate::store::StoreError;
use shared::SharedStore;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Address to listen on.
    pub bind: SocketAddr,
    /// Longest a SPARQL query, lookup or export may run.
    pub timeout: Duration,
    /// Most solutions (or triples) a SPARQL answer may have.
    pub max_results: usize,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot listen on {bind}")]
    Bind { bind: SocketAddr, source: std::io::Error },
    #[error("the server stopped: {0}")]
    Io(#[from] std::io::Error),
}

/// What every handler shares.
struct AppState {
    store: SharedStore,
    options: ServeOptions,
}

type State = axum::extract::State<Arc<AppState>>;

/// Serves the store in `store_dir` until interrupted (Ctrl-C or SIGTERM). `ready` is called with
/// the bound address once the server accepts connections.
pub fn serve(store_dir: &Path, options: ServeOptions, ready: impl FnOnce(SocketAddr)) -> Result<(), ServeError> {
    let store = SharedStore::open(store_dir)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(options.bind).await.map_err(|source| ServeError::Bind { bind: options.bind, source })?;
        ready(listener.local_addr()?);
        let state = Arc::new(AppState { store, options });
        axum::serve(listener, router(state)).with_graceful_shutdown(shutdown_signal()).await?;
        Ok(())
    })
}

fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/sparql", get(sparql::get).post(sparql::post))
        .route("/api/summary", get(api::summary))
        .route("/api/concepts", get(api::concepts))
        .route("/api/concept", get(api::concept))
        .route("/api/paper", get(api::paper))
        .route("/api/repo", get(api::repo))
        .route("/api/queries", get(api::queries))
        .route("/api/queries/{name}", get(api::canned_query))
        .route("/export", get(api::export))
        .route("/", get(assets::index))
        .route("/assets/{*path}", get(assets::file))
        .with_state(state)
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => drop(signal.recv().await),
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}

/// An HTTP error: a status and a message, written as plain text or, for the JSON API, as
/// `{"error": message, ...details}`.
#[derive(Debug)]
struct HttpError {
    status: StatusCode,
    message: String,
    json: bool,
    details: Option<serde_json::Value>,
}

impl HttpError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        HttpError { status, message: message.into(), json: false, details: None }
    }

    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// The same error, written as JSON.
    fn as_json(mut self) -> Self {
        self.json = true;
        self
    }

    /// The error written as JSON with more fields (e.g. the candidates of an ambiguous name).
    fn with_details(mut self, details: serde_json::Value) -> Self {
        self.json = true;
        self.details = Some(details);
        self
    }
}

impl From<QueryError> for HttpError {
    fn from(error: QueryError) -> Self {
        let status = match &error {
            QueryError::Syntax { .. } => StatusCode::BAD_REQUEST,
            QueryError::Timeout { .. } => StatusCode::SERVICE_UNAVAILABLE,
            QueryError::TooManyResults { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            QueryError::Evaluation { .. } | QueryError::Io(_) | QueryError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        HttpError::new(status, error.to_string())
    }
}

impl From<StoreError> for HttpError {
    fn from(error: StoreError) -> Self {
        HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, error.to_string())
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        if !self.json {
            return (self.status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], format!("{}\n", self.message)).into_response();
        }
        let mut body = serde_json::json!({ "error": self.message });
        if let (Some(serde_json::Value::Object(details)), Some(object)) = (self.details, body.as_object_mut()) {
            object.extend(details);
        }
        (self.status, axum::Json(body)).into_response()
    }
}

/// Runs blocking work (a query, a lookup, a projection) on the blocking pool, answering 503
/// when it takes longer than `limit`. A query's own time limit stops it between two reads of
/// the store; this one also answers in time when the evaluation is between reads (in a big
/// join), which then ends at its next read.
async fn blocking<T: Send + 'static>(limit: Duration, work: impl FnOnce() -> Result<T, HttpError> + Send + 'static) -> Result<T, HttpError> {
    let task = tokio::task::spawn_blocking(work);
    match tokio::time::timeout(limit + Duration::from_millis(250), task).await {
        Ok(done) => done.unwrap_or_else(|e| Err(HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("the request failed: {e}")))),
        Err(_) => Err(HttpError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("stopped after the {} s time limit: narrow the request (a LIMIT, a more selective pattern, a smaller neighbourhood)", limit.as_secs_f64()),
        )),
    }
}
