//! Concepts by what a user types: a label or alias in any case, hyphenation or plural, the
//! concept's IRI or slug, or a near-miss within a small edit distance.

use std::collections::BTreeMap;

use oxigraph::model::{NamedNode, Term, Variable};
use serde::Serialize;

use super::{rows, value_of};
use crate::query::QueryError;
use crate::rdf::vocab::CONCEPT;
use crate::store::statistics::{self, CONCEPT_METHODS};
use crate::store::GraphStore;

/// A concept with its preferred label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Named {
    pub iri: String,
    pub label: String,
}

/// What a name resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConceptResolution {
    /// One concept; `matched` is the label that matched, `corrected` when it was a near miss.
    Found { concept: Named, matched: String, corrected: bool },
    /// Several concepts fit equally well.
    Ambiguous(Vec<(Named, String)>),
    NotFound,
}

/// Folds case, hyphens, underscores, spacing and a trailing plural `s`.
fn normalize(text: &str) -> String {
    let folded = text.to_lowercase().replace(['-', '_'], " ");
    let folded = folded.split_whitespace().collect::<Vec<_>>().join(" ");
    match folded.strip_suffix('s') {
        Some(stem) if stem.len() >= 3 => stem.to_owned(),
        _ => folded,
    }
}

/// Edits allowed for a near miss of a name this long.
fn max_edits(len: usize) -> usize {
    match len {
        0..=4 => 0,
        5..=7 => 1,
        _ => 2,
    }
}

/// A concept offered while a user types its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    pub iri: String,
    pub label: String,
    /// The label or alias the typed text matched.
    pub matched: String,
    /// Papers mentioning the concept or a narrower one.
    pub paper_count: u64,
}

/// Up to `limit` concepts with a label or alias containing `typed` (folded like names): those
/// whose label starts with it first, then by papers, then by label.
pub fn suggest_concepts(store: &GraphStore, typed: &str, limit: usize) -> Result<Vec<Suggestion>, QueryError> {
    let key = normalize(typed);
    if key.is_empty() {
        return Ok(Vec::new());
    }
    let mut best: BTreeMap<String, (bool, Suggestion)> = BTreeMap::new();
    for (iri, label, matched) in statistics::concept_labels(store)? {
        let folded = normalize(&matched);
        let Some(at) = folded.find(&key) else { continue };
        let prefix = at == 0;
        let entry = best.entry(iri.clone()).or_insert_with(|| (prefix, Suggestion { iri, label, matched: matched.clone(), paper_count: 0 }));
        if prefix && !entry.0 {
            *entry = (true, Suggestion { matched, ..entry.1.clone() });
        }
    }
    let mut found: Vec<(bool, Suggestion)> = best.into_values().collect();
    for (_, suggestion) in &mut found {
        suggestion.paper_count = statistics::paper_count(store, &suggestion.iri)?;
    }
    found.sort_by(|(a_prefix, a), (b_prefix, b)| {
        b_prefix.cmp(a_prefix).then(b.paper_count.cmp(&a.paper_count)).then_with(|| a.label.to_lowercase().cmp(&b.label.to_lowercase()))
    });
    Ok(found.into_iter().take(limit).map(|(_, s)| s).collect())
}

/// Resolves a name typed by a user to a concept in the store.
pub fn resolve_concept(store: &GraphStore, name: &str) -> Result<ConceptResolution, QueryError> {
    let labels: Vec<(Named, String)> =
        statistics::concept_labels(store)?.into_iter().map(|(iri, label, matched)| (Named { iri, label }, matched)).collect();
    let wanted = name.trim();
    let iri = wanted.strip_prefix("concept:").map(|slug| format!("{CONCEPT}{slug}")).unwrap_or_else(|| wanted.trim_matches(['<', '>']).to_owned());
    if let Some((concept, _)) = labels.iter().find(|(c, _)| c.iri == iri || c.iri.strip_prefix(CONCEPT) == Some(wanted)) {
        return Ok(ConceptResolution::Found { concept: concept.clone(), matched: concept.iri.clone(), corrected: false });
    }

    let key = normalize(wanted);
    let scored: Vec<(usize, &(Named, String))> =
        labels.iter().map(|entry| (strsim::damerau_levenshtein(&key, &normalize(&entry.1)), entry)).collect();
    let Some(best) = scored.iter().map(|(d, _)| *d).min() else { return Ok(ConceptResolution::NotFound) };
    if best > max_edits(key.chars().count()) {
        return Ok(ConceptResolution::NotFound);
    }
    let mut candidates: BTreeMap<String, (Named, String)> = BTreeMap::new();
    for (_, (concept, label)) in scored.iter().filter(|(d, _)| *d == best) {
        candidates.entry(concept.iri.clone()).or_insert_with(|| (concept.clone(), label.clone()));
    }
    let mut candidates: Vec<(Named, String)> = candidates.into_values().collect();
    Ok(if candidates.len() == 1 {
        let (concept, matched) = candidates.remove(0);
        ConceptResolution::Found { concept, matched, corrected: best > 0 }
    } else {
        ConceptResolution::Ambiguous(candidates)
    })
}

/// A paper in a concept report.
#[derive(Debug, Clone, Serialize)]
pub struct ConceptPaper {
    pub iri: String,
    pub title: String,
    /// Mentions of the concept (or its narrower concepts) in the paper's text.
    pub mentions: u64,
    /// The concepts, this one or narrower, through which the paper is counted.
    pub via: Vec<String>,
    /// Listing pages with their dates (`Mar 13`).
    pub listings: Vec<String>,
    pub repositories: Vec<String>,
}

