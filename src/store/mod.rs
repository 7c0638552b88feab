//! The on-disk Oxigraph store: the single source of truth every consumer reads.

pub mod provenance;
pub mod push;
pub mod remote;
pub mod statistics;
pub mod titles;

use std::path::{Path, PathBuf};

use oxigraph::model::{GraphName, GraphNameRef, Literal, NamedNode, NamedNodeRef, NamedOrBlankNode, NamedOrBlankNodeRef, Quad, Term, TermRef};
use oxigraph::store::{BulkLoader, Store};

use remote::{Endpoint, RemoteError};

use crate::rdf::vocab::{DCTERMS_IDENTIFIER, PG_TITLE_KEY};

/// Where `papergraph` keeps its store unless `--store` or `PAPERGRAPH_STORE` says otherwise.
pub const DEFAULT_STORE_DIR: &str = ".papergraph/store";

/// Memory the bulk loader may use for its batches (RocksDB's own caches come on top).
const BULK_LOAD_MEMORY_MB: usize = 512;

/// Errors opening or writing the store, with the store's path.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open store at {path}: {source}")]
    Open { path: PathBuf, source: oxigraph::store::StorageError },
    #[error("no store at {path}: run `papergraph build` first (or pass --store DIR)")]
    Missing { path: PathBuf },
    #[error("store at {path}: {source}")]
    Storage { path: PathBuf, source: oxigraph::store::StorageError },
    #[error("cannot put the new store in place at {path}: {source}")]
    Replace { path: PathBuf, source: std::io::Error },
    #[error("the store at {path} is being written by another papergraph ({holder}); wait for it to finish, or stop it")]
    Busy { path: PathBuf, holder: String },
    #[error("statistics of the store at {path}: {message}")]
    Statistics { path: PathBuf, message: String },
    #[error("cannot write the store at {path} as RDF: {source}")]
    Dump { path: PathBuf, source: oxigraph::store::SerializerError },
    #[error(transparent)]
    Remote(#[from] RemoteError),
    #[error("{what} needs the embedded store; {url} is a SPARQL server (use the server's own tools)")]
    NotLocal { url: String, what: &'static str },
}

/// What [`GraphStore::merge_papers_by_title`] did.
#[derive(Debug, Default)]
pub struct TitleMerges {
    /// (merged paper, paper it merged into), as IRIs.
    pub merged: Vec<(String, String)>,
    /// Normalized titles that still have papers without an arXiv id.
    pub unmerged: Vec<String>,
}

/// An opened store and where it lives: the embedded Oxigraph store, or a SPARQL server.
pub struct GraphStore {
    backend: Backend,
    /// The store's directory (for a server: its query URL).
    pub path: PathBuf,
}

enum Backend {
    Local(Store),
    Remote(Endpoint),
}

/// Quads matching a pattern, read lazily from the embedded store.
pub type Quads<'a> = Box<dyn Iterator<Item = Result<Quad, StoreError>> + 'a>;

impl GraphStore {
    /// Opens the store for writing, creating it if needed.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        recover(path)?;
        std::fs::create_dir_all(path).map_err(|e| StoreError::Open { path: path.to_path_buf(), source: e.into() })?;
        let store = Store::open(path).map_err(|source| StoreError::Open { path: path.to_path_buf(), source })?;
        Ok(GraphStore { backend: Backend::Local(store), path: path.to_path_buf() })
    }

    /// Opens an existing store for reading.
    pub fn open_existing(path: &Path) -> Result<Self, StoreError> {
        existing(path)?;
        let store = Store::open_read_only(path).map_err(|source| StoreError::Open { path: path.to_path_buf(), source })?;
        Ok(GraphStore { backend: Backend::Local(store), path: path.to_path_buf() })
    }

    /// A SPARQL server as the store.
    pub fn remote(endpoint: Endpoint) -> Self {
        GraphStore { path: PathBuf::from(&endpoint.query_url), backend: Backend::Remote(endpoint) }
    }

    /// The server, when the store is one.
    pub fn endpoint(&self) -> Option<&Endpoint> {
        match &self.backend {
            Backend::Remote(endpoint) => Some(endpoint),
            Backend::Local(_) => None,
        }
    }

    /// The embedded Oxigraph store; an error saying `what` needs it for a server.
    pub fn local(&self, what: &'static str) -> Result<&Store, StoreError> {
        match &self.backend {
            Backend::Local(store) => Ok(store),
            Backend::Remote(endpoint) => Err(StoreError::NotLocal { url: endpoint.query_url.clone(), what }),
        }
    }

    /// Quads matching a pattern (`None` matches anything; a graph of `None`, every graph).
    /// Streamed from the embedded store; one query (read whole) on a server.
    pub fn quads(&self, subject: Option<NamedOrBlankNodeRef<'_>>, predicate: Option<NamedNodeRef<'_>>, object: Option<TermRef<'_>>, graph: Option<GraphNameRef<'_>>) -> Quads<'_> {
        match &self.backend {
            Backend::Local(store) => Box::new(store.quads_for_pattern(subject, predicate, object, graph).map(|q| q.map_err(|source| self.storage_error(source)))),
            Backend::Remote(endpoint) => match remote_quads(endpoint, subject, predicate, object, graph) {
                Ok(quads) => Box::new(quads.into_iter().map(Ok)),
                Err(e) => Box::new(std::iter::once(Err(e.into()))),
            },
        }
    }

    /// Reads the store's table files into the page cache, in file order, on a background
    /// thread, before a scan of the whole store (a graph projection) or many random reads (the
    /// recount of a store's paper index): on a cold cache these otherwise read the disk one random block at a time (measured on a 6 GB store: 13
    /// minutes for what a sequential read does in one; `posix_fadvise(WILLNEED)` brought in only
    /// a third of it). Done only when the files take less than half the memory available; a
    /// server's store is left alone.
    pub fn prefetch(&self) {
        if self.endpoint().is_some() {
            return;
        }
        let Ok(entries) = std::fs::read_dir(&self.path) else { return };
        let tables: Vec<(PathBuf, u64)> = entries
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "sst"))
            .filter_map(|e| Some((e.path(), e.metadata().ok()?.len())))
            .collect();
        let total: u64 = tables.iter().map(|(_, len)| len).sum();
        if available_memory().is_none_or(|available| total > available / 2) {
            return;
        }
        std::thread::spawn(move || {
            let mut buffer = vec![0; 1 << 20];
            for (path, _) in tables {
                let Ok(mut file) = std::fs::File::open(&path) else { continue };
                while matches!(std::io::Read::read(&mut file, &mut buffer), Ok(n) if n > 0) {}
            }
        });
    }

    /// The first quad matching a pattern.
    pub fn first_quad(&self, subject: Option<NamedOrBlankNodeRef<'_>>, predicate: Option<NamedNodeRef<'_>>, object: Option<TermRef<'_>>, graph: Option<GraphNameRef<'_>>) -> Result<Option<Quad>, StoreError> {
        self.quads(subject, predicate, object, graph).next().transpose()
    }

    /// Replaces the named `graph` with `quads`: bulk-loaded into the embedded store, sent with
    /// the Graph Store Protocol to a server (in chunks: the first replaces, the rest add).
    pub fn replace_graph(&self, graph: &NamedNode, quads: Vec<Quad>) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Local(store) => {
                let err = |source| self.storage_error(source);
                store.clear_graph(graph.as_ref()).map_err(err)?;
                let mut loader = self.bulk_loader()?;
                loader.load_quads(quads).map_err(err)?;
                loader.commit().map_err(err)
            }
            Backend::Remote(endpoint) => {
                let mut chunks = quads.chunks(remote::CHUNK_TRIPLES);
                endpoint.send_triples(Some(graph), &remote::ntriples_of(chunks.next().unwrap_or_default()), true)?;
                for chunk in chunks {
                    endpoint.send_triples(Some(graph), &remote::ntriples_of(chunk), false)?;
                }
                Ok(())
            }
        }
    }

    /// Opens an existing store for writing.
    pub fn open_existing_for_writing(path: &Path) -> Result<Self, StoreError> {
        existing(path)?;
        Self::open(path)
    }

    /// Adds quads in one transaction: all of them are stored or none. Quads already present are
    /// no-ops, so loading the same data twice leaves the store unchanged.
    pub fn insert_all(&self, quads: &[Quad]) -> Result<(), StoreError> {
        let store = self.local("inserting quads")?;
        store.extend(quads.iter().map(Quad::as_ref)).map_err(|source| self.storage_error(source))?;
        store.flush().map_err(|source| self.storage_error(source))
    }

    /// Waits until RocksDB has merged what bulk loads ingested (overlapping files, one per
    /// loader batch, merged in the background): the store is then left as every later open
    /// reads it, instead of each read searching every ingested file until some read-write
    /// open finishes the merge. Nothing to do on a server.
    pub fn wait_for_compaction(&self) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Local(store) => store.wait_for_compaction().map_err(|source| self.storage_error(source)),
            Backend::Remote(_) => Ok(()),
        }
    }

    /// A bulk loader with bounded memory. Nothing it loads is visible (or lost) until `commit`.
    pub fn bulk_loader(&self) -> Result<BulkLoader<'_>, StoreError> {
        Ok(self.local("bulk loading")?.bulk_loader().with_max_memory_size_in_megabytes(BULK_LOAD_MEMORY_MB))
    }

    /// Number of distinct subjects typed `class` (counted on the store's encoded terms).
    pub fn count_of_type(&self, class: NamedNodeRef<'_>) -> Result<usize, StoreError> {
        let rows = crate::query::select(self, &format!("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a {class} }}"), "count", &[])
            .map_err(|e| StoreError::Statistics { path: self.path.clone(), message: e.to_string() })?;
        Ok(crate::query::plain_value(&rows[0][0]).parse().unwrap_or_default())
    }

    /// For each normalized title in `keys`: moves everything said about the papers with that
    /// title read without an arXiv id (their IRIs minted from the title) onto the paper with
    /// that title that has one, when exactly one does. Returns the merged papers' IRIs, each
    /// with the IRI it merged into, and the keys that still have papers without an id.
    pub fn merge_papers_by_title<'a>(&self, keys: impl IntoIterator<Item = &'a str>) -> Result<TitleMerges, StoreError> {
        let mut outcome = TitleMerges::default();
        for title in keys {
            let key = Term::from(Literal::new_simple_literal(title));
            let (mut twins, mut orphans) = (Vec::new(), Vec::new());
            for quad in self.quads(None, Some(PG_TITLE_KEY), Some(key.as_ref()), Some(GraphNameRef::DefaultGraph)) {
                let NamedOrBlankNode::NamedNode(paper) = quad?.subject else { continue };
                if self.has_identifier(&paper)? { twins.push(paper) } else { orphans.push(paper) }
            }
            let [twin] = twins.as_slice() else {
                if !orphans.is_empty() {
                    outcome.unmerged.push(title.to_owned());
                }
                continue;
            };
            for orphan in orphans {
                self.rename(&orphan, twin)?;
                outcome.merged.push((orphan.into_string(), twin.as_str().to_owned()));
            }
        }
        Ok(outcome)
    }

    /// Moves every quad mentioning `from` (as subject or object) onto `to`, in one transaction
    /// (on a server: one SPARQL update, in the facts graph).
    fn rename(&self, from: &NamedNode, to: &NamedNode) -> Result<(), StoreError> {
        let store = match &self.backend {
            Backend::Local(store) => store,
            Backend::Remote(endpoint) => return Ok(endpoint.update(&remote::rename_update(endpoint, from, to))?),
        };
        let err = |source| self.storage_error(source);
        let old = Term::from(from.clone());
        let mut moved = Vec::new();
        for quad in store.quads_for_pattern(Some(from.as_ref().into()), None, None, None).chain(store.quads_for_pattern(None, None, Some(old.as_ref()), None)) {
            moved.push(quad.map_err(err)?);
        }
        let renamed = |quad: &Quad| {
            let subject = if quad.subject == from.as_ref().into() { NamedOrBlankNode::from(to.clone()) } else { quad.subject.clone() };
            let object = if quad.object == old { Term::from(to.clone()) } else { quad.object.clone() };
            Quad::new(subject, quad.predicate.clone(), object, quad.graph_name.clone())
        };
        let mut transaction = store.start_transaction().map_err(err)?;
        for quad in &moved {
            transaction.remove(quad);
            transaction.insert(&renamed(quad));
        }
        transaction.commit().map_err(err)
    }

    /// Whether `paper` has a `dcterms:identifier` (an arXiv id).
    fn has_identifier(&self, paper: &NamedNode) -> Result<bool, StoreError> {
        Ok(self.first_quad(Some(paper.as_ref().into()), Some(DCTERMS_IDENTIFIER), None, Some(GraphNameRef::DefaultGraph))?.is_some())
    }

    /// Number of quads in the store.
    pub fn len(&self) -> Result<usize, StoreError> {
        match &self.backend {
            Backend::Local(store) => store.len().map_err(|source| self.storage_error(source)),
            Backend::Remote(_) => {
                let rows = crate::query::select(self, "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH pgid:statistics { ?s ?p ?o } } }", "count", &[])
                    .map_err(|e| StoreError::Statistics { path: self.path.clone(), message: e.to_string() })?;
                Ok(crate::query::plain_value(&rows[0][0]).parse().unwrap_or_default())
            }
        }
    }

    pub fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.len()? == 0)
    }

    pub(crate) fn storage_error(&self, source: oxigraph::store::StorageError) -> StoreError {
        StoreError::Storage { path: self.path.clone(), source }
    }
}

