//! The on-disk Oxigraph store: the single source of truth every consumer reads.

use std::path::{Path, PathBuf};

use oxigraph::model::Quad;
use oxigraph::store::Store;

/// Where `papergraph` keeps its store unless `--store` or `PAPERGRAPH_STORE` says otherwise.
pub const DEFAULT_STORE_DIR: &str = ".papergraph/store";

/// Errors opening or writing the store, with the store's path.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open store at {path}: {source}")]
    Open { path: PathBuf, source: oxigraph::store::StorageError },
    #[error("no store at {path}: run `papergraph build` first (or pass --store DIR)")]
    Missing { path: PathBuf },
    #[error("store at {path}: {source}")]
    Storage { path: PathBuf, source: oxigraph::store::StorageError },
}

/// An opened store and where it lives.
pub struct GraphStore {
    pub store: Store,
    pub path: PathBuf,
}

impl GraphStore {
    /// Opens the store for writing, creating it if needed.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(path).map_err(|e| StoreError::Open { path: path.to_path_buf(), source: e.into() })?;
        let store = Store::open(path).map_err(|source| StoreError::Open { path: path.to_path_buf(), source })?;
        Ok(GraphStore { store, path: path.to_path_buf() })
    }

    /// Opens an existing store for reading.
    pub fn open_existing(path: &Path) -> Result<Self, StoreError> {
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

    /// Number of quads in the store.
    pub fn len(&self) -> Result<usize, StoreError> {
        self.store.len().map_err(|source| self.storage_error(source))
    }

    pub fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.len()? == 0)
    }

    fn storage_error(&self, source: oxigraph::store::StorageError) -> StoreError {
        StoreError::Storage { path: self.path.clone(), source }
    }
}
