//! The title-word index: for each word of the normalized titles, the papers whose title holds
//! it. Saved beside the store (`papergraph-titles.bin`) at the end of every build, append and
//! finalize, so that a paper lookup by title words reads a few postings instead of every title
//! of the store (5 s on a million papers).
//!
//! The file is read in place, a few positioned reads per lookup: only the word table is read
//! whole.
//!
//! ```text
//! magic "PGTITL01"
//! u32 papers, u32 words                          (little-endian)
//! u64 × (words + 1)   word ends in the word bytes, then the word bytes (sorted words)
//! u64 × (words + 1)   posting ends (in entries), then the postings: u32 paper numbers, ascending
//! u64 × (papers + 1)  IRI ends in the IRI bytes, then the IRI bytes
//! u64 × (papers + 1)  title key ends in the key bytes, then the key bytes (each paper's least
//!                     normalized title: candidates are ordered without reading the store)
//! ```
//!
//! The index is valid only while the paper index is ([`super::statistics::PaperIndex::is_stale`]):
//! an append that stopped before finishing leaves both behind the store, and lookups then scan.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;

use super::statistics::PaperIndex;
use super::{GraphStore, StoreError};
use crate::rdf::iri::normalize_title;

/// File name of the index in the store directory.
pub(crate) const FILE: &str = "papergraph-titles.bin";
const MAGIC: &[u8; 8] = b"PGTITL02";

/// Writes the index of the title keys (`pg:titleKey`, the normalized titles) of the papers of
/// `index` (atomically: a new file renamed over the old one). Papers are numbered by least
/// title key, then IRI, so the same papers give the same file. Does nothing for a SPARQL
/// server.
pub fn save(store: &GraphStore, index: &PaperIndex) -> Result<(), StoreError> {
    if store.endpoint().is_some() {
        return Ok(());
    }
    let path = store.path.join(FILE);
    let err = |source| StoreError::Replace { path: path.clone(), source };
    let partial = path.with_extension("partial");
    write(&partial, index).map_err(err)?;
    std::fs::rename(&partial, &path).map_err(err)
}

/// Writes the index of the titles of `index`'s papers at `path`.
fn write(path: &Path, index: &PaperIndex) -> io::Result<()> {
    // Per paper: its IRI and its title keys, sorted (the least first).
    let mut papers: Vec<(&str, Vec<String>)> = index
        .papers_with_titles()
        .map(|(iri, titles)| {
            let mut keys: Vec<String> = titles.iter().map(|title| normalize_title(title)).collect();
            keys.sort_unstable();
            keys.dedup();
            (iri, keys)
        })
        .collect();
    papers.sort_unstable_by(|a, b| (&a.1[0], a.0).cmp(&(&b.1[0], b.0)));
    let mut words: FxHashMap<&str, Vec<u32>> = FxHashMap::default();
    for (number, (_, keys)) in papers.iter().enumerate() {
        let number = u32::try_from(number).expect("fewer than 2^32 papers");
        for word in keys.iter().flat_map(|key| key.split(' ')).filter(|w| !w.is_empty()) {
            let list = words.entry(word).or_default();
            // Numbers come in order; a word of two keys of one paper is listed once.
            if list.last() != Some(&number) {
                list.push(number);
            }
        }
    }
    let postings: BTreeMap<&str, Vec<u32>> = words.into_iter().collect();
    let mut out = BufWriter::new(File::create(path)?);
    out.write_all(MAGIC)?;
    out.write_all(&u32::try_from(papers.len()).expect("fewer than 2^32 papers").to_le_bytes())?;
    out.write_all(&u32::try_from(postings.len()).expect("fewer than 2^32 words").to_le_bytes())?;
    write_strings(&mut out, postings.keys())?;
    write_ends(&mut out, postings.values().map(Vec::len))?;
    for number in postings.values().flatten() {
        out.write_all(&number.to_le_bytes())?;
    }
    write_strings(&mut out, papers.iter().map(|(iri, _)| iri))?;
    write_strings(&mut out, papers.iter().map(|(_, keys)| &keys[0]))?;
    out.into_inner().map_err(io::IntoInnerError::into_error)?.sync_all()
}

/// Ends (with a leading 0), then the bytes.
fn write_strings<S: AsRef<str>>(out: &mut impl Write, strings: impl IntoIterator<Item = S> + Clone) -> io::Result<()> {
    write_ends(out, strings.clone().into_iter().map(|s| s.as_ref().len()))?;
    for s in strings {
        out.write_all(s.as_ref().as_bytes())?;
    }
    Ok(())
}

/// A leading 0, then the running sum of `lengths`: where each item ends.
fn write_ends(out: &mut impl Write, lengths: impl Iterator<Item = usize>) -> io::Result<()> {
    let mut end = 0u64;
    out.write_all(&end.to_le_bytes())?;
    for length in lengths {
        end += length as u64;
        out.write_all(&end.to_le_bytes())?;
    }
    Ok(())
}

