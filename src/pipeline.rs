//! `build`: ingest → extract → rdf → store, streaming.
//!
//! The calling thread pulls records from each input in turn, in chunks; each chunk is parsed,
//! extracted and turned into quads on rayon's pool, and the quads flow through a bounded
//! channel into Oxigraph's bulk loader. Memory holds a few chunks and the loader's batch, never
//! the corpus. The loader commits once at the end, so a failed build (or `--strict` meeting a
//! bad record) leaves the store as it was.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Arc;
use std::time::Instant;

use oxigraph::io::{RdfFormat, RdfParseError, RdfParser, RdfSerializer};
use oxigraph::model::NamedNode;
use rayon::prelude::*;
use rustc_hash::FxHashSet;
use serde::Serialize;

use crate::extract::{classify_url, Datasets, Extractor, LinkTarget, Taxonomy};
use crate::ingest::{self, Pending, Problem};
use crate::model::{Listing, Record};
use crate::rdf::{self, FactSource, Provenance, QuadSink, Quads, SharedAt};
use crate::store::statistics::{self, PaperIndex};
use crate::store::titles;
use crate::store::{GraphStore, StoreError};

/// Builds started in this process, so that each has its own [`SharedAt::build`].
static NEXT_BUILD: AtomicU64 = AtomicU64::new(0);
/// Records extracted together on the pool.
const CHUNK_RECORDS: usize = 512;
/// Chunks of quads waiting for the loader.
const CHUNKS_IN_FLIGHT: usize = 2;
/// Quads handed to the bulk loader at a time by [`load_quad_files`].
const LOAD_BATCH: usize = 100_000;
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
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Fail on the first bad file or record instead of skipping it.
    pub strict: bool,
    /// How much provenance to store with each fact.
    pub provenance: Provenance,
    /// The inputs are a part of a bigger file (see [`ingest::Part`]).
    pub part: Option<ingest::Part>,
}

