//! Readers: one per input format, each turning a file into [`Record`]s.
//!
//! [`open`] recognizes a file's format by its content (gzip-compressed or not) and streams its
//! records, so bulk dumps of hundreds of megabytes are never held in memory. A reader never
//! stops at a bad record: it yields a [`Problem`] for each record it had to skip and goes on
//! with the next. A file that cannot be read at all is a `Problem` from `open` (missing, of no
//! known format) or its only record (an empty or binary listing page).

mod arxiv_atom;
mod arxiv_json;
mod listing;
mod pwc;
mod source;
pub(crate) mod text;

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use crate::model::{CodeLink, Listing, Paper, Record};

pub use listing::parse_listing;
pub use source::{open, open_decompressed, open_part};

/// The input path that stands for standard input.
pub const STDIN: &str = "-";

/// Inputs that are one part of a bigger JSON-lines file (a shard cut from an arXiv snapshot,
/// fed to `papergraph extract` on standard input by a cluster job): read as JSON lines whatever
/// their first line looks like, named after the whole file, with lines numbered from the
/// part's first line, so that the parts' facts, provenance and problems are the whole file's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// File name of the whole file (names the listing node).
    pub name: String,
    /// Line number, in the whole file, of the part's first line.
    pub first_line: usize,
}

/// File name endings [`input_files`] picks up in directories, each also with `.gz` after it.
const INPUT_EXTENSIONS: [&str; 5] = ["txt", "jsonl", "json", "xml", "atom"];

/// A record or file that could not be read, located as precisely as the reader can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    /// 1-based line, when the problem has one.
    pub line: Option<usize>,
    pub message: String,
}

impl Problem {
    /// A problem in the file at `path`, at `line` (a line number or `None`).
    pub(crate) fn new(path: &Path, line: impl Into<Option<usize>>, message: impl Into<String>) -> Self {
        Problem { path: path.to_path_buf(), line: line.into(), message: message.into() }
    }

