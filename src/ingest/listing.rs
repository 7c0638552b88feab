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

use super::text::{check_lengths, collapse_whitespace, preview};
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
    /// The first line of the paragraph that is not text, if any (an index into [`Decoded::bad`]).
    bad: Option<usize>,
}

/// A page's bytes as text: lines that are not text (invalid UTF-8, control bytes) are kept with
/// their bad bytes replaced, and listed.
struct Decoded {
    text: String,
    bad: Vec<BadLine>,
}

/// A line holding bytes that are not text.
struct BadLine {
    line: usize,
    /// Offset of the first bad byte in the file.
    offset: usize,
    /// Offset of the first bad byte in the line.
    column: usize,
    byte: u8,
    utf8: bool,
}

impl BadLine {
    /// What is wrong, for a skipped entry.
    fn describe(&self) -> String {
        let what = if self.utf8 { "invalid UTF-8" } else { "control byte" };
        format!("not text: {what} 0x{:02x} at column {}", self.byte, self.column + 1)
    }

    /// What is wrong, for a page that is not text at all.
    fn describe_page(&self) -> String {
        match self.utf8 {
            true => format!("binary data: invalid UTF-8 at byte {}; a listing page must be text", self.offset),
            false => format!("binary data: control byte 0x{:02x} at byte {}; a listing page must be text", self.byte, self.offset),
        }
    }
}

/// Parses a listing page from raw bytes; `path` names it in errors and in the graph.
pub fn parse_listing(path: &Path, bytes: &[u8]) -> ListingPage {
    parse_listing_as(Listing::new(path), bytes)
}

/// [`parse_listing`] of a page read as `listing` (named otherwise than its path).
pub(super) fn parse_listing_as(listing: Listing, bytes: &[u8]) -> ListingPage {
    let path = &listing.path.clone();
    let mut page = ListingPage { listing: Arc::new(listing), papers: Vec::new(), problems: Vec::new() };
    let problem = |line: Option<usize>, message: String| Problem::new(path, line, message);

    let decoded = decode_text(bytes);
    let paragraphs = split_paragraphs(&decoded);
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

    // A paragraph that is not part of an entry: `message`, or what makes it not text.
    let lone = |paragraph: &Paragraph, message: String| match paragraph.bad.map(|i| &decoded.bad[i]) {
        Some(bad) => problem(Some(bad.line), format!("{}: skipped the paragraph \"{}\" (line {})", bad.describe(), preview(&paragraph.text), paragraph.line)),
        None => problem(Some(paragraph.line), message),
    };
    let mut i = 0;
    while i < rest.len() {
        let title = &rest[i];
        if looks_like_abstract(&title.text) {
            page.problems.push(lone(
                title,
                format!("expected a title, found an abstract-like paragraph with no title before it: \"{}\"", preview(&title.text)),
            ));
            i += 1;
            continue;
        }
        match rest.get(i + 1) {
            Some(abstract_) if looks_like_abstract(&abstract_.text) => {
                if let Some(bad) = title.bad.or(abstract_.bad).map(|i| &decoded.bad[i]) {
                    page.problems.push(problem(
                        Some(bad.line),
                        format!("{}: skipped the entry \"{}\" (line {})", bad.describe(), preview(&title.text), title.line),
                    ));
                    i += 2;
                    continue;
                }
                if let Err(message) = check_lengths(&title.text, "abstract", &abstract_.text) {
                    page.problems.push(problem(Some(title.line), format!("entry \"{}\": {message}", preview(&title.text))));
                    i += 2;
                    continue;
                }
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
                page.problems.push(lone(
                    title,
                    format!(
                        "title \"{}\" has no abstract: the next paragraph (line {}) looks like another title",
                        preview(&title.text),
                        next.line
                    ),
                ));
                i += 1;
            }
            None => {
                page.problems.push(lone(
                    title,
                    format!("title \"{}\" has no abstract: the file ends after it", preview(&title.text)),
                ));
                i += 1;
            }
        }
    }
    if page.papers.is_empty() {
        if let Some(bad) = decoded.bad.first() {
            // Nothing readable, and bytes that are not text: a binary file, not a damaged page.
            page.problems = vec![problem(Some(bad.line), bad.describe_page())];
        }
    }
    page
}

