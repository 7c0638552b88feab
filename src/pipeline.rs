//! `build`: ingest → extract → rdf → store, streaming.
//!
//! A reader thread pulls records from each input in turn, in chunks; each chunk is extracted
//! and turned into quads on rayon's pool, and the quads flow through a bounded channel into
//! Oxigraph's bulk loader. Memory holds a few chunks and the loader's batch, never the corpus.
//! The loader commits once at the end, so a failed build (or `--strict` meeting a bad record)
//! leaves the store as it was.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{sync_channel, Receiver};

use oxigraph::model::Quad;
use rayon::prelude::*;
use serde::Serialize;

use crate::extract::{Datasets, Extractor, Taxonomy};
use crate::ingest::{self, Problem};
use crate::model::Record;
use crate::rdf::{self, FactGraph, Provenance, QuadSink};
use crate::store::statistics::{self, PaperConcepts};
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
    let mut table = match store {
        Some(store) => {
            let table = PaperConcepts::open(store)?;
            PaperConcepts::mark_stale(store)?;
            table
        }
        None => PaperConcepts::default(),
    };

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
                let mut chunk = Vec::with_capacity(CHUNK_RECORDS);
                let mut records = opened.records.peekable();
                while records.peek().is_some() {
                    chunk.clear();
                    for item in records.by_ref().take(CHUNK_RECORDS) {
                        match item {
                            Ok(record) => chunk.push(record),
                            Err(problem) => note_problem(&mut report, problem, options)?,
                        }
                    }
                    let (mut quads, mentioned, graphs) = chunk_quads(&chunk, &extractor, options.provenance);
                    for (paper, counts) in &mentioned {
                        concepts.extend(counts.iter().map(|(concept, _)| *concept));
                        let iris = counts.iter().map(|&(concept, n)| (knowledge.taxonomy.concepts[concept].iri.as_str(), n));
                        if let (Some(_), Some(record)) = (store, chunk.first()) {
                            table.add(paper, &record.source().name, iris);
                        }
                    }
                    if let Some(record) = chunk.first() {
                        let mut listing = QuadSink::default();
                        if !listing_written {
                            rdf::listing_quads(record.source(), &mut listing);
                            listing_written = true;
                        }
                        for graph in graphs {
                            if described.insert(graph) {
                                rdf::fact_graph_quads(&record.source().name, graph, &mut listing);
                            }
                        }
                        quads.push(listing.quads);
                    }
                    for record in &chunk {
                        match record {
                            Record::Paper(_) => report.records += 1,
                            Record::CodeLink(_) => report.code_links += 1,
                        }
                    }
                    report.quads_written += quads.iter().map(Vec::len).sum::<usize>();
                    if sender.send(Chunk::Quads(quads)).is_err() {
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
    report.concepts_mentioned = concepts.len();
    if let Some(store) = store {
        let merged = store.merge_papers_by_title()?;
        report.papers_merged = merged.len();
        for (from, to) in &merged {
            table.merge(from, to);
        }
        statistics::update(store, &table)?;
        table.save(store)?;
        report.papers = store.count_of_type(crate::rdf::vocab::SCHEMA_SCHOLARLY_ARTICLE)?;
        report.repositories = store.count_of_type(crate::rdf::vocab::SCHEMA_SOFTWARE_SOURCE_CODE)?;
    }
    Ok(report)
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

/// The concepts a paper (IRI) mentions, as taxonomy indexes, each with its number of mentions.
type Mentioned = (String, Vec<(usize, u32)>);

/// Quads of a chunk of records (one vector per record, not concatenated: the loader streams
/// through them), extracted in parallel, the concepts each paper mentions and the fact graphs
/// they use.
fn chunk_quads(chunk: &[Record], extractor: &Extractor<'_>, provenance: Provenance) -> (Vec<Vec<Quad>>, Vec<Mentioned>, BTreeSet<FactGraph>) {
    let per_record: Vec<(QuadSink, Option<Mentioned>)> = chunk
        .par_iter()
        .map(|record| {
            let mut sink = QuadSink::default();
            let mentioned = match record {
                Record::Paper(paper) => {
                    let facts = extractor.extract(paper);
                    rdf::paper_quads(paper, &facts, extractor, provenance, &mut sink);
                    let mut counts: BTreeMap<usize, u32> = BTreeMap::new();
                    for m in &facts.mentions {
                        *counts.entry(m.entry).or_default() += 1;
                    }
                    Some((rdf::iri::paper(paper).into_string(), counts.into_iter().collect()))
                }
                Record::CodeLink(link) => {
                    rdf::code_link_quads(link, provenance, &mut sink);
                    None
                }
            };
            (sink, mentioned)
        })
        .collect();
    let mut mentioned = Vec::new();
    let mut graphs = BTreeSet::new();
    let quads = per_record
        .into_iter()
        .map(|(sink, paper)| {
            mentioned.extend(paper);
            graphs.extend(sink.fact_graphs);
            sink.quads
        })
        .collect();
    (quads, mentioned, graphs)
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