    /// Reading stopped at `line` because the file (or its compressed stream) failed.
    pub(crate) fn read_failed(path: &Path, line: usize, error: &io::Error) -> Self {
        Problem::new(path, line, format!("cannot read further: {error}"))
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path.display(), line, self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

/// The records of one file, read lazily; skipped records come as `Err`.
pub type Records = Box<dyn Iterator<Item = Result<Record, Problem>> + Send>;

/// The records of one file as read, before parsing where a format allows parsing them on any
/// thread (see [`Pending`]).
pub type PendingRecords = Box<dyn Iterator<Item = Result<Pending, Problem>> + Send>;

/// A record as its reader yields it: parsed, or a line of JSON whose parsing is left to the
/// caller, which may do it in parallel (arXiv JSON lines: parsing is most of reading them).
pub enum Pending {
    Parsed(Record),
    ArxivJsonLine { listing: Arc<Listing>, line: usize, json: Vec<u8> },
}

impl Pending {
    /// The record, parsed if it was not yet.
    pub fn parse(self) -> Result<Record, Problem> {
        match self {
            Pending::Parsed(record) => Ok(record),
            Pending::ArxivJsonLine { listing, line, json } => arxiv_json::paper(&listing, line, &json),
        }
    }
}

/// Every record of `pending`, parsed in turn.
fn parsed(pending: PendingRecords) -> Records {
    Box::new(pending.map(|item| item.and_then(Pending::parse)))
}

/// Records already parsed, as pending ones.
fn ready(records: Records) -> PendingRecords {
    Box::new(records.map(|item| item.map(Pending::Parsed)))
}

/// The input formats papergraph reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// The plain-text trending-papers listing page.
    Listing,
    /// The arXiv metadata snapshot: JSON lines, one paper an object.
    ArxivJsonl,
    /// An arXiv API response: an Atom feed, one paper an entry.
    ArxivAtom,
    /// Papers with Code `papers-with-abstracts.json`: a JSON array of papers.
    PwcPapers,
    /// Papers with Code `links-between-papers-and-code.json`: a JSON array of code links.
    PwcLinks,
}

impl Format {
    /// Short name for messages and progress lines (`arxiv-jsonl`).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Listing => "listing",
            Format::ArxivJsonl => "arxiv-jsonl",
            Format::ArxivAtom => "arxiv-atom",
            Format::PwcPapers => "pwc-papers",
            Format::PwcLinks => "pwc-links",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An input file ready to be read.
pub struct Opened {
    pub format: Format,
    pub records: PendingRecords,
    /// Bytes read so far from the file on disk (compressed bytes for a gzip file); grows as
    /// `records` is consumed.
    pub bytes_read: Arc<AtomicU64>,
    /// Size of the file on disk, to set `bytes_read` against.
    pub size: u64,
}

/// What reading one or more inputs produced.
#[derive(Debug, Default)]
pub struct Ingested {
    pub papers: Vec<Paper>,
    pub code_links: Vec<CodeLink>,
    pub problems: Vec<Problem>,
    /// Files that yielded at least one record.
    pub files_read: usize,
}

/// Reads every input completely (see [`input_files`] and [`open`]); problems come in input
/// order.
pub fn read_inputs(inputs: &[PathBuf]) -> Ingested {
    let mut out = Ingested::default();
    for input in inputs {
        let (files, problems) = input_files(std::slice::from_ref(input));
        out.problems.extend(problems);
        for file in files {
            read_file(&file, &mut out);
        }
    }
    out
}

fn read_file(path: &Path, out: &mut Ingested) {
    let opened = match open(path) {
        Ok(opened) => opened,
        Err(problem) => return out.problems.push(problem),
    };
    let records_before = out.papers.len() + out.code_links.len();
    collect(parsed(opened.records), out);
    out.files_read += usize::from(out.papers.len() + out.code_links.len() > records_before);
}

fn collect(records: Records, out: &mut Ingested) {
    for record in records {
        match record {
            Ok(Record::Paper(paper)) => out.papers.push(paper),
            Ok(Record::CodeLink(link)) => out.code_links.push(link),
            Err(problem) => out.problems.push(problem),
        }
    }
}

/// The files to read for `inputs`: files as given, directories recursively (files named
/// `*.txt`, `*.jsonl`, `*.json`, `*.xml` or `*.atom`, each optionally `.gz`, in name order so
/// builds are deterministic). Symbolic links are followed, but a directory is read once: one
/// reached again (a symlink loop) is a problem, and so is an input that cannot be listed, a
/// directory inside one that cannot, and a directory holding no such file.
pub fn input_files(inputs: &[PathBuf]) -> (Vec<PathBuf>, Vec<Problem>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for input in inputs {
        match collect_files(input, &mut problems) {
            Ok(found) if found.is_empty() => problems.push(Problem::new(
                input,
                None,
                "directory holds no input files (*.txt, *.jsonl, *.json, *.xml, *.atom, optionally .gz)",
            )),
            Ok(found) => files.extend(found),
            Err(message) => problems.push(Problem::new(input, None, message)),
        }
    }
    (files, problems)
}

/// The input files under `input` (see [`input_files`]); problems inside it go to `problems`.
fn collect_files(input: &Path, problems: &mut Vec<Problem>) -> Result<Vec<PathBuf>, String> {
    if input == Path::new(STDIN) {
        return Ok(vec![input.to_path_buf()]);
    }
    let meta = std::fs::metadata(input).map_err(|e| format!("cannot read input: {e}"))?;
    if !meta.is_dir() {
        return Ok(vec![input.to_path_buf()]);
    }
    let mut files = Vec::new();
    // Directories read, by their canonical path, with the path they were first reached by.
    let mut seen: HashMap<PathBuf, PathBuf> = HashMap::new();
    let mut pending = vec![input.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let canonical = std::fs::canonicalize(&dir).unwrap_or_else(|_| dir.clone());
        if let Some(first) = seen.get(&canonical) {
            let message = format!("the same directory as {}, reached again through a symbolic link: not read twice", first.display());
            problems.push(Problem::new(&dir, None, message));
            continue;
        }
        seen.insert(canonical, dir.clone());
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if dir == input => return Err(format!("cannot list {}: {e}", dir.display())),
            Err(e) => {
                problems.push(Problem::new(&dir, None, format!("cannot list directory: {e}")));
                continue;
            }
        };
        let mut found = Vec::new();
        for entry in entries {
            match entry {
                Ok(entry) => found.push(entry.path()),
                Err(e) => problems.push(Problem::new(&dir, None, format!("cannot list directory: {e}"))),
            }
        }
        // Subdirectories in reverse name order, so that they are read in name order.
        found.sort();
        for path in found.into_iter().rev() {
            if path.is_dir() {
                pending.push(path);
            } else if format_extension(&path).is_some_and(|ext| INPUT_EXTENSIONS.contains(&ext.as_str())) {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// The lower-case extension that names a file's format, looking through a `.gz` ending
/// (`papers.jsonl.gz` → `jsonl`).
fn format_extension(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    name.rsplit_once('.').map(|(_, ext)| ext.to_owned())
}

/// Fixtures for the readers' unit tests.
#[cfg(test)]
pub(crate) mod testing {
    use std::path::{Path, PathBuf};

    use super::{collect, open, Format, Ingested};
    use crate::model::Paper;

    /// Path of a file in `tests/fixtures/ingest`.
    pub fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ingest").join(name)
    }

    /// Opens `path` and reads all its records.
    pub fn read_all(path: &Path) -> (Format, Ingested) {
        let opened = open(path).unwrap_or_else(|problem| panic!("{problem}"));
        let mut out = Ingested::default();
        collect(super::parsed(opened.records), &mut out);
        (opened.format, out)
    }

    /// Reads a fixture that must open as `format` and hold no bad record.
    pub fn read_clean(name: &str, format: Format) -> Ingested {
        let (found, read) = read_all(&fixture(name));
        assert_eq!(found, format, "{name}");
        assert!(read.problems.is_empty(), "{:?}", read.problems);
        read
    }

    /// Checks the fields every fixture gives Vision Mamba, the first paper of most.
    pub fn assert_vision_mamba(paper: &Paper) {
        assert_eq!(paper.arxiv_id.as_deref(), Some("2401.09417"));
        assert_eq!(paper.title, "Vision Mamba: Efficient Visual Representation Learning with Bidirectional State Space Model");
        assert!(paper.abstract_text.starts_with("Recently the state space models (SSMs) with efficient hardware-aware designs, i.e., Mamba,"));
        assert!(paper.abstract_text.ends_with("Code is available at https://github.com/hustvl/Vim."));
        assert!(!paper.abstract_text.contains("  ") && !paper.abstract_text.contains('\n'));
        assert_eq!(paper.authors, ["Lianghui Zhu", "Bencheng Liao", "Qian Zhang", "Xinlong Wang", "Wenyu Liu", "Xinggang Wang"]);
    }

    /// Writes `bytes` to a file `name` in a new temporary directory and reads it.
    pub fn read_written(name: &str, bytes: impl AsRef<[u8]>) -> (tempfile::TempDir, Ingested) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let (_, read) = read_all(&path);
        (dir, read)
    }

    /// Problems as `(line, message)`.
    pub fn problem_lines(read: &Ingested) -> Vec<(Option<usize>, &str)> {
        read.problems.iter().map(|p| (p.line, p.message.as_str())).collect()
    }
}
