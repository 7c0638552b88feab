//! `build`: inputs → store, with a progress bar and a summary; `extract`: inputs → quads, for
//! loading elsewhere; `load` and `finalize`: extracted quads → a finished store.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use flate2::write::GzEncoder;
use flate2::Compression;
use oxigraph::io::RdfFormat;

use anyhow::{bail, Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use papergraph::extract::{Datasets, Taxonomy};
use papergraph::ingest::{Part, Problem};
use papergraph::pipeline::{self, BuildError, BuildOptions, BuildReport, Finished, Progress, Target};
use papergraph::rdf::Provenance;
use papergraph::store::{push, GraphStore, StagedStore, WriterLock};

use super::{Location, EXIT_PARTIAL};

#[derive(Args)]
pub struct BuildArgs {
    /// Input files or directories (searched recursively): listing pages (*.txt), arXiv metadata
    /// JSON lines, arXiv API Atom feeds, Papers-with-Code JSON dumps; any of them gzipped.
    /// The format is recognized from the content. `-` reads standard input.
    #[arg(value_name = "PATHS", default_value = "data/listings")]
    inputs: Vec<PathBuf>,
    #[command(flatten)]
    extraction: ExtractionArgs,
    /// Add to the existing store instead of replacing it (re-adding a file adds nothing).
    #[arg(long, conflicts_with = "dry_run")]
    append: bool,
    /// Read and extract, count the quads, store nothing.
    #[arg(long)]
    dry_run: bool,
    /// No progress bar and no warnings; the summary is still printed.
    #[arg(short, long)]
    quiet: bool,
    /// Also write the summary as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    summary_json: Option<PathBuf>,
}

/// How records become facts: shared by `build` and `extract`.
#[derive(Args)]
struct ExtractionArgs {
    /// Extra SKOS taxonomy (Turtle) whose concepts are added to the bundled ones; repeatable.
    #[arg(long, value_name = "FILE")]
    taxonomy: Vec<PathBuf>,
    /// Stop at the first bad file or record (the store is left as it was).
    #[arg(long)]
    strict: bool,
    /// How much provenance to store with each fact: `compact` (each fact also stated with a
    /// sub-property of its predicate naming its listing, extractor and confidence, plus one
    /// `pg:occurrences` JSON literal per paper with every occurrence's field, span, text and
    /// line), `full` (one `pg:Evidence` record per occurrence instead of the literal: about 4
    /// times the store) or `none` (the bare graph; `papergraph paper` then shows no evidence).
    #[arg(long, value_enum, default_value_t = ProvenanceArg::Compact)]
    provenance: ProvenanceArg,
}

impl ExtractionArgs {
    fn knowledge(&self) -> Result<pipeline::Knowledge> {
        let mut taxonomy = Taxonomy::bundled();
        for path in &self.taxonomy {
            taxonomy = taxonomy.merge(Taxonomy::load(path)?);
        }
        if !self.taxonomy.is_empty() {
            // A cycle may close only when a user's file meets the bundled taxonomy.
            taxonomy.check_hierarchy("--taxonomy")?;
        }
        Ok(pipeline::Knowledge { taxonomy, datasets: Datasets::bundled() })
    }

    fn options(&self) -> BuildOptions {
        BuildOptions { strict: self.strict, provenance: self.provenance.into(), part: None }
    }
}

#[derive(Args)]
pub struct ExtractArgs {
    /// Input files or directories, as for `build`; `-` (the default) reads standard input
    /// (arXiv JSON lines, or any format `build` reads).
    #[arg(value_name = "PATHS", default_value = "-")]
    inputs: Vec<PathBuf>,
    #[command(flatten)]
    extraction: ExtractionArgs,
    /// Write the quads to FILE (gzip-compressed when its name ends in .gz) instead of standard
    /// output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Output format; every quad is in the default graph, so both give the same lines.
    #[arg(long, value_enum, default_value_t = QuadFormat::Nquads)]
    format: QuadFormat,
    /// The input is a part of the file NAME (a shard cut from it): its listing is named NAME,
    /// so that parts extracted separately give the whole file's graph.
    #[arg(long, value_name = "NAME")]
    part_of: Option<String>,
    /// Number, in the whole file, of the part's first line (JSON lines are numbered from it in
    /// the provenance).
    #[arg(long, value_name = "N", default_value_t = 1, requires = "part_of", value_parser = clap::value_parser!(u64).range(1..))]
    first_line: u64,
    /// No warnings; the summary is still printed (on standard error).
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum QuadFormat {
    Nquads,
    Ntriples,
}

#[derive(Args)]
pub struct LoadArgs {
    /// N-Quads or N-Triples files (optionally gzipped), e.g. `papergraph extract` shards.
    #[arg(value_name = "FILES", required = true)]
    files: Vec<PathBuf>,
    /// Add to the existing store instead of replacing it.
    #[arg(long)]
    append: bool,
    /// Stop at the first bad line (the store is left as it was).
    #[arg(long)]
    strict: bool,
}

pub fn build(store_dir: &Path, args: &BuildArgs) -> Result<ExitCode> {
    let knowledge = args.extraction.knowledge()?;
    let options = args.extraction.options();
    let bar = progress_bar(args.quiet);
    let progress = |p: &Progress| {
        bar.set_length(p.bytes_total);
        bar.set_position(p.bytes_read);
        let rate = p.records as f64 / bar.elapsed().as_secs_f64().max(1e-3);
        bar.set_message(format!("{} records ({rate:.0}/s)", p.records));
    };
    // One writer at a time; queries keep reading the old store during a fresh build.
    let _writing = (!args.dry_run).then(|| WriterLock::acquire(store_dir)).transpose()?;
    let (report, store_path) = if args.dry_run {
        (pipeline::build(&args.inputs, &knowledge, Target::Count, &options, &progress)?, None)
    } else if args.append {
        let store = GraphStore::open(store_dir)?;
        (pipeline::build(&args.inputs, &knowledge, Target::Store(&store), &options, &progress)?, Some(store.path))
    } else {
        let staged = StagedStore::create(store_dir)?;
        match pipeline::build(&args.inputs, &knowledge, Target::Store(staged.store()), &options, &progress) {
            Ok(report) if report.records_read() > 0 => (report, Some(staged.finish()?)),
            result => {
                staged.discard()?;
                (result?, None)
            }
        }
    };
    bar.finish_and_clear();
    if !args.quiet {
        warn_skipped(&report.problems, report.skipped);
    }
    if let Some(path) = &args.summary_json {
        let json = serde_json::to_string_pretty(&report)?;
        std::fs::write(path, json + "\n").with_context(|| format!("cannot write {}", path.display()))?;
    }
    if report.records_read() == 0 {
        bail!("no papers read from {}; the store is unchanged", args.inputs.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "));
    }
    print_summary(&report, store_path.as_deref(), bar.elapsed());
    Ok(if report.skipped == 0 { ExitCode::SUCCESS } else { ExitCode::from(EXIT_PARTIAL) })
}

/// Prints the problems kept, and how many more there were.
fn warn_skipped(problems: &[Problem], skipped: usize) {
    for problem in problems {
        eprintln!("warning: skipped {problem}");
    }
    if skipped > problems.len() {
        eprintln!("warning: ... and {} more skipped", skipped - problems.len());
    }
}

pub fn extract(args: &ExtractArgs) -> Result<ExitCode> {
    let knowledge = args.extraction.knowledge()?;
    let mut options = args.extraction.options();
    if let Some(name) = &args.part_of {
        if args.inputs.len() != 1 {
            bail!("--part-of names the one file the input is a part of; give one input");
        }
        options.part = Some(Part { name: name.clone(), first_line: args.first_line as usize });
    }
    let format = match args.format {
        QuadFormat::Nquads => RdfFormat::NQuads,
        QuadFormat::Ntriples => RdfFormat::NTriples,
    };
    let started = Instant::now();
    let report = match &args.output {
        Some(path) if path.as_os_str() != "-" => {
            let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
            let gzipped = path.extension().is_some_and(|e| e == "gz");
            let mut out: Box<dyn Write + Send> = match gzipped {
                true => Box::new(BufWriter::new(GzEncoder::new(file, Compression::fast()))),
                false => Box::new(BufWriter::new(file)),
            };
            let report = pipeline::build(&args.inputs, &knowledge, Target::Write(&mut out, format), &options, &|_| ());
            if report.is_err() {
                drop(out);
                std::fs::remove_file(path).ok();
            }
            report?
        }
        _ => {
            let mut out = BufWriter::with_capacity(1 << 16, io::stdout());
            match pipeline::build(&args.inputs, &knowledge, Target::Write(&mut out, format), &options, &|_| ()) {
                // A reader that stopped reading (`| head`) is not a failure.
                Err(BuildError::Write(e)) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(ExitCode::SUCCESS),
                report => report?,
            }
        }
    };
    if !args.quiet {
        warn_skipped(&report.problems, report.skipped);
    }
    // A part may hold no record (blank or bad lines only); a whole input must hold some.
    if report.records_read() == 0 && args.part_of.is_none() {
        bail!("no papers read from {}", args.inputs.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "));
    }
    eprintln!(
        "extracted {} quads from {} paper records and {} code links in {:.1} s; skipped {}",
        report.quads_written,
        report.records,
        report.code_links,
        started.elapsed().as_secs_f64(),
        report.skipped
    );
    Ok(if report.skipped == 0 { ExitCode::SUCCESS } else { ExitCode::from(EXIT_PARTIAL) })
}

pub fn load(store_dir: &Path, args: &LoadArgs) -> Result<ExitCode> {
    let _writing = WriterLock::acquire(store_dir)?;
    let started = Instant::now();
    let (loaded, finished, path) = if args.append {
        let store = GraphStore::open(store_dir)?;
        let loaded = pipeline::load_quad_files(&args.files, &store, args.strict)?;
        (loaded, pipeline::finalize(&store)?, store.path)
    } else {
        let staged = StagedStore::create(store_dir)?;
        let loaded = match pipeline::load_quad_files(&args.files, staged.store(), args.strict) {
            Ok(loaded) if loaded.quads > 0 => loaded,
            result => {
                staged.discard()?;
                let loaded = result?;
                bail!("no quads read from {} file(s) ({} bad lines); the store is unchanged", loaded.files, loaded.skipped);
            }
        };
        let finished = pipeline::finalize(staged.store())?;
        (loaded, finished, staged.finish()?)
    };
    warn_skipped(&loaded.problems, loaded.skipped);
    println!("loaded {} quads from {} file(s) in {:.1} s; skipped {} bad lines", loaded.quads, loaded.files, started.elapsed().as_secs_f64(), loaded.skipped);
    print_finished(&finished, &path);
    Ok(if loaded.skipped == 0 { ExitCode::SUCCESS } else { ExitCode::from(EXIT_PARTIAL) })
}

pub fn finalize(at: &Location<'_>) -> Result<ExitCode> {
    if let Some(endpoint) = at.endpoint()? {
        let store = GraphStore::remote(endpoint);
        let finished = pipeline::finalize(&store)?;
        print_finished(&finished, &store.path);
        return Ok(ExitCode::SUCCESS);
    }
    let _writing = WriterLock::acquire(at.store)?;
    let store = GraphStore::open_existing_for_writing(at.store)?;
    let finished = pipeline::finalize(&store)?;
    print_finished(&finished, &store.path);
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub struct PushArgs {
    /// N-Quads or N-Triples files (optionally gzipped) to push instead of the store.
    #[arg(value_name = "FILES")]
    files: Vec<PathBuf>,
    /// Triples per request.
    #[arg(long, default_value_t = 50_000, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    chunk: u64,
    /// Attempts per request before giving up on a transient error (connection, 5xx, 429).
    #[arg(long, default_value_t = 5, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    attempts: u32,
    /// Where to save progress, for resuming (default: beside the store or the first file).
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// No progress bar.
    #[arg(short, long)]
    quiet: bool,
}

pub fn push(at: &Location<'_>, args: &PushArgs) -> Result<ExitCode> {
    let Some(endpoint) = at.endpoint()? else {
        bail!("push needs the server: --endpoint URL (and its --graph-store URL)");
    };
    if endpoint.graph_store_url.is_none() {
        bail!("push sends the graph with the Graph Store HTTP Protocol: give the server's --graph-store URL");
    }
    let local;
    let source = if args.files.is_empty() {
        local = GraphStore::open_existing(at.store)?;
        push::Source::Store(&local)
    } else {
        push::Source::Files(&args.files)
    };
    let total = match &source {
        push::Source::Store(store) => store.len()? as u64,
        push::Source::Files(_) => 0,
    };
    let state_file = args.state.clone().unwrap_or_else(|| push::default_state_file(&source, &endpoint));
    let options = push::PushOptions { chunk_triples: args.chunk as usize, attempts: args.attempts, state_file };
    let bar = progress_bar(args.quiet);
    bar.set_style(ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} quads {per_sec} ETA {eta}").expect("the template is valid"));
    bar.set_length(total);
    let report = push::push(&source, &endpoint, &options, &|done| bar.set_position(done as u64))?;
    bar.finish_and_clear();
    println!(
        "pushed {} quads to {} in {:.1} s: {} chunk(s) sent, {} already there from an earlier push, {} retried",
        report.quads,
        endpoint.graph_store_url.as_deref().unwrap_or_default(),
        report.seconds,
        report.chunks_sent,
        report.chunks_skipped,
        report.retries
    );
    Ok(ExitCode::SUCCESS)
}

fn print_finished(finished: &Finished, store: &Path) {
    println!(
        "store {}: {} distinct papers, {} code repositories; {} merged by title; statistics updated",
        store.display(),
        finished.papers,
        finished.repositories,
        finished.papers_merged
    );
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ProvenanceArg {
    Full,
    Compact,
    None,
}

impl From<ProvenanceArg> for Provenance {
    fn from(arg: ProvenanceArg) -> Self {
        match arg {
            ProvenanceArg::Full => Provenance::Full,
            ProvenanceArg::Compact => Provenance::Compact,
            ProvenanceArg::None => Provenance::None,
        }
    }
}

/// A bar over the input bytes on a terminal; hidden in pipes and with --quiet.
fn progress_bar(quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {msg} ETA {eta}")
            .expect("the template is valid"),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

fn print_summary(report: &BuildReport, store: Option<&Path>, elapsed: Duration) {
    let s = |n: usize| if n == 1 { "" } else { "s" };
    println!(
        "read {} paper record{} and {} code link{} from {} file{}; skipped {}",
        report.records,
        s(report.records),
        report.code_links,
        s(report.code_links),
        report.files,
        s(report.files),
        report.skipped
    );
    println!("{} concepts mentioned; {} quads written in {:.1} s", report.concepts_mentioned, report.quads_written, elapsed.as_secs_f64());
    match store {
        Some(path) => println!(
            "store {}: {} distinct papers, {} code repositories{}",
            path.display(),
            report.papers,
            report.repositories,
            if report.papers_merged > 0 { format!(" ({} merged by title)", report.papers_merged) } else { String::new() }
        ),
        None => println!("dry run: nothing stored"),
    }
}
