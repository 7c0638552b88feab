//! `papergraph eval`: precision, recall and F1 of extraction against a hand-labelled gold file.
//!
//! Gold papers are found among the input papers by normalized title; for each, the set of
//! facts of each type extracted is compared with the gold set. Counts are micro-averaged over
//! papers, per fact type and per concept.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::extract::{Extractor, LinkTarget, PaperFacts};
use crate::model::Paper;
use crate::rdf::iri::normalize_title;
use crate::rdf::vocab::{CONCEPT, DATASET};

/// The gold file's shape (see `tests/gold/listings.json`, and `tests/gold/external-*.json`
/// for gold labelled for some concepts only).
#[derive(Debug, Deserialize)]
pub struct Gold {
    /// When present, the papers were labelled for these concepts only (ids): only they are
    /// scored, and only concepts (not repositories, datasets, acronyms, proposals).
    #[serde(default)]
    pub concepts_labelled: Option<Vec<String>>,
    pub papers: Vec<GoldPaper>,
}

#[derive(Debug, Deserialize)]
pub struct GoldPaper {
    pub title: String,
    #[serde(default)]
    pub concepts: Vec<String>,
    #[serde(default)]
    pub repositories: Vec<String>,
    #[serde(default)]
    pub datasets: Vec<String>,
    #[serde(default)]
    pub acronyms: Vec<GoldAcronym>,
    #[serde(default)]
    pub proposes: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct GoldAcronym {
    pub short: String,
    pub long: String,
}

/// True positives, false positives, false negatives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub tp: usize,
    pub fp: usize,
    #[serde(rename = "fn")]
    pub fn_: usize,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

/// Fact types scored, in report order.
pub const FACT_TYPES: [&str; 5] = ["concepts", "repositories", "datasets", "acronyms", "proposes"];

#[derive(Debug, Default, Serialize)]
pub struct Scores {
    pub papers: usize,
    /// Micro-averaged counts per fact type scored.
    pub by_type: BTreeMap<String, Counts>,
    pub by_concept: BTreeMap<String, Counts>,
    /// Macro averages over the concepts of `by_concept`: (precision, recall, F1).
    pub concept_macro: (f64, f64, f64),
    /// Per fact type, the wrong (`+`) and missed (`-`) facts, as `title: fact`.
    pub errors: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("cannot read gold file {path}: {message}")]
    Read { path: String, message: String },
    #[error("gold file {path}: {message}")]
    Invalid { path: String, message: String },
}

/// Reads a gold file.
pub fn load_gold(path: &Path) -> Result<Gold, EvalError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| EvalError::Read { path: name.clone(), message: e.to_string() })?;
    serde_json::from_str(&text).map_err(|e| EvalError::Invalid { path: name, message: format!("line {}: {e}", e.line()) })
}

