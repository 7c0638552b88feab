//! Opening an input file: transparent gzip, format recognition, progress counting.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use flate2::bufread::MultiGzDecoder;

use super::text::{megabytes, preview};
use super::listing::parse_listing_as;
use super::{arxiv_atom, arxiv_json, format_extension, pwc, ready, Format, Opened, Part, Problem, Records, STDIN};
use crate::model::{Listing, Record};

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const UTF8_BOM: &[u8] = b"\xef\xbb\xbf";
/// Largest listing page read (pages are read whole; the bundled ones are about 100 kB).
const MAX_LISTING_BYTES: u64 = 256 << 20;
/// Bytes looked at past the first non-white-space byte to recognize a format.
const SNIFF_LEN: usize = 64;
/// Leading white space read at most while looking for the first byte that says something.
const MAX_LEADING_SPACE: usize = 1 << 20;

/// What the start of a file's content says it is.
enum Shape {
    Text,
    JsonLines,
    JsonArray,
    Xml,
}

/// Opens `path` for streaming its records. Gzip is decompressed, recognized by its magic bytes
/// whatever the name. The format is recognized by content: `{` starts arXiv JSON lines, `[` a
/// Papers-with-Code array (papers or links by the keys of its first elements), `<` an Atom
/// feed. Other text is a listing page unless the name (`*.jsonl`, `*.json`, `*.xml`, `*.atom`,
/// optionally `.gz`) promises one of the others, which is then a problem; so is content of no
/// known format.
pub fn open(path: &Path) -> Result<Opened, Problem> {
    open_part(path, None)
}

/// Like [`open`], and `-` is standard input. With a `part`, the input is a part of a bigger
/// file: its listing takes the part's name and its JSON lines are numbered from the part's
/// first line, so parts read separately give the same records as the whole file.
pub fn open_part(path: &Path, part: Option<&Part>) -> Result<Opened, Problem> {
    let cannot_read = |e: io::Error| Problem::new(path, None, format!("cannot read file: {e}"));
    let (input, size): (Box<dyn Read + Send>, u64) = if path == Path::new(STDIN) {
        (Box::new(io::stdin()), 0)
    } else {
        let file = File::open(path).map_err(cannot_read)?;
        let size = file.metadata().map_err(cannot_read)?.len();
        (Box::new(file), size)
    };
    let bytes_read = Arc::new(AtomicU64::new(0));
    let mut raw = BufReader::new(Counted { inner: input, count: bytes_read.clone() });
    let gzipped = raw.fill_buf().map_err(cannot_read)?.starts_with(&GZIP_MAGIC);
    let mut content: Box<dyn BufRead + Send> = if gzipped { Box::new(BufReader::new(MultiGzDecoder::new(raw))) } else { Box::new(raw) };
    let cannot_decompress = |e: io::Error| match gzipped {
        true => Problem::new(path, None, format!("cannot decompress (gzip): {e}")),
        false => cannot_read(e),
    };
    if let Some(big_endian) = utf16_bom(content.fill_buf().map_err(cannot_decompress)?) {
        content.consume(2);
        content = Box::new(BufReader::new(Utf16 { inner: content, big_endian, carry: Vec::new(), out: Vec::new(), at: 0 }));
    }
    let head = read_head(&mut content).map_err(cannot_decompress)?;
    // A part is cut from JSON lines (nothing else splits by line), whatever its first line says.
    let shape = if part.is_some() { Shape::JsonLines } else { recognize(path, &head)? };
    let input = Cursor::new(head).chain(content);
    let mut listing = Listing::new(path);
    if let Some(part) = part {
        // Problems name the whole file: their line numbers are its.
        listing.path = PathBuf::from(&part.name);
        listing.name.clone_from(&part.name);
        listing.first_line = part.first_line;
    }
    let listing = Arc::new(listing);
    let (format, records) = match shape {
        Shape::Text => (Format::Listing, ready(listing_records((*listing).clone(), input).map_err(cannot_read)?)),
        Shape::JsonLines => (Format::ArxivJsonl, arxiv_json::records(listing, input)),
        Shape::Xml => (Format::ArxivAtom, ready(arxiv_atom::records(listing, input))),
        Shape::JsonArray => pwc::records(listing, input).map(|(format, records)| (format, ready(records)))?,
    };
    Ok(Opened { format, records, bytes_read, size })
}

