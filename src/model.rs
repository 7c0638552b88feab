//! The records that flow from `ingest` into `extract`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One input file records were read from: a listing page, an arXiv snapshot or API response,
/// or a Papers-with-Code dump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// Path as given on the command line (or found under a directory).
    pub path: PathBuf,
    /// File name without directories; it names the listing's IRI, so the same page read from
    /// another folder is the same listing.
    pub name: String,
    /// Date printed in a listing page's header, as written (`Mar 13`); listing pages carry no
    /// year. Other formats date their papers instead.
    pub date: Option<String>,
    /// Number of the file's first line: 1, unless the file is a part of a bigger one (see
    /// [`crate::ingest::Part`]); JSON lines are numbered from it.
    pub first_line: usize,
}

impl Listing {
    /// The listing of the file at `path`, undated.
    pub fn new(path: &Path) -> Self {
        let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        Listing { path: path.to_path_buf(), name, date: None, first_line: 1 }
    }
}

/// One paper as read from one listing. A paper that appears on several listings yields several
/// `Paper` records; they share an IRI and merge in the store.
#[derive(Debug, Clone)]
pub struct Paper {
    pub title: String,
    pub abstract_text: String,
    /// arXiv identifier without version (`2403.01234`, `math/0406594`) when the source gives one.
    pub arxiv_id: Option<String>,
    /// Author display names (`First Last`), in the source's order; empty when it gives none.
    pub authors: Vec<String>,
    /// arXiv category codes (`cs.LG`), primary first; empty when the source gives none.
    pub categories: Vec<String>,
    /// ISO date (`YYYY-MM-DD`) the source gives the paper: arXiv `update_date`, Atom
    /// `published`, Papers-with-Code `date`.
    pub date: Option<String>,
    pub source: Arc<Listing>,
    /// 1-based line of the title in the source file.
    pub title_line: usize,
    /// 1-based line of the abstract in the source file.
    pub abstract_line: usize,
}

/// A code repository a bulk source links to a paper (Papers-with-Code links file).
#[derive(Debug, Clone)]
pub struct CodeLink {
    /// arXiv identifier of the paper, without version, when the source gives one.
    pub arxiv_id: Option<String>,
    /// Title of the paper, when the source gives one.
    pub title: Option<String>,
    /// Repository URL as given (`https://github.com/hustvl/Vim`).
    pub url: String,
    /// Whether the paper's authors wrote the code, when the source says.
    pub official: Option<bool>,
    pub source: Arc<Listing>,
    /// 1-based line where the link's record starts in the source file.
    pub line: usize,
}

/// One record a reader yields.
#[derive(Debug, Clone)]
pub enum Record {
    Paper(Paper),
    CodeLink(CodeLink),
}

impl Record {
    /// The file the record was read from.
    pub fn source(&self) -> &Listing {
        match self {
            Record::Paper(paper) => &paper.source,
            Record::CodeLink(link) => &link.source,
        }
    }
}

/// Which text field of a paper a span points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Title,
    Abstract,
}

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Abstract => "abstract",
        }
    }

    /// The field [`Field::as_str`] names, if any.
    pub fn named(name: &str) -> Option<Field> {
        [Field::Title, Field::Abstract].into_iter().find(|f| f.as_str() == name)
    }
}

impl Paper {
    /// The paper's text fields, in the order extractors scan them.
    pub fn fields(&self) -> [(Field, &str); 2] {
        [(Field::Title, &self.title), (Field::Abstract, &self.abstract_text)]
    }

    /// The text of a field.
    pub fn text(&self, field: Field) -> &str {
        match field {
            Field::Title => &self.title,
            Field::Abstract => &self.abstract_text,
        }
    }

    /// The characters `start..end` of a field (character offsets, as spans give them).
    pub fn chars_of(&self, field: Field, start: usize, end: usize) -> &str {
        chars_between(self.text(field), start, end)
    }

    /// Source line of a field.
    pub fn line_of(&self, field: Field) -> usize {
        match field {
            Field::Title => self.title_line,
            Field::Abstract => self.abstract_line,
        }
    }
}

/// The characters `start..end` of `text` (character offsets; empty where they are past its end).
pub fn chars_between(text: &str, start: usize, end: usize) -> &str {
    let byte = |chars: usize| if text.is_ascii() { chars.min(text.len()) } else { text.char_indices().nth(chars).map_or(text.len(), |(at, _)| at) };
    let from = byte(start);
    &text[from..byte(end).max(from)]
}

/// Texts for tests: `per_length` texts of each length below `lengths`, of bytes drawn from
/// `alphabet` (ASCII) by a fixed pseudo-random sequence.
#[cfg(test)]
pub(crate) fn test_texts(alphabet: &[u8], lengths: usize, per_length: usize) -> Vec<String> {
    let mut seed = 7u64;
    let mut next = move || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        char::from(alphabet[(seed >> 33) as usize % alphabet.len()])
    };
    (0..lengths).flat_map(|length| std::iter::repeat_n(length, per_length)).map(|length| (0..length).map(|_| next()).collect()).collect()
}

/// A paper from a one-entry listing `t.txt`, for unit tests.
#[cfg(test)]
pub(crate) fn test_paper(title: &str, abstract_text: &str) -> Paper {
    Paper {
        title: title.into(),
        abstract_text: abstract_text.into(),
        arxiv_id: None,
        authors: Vec::new(),
        categories: Vec::new(),
        date: None,
        source: Arc::new(Listing::new(Path::new("t.txt"))),
        title_line: 1,
        abstract_line: 3,
    }
}
