//! `build`: ingest → extract → rdf → store, for a set of inputs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::extract::{Datasets, Extractor, LinkTarget, Taxonomy};
use crate::ingest::{self, Problem};
use crate::rdf::{self, iri, QuadSink};
use crate::store::{GraphStore, StoreError};

/// What a build did.
#[derive(Debug)]
pub struct BuildReport {
    /// Listing entries read (a paper listed twice counts twice).
    pub entries: usize,
    /// Distinct papers among them.
    pub papers: usize,
    /// Files that yielded at least one entry.
    pub files: usize,
    /// Distinct code repositories linked from the papers read.
    pub repositories: usize,
    /// Distinct concepts mentioned by the papers read.
    pub concepts_mentioned: usize,
    /// Quads added by this build (0 when rebuilding identical inputs).
    pub quads_added: usize,
    /// Quads in the store after the build.
    pub quads_total: usize,
    /// Files and records skipped, in input order.
    pub problems: Vec<Problem>,
}

/// The curated knowledge extraction matches against.
pub struct Knowledge {
    pub taxonomy: Taxonomy,
    pub datasets: Datasets,
}

impl Knowledge {
    /// The bundled taxonomy and dataset list.
    pub fn bundled() -> Self {
        Knowledge { taxonomy: Taxonomy::bundled(), datasets: Datasets::bundled() }
    }
}

/// Reads `inputs`, extracts facts with `knowledge`, and stores everything in `store`.
///
/// Bad files and records are skipped and reported; every good record is stored. Files are
/// stored in one transaction, so a failure while writing leaves the store as it was.
pub fn build(inputs: &[PathBuf], knowledge: &Knowledge, store: &GraphStore) -> Result<BuildReport, StoreError> {
    let ingested = ingest::read_inputs(inputs);
    let extractor = Extractor::new(&knowledge.taxonomy, &knowledge.datasets);
    let facts = extractor.extract_all(&ingested.papers);

    let mut sink = QuadSink { quads: rdf::default_graph_quads(&knowledge.taxonomy.triples) };
    sink.quads.extend(rdf::default_graph_quads(&knowledge.datasets.triples));
    sink.quads.extend(rdf::extractor_quads());
    let mut listings = BTreeMap::new();
    for paper in &ingested.papers {
        listings.entry(paper.source.name.clone()).or_insert_with(|| paper.source.clone());
    }
    for listing in listings.values() {
        rdf::listing_quads(listing, &mut sink);
    }
    let mut papers = BTreeSet::new();
    let mut repositories = BTreeSet::new();
    let mut concepts = BTreeSet::new();
    for (paper, facts) in ingested.papers.iter().zip(&facts) {
        papers.insert(iri::paper(paper));
        concepts.extend(facts.mentions.iter().map(|m| m.entry));
        repositories.extend(facts.links.iter().filter_map(|l| match &l.target {
            LinkTarget::Repository(r) => Some(r.key()),
            LinkTarget::Page(_) => None,
        }));
        rdf::paper_quads(paper, facts, &extractor, &mut sink);
    }

    let before = store.len()?;
    store.insert_all(&sink.quads)?;
    let after = store.len()?;
    Ok(BuildReport {
        entries: ingested.papers.len(),
        papers: papers.len(),
        files: ingested.files_read,
        repositories: repositories.len(),
        concepts_mentioned: concepts.len(),
        quads_added: after - before,
        quads_total: after,
        problems: ingested.problems,
    })
}