/// Decodes a page line by line: a line that is not UTF-8 or holds control bytes other than
/// white space (tabs, form feeds, line breaks) is kept with its bad bytes replaced by U+FFFD and
/// listed, so only the entry it belongs to is lost.
fn decode_text(bytes: &[u8]) -> Decoded {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut decoded = Decoded { text: String::with_capacity(bytes.len()), bad: Vec::new() };
    let mut offset = 0;
    let control = |b: u8| b.is_ascii_control() && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0b | 0x0c);
    for (index, line) in bytes.split_inclusive(|&b| b == b'\n').enumerate() {
        let first_control = line.iter().position(|&b| control(b));
        match std::str::from_utf8(line) {
            Ok(text) if first_control.is_none() => decoded.text.push_str(text),
            result => {
                let invalid = result.err().map(|e| e.valid_up_to());
                let (column, utf8) = match (invalid, first_control) {
                    (Some(i), Some(c)) if c < i => (c, false),
                    (Some(i), _) => (i, true),
                    (None, c) => (c.unwrap_or(0), false),
                };
                let line_number = index + 1;
                decoded.bad.push(BadLine { line: line_number, offset: offset + column, column, byte: line[column], utf8 });
                let lossy = String::from_utf8_lossy(line);
                decoded.text.extend(lossy.chars().map(|c| if c.is_ascii() && control(c as u8) { char::REPLACEMENT_CHARACTER } else { c }));
            }
        }
        offset += line.len();
    }
    decoded
}

/// Splits on blank lines (CRLF or LF; lines holding only white space count as blank).
fn split_paragraphs(decoded: &Decoded) -> Vec<Paragraph> {
    let mut paragraphs: Vec<Paragraph> = Vec::new();
    let mut in_paragraph = false;
    let mut bad = decoded.bad.iter().enumerate().peekable();
    for (index, line) in decoded.text.lines().enumerate() {
        let line_number = index + 1;
        let bad_here = bad.next_if(|(_, b)| b.line == line_number).map(|(i, _)| i);
        let line = line.trim();
        if line.is_empty() {
            in_paragraph = false;
        } else if in_paragraph {
            let last = paragraphs.last_mut().unwrap();
            last.text.push(' ');
            last.text.push_str(line);
            last.bad = last.bad.or(bad_here);
        } else {
            paragraphs.push(Paragraph { text: line.to_owned(), line: line_number, bad: bad_here });
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
    fn bytes_that_are_not_text_cost_only_their_entry() {
        let mut bytes = format!("Mar 13\n\nGood One\n\n{ABSTRACT}\n\nCaf").into_bytes();
        bytes.extend(b"\xe9 Reviews\n\n");
        bytes.extend(format!("{ABSTRACT}\n\nGood Two\n\n{ABSTRACT}\n\nNul Title\n\nWe study\x00 a problem. ").as_bytes());
        bytes.extend(format!("{ABSTRACT}\n\n\x0cFeed Title\n\n{ABSTRACT}\n\n").as_bytes());
        bytes.extend([0; 100]);
        let page = parse_listing(Path::new("page.txt"), &bytes);
        let titles: Vec<_> = page.papers.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(titles, ["Good One", "Good Two", "Feed Title"], "a form feed is white space");
        let problems: Vec<String> = page.problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            problems,
            [
                "page.txt:7: not text: invalid UTF-8 0xe9 at column 4: skipped the entry \"Caf\u{fffd} Reviews\" (line 7)",
                "page.txt:17: not text: control byte 0x00 at column 9: skipped the entry \"Nul Title\" (line 15)",
                "page.txt:23: not text: control byte 0x00 at column 1: skipped the paragraph \"\u{fffd}×100\" (line 23)",
            ]
        );
    }

    #[test]
    fn an_abstract_longer_than_any_is_skipped() {
        let page = parse(&format!("Good\n\n{ABSTRACT}\n\nRunaway\n\n{}\n", "Words go on. ".repeat(10_000)));
        assert_eq!(page.papers.len(), 1);
        assert_eq!(page.problems[0].to_string(), "page.txt:5: entry \"Runaway\": abstract is 129999 characters long: longer than any abstract (100000 at most)");
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
