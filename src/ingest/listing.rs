//! The plain-text "trending papers" listing page.
//!
//! ```text
//! new
//! Get trending papers in your email inbox!
//! Subscribe
//! byAK and the research community
//! Mar 13
//!
//! <title>
//!
//! <abstract>
//! ...
//! ```
//! Paragraphs are separated by blank lines; a paragraph spread over several lines is joined
//! with spaces. The header is optional; its date, when present, is kept on the [`Listing`].

use std::path::Path;
use std::sync::{Arc, LazyLock};

use regex::Regex;

use super::text::{collapse_whitespace, preview};
use super::Problem;
use crate::model::{Listing, Paper};

/// Header lines the page generator prints before the date.
const HEADER_LINES: [&str; 4] =
    ["new", "Get trending papers in your email inbox!", "Subscribe", "byAK and the research community"];

static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{1,2}(, \d{4})?$").unwrap()
});

/// The good papers of one page and the records that had to be skipped.
#[derive(Debug)]
pub struct ListingPage {
    pub listing: Arc<Listing>,
    pub papers: Vec<Paper>,
    pub problems: Vec<Problem>,
}

struct Paragraph {
    text: String,
    line: usize,
}

/// Parses a listing page from raw bytes; `path` names it in errors and in the graph.
pub fn parse_listing(path: &Path, bytes: &[u8]) -> ListingPage {
    let mut page = ListingPage { listing: Arc::new(Listing::new(path)), papers: Vec::new(), problems: Vec::new() };
    let problem = |line: Option<usize>, message: String| Problem::new(path, line, message);

    let text = match decode_text(bytes) {
        Ok(text) => text,
        Err((line, message)) => {
            page.problems.push(problem(Some(line), message));
            return page;
        }
    };
    let paragraphs = split_paragraphs(text);
    if paragraphs.is_empty() {
        page.problems.push(problem(None, "empty file: no listing entries".into()));
        return page;
    }

    let mut rest = &paragraphs[..];
    let mut date = None;
    while let Some((first, tail)) = rest.split_first() {
        if HEADER_LINES.contains(&first.text.as_str()) {
            rest = tail;
        } else if DATE.is_match(&first.text) {
            date = Some(first.text.clone());
            rest = tail;
        } else {
            break;
        }
    }
    if rest.is_empty() {
        page.problems.push(problem(Some(paragraphs.last().unwrap().line), "page has a header but no entries".into()));
        return page;
    }
    page.listing = Arc::new(Listing { date, ..(*page.listing).clone() });

    let mut i = 0;
    while i < rest.len() {
        let title = &rest[i];
        if looks_like_abstract(&title.text) {
            page.problems.push(problem(
                Some(title.line),
                format!("expected a title, found an abstract-like paragraph with no title before it: \"{}\"", preview(&title.text)),
            ));
            i += 1;
            continue;
        }
        match rest.get(i + 1) {
            Some(abstract_) if looks_like_abstract(&abstract_.text) => {
                page.papers.push(Paper {
                    title: title.text.clone(),
                    abstract_text: abstract_.text.clone(),
                    arxiv_id: None,
                    authors: Vec::new(),
                    categories: Vec::new(),
                    date: None,
                    source: page.listing.clone(),
                    title_line: title.line,
                    abstract_line: abstract_.line,
                });
                i += 2;
            }
            Some(next) => {
                page.problems.push(problem(
                    Some(title.line),
                    format!(
                        "title \"{}\" has no abstract: the next paragraph (line {}) looks like another title",
                        preview(&title.text),
                        next.line
                    ),
                ));
                i += 1;
            }
            None => {
                page.problems.push(problem(
                    Some(title.line),
                    format!("title \"{}\" has no abstract: the file ends after it", preview(&title.text)),
                ));
                i += 1;
            }
        }
    }
    page
}

