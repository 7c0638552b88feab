//! The store as the server sees it: opened read-only, and reopened when a build puts a new store
//! in place or an append finishes.
//!
//! A read-only Oxigraph store is a snapshot: RocksDB opens every table file at open time, so it
//! keeps answering from the same data while `papergraph build` writes a new store beside it and
//! renames it into place, or `--append` adds to it and compacts. Before each request the server
//! compares the directory's identity (device and inode: a fresh build is a new directory) and
//! the time the last build or append finished ([`PaperIndex::saved_at`]) with those of its
//! snapshot, and opens the store again when they differ. While an append is under way (its
//! index is marked stale) the old snapshot keeps serving.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

use crate::graph::{self, KnowledgeGraph};
use crate::query::QueryError;
use crate::rdf::vocab::{SCHEMA_SCHOLARLY_ARTICLE, SCHEMA_SOFTWARE_SOURCE_CODE, SKOS_CONCEPT};
use crate::store::statistics::PaperIndex;
use crate::store::{GraphStore, StoreError};

/// One opened state of the store, and what was computed from it.
pub struct Snapshot {
    pub store: GraphStore,
    version: Option<Version>,
    projection: OnceLock<Result<Arc<KnowledgeGraph>, String>>,
    counts: OnceLock<Result<Counts, String>>,
}

/// What the store holds, counted once per snapshot (each count reads a whole type index).
#[derive(Debug, Clone, Copy)]
pub struct Counts {
    pub papers: usize,
    pub concepts: usize,
    pub repositories: usize,
}

impl Snapshot {
    /// The whole graph projection, computed on first use and kept while the snapshot serves.
    pub fn projection(&self) -> Result<Arc<KnowledgeGraph>, QueryError> {
        self.projection
            .get_or_init(|| graph::project(&self.store, &[]).map(Arc::new).map_err(|e| e.to_string()))
            .clone()
            .map_err(|message| QueryError::Evaluation { source_name: "graph projection".into(), message })
    }

    /// The papers, concepts and repositories of the store, counted on first use.
    pub fn counts(&self) -> Result<Counts, QueryError> {
        let count = |class| self.store.count_of_type(class).map_err(|e| e.to_string());
        self.counts
            .get_or_init(|| {
                Ok(Counts {
                    papers: count(SCHEMA_SCHOLARLY_ARTICLE)?,
                    concepts: count(SKOS_CONCEPT)?,
                    repositories: count(SCHEMA_SOFTWARE_SOURCE_CODE)?,
                })
            })
            .clone()
            .map_err(|message| QueryError::Evaluation { source_name: "store summary".into(), message })
    }
}

/// Identity of a settled state of the store directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Version {
    directory: (u64, u64),
    saved: SystemTime,
}

impl Version {
    /// The settled state of `dir`; `None` while an append is under way or without an index.
    fn of(dir: &Path) -> Option<Version> {
        let saved = PaperIndex::saved_at(dir)?;
        let metadata = std::fs::metadata(dir).ok()?;
        #[cfg(unix)]
        let directory = {
            use std::os::unix::fs::MetadataExt;
            (metadata.dev(), metadata.ino())
        };
        #[cfg(not(unix))]
        let directory = (0, metadata.created().ok().and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok()).map_or(0, |d| d.as_secs()));
        Some(Version { directory, saved })
    }
}

/// The store directory and the snapshot currently serving.
pub struct SharedStore {
    dir: PathBuf,
    current: Mutex<Arc<Snapshot>>,
}

impl SharedStore {
    /// Opens the store in `dir`; fails when there is none.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        let snapshot = Self::open_snapshot(dir)?;
        Ok(SharedStore { dir: dir.to_path_buf(), current: Mutex::new(Arc::new(snapshot)) })
    }

    fn open_snapshot(dir: &Path) -> Result<Snapshot, StoreError> {
        let version = Version::of(dir);
        Ok(Snapshot { store: GraphStore::open_existing(dir)?, version, projection: OnceLock::new(), counts: OnceLock::new() })
    }

    /// The snapshot to answer a request from: the current one, or a new one when the store on
    /// disk has settled into a different state. When reopening fails (the directory is being
    /// swapped) the current snapshot keeps serving.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        let mut current = self.current.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let on_disk = Version::of(&self.dir);
        if on_disk.is_some() && on_disk != current.version {
            match Self::open_snapshot(&self.dir) {
                Ok(snapshot) if snapshot.version == on_disk => {
                    eprintln!("serve: the store in {} changed; serving the new one", self.dir.display());
                    *current = Arc::new(snapshot);
                }
                Ok(_) => {}
                Err(e) => eprintln!("serve: the store changed but cannot be opened yet ({e}); serving the previous one"),
            }
        }
        Arc::clone(&current)
    }
}