/// Puts back a store an interrupted swap left aside, then checks there is a store at `path`.
fn existing(path: &Path) -> Result<(), StoreError> {
    recover(path)?;
    if !path.join("CURRENT").exists() {
        return Err(StoreError::Missing { path: path.to_path_buf() });
    }
    Ok(())
}

/// Bytes of memory available (Linux's `MemAvailable`).
fn available_memory() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// [`GraphStore::quads`] on a server: one SELECT of the pattern's free positions.
fn remote_quads(endpoint: &Endpoint, subject: Option<NamedOrBlankNodeRef<'_>>, predicate: Option<NamedNodeRef<'_>>, object: Option<TermRef<'_>>, graph: Option<GraphNameRef<'_>>) -> Result<Vec<Quad>, RemoteError> {
    let position = |term: Option<String>, variable: &str| term.unwrap_or_else(|| format!("?{variable}"));
    let pattern = format!(
        "{} {} {}",
        position(subject.map(|t| t.to_string()), "s"),
        position(predicate.map(|t| t.to_string()), "p"),
        position(object.map(|t| t.to_string()), "o")
    );
    let query = match graph {
        Some(GraphNameRef::DefaultGraph) => format!("SELECT * WHERE {{ {pattern} }}"),
        Some(GraphNameRef::NamedNode(g)) => format!("SELECT * WHERE {{ GRAPH {g} {{ {pattern} }} }}"),
        Some(GraphNameRef::BlankNode(_)) => return Ok(Vec::new()),
        None => format!("SELECT * WHERE {{ {{ {pattern} }} UNION {{ GRAPH ?g {{ {pattern} }} }} }}"),
    };
    let remote::RemoteAnswer::Solutions { variables, rows } = endpoint.query(&query, false, None, None, None)? else { return Ok(Vec::new()) };
    let column = |name: &str| variables.iter().position(|v| v.as_str() == name);
    let (s, p, o, g) = (column("s"), column("p"), column("o"), column("g"));
    let mut quads = Vec::with_capacity(rows.len());
    for row in rows {
        let get = |i: Option<usize>| i.and_then(|i| row[i].clone());
        let subject = match (subject, get(s)) {
            (Some(fixed), _) => fixed.into_owned(),
            (None, Some(Term::NamedNode(n))) => n.into(),
            (None, Some(Term::BlankNode(b))) => b.into(),
            _ => continue,
        };
        let predicate = match (predicate, get(p)) {
            (Some(fixed), _) => fixed.into_owned(),
            (None, Some(Term::NamedNode(n))) => n,
            _ => continue,
        };
        let Some(object) = object.map(TermRef::into_owned).or_else(|| get(o)) else { continue };
        let graph_name = match (graph, get(g)) {
            (Some(fixed), _) => fixed.into_owned(),
            (None, Some(Term::NamedNode(n))) => n.into(),
            _ => GraphName::DefaultGraph,
        };
        quads.push(Quad::new(subject, predicate, object, graph_name));
    }
    Ok(quads)
}

