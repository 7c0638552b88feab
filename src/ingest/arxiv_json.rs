//! The arXiv metadata snapshot (Kaggle / Cornell): JSON lines, one paper an object.
//!
//! ```text
//! {"id":"2401.09417","submitter":"Lianghui Zhu","authors":"Lianghui Zhu, Bencheng Liao and ...",
//!  "title":"Vision Mamba: Efficient Visual Representation Learning with\n  Bidirectional ...",
//!  "categories":"cs.CV cs.LG","abstract":"  Recently the state space models ...\n",
//!  "versions":[{"version":"v1","created":"Wed, 17 Jan 2024 18:56:18 GMT"}],
//!  "update_date":"2024-11-14","authors_parsed":[["Zhu","Lianghui",""],["Liao","Bencheng",""]]}
//! ```
//! (one line each in the file). Fields other than those below are ignored.

use std::borrow::Cow;
use std::io::{BufRead, Read};
use std::sync::Arc;

use serde::Deserialize;

use super::text::{arxiv_id, check_lengths, collapse_whitespace, collapse_whitespace_of, iso_date, json_error, megabytes, non_blank, required, unique, MAX_RECORD_BYTES};
use super::{Pending, PendingRecords, Problem};
use crate::model::{Listing, Paper, Record};

/// A record's fields, borrowed from the line where JSON escapes allow (most names and codes).
#[derive(Deserialize)]
struct Entry<'a> {
    #[serde(borrow)]
    id: Option<Text<'a>>,
    #[serde(borrow)]
    title: Option<Text<'a>>,
    #[serde(rename = "abstract", borrow)]
    abstract_text: Option<Text<'a>>,
    /// `A. Smith, B. Jones and C. Lee`
    #[serde(borrow)]
    authors: Option<Text<'a>>,
    /// `[["Smith", "A.", ""], ...]`: last name, first names, suffix.
    #[serde(borrow)]
    authors_parsed: Option<Vec<Vec<Text<'a>>>>,
    /// Space-separated, primary first: `cs.LG cs.AI`.
    #[serde(borrow)]
    categories: Option<Text<'a>>,
    #[serde(borrow)]
    update_date: Option<Text<'a>>,
}

/// A JSON string: borrowed from the input unless it holds escapes.
#[derive(Deserialize)]
struct Text<'a>(#[serde(borrow)] Cow<'a, str>);

impl std::ops::Deref for Text<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

/// Streams the papers of a snapshot file, a line at a time, unparsed (see [`Pending`]); blank
/// lines are skipped, lines longer than a record can be are skipped unread. A file whose first
/// line is a lone `{` is pretty-printed JSON, not JSON lines: one problem, and nothing is read.
pub(super) fn records(listing: Arc<Listing>, mut input: impl BufRead + Send + 'static) -> PendingRecords {
    let mut line = listing.first_line - 1;
    let mut buf = Vec::new();
    let mut failed = false;
    let mut first = listing.first_line == 1;
    Box::new(std::iter::from_fn(move || {
        while !failed {
            buf.clear();
            match read_line(&mut input, &mut buf) {
                Ok(Line::End) => return None,
                Ok(Line::TooLong(bytes)) => {
                    line += 1;
                    let message = format!(
                        "line is {} long, more than a record may take ({}): skipped unread",
                        megabytes(bytes),
                        megabytes(MAX_RECORD_BYTES as u64)
                    );
                    return Some(Err(Problem::new(&listing.path, line, message)));
                }
                Ok(Line::Read) => {
                    line += 1;
                    let json = buf.trim_ascii();
                    if json == b"{" && std::mem::take(&mut first) {
                        failed = true;
                        let message = "the first line holds only `{`: this is pretty-printed JSON, not JSON lines \
                                       (one record a line; `jq -c . FILE` converts it)";
                        return Some(Err(Problem::new(&listing.path, line, message)));
                    }
                    if !json.is_empty() {
                        first = false;
                        return Some(Ok(Pending::ArxivJsonLine { listing: listing.clone(), line, json: json.to_vec() }));
                    }
                }
                Err(e) => {
                    failed = true;
                    return Some(Err(Problem::read_failed(&listing.path, line + 1, &e)));
                }
            }
        }
        None
    }))
}

/// What [`read_line`] found.
enum Line {
    End,
    Read,
    /// A line of this many bytes (line break included), longer than `MAX_RECORD_BYTES`.
    TooLong(u64),
}

