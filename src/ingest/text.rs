//! Clean-up of the text and identifiers readers take from their sources.

use std::sync::LazyLock;

use regex::Regex;

/// New-style (`2403.01234`) or old-style (`math/0406594`, `math.AG/0406594`) arXiv id, with an
/// optional version.
static ARXIV_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$").unwrap()
});

/// Joins the words of `text` with single spaces: no line breaks, tabs or leading and trailing
/// white space.
pub(crate) fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut push = |word: &str| {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    };
    if text.is_ascii() {
        text.split_ascii_whitespace().for_each(&mut push); // the same words, faster
    } else {
        text.split_whitespace().for_each(&mut push);
    }
    out
}

/// `text` with whitespace collapsed, or `None` when nothing is left.
pub(crate) fn non_blank(text: Option<impl AsRef<str>>) -> Option<String> {
    text.map(|t| collapse_whitespace(t.as_ref())).filter(|t| !t.is_empty())
}

/// The first 60 characters of `text`, with `...` when it is longer.
pub(crate) fn preview(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        format!("{}...", text.chars().take(MAX).collect::<String>())
    }
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
    let what = message.rsplit_once(" at line ").map_or(message.as_str(), |(what, _)| what);
    let kind = if error.is_data() { "unexpected value" } else { "invalid JSON" };
    let start = preview(&collapse_whitespace(&String::from_utf8_lossy(json)));
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
        assert_eq!(non_blank(Some(" \n ")), None);
    }

    #[test]
    fn required_fields_name_what_is_missing() {
        assert_eq!(required([("id", Some("1".into())), ("title", None), ("abstract", None)]), Err("no title or abstract".into()));
        assert_eq!(required([("id", Some("1".into()))]), Ok(["1".to_owned()]));
    }
}
