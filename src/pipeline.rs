//! `build`: ingest → extract → rdf → store, streaming.
//!
//! The calling thread pulls records from each input in turn, in chunks; each chunk is parsed,
//! extracted and turned into quads on rayon's pool, and the quads flow through a bounded
//! channel into Oxigraph's bulk loader. Memory holds a few chunks and the loader's batch, never
//! the corpus. The loader commits once at the end, so a failed build (or `--strict` meeting a
//! bad record) leaves the store as it was.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::Hash;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Arc;
use std::time::Instant;

use oxigraph::model::{NamedNode, Quad};
use rayon::prelude::*;
use rustc_hash::FxHashSet;
use serde::Serialize;
use xxhash_rust::xxh3::Xxh3;

use crate::extract::{Datasets, Extractor, Taxonomy};
use crate::ingest::{self, Pending, Problem};
use crate::model::{Listing, Record};
use crate::rdf::{self, FactSource, Provenance, QuadSink};
use crate::store::statistics::{self, PaperIndex};
use crate::store::{GraphStore, StoreError};

/// Records extracted together on the pool.
const CHUNK_RECORDS: usize = 512;
/// Chunks of quads waiting for the loader.
const CHUNKS_IN_FLIGHT: usize = 2;
/// Problems kept in the report; the rest are only counted.
const MAX_PROBLEMS_KEPT: usize = 1000;

/// What a build did.
#[derive(Debug, Default, Serialize)]
pub struct BuildReport {
    /// Input files that yielded at least one record.
    pub files: usize,
    /// Paper records read (a paper listed twice counts twice).
    pub records: usize,
    /// Code links read from Papers-with-Code link files.
    pub code_links: usize,
    /// Distinct papers in the store afterwards.
    pub papers: usize,
    /// Papers read without an arXiv id merged into the paper with the same title that has one.
    pub papers_merged: usize,
    /// Distinct code repositories in the store afterwards.
    pub repositories: usize,
    /// Distinct concepts mentioned by the papers read.
    pub concepts_mentioned: usize,
    /// Quads produced (before the store drops the ones it already holds).
    pub quads_written: usize,
    /// Files and records skipped.
    pub skipped: usize,
    /// Seconds spent reading, extracting and loading (until the loader committed).
    pub seconds_loading: f64,
    /// Seconds spent after loading: merging papers by title, statistics, counts.
    pub seconds_finishing: f64,
    /// The first skipped files and records, in input order (`FILE:LINE: message` in JSON).
    #[serde(serialize_with = "as_messages")]
    pub problems: Vec<Problem>,
}

impl BuildReport {
    /// Records of any kind read (papers and code links).
    pub fn records_read(&self) -> usize {
        self.records + self.code_links
    }
}

/// How a build runs.
#[derive(Debug, Clone, Copy, Default)]
pub struct BuildOptions {
    /// Fail on the first bad file or record instead of skipping it.
    pub strict: bool,
    /// How much provenance to store with each fact.
    pub provenance: Provenance,
}

/// Where a build stands, for progress displays.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    pub bytes_read: u64,
    pub bytes_total: u64,
    pub records: usize,
}

