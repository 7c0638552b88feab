//! The records that flow from `ingest` into `extract`.

use std::path::PathBuf;
use std::sync::Arc;

/// One input page or file papers were read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// Path as given on the command line (or found under a directory).
    pub path: PathBuf,
    /// File name without directories; it names the listing's IRI, so the same page read from
    /// another folder is the same listing.
    pub name: String,
    /// Date printed in the page header, as written (`Mar 13`); listing pages carry no year.
    pub date: Option<String>,
}

/// One paper as read from one listing. A paper that appears on several listings yields several
/// `Paper` records; they share an IRI and merge in the store.
#[derive(Debug, Clone)]
pub struct Paper {
    pub title: String,
    pub abstract_text: String,
    /// arXiv identifier (`2403.01234`) when the source gives one.
    pub arxiv_id: Option<String>,
    pub source: Arc<Listing>,
    /// 1-based line of the title in the source file.
    pub title_line: usize,
    /// 1-based line of the abstract in the source file.
    pub abstract_line: usize,
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

    /// Source line of a field.
    pub fn line_of(&self, field: Field) -> usize {
        match field {
            Field::Title => self.title_line,
            Field::Abstract => self.abstract_line,
        }
    }
}

/// A paper from a one-entry listing `t.txt`, for unit tests.
#[cfg(test)]
pub(crate) fn test_paper(title: &str, abstract_text: &str) -> Paper {
    Paper {
        title: title.into(),
        abstract_text: abstract_text.into(),
        arxiv_id: None,
        source: Arc::new(Listing { path: PathBuf::from("t.txt"), name: "t.txt".into(), date: None }),
        title_line: 1,
        abstract_line: 3,
    }
}
