//! arXiv API responses (`export.arxiv.org/api/query`): an Atom feed, one paper an `<entry>`.
//!
//! ```text
//! <feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
//!   <entry>
//!     <id>http://arxiv.org/abs/2401.09417v2</id>
//!     <published>2024-01-17T18:56:18Z</published>
//!     <title>Vision Mamba: ...</title>
//!     <summary>Recently the state space models ...</summary>
//!     <author><name>Lianghui Zhu</name></author>
//!     <arxiv:primary_category term="cs.CV" scheme="http://arxiv.org/schemas/atom"/>
//!     <category term="cs.CV" scheme="http://arxiv.org/schemas/atom"/>
//!   </entry>
//! </feed>
//! ```
//! Elements are matched by local name. The API reports a bad query as a feed whose single
//! entry has an `http://arxiv.org/api/errors#...` id and the error as its summary.

use std::error::Error;
use std::io::{self, BufRead, Read};
use std::sync::Arc;

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::text::{arxiv_id, check_lengths, iso_date, non_blank, required, unique};
use super::{Problem, Records};
use crate::model::{Listing, Paper, Record};

const API_ERROR_ID: &str = "http://arxiv.org/api/errors";

/// Streams the papers of an Atom feed, an entry at a time.
pub(super) fn records(listing: Arc<Listing>, input: impl BufRead + Send + 'static) -> Records {
    Box::new(Entries {
        reader: Reader::from_reader(LineIndex { inner: input, offset: 0, lines_before: 0, newlines: Vec::new() }),
        listing,
        buf: Vec::new(),
        entry: None,
        seen_atom: false,
        seen_root: false,
        entries: 0,
        declared_entities: Vec::new(),
        done: false,
    })
}

struct Entries<R> {
    reader: Reader<LineIndex<R>>,
    listing: Arc<Listing>,
    buf: Vec<u8>,
    /// The entry being read.
    entry: Option<Entry>,
    /// A `<feed>` or `<entry>` was seen: the file is Atom.
    seen_atom: bool,
    /// The root element was seen.
    seen_root: bool,
    /// Entries seen.
    entries: usize,
    /// Entities the document type declaration declares (never expanded).
    declared_entities: Vec<String>,
    done: bool,
}

/// What has been read of one `<entry>`.
#[derive(Default)]
struct Entry {
    line: usize,
    id: Option<String>,
    title: Option<String>,
    title_line: usize,
    summary: Option<String>,
    summary_line: usize,
    published: Option<String>,
    authors: Vec<String>,
    primary_category: Option<String>,
    categories: Vec<String>,
    /// The text element being read (`title`, `name`, ...) and its text so far.
    open: Option<(Element, String)>,
    /// The first XML error inside the entry, with its line.
    malformed: Option<String>,
}

/// Text elements of an entry that are kept.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Element {
    Id,
    Title,
    Summary,
    Published,
    AuthorName,
}

impl Element {
    fn from_local_name(name: &[u8]) -> Option<Self> {
        Some(match name {
            b"id" => Element::Id,
            b"title" => Element::Title,
            b"summary" => Element::Summary,
            b"published" => Element::Published,
            b"name" => Element::AuthorName,
            _ => return None,
        })
    }
}

impl<R: BufRead> Iterator for Entries<R> {
    type Item = Result<Record, Problem>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            if self.entry.is_none() {
                let position = self.reader.buffer_position();
                self.reader.get_mut().forget_before(position);
            }
            self.buf.clear();
            let event = self.reader.read_event_into(&mut self.buf).map(Event::into_owned);
            if let Some(result) = self.handle(event) {
                return Some(result);
            }
        }
        None
    }
}

impl<R: BufRead> Entries<R> {
    fn problem(&self, line: impl Into<Option<usize>>, message: impl Into<String>) -> Problem {
        Problem::new(&self.listing.path, line, message)
    }

    /// An entry cut short: its first XML error, else `why`.
    fn unfinished(&self, entry: Entry, why: &str) -> Problem {
        self.problem(entry.line, format!("malformed entry: {}", entry.malformed.as_deref().unwrap_or(why)))
    }

