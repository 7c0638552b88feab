//! Papers with Code dumps: `papers-with-abstracts.json` (papers) and
//! `links-between-papers-and-code.json` (code links).
//!
//! ```text
//! [{"paper_url": "https://paperswithcode.com/paper/vision-mamba-...", "arxiv_id": "2401.09417",
//!   "title": "Vision Mamba: ...", "abstract": "Recently ...", "authors": ["Lianghui Zhu", ...],
//!   "tasks": ["Image Classification", ...], "date": "2024-01-17", ...}, ...]
//! [{"paper_title": "Vision Mamba: ...", "paper_arxiv_id": "2401.09417",
//!   "repo_url": "https://github.com/hustvl/Vim", "is_official": true, ...}, ...]
//! ```
//! Each dump is one JSON array of hundreds of megabytes. A scanner cuts the array's elements
//! out of the stream one at a time (tracking strings, escapes and nesting), and each is
//! deserialized on its own, so a malformed element costs only itself. Tasks and methods are
//! not arXiv categories and are not read.

use std::io::{self, BufRead};
use std::path::PathBuf;
use std::sync::Arc;

use serde::de::{DeserializeOwned, IgnoredAny};
use serde::Deserialize;

use super::text::{arxiv_id, check_lengths, iso_date, json_error, megabytes, non_blank, preview, required, url_problem, MAX_RECORD_BYTES};
use super::{Format, Problem, Records};
use crate::model::{CodeLink, Listing, Paper, Record};

/// Elements looked at, at most, to tell papers from links.
const MAX_PEEK: usize = 100;

#[derive(Deserialize)]
struct PwcPaper {
    arxiv_id: Option<String>,
    title: Option<String>,
    #[serde(rename = "abstract")]
    abstract_text: Option<String>,
    authors: Option<Vec<String>>,
    date: Option<String>,
}

#[derive(Deserialize)]
struct PwcLink {
    paper_title: Option<String>,
    paper_arxiv_id: Option<String>,
    repo_url: Option<String>,
    is_official: Option<bool>,
}

/// The keys that tell the two dumps apart.
#[derive(Deserialize)]
struct Keys {
    repo_url: Option<IgnoredAny>,
    #[serde(rename = "abstract")]
    abstract_text: Option<IgnoredAny>,
}

/// Tells papers from links by the keys of the first elements (`repo_url`: links, `abstract`:
/// papers), then streams the records of `input`, a JSON array.
pub(super) fn records(listing: Arc<Listing>, input: impl BufRead + Send + 'static) -> Result<(Format, Records), Problem> {
    let mut elements = Elements { input, path: listing.path.clone(), line: 1, last_byte: None, count: 0, arrays: 0, in_array: false, done: false };
    let mut peeked = Vec::new();
    let format = loop {
        let Some(next) = elements.next() else {
            let message = match peeked.len() {
                0 => "an empty JSON array: no records".to_owned(),
                n => format!("cannot tell Papers-with-Code papers from links: none of the {n} records has an \"abstract\" or a \"repo_url\""),
            };
            return Err(Problem::new(&listing.path, None, message));
        };
        let keys = next.as_ref().ok().and_then(|element| serde_json::from_slice::<Keys>(&element.bytes).ok());
        peeked.push(next);
        match keys {
            Some(Keys { repo_url: Some(_), .. }) => break Format::PwcLinks,
            Some(Keys { abstract_text: Some(_), .. }) => break Format::PwcPapers,
            _ if peeked.len() == MAX_PEEK => {
                let message = format!("cannot tell Papers-with-Code papers from links: none of the first {MAX_PEEK} records has an \"abstract\" or a \"repo_url\"");
                return Err(Problem::new(&listing.path, None, message));
            }
            _ => {}
        }
    };
    let read = if format == Format::PwcPapers { paper } else { link };
    let records = peeked.into_iter().chain(elements).map(move |element| element.and_then(|element| read(&listing, &element)));
    Ok((format, Box::new(records)))
}

