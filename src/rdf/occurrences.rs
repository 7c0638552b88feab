//! The compact provenance literal: every occurrence of every fact one source gave a paper, as
//! one `rdf:JSON` value on the paper (`pg:occurrences`):
//!
//! ```json
//! {"source":"trending.txt","facts":[["schema:mentions","concept:kv-cache","concept-matcher",
//!   [[0.95,12,"abstract",40,48,"KV cache"],[0.85,11,"title",0,8,"KV-Cache"]]]]}
//! ```
//!
//! A fact is `[predicate, object, extractor, occurrences]`; an occurrence is `[confidence, line,
//! field, start, end, matched text]` (`start` / `end`: character offsets in the field; field ""
//! for facts read from a record rather than a text, such as Papers-with-Code links). IRIs are
//! shortened with the prefixes `pgid:`, `concept:`, `dataset:`, `pg:`, `schema:` and `rdfs:`.

use serde::Deserialize;

use super::vocab::{CONCEPT, DATASET, ID_BASE, PG, RDFS, SCHEMA};
use crate::model::Field;

/// Prefixes that shorten IRIs inside the literal.
const PREFIXES: [(&str, &str); 6] = [("pgid", ID_BASE), ("concept", CONCEPT), ("dataset", DATASET), ("pg", PG), ("schema", SCHEMA), ("rdfs", RDFS)];

/// One occurrence of a fact, as written or read.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry<'a> {
    pub predicate: &'a str,
    pub object: &'a str,
    pub extractor: &'a str,
    pub confidence: f64,
    /// Line of the source file holding the field (or the record).
    pub line: usize,
    /// `None` for facts read from a record rather than found in a text.
    pub field: Option<Field>,
    pub start: usize,
    pub end: usize,
    pub text: &'a str,
}

/// `[confidence, line, field, start, end, text]`.
type Stored = (f64, usize, String, usize, usize, String);

/// The literal as read back.
#[derive(Deserialize)]
struct Record {
    source: String,
    facts: Vec<(String, String, String, Vec<Stored>)>,
}