    /// Line of the last byte of the last event read.
    fn line(&self) -> usize {
        self.reader.get_ref().line_at(self.reader.buffer_position().saturating_sub(1))
    }

    fn handle(&mut self, event: quick_xml::Result<Event<'static>>) -> Option<Result<Record, Problem>> {
        let event = match event {
            Ok(event) => event,
            Err(error) => return self.xml_error(error).map(Err),
        };
        if let Event::Start(start) | Event::Empty(start) = &event {
            if !std::mem::replace(&mut self.seen_root, true) && !matches!(start.local_name().as_ref(), b"feed" | b"entry") {
                self.done = true;
                let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
                let message = match name.eq_ignore_ascii_case("html") {
                    true => "an HTML page (root element <html>): neither an arXiv API response (Atom) nor a listing page (text)".to_owned(),
                    false => format!("the root element is <{name}>, not an Atom <feed>: not an arXiv API response"),
                };
                return Some(Err(self.problem(self.line(), message)));
            }
        }
        match event {
            Event::DocType(doctype) => self.declared_entities = declared_entities(&String::from_utf8_lossy(&doctype)),
            Event::Start(start) if start.local_name().as_ref() == b"entry" => {
                self.seen_atom = true;
                self.entries += 1;
                let unclosed = self.entry.take().map(|entry| Err(self.unfinished(entry, "it is never closed")));
                self.entry = Some(Entry { line: self.line(), ..Entry::default() });
                return unclosed;
            }
            Event::Start(start) if start.local_name().as_ref() == b"feed" => self.seen_atom = true,
            Event::End(end) if end.local_name().as_ref() == b"entry" => {
                return self.entry.take().map(|entry| entry.finish(&self.listing));
            }
            Event::Eof => {
                self.done = true;
                if let Some(entry) = self.entry.take() {
                    return Some(Err(self.unfinished(entry, "the file ends inside it")));
                }
                if !self.seen_atom {
                    return Some(Err(self.problem(None, "no Atom <feed> element: not an arXiv API response")));
                }
                if self.entries == 0 {
                    return Some(Err(self.problem(None, "the feed holds no <entry>: no papers")));
                }
            }
            event => {
                let line = self.line();
                if let Some(entry) = &mut self.entry {
                    if let Err(error) = entry.read(event, line, &self.declared_entities) {
                        entry.malformed.get_or_insert(format!("line {line}: {error}"));
                    }
                }
            }
        }
        None
    }

    /// A recoverable error spoils the entry it is in (or is reported, outside entries); after
    /// any other, the file cannot be read further.
    fn xml_error(&mut self, error: quick_xml::Error) -> Option<Problem> {
        let line = self.reader.get_ref().line_at(self.reader.error_position());
        let recoverable = matches!(error, quick_xml::Error::IllFormed(_) | quick_xml::Error::Escape(_));
        if !recoverable {
            self.done = true;
            let lost = self.entry.take().map_or(String::new(), |entry| format!(" (the entry at line {} is lost)", entry.line));
            return Some(self.problem(line, format!("XML error, reading stops here{lost}: {error}")));
        }
        match &mut self.entry {
            Some(entry) => {
                entry.malformed.get_or_insert(format!("line {line}: {error}"));
                None
            }
            None => Some(self.problem(line, format!("XML error: {error}"))),
        }
    }
}