/// Why a build stopped.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("{0} (--strict stops at the first bad record)")]
    Strict(Problem),
    #[error(transparent)]
    Store(#[from] StoreError),
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

/// Reads `inputs`, extracts facts with `knowledge`, and loads everything into `store` (or only
/// counts the quads when `store` is `None`: a dry run). `progress` is called after each chunk.
///
/// Bad files and records are skipped and reported (or stop the build under `strict`); every
/// good record is stored.
pub fn build(
    inputs: &[PathBuf],
    knowledge: &Knowledge,
    store: Option<&GraphStore>,
    options: BuildOptions,
    progress: &(dyn Fn(&Progress) + Sync),
) -> Result<BuildReport, BuildError> {
    let started = Instant::now();
    let extractor = Extractor::new(&knowledge.taxonomy, &knowledge.datasets);
    let (files, problems) = ingest::input_files(inputs);
    let mut report = BuildReport::default();
    for problem in problems {
        note_problem(&mut report, problem, options)?;
    }
    let bytes_total = files.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum();

    let curated = vec![
        rdf::default_graph_quads(&knowledge.taxonomy.triples),
        rdf::default_graph_quads(&knowledge.datasets.triples),
        rdf::extractor_quads(),
    ];
    let mut concepts = BTreeSet::new();
    let mut index = match store {
        Some(store) => {
            let index = PaperIndex::open(store)?;
            PaperIndex::mark_stale(store)?;
            index
        }
        None => PaperIndex::default(),
    };
    // Normalized titles to try merging on after loading: of papers read without an arXiv id,
    // and of papers read with one whose title a stored paper without one has.
    let mut merge_titles = BTreeSet::new();
    let mut shared = SharedQuads::default();

    let (sender, receiver) = sync_channel::<Chunk>(CHUNKS_IN_FLIGHT);
    let outcome = std::thread::scope(|scope| {
        let loader = scope.spawn(move || load(store, receiver));
        sender.send(Chunk::Quads(curated)).ok();
        let mut read = || -> Result<(), BuildError> {
            let mut done = Progress { bytes_total, ..Progress::default() };
            for file in &files {
                let opened = match ingest::open(file) {
                    Ok(opened) => opened,
                    Err(problem) => {
                        note_problem(&mut report, problem, options)?;
                        continue;
                    }
                };
                let read_before = report.records_read();
                let bytes_before = done.bytes_read;
                let mut listing_written = false;
                let mut described = BTreeSet::new();
                let mut records = opened.records.peekable();
                while records.peek().is_some() {
                    // Problems are noted in input order: those of reading now, those of
                    // parsing (done with extraction, in parallel) after.
                    let mut chunk = Vec::with_capacity(CHUNK_RECORDS);
                    for item in records.by_ref().take(CHUNK_RECORDS) {
                        match item {
                            Ok(pending) => chunk.push(pending),
                            Err(problem) => note_problem(&mut report, problem, options)?,
                        }
                    }
                    let mut out = chunk_quads(chunk, &extractor, options.provenance, !index.orphan_titles.is_empty());
                    for problem in std::mem::take(&mut out.problems) {
                        note_problem(&mut report, problem, options)?;
                    }
                    let Some(source) = out.listing.clone() else { continue };
                    for paper in &out.papers {
                        concepts.extend(paper.concepts.iter().map(|(concept, _)| *concept));
                        if let (Some(_), Some(iri)) = (store, &paper.iri) {
                            let mentioned = paper.concepts.iter().map(|&(concept, n)| (knowledge.taxonomy.concepts[concept].iri.as_str(), n));
                            index.add(iri, &source.name, mentioned);
                        }
                        if let Some(title) = &paper.title_key {
                            if !paper.identified || index.orphan_titles.contains(title) {
                                merge_titles.insert(title.clone());
                            }
                        }
                    }
                    let mut described_here = QuadSink::default();
                    if !listing_written {
                        rdf::listing_quads(&source, &mut described_here);
                        listing_written = true;
                    }
                    for fact_source in out.sources {
                        if described.insert(fact_source) {
                            rdf::fact_source_quads(&source.name, fact_source, &mut described_here);
                        }
                    }
                    out.quads.push(described_here.quads);
                    out.quads.push(shared.first_seen(out.shared));
                    report.records += out.papers.iter().filter(|p| !p.code_link).count();
                    report.code_links += out.papers.iter().filter(|p| p.code_link).count();
                    report.quads_written += out.quads.iter().map(Vec::len).sum::<usize>();
                    if sender.send(Chunk::Quads(out.quads)).is_err() {
                        return Ok(()); // the loader failed; its error is reported below
                    }
                    done.bytes_read = bytes_before + opened.bytes_read.load(Ordering::Relaxed);
                    done.records = report.records_read();
                    progress(&done);
                }
                done.bytes_read = bytes_before + opened.size;
                if report.records_read() > read_before {
                    report.files += 1;
                }
            }
            sender.send(Chunk::End).ok();
            Ok(())
        };
        let read_result = read();
        drop(sender);
        let load_result = loader.join().expect("the loader thread does not panic");
        read_result.and(load_result.map_err(BuildError::from))
    });
    outcome?;
    report.seconds_loading = started.elapsed().as_secs_f64();
    report.concepts_mentioned = concepts.len();
    if let Some(store) = store {
        let merges = store.merge_papers_by_title(merge_titles.iter().map(String::as_str))?;
        report.papers_merged = merges.merged.len();
        for (from, to) in &merges.merged {
            index.merge(from, to);
        }
        for title in &merge_titles {
            index.orphan_titles.remove(title);
        }
        index.orphan_titles.extend(merges.unmerged);
        statistics::update(store, &index)?;
        index.save(store)?;
        report.papers = store.count_of_type(crate::rdf::vocab::SCHEMA_SCHOLARLY_ARTICLE)?;
        report.repositories = store.count_of_type(crate::rdf::vocab::SCHEMA_SOFTWARE_SOURCE_CODE)?;
    }
    report.seconds_finishing = started.elapsed().as_secs_f64() - report.seconds_loading;
    Ok(report)
}

/// Drops quads describing shared nodes (authors, categories, methods, repositories) that this
/// build has already sent to the loader: they would only cost the loader time.
#[derive(Default)]
struct SharedQuads {
    /// 128-bit XXH3 hashes of the quads sent (a collision, which would drop a quad, is as
    /// likely as one in 2^64 builds of a billion quads).
    sent: FxHashSet<u128>,
}

impl SharedQuads {
    /// The hash [`SharedQuads::first_seen`] knows a quad by (computed where the quads are made,
    /// in parallel).
    fn hash(quad: &Quad) -> u128 {
        let mut hasher = Xxh3::new();
        quad.hash(&mut hasher);
        hasher.digest128()
    }

    fn first_seen(&mut self, quads: Vec<(u128, Quad)>) -> Vec<Quad> {
        quads.into_iter().filter(|(hash, _)| self.sent.insert(*hash)).map(|(_, quad)| quad).collect()
    }
}

/// What the reader sends the loader.
enum Chunk {
    Quads(Vec<Vec<Quad>>),
    /// Every input was read: the loader may commit.
    End,
}

/// Drains the channel into the bulk loader (or just drains it in a dry run). Commits only when
/// the reader got to the end, so a build stopped by an error stores nothing.
fn load(store: Option<&GraphStore>, receiver: Receiver<Chunk>) -> Result<(), StoreError> {
    let mut complete = false;
    let quads = receiver.iter().map_while(|chunk| match chunk {
        Chunk::Quads(quads) => Some(quads),
        Chunk::End => {
            complete = true;
            None
        }
    });
    match store {
        Some(store) => {
            let mut loader = store.bulk_loader();
            loader.load_quads(quads.flatten().flatten()).map_err(|source| store.storage_error(source))?;
            if complete {
                loader.commit().map_err(|source| store.storage_error(source))?;
            }
        }
        None => quads.for_each(drop),
    }
    Ok(())
}

/// What a chunk of records gives the loader and the build's bookkeeping.
struct ChunkOutput {
    /// One vector per record (not concatenated: the loader streams through them).
    quads: Vec<Vec<Quad>>,
    /// Quads describing nodes other records may describe too, with their hashes.
    shared: Vec<(u128, Quad)>,
    /// One per record read, papers and code links alike.
    papers: Vec<PaperRead>,
    sources: BTreeSet<FactSource>,
    /// The file the records were read from; `None` when none was.
    listing: Option<Arc<Listing>>,
    /// Records that did not parse, in input order.
    problems: Vec<Problem>,
}

/// A record as the build's bookkeeping sees it: the paper it is about.
struct PaperRead {
    /// The record is a code link (for a paper read elsewhere, or not at all).
    code_link: bool,
    /// The paper's IRI; `None` for a code link naming no paper (it is skipped).
    iri: Option<String>,
    /// Concepts mentioned, as taxonomy indexes, each with its number of mentions.
    concepts: Vec<(usize, u32)>,
    /// Whether the record gave an arXiv id.
    identified: bool,
    /// The normalized title, for papers without an arXiv id, or for all when `titles_of_all`.
    title_key: Option<String>,
}

/// Parses (where the reader left it to us), extracts and turns into quads a chunk of records,
/// in parallel.
fn chunk_quads(chunk: Vec<Pending>, extractor: &Extractor<'_>, provenance: Provenance, titles_of_all: bool) -> ChunkOutput {
    type Made = (QuadSink, Vec<(u128, Quad)>, PaperRead, Arc<Listing>);
    let per_record: Vec<Result<Made, Problem>> = chunk
        .into_par_iter()
        .map(|pending| {
            let record = pending.parse()?;
            let mut sink = QuadSink::default();
            let (iri, title, identified, concepts) = match &record {
                Record::Paper(paper) => {
                    let facts = extractor.extract(paper);
                    rdf::paper_quads(paper, &facts, extractor, provenance, &mut sink);
                    let mut counts: BTreeMap<usize, u32> = BTreeMap::new();
                    for m in &facts.mentions {
                        *counts.entry(m.entry).or_default() += 1;
                    }
                    (Some(rdf::iri::paper(paper)), Some(paper.title.as_str()), paper.arxiv_id.is_some(), counts.into_iter().collect())
                }
                Record::CodeLink(link) => {
                    rdf::code_link_quads(link, provenance, &mut sink);
                    let named = link.arxiv_id.is_some() || link.title.is_some();
                    let iri = named.then(|| rdf::iri::paper_by(link.arxiv_id.as_deref(), link.title.as_deref().unwrap_or_default()));
                    (iri, link.title.as_deref(), link.arxiv_id.is_some(), Vec::new())
                }
            };
            let title_key = title.filter(|_| !identified || titles_of_all).map(rdf::iri::normalize_title);
            let code_link = matches!(record, Record::CodeLink(_));
            let listing = match &record {
                Record::Paper(paper) => paper.source.clone(),
                Record::CodeLink(link) => link.source.clone(),
            };
            let shared: Vec<(u128, Quad)> = std::mem::take(&mut sink.shared).into_iter().map(|quad| (SharedQuads::hash(&quad), quad)).collect();
            Ok((sink, shared, PaperRead { code_link, iri: iri.map(NamedNode::into_string), concepts, identified, title_key }, listing))
        })
        .collect();
    let mut out = ChunkOutput { quads: Vec::with_capacity(per_record.len() + 2), shared: Vec::new(), papers: Vec::new(), sources: BTreeSet::new(), listing: None, problems: Vec::new() };
    for result in per_record {
        match result {
            Ok((sink, shared, paper, listing)) => {
                out.listing.get_or_insert(listing);
                out.quads.push(sink.quads);
                out.shared.extend(shared);
                out.sources.extend(sink.fact_sources);
                out.papers.push(paper);
            }
            Err(problem) => out.problems.push(problem),
        }
    }
    out
}

fn note_problem(report: &mut BuildReport, problem: Problem, options: BuildOptions) -> Result<(), BuildError> {
    if options.strict {
        return Err(BuildError::Strict(problem));
    }
    report.skipped += 1;
    if report.problems.len() < MAX_PROBLEMS_KEPT {
        report.problems.push(problem);
    }
    Ok(())
}

fn as_messages<S: serde::Serializer>(problems: &[Problem], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(problems.iter().map(ToString::to_string))
}
