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

use std::io::BufRead;
use std::sync::Arc;

use serde::Deserialize;

use super::text::{arxiv_id, collapse_whitespace, iso_date, json_error, non_blank, required, unique};
use super::{Pending, PendingRecords, Problem};
use crate::model::{Listing, Paper, Record};

#[derive(Deserialize)]
struct Entry {
    id: Option<String>,
    title: Option<String>,
    #[serde(rename = "abstract")]
    abstract_text: Option<String>,
    /// `A. Smith, B. Jones and C. Lee`
    authors: Option<String>,
    /// `[["Smith", "A.", ""], ...]`: last name, first names, suffix.
    authors_parsed: Option<Vec<Vec<String>>>,
    /// Space-separated, primary first: `cs.LG cs.AI`.
    categories: Option<String>,
    update_date: Option<String>,
}

/// Streams the papers of a snapshot file, a line at a time, unparsed (see [`Pending`]); blank
/// lines are skipped.
pub(super) fn records(listing: Arc<Listing>, mut input: impl BufRead + Send + 'static) -> PendingRecords {
    let mut line = 0;
    let mut buf = Vec::new();
    let mut failed = false;
    Box::new(std::iter::from_fn(move || {
        while !failed {
            buf.clear();
            match input.read_until(b'\n', &mut buf) {
                Ok(0) => return None,
                Ok(_) => {
                    line += 1;
                    let json = buf.trim_ascii();
                    if !json.is_empty() {
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
    let arxiv_id = arxiv_id(&id).ok_or_else(|| problem(format!("id \"{id}\" is not an arXiv identifier")))?;
    Ok(Record::Paper(Paper {
        title,
        abstract_text,
        arxiv_id: Some(arxiv_id),
        authors: authors(&entry),
        categories: unique(entry.categories.iter().flat_map(|c| c.split_whitespace()).map(String::from)),
        date: entry.update_date.as_deref().and_then(iso_date),
        source: listing.clone(),
        title_line: line,
        abstract_line: line,
    }))
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
fn display_name(parts: &[String]) -> String {
    let [last, first, suffix] = [0, 1, 2].map(|i| parts.get(i).map_or("", String::as_str));
    collapse_whitespace(&format!("{first} {last} {suffix}"))
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
    fn parsed_names_read_first_last_suffix() {
        let parts = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
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