impl Entry {
    /// Takes in an event inside the entry; `line` is where it ends.
    /// `declared`: the entities the document type declaration declares.
    fn read(&mut self, event: Event<'_>, line: usize, declared: &[String]) -> Result<(), Box<dyn Error>> {
        match event {
            Event::Start(start) => {
                self.take_category(&start)?;
                if let Some(element) = Element::from_local_name(start.local_name().as_ref()) {
                    match element {
                        Element::Title => self.title_line = line,
                        Element::Summary => self.summary_line = line,
                        _ => {}
                    }
                    self.open = Some((element, String::new()));
                }
            }
            Event::Empty(start) => self.take_category(&start)?,
            Event::Text(text) => {
                let text = text.decode()?;
                // XML 1.0 allows no C0 control but tab and line breaks, nor U+FFFE and U+FFFF.
                let not_xml = |c: char| c < ' ' && !matches!(c, '\t' | '\n' | '\r') || matches!(c, '\u{fffe}' | '\u{ffff}');
                if let Some(c) = text.chars().find(|&c| not_xml(c)) {
                    return Err(format!("control character U+{:04X} in text (XML does not allow it)", u32::from(c)).into());
                }
                self.push_text(&text);
            }
            Event::CData(text) => self.push_text(&text.decode()?),
            Event::GeneralRef(reference) => match reference.resolve_char_ref()? {
                Some(c) => self.push_text(c.encode_utf8(&mut [0; 4])),
                None => {
                    let name = reference.decode()?;
                    let text = resolve_predefined_entity(&name).ok_or_else(|| match declared.iter().any(|d| *d == name) {
                        true => format!("entity `&{name};` is declared in the document type declaration, which is not read (no entity is expanded, no external file fetched)"),
                        false => format!("unknown entity `&{name};`"),
                    })?;
                    self.push_text(text);
                }
            },
            Event::End(end) => {
                let closed = Element::from_local_name(end.local_name().as_ref());
                if let Some((element, text)) = self.open.take_if(|(element, _)| closed == Some(*element)) {
                    let text = non_blank(Some(&text));
                    match element {
                        Element::Id => self.id = text,
                        Element::Title => self.title = text,
                        Element::Summary => self.summary = text,
                        Element::Published => self.published = text,
                        Element::AuthorName => self.authors.extend(text),
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn push_text(&mut self, text: &str) {
        if let Some((_, open)) = &mut self.open {
            open.push_str(text);
        }
    }

    /// `<category term=...>` and `<arxiv:primary_category term=...>`.
    fn take_category(&mut self, start: &BytesStart<'_>) -> quick_xml::Result<()> {
        let local_name = start.local_name();
        if !matches!(local_name.as_ref(), b"category" | b"primary_category") {
            return Ok(());
        }
        let Some(term) = start.try_get_attribute("term")? else { return Ok(()) };
        let Some(term) = non_blank(Some(&term.decode_and_unescape_value(start.decoder())?)) else { return Ok(()) };
        if local_name.as_ref() == b"primary_category" {
            self.primary_category = Some(term);
        } else {
            self.categories.push(term);
        }
        Ok(())
    }

    fn finish(self, listing: &Arc<Listing>) -> Result<Record, Problem> {
        let problem = |message: String| Problem::new(&listing.path, self.line, message);
        if let Some(message) = self.malformed {
            return Err(problem(format!("malformed entry: {message}")));
        }
        if self.id.as_deref().is_some_and(|id| id.starts_with(API_ERROR_ID)) {
            return Err(problem(format!("arXiv API error: {}", self.summary.as_deref().unwrap_or("(no message)"))));
        }
        let [id, title, abstract_text] =
            required([("id", self.id), ("title", self.title), ("summary", self.summary)])
                .map_err(|missing| problem(format!("entry has {missing}")))?;
        let arxiv_id = arxiv_id(&id).ok_or_else(|| problem(format!("entry id \"{id}\" is not an arXiv abstract URL")))?;
        check_lengths(&title, "summary", &abstract_text).map_err(|message| problem(format!("entry {arxiv_id}: {message}")))?;
        Ok(Record::Paper(Paper {
            title,
            abstract_text,
            arxiv_id: Some(arxiv_id),
            authors: self.authors,
            categories: unique(self.primary_category.into_iter().chain(self.categories)),
            date: self.published.as_deref().and_then(iso_date),
            source: listing.clone(),
            title_line: self.title_line,
            abstract_line: self.summary_line,
        }))
    }
}

/// The names `<!ENTITY name ...>` declarations in a document type declaration declare.
fn declared_entities(doctype: &str) -> Vec<String> {
    doctype
        .split("<!ENTITY")
        .skip(1)
        .filter_map(|declaration| {
            let declaration = declaration.trim_start();
            let declaration = declaration.strip_prefix('%').map_or(declaration, str::trim_start);
            declaration.split(|c: char| c.is_whitespace()).next().filter(|name| !name.is_empty()).map(String::from)
        })
        .collect()
}

/// Passes a stream through to the XML reader and remembers where its line breaks are, so that
/// byte offsets the reader reports can be turned into lines. Offsets before the current entry
/// are forgotten, so memory stays small whatever the file's size.
struct LineIndex<R> {
    inner: R,
    /// Bytes consumed so far.
    offset: u64,
    /// Line breaks before the first remembered one.
    lines_before: usize,
    /// Offsets of the remembered line breaks, ascending.
    newlines: Vec<u64>,
}

impl<R> LineIndex<R> {
    /// 1-based line of the byte at `offset` (not yet forgotten).
    fn line_at(&self, offset: u64) -> usize {
        self.lines_before + self.newlines.partition_point(|&at| at < offset) + 1
    }

    fn forget_before(&mut self, offset: u64) {
        let forgotten = self.newlines.partition_point(|&at| at < offset);
        self.lines_before += forgotten;
        self.newlines.drain(..forgotten);
    }
}

impl<R: BufRead> Read for LineIndex<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for LineIndex<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        // The buffer is already filled, so this does no I/O.
        if let Ok(buffered) = self.inner.fill_buf() {
            let consumed = &buffered[..amount.min(buffered.len())];
            let start = self.offset;
            self.newlines.extend(consumed.iter().enumerate().filter(|(_, &b)| b == b'\n').map(|(i, _)| start + i as u64));
        }
        self.offset += amount as u64;
        self.inner.consume(amount);
    }
}

#[cfg(test)]
mod tests {
    use crate::ingest::testing::{assert_vision_mamba, fixture, problem_lines, read_all, read_clean};
    use crate::ingest::Format;

    #[test]
    fn reads_entry_fields() {
        let read = read_clean("arxiv-api.atom", Format::ArxivAtom);
        let ids: Vec<_> = read.papers.iter().map(|p| p.arxiv_id.as_deref().unwrap()).collect();
        assert_eq!(ids, ["2401.09417", "2501.00663", "2403.03507"]);
        let vim = &read.papers[0];
        assert_vision_mamba(vim);
        assert!(vim.abstract_text.contains("significantly improved computation & memory efficiency"), "entities decoded");
        assert_eq!(vim.categories, ["cs.CV", "cs.LG"]);
        assert_eq!(vim.date.as_deref(), Some("2024-01-17"));
        assert_eq!((vim.title_line, vim.abstract_line), (14, 16));
        let titans = &read.papers[1];
        assert_eq!(titans.categories, ["cs.LG", "cs.AI", "cs.CL"]);
        assert_eq!(titans.authors, ["Ali Behrouz", "Peilin Zhong", "Vahab Mirrokni"]);
    }

    #[test]
    fn broken_entries_are_reported_and_neighbours_kept() {
        let path = fixture("arxiv-api-malformed.atom");
        let (_, read) = read_all(&path);
        let ids: Vec<_> = read.papers.iter().map(|p| p.arxiv_id.as_deref().unwrap()).collect();
        assert_eq!(ids, ["2401.09417", "2403.03507"]);
        assert_eq!(
            problem_lines(&read),
            [
                (Some(63), "malformed entry: line 67: ill-formed document: expected `</title>`, but `</titel>` was found"),
                (Some(106), "entry has no summary"),
            ]
        );
        assert!(read.problems[0].to_string().starts_with(&format!("{}:63: malformed entry", path.display())));
    }

    #[test]
    fn unrecoverable_xml_stops_the_file_but_keeps_what_was_read() {
        let (_, read) = read_all(&fixture("arxiv-api-truncated.atom"));
        assert_eq!(read.papers.len(), 1);
        assert_eq!(read.papers[0].arxiv_id.as_deref(), Some("2401.09417"));
        let problems = problem_lines(&read);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].0, Some(94));
        assert!(problems[0].1.starts_with("XML error, reading stops here (the entry at line 63 is lost): "), "{}", problems[0].1);
    }

    #[test]
    fn api_error_feeds_are_problems() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("query.xml");
        std::fs::write(
            &path,
            r#"<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="html">ArXiv Query: search_query=&amp;id_list=1234.12345&amp;start=0&amp;max_results=10</title>
  <id>http://arxiv.org/api/kvuntZ8c9a4Eq5CF7KY03nMug+Q</id>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">1</opensearch:totalResults>
  <entry>
    <id>http://arxiv.org/api/errors#incorrect_id_format_for_1234.12345</id>
    <title>Error</title>
    <summary>incorrect id format for 1234.12345</summary>
    <updated>2007-10-12T00:00:00-04:00</updated>
    <author>
      <name>arXiv api core</name>
    </author>
  </entry>
</feed>
"#,
        )
        .unwrap();
        let (_, read) = read_all(&path);
        assert!(read.papers.is_empty());
        assert_eq!(problem_lines(&read), [(Some(6), "arXiv API error: incorrect id format for 1234.12345")]);
    }