fn paper(listing: &Arc<Listing>, element: &Element) -> Result<Record, Problem> {
    let paper: PwcPaper = element.parse(listing)?;
    let [title, abstract_text] =
        required([("title", non_blank(paper.title.as_deref())), ("abstract", non_blank(paper.abstract_text.as_deref()))])
            .map_err(|missing| element.problem(listing, missing))?;
    check_lengths(&title, "abstract", &abstract_text).map_err(|message| element.problem(listing, message))?;
    Ok(Record::Paper(Paper {
        title,
        abstract_text,
        arxiv_id: paper.arxiv_id.as_deref().and_then(arxiv_id),
        authors: paper.authors.unwrap_or_default().iter().filter_map(|name| non_blank(Some(name))).collect(),
        categories: Vec::new(),
        date: paper.date.as_deref().and_then(iso_date),
        source: listing.clone(),
        title_line: element.line,
        abstract_line: element.line,
    }))
}

fn link(listing: &Arc<Listing>, element: &Element) -> Result<Record, Problem> {
    let link: PwcLink = element.parse(listing)?;
    let [url] = required([("repo_url", link.repo_url.as_deref().map(str::trim).filter(|url| !url.is_empty()).map(String::from))])
        .map_err(|missing| element.problem(listing, missing))?;
    if let Some(why) = url_problem(&url) {
        return Err(element.problem(listing, format!("repo_url \"{}\" is not a usable URL: {why}", preview(&url))));
    }
    let title = non_blank(link.paper_title.as_deref());
    if let Some(title) = &title {
        check_lengths(title, "abstract", "").map_err(|message| element.problem(listing, format!("paper_{message}")))?;
    }
    let arxiv_id = link.paper_arxiv_id.as_deref().and_then(arxiv_id);
    if arxiv_id.is_none() && title.is_none() {
        let why = match link.paper_arxiv_id.as_deref().and_then(|id| non_blank(Some(id))) {
            Some(id) => format!("paper_arxiv_id \"{}\" is not an arXiv identifier, and there is no paper_title", preview(&id)),
            None => "no paper_arxiv_id or paper_title: the link names no paper".to_owned(),
        };
        return Err(element.problem(listing, why));
    }
    Ok(Record::CodeLink(CodeLink {
        arxiv_id,
        title,
        url,
        official: link.is_official,
        source: listing.clone(),
        line: element.line,
    }))
}

/// The bytes of one array element.
struct Element {
    /// Its bytes; empty when it is larger than a record may be.
    bytes: Vec<u8>,
    /// Its size, when it is larger than a record may be.
    oversize: Option<u64>,
    /// 1-based line where it starts.
    line: usize,
    /// 1-based position in the array.
    index: usize,
}

impl Element {
    fn problem(&self, listing: &Listing, message: String) -> Problem {
        Problem::new(&listing.path, self.line, format!("record {}: {message}", self.index))
    }

    fn parse<T: DeserializeOwned>(&self, listing: &Listing) -> Result<T, Problem> {
        if let Some(size) = self.oversize {
            let message = format!("{} long, more than a record may take ({}): skipped unread", megabytes(size), megabytes(MAX_RECORD_BYTES as u64));
            return Err(self.problem(listing, message));
        }
        serde_json::from_slice(&self.bytes).map_err(|e| self.problem(listing, json_error(&e, self.line, &self.bytes)))
    }
}

/// Cuts the elements of a JSON array out of a stream. Ends after the array's `]`, or with a
/// problem when the stream ends first or fails.
struct Elements<R> {
    input: R,
    path: PathBuf,
    /// Line of the next byte.
    line: usize,
    last_byte: Option<u8>,
    /// Elements cut so far.
    count: usize,
    /// Arrays begun so far (a file may hold several one after the other: dumps concatenated).
    arrays: usize,
    in_array: bool,
    done: bool,
}

impl<R: BufRead> Iterator for Elements<R> {
    type Item = Result<Element, Problem>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let next = self.cut().unwrap_or_else(|e| Err(Problem::read_failed(&self.path, self.line, &e)));
        self.done = !matches!(next, Ok(Some(_)));
        next.transpose()
    }
}

