//! The on-disk Oxigraph store: the single source of truth every consumer reads.

pub mod provenance;
pub mod statistics;

use std::path::{Path, PathBuf};

use oxigraph::model::{GraphNameRef, Literal, NamedNode, NamedNodeRef, NamedOrBlankNode, Quad, Term};
use oxigraph::store::{BulkLoader, Store};

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
}

/// What [`GraphStore::merge_papers_by_title`] did.
#[derive(Debug, Default)]
pub struct TitleMerges {
    /// (merged paper, paper it merged into), as IRIs.
    pub merged: Vec<(String, String)>,
    /// Normalized titles that still have papers without an arXiv id.
    pub unmerged: Vec<String>,
}

/// An opened store and where it lives.
pub struct GraphStore {
    pub store: Store,
    pub path: PathBuf,
}

impl GraphStore {
    /// Opens the store for writing, creating it if needed.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        recover(path)?;
        std::fs::create_dir_all(path).map_err(|e| StoreError::Open { path: path.to_path_buf(), source: e.into() })?;
        let store = Store::open(path).map_err(|source| StoreError::Open { path: path.to_path_buf(), source })?;
        Ok(GraphStore { store, path: path.to_path_buf() })
    }

    /// Opens an existing store for reading.
    pub fn open_existing(path: &Path) -> Result<Self, StoreError> {
        recover(path)?;
        if !path.join("CURRENT").exists() {
            return Err(StoreError::Missing { path: path.to_path_buf() });
        }
        let store = Store::open_read_only(path).map_err(|source| StoreError::Open { path: path.to_path_buf(), source })?;
        Ok(GraphStore { store, path: path.to_path_buf() })
    }

    /// Adds quads in one transaction: all of them are stored or none. Quads already present are
    /// no-ops, so loading the same data twice leaves the store unchanged.
    pub fn insert_all(&self, quads: &[Quad]) -> Result<(), StoreError> {
        self.store.extend(quads.iter().map(Quad::as_ref)).map_err(|source| self.storage_error(source))?;
        self.store.flush().map_err(|source| self.storage_error(source))
    }

    /// A bulk loader with bounded memory. Nothing it loads is visible (or lost) until `commit`.
    pub fn bulk_loader(&self) -> BulkLoader<'_> {
        self.store.bulk_loader().with_max_memory_size_in_megabytes(BULK_LOAD_MEMORY_MB)
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
        let err = |source| self.storage_error(source);
        let mut outcome = TitleMerges::default();
        for title in keys {
            let key = Term::from(Literal::new_simple_literal(title));
            let (mut twins, mut orphans) = (Vec::new(), Vec::new());
            for quad in self.store.quads_for_pattern(None, Some(PG_TITLE_KEY), Some(key.as_ref()), Some(GraphNameRef::DefaultGraph)) {
                let NamedOrBlankNode::NamedNode(paper) = quad.map_err(err)?.subject else { continue };
                if self.has_identifier(&paper) { twins.push(paper) } else { orphans.push(paper) }
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

    /// Moves every quad mentioning `from` (as subject or object) onto `to`, in one transaction.
    fn rename(&self, from: &NamedNode, to: &NamedNode) -> Result<(), StoreError> {
        let err = |source| self.storage_error(source);
        let old = Term::from(from.clone());
        let mut moved = Vec::new();
        for quad in self.store.quads_for_pattern(Some(from.as_ref().into()), None, None, None).chain(self.store.quads_for_pattern(None, None, Some(old.as_ref()), None)) {
            moved.push(quad.map_err(err)?);
        }
        let renamed = |quad: &Quad| {
            let subject = if quad.subject == from.as_ref().into() { NamedOrBlankNode::from(to.clone()) } else { quad.subject.clone() };
            let object = if quad.object == old { Term::from(to.clone()) } else { quad.object.clone() };
            Quad::new(subject, quad.predicate.clone(), object, quad.graph_name.clone())
        };
        let mut transaction = self.store.start_transaction().map_err(err)?;
        for quad in &moved {
            transaction.remove(quad);
            transaction.insert(&renamed(quad));
        }
        transaction.commit().map_err(err)
    }

    /// Whether `paper` has a `dcterms:identifier` (an arXiv id).
    fn has_identifier(&self, paper: &NamedNode) -> bool {
        self.store.quads_for_pattern(Some(paper.as_ref().into()), Some(DCTERMS_IDENTIFIER), None, None).next().is_some()
    }

    /// Number of quads in the store.
    pub fn len(&self) -> Result<usize, StoreError> {
        self.store.len().map_err(|source| self.storage_error(source))
    }

    pub fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.len()? == 0)
    }

    pub(crate) fn storage_error(&self, source: oxigraph::store::StorageError) -> StoreError {
        StoreError::Storage { path: self.path.clone(), source }
    }
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