    #[test]
    fn dtd_entities_are_never_expanded_and_raw_control_characters_spoil_their_entry() {
        let entry = |id: &str, summary: &str| format!("<entry><id>http://arxiv.org/abs/{id}</id><title>T {id}</title><summary>{summary}</summary></entry>\n");
        let feed = format!(
            "<!DOCTYPE feed [\n<!ENTITY lol \"lol\">\n<!ENTITY % p SYSTEM \"file:///etc/shadow\">\n<!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n]>\n<feed>\n{}{}{}{}</feed>\n",
            entry("2401.00001", "Fine &#x1b;[0m text."),
            entry("2401.00002", "Leak &xxe;"),
            entry("2401.00003", "Bell \u{7} rings"),
            entry("2401.00004", "Laugh &lol;"),
        );
        let (_, read) = crate::ingest::testing::read_written("feed.atom", feed);
        assert_eq!(read.papers.iter().map(|p| p.abstract_text.as_str()).collect::<Vec<_>>(), ["Fine [0m text."]);
        let declared = "is declared in the document type declaration, which is not read (no entity is expanded, no external file fetched)";
        assert_eq!(
            problem_lines(&read),
            [
                (Some(8), format!("malformed entry: line 8: entity `&xxe;` {declared}").as_str()),
                (Some(9), "malformed entry: line 9: control character U+0007 in text (XML does not allow it)"),
                (Some(10), format!("malformed entry: line 10: entity `&lol;` {declared}").as_str()),
            ]
        );
    }

