//! `papergraph push`: a store, or N-Quads files, into a SPARQL server over the Graph Store HTTP
//! Protocol, in chunks, retried on transient errors, and resumable.
//!
//! The quads are cut into chunks in a deterministic order (the store's index order, or the
//! files' line order), each chunk holding triples of one target graph. After each chunk the
//! server acknowledges, the number of chunks done is saved in a state file beside the source;
//! run again with the same source and server, a push skips those chunks. Sending a chunk twice
//! is harmless (RDF graphs are sets), so a crash between sending and saving loses nothing.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use oxigraph::io::{RdfFormat, RdfParseError, RdfParser};
use oxigraph::model::{NamedNode, Quad};
use serde::{Deserialize, Serialize};

use super::remote::{self, Endpoint, RemoteError};
use super::{GraphStore, StoreError};

/// What to push.
pub enum Source<'a> {
    Store(&'a GraphStore),
    /// N-Quads or N-Triples files, optionally gzipped.
    Files(&'a [PathBuf]),
}

/// How to push.
#[derive(Debug, Clone)]
pub struct PushOptions {
    /// Triples per request.
    pub chunk_triples: usize,
    /// Attempts per chunk before giving up on a transient error.
    pub attempts: u32,
    /// Where progress is saved; the default is beside the source ([`default_state_file`]).
    pub state_file: PathBuf,
}

/// What a push did.
#[derive(Debug, Default, Serialize)]
pub struct PushReport {
    pub quads: usize,
    pub chunks_sent: usize,
    /// Chunks an earlier, interrupted push had sent already.
    pub chunks_skipped: usize,
    /// Requests sent again after a transient error.
    pub retries: usize,
    pub seconds: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error("{path}:{line}: {message}")]
    Syntax { path: String, line: usize, message: String },
    #[error("cannot read {path}: {message}")]
    Read { path: String, message: String },
    #[error("chunk {chunk} (quads from {first_quad}): {source}; {done} chunk(s) are on the server, run the same push again to resume")]
    Send { chunk: usize, first_quad: usize, done: usize, source: RemoteError },
    #[error("cannot save the push state in {path}: {source}")]
    State { path: String, source: std::io::Error },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Progress saved between runs.
#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
struct State {
    /// The source, server and graph this state is about.
    identity: String,
    chunks_done: usize,
    complete: bool,
}

/// The state file of a push of `source`: beside the store (in its directory) or the first file.
pub fn default_state_file(source: &Source<'_>, endpoint: &Endpoint) -> PathBuf {
    let target = format!("{} {}", endpoint.graph_store_url.as_deref().unwrap_or(&endpoint.query_url), endpoint.graph.as_ref().map_or("", NamedNode::as_str));
    let tag = format!("{:016x}", xxhash_rust::xxh3::xxh3_64(target.as_bytes()));
    match source {
        Source::Store(store) => store.path.join(format!("papergraph-push-{tag}.json")),
        Source::Files(files) => {
            let first = files.first().map_or_else(|| PathBuf::from("papergraph"), Clone::clone);
            let mut name = first.file_name().unwrap_or_default().to_os_string();
            name.push(format!(".push-{tag}.json"));
            first.with_file_name(name)
        }
    }
}

/// Pushes `source` to `endpoint`; `progress(quads_sent_or_skipped)` after each chunk.
pub fn push(source: &Source<'_>, endpoint: &Endpoint, options: &PushOptions, progress: &dyn Fn(usize)) -> Result<PushReport, PushError> {
    let started = Instant::now();
    let identity = format!("{} -> {} {}", source_identity(source), endpoint.graph_store_url.as_deref().unwrap_or_default(), endpoint.graph.as_ref().map_or("", NamedNode::as_str));
    let saved: State = std::fs::read(&options.state_file).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
    let resume_from = if saved.identity == identity { if saved.complete { usize::MAX } else { saved.chunks_done } } else { 0 };
    let mut state = State { identity, chunks_done: 0, complete: false };
    let mut report = PushReport::default();
    let mut chunker = Chunker { size: options.chunk_triples, pending: Vec::new() };
    let mut send = |graph: Option<NamedNode>, quads: Vec<Quad>, report: &mut PushReport| -> Result<(), PushError> {
        let chunk = state.chunks_done;
        let first_quad = report.quads;
        report.quads += quads.len();
        if chunk < resume_from {
            report.chunks_skipped += 1;
        } else {
            let body = remote::ntriples_of(&quads);
            let mut attempt = 1;
            loop {
                match endpoint.send_triples(graph.as_ref(), &body, false) {
                    Ok(()) => break,
                    Err(e) if attempt < options.attempts && is_transient(&e) => {
                        std::thread::sleep(Duration::from_millis(500 << (attempt - 1).min(5)));
                        attempt += 1;
                        report.retries += 1;
                    }
                    Err(source) => return Err(PushError::Send { chunk, first_quad, done: chunk, source }),
                }
            }
            report.chunks_sent += 1;
        }
        state.chunks_done += 1;
        save(&options.state_file, &state)?;
        progress(report.quads);
        Ok(())
    };
    let mut each = |quad: Quad, report: &mut PushReport| -> Result<(), PushError> {
        let graph = remote::target_graph(endpoint, &quad.graph_name);
        if let Some((graph, quads)) = chunker.add(graph, quad) {
            send(graph, quads, report)?;
        }
        Ok(())
    };
    match source {
        Source::Store(store) => {
            for quad in store.quads(None, None, None, None) {
                each(quad?, &mut report)?;
            }
        }
        Source::Files(files) => {
            for path in *files {
                let shown = path.display().to_string();
                let input = crate::ingest::open_decompressed(path).map_err(|e| PushError::Read { path: shown.clone(), message: e.to_string() })?;
                for parsed in RdfParser::from_format(RdfFormat::NQuads).for_reader(input) {
                    match parsed {
                        Ok(quad) => each(quad, &mut report)?,
                        Err(RdfParseError::Syntax(e)) => {
                            let line = e.location().map_or(0, |l| l.start.line as usize + 1);
                            return Err(PushError::Syntax { path: shown, line, message: e.to_string() });
                        }
                        Err(RdfParseError::Io(e)) => return Err(PushError::Read { path: shown, message: e.to_string() }),
                    }
                }
            }
        }
    }
    for (graph, quads) in chunker.drain() {
        send(graph, quads, &mut report)?;
    }
    state.complete = true;
    save(&options.state_file, &state)?;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Quads gathered per target graph until a chunk is full.
struct Chunker {
    size: usize,
    pending: Vec<(Option<NamedNode>, Vec<Quad>)>,
}

impl Chunker {
    /// Adds a quad; returns a full chunk when this one filled it.
    fn add(&mut self, graph: Option<NamedNode>, quad: Quad) -> Option<(Option<NamedNode>, Vec<Quad>)> {
        let at = match self.pending.iter().position(|(g, _)| *g == graph) {
            Some(at) => at,
            None => {
                self.pending.push((graph.clone(), Vec::new()));
                self.pending.len() - 1
            }
        };
        self.pending[at].1.push(quad);
        (self.pending[at].1.len() >= self.size).then(|| (graph, std::mem::take(&mut self.pending[at].1)))
    }

    /// The partly filled chunks, in the order their graphs first appeared.
    fn drain(&mut self) -> Vec<(Option<NamedNode>, Vec<Quad>)> {
        std::mem::take(&mut self.pending).into_iter().filter(|(_, quads)| !quads.is_empty()).collect()
    }
}

/// Errors worth another try: the connection, a timeout, the server busy or failing.
fn is_transient(error: &RemoteError) -> bool {
    match error {
        RemoteError::Http { .. } | RemoteError::Timeout { .. } => true,
        RemoteError::Status { status, .. } => *status >= 500 || *status == 429 || *status == 408,
        RemoteError::Malformed { .. } => false,
    }
}

/// What the source is, so that a saved state is only used for the same source: the store's
/// path and the time its statistics were last saved, or each file's path, size and time.
fn source_identity(source: &Source<'_>) -> String {
    let stamp = |path: &Path| {
        let meta = std::fs::metadata(path).ok();
        let modified = meta.as_ref().and_then(|m| m.modified().ok()).and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos());
        format!("{}:{}:{modified}", path.display(), meta.map_or(0, |m| m.len()))
    };
    match source {
        Source::Store(store) => stamp(&store.path.join(super::statistics::TABLE_FILE)),
        Source::Files(files) => files.iter().map(|f| stamp(f)).collect::<Vec<_>>().join(" "),
    }
}

fn save(path: &Path, state: &State) -> Result<(), PushError> {
    let err = |source| PushError::State { path: path.display().to_string(), source };
    let partial = path.with_extension("partial");
    std::fs::write(&partial, serde_json::to_vec(state).expect("the state serializes")).map_err(err)?;
    std::fs::rename(&partial, path).map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{GraphName, Literal};

    fn quad(i: usize, graph: Option<&str>) -> Quad {
        let graph = graph.map_or(GraphName::DefaultGraph, |g| NamedNode::new_unchecked(g).into());
        Quad::new(NamedNode::new_unchecked(format!("http://e/{i}")), NamedNode::new_unchecked("http://e/p"), Literal::from(i as i64), graph)
    }

    #[test]
    fn chunks_hold_one_graph_and_fill_in_order() {
        let mut chunker = Chunker { size: 2, pending: Vec::new() };
        let g = Some(NamedNode::new_unchecked("http://e/g"));
        assert!(chunker.add(None, quad(0, None)).is_none());
        assert!(chunker.add(g.clone(), quad(1, Some("http://e/g"))).is_none());
        let (graph, full) = chunker.add(None, quad(2, None)).unwrap();
        assert_eq!((graph, full.len()), (None, 2));
        let rest = chunker.drain();
        assert_eq!(rest.len(), 1);
        assert_eq!((rest[0].0.clone(), rest[0].1.len()), (g, 1));
        assert!(chunker.drain().is_empty());
    }

    #[test]
    fn only_connection_and_server_side_errors_are_retried() {
        let status = |status| RemoteError::Status { url: String::new(), status, body: String::new() };
        assert!(is_transient(&status(503)) && is_transient(&status(429)));
        assert!(!is_transient(&status(400)) && !is_transient(&status(401)) && !is_transient(&status(413)));
        assert!(is_transient(&RemoteError::Http { url: String::new(), message: "connection refused".into() }));
    }
}