/// The literal's JSON for the occurrences one source (`source`: a listing's file name) gave a
/// paper. Occurrences of the same fact and extractor are grouped, in order of first appearance.
///
/// Written by hand (this runs for every paper of a build), the same bytes `serde_json` writes
/// for a [`Record`]: IRIs, which hold no character JSON escapes, are copied, and so are other
/// strings holding none; numbers are written as `serde_json` writes them.
pub fn to_json<'a>(source: &str, entries: impl IntoIterator<Item = Entry<'a>>) -> String {
    let mut facts: Vec<((&str, &str, &str), Vec<Entry<'a>>)> = Vec::new();
    for e in entries {
        let key = (e.predicate, e.object, e.extractor);
        match facts.iter_mut().find(|(k, _)| *k == key) {
            Some((_, found)) => found.push(e),
            None => facts.push((key, vec![e])),
        }
    }
    let mut out = Vec::with_capacity(128 + 96 * facts.len());
    out.extend_from_slice(b"{\"source\":");
    write_string(&mut out, source);
    out.extend_from_slice(b",\"facts\":[");
    let mut integers = itoa::Buffer::new();
    for (i, ((predicate, object, extractor), found)) in facts.iter().enumerate() {
        out.extend_from_slice(if i == 0 { b"[" } else { b",[" });
        write_compact(&mut out, predicate);
        out.push(b',');
        write_compact(&mut out, object);
        out.push(b',');
        write_string(&mut out, extractor);
        out.extend_from_slice(b",[");
        for (j, e) in found.iter().enumerate() {
            out.extend_from_slice(if j == 0 { b"[" } else { b",[" });
            write_confidence(&mut out, e.confidence);
            out.push(b',');
            out.extend_from_slice(integers.format(e.line).as_bytes());
            out.push(b',');
            write_string(&mut out, e.field.map_or("", Field::as_str));
            for value in [e.start, e.end] {
                out.push(b',');
                out.extend_from_slice(integers.format(value).as_bytes());
            }
            out.push(b',');
            write_string(&mut out, e.text);
            out.push(b']');
        }
        out.extend_from_slice(b"]]");
    }
    out.extend_from_slice(b"]}");
    String::from_utf8(out).expect("JSON written from strings is UTF-8")
}

/// A JSON string as `serde_json` writes it: copied between quotes unless it holds a character
/// JSON escapes.
fn write_string(out: &mut Vec<u8>, text: &str) {
    if text.bytes().any(|b| b < b' ' || b == b'"' || b == b'\\') {
        return serde_json::to_writer(out, text).expect("strings serialize");
    }
    out.push(b'"');
    out.extend_from_slice(text.as_bytes());
    out.push(b'"');
}

/// A confidence as `serde_json` writes it: one of thousandths between 0 and 1 (every
/// extractor's) is its shortest decimal, `0.95`, `1.0`; others are left to `serde_json`.
fn write_confidence(out: &mut Vec<u8>, confidence: f64) {
    let milli = (confidence * 1000.0).round();
    if !(0.0..=1000.0).contains(&milli) || milli / 1000.0 != confidence {
        return serde_json::to_writer(out, &confidence).expect("numbers serialize");
    }
    match milli as u16 {
        1000 => out.extend_from_slice(b"1.0"),
        0 => out.extend_from_slice(b"0.0"),
        milli => {
            let digits = [b'0' + (milli / 100) as u8, b'0' + (milli / 10 % 10) as u8, b'0' + (milli % 10) as u8];
            let significant = 3 - digits.iter().rev().take_while(|&&d| d == b'0').count();
            out.extend_from_slice(b"0.");
            out.extend_from_slice(&digits[..significant]);
        }
    }
}

/// `https://w3id.org/papergraph/concept/kv-cache` → `"concept:kv-cache"`, quoted.
fn write_compact(out: &mut Vec<u8>, iri: &str) {
    let compact = PREFIXES.iter().find_map(|(prefix, namespace)| iri.strip_prefix(namespace).filter(|local| !local.is_empty()).map(|local| (*prefix, local)));
    let (prefix, local) = compact.unwrap_or(("", iri));
    if local.bytes().any(|b| b < b' ' || b == b'"' || b == b'\\') {
        // Not a valid IRI's characters, but escaped all the same should one get here.
        return write_string(out, &if prefix.is_empty() { local.to_owned() } else { format!("{prefix}:{local}") });
    }
    out.push(b'"');
    if !prefix.is_empty() {
        out.extend_from_slice(prefix.as_bytes());
        out.push(b':');
    }
    out.extend_from_slice(local.as_bytes());
    out.push(b'"');
}

/// A stored occurrence of a fact about a paper, read back from a literal or a `pg:Evidence`
/// record.
#[derive(Debug, Clone, PartialEq)]
pub struct Occurrence {
    /// File name of the listing it was read from.
    pub source: String,
    pub predicate: String,
    pub object: String,
    pub extractor: String,
    pub confidence: f64,
    pub line: usize,
    /// `None` for facts read from a record rather than found in a text.
    pub field: Option<Field>,
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// Every occurrence in a literal's JSON, IRIs expanded.
pub fn parse(json: &str) -> Result<Vec<Occurrence>, serde_json::Error> {
    let record: Record = serde_json::from_str(json)?;
    let mut found = Vec::new();
    for (predicate, object, extractor, at) in record.facts {
        for (confidence, line, field, start, end, text) in at {
            found.push(Occurrence {
                source: record.source.clone(),
                predicate: expand(&predicate),
                object: expand(&object),
                extractor: extractor.clone(),
                confidence,
                line,
                field: Field::named(&field),
                start,
                end,
                text,
            });
        }
    }
    Ok(found)
}

/// The inverse of [`write_compact`]; other IRIs are returned as they are.
fn expand(name: &str) -> String {
    name.split_once(':')
        .and_then(|(prefix, local)| PREFIXES.iter().find(|(p, _)| *p == prefix).map(|(_, namespace)| format!("{namespace}{local}")))
        .unwrap_or_else(|| name.to_owned())
}

#[cfg(test)]
mod tests {
    use serde::Serialize;

    use super::*;

    fn entry<'a>(object: &'a str, field: Option<Field>, start: usize, text: &'a str) -> Entry<'a> {
        Entry { predicate: "https://schema.org/mentions", object, extractor: "concept-matcher", confidence: 0.95, line: 3, field, start, end: start + text.chars().count(), text }
    }

    #[test]
    fn occurrences_round_trip_grouped_by_fact() {
        let kv = "https://w3id.org/papergraph/concept/kv-cache";
        let page = "https://example.org/concept:x";
        let json = to_json("a \"b\".txt", [entry(kv, Some(Field::Abstract), 4, "KV cache"), entry(page, None, 0, ""), entry(kv, Some(Field::Title), 0, "KV-Cache \u{1F600}")]);
        assert!(json.contains(r#"["schema:mentions","concept:kv-cache","concept-matcher",[[0.95,3,"abstract",4,12,"KV cache"],[0.95,3,"title",0,10,"#), "{json}");
        let back = parse(&json).unwrap();
        assert_eq!(back.len(), 3);
        assert_eq!((back[0].object.as_str(), back[0].field, back[0].start, back[0].text.as_str()), (kv, Some(Field::Abstract), 4, "KV cache"));
        assert_eq!((back[1].object.as_str(), back[1].field, back[1].text.as_str()), (kv, Some(Field::Title), "KV-Cache \u{1F600}"));
        assert_eq!((back[2].object.as_str(), back[2].field), (page, None));
        assert!(back.iter().all(|o| o.source == "a \"b\".txt" && o.predicate == "https://schema.org/mentions"));
    }

    #[test]
    fn written_byte_for_byte_as_serde_json_writes_it() {
        #[derive(Serialize)]
        struct Expected<'a> {
            source: &'a str,
            facts: Vec<(&'a str, &'a str, &'a str, Vec<(f64, usize, &'a str, usize, usize, &'a str)>)>,
        }
        let (kv, page) = ("https://w3id.org/papergraph/concept/kv-cache", "https://example.org/a?b=c");
        let text = "a \"quoted\" back\\slash,\ttab \u{1} and \u{e9}";
        let json = to_json("dir/\"x\".txt", [entry(kv, Some(Field::Abstract), 4, text), entry(page, None, 0, ""), entry(kv, Some(Field::Title), 0, "KV")]);
        let end = 4 + text.chars().count();
        let expected = Expected {
            source: "dir/\"x\".txt",
            facts: vec![
                ("schema:mentions", "concept:kv-cache", "concept-matcher", vec![(0.95, 3, "abstract", 4, end, text), (0.95, 3, "title", 0, 2, "KV")]),
                ("schema:mentions", page, "concept-matcher", vec![(0.95, 3, "", 0, 0, "")]),
            ],
        };
        assert_eq!(json, serde_json::to_string(&expected).unwrap());

        // Confidences of every kind, and numbers of every length.
        let confidences = [0.0, 1.0, 0.8, 0.95, 0.05, 0.001, 0.999, 0.123, 0.1 + 0.2, 1.0 / 3.0, 0.9995, 1e-9, 1.5, -0.25];
        for (i, &confidence) in confidences.iter().enumerate() {
            let line = 10usize.pow(i as u32 % 12) + i;
            let e = Entry { confidence, line, start: line / 7, end: usize::MAX - i, ..entry(kv, Some(Field::Title), 0, "KV") };
            let expected = Expected {
                source: "s",
                facts: vec![("schema:mentions", "concept:kv-cache", "concept-matcher", vec![(confidence, line, "title", e.start, e.end, "KV")])],
            };
            assert_eq!(to_json("s", [e]), serde_json::to_string(&expected).unwrap());
        }
    }

    #[test]
    fn malformed_literals_are_errors() {
        assert!(parse("{\"source\":\"x\"}").is_err());
        assert!(parse("[1,2]").is_err());
    }
}
