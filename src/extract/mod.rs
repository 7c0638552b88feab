//! Extraction: from a [`Paper`]'s text to facts, each with the span that supports it.
//!
//! Extractors are pure functions of one paper, so they run in parallel (rayon) and the
//! result does not depend on order:
//! - [`labels`] finds taxonomy concepts and datasets by their labels, and [`disambiguate`]
//!   drops the matches context contradicts;
//! - [`links`] finds URLs and normalizes code repositories;
//! - [`acronyms`] finds acronym definitions, [`proposals`] the artifacts a paper introduces.

pub mod acronyms;
pub mod datasets;
pub mod disambiguate;
pub mod labels;
pub mod links;
pub mod proposals;
pub mod taxonomy;

use rayon::prelude::*;

use crate::model::Paper;
pub use acronyms::Acronym;
pub use datasets::{Dataset, Datasets};
pub use labels::{LabelMatcher, Mention};
pub use links::{classify as classify_url, Link, LinkTarget, Repository};
pub use proposals::Proposal;
pub use taxonomy::{Concept, Taxonomy, TaxonomyError};

/// Names of the extractors, recorded on every piece of evidence they produce.
pub const CONCEPT_MATCHER: &str = "concept-matcher";
pub const DATASET_MATCHER: &str = "dataset-matcher";
pub const LINK_FINDER: &str = "link-finder";
pub const ACRONYM_FINDER: &str = "acronym-finder";
pub const PROPOSAL_FINDER: &str = "proposal-finder";
/// All extractor names.
/// Not an extractor but a source: code links read from a Papers-with-Code links file.
pub const CODE_LINK_READER: &str = "pwc-links-reader";
pub const EXTRACTORS: [&str; 6] = [CONCEPT_MATCHER, DATASET_MATCHER, LINK_FINDER, ACRONYM_FINDER, PROPOSAL_FINDER, CODE_LINK_READER];

/// An acronym definition and the concepts its long form mentions.
#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    pub acronym: Acronym,
    /// Indexes into [`Taxonomy::concepts`].
    pub concepts: Vec<usize>,
    /// The concept whose label is the whole long form (`large language models (LLMs)`): the
    /// short form is then another name of it, not a method. `None` in extracted facts when the
    /// paper proposes something by the short form (`A-MEM: Agentic Memory ...`).
    pub known_concept: Option<usize>,
}

/// Everything extracted from one paper.
#[derive(Debug, Clone, Default)]
pub struct PaperFacts {
    /// Concept mentions; `entry` indexes [`Taxonomy::concepts`].
    pub mentions: Vec<Mention>,
    /// Dataset mentions; `entry` indexes [`Datasets::datasets`].
    pub datasets: Vec<Mention>,
    pub links: Vec<Link>,
    pub definitions: Vec<Definition>,
    pub proposals: Vec<Proposal>,
}

/// All extractors, compiled once.
pub struct Extractor<'k> {
    pub taxonomy: &'k Taxonomy,
    pub datasets: &'k Datasets,
    concepts: LabelMatcher,
    dataset_names: LabelMatcher,
    context: disambiguate::Context,
}

impl<'k> Extractor<'k> {
    pub fn new(taxonomy: &'k Taxonomy, datasets: &'k Datasets) -> Self {
        Extractor {
            taxonomy,
            datasets,
            concepts: LabelMatcher::for_taxonomy(taxonomy),
            dataset_names: LabelMatcher::new(datasets.datasets.iter().enumerate().flat_map(|(i, d)| d.labels().map(move |l| (i, l)))),
            context: disambiguate::Context::new(taxonomy),
        }
    }

    pub fn extract(&self, paper: &Paper) -> PaperFacts {
        let acronyms: Vec<Acronym> =
            paper.fields().into_iter().flat_map(|(field, text)| acronyms::find_acronyms(field, text)).collect();
        let mut definitions: Vec<Definition> = acronyms
            .into_iter()
            .map(|acronym| {
                let found = self.concepts.find_in(acronym.field, &acronym.long);
                let long_chars = acronym.long.chars().count();
                let known_concept = found.iter().find(|m| m.start == 0 && m.end == long_chars).map(|m| m.entry);
                let mut concepts: Vec<usize> = found.into_iter().map(|m| m.entry).collect();
                concepts.sort_unstable();
                concepts.dedup();
                Definition { acronym, concepts, known_concept }
            })
            .collect();
        let fields = labels::Prepared::paper(paper);
        let mut mentions = self.context.disambiguate(self.concepts.find(&fields), &definitions, paper);
        let proposals = proposals::find_proposals(paper, &fields, &definitions);
        // The short form of a concept's own long form is another name of it where defined,
        // unless the paper proposes something by that name (`A-MEM: Agentic Memory ...`).
        for d in &mut definitions {
            if proposals.iter().any(|p| p.name == d.acronym.short) {
                d.known_concept = None;
            }
            let Some(entry) = d.known_concept else { continue };
            let (start, end) = d.acronym.short_span(paper.text(d.acronym.field));
            if !mentions.iter().any(|m| m.field == d.acronym.field && m.start < end && start < m.end) {
                let text = d.acronym.short.clone();
                mentions.push(Mention { entry, field: d.acronym.field, start, end, text, confidence: labels::CONFIDENCE_ACRONYM_DEFINED });
            }
        }
        mentions.sort_by_key(|m| (m.field, m.start));
        PaperFacts {
            mentions,
            datasets: self.dataset_names.find(&fields),
            links: links::find_links(paper),
            proposals,
            definitions,
        }
    }

    /// Extracts from many papers in parallel; results are in input order.
    pub fn extract_all(&self, papers: &[Paper]) -> Vec<PaperFacts> {
        papers.par_iter().map(|paper| self.extract(paper)).collect()
    }
}