    #[test]
    fn documents_that_are_no_feed_or_an_empty_one_are_one_problem() {
        let html = "<!DOCTYPE html>\n<html><body><p>Service Unavailable<br></p></body></html>\n";
        let (_, read) = crate::ingest::testing::read_written("page.xml", html);
        assert_eq!(
            problem_lines(&read),
            [(Some(2), "an HTML page (root element <html>): neither an arXiv API response (Atom) nor a listing page (text)")]
        );
        let (_, read) = crate::ingest::testing::read_written("rss.xml", "<rss><channel></channel></rss>");
        assert_eq!(problem_lines(&read), [(Some(1), "the root element is <rss>, not an Atom <feed>: not an arXiv API response")]);
        let (_, read) = crate::ingest::testing::read_written("none.atom", "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>q</title></feed>");
        assert_eq!(problem_lines(&read), [(None, "the feed holds no <entry>: no papers")]);
    }

    #[test]
    fn character_references_and_cdata_are_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("feed.atom");
        let entry = "<entry><id>https://arxiv.org/abs/2312.04511v3</id><title>An LLM Compiler for Parallel Function Calling</title>\
                     <summary>OpenAI&#39;s &lt;parallel&gt; <![CDATA[function & calling]]></summary></entry>";
        std::fs::write(&path, format!("<feed>\n{entry}\n<entry><title>&nbsp;</title></entry>\n</feed>\n")).unwrap();
        let (_, read) = read_all(&path);
        assert_eq!(read.papers[0].abstract_text, "OpenAI's <parallel> function & calling");
        assert_eq!(read.papers[0].date, None);
        assert_eq!(problem_lines(&read), [(Some(3), "malformed entry: line 3: unknown entity `&nbsp;`")]);
    }
}