/// An open index: the word table in memory, postings and IRIs read on demand.
pub struct TitleIndex {
    file: File,
    path: PathBuf,
    papers: u64,
    /// Sorted words.
    words: Vec<Box<str>>,
    /// Byte offset of the posting ends table, of the postings, and of the IRIs' and the title
    /// keys' ends tables and bytes.
    posting_ends_at: u64,
    postings_at: u64,
    iris: Strings,
    keys: Strings,
}

/// Where a table of strings by paper number is in the file.
struct Strings {
    ends_at: u64,
    bytes_at: u64,
}

/// A paper the index finds: its least normalized title; [`TitleIndex::iri`] reads its IRI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexedPaper {
    pub key: String,
    number: u32,
}

impl TitleIndex {
    /// The index saved with the store in `dir`; `None` when there is none or it may be behind
    /// the store (an append under way or stopped).
    pub fn open(dir: &Path) -> io::Result<Option<Self>> {
        let path = dir.join(FILE);
        let mut file = match File::open(&path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            opened => opened?,
        };
        if PaperIndex::is_stale(dir) {
            return Ok(None);
        }
        let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, format!("{}: {what}", path.display()));
        let mut header = [0u8; 16];
        file.read_exact(&mut header)?;
        if &header[..8] != MAGIC {
            return Err(bad(if header.starts_with(&MAGIC[..6]) {
                "a title index in an older format (`papergraph finalize` rewrites it)"
            } else {
                "not a papergraph title index"
            }));
        }
        let papers = u64::from(u32::from_le_bytes(header[8..12].try_into().unwrap()));
        let word_count = u64::from(u32::from_le_bytes(header[12..16].try_into().unwrap()));
        let ends = read_u64s(&file, 16, word_count + 1)?;
        let word_bytes_at = 16 + 8 * (word_count + 1);
        let mut bytes = vec![0u8; *ends.last().unwrap_or(&0) as usize];
        file.read_exact_at(&mut bytes, word_bytes_at)?;
        let text = String::from_utf8(bytes).map_err(|_| bad("words are not UTF-8"))?;
        let words: Vec<Box<str>> = ends.windows(2).map(|w| text.get(w[0] as usize..w[1] as usize).map(Box::from)).collect::<Option<_>>().ok_or_else(|| bad("word table is damaged"))?;
        let posting_ends_at = word_bytes_at + text.len() as u64;
        let posting_count = read_u64s(&file, posting_ends_at + 8 * word_count, 1)?[0];
        let postings_at = posting_ends_at + 8 * (word_count + 1);
        let iris = Strings { ends_at: postings_at + 4 * posting_count, bytes_at: postings_at + 4 * posting_count + 8 * (papers + 1) };
        let iri_bytes = read_u64s(&file, iris.ends_at + 8 * papers, 1)?[0];
        let keys_at = iris.bytes_at + iri_bytes;
        let keys = Strings { ends_at: keys_at, bytes_at: keys_at + 8 * (papers + 1) };
        Ok(Some(TitleIndex { file, path, papers, words, posting_ends_at, postings_at, iris, keys }))
    }

    /// The papers whose title holds every one of `words` (normalized title words), in no
    /// particular order; only their title keys are read.
    pub fn papers_with(&self, words: &[&str]) -> io::Result<Vec<IndexedPaper>> {
        let mut lists = Vec::new();
        for word in words {
            let Ok(i) = self.words.binary_search_by(|w| (**w).cmp(word)) else { return Ok(Vec::new()) };
            let range = read_u64s(&self.file, self.posting_ends_at + 8 * i as u64, 2)?;
            lists.push((range[0], range[1]));
        }
        // The shortest list first: the intersection only shrinks.
        lists.sort_by_key(|(start, end)| end - start);
        let mut found: Option<Vec<u32>> = None;
        for (start, end) in lists {
            let list = self.read_u32s(self.postings_at + 4 * start, end - start)?;
            found = Some(match found {
                None => list,
                Some(so_far) => so_far.into_iter().filter(|n| list.binary_search(n).is_ok()).collect(),
            });
        }
        found
            .unwrap_or_default()
            .into_iter()
            .map(|number| Ok(IndexedPaper { key: self.string(&self.keys, u64::from(number))?, number }))
            .collect()
    }

    /// The IRI of a paper this index found.
    pub fn iri(&self, paper: &IndexedPaper) -> io::Result<String> {
        self.string(&self.iris, u64::from(paper.number))
    }

    /// Paper `number`'s string in `table`.
    fn string(&self, table: &Strings, number: u64) -> io::Result<String> {
        if number >= self.papers {
            return Err(io::Error::new(io::ErrorKind::InvalidData, format!("{}: paper {number} out of range", self.path.display())));
        }
        let range = read_u64s(&self.file, table.ends_at + 8 * number, 2)?;
        let mut bytes = vec![0u8; range[1].saturating_sub(range[0]) as usize];
        self.file.read_exact_at(&mut bytes, table.bytes_at + range[0])?;
        String::from_utf8(bytes).map_err(|_| io::Error::new(io::ErrorKind::InvalidData, format!("{}: damaged string", self.path.display())))
    }

    fn read_u32s(&self, at: u64, count: u64) -> io::Result<Vec<u32>> {
        let mut bytes = vec![0u8; 4 * count as usize];
        self.file.read_exact_at(&mut bytes, at)?;
        Ok(bytes.chunks_exact(4).map(|b| u32::from_le_bytes(b.try_into().unwrap())).collect())
    }
}

