//! Clean-up of the text and identifiers readers take from their sources.

use std::sync::LazyLock;

use regex::Regex;

/// New-style (`2403.01234`) or old-style (`math/0406594`, `math.AG/0406594`) arXiv id, with an
/// optional version.
static ARXIV_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([0-9]{4}\.[0-9]{4,5}|[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/[0-9]{7})(?:v[0-9]+)?$").unwrap()
});

/// Joins the words of `text` with single spaces: no line breaks, tabs or leading and trailing
/// white space. Characters no text field may hold (see [`is_unusable`]) separate words like
/// white space, so they never reach the graph (XML exports could not carry them).
pub(crate) fn collapse_whitespace(text: &str) -> String {
    collapse_whitespace_of([text])
}

/// The words of all `pieces`, joined with single spaces (see [`collapse_whitespace`]).
pub(crate) fn collapse_whitespace_of<'a>(pieces: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for piece in pieces {
        push_words(&mut out, piece);
    }
    out
}

/// Appends the words of `text` to `out`, each after a space unless `out` is empty.
fn push_words(out: &mut String, text: &str) {
    if !text.is_ascii() {
        for word in text.split(|c: char| c.is_whitespace() || is_unusable(c)).filter(|w| !w.is_empty()) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
        return;
    }
    // The same result, faster: ASCII white space and control characters are all <= ' ', and
    // runs of words separated by single spaces (whole lines, mostly) are copied at once.
    let is_gap = |b: u8| b <= b' ' || b == 0x7f;
    let bytes = text.as_bytes();
    out.reserve(text.len() + 1);
    let mut at = 0;
    loop {
        while at < bytes.len() && is_gap(bytes[at]) {
            at += 1;
        }
        if at == bytes.len() {
            return;
        }
        let start = at;
        loop {
            at = skip_words_and_single_spaces(bytes, at);
            while at < bytes.len() && !is_gap(bytes[at]) {
                at += 1;
            }
            if bytes.get(at) == Some(&b' ') && bytes.get(at + 1).is_some_and(|&b| !is_gap(b)) {
                at += 1;
            } else {
                break;
            }
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&text[start..at]);
    }
}