/// Reads a line into `buf`, unless it is longer than a record may be: then it is consumed and
/// counted, not kept.
fn read_line(input: &mut impl BufRead, buf: &mut Vec<u8>) -> std::io::Result<Line> {
    let limit = MAX_RECORD_BYTES as u64 + 1;
    let n = input.by_ref().take(limit).read_until(b'\n', buf)?;
    if n == 0 {
        return Ok(Line::End);
    }
    if (n as u64) < limit || buf.last() == Some(&b'\n') {
        return Ok(Line::Read);
    }
    let mut bytes = n as u64;
    loop {
        let available = input.fill_buf()?;
        if available.is_empty() {
            break;
        }
        let (taken, end) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (available.len(), false),
        };
        input.consume(taken);
        bytes += taken as u64;
        if end {
            break;
        }
    }
    buf.clear();
    Ok(Line::TooLong(bytes))
}

/// The paper on `line`, parsed from its `json`.
pub(super) fn paper(listing: &Arc<Listing>, line: usize, json: &[u8]) -> Result<Record, Problem> {
    let problem = |message: String| Problem::new(&listing.path, line, message);
    let entry: Entry = serde_json::from_slice(json).map_err(|e| problem(json_error(&e, line, json)))?;
    let id = non_blank(entry.id.as_deref());
    let record = id.as_deref().map_or_else(|| "record".to_owned(), |id| format!("record {id}"));
    let [id, title, abstract_text] = required([
        ("id", id.clone()),
        ("title", non_blank(entry.title.as_deref())),
        ("abstract", non_blank(entry.abstract_text.as_deref())),
    ])
    .map_err(|missing| problem(format!("{record} has {missing}")))?;
    check_lengths(&title, "abstract", &abstract_text).map_err(|message| problem(format!("{record}: {message}")))?;
    let arxiv_id = arxiv_id(&id).ok_or_else(|| problem(format!("id \"{id}\" is not an arXiv identifier")))?;
    Ok(Record::Paper(Paper {
        title,
        abstract_text,
        arxiv_id: Some(arxiv_id),
        authors: authors(&entry),
        categories: categories(&entry),
        date: entry.update_date.as_deref().and_then(iso_date),
        source: listing.clone(),
        title_line: line,
        abstract_line: line,
    }))
}

/// The category codes, primary first, once each.
fn categories(entry: &Entry) -> Vec<String> {
    let codes = entry.categories.as_deref().map(collapse_whitespace).unwrap_or_default();
    unique(codes.split(' ').filter(|code| !code.is_empty()).map(String::from))
}

/// `authors_parsed` as display names when present, else the `authors` string split.
fn authors(entry: &Entry) -> Vec<String> {
    match &entry.authors_parsed {
        Some(parsed) if !parsed.is_empty() => {
            parsed.iter().map(|parts| display_name(parts)).filter(|name| !name.is_empty()).collect()
        }
        _ => entry.authors.as_deref().map(split_authors).unwrap_or_default(),
    }
}