impl<R: BufRead> Elements<R> {
    fn cut(&mut self) -> io::Result<Result<Option<Element>, Problem>> {
        loop {
            if !self.in_array {
                match self.skip(|b| b.is_ascii_whitespace())? {
                    Some(b'[') => {
                        self.take_byte();
                        self.in_array = true;
                        self.arrays += 1;
                    }
                    None if self.arrays > 0 => return Ok(Ok(None)),
                    _ if self.arrays == 0 => return Ok(Err(Problem::new(&self.path, self.line, "not a JSON array"))),
                    _ => {
                        let buf = self.input.fill_buf()?;
                        let what = preview(&String::from_utf8_lossy(&buf[..buf.len().min(256)]));
                        let message = format!("\"{what}\" after the end of the array (after record {}): only another array may follow", self.count);
                        return Ok(Err(Problem::new(&self.path, self.line, message)));
                    }
                }
            }
            match self.skip(|b| b.is_ascii_whitespace() || b == b',')? {
                None => return Ok(Err(self.truncated(format!("the file ends before the array is closed, after record {}", self.count)))),
                Some(b']') => {
                    self.take_byte();
                    self.in_array = false;
                }
                Some(_) => break,
            }
        }
        self.count += 1;
        let line = self.line;
        let mut bytes = Vec::new();
        let mut size = 0;
        if !self.scan_element(&mut bytes, &mut size)? {
            let message = format!("the file ends inside record {} (line {line}): the array is never closed", self.count);
            return Ok(Err(self.truncated(message)));
        }
        let oversize = (size > MAX_RECORD_BYTES as u64).then_some(size);
        if oversize.is_some() {
            bytes = Vec::new();
        }
        Ok(Ok(Some(Element { bytes, oversize, line, index: self.count })))
    }

    /// A problem at the last line of the file.
    fn truncated(&self, message: String) -> Problem {
        Problem::new(&self.path, self.line - usize::from(self.last_byte == Some(b'\n')), message)
    }

    /// Consumes bytes while `skip` holds them; returns the next byte, not consumed, or `None`
    /// at the end.
    fn skip(&mut self, skip: impl Fn(u8) -> bool) -> io::Result<Option<u8>> {
        loop {
            let buf = self.input.fill_buf()?;
            if buf.is_empty() {
                return Ok(None);
            }
            let next = buf.iter().position(|&b| !skip(b));
            let skipped = next.unwrap_or(buf.len());
            let next = next.map(|i| buf[i]);
            self.consume(skipped);
            if next.is_some() {
                return Ok(next);
            }
        }
    }

    fn take_byte(&mut self) {
        self.consume(1);
    }

    /// Moves one element's bytes into `element`: an object or array up to its matching close,
    /// anything else up to the next `,` or `]` outside strings; `size` counts them, `element`
    /// keeps no more than `MAX_RECORD_BYTES` and one more. False when the stream ends first.
    fn scan_element(&mut self, element: &mut Vec<u8>, size: &mut u64) -> io::Result<bool> {
        let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
        loop {
            let buf = self.input.fill_buf()?;
            if buf.is_empty() {
                return Ok(false);
            }
            let mut end = None;
            for (i, &b) in buf.iter().enumerate() {
                if in_string {
                    match (escaped, b) {
                        (true, _) => escaped = false,
                        (false, b'\\') => escaped = true,
                        (false, b'"') => in_string = false,
                        _ => {}
                    }
                    continue;
                }
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' if depth > 1 => depth -= 1,
                    b'}' | b']' if depth == 1 => end = Some(i + 1),
                    // A close or comma outside any object ends a bare value; alone, it is the
                    // (malformed) element itself, so that scanning always moves on.
                    b'}' | b']' | b',' if depth == 0 => end = Some(if i == 0 && *size == 0 { 1 } else { i }),
                    _ => {}
                }
                if end.is_some() {
                    break;
                }
            }
            let taken = end.unwrap_or(buf.len());
            let room = (MAX_RECORD_BYTES + 1).saturating_sub(element.len());
            element.extend_from_slice(&buf[..taken.min(room)]);
            *size += taken as u64;
            self.consume(taken);
            if end.is_some() {
                return Ok(true);
            }
        }
    }

    /// Consumes `n` buffered bytes, counting their lines.
    fn consume(&mut self, n: usize) {
        if n == 0 {
            return;
        }
        if let Ok(buf) = self.input.fill_buf() {
            self.line += buf[..n].iter().filter(|&&b| b == b'\n').count();
            self.last_byte = Some(buf[n - 1]);
        }
        self.input.consume(n);
    }
}

#[cfg(test)]
mod tests {
    use crate::ingest::testing::{assert_vision_mamba, fixture, problem_lines, read_all, read_clean};
    use crate::ingest::Format;