/// A store built beside its final place (`DIR.building`) and swapped in by
/// [`StagedStore::finish`]. Until then, and if the build fails, the store at the final place is
/// untouched.
pub struct StagedStore {
    staging: GraphStore,
    target: PathBuf,
}

impl StagedStore {
    /// Starts a new, empty store for `target`, removing what an interrupted build left at
    /// `DIR.building` (take the [`WriterLock`] first: a running build writes there).
    pub fn create(target: &Path) -> Result<Self, StoreError> {
        recover(target)?;
        let staging = sibling(target, "building");
        if staging.exists() {
            eprintln!("note: removing {}, left by an interrupted build", staging.display());
            std::fs::remove_dir_all(&staging).map_err(|source| StoreError::Replace { path: staging.clone(), source })?;
        }
        Ok(StagedStore { staging: GraphStore::open(&staging)?, target: target.to_path_buf() })
    }

    /// The store being built.
    pub fn store(&self) -> &GraphStore {
        &self.staging
    }

    /// Closes and deletes the new store; the one at the final place stays as it was.
    pub fn discard(self) -> Result<(), StoreError> {
        let path = self.staging.path.clone();
        drop(self.staging);
        std::fs::remove_dir_all(&path).map_err(|source| StoreError::Replace { path, source })
    }