/// Checks the bytes are text: UTF-8 without NUL or other control bytes (tabs and line breaks
/// aside). On failure returns the 1-based line of the first bad byte and a message.
fn decode_text(bytes: &[u8]) -> Result<&str, (usize, String)> {
    let line_at = |offset: usize| bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1;
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        (line_at(at), format!("binary data: invalid UTF-8 at byte {at}; a listing page must be text"))
    })?;
    if let Some(at) = text.bytes().position(|b| b.is_ascii_control() && !matches!(b, b'\n' | b'\r' | b'\t')) {
        return Err((line_at(at), format!("binary data: control byte 0x{:02x} at byte {at}; a listing page must be text", bytes[at])));
    }
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// Splits on blank lines (CRLF or LF; lines holding only white space count as blank).
fn split_paragraphs(text: &str) -> Vec<Paragraph> {
    let mut paragraphs: Vec<Paragraph> = Vec::new();
    let mut in_paragraph = false;
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            in_paragraph = false;
        } else if in_paragraph {
            let last = paragraphs.last_mut().unwrap();
            last.text.push(' ');
            last.text.push_str(line);
        } else {
            paragraphs.push(Paragraph { text: line.to_owned(), line: index + 1 });
            in_paragraph = true;
        }
    }
    for paragraph in &mut paragraphs {
        paragraph.text = collapse_whitespace(&paragraph.text);
    }
    paragraphs
}

/// Abstracts are long and made of sentences; titles are short and rarely end in a full stop.
fn looks_like_abstract(text: &str) -> bool {
    let words = text.split_whitespace().count();
    let sentence_breaks = text.matches(". ").count();
    text.chars().count() > 250 || sentence_breaks >= 1 && words > 15 || text.ends_with('.') && words > 12
}

#[cfg(test)]
mod tests {
    use super::*;

    const ABSTRACT: &str = "We study a problem. Our method improves results across many benchmarks and settings, and it is simple to implement in practice.";

    fn parse(text: &str) -> ListingPage {
        parse_listing(Path::new("page.txt"), text.as_bytes())
    }

    #[test]
    fn reads_header_date_and_entries() {
        let page = parse(&format!("new\n\nSubscribe\n\nMar 13\n\nA Title\n\n{ABSTRACT}\n\nSecond Title\n\n{ABSTRACT}\n"));
        assert_eq!(page.listing.date.as_deref(), Some("Mar 13"));
        assert_eq!(page.papers.len(), 2);
        assert_eq!(page.papers[1].title, "Second Title");
        assert_eq!((page.papers[1].title_line, page.papers[1].abstract_line), (11, 13));
        assert!(page.problems.is_empty());
    }

    #[test]
    fn tolerates_crlf_and_extra_blank_lines() {
        let page = parse(&format!("Mar 18\r\n\r\n\r\n  \r\nA Title\r\n\r\n\r\n{ABSTRACT}\r\n\r\n"));
        assert_eq!(page.papers.len(), 1);
        assert_eq!(page.papers[0].title, "A Title");
        assert!(!page.papers[0].abstract_text.contains('\r'));
        assert_eq!(page.listing.date.as_deref(), Some("Mar 18"));
    }

    #[test]
    fn title_without_abstract_is_reported_and_neighbours_survive() {
        let page = parse(&format!("Mar 13\n\nGood One\n\n{ABSTRACT}\n\nOrphan Title\n\nGood Two\n\n{ABSTRACT}\n\nLast Orphan\n"));
        let titles: Vec<_> = page.papers.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(titles, ["Good One", "Good Two"]);
        assert_eq!(page.problems.len(), 2);
        assert_eq!(page.problems[0].line, Some(7));
        assert!(page.problems[0].to_string().starts_with("page.txt:7: title \"Orphan Title\" has no abstract"));
        assert!(page.problems[1].message.contains("the file ends after it"));
    }

    #[test]
    fn empty_and_binary_files_are_errors() {
        let empty = parse("\n \n");
        assert!(empty.papers.is_empty());
        assert_eq!(empty.problems[0].to_string(), "page.txt: empty file: no listing entries");

        let binary = parse_listing(Path::new("blob.txt"), b"Mar 13\n\nTitle\n\x00\x01\x02");
        assert!(binary.papers.is_empty());
        assert!(binary.problems[0].to_string().starts_with("blob.txt:4: binary data"));

        let not_utf8 = parse_listing(Path::new("latin1.txt"), b"Title\n\nAbstract \xe9t\xe9\n");
        assert!(not_utf8.problems[0].to_string().starts_with("latin1.txt:3: binary data: invalid UTF-8"));
    }
}