    #[test]
    fn reads_papers() {
        let read = read_clean("pwc-papers.json", Format::PwcPapers);
        assert_eq!(read.papers.len(), 3);
        let vim = &read.papers[0];
        assert_vision_mamba(vim);
        assert!(vim.categories.is_empty(), "tasks are not categories");
        assert_eq!(vim.date.as_deref(), Some("2024-01-17"));
        assert_eq!((vim.title_line, vim.abstract_line), (2, 2));
        let flash = &read.papers[1];
        assert_eq!(flash.arxiv_id.as_deref(), Some("2312.11514"));
        assert_eq!(flash.authors, ["Keivan Alizadeh", "Iman Mirzadeh"]);
        assert!(flash.abstract_text.contains(r#"First, "windowing'" strategically"#));
        assert_eq!(flash.title_line, 42);
        let time_travel = &read.papers[2];
        assert_eq!(time_travel.arxiv_id, None);
        assert!(time_travel.authors.is_empty());
        assert_eq!(time_travel.title_line, 60);
    }

    #[test]
    fn reads_code_links() {
        let read = read_clean("pwc-links.json", Format::PwcLinks);
        assert!(read.papers.is_empty());
        let links: Vec<_> = read
            .code_links
            .iter()
            .map(|l| (l.arxiv_id.as_deref(), l.url.as_str(), l.official, l.line))
            .collect();
        assert_eq!(
            links,
            [
                (Some("2401.09417"), "https://github.com/hustvl/Vim", Some(true), 1),
                (Some("2312.04511"), "https://github.com/SqueezeAILab/LLMCompiler", Some(true), 1),
                (None, "https://github.com/agiresearch/A-mem", Some(true), 1),
                (Some("2403.03507"), "https://github.com/example/galore-reimplementation", Some(false), 1),
            ]
        );
        assert_eq!(read.code_links[2].title.as_deref(), Some("A-MEM: Agentic Memory for LLM Agents"));
    }

    #[test]
    fn a_malformed_element_costs_only_itself() {
        let path = fixture("pwc-papers-malformed.json");
        let (format, read) = read_all(&path);
        assert_eq!(format, Format::PwcPapers);
        let titles: Vec<_> = read.papers.iter().map(|p| (p.title.as_str(), p.title_line)).collect();
        assert_eq!(
            titles,
            [
                ("Vision Mamba: Efficient Visual Representation Learning with Bidirectional State Space Model", 2),
                ("An LLM Compiler for Parallel Function Calling", 94),
            ]
        );
        let problems: Vec<String> = read.problems.iter().map(ToString::to_string).collect();
        assert_eq!(problems.len(), 2, "{problems:#?}");
        let path = path.display();
        assert_eq!(
            problems[0],
            format!(
                "{path}:42: record 2: invalid JSON at line 59, column 5: expected `,` or `}}`: \
                 {{ \"paper_url\": \"https://paperswithcode.com/paper/titans-lear..."
            )
        );
        assert_eq!(problems[1], format!("{path}:77: record 3: no abstract"));
    }

    #[test]
    fn a_truncated_array_keeps_the_complete_elements() {
        let (format, read) = read_all(&fixture("pwc-links-truncated.json"));
        assert_eq!(format, Format::PwcLinks);
        assert_eq!(read.code_links.len(), 2);
        assert_eq!(read.code_links[1].line, 14);
        assert_eq!(
            problem_lines(&read),
            [(Some(32), "the file ends inside record 3 (line 26): the array is never closed")]
        );
    }

    #[test]
    fn arrays_that_say_nothing_are_problems() {
        let dir = tempfile::tempdir().unwrap();
        for (name, text, message) in [
            ("empty.json", "[ ]\n", "an empty JSON array: no records"),
            (
                "other.json",
                r#"[{"name": "ImageNet"}, {"name": "COCO"}]"#,
                r#"cannot tell Papers-with-Code papers from links: none of the 2 records has an "abstract" or a "repo_url""#,
            ),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            let problem = crate::ingest::open(&path).err().unwrap();
            assert_eq!(problem.to_string(), format!("{}: {message}", path.display()));
        }
    }

    #[test]
    fn a_malformed_first_element_does_not_hide_the_format() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("links.json");
        std::fs::write(&path, "[{\"repo_url\": https://github.com/a/b},\n {\"paper_title\": \"C\", \"repo_url\": \"https://github.com/c/d\"}]").unwrap();
        let (format, read) = read_all(&path);
        assert_eq!(format, Format::PwcLinks);
        assert_eq!(read.code_links.iter().map(|l| (l.url.as_str(), l.line)).collect::<Vec<_>>(), [("https://github.com/c/d", 2)]);
        assert_eq!(
            problem_lines(&read),
            [(Some(1), "record 1: invalid JSON at column 14: expected value: {\"repo_url\": https://github.com/a/b}")]
        );
    }

    #[test]
    fn concatenated_arrays_are_read_and_anything_else_after_one_is_a_problem() {
        let paper = |n: u32| format!(r#"{{"title": "Paper {n}", "abstract": "About {n}."}}"#);
        let (_, read) = crate::ingest::testing::read_written("two.json", format!("[{}]\n[{}, {}]\n", paper(1), paper(2), paper(3)));
        assert_eq!(read.papers.len(), 3);
        assert!(read.problems.is_empty(), "{:?}", read.problems);
        let (_, read) = crate::ingest::testing::read_written("junk.json", format!("[{}]\n\n<!-- saved -->\n", paper(1)));
        assert_eq!(read.papers.len(), 1);
        assert_eq!(problem_lines(&read), [(Some(3), "\"<!-- saved -->\" after the end of the array (after record 1): only another array may follow")]);
    }

    #[test]
    fn an_element_larger_than_a_record_is_skipped_unread() {
        let huge = format!(r#"{{"title": "Huge", "abstract": "{}"}}"#, "x".repeat(super::MAX_RECORD_BYTES));
        let text = format!("[{{\"title\": \"A\", \"abstract\": \"B.\"}},\n{huge},\n{{\"title\": \"C\", \"abstract\": \"D.\"}}]");
        let (_, read) = crate::ingest::testing::read_written("big.json", text);
        assert_eq!(read.papers.iter().map(|p| p.title.as_str()).collect::<Vec<_>>(), ["A", "C"]);
        assert_eq!(problem_lines(&read), [(Some(2), "record 2: 4.2 MB long, more than a record may take (4.2 MB): skipped unread")]);
    }

    #[test]
    fn links_must_name_a_paper_and_a_usable_url() {
        let links = [
            r#"{"paper_arxiv_id": "2401.09417", "repo_url": " https://github.com/hustvl/Vim "}"#,
            r#"{"paper_arxiv_id": "2401.09417", "repo_url": "https://github.com/hust vl/Vim"}"#,
            r#"{"paper_arxiv_id": "2401.09417", "repo_url": "git@github.com:hustvl/Vim.git"}"#,
            r#"{"paper_arxiv_id": "n/a", "repo_url": "https://github.com/a/b"}"#,
            r#"{"paper_title": " ", "repo_url": "https://github.com/a/b"}"#,
        ];
        let (_, read) = crate::ingest::testing::read_written("links.json", format!("[{}]", links.join(",\n")));
        assert_eq!(read.code_links.iter().map(|l| l.url.as_str()).collect::<Vec<_>>(), ["https://github.com/hustvl/Vim"]);
        assert_eq!(
            problem_lines(&read),
            [
                (Some(2), "record 2: repo_url \"https://github.com/hust vl/Vim\" is not a usable URL: it holds a space"),
                (Some(3), "record 3: repo_url \"git@github.com:hustvl/Vim.git\" is not a usable URL: an SSH address, not an http(s) URL"),
                (Some(4), "record 4: paper_arxiv_id \"n/a\" is not an arXiv identifier, and there is no paper_title"),
                (Some(5), "record 5: no paper_arxiv_id or paper_title: the link names no paper"),
            ]
        );
    }

    #[test]
    fn strings_with_brackets_and_escapes_do_not_cut_elements() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("links.json");
        let text = r#"[{"paper_title": "A \"quoted\" {title} [x] \\", "repo_url": "https://github.com/a/b"},
 {"paper_title": "}]", "repo_url": "https://github.com/c/d", "is_official": null}]"#;
        std::fs::write(&path, text).unwrap();
        let (_, read) = read_all(&path);
        assert!(read.problems.is_empty(), "{:?}", read.problems);
        let titles: Vec<_> = read.code_links.iter().map(|l| (l.title.as_deref().unwrap(), l.official, l.line)).collect();
        assert_eq!(titles, [(r#"A "quoted" {title} [x] \"#, None, 1), ("}]", None, 2)]);
    }
}