/// A file's content, decompressed when it is gzipped (recognized by its magic bytes, as
/// [`open`] does): for quad files (`papergraph load`, `push`), which need no format sniffing.
pub fn open_decompressed(path: &Path) -> io::Result<Box<dyn Read + Send>> {
    let mut input = BufReader::new(File::open(path)?);
    let gzipped = input.fill_buf()?.starts_with(&GZIP_MAGIC);
    Ok(if gzipped { Box::new(BufReader::new(MultiGzDecoder::new(input))) } else { Box::new(input) })
}

/// Reads the start of `input`, past any byte-order mark: up to `SNIFF_LEN` bytes beyond its
/// first non-white-space byte, or all of it when shorter.
fn read_head(input: &mut impl BufRead) -> io::Result<Vec<u8>> {
    if input.fill_buf()?.starts_with(UTF8_BOM) {
        input.consume(UTF8_BOM.len());
    }
    let mut head = Vec::new();
    loop {
        let enough = match head.iter().position(|b: &u8| !b.is_ascii_whitespace()) {
            Some(start) => head.len() >= start + SNIFF_LEN,
            None => head.len() >= MAX_LEADING_SPACE,
        };
        if enough || input.by_ref().take(SNIFF_LEN as u64).read_to_end(&mut head)? == 0 {
            return Ok(head);
        }
    }
}

/// See [`open`]; `*.txt` files that do not start like another format always go to the listing
/// reader, which reports empty and binary pages.
fn recognize(path: &Path, head: &[u8]) -> Result<Shape, Problem> {
    let first = head.iter().find(|b| !b.is_ascii_whitespace());
    match first {
        Some(b'{') => return Ok(Shape::JsonLines),
        Some(b'[') => return Ok(Shape::JsonArray),
        Some(b'<') => return Ok(Shape::Xml),
        _ => {}
    }
    let extension = format_extension(path);
    let expected = match extension.as_deref() {
        Some("txt") => return Ok(Shape::Text),
        Some("jsonl") => "JSON lines (a `{` object a line)",
        Some("json") => "a JSON array (`[`)",
        Some("xml" | "atom") => "an Atom feed (`<`)",
        _ if first.is_some() && is_text(head) => return Ok(Shape::Text),
        _ => {
            return Err(Problem::new(
                path,
                None,
                format!(
                    "unrecognized content: {}; expected a listing page, arXiv JSON lines, an arXiv Atom feed \
                     or a Papers-with-Code JSON array",
                    describe(head)
                ),
            ))
        }
    };
    let extension = extension.unwrap_or_default();
    Err(Problem::new(path, None, format!("a .{extension} file should hold {expected}, but this one holds {}", describe(head))))
}

/// UTF-8 without control bytes other than white space (a character cut at the end is fine).
fn is_text(head: &[u8]) -> bool {
    let valid = match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    };
    valid && !head.iter().any(|&b| b.is_ascii_control() && !b.is_ascii_whitespace())
}

fn describe(head: &[u8]) -> String {
    if head.is_empty() {
        "nothing (empty file)".into()
    } else if head.iter().all(u8::is_ascii_whitespace) {
        "only white space".into()
    } else if is_text(head) {
        format!("text starting \"{}\"", preview(&String::from_utf8_lossy(head)))
    } else {
        let bytes: Vec<String> = head.iter().take(8).map(|b| format!("{b:02x}")).collect();
        let (what, advice) = COMPRESSED
            .iter()
            .find(|(magic, _, _)| head.starts_with(magic))
            .map_or(("binary data", ""), |(_, what, advice)| (*what, *advice));
        format!("{what} (starting {}){advice}", bytes.join(" "))
    }
}

