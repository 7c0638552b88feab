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

use serde::{Deserialize, Serialize};

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
type Stored<T> = (f64, usize, T, usize, usize, T);

/// The literal: written with `T = &str` and `F = Compact` (compacted IRIs), read with `String`.
#[derive(Serialize, Deserialize)]
struct Record<T, F = T> {
    source: T,
    facts: Vec<(F, F, T, Vec<Stored<T>>)>,
}

/// The literal's JSON for the occurrences one source (`source`: a listing's file name) gave a
/// paper. Occurrences of the same fact and extractor are grouped, in order of first appearance.
pub fn to_json<'a>(source: &str, entries: impl IntoIterator<Item = Entry<'a>>) -> String {
    let mut facts: Vec<(Compact<'_>, Compact<'_>, &str, Vec<Stored<&str>>)> = Vec::new();
    let mut keys: Vec<(&str, &str, &str)> = Vec::new();
    for e in entries {
        let stored = (e.confidence, e.line, e.field.map_or("", Field::as_str), e.start, e.end, e.text);
        let key = (e.predicate, e.object, e.extractor);
        match keys.iter().position(|k| *k == key) {
            Some(i) => facts[i].3.push(stored),
            None => {
                keys.push(key);
                facts.push((Compact(e.predicate), Compact(e.object), e.extractor, vec![stored]));
            }
        }
    }
    serde_json::to_string(&Record { source, facts }).expect("occurrences serialize")
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
    let record: Record<String> = serde_json::from_str(json)?;
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

/// `https://w3id.org/papergraph/concept/kv-cache` → `concept:kv-cache`.
struct Compact<'a>(&'a str);

impl std::fmt::Display for Compact<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let iri = self.0;
        match PREFIXES.iter().find_map(|(prefix, namespace)| iri.strip_prefix(namespace).filter(|local| !local.is_empty()).map(|local| (prefix, local))) {
            Some((prefix, local)) => {
                f.write_str(prefix)?;
                f.write_str(":")?;
                f.write_str(local)
            }
            None => f.write_str(iri),
        }
    }
}

/// Written as a JSON string without building it first.
impl Serialize for Compact<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The inverse of [`Compact`]; other IRIs are returned as they are.
fn expand(name: &str) -> String {
    name.split_once(':')
        .and_then(|(prefix, local)| PREFIXES.iter().find(|(p, _)| *p == prefix).map(|(_, namespace)| format!("{namespace}{local}")))
        .unwrap_or_else(|| name.to_owned())
}

#[cfg(test)]
mod tests {
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
    fn malformed_literals_are_errors() {
        assert!(parse("{\"source\":\"x\"}").is_err());
        assert!(parse("[1,2]").is_err());
    }
}