    /// Closes the new store and puts it at the final place; returns that place. The old store
    /// and the new one trade places in one atomic exchange (Linux `renameat2`), so the final
    /// place always holds a complete store; the old one, now at `DIR.building`, is deleted
    /// after. Where the file system cannot exchange, the old store is first moved to `DIR.old`,
    /// which opening the store puts back if a crash came in between ([`recover`]).
    pub fn finish(self) -> Result<PathBuf, StoreError> {
        let StagedStore { staging, target } = self;
        let staging_path = staging.path.clone();
        drop(staging);
        let replace = |source| StoreError::Replace { path: target.clone(), source };
        let failpoint = std::env::var("PAPERGRAPH_FAILPOINT").unwrap_or_default();
        if !target.exists() {
            std::fs::rename(&staging_path, &target).map_err(replace)?;
            return Ok(target);
        }
        if failpoint != "between-renames" && exchange(&staging_path, &target).map_err(replace)? {
            crash_at(&failpoint, "after-exchange");
            std::fs::remove_dir_all(&staging_path).map_err(replace)?;
            return Ok(target);
        }
        let old = sibling(&target, "old");
        if old.exists() {
            std::fs::remove_dir_all(&old).map_err(replace)?;
        }
        std::fs::rename(&target, &old).map_err(replace)?;
        crash_at(&failpoint, "between-renames");
        std::fs::rename(&staging_path, &target).map_err(replace)?;
        std::fs::remove_dir_all(&old).map_err(replace)?;
        Ok(target)
    }
}