/// Magic bytes of archives and compressed files papergraph does not open, what they are, and
/// what to do (gzip, already decompressed, here means it was compressed twice).
const COMPRESSED: [(&[u8], &str, &str); 6] = [
    (&GZIP_MAGIC, "gzip data inside gzip", ": the file is compressed twice"),
    (b"PK\x03\x04", "a zip archive", ": unzip it first"),
    (b"\xfd7zXZ\x00", "xz-compressed data", ": decompress it, or compress it with gzip"),
    (b"BZh", "bzip2-compressed data", ": decompress it, or compress it with gzip"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data", ": decompress it, or compress it with gzip"),
    (b"%PDF-", "a PDF document", ""),
];

/// The byte order a UTF-16 byte-order mark at the start of `bytes` announces: `Some(true)` for
/// big-endian.
fn utf16_bom(bytes: &[u8]) -> Option<bool> {
    match bytes.get(..2)? {
        [0xff, 0xfe] => Some(false),
        [0xfe, 0xff] => Some(true),
        _ => None,
    }
}

/// UTF-16 text (past its byte-order mark) re-encoded as UTF-8, so every reader takes it: lines
/// stay where they were (columns count UTF-8 bytes). Unpaired surrogates become U+FFFD.
struct Utf16<R> {
    inner: R,
    big_endian: bool,
    /// Bytes read but not yet decoded: half a code unit, or a high surrogate waiting for its pair.
    carry: Vec<u8>,
    /// Decoded UTF-8 not yet handed out, from `at`.
    out: Vec<u8>,
    at: usize,
}

impl<R: Read> Read for Utf16<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.out.len() {
            self.out.clear();
            self.at = 0;
            let mut raw = [0u8; 8192];
            let n = self.inner.read(&mut raw)?;
            if n == 0 {
                if self.carry.is_empty() {
                    return Ok(0);
                }
                self.carry.clear(); // a cut unit or a lone high surrogate at the end
                self.out.extend_from_slice("\u{fffd}".as_bytes());
                break;
            }
            self.carry.extend_from_slice(&raw[..n]);
            let unit = |pair: &[u8]| {
                let pair = [pair[0], pair[1]];
                if self.big_endian { u16::from_be_bytes(pair) } else { u16::from_le_bytes(pair) }
            };
            let mut units: Vec<u16> = self.carry.chunks_exact(2).map(unit).collect();
            let mut decoded = units.len() * 2;
            if units.last().is_some_and(|u| (0xd800..0xdc00).contains(u)) {
                units.pop(); // its pair comes with the next read
                decoded -= 2;
            }
            for c in char::decode_utf16(units) {
                self.out.extend_from_slice(c.unwrap_or(char::REPLACEMENT_CHARACTER).encode_utf8(&mut [0; 4]).as_bytes());
            }
            self.carry.drain(..decoded);
        }
        let n = buf.len().min(self.out.len() - self.at);
        buf[..n].copy_from_slice(&self.out[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// A listing page is small: it is read whole and its papers and problems come in line order.
fn listing_records(listing: Listing, input: impl Read) -> io::Result<Records> {
    let path = &listing.path.clone();
    let mut bytes = Vec::new();
    input.take(MAX_LISTING_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_LISTING_BYTES {
        let message = format!("more than {} of text: too big for a listing page; not read", megabytes(MAX_LISTING_BYTES));
        return Ok(Box::new(std::iter::once(Err(Problem::new(path, None, message)))));
    }
    let page = parse_listing_as(listing, &bytes);
    let papers = page.papers.into_iter().map(|p| (p.title_line, Ok(Record::Paper(p))));
    let problems = page.problems.into_iter().map(|p| (p.line.unwrap_or(0), Err(p)));
    let mut records: Vec<_> = papers.chain(problems).collect();
    records.sort_by_key(|(line, _)| *line);
    Ok(Box::new(records.into_iter().map(|(_, record)| record)))
}

/// Counts the bytes read through it, for progress reports.
struct Counted<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::atomic::Ordering;

    use flate2::write::GzEncoder;
    use flate2::Compression;

    use super::*;
    use crate::ingest::testing::{fixture, read_all};
    use crate::ingest::{input_files, read_inputs};

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    fn titles(read: &crate::ingest::Ingested) -> Vec<(&str, usize)> {
        read.papers.iter().map(|p| (p.title.as_str(), p.title_line)).collect()
    }

    #[test]
    fn gzip_is_recognized_by_content_and_read_like_the_plain_file() {
        let dir = tempfile::tempdir().unwrap();
        for (name, format) in [
            ("arxiv-snapshot-malformed.jsonl", Format::ArxivJsonl),
            ("arxiv-api.atom", Format::ArxivAtom),
            ("pwc-papers.json", Format::PwcPapers),
        ] {
            let plain = std::fs::read(fixture(name)).unwrap();
            let compressed = dir.path().join(format!("{name}-compressed"));
            std::fs::write(&compressed, gzip(&plain)).unwrap();

            let (plain_format, plain_read) = read_all(&fixture(name));
            let (gz_format, gz_read) = read_all(&compressed);
            assert_eq!((plain_format, gz_format), (format, format));
            assert!(!gz_read.papers.is_empty());
            assert_eq!(titles(&gz_read), titles(&plain_read));
            let lines = |read: &crate::ingest::Ingested| read.problems.iter().map(|p| (p.line, p.message.clone())).collect::<Vec<_>>();
            assert_eq!(lines(&gz_read), lines(&plain_read));
        }
    }

    #[test]
    fn a_cut_gzip_stream_keeps_the_records_before_the_cut() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("snapshot.jsonl.gz");
        let compressed = gzip(&std::fs::read(fixture("arxiv-snapshot.jsonl")).unwrap());
        std::fs::write(&path, &compressed[..compressed.len() * 2 / 3]).unwrap();
        let (_, read) = read_all(&path);
        assert!(!read.papers.is_empty() && read.papers.len() < 5, "{}", read.papers.len());
        assert_eq!(read.problems.len(), 1);
        assert!(read.problems[0].message.starts_with("cannot read further: "), "{}", read.problems[0]);
    }

    #[test]
    fn bytes_read_reaches_the_size_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("snapshot.jsonl.gz");
        std::fs::write(&path, gzip(&std::fs::read(fixture("arxiv-snapshot.jsonl")).unwrap())).unwrap();
        for path in [fixture("arxiv-snapshot.jsonl"), path] {
            let opened = open(&path).unwrap();
            assert_eq!(opened.size, std::fs::metadata(&path).unwrap().len());
            assert!(opened.bytes_read.load(Ordering::Relaxed) <= opened.size);
            assert_eq!(opened.records.count(), 5);
            assert_eq!(opened.bytes_read.load(Ordering::Relaxed), opened.size);
        }
    }

    #[test]
    fn content_wins_over_a_misleading_extension() {
        let dir = tempfile::tempdir().unwrap();
        for (fixture_name, misleading, format) in [
            ("arxiv-snapshot.jsonl", "snapshot.txt", Format::ArxivJsonl),
            ("arxiv-api.atom", "feed.json", Format::ArxivAtom),
            ("pwc-links.json", "links.xml", Format::PwcLinks),
        ] {
            let path = dir.path().join(misleading);
            std::fs::copy(fixture(fixture_name), &path).unwrap();
            assert_eq!(open(&path).map(|o| o.format).map_err(|p| p.to_string()), Ok(format), "{misleading}");
        }
        let page = dir.path().join("page");
        std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/listings/000_ddb558801fc4f367.txt"), &page).unwrap();
        assert_eq!(open(&page).map(|o| o.format).ok(), Some(Format::Listing), "text without an extension is a listing page");
    }

    #[test]
    fn unknown_content_is_a_clear_problem() {
        let dir = tempfile::tempdir().unwrap();
        let cases: [(&str, &[u8], &str); 4] = [
            (
                "image.png",
                &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0],
                "unrecognized content: binary data (starting 89 50 4e 47 0d 0a 1a 0a); expected a listing page, \
                 arXiv JSON lines, an arXiv Atom feed or a Papers-with-Code JSON array",
            ),
            ("notes.json", b"id,title\n2401.09417,Vision Mamba\n", "a .json file should hold a JSON array (`[`), but this one holds text starting \"id,title 2401.09417,Vision Mamba\""),
            ("empty.jsonl.gz", &gzip(b""), "a .jsonl file should hold JSON lines (a `{` object a line), but this one holds nothing (empty file)"),
            ("feed.atom", b"Error 503: Service Unavailable", "a .atom file should hold an Atom feed (`<`), but this one holds text starting \"Error 503: Service Unavailable\""),
        ];
        for (name, bytes, message) in cases {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            let problem = open(&path).err().unwrap_or_else(|| panic!("{name} opened"));
            assert_eq!(problem.to_string(), format!("{}: {message}", path.display()));
        }
        let missing = open(&dir.path().join("missing.jsonl")).err().unwrap();
        assert!(missing.message.starts_with("cannot read file: "), "{missing}");
    }

    #[test]
    fn utf16_with_a_byte_order_mark_reads_like_utf8() {
        let dir = tempfile::tempdir().unwrap();
        let text = std::fs::read_to_string(fixture("arxiv-snapshot-malformed.jsonl")).unwrap();
        let utf16 = |big_endian: bool| -> Vec<u8> {
            let units = "\u{feff}".encode_utf16().chain(text.encode_utf16());
            units.flat_map(|u| if big_endian { u.to_be_bytes() } else { u.to_le_bytes() }).collect()
        };
        let (_, plain) = read_all(&fixture("arxiv-snapshot-malformed.jsonl"));
        for (name, bytes) in [("le.jsonl", utf16(false)), ("be.jsonl", utf16(true)), ("le.jsonl.gz", gzip(&utf16(false)))] {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            let (format, read) = read_all(&path);
            assert_eq!(format, Format::ArxivJsonl, "{name}");
            assert_eq!(titles(&read), titles(&plain), "{name}");
            assert_eq!(read.problems.iter().map(|p| (p.line, p.message.clone())).collect::<Vec<_>>(), plain.problems.iter().map(|p| (p.line, p.message.clone())).collect::<Vec<_>>());
        }
    }

    #[test]
    fn utf16_surrogate_pairs_survive_any_read_boundary() {
        /// Hands out one byte per read.
        struct Trickle(Vec<u8>, usize);
        impl Read for Trickle {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let Some(&b) = self.0.get(self.1) else { return Ok(0) };
                buf[0] = b;
                self.1 += 1;
                Ok(1)
            }
        }
        let text = "Mamba \u{1f40d} and \u{5e9}\u{5dc}\u{5d5}\u{5dd}";
        let bytes: Vec<u8> = text.encode_utf16().chain([0xd800]).flat_map(u16::to_le_bytes).collect();
        let mut decoded = String::new();
        Utf16 { inner: Trickle(bytes, 0), big_endian: false, carry: Vec::new(), out: Vec::new(), at: 0 }.read_to_string(&mut decoded).unwrap();
        assert_eq!(decoded, format!("{text}\u{fffd}"), "a lone surrogate at the end becomes U+FFFD");
    }

    #[test]
    fn archives_and_other_compressions_are_named() {
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes, what) in [
            ("a.json", &b"PK\x03\x04\x14\x00\x00\x00"[..], "a zip archive (starting 50 4b 03 04 14 00 00 00): unzip it first"),
            ("a.jsonl", b"\xfd7zXZ\x00\x00\x04", "xz-compressed data (starting fd 37 7a 58 5a 00 00 04): decompress it, or compress it with gzip"),
            ("a.jsonl.gz", &gzip(&gzip(b"{}")), "gzip data inside gzip (starting 1f 8b 08 00 00 00 00 00): the file is compressed twice"),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            let problem = open(&path).err().unwrap().to_string();
            assert!(problem.ends_with(&format!("but this one holds {what}")), "{problem}");
        }
        let cut = dir.path().join("cut.jsonl.gz");
        std::fs::write(&cut, &gzip(b"{}")[..6]).unwrap();
        assert!(open(&cut).err().unwrap().message.starts_with("cannot decompress (gzip): "));
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_link_loops_are_read_once_and_reported() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("inputs");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::copy(fixture("arxiv-snapshot.jsonl"), root.join("sub/snapshot.jsonl")).unwrap();
        std::os::unix::fs::symlink(".", root.join("again")).unwrap();
        std::os::unix::fs::symlink("..", root.join("sub/up")).unwrap();
        let (files, problems) = input_files(std::slice::from_ref(&root));
        assert_eq!(files, [root.join("sub/snapshot.jsonl")]);
        let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
        let again = |path: &str| format!("{}: the same directory as {}, reached again through a symbolic link: not read twice", root.join(path).display(), root.display());
        assert_eq!(problems, [again("again"), again("sub/up")]);
    }

    #[cfg(unix)]
    #[test]
    fn an_unlistable_subdirectory_costs_only_itself() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(fixture("arxiv-snapshot.jsonl"), dir.path().join("snapshot.jsonl")).unwrap();
        let locked = dir.path().join("locked");
        std::fs::create_dir(&locked).unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
        if std::fs::read_dir(&locked).is_ok() {
            return; // root lists anything: nothing to test here
        }
        let (files, problems) = input_files(&[dir.path().to_path_buf()]);
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(files, [dir.path().join("snapshot.jsonl")]);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].to_string().starts_with(&format!("{}: cannot list directory: ", locked.display())), "{}", problems[0]);
    }

    #[test]
    fn directories_are_read_in_name_order_with_every_format() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("b-nested");
        std::fs::create_dir(&nested).unwrap();
        std::fs::write(nested.join("snapshot.jsonl.gz"), gzip(&std::fs::read(fixture("arxiv-snapshot.jsonl")).unwrap())).unwrap();
        std::fs::copy(fixture("pwc-links.json"), dir.path().join("a-links.json")).unwrap();
        std::fs::copy(fixture("arxiv-api.atom"), dir.path().join("c-api.atom")).unwrap();
        std::fs::write(dir.path().join("notes.md"), "not an input").unwrap();

        let (files, problems) = input_files(&[dir.path().to_path_buf(), dir.path().join("missing")]);
        let names: Vec<_> = files.iter().map(|f| f.strip_prefix(dir.path()).unwrap().to_str().unwrap()).collect();
        assert_eq!(names, ["a-links.json", "b-nested/snapshot.jsonl.gz", "c-api.atom"]);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.starts_with("cannot read input: "));

        let read = read_inputs(&[dir.path().to_path_buf()]);
        assert_eq!((read.papers.len(), read.code_links.len(), read.files_read), (8, 4, 3));
        assert!(read.problems.is_empty(), "{:?}", read.problems);
    }
}
