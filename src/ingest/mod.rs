//! Readers: one per input format, each turning a file into [`Paper`] records.
//!
//! A reader never stops at a bad record: it returns the good papers together with a
//! [`Problem`] for each record it had to skip. A file that cannot be read at all (missing,
//! empty, binary) is a `Problem` with no papers.

mod listing;

use std::fmt;
use std::path::{Path, PathBuf};

use crate::model::Paper;

pub use listing::parse_listing;

/// A record or file that could not be read, located as precisely as the reader can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    /// 1-based line, when the problem has one.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path.display(), line, self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

/// What reading one or more inputs produced.
#[derive(Debug, Default)]
pub struct Ingested {
    pub papers: Vec<Paper>,
    pub problems: Vec<Problem>,
    /// Files that yielded at least one paper.
    pub files_read: usize,
}

/// Reads every input: files directly, directories recursively (`*.txt` listing pages, in
/// name order so builds are deterministic).
pub fn read_inputs(inputs: &[PathBuf]) -> Ingested {
    let mut out = Ingested::default();
    for input in inputs {
        match collect_files(input) {
            Ok(files) if files.is_empty() => out.problems.push(Problem {
                path: input.clone(),
                line: None,
                message: "directory holds no listing files (*.txt)".into(),
            }),
            Ok(files) => {
                for file in files {
                    read_file(&file, &mut out);
                }
            }
            Err(message) => out.problems.push(Problem { path: input.clone(), line: None, message }),
        }
    }
    out
}

fn read_file(path: &Path, out: &mut Ingested) {
    match std::fs::read(path) {
        Ok(bytes) => {
            let page = parse_listing(path, &bytes);
            if !page.papers.is_empty() {
                out.files_read += 1;
            }
            out.papers.extend(page.papers);
            out.problems.extend(page.problems);
        }
        Err(e) => out.problems.push(Problem {
            path: path.to_path_buf(),
            line: None,
            message: format!("cannot read file: {e}"),
        }),
    }
}

fn collect_files(input: &Path) -> Result<Vec<PathBuf>, String> {
    let meta = std::fs::metadata(input).map_err(|e| format!("cannot read input: {e}"))?;
    if !meta.is_dir() {
        return Ok(vec![input.to_path_buf()]);
    }
    let mut files = Vec::new();
    let mut pending = vec![input.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| format!("cannot list {}: {e}", dir.display()))?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "txt") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}