/// Where a build's quads go.
pub enum Target<'a> {
    /// Into this store, which is then finished: papers merged by title, statistics updated.
    Store(&'a GraphStore),
    /// Written to this writer in this format (N-Quads or N-Triples), unfinished: the output of
    /// `papergraph extract`, for loading elsewhere and finishing there (`papergraph finalize`).
    Write(&'a mut (dyn Write + Send), RdfFormat),
    /// Nowhere: only counted (a dry run).
    Count,
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
    #[error("cannot write the quads: {0}")]
    Write(std::io::Error),
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

/// Reads `inputs`, extracts facts with `knowledge`, and sends the quads to `target`.
/// `progress` is called after each chunk.
///
/// Bad files and records are skipped and reported (or stop the build under `strict`); every
/// good record is stored.
pub fn build(
    inputs: &[PathBuf],
    knowledge: &Knowledge,
    target: Target<'_>,
    options: &BuildOptions,
    progress: &(dyn Fn(&Progress) + Sync),
) -> Result<BuildReport, BuildError> {
    let store = match &target {
        Target::Store(store) => Some(*store),
        _ => None,
    };
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

    let build_id = NEXT_BUILD.fetch_add(1, Ordering::Relaxed);
    let mut chunks = 0;
    let (sender, receiver) = sync_channel::<Chunk>(CHUNKS_IN_FLIGHT);
    let outcome = std::thread::scope(|scope| {
        report.quads_written += curated.iter().map(Quads::len).sum::<usize>();
        let loader = scope.spawn(move || load(target, receiver));
        sender.send(Chunk::Quads(curated)).ok();
        let mut read = || -> Result<(), BuildError> {
            let mut done = Progress { bytes_total, ..Progress::default() };
            for file in &files {
                let opened = match ingest::open_part(file, options.part.as_ref()) {
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
                let mut records = opened.records;
                let mut next = ReadChunk::read(&mut records);
                while !next.is_empty() {
                    // Problems are noted in input order: those of reading now, those of
                    // parsing (done with extraction, in parallel) after.
                    let chunk = std::mem::take(&mut next);
                    for problem in chunk.problems {
                        note_problem(&mut report, problem, options)?;
                    }
                    chunks += 1;
                    let at = SharedAt { build: build_id, chunk: chunks };
                    let titles_of_all = !index.orphan_titles.is_empty();
                    // The next chunk is read while this one is extracted.
                    let mut out;
                    (out, next) = rayon::join(
                        || chunk_quads(chunk.records, &extractor, options.provenance, at, titles_of_all),
                        || ReadChunk::read(&mut records),
                    );
                    for problem in std::mem::take(&mut out.problems) {
                        note_problem(&mut report, problem, options)?;
                    }
                    let Some(source) = out.listing.clone() else { continue };
                    for paper in &out.papers {
                        concepts.extend(paper.concepts.iter().map(|(concept, _)| *concept));
                        if let (Some(_), Some(iri)) = (store, &paper.iri) {
                            let mentioned = paper.concepts.iter().map(|&(concept, n)| (knowledge.taxonomy.concepts[concept].iri.as_str(), n));
                            index.add(iri, &source.name, mentioned);
                            let listed_by = (!paper.code_link).then_some(source.name.as_str());
                            index.describe(iri, paper.title.as_deref(), listed_by, paper.repositories.iter().map(|(iri, name)| (iri.as_str(), name.as_str())));
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
                    out.quads.push(shared.first_seen(&out.shared));
                    report.records += out.papers.iter().filter(|p| !p.code_link).count();
                    report.code_links += out.papers.iter().filter(|p| p.code_link).count();
                    report.quads_written += out.quads.iter().map(Quads::len).sum::<usize>();
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
        read_result.and(load_result)
    });
    outcome?;
    report.seconds_loading = started.elapsed().as_secs_f64();
    report.concepts_mentioned = concepts.len();
    if let Some(store) = store {
        let finished = finish(store, index, &merge_titles)?;
        (report.papers, report.papers_merged, report.repositories) = (finished.papers, finished.papers_merged, finished.repositories);
    }
    report.seconds_finishing = started.elapsed().as_secs_f64() - report.seconds_loading;
    Ok(report)
}

/// What finishing a store did.
#[derive(Debug, Default, Serialize)]
pub struct Finished {
    /// Distinct papers in the store.
    pub papers: usize,
    /// Papers without an arXiv id merged into the paper with their title that has one.
    pub papers_merged: usize,
    /// Distinct code repositories in the store.
    pub repositories: usize,
}

/// What `build` does once everything is loaded: papers read without an arXiv id merge into the
/// paper with the same normalized title (of `titles`) that has one, and the lookup statistics
/// are recomputed from `index`, which is saved with the store.
fn finish(store: &GraphStore, mut index: PaperIndex, titles: &BTreeSet<String>) -> Result<Finished, StoreError> {
    let merges = store.merge_papers_by_title(titles.iter().map(String::as_str))?;
    for (from, to) in &merges.merged {
        index.merge(from, to);
    }
    for title in titles {
        index.orphan_titles.remove(title);
    }
    index.orphan_titles.extend(merges.unmerged);
    statistics::update(store, &index)?;
    if store.endpoint().is_none() {
        // The title index is valid once the paper index is saved (which ends staleness).
        titles::save(store, &index)?;
        index.save(store)?;
    }
    store.wait_for_compaction()?;
    Ok(Finished {
        papers: store.count_of_type(crate::rdf::vocab::SCHEMA_SCHOLARLY_ARTICLE)?,
        papers_merged: merges.merged.len(),
        repositories: store.count_of_type(crate::rdf::vocab::SCHEMA_SOFTWARE_SOURCE_CODE)?,
    })
}

/// Finishes a store whose quads were loaded by other means (`papergraph extract` output, by
/// `papergraph load` or another loader), as `build` finishes its own: the paper index is
/// recounted from the stored facts and provenance, every title without an arXiv id is tried
/// for merging, and the statistics are recomputed. Finishing twice changes nothing. Works on a
/// SPARQL server too (the paper index is then not kept).
pub fn finalize(store: &GraphStore) -> Result<Finished, StoreError> {
    if store.endpoint().is_none() {
        PaperIndex::mark_stale(store)?;
    }
    // Recounting reads every paper's provenance literal: random reads across the store.
    store.prefetch();
    let index = PaperIndex::from_store(store)?;
    let titles = index.orphan_titles.clone();
    finish(store, index, &titles)
}

/// What loading quad files did.
#[derive(Debug, Default, Serialize)]
pub struct Loaded {
    /// Files read.
    pub files: usize,
    /// Quads read (before the store drops those it already holds).
    pub quads: usize,
    /// Lines skipped as bad.
    pub skipped: usize,
    /// The first bad lines (`FILE:LINE: message` in JSON).
    #[serde(serialize_with = "as_messages")]
    pub problems: Vec<Problem>,
}

/// Bulk-loads N-Quads or N-Triples files (gzip-compressed or not; `papergraph extract`'s
/// output) into `store`, committing once at the end. Bad lines are skipped and reported, or
/// stop the load under `strict` (nothing is then stored).
pub fn load_quad_files(files: &[PathBuf], store: &GraphStore, strict: bool) -> Result<Loaded, BuildError> {
    let mut loaded = Loaded::default();
    let options = BuildOptions { strict, ..BuildOptions::default() };
    let mut loader = store.bulk_loader()?;
    for path in files {
        let problem = |line: Option<usize>, message: String| Problem::new(path, line, message);
        let input = match ingest::open_decompressed(path) {
            Ok(input) => input,
            Err(e) => {
                note_problem(&mut loaded, problem(None, format!("cannot read file: {e}")), &options)?;
                continue;
            }
        };
        let mut quads = Vec::with_capacity(LOAD_BATCH);
        for parsed in RdfParser::from_format(RdfFormat::NQuads).for_reader(input) {
            match parsed {
                Ok(quad) => quads.push(quad),
                Err(RdfParseError::Syntax(e)) => {
                    let line = e.location().map(|l| l.start.line as usize + 1);
                    note_problem(&mut loaded, problem(line, e.to_string()), &options)?;
                }
                Err(RdfParseError::Io(e)) => {
                    note_problem(&mut loaded, problem(None, format!("cannot read: {e}")), &options)?;
                    break;
                }
            }
            if quads.len() == LOAD_BATCH {
                loaded.quads += quads.len();
                loader.load_quads(quads.drain(..)).map_err(|source| store.storage_error(source))?;
            }
        }
        loaded.quads += quads.len();
        loader.load_quads(quads).map_err(|source| store.storage_error(source))?;
        loaded.files += 1;
    }
    loader.commit().map_err(|source| store.storage_error(source))?;
    Ok(loaded)
}

/// Drops quads describing shared nodes (authors, categories, methods, repositories) that this
/// build has already sent to the loader: they would only cost the loader time.
#[derive(Default)]
struct SharedQuads {
    /// The hashes of the quads sent (made with them: [`QuadSink::shared`]; a collision, which
    /// would drop a quad, is as likely as one in 2^64 builds of a billion quads).
    sent: FxHashSet<u128>,
}

impl SharedQuads {
    /// The quads of `made` (each record's shared quads and their hashes) not sent before.
    fn first_seen(&mut self, made: &[(Vec<u128>, Quads)]) -> Quads {
        let mut kept = Quads::default();
        for (hashes, quads) in made {
            for (hash, quad) in hashes.iter().zip(quads.iter()) {
                if self.sent.insert(*hash) {
                    kept.push_quad(quad);
                }
            }
        }
        kept
    }
}

/// What the reader sends the loader.
enum Chunk {
    Quads(Vec<Quads>),
    /// Every input was read: the loader may commit.
    End,
}

/// Drains the channel into the bulk loader (or the writer, or nowhere in a dry run). Commits
/// only when the reader got to the end, so a build stopped by an error stores nothing.
fn load(target: Target<'_>, receiver: Receiver<Chunk>) -> Result<(), BuildError> {
    let mut complete = false;
    let quads = receiver.iter().map_while(|chunk| match chunk {
        Chunk::Quads(quads) => Some(quads),
        Chunk::End => {
            complete = true;
            None
        }
    });
    match target {
        Target::Store(store) => {
            let mut loader = store.bulk_loader()?;
            loader.load_batches(quads.flatten()).map_err(|source| store.storage_error(source))?;
            if complete {
                loader.commit().map_err(|source| store.storage_error(source))?;
            }
        }
        Target::Write(writer, format) => {
            let mut serializer = RdfSerializer::from_format(format).for_writer(writer);
            for quads in quads.flatten() {
                for quad in quads.iter() {
                    serializer.serialize_quad(quad).map_err(BuildError::Write)?;
                }
            }
            serializer.finish().map_err(BuildError::Write)?.flush().map_err(BuildError::Write)?;
        }
        Target::Count => quads.for_each(drop),
    }
    Ok(())
}

/// Up to [`CHUNK_RECORDS`] items of a reader: records, and the problems met reading them.
#[derive(Default)]
struct ReadChunk {
    records: Vec<Pending>,
    problems: Vec<Problem>,
}

impl ReadChunk {
    fn read(records: &mut ingest::PendingRecords) -> Self {
        let mut chunk = ReadChunk { records: Vec::with_capacity(CHUNK_RECORDS), problems: Vec::new() };
        for item in records.take(CHUNK_RECORDS) {
            match item {
                Ok(pending) => chunk.records.push(pending),
                Err(problem) => chunk.problems.push(problem),
            }
        }
        chunk
    }

    fn is_empty(&self) -> bool {
        self.records.is_empty() && self.problems.is_empty()
    }
}

/// What a chunk of records gives the loader and the build's bookkeeping.
struct ChunkOutput {
    /// One buffer per record (not concatenated: the loader reads them where they are).
    quads: Vec<Quads>,
    /// Per record, quads describing nodes other records may describe too, and their hashes.
    shared: Vec<(Vec<u128>, Quads)>,
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
    /// The title as written.
    title: Option<String>,
    /// The repositories the record links the paper to: IRI and full name.
    repositories: Vec<(String, String)>,
}

/// Parses (where the reader left it to us), extracts and turns into quads a chunk of records,
/// in parallel.
fn chunk_quads(chunk: Vec<Pending>, extractor: &Extractor<'_>, provenance: Provenance, at: SharedAt, titles_of_all: bool) -> ChunkOutput {
    type Made = (QuadSink, PaperRead, Arc<Listing>);
    let per_record: Vec<Result<Made, Problem>> = chunk
        .into_par_iter()
        .map(|pending| {
            let record = pending.parse()?;
            let mut sink = QuadSink::for_record(Some(at));
            let (iri, title, identified, concepts, repositories) = match &record {
                Record::Paper(paper) => {
                    let facts = extractor.extract(paper);
                    rdf::paper_quads(paper, &facts, extractor, provenance, &mut sink);
                    let mut counts: BTreeMap<usize, u32> = BTreeMap::new();
                    for m in &facts.mentions {
                        *counts.entry(m.entry).or_default() += 1;
                    }
                    let repositories = facts.links.iter().filter_map(|link| match &link.target {
                        LinkTarget::Repository(repo) => Some((rdf::iri::repository(repo).into_string(), repo.full_name())),
                        LinkTarget::Page(_) => None,
                    });
                    (Some(rdf::iri::paper(paper)), Some(paper.title.as_str()), paper.arxiv_id.is_some(), counts.into_iter().collect(), repositories.collect())
                }
                Record::CodeLink(link) => {
                    rdf::code_link_quads(link, provenance, &mut sink);
                    let named = link.arxiv_id.is_some() || link.title.is_some();
                    let iri = named.then(|| rdf::iri::paper_by(link.arxiv_id.as_deref(), link.title.as_deref().unwrap_or_default()));
                    let repository = match classify_url(&link.url) {
                        Some(LinkTarget::Repository(repo)) => vec![(rdf::iri::repository(&repo).into_string(), repo.full_name())],
                        _ => Vec::new(),
                    };
                    (iri, link.title.as_deref(), link.arxiv_id.is_some(), Vec::new(), repository)
                }
            };
            let title_key = title.filter(|_| !identified || titles_of_all).map(rdf::iri::normalize_title);
            let code_link = matches!(record, Record::CodeLink(_));
            let listing = match &record {
                Record::Paper(paper) => paper.source.clone(),
                Record::CodeLink(link) => link.source.clone(),
            };
            let read = PaperRead { code_link, iri: iri.map(NamedNode::into_string), concepts, identified, title_key, title: title.map(str::to_owned), repositories };
            Ok((sink, read, listing))
        })
        .collect();
    let mut out = ChunkOutput { quads: Vec::with_capacity(per_record.len() + 2), shared: Vec::new(), papers: Vec::new(), sources: BTreeSet::new(), listing: None, problems: Vec::new() };
    for result in per_record {
        match result {
            Ok((sink, paper, listing)) => {
                out.listing.get_or_insert(listing);
                out.quads.push(sink.quads);
                out.shared.push((sink.shared_keys, sink.shared));
                out.sources.extend(sink.fact_sources);
                out.papers.push(paper);
            }
            Err(problem) => out.problems.push(problem),
        }
    }
    out
}

/// A report of skipped inputs.
trait Skips {
    fn skip(&mut self, problem: Problem);
}

impl Skips for BuildReport {
    fn skip(&mut self, problem: Problem) {
        keep(&mut self.skipped, &mut self.problems, problem);
    }
}

impl Skips for Loaded {
    fn skip(&mut self, problem: Problem) {
        keep(&mut self.skipped, &mut self.problems, problem);
    }
}

/// Counts a skipped input, keeping the first `MAX_PROBLEMS_KEPT` problems.
fn keep(skipped: &mut usize, problems: &mut Vec<Problem>, problem: Problem) {
    *skipped += 1;
    if problems.len() < MAX_PROBLEMS_KEPT {
        problems.push(problem);
    }
}

fn note_problem(report: &mut impl Skips, problem: Problem, options: &BuildOptions) -> Result<(), BuildError> {
    if options.strict {
        return Err(BuildError::Strict(problem));
    }
    report.skip(problem);
    Ok(())
}

fn as_messages<S: serde::Serializer>(problems: &[Problem], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(problems.iter().map(ToString::to_string))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records spanning several chunks, every one by the same two authors, the first spelled
    /// differently in the last chunk (`A. Lee`, then `A Lee`: one person, two names).
    fn corpus(records: usize) -> String {
        (0..records)
            .map(|i| {
                let lee = if i < 2 * CHUNK_RECORDS { "A." } else { "A" };
                format!(
                    r#"{{"id":"2401.{i:05}","title":"Paper {i} on KV cache compression","abstract":"We propose Method{i}, a KV cache method.","categories":"cs.LG","authors_parsed":[["Lee","{lee}",""],["Park","Jin",""]]}}"#
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn extract(path: &std::path::Path) -> String {
        let mut out = Vec::new();
        let report = build(&[path.to_owned()], &Knowledge::bundled(), Target::Write(&mut out, RdfFormat::NQuads), &BuildOptions::default(), &|_| {})
            .unwrap();
        assert_eq!(report.records, 3 * CHUNK_RECORDS + 7);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn shared_quads_are_written_once_across_chunks_and_builds_and_none_is_lost() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("papers.jsonl");
        std::fs::write(&path, corpus(3 * CHUNK_RECORDS + 7)).unwrap();
        let first = extract(&path);
        let lines: Vec<&str> = first.lines().collect();
        let distinct: BTreeSet<&str> = lines.iter().copied().collect();
        assert_eq!(lines.len(), distinct.len(), "a quad was written twice");
        let count = |needle: &str| lines.iter().filter(|l| l.contains(needle)).count();
        assert_eq!(count(r#"<https://schema.org/name> "A. Lee""#), 1);
        assert_eq!(count(r#"<https://schema.org/name> "A Lee""#), 1, "the spelling first seen in a later chunk is kept");
        assert_eq!(count(r#"<https://schema.org/name> "Jin Park""#), 1);
        assert_eq!(count("<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://schema.org/Person>"), 2);
        assert_eq!(count("> <https://schema.org/author> "), 2 * (3 * CHUNK_RECORDS + 7));
        // A second build in the same process (same threads) writes the shared quads again.
        assert_eq!(extract(&path), first);
    }
}
