//! `build`: inputs → store, with a progress bar and a summary.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use papergraph::extract::{Datasets, Taxonomy};
use papergraph::pipeline::{self, BuildOptions, BuildReport, Progress};
use papergraph::rdf::Provenance;
use papergraph::store::{GraphStore, StagedStore, WriterLock};

use super::EXIT_PARTIAL;

#[derive(Args)]
pub struct BuildArgs {
    /// Input files or directories (searched recursively): listing pages (*.txt), arXiv metadata
    /// JSON lines, arXiv API Atom feeds, Papers-with-Code JSON dumps; any of them gzipped.
    /// The format is recognized from the content.
    #[arg(value_name = "PATHS", default_value = "data/listings")]
    inputs: Vec<PathBuf>,
    /// Extra SKOS taxonomy (Turtle) whose concepts are added to the bundled ones; repeatable.
    #[arg(long, value_name = "FILE")]
    taxonomy: Vec<PathBuf>,
    /// Add to the existing store instead of replacing it (re-adding a file adds nothing).
    #[arg(long, conflicts_with = "dry_run")]
    append: bool,
    /// Stop at the first bad file or record (the store is left as it was).
    #[arg(long)]
    strict: bool,
    /// How much provenance to store with each fact: `compact` (each fact in a named graph of its
    /// listing, extractor and confidence, plus one `pg:occurrences` JSON literal per paper with
    /// every occurrence's field, span, text and line), `full` (one `pg:Evidence` record per
    /// occurrence instead of the literal: about 5 times the store) or `none` (the bare graph;
    /// `papergraph paper` then shows no evidence).
    #[arg(long, value_enum, default_value_t = ProvenanceArg::Compact)]
    provenance: ProvenanceArg,
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

pub fn build(store_dir: &Path, args: &BuildArgs) -> Result<ExitCode> {
    let mut taxonomy = Taxonomy::bundled();
    for path in &args.taxonomy {
        taxonomy = taxonomy.merge(Taxonomy::load(path)?);
    }
    if !args.taxonomy.is_empty() {
        // A cycle may close only when a user's file meets the bundled taxonomy.
        taxonomy.check_hierarchy("--taxonomy")?;
    }
    let knowledge = pipeline::Knowledge { taxonomy, datasets: Datasets::bundled() };
    let options = BuildOptions { strict: args.strict, provenance: args.provenance.into() };
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
        (pipeline::build(&args.inputs, &knowledge, None, options, &progress)?, None)
    } else if args.append {
        let store = GraphStore::open(store_dir)?;
        (pipeline::build(&args.inputs, &knowledge, Some(&store), options, &progress)?, Some(store.path))
    } else {
        let staged = StagedStore::create(store_dir)?;
        match pipeline::build(&args.inputs, &knowledge, Some(staged.store()), options, &progress) {
            Ok(report) if report.records_read() > 0 => (report, Some(staged.finish()?)),
            result => {
                staged.discard()?;
                (result?, None)
            }
        }
    };
    bar.finish_and_clear();
    if !args.quiet {
        for problem in &report.problems {
            eprintln!("warning: skipped {problem}");
        }
        if report.skipped > report.problems.len() {
            eprintln!("warning: ... and {} more skipped", report.skipped - report.problems.len());
        }
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