/// The first position at or after `at` where `bytes` (ASCII) holds a control character or a
/// space other than a single one between words, looked for eight bytes at a time while nine
/// bytes are left: where none is found, the position the search stopped at (the caller goes on
/// byte by byte).
fn skip_words_and_single_spaces(bytes: &[u8], mut at: usize) -> usize {
    use crate::swar::{at_least, below, load};
    // Each step reads the eight bytes from `at` and the eight from `at + 1` (what follows each).
    while at + 9 <= bytes.len() {
        let (x, next) = (load(bytes, at), load(bytes, at + 1));
        let control = below(x, b' ') | at_least(x, 0x7f);
        let next_is_gap = below(next, b' ' + 1) | at_least(next, 0x7f);
        let space = at_least(x, b' ') & below(x, b' ' + 1);
        let stop = control | (space & next_is_gap);
        if stop != 0 {
            return at + (stop.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    at
}

/// Control characters (C0, DEL, C1) and the noncharacters U+FFFE and U+FFFF: XML 1.0 cannot
/// carry them, and no title, abstract or name means them.
pub(crate) fn is_unusable(c: char) -> bool {
    c.is_control() || matches!(c, '\u{fffe}' | '\u{ffff}')
}

/// Longest title a record may have, in characters (arXiv's longest have about 300): a longer
/// one is several fields run together, or not a title at all.
pub(crate) const MAX_TITLE_CHARS: usize = 2_000;
/// Longest abstract a record may have, in characters (arXiv takes at most 1,920).
pub(crate) const MAX_ABSTRACT_CHARS: usize = 100_000;
/// Largest record a reader takes, in bytes (a JSON line, a JSON array element); a larger one is
/// skipped without being held in memory.
pub(crate) const MAX_RECORD_BYTES: usize = 4 << 20;

/// Checks a record's title and abstract (named `abstract_name` in the source) are no longer
/// than a title and an abstract can be.
pub(crate) fn check_lengths(title: &str, abstract_name: &str, abstract_text: &str) -> Result<(), String> {
    let too_long = |name: &str, text: &str, max: usize| {
        // A string has at least as many bytes as characters: most need no counting.
        let chars = if text.len() <= max { 0 } else { text.chars().count() };
        (chars > max).then(|| format!("{name} is {chars} characters long: longer than any {name} ({max} at most)"))
    };
    match too_long("title", title, MAX_TITLE_CHARS).or_else(|| too_long(abstract_name, abstract_text, MAX_ABSTRACT_CHARS)) {
        Some(message) => Err(message),
        None => Ok(()),
    }
}

/// A byte count for messages: `52.4 MB`.
pub(crate) fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// Invisible formatting characters: soft hyphen, zero-width spaces and joiners, bidirectional
/// marks, embeddings, overrides and isolates, word joiners, the byte-order mark. Fine in text,
/// but no URL may hold them (RFC 3987 forbids the bidirectional ones: they make a link read
/// differently from where it goes).
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// Why `url` cannot name a repository or page, if it cannot: a scheme other than `http(s)`
/// (`git@github.com:a/b.git`, `javascript:`), or a character no IRI may hold (white space,
/// control and invisible characters, `<>"{}|\^` and the backquote).
pub(crate) fn url_problem(url: &str) -> Option<String> {
    if let Some(c) = url.chars().find(|&c| c.is_whitespace() || is_unusable(c) || is_invisible(c) || "<>\"{}|\\^`".contains(c)) {
        return Some(match c {
            ' ' => "it holds a space".to_owned(),
            c if c.is_ascii_graphic() => format!("it holds `{c}`"),
            c => format!("it holds U+{:04X}", u32::from(c)),
        });
    }
    let scheme = match url.split_once("://") {
        Some((scheme, _)) => Some(scheme),
        // `host/path` is fine; `name:...` before any `/` is another scheme or an SSH address.
        None => url.split('/').next().and_then(|first| first.split_once(':')).map(|(scheme, _)| scheme),
    };
    if let Some(scheme) = scheme.filter(|s| !s.eq_ignore_ascii_case("http") && !s.eq_ignore_ascii_case("https")) {
        return Some(match scheme.contains('@') {
            true => "an SSH address, not an http(s) URL".to_owned(),
            false => format!("a `{}:` URL, not http(s)", preview(scheme)),
        });
    }
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    (!host.contains('.') || host.ends_with('.')).then(|| format!("no host name (\"{}\")", preview(host)))
}

/// `text` with whitespace collapsed, or `None` when nothing is left.
pub(crate) fn non_blank(text: Option<impl AsRef<str>>) -> Option<String> {
    text.map(|t| collapse_whitespace(t.as_ref())).filter(|t| !t.is_empty())
}

/// The first 60 characters of `text`, with `...` when it is longer, for messages: white space
/// collapsed, control and invisible formatting characters shown escaped (a bidirectional
/// override would turn the rest of the line around), a run of one as one (`\u{0}×4096`).
pub(crate) fn preview(text: &str) -> String {
    const MAX: usize = 60;
    let words = text.split(char::is_whitespace).filter(|w| !w.is_empty());
    let mut chars = words.enumerate().flat_map(|(i, word)| (i > 0).then_some(' ').into_iter().chain(word.chars())).peekable();
    let mut out = String::new();
    let mut shown = 0;
    while let Some(c) = chars.next() {
        if shown == MAX {
            out.push_str("...");
            break;
        }
        if is_unusable(c) || is_invisible(c) || c == char::REPLACEMENT_CHARACTER {
            let mut run = 1;
            while chars.next_if_eq(&c).is_some() {
                run += 1;
            }
            match c {
                char::REPLACEMENT_CHARACTER => out.push(c),
                c => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            }
            if run > 1 {
                out.push_str(&format!("×{run}"));
            }
        } else {
            out.push(c);
        }
        shown += 1;
    }
    out
}

/// The arXiv id in `raw` without version: accepts a bare id, `arXiv:<id>` and
/// `http(s)://arxiv.org/abs/<id>`. `None` when `raw` is not an arXiv id.
pub(crate) fn arxiv_id(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let bare = ["https://arxiv.org/abs/", "http://arxiv.org/abs/", "arXiv:", "arxiv:"]
        .iter()
        .find_map(|prefix| raw.strip_prefix(prefix))
        .unwrap_or(raw);
    ARXIV_ID.captures(bare).map(|c| c[1].to_owned())
}

/// The `YYYY-MM-DD` date `raw` starts with (`2024-03-02T17:21:03Z` → `2024-03-02`).
pub(crate) fn iso_date(raw: &str) -> Option<String> {
    let date = raw.trim().get(..10)?;
    let shaped = date.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    shaped.then(|| date.to_owned())
}

/// `items` without repeats, in first-seen order.
pub(crate) fn unique(items: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// The values of a record's required fields, or a message naming the missing ones
/// (`no title or abstract`).
pub(crate) fn required<const N: usize>(fields: [(&str, Option<String>); N]) -> Result<[String; N], String> {
    let missing: Vec<&str> = fields.iter().filter(|(_, value)| value.is_none()).map(|(name, _)| *name).collect();
    if !missing.is_empty() {
        return Err(format!("no {}", missing.join(" or ")));
    }
    Ok(fields.map(|(_, value)| value.unwrap_or_default()))
}

/// What is wrong with `json`, a record that starts on `first_line`, and where (the column when
/// that is on the record's first line, else the file line and column), then how the record
/// starts.
pub(crate) fn json_error(error: &serde_json::Error, first_line: usize, json: &[u8]) -> String {
    let message = error.to_string();
    let mut what = message.rsplit_once(" at line ").map_or(message.as_str(), |(what, _)| what).to_owned();
    if what == "trailing characters" && error.line() == 1 {
        // Two records on one line, a comma left from an array, garbage: say which.
        let trailing = json.get(error.column().saturating_sub(1)..).unwrap_or_default();
        what = format!("trailing characters after the record (\"{}\")", preview(&String::from_utf8_lossy(trailing)));
    }
    let kind = if error.is_data() { "unexpected value" } else { "invalid JSON" };
    let start = preview(&String::from_utf8_lossy(json));
    match error.line() {
        1 => format!("{kind} at column {}: {what}: {start}", error.column()),
        line => format!("{kind} at line {}, column {}: {what}: {start}", first_line + line - 1, error.column()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arxiv_ids_lose_prefixes_and_versions() {
        assert_eq!(arxiv_id("2403.01234").as_deref(), Some("2403.01234"));
        assert_eq!(arxiv_id(" 1906.04567v2 ").as_deref(), Some("1906.04567"));
        assert_eq!(arxiv_id("http://arxiv.org/abs/2401.09417v1").as_deref(), Some("2401.09417"));
        assert_eq!(arxiv_id("arXiv:0704.0001").as_deref(), Some("0704.0001"));
        assert_eq!(arxiv_id("math/0406594v3").as_deref(), Some("math/0406594"));
        assert_eq!(arxiv_id("math.AG/0406594").as_deref(), Some("math.AG/0406594"));
        assert_eq!(arxiv_id("hep-th/9901001").as_deref(), Some("hep-th/9901001"));
        assert_eq!(arxiv_id("http://arxiv.org/api/errors#incorrect_id_format_for_1234"), None);
        assert_eq!(arxiv_id("not an id"), None);
    }

    #[test]
    fn dates_and_whitespace() {
        assert_eq!(iso_date("2024-03-02T17:21:03Z").as_deref(), Some("2024-03-02"));
        assert_eq!(iso_date("2008-11-13").as_deref(), Some("2008-11-13"));
        assert_eq!(iso_date("Mon, 2 Apr 2007"), None);
        assert_eq!(collapse_whitespace("  Vision\n  Mamba:\tEfficient  "), "Vision Mamba: Efficient");
        assert_eq!(collapse_whitespace("a b  c \n d\ne f ."), "a b c d e f .");
        assert_eq!(collapse_whitespace_of([" John ", "", "Smith\n", " Jr", "\u{e9}  x "]), "John Smith Jr \u{e9} x");
        assert_eq!(collapse_whitespace(" \n\t "), "");
        assert_eq!(non_blank(Some(" \n ")), None);
    }

    #[test]
    fn ascii_white_space_collapses_as_character_by_character() {
        // Gaps of every kind in every position of an eight-byte step, words of every length.
        for text in crate::model::test_texts(b"ab .  \n\t\r\x00\x1f\x7f!~", 60, 30) {
            let words: Vec<&str> = text.split(|c: char| c.is_whitespace() || is_unusable(c)).filter(|w| !w.is_empty()).collect();
            assert_eq!(collapse_whitespace(&text), words.join(" "), "{text:?}");
            assert_eq!(collapse_whitespace_of(["x", &text]), ["x"].into_iter().chain(words.iter().copied()).collect::<Vec<_>>().join(" "));
        }
    }

    #[test]
    fn unusable_characters_separate_words_and_show_escaped_in_previews() {
        assert_eq!(collapse_whitespace("\u{1b}[1mKV\u{0}cache\u{7f} \u{85}x\u{fffe}"), "[1mKV cache x");
        assert_eq!(collapse_whitespace("\u{1b}[1mKV\u{0}cache\u{7f}\r\n x\u{1f}"), "[1mKV cache x", "the same in ASCII text");
        assert_eq!(collapse_whitespace("Caf\u{e9}\u{1}\u{9f}au lait \u{ffff}"), "Caf\u{e9} au lait");
        assert_eq!(collapse_whitespace("\u{202b}\u{5e9}\u{5dc}\u{5d5}\u{5dd}\u{202c} \u{1f600}"), "\u{202b}\u{5e9}\u{5dc}\u{5d5}\u{5dd}\u{202c} \u{1f600}", "RTL marks and emoji are text");
        assert_eq!(preview(&"\u{0}".repeat(4096)), "\\u{0}×4096");
        assert_eq!(preview("{\"id\": 1}\u{1}\u{1} x\n\ty"), "{\"id\": 1}\\u{1}×2 x y");
        assert_eq!(preview(&"a".repeat(61)), format!("{}...", "a".repeat(60)));
        assert_eq!(preview(&"\u{fffd}".repeat(3)), "\u{fffd}×3");
        assert_eq!(preview("lab/\u{202e}gnp.exe"), "lab/\\u{202e}gnp.exe");
    }

    #[test]
    fn titles_and_abstracts_have_a_largest_length() {
        assert_eq!(check_lengths("A title", "abstract", "An abstract."), Ok(()));
        assert_eq!(check_lengths(&"é".repeat(MAX_TITLE_CHARS), "abstract", ""), Ok(()), "characters, not bytes");
        assert_eq!(
            check_lengths(&"x".repeat(100_000), "abstract", ""),
            Err("title is 100000 characters long: longer than any title (2000 at most)".into())
        );
        assert_eq!(
            check_lengths("T", "summary", &"y".repeat(MAX_ABSTRACT_CHARS + 1)),
            Err("summary is 100001 characters long: longer than any summary (100000 at most)".into())
        );
    }

    #[test]
    fn urls_that_cannot_be_iris_say_why() {
        assert_eq!(url_problem("https://github.com/hustvl/Vim"), None);
        assert_eq!(url_problem("github.com/hustvl/Vim"), None);
        assert_eq!(url_problem("HTTP://gitee.com/a/b?x=1#y"), None);
        assert_eq!(url_problem("https://github.com/a b/c").as_deref(), Some("it holds a space"));
        assert_eq!(url_problem("https://github.com/a/b>").as_deref(), Some("it holds `>`"));
        assert_eq!(url_problem("https://github.com/a/b|c").as_deref(), Some("it holds `|`"));
        assert_eq!(url_problem("https://github.com/a/\u{1}b").as_deref(), Some("it holds U+0001"));
        assert_eq!(url_problem("https://github.com/a/\u{202e}b").as_deref(), Some("it holds U+202E"));
        assert_eq!(url_problem("https://github.com/a/\u{200b}b").as_deref(), Some("it holds U+200B"));
        assert_eq!(url_problem("javascript:alert(1)").as_deref(), Some("a `javascript:` URL, not http(s)"));
        assert_eq!(url_problem("ftp://example.org/x").as_deref(), Some("a `ftp:` URL, not http(s)"));
        assert_eq!(url_problem("git@github.com:lab/tool.git").as_deref(), Some("an SSH address, not an http(s) URL"));
        assert_eq!(url_problem("https://localhost/x").as_deref(), Some("no host name (\"localhost\")"));
        assert_eq!(url_problem("not-a-url").as_deref(), Some("no host name (\"not-a-url\")"));
    }

    #[test]
    fn required_fields_name_what_is_missing() {
        assert_eq!(required([("id", Some("1".into())), ("title", None), ("abstract", None)]), Err("no title or abstract".into()));
        assert_eq!(required([("id", Some("1".into()))]), Ok(["1".to_owned()]));
    }
}