/// Scores the extractor on the gold papers, which must all be among `papers`.
pub fn evaluate(gold: &Gold, gold_path: &str, papers: &[Paper], extractor: &Extractor<'_>) -> Result<Scores, EvalError> {
    let by_title: HashMap<String, &Paper> = papers.iter().rev().map(|p| (normalize_title(&p.title), p)).collect();
    let missing: Vec<&str> =
        gold.papers.iter().filter(|g| !by_title.contains_key(&normalize_title(&g.title))).map(|g| g.title.as_str()).collect();
    if !missing.is_empty() {
        return Err(EvalError::Invalid {
            path: gold_path.to_owned(),
            message: format!("{} gold title(s) not found in the inputs: {}", missing.len(), missing.join(" | ")),
        });
    }
    let labelled: Option<BTreeSet<&str>> = gold.concepts_labelled.as_ref().map(|c| c.iter().map(String::as_str).collect());
    if let Some(labelled) = &labelled {
        let known: BTreeSet<String> = extractor.taxonomy.concepts.iter().map(|c| c.iri.as_str().strip_prefix(CONCEPT).unwrap_or(c.iri.as_str()).to_owned()).collect();
        let unknown: Vec<&str> = labelled.iter().copied().filter(|c| !known.contains(*c)).collect();
        if !unknown.is_empty() {
            return Err(EvalError::Invalid { path: gold_path.to_owned(), message: format!("concepts_labelled names concepts not in the taxonomy: {}", unknown.join(", ")) });
        }
    }
    let mut scores = Scores { papers: gold.papers.len(), ..Scores::default() };
    for g in &gold.papers {
        let paper = by_title[&normalize_title(&g.title)];
        let mut predicted = predicted_sets(&extractor.extract(paper), extractor);
        let expected = gold_sets(g);
        if let Some(labelled) = &labelled {
            predicted[0].retain(|c| labelled.contains(c.as_str()));
            if let Some(stray) = expected[0].iter().find(|c| !labelled.contains(c.as_str())) {
                return Err(EvalError::Invalid { path: gold_path.to_owned(), message: format!("{}: concept {stray} is not in concepts_labelled", g.title) });
            }
        }
        let scored = if labelled.is_some() { 1 } else { FACT_TYPES.len() };
        for (kind, (predicted, expected)) in FACT_TYPES.iter().zip(predicted.iter().zip(&expected)).take(scored) {
            let counts = scores.by_type.entry((*kind).to_owned()).or_default();
            let errors = scores.errors.entry((*kind).to_owned()).or_default();
            for fact in predicted.union(expected) {
                let (hit_p, hit_g) = (predicted.contains(fact), expected.contains(fact));
                let cell = match (hit_p, hit_g) {
                    (true, true) => &mut counts.tp,
                    (true, false) => {
                        errors.push(format!("+ {}: {fact}", g.title));
                        &mut counts.fp
                    }
                    _ => {
                        errors.push(format!("- {}: {fact}", g.title));
                        &mut counts.fn_
                    }
                };
                *cell += 1;
                if *kind == "concepts" {
                    let per = scores.by_concept.entry(fact.clone()).or_default();
                    match (hit_p, hit_g) {
                        (true, true) => per.tp += 1,
                        (true, false) => per.fp += 1,
                        _ => per.fn_ += 1,
                    }
                }
            }
        }
    }
    if let Some(labelled) = &labelled {
        for concept in labelled {
            scores.by_concept.entry((*concept).to_owned()).or_default();
        }
    }
    let n = scores.by_concept.len().max(1) as f64;
    let sum = |f: fn(&Counts) -> f64| scores.by_concept.values().map(f).sum::<f64>() / n;
    scores.concept_macro = (sum(Counts::precision), sum(Counts::recall), sum(Counts::f1));
    Ok(scores)
}

type Sets = [BTreeSet<String>; 5];

fn predicted_sets(facts: &PaperFacts, extractor: &Extractor<'_>) -> Sets {
    let local = |iri: &str, ns: &str| iri.strip_prefix(ns).unwrap_or(iri).to_owned();
    [
        facts.mentions.iter().map(|m| local(extractor.taxonomy.concepts[m.entry].iri.as_str(), CONCEPT)).collect(),
        facts
            .links
            .iter()
            .filter_map(|l| match &l.target {
                LinkTarget::Repository(r) => Some(r.key()),
                LinkTarget::Page(_) => None,
            })
            .collect(),
        facts.datasets.iter().map(|m| local(extractor.datasets.datasets[m.entry].iri.as_str(), DATASET)).collect(),
        facts.definitions.iter().map(|d| acronym_key(&d.acronym.short, &d.acronym.long)).collect(),
        facts.proposals.iter().map(|p| p.name.to_lowercase()).collect(),
    ]
}

fn gold_sets(g: &GoldPaper) -> Sets {
    [
        g.concepts.iter().cloned().collect(),
        g.repositories.iter().map(|r| r.to_lowercase()).collect(),
        g.datasets.iter().cloned().collect(),
        g.acronyms.iter().map(|a| acronym_key(&a.short, &a.long)).collect(),
        g.proposes.iter().map(|p| p.to_lowercase()).collect(),
    ]
}

fn acronym_key(short: &str, long: &str) -> String {
    format!("{} = {}", short, long.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase())
}