/// Exchanges two directories atomically; `false` where the file system cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = |p: &Path| std::ffi::CString::new(p.as_os_str().as_bytes()).map_err(std::io::Error::other);
    let (a, b) = (c_path(a)?, c_path(b)?);
    // SAFETY: both paths are NUL-terminated C strings that outlive the call.
    let status = unsafe { libc::renameat2(libc::AT_FDCWD, a.as_ptr(), libc::AT_FDCWD, b.as_ptr(), libc::RENAME_EXCHANGE) };
    if status == 0 {
        return Ok(true);
    }
    let error = std::io::Error::last_os_error();
    match error.raw_os_error() {
        Some(libc::EINVAL | libc::ENOSYS | libc::ENOTSUP) => Ok(false),
        _ => Err(error),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<bool> {
    Ok(false)
}

/// Stops the process here when the crash tests ask for it (`PAPERGRAPH_FAILPOINT=name`).
fn crash_at(failpoint: &str, name: &str) {
    if failpoint == name {
        std::process::abort();
    }
}

/// Puts back the store a build moved to `DIR.old` when it crashed before moving the new one in.
fn recover(target: &Path) -> Result<(), StoreError> {
    let old = sibling(target, "old");
    if target.join("CURRENT").exists() || !old.join("CURRENT").exists() {
        return Ok(());
    }
    let replace = |source| StoreError::Replace { path: target.to_path_buf(), source };
    if target.exists() {
        std::fs::remove_dir(target).map_err(replace)?;
    }
    std::fs::rename(&old, target).map_err(replace)?;
    eprintln!("note: put the store back from {} (a build was interrupted while replacing it)", old.display());
    Ok(())
}

/// The right to write a store: one `build` at a time, fresh or `--append`. Held (an advisory
/// lock on `DIR.lock`, which names its holder) until dropped or the process ends, however
/// it ends.
pub struct WriterLock {
    _file: std::fs::File,
}

impl WriterLock {
    /// Takes the lock of the store at `target`, or fails naming the process that holds it.
    pub fn acquire(target: &Path) -> Result<Self, StoreError> {
        use std::io::{Read, Seek, Write};
        let path = sibling(target, "lock");
        let error = |source| StoreError::Replace { path: path.clone(), source };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(error)?;
        }
        let mut file = std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path).map_err(error)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = if holder.trim().is_empty() { "another process".to_owned() } else { holder.trim().to_owned() };
                return Err(StoreError::Busy { path: target.to_path_buf(), holder });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(error(e)),
        }
        let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        file.set_len(0).map_err(error)?;
        file.rewind().map_err(error)?;
        write!(file, "pid {}, running since {since} (Unix time)", std::process::id()).map_err(error)?;
        Ok(WriterLock { _file: file })
    }
}

/// `DIR.suffix` beside `DIR`.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let name = path.file_name().map_or_else(|| "store".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!("{name}.{suffix}"))
}