/// `["Smith", "John", "Jr"]` (last name, first names, suffix) → `John Smith Jr`.
fn display_name(parts: &[Text<'_>]) -> String {
    let [last, first, suffix] = [0, 1, 2].map(|i| parts.get(i).map_or("", |part| &**part));
    collapse_whitespace_of([first, last, suffix])
}

/// `A. Smith (MIT), B. Jones, and C. Lee` → `A. Smith`, `B. Jones`, `C. Lee`: parenthesized
/// affiliations dropped, names split on commas and `and`.
fn split_authors(text: &str) -> Vec<String> {
    let mut depth = 0usize;
    let names: String = text
        .chars()
        .filter(|&c| match c {
            '(' => {
                depth += 1;
                false
            }
            ')' => {
                depth = depth.saturating_sub(1);
                false
            }
            _ => depth == 0,
        })
        .collect();
    collapse_whitespace(&names)
        .split(',')
        .flat_map(|part| part.trim().trim_start_matches("and ").split(" and "))
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(String::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::testing::{assert_vision_mamba, fixture, read_all, read_clean};
    use crate::ingest::Format;

    #[test]
    fn reads_snapshot_fields() {
        let read = read_clean("arxiv-snapshot.jsonl", Format::ArxivJsonl);
        assert_eq!(read.papers.len(), 5);
        let vim = &read.papers[0];
        assert_vision_mamba(vim);
        assert_eq!(vim.categories, ["cs.CV", "cs.LG"]);
        assert_eq!(vim.date.as_deref(), Some("2024-11-14"));
        assert_eq!((vim.title_line, vim.abstract_line), (1, 1));
        assert_eq!(vim.source.name, "arxiv-snapshot.jsonl");

        // Old-style id with a version; no authors_parsed, so the authors string is split.
        let old = &read.papers[3];
        assert_eq!(old.arxiv_id.as_deref(), Some("cs/9913001"));
        assert_eq!(old.title, "Towards mental time travel: a hierarchical memory for reinforcement learning agents");
        assert_eq!(old.authors, ["A. Example", "B. Sample", "C. Tester"]);
        assert_eq!(old.categories, ["cs.LG"]);
        assert_eq!(old.date.as_deref(), Some("2008-11-13"));
        assert_eq!(old.title_line, 5, "the blank line 4 still counts");
        assert_eq!(read.papers[4].authors[4], "Anima Anandkumar");
    }

    #[test]
    fn bad_lines_are_reported_and_neighbours_kept() {
        let path = fixture("arxiv-snapshot-malformed.jsonl");
        let (_, read) = read_all(&path);
        let ids: Vec<_> = read.papers.iter().map(|p| p.arxiv_id.as_deref().unwrap()).collect();
        assert_eq!(ids, ["2401.09417", "2501.00663", "2403.03507"]);
        assert_eq!(read.papers[1].title_line, 3);
        let problems: Vec<String> = read.problems.iter().map(ToString::to_string).collect();
        assert_eq!(problems.len(), 3, "{problems:#?}");
        let path = path.display();
        assert_eq!(
            problems[0],
            format!(
                "{path}:2: invalid JSON at column 79: expected `,` or `}}`: \
                 {{\"id\": \"2312.04511\", \"title\": \"An LLM Compiler for Parallel ..."
            )
        );
        assert_eq!(problems[1], format!("{path}:4: record 2312.11514 has no abstract"));
        assert_eq!(problems[2], format!("{path}:6: record has no id or title"));
    }

    #[test]
    fn a_line_longer_than_a_record_is_skipped_unread() {
        let good = r#"{"id": "2401.09417", "title": "Vision Mamba", "abstract": "We propose Vim."}"#;
        let huge = format!(r#"{{"id": "2401.00001", "title": "Huge", "abstract": "{}"}}"#, "x".repeat(MAX_RECORD_BYTES));
        let (_, read) = crate::ingest::testing::read_written("big.jsonl", format!("{good}\n{huge}\n\n{good}"));
        assert_eq!(read.papers.iter().map(|p| p.title_line).collect::<Vec<_>>(), [1, 4]);
        assert_eq!(
            crate::ingest::testing::problem_lines(&read),
            [(Some(2), "line is 4.2 MB long, more than a record may take (4.2 MB): skipped unread")]
        );
    }

    #[test]
    fn pretty_printed_json_is_one_problem() {
        let (_, read) = crate::ingest::testing::read_written("one.jsonl", "\n{\n  \"id\": \"2401.09417\",\n  \"title\": \"Vim\"\n}\n");
        assert!(read.papers.is_empty());
        let problems = crate::ingest::testing::problem_lines(&read);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].0, Some(2));
        assert!(problems[0].1.starts_with("the first line holds only `{`: this is pretty-printed JSON"), "{}", problems[0].1);
    }

    #[test]
    fn escaped_control_characters_are_dropped_and_long_titles_refused() {
        let lines = [
            r#"{"id": "2401.09417", "title": "\u001b[1mVision\u0000Mamba", "abstract": "Vim\ufffe.", "categories": "cs.CV\u0001 cs.LG", "authors": "A\u0007 Smith"}"#.to_owned(),
            format!(r#"{{"id": "2401.09418", "title": "{}", "abstract": "A."}}"#, "T".repeat(2001)),
        ];
        let (_, read) = crate::ingest::testing::read_written("c.jsonl", lines.join("\n"));
        let vim = &read.papers[0];
        assert_eq!((vim.title.as_str(), vim.abstract_text.as_str()), ("[1mVision Mamba", "Vim ."));
        assert_eq!((vim.categories.clone(), vim.authors.clone()), (vec!["cs.CV".to_owned(), "cs.LG".to_owned()], vec!["A Smith".to_owned()]));
        assert_eq!(
            crate::ingest::testing::problem_lines(&read),
            [(Some(2), "record 2401.09418: title is 2001 characters long: longer than any title (2000 at most)")]
        );
    }

    #[test]
    fn parsed_names_read_first_last_suffix() {
        let parts = |p: &[&'static str]| p.iter().map(|s| Text(Cow::Borrowed(*s))).collect::<Vec<_>>();
        assert_eq!(display_name(&parts(&["Smith", "John", "Jr"])), "John Smith Jr");
        assert_eq!(display_name(&parts(&["Behrouz", "Ali", ""])), "Ali Behrouz");
        assert_eq!(display_name(&parts(&["ATLAS Collaboration", "", ""])), "ATLAS Collaboration");
    }

    #[test]
    fn author_strings_split_on_commas_and_and() {
        assert_eq!(split_authors("A. Smith (MIT, CSAIL), B. Jones\n and C. Lee"), ["A. Smith", "B. Jones", "C. Lee"]);
        assert_eq!(split_authors("A. Smith, B. Jones, and C. Lee"), ["A. Smith", "B. Jones", "C. Lee"]);
        assert_eq!(split_authors("ATLAS Collaboration"), ["ATLAS Collaboration"]);
    }
}