fn read_u64s(file: &File, at: u64, count: u64) -> io::Result<Vec<u64>> {
    let mut bytes = vec![0u8; 8 * count as usize];
    file.read_exact_at(&mut bytes, at)?;
    Ok(bytes.chunks_exact(8).map(|b| u64::from_le_bytes(b.try_into().unwrap())).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::statistics::STALE_FILE;

    /// An index of papers given as (IRI, title).
    fn index(titles: &[(&str, &str)]) -> (tempfile::TempDir, TitleIndex) {
        let dir = tempfile::tempdir().unwrap();
        let mut papers = PaperIndex::default();
        for (iri, title) in titles {
            papers.describe(iri, Some(title), None, None);
        }
        write(&dir.path().join(FILE), &papers).unwrap();
        let index = TitleIndex::open(dir.path()).unwrap().unwrap();
        (dir, index)
    }

    fn iris(index: &TitleIndex, found: Vec<IndexedPaper>) -> Vec<String> {
        let mut iris: Vec<String> = found.iter().map(|p| index.iri(p).unwrap()).collect();
        iris.sort();
        iris
    }

    #[test]
    fn finds_the_papers_holding_every_word() {
        let (_dir, index) = index(&[
            ("p:vim", "Vision Mamba: Efficient Visual Representation Learning"),
            ("p:mamba", "Mamba: Linear-Time Sequence Modeling"),
            ("p:vit", "An Image is Worth 16x16 Words"),
        ]);
        assert_eq!(iris(&index, index.papers_with(&["mamba"]).unwrap()), ["p:mamba", "p:vim"]);
        assert_eq!(iris(&index, index.papers_with(&["vision", "mamba"]).unwrap()), ["p:vim"]);
        // With its title key, to order candidates by; papers are numbered in key order.
        let vit = index.papers_with(&["16x16"]).unwrap();
        assert_eq!(vit, [IndexedPaper { key: "an image is worth 16x16 words".into(), number: 0 }]);
        assert_eq!(index.iri(&vit[0]).unwrap(), "p:vit");
        assert!(index.papers_with(&["mamba", "16x16"]).unwrap().is_empty());
        // Whole words only.
        assert!(index.papers_with(&["mamb"]).unwrap().is_empty());
        assert!(index.papers_with(&["zebra"]).unwrap().is_empty());
    }

    #[test]
    fn a_paper_with_two_titles_is_found_by_either_and_ordered_by_the_least() {
        let (_dir, index) = index(&[("p:a", "Zebra Attention"), ("p:a", "Attention for zebras"), ("p:b", "Mamba attention")]);
        assert_eq!(iris(&index, index.papers_with(&["zebra"]).unwrap()), ["p:a"]);
        assert_eq!(iris(&index, index.papers_with(&["zebras"]).unwrap()), ["p:a"]);
        // Listed once under a word both titles hold.
        let attention = index.papers_with(&["attention"]).unwrap();
        assert_eq!(attention.len(), 2);
        assert!(attention.contains(&IndexedPaper { key: "attention for zebras".into(), number: 0 }), "{attention:?}");
    }

    #[test]
    fn a_stale_or_foreign_file_is_not_used() {
        let (dir, _) = index(&[("p:a", "a title")]);
        std::fs::write(dir.path().join(STALE_FILE), b"").unwrap();
        assert!(TitleIndex::open(dir.path()).unwrap().is_none());
        std::fs::remove_file(dir.path().join(STALE_FILE)).unwrap();
        std::fs::write(dir.path().join(FILE), b"something else entirely").unwrap();
        let error = TitleIndex::open(dir.path()).err().unwrap();
        assert!(error.to_string().contains("not a papergraph title index"), "{error}");
        std::fs::write(dir.path().join(FILE), b"PGTITL01 an index without title keys").unwrap();
        let error = TitleIndex::open(dir.path()).err().unwrap();
        assert!(error.to_string().contains("older format (`papergraph finalize` rewrites it)"), "{error}");
    }
}