/// A concept co-occurring with the looked-up one (neither above nor below it).
#[derive(Debug, Clone, Serialize)]
pub struct Cooccurrence {
    pub iri: String,
    pub label: String,
    /// Papers mentioning both.
    pub papers: u64,
}

/// A method whose long name mentions the concept (or a narrower one).
#[derive(Debug, Clone, Serialize)]
pub struct MethodRef {
    pub iri: String,
    pub name: String,
    pub long_name: Option<String>,
}

/// Everything the graph knows about a concept. Paper counts include narrower concepts.
#[derive(Debug, Clone, Serialize)]
pub struct ConceptReport {
    pub iri: String,
    pub label: String,
    pub alt_labels: Vec<String>,
    pub definition: Option<String>,
    pub broader: Vec<Named>,
    pub narrower: Vec<Named>,
    /// Papers mentioning this concept or any narrower one.
    pub paper_count: usize,
    /// Papers mentioning this concept itself.
    pub direct_paper_count: usize,
    /// Papers, most mentions first.
    pub papers: Vec<ConceptPaper>,
    pub cooccurring: Vec<Cooccurrence>,
    pub methods: Vec<MethodRef>,
}

/// Builds the report for a resolved concept.
pub fn concept_report(store: &GraphStore, concept: &Named) -> Result<ConceptReport, QueryError> {
    let iri = NamedNode::new(&concept.iri).map_err(|e| QueryError::Evaluation { source_name: "concept".into(), message: e.to_string() })?;
    let bind = [(Variable::new_unchecked("concept"), Term::from(iri))];
    let query = |sparql: &str| rows(store, sparql, &bind);

    let mut alt_labels = Vec::new();
    let mut definition = None;
    let mut broader = Vec::new();
    let mut narrower = Vec::new();
    for row in query(
        "SELECT ?kind ?value ?label ?concept WHERE {
           { ?concept skos:altLabel ?value BIND(\"alt\" AS ?kind) }
           UNION { ?concept skos:definition ?value BIND(\"definition\" AS ?kind) }
           UNION { ?concept skos:broader ?value . ?value skos:prefLabel ?label BIND(\"broader\" AS ?kind) }
           UNION { ?value skos:broader ?concept ; skos:prefLabel ?label BIND(\"narrower\" AS ?kind) }
         } ORDER BY ?kind ?label ?value",
    )? {
        let named = || Named { iri: value_of(&row[1]), label: value_of(&row[2]) };
        match value_of(&row[0]).as_str() {
            "alt" => alt_labels.push(value_of(&row[1])),
            "definition" => definition = Some(value_of(&row[1])),
            "broader" => broader.push(named()),
            _ => narrower.push(named()),
        }
    }

    let stats = statistics::concept_statistics(store, &concept.iri)?.unwrap_or_default();
    let labels: BTreeMap<String, String> = statistics::concept_labels(store)?.into_iter().map(|(iri, label, _)| (iri, label)).collect();
    let label = |iri: &String| labels.get(iri).cloned().unwrap_or_else(|| iri.clone());
    let mut papers: Vec<ConceptPaper> = stats
        .top_papers
        .into_iter()
        .map(|top| ConceptPaper {
            via: sorted(top.via.iter().map(label).collect()),
            iri: top.paper,
            title: top.title,
            mentions: top.mentions,
            listings: top.listings,
            repositories: top.repositories,
        })
        .collect();
    papers.sort_by(|a, b| b.mentions.cmp(&a.mentions).then_with(|| a.title.cmp(&b.title)));
    let mut cooccurring: Vec<Cooccurrence> =
        stats.cooccurring.iter().map(|(iri, papers)| Cooccurrence { iri: iri.clone(), label: label(iri), papers: *papers }).collect();
    cooccurring.sort_by(|a, b| b.papers.cmp(&a.papers).then_with(|| a.label.cmp(&b.label)));

    let methods = match stats.methods {
        Some(methods) => methods.into_iter().map(|m| MethodRef { iri: m.iri, name: m.name, long_name: m.long_name }).collect(),
        // Statistics written before papergraph counted methods: joined at query time.
        None => query(&format!(
            "SELECT DISTINCT ?m ?name ?long ?concept WHERE {{
               ?c skos:broader* ?concept . ?m dcterms:subject ?c ; a pg:Method ; schema:name ?name .
               OPTIONAL {{ ?m schema:alternateName ?long }}
             }} ORDER BY ?name (STR(?m)) ?long LIMIT {CONCEPT_METHODS}"
        ))?
        .iter()
        .map(|row| MethodRef { iri: value_of(&row[0]), name: value_of(&row[1]), long_name: row[2].as_ref().map(|_| value_of(&row[2])) })
        .collect(),
    };

    Ok(ConceptReport {
        iri: concept.iri.clone(),
        label: concept.label.clone(),
        alt_labels,
        definition,
        broader,
        narrower,
        paper_count: stats.paper_count as usize,
        direct_paper_count: stats.direct_paper_count as usize,
        papers,
        cooccurring,
        methods,
    })
}

fn sorted(mut values: Vec<String>) -> Vec<String> {
    values.sort();
    values.dedup();
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalization_folds_case_hyphens_and_plurals() {
        assert_eq!(normalize("KV-Caches"), "kv cache");
        assert_eq!(normalize("  key_value   cache "), "key value cache");
        assert_eq!(normalize("LLMs"), "llm");
        assert_eq!(normalize("SAM"), "sam");
    }
}
