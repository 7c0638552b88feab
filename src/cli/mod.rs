//! Argument parsing and reporting. Each subcommand calls one library entry point.

mod build;
mod graph;

use std::collections::BTreeMap;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use oxigraph::model::NamedNode;

use papergraph::query::canned::{self, canned};
use papergraph::query::{self, OutputFormat};
use papergraph::store::remote::{Credentials, Endpoint};
use papergraph::store::{GraphStore, DEFAULT_STORE_DIR};
use papergraph::{eval, ingest, lookup, pipeline, serve};
use papergraph::extract::Extractor;

/// Exit status when a build stored every good record but skipped some files or records.
pub(crate) const EXIT_PARTIAL: u8 = 2;

#[derive(Parser)]
#[command(
    name = "papergraph",
    version,
    about = "Turn machine-learning paper listings into a knowledge graph you can query and draw",
    long_about = "Turn machine-learning paper listings into a knowledge graph you can query and draw.\n\n\
        `papergraph build` reads listing pages, finds concepts, code repositories and links in each \
        paper, and stores everything as RDF in an on-disk Oxigraph store. `papergraph query` runs \
        SPARQL over it; `papergraph export` writes the graph for Gephi, Cytoscape, yEd or networkx.",
    after_help = "Exit status: 0 on success; 1 when the command failed; 2 when `build` stored every good \
        record but skipped bad files or records (each is reported as FILE:LINE: message)."
)]
struct Cli {
    /// Directory of the Oxigraph store.
    #[arg(long, global = true, env = "PAPERGRAPH_STORE", default_value = DEFAULT_STORE_DIR, value_name = "DIR")]
    store: PathBuf,
    #[command(flatten)]
    server: ServerArgs,
    #[command(subcommand)]
    command: Command,
}

/// A SPARQL server to use instead of the embedded store.
#[derive(Args)]
pub(crate) struct ServerArgs {
    /// Use this SPARQL 1.1 Protocol endpoint instead of the store: `query`, `concept`, `paper`,
    /// `repo`, `export`, `analyze` and `path` read from it, `finalize` and `push` write to it.
    /// Credentials come from PAPERGRAPH_ENDPOINT_USER and PAPERGRAPH_ENDPOINT_PASSWORD.
    #[arg(long, global = true, env = "PAPERGRAPH_ENDPOINT", value_name = "URL")]
    endpoint: Option<String>,
    /// Named graph of the server holding the facts (queries then use it as their default
    /// graph); the server's default graph when absent.
    #[arg(long = "graph", global = true, value_name = "IRI")]
    endpoint_graph: Option<String>,
    /// The server's SPARQL 1.1 Update URL, when not --endpoint (Virtuoso: /sparql-auth).
    #[arg(long, global = true, value_name = "URL")]
    update_endpoint: Option<String>,
    /// The server's SPARQL 1.1 Graph Store HTTP Protocol URL, for `push` and `finalize`
    /// (Virtuoso: /sparql-graph-crud-auth, Fuseki: /DATASET/data, Oxigraph: /store).
    #[arg(long, global = true, value_name = "URL")]
    graph_store: Option<String>,
}

/// Where a command reads the graph: the store directory, or a SPARQL server.
pub(crate) struct Location<'a> {
    pub store: &'a Path,
    pub server: &'a ServerArgs,
}

impl Location<'_> {
    /// The store to read: the server when --endpoint is given, else the store directory.
    pub fn open(&self) -> Result<GraphStore> {
        Ok(match self.endpoint()? {
            Some(endpoint) => GraphStore::remote(endpoint),
            None => GraphStore::open_existing(self.store)?,
        })
    }

    /// The server given by --endpoint and its companions.
    pub fn endpoint(&self) -> Result<Option<Endpoint>> {
        let server = self.server;
        let Some(url) = &server.endpoint else {
            if server.endpoint_graph.is_some() || server.update_endpoint.is_some() || server.graph_store.is_some() {
                bail!("--graph, --update-endpoint and --graph-store describe a server: give its --endpoint URL too");
            }
            return Ok(None);
        };
        let graph = server.endpoint_graph.as_deref().map(NamedNode::new).transpose().context("--graph must be an absolute IRI")?;
        Ok(Some(Endpoint::new(url, server.update_endpoint.as_deref(), server.graph_store.as_deref(), graph, Credentials::from_env())))
    }

    /// Refuses --endpoint for a command that works on the embedded store only.
    pub fn local_only(&self, command: &str) -> Result<&Path> {
        if self.server.endpoint.is_some() {
            bail!("`papergraph {command}` works on the embedded store; to fill a SPARQL server, build a store (or extract N-Quads) and `papergraph push` it");
        }
        Ok(self.store)
    }
}

#[derive(Subcommand)]
enum Command {
    /// Read papers (listing pages, arXiv JSON lines or Atom, Papers-with-Code dumps), extract
    /// facts and store them: a new store replaces the old one when the build succeeds, or
    /// --append adds to it.
    ///
    /// Every node has a deterministic IRI, so rebuilding gives the same graph and re-appending a
    /// file adds nothing. Bad files and records are reported with FILE:LINE and skipped (the
    /// good ones are stored), or stop the build with --strict.
    Build(build::BuildArgs),
    /// Read papers and extract facts like `build`, but write the quads (N-Quads) instead of
    /// storing them: one shard of a bigger job, run by any engine (see contrib/spark/).
    ///
    /// Each record is extracted on its own and IRIs are deterministic, so shards extracted
    /// anywhere union into the graph one build would make. What `build` does after loading
    /// (merging papers by title, the lookup statistics) is left to `papergraph load` or
    /// `papergraph finalize`. Reads standard input by default; the summary and warnings go to
    /// standard error.
    Extract(build::ExtractArgs),
    /// Load N-Quads files (`papergraph extract` shards) into the store and finalize it; a new
    /// store replaces the old one when loading succeeds, or --append adds to it.
    Load(build::LoadArgs),
    /// Finish a store whose quads were loaded by other means, as `build` does: merge papers by
    /// title and recompute the lookup statistics from the stored facts. With --endpoint, on a
    /// SPARQL server (SPARQL Update for the merges, the Graph Store Protocol for the
    /// statistics graph).
    Finalize,
    /// Load the store (or N-Quads files, e.g. `papergraph extract` shards) into a SPARQL server
    /// over the Graph Store HTTP Protocol: in chunks, retried on transient errors, resumable.
    ///
    /// Facts go to --graph (or the server's default graph), the lookup statistics to their own
    /// named graph. A push stopped half-way resumes where it stopped when run again with the
    /// same source and server. Run `papergraph finalize --endpoint ...` after pushing shards.
    Push(build::PushArgs),
    /// Run a SPARQL query against the store.
    ///
    /// The prefixes pg:, pgid:, concept:, schema:, dcterms:, skos:, prov:, rdf:, rdfs: and xsd:
    /// are predeclared. SELECT and ASK results are printed in --format; CONSTRUCT and DESCRIBE
    /// results as N-Triples.
    Query(QueryArgs),
    /// List the canned queries (queries/*.rq) with what each answers and its parameters.
    Queries,
    /// Write the graph for visualization tools (GraphML, GEXF, DOT, Cytoscape.js, Neo4j CSV), the
    /// store as RDF (Turtle, TriG, N-Triples, N-Quads), or a picture (SVG, PNG) drawn by Graphviz.
    ///
    /// Graph formats carry `label`, `kind` and `iri` on every node, `kind` and `weight` on every
    /// edge, and the analytics (pagerank, degree, component, community) unless --no-analytics.
    Export(graph::ExportArgs),
    /// PageRank, degree, connected components, Louvain communities and concept co-occurrence
    /// (count and NPMI) of the graph.
    Analyze(graph::AnalyzeArgs),
    /// The shortest chain of papers and concepts linking two concepts.
    Path(graph::PathArgs),
    /// Print every fact known about a paper with its evidence (listing, line, span, extractor,
    /// confidence).
    #[command(visible_alias = "paper")]
    Explain(ExplainArgs),
    /// Look a concept up by name, alias, acronym or near-miss: definition, hierarchy, papers
    /// (counting narrower concepts), their code, co-occurring concepts and linked methods.
    Concept(ConceptArgs),
    /// Look a code repository up (`owner/name` on GitHub, or `host/owner/name`, or a URL).
    Repo(RepoArgs),
    /// Serve the store over HTTP: a SPARQL 1.1 Protocol endpoint at /sparql, the lookups as
    /// JSON under /api/, graph exports at /export, and the explorer page at /.
    ///
    /// Read-only: SPARQL updates are refused. Every query runs under --timeout and at most
    /// --max-results results. The server keeps serving while `papergraph build` replaces the
    /// store or `--append` adds to it, and switches to the new store once it is complete.
    Serve(ServeArgs),
    /// Score extraction against a hand-labelled gold file: precision, recall and F1 per fact
    /// type and per concept.
    Eval(EvalArgs),
}

#[derive(Args)]
struct ExplainArgs {
    /// Title words, an exact title, an arXiv id or the paper's IRI.
    #[arg(value_name = "PAPER")]
    paper: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LookupFormat::Text)]
    format: LookupFormat,
    #[command(flatten)]
    time: TimeLimit,
}

#[derive(Args)]
struct ConceptArgs {
    /// Concept name, alias or acronym in any case (`kv-cache`, `key value cache`, `SAM`), or its IRI.
    #[arg(value_name = "NAME")]
    name: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LookupFormat::Text)]
    format: LookupFormat,
    /// Papers to list in text output (JSON lists all).
    #[arg(long, default_value_t = 15)]
    limit: usize,
    #[command(flatten)]
    time: TimeLimit,
}

#[derive(Args)]
struct RepoArgs {
    /// `owner/name` (GitHub), `host/owner/name`, or the repository URL.
    #[arg(value_name = "REPO")]
    repo: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LookupFormat::Text)]
    format: LookupFormat,
    #[command(flatten)]
    time: TimeLimit,
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on. Loopback by default; serving other machines is explicit
    /// (e.g. 0.0.0.0:7878), and there is no authentication.
    #[arg(long, default_value = "127.0.0.1:7878", value_name = "ADDR:PORT")]
    bind: std::net::SocketAddr,
    /// Longest a SPARQL query or lookup may run, in seconds.
    #[arg(long, default_value_t = 10.0, value_name = "SECONDS")]
    timeout: f64,
    /// Most solutions (or triples) one SPARQL answer may have.
    #[arg(long, default_value_t = 100_000, value_name = "N")]
    max_results: usize,
}

#[derive(Args)]
struct EvalArgs {
    /// Gold files (JSON; see tests/gold/listings.json for the shape and labelling rules), each
    /// scored and reported on its own.
    #[arg(value_name = "GOLD", required = true)]
    gold: Vec<PathBuf>,
    /// Files or directories holding the gold papers (any input format); repeatable.
    #[arg(long = "listings", value_name = "PATHS", default_value = "data/listings", num_args = 1..)]
    inputs: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LookupFormat::Text)]
    format: LookupFormat,
    /// Also list every wrong (+) and missed (-) fact.
    #[arg(long)]
    errors: bool,
}

/// Output of lookups and reports.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum LookupFormat {
    /// Aligned text for reading.
    Text,
    /// JSON (stable shape, for scripts).
    Json,
}

#[derive(Args)]
struct QueryArgs {
    /// File holding the query, a canned query's name (`papergraph queries` lists them), or `-`
    /// for standard input.
    #[arg(value_name = "FILE|NAME", required_unless_present = "expression", conflicts_with = "expression")]
    file: Option<PathBuf>,
    /// Bind a declared parameter (`# @param NAME KIND` in the query), e.g. `concept=kv-cache`;
    /// repeatable. Values are bound as RDF terms, never spliced into the query text.
    #[arg(short, long = "param", value_name = "NAME=VALUE", value_parser = parse_param)]
    params: Vec<(String, String)>,
    /// The query text itself.
    #[arg(short = 'e', long = "expression", value_name = "SPARQL")]
    expression: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    format: OutputFormat,
    #[command(flatten)]
    time: TimeLimit,
}

/// How long a query or lookup may run.
#[derive(Args)]
struct TimeLimit {
    /// Stop after this many seconds with a message (0: no limit).
    #[arg(long, default_value_t = 60.0, value_name = "SECONDS")]
    timeout: f64,
}

impl TimeLimit {
    /// Starts the clock: past the limit, the process stops with a message naming `what`.
    /// Returns the limit, for a query to cancel itself sooner.
    fn start(&self, what: &str) -> Result<Option<std::time::Duration>> {
        let limit = time_limit(self.timeout)?;
        if let Some(limit) = limit {
            let what = what.to_owned();
            std::thread::spawn(move || {
                // A query cancels itself at the limit between two reads of the store; one busy
                // in a join, or a lookup, is stopped here a little later.
                std::thread::sleep(limit + std::time::Duration::from_secs(2));
                eprintln!("error: {what} stopped after the {} s time limit (--timeout SECONDS, 0 for none)", limit.as_secs_f64());
                std::process::exit(1);
            });
        }
        Ok(limit)
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let at = Location { store: &cli.store, server: &cli.server };
    let result = match &cli.command {
        Command::Build(args) => at.local_only("build").and_then(|store| build::build(store, args)),
        Command::Extract(args) => build::extract(args),
        Command::Load(args) => at.local_only("load").and_then(|store| build::load(store, args)),
        Command::Push(args) => build::push(&at, args),
        Command::Finalize => build::finalize(&at),
        Command::Query(args) => run_query(&at, args).map(|()| ExitCode::SUCCESS),
        Command::Export(args) => graph::export(&at, args).map(|()| ExitCode::SUCCESS),
        Command::Analyze(args) => graph::analyze(&at, args).map(|()| ExitCode::SUCCESS),
        Command::Path(args) => graph::path(&at, args).map(|()| ExitCode::SUCCESS),
        Command::Queries => list_queries().map(|()| ExitCode::SUCCESS),
        Command::Explain(args) => explain(&at, args).map(|()| ExitCode::SUCCESS),
        Command::Eval(args) => at.local_only("eval").and_then(|_| eval(args)).map(|()| ExitCode::SUCCESS),
        Command::Concept(args) => concept(&at, args).map(|()| ExitCode::SUCCESS),
        Command::Repo(args) => repo(&at, args).map(|()| ExitCode::SUCCESS),
        Command::Serve(args) => at.local_only("serve").and_then(|store| serve(store, args)).map(|()| ExitCode::SUCCESS),
    };
    result.unwrap_or_else(|error| {
        // A closed pipe (`papergraph query ... | head`) is the reader's choice, not a failure.
        if error.chain().any(is_broken_pipe) {
            return ExitCode::SUCCESS;
        }
        eprintln!("error: {}", describe(&error));
        ExitCode::FAILURE
    })
}

/// An error with its causes, each cause only once: many messages already end with their
/// cause's text.
fn describe(error: &anyhow::Error) -> String {
    let mut message = error.to_string();
    for cause in error.chain().skip(1) {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
    }
    message
}

/// Whether an error is a write to a closed pipe (Oxigraph's dump errors and serde_json's hide
/// the I/O error from the error chain, so they are looked into).
fn is_broken_pipe(error: &(dyn std::error::Error + 'static)) -> bool {
    let io = error.downcast_ref::<io::Error>().or_else(|| match error.downcast_ref::<papergraph::store::StoreError>() {
        Some(papergraph::store::StoreError::Dump { source: oxigraph::store::SerializerError::Io(e), .. }) => Some(e),
        _ => None,
    });
    let json = error.downcast_ref::<serde_json::Error>().and_then(serde_json::Error::io_error_kind);
    io.map(io::Error::kind).or(json) == Some(io::ErrorKind::BrokenPipe)
}

fn run_query(at: &Location<'_>, args: &QueryArgs) -> Result<()> {
    let (text, source_name) = match (&args.expression, &args.file) {
        (Some(expression), _) => (expression.clone(), "-e".to_owned()),
        (None, Some(path)) if path.as_os_str() == "-" => {
            let mut text = String::new();
            io::stdin().read_to_string(&mut text).context("cannot read the query from standard input")?;
            (text, "<stdin>".to_owned())
        }
        (None, Some(path)) => match canned(&path.to_string_lossy()).filter(|_| !path.exists()) {
            Some(text) => (text.to_owned(), path.display().to_string()),
            None => {
                let text = std::fs::read_to_string(path).with_context(|| {
                    format!("cannot read query file {} (nor is it a canned query: see `papergraph queries`)", path.display())
                })?;
                (text, path.display().to_string())
            }
        },
        (None, None) => unreachable!("clap requires a file or -e"),
    };
    let store = at.open()?;
    let bindings = canned::bind(&store, &text, &args.params).map_err(|e| anyhow::anyhow!("{source_name}: {e}"))?;
    let options = query::QueryOptions { timeout: args.time.start(&format!("query {source_name}"))?, ..Default::default() };
    let answer = query::run_bounded(&store, &text, &source_name, &bindings, &options)?;
    let stdout = io::stdout().lock();
    let mut out = BufWriter::new(stdout);
    query::write_answer(&answer, args.format, &mut out)?;
    out.flush()?;
    Ok(())
}

/// Papers listed when a paper lookup matches several (a common title word may match thousands).
const SHOWN_CANDIDATES: usize = 20;

fn explain(at: &Location<'_>, args: &ExplainArgs) -> Result<()> {
    args.time.start("the paper lookup")?;
    let store = at.open()?;
    let found = lookup::find_papers(&store, &args.paper, SHOWN_CANDIDATES)?;
    let paper = match (found.count, found.papers.as_slice()) {
        (1, [one]) => one,
        (0, _) | (_, []) => bail!("no paper matches {:?}", args.paper),
        (count, shown) => {
            let mut listed: Vec<String> = shown.iter().map(|p| format!("  {}", p.title)).collect();
            if count > shown.len() {
                listed.push(format!("  ... and {} more", count - shown.len()));
            }
            bail!("{count} papers match {:?}; be more specific:\n{}", args.paper, listed.join("\n"))
        }
    };
    let mut out = io::stdout().lock();
    if args.format == LookupFormat::Json {
        serde_json::to_writer_pretty(&mut out, &lookup::paper_json(&store, paper)?)?;
        writeln!(out)?;
        return Ok(());
    }
    let evidence = lookup::evidence(&store, &paper.iri)?;
    writeln!(out, "{}\n{}\n", paper.title, paper.iri)?;
    for e in &evidence {
        let predicate = query::render_term(&oxigraph::model::NamedNode::new_unchecked(e.predicate.clone()).into());
        writeln!(
            out,
            "{predicate:<18} {:<32} {:<8} {:>4}-{:<4} {:<28} {:<16} {:.2}  {}:{}",
            query::truncate(&e.label, 32),
            e.field,
            e.start,
            e.end,
            format!("{:?}", query::truncate(&e.text, 26)),
            e.extractor,
            e.confidence,
            e.listing,
            e.line
        )?;
    }
    writeln!(out, "({} facts with evidence)", evidence.len())?;
    Ok(())
}

fn eval(args: &EvalArgs) -> Result<()> {
    let ingested = ingest::read_inputs(&args.inputs);
    for problem in &ingested.problems {
        eprintln!("warning: skipped {problem}");
    }
    let knowledge = pipeline::Knowledge::bundled();
    let extractor = Extractor::new(&knowledge.taxonomy, &knowledge.datasets);
    let mut reports = Vec::new();
    for path in &args.gold {
        let gold = eval::load_gold(path)?;
        reports.push((path.display().to_string(), eval::evaluate(&gold, &path.display().to_string(), &ingested.papers, &extractor)?));
    }
    let mut out = io::stdout().lock();
    if args.format == LookupFormat::Json {
        let by_file: BTreeMap<&str, &eval::Scores> = reports.iter().map(|(path, scores)| (path.as_str(), scores)).collect();
        match by_file.len() {
            1 => serde_json::to_writer_pretty(&mut out, &reports[0].1)?,
            _ => serde_json::to_writer_pretty(&mut out, &by_file)?,
        }
        writeln!(out)?;
        return Ok(());
    }
    for (i, (path, scores)) in reports.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        writeln!(out, "{path}: {} gold papers\n", scores.papers)?;
        writeln!(out, "{:<14} {:>9} {:>7} {:>6}  {:>4} {:>4} {:>4}", "fact type", "precision", "recall", "F1", "tp", "fp", "fn")?;
        for (kind, c) in eval::FACT_TYPES.iter().filter_map(|kind| scores.by_type.get(*kind).map(|c| (kind, c))) {
            writeln!(out, "{kind:<14} {:>9.3} {:>7.3} {:>6.3}  {:>4} {:>4} {:>4}", c.precision(), c.recall(), c.f1(), c.tp, c.fp, c.fn_)?;
        }
        writeln!(out, "\n{:<36} {:>9} {:>7} {:>6}  {:>4} {:>4} {:>4}", "concept", "precision", "recall", "F1", "tp", "fp", "fn")?;
        for (concept, c) in &scores.by_concept {
            writeln!(out, "{concept:<36} {:>9.3} {:>7.3} {:>6.3}  {:>4} {:>4} {:>4}", c.precision(), c.recall(), c.f1(), c.tp, c.fp, c.fn_)?;
        }
        let (p, r, f) = scores.concept_macro;
        writeln!(out, "{:<36} {p:>9.3} {r:>7.3} {f:>6.3}", "macro average")?;
        if args.errors {
            for (kind, errors) in &scores.errors {
                writeln!(out, "\n{kind}:")?;
                for e in errors {
                    writeln!(out, "  {e}")?;
                }
            }
        }
    }
    Ok(())
}

fn concept(at: &Location<'_>, args: &ConceptArgs) -> Result<()> {
    args.time.start("the concept lookup")?;
    let store = at.open()?;
    if papergraph::store::statistics::PaperIndex::is_stale(&store.path) {
        eprintln!(
            "warning: an append to this store is running, or was stopped before it counted its papers: the counts below may \
             leave them out (when none is running, `papergraph build --append` of the same files brings them up to date)"
        );
    }
    let (named, note) = resolve_with_note(&store, &args.name)?;
    let report = lookup::concept_report(&store, &named)?;
    let mut out = io::stdout().lock();
    if args.format == LookupFormat::Json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
        return Ok(());
    }
    if let Some(note) = note {
        writeln!(out, "{note}")?;
    }
    writeln!(out, "{}  <{}>", report.label, report.iri)?;
    if !report.alt_labels.is_empty() {
        writeln!(out, "  also: {}", report.alt_labels.join(", "))?;
    }
    if let Some(definition) = &report.definition {
        writeln!(out, "  {definition}")?;
    }
    let labels = |named: &[lookup::Named]| named.iter().map(|n| n.label.as_str()).collect::<Vec<_>>().join(", ");
    writeln!(out, "  broader: {}", if report.broader.is_empty() { "(top concept)".into() } else { labels(&report.broader) })?;
    if !report.narrower.is_empty() {
        writeln!(out, "  narrower: {}", labels(&report.narrower))?;
    }
    writeln!(
        out,
        "\n{} papers ({} mention {} itself; the rest count through narrower concepts)",
        report.paper_count, report.direct_paper_count, report.label
    )?;
    for paper in report.papers.iter().take(args.limit) {
        writeln!(out, "  {:>2}x  {}", paper.mentions, paper.title)?;
        writeln!(out, "        listed: {}", paper.listings.join(", "))?;
        if paper.via != [report.label.clone()] {
            writeln!(out, "        via: {}", paper.via.join(", "))?;
        }
        if !paper.repositories.is_empty() {
            writeln!(out, "        code: {}", paper.repositories.join(", "))?;
        }
    }
    if report.papers.len() > args.limit {
        writeln!(out, "  ... {} more (--limit N, or --format json)", report.papers.len() - args.limit)?;
    }
    let with_code = report.papers.iter().filter(|p| !p.repositories.is_empty()).count();
    writeln!(out, "\n{with_code} of them have code")?;
    if !report.cooccurring.is_empty() {
        let top: Vec<String> = report.cooccurring.iter().take(12).map(|c| format!("{} ({})", c.label, c.papers)).collect();
        writeln!(out, "co-occurring: {}", top.join(", "))?;
    }
    if !report.methods.is_empty() {
        let methods: Vec<String> = report
            .methods
            .iter()
            .map(|m| m.long_name.as_ref().map_or_else(|| m.name.clone(), |long| format!("{} ({long})", m.name)))
            .collect();
        writeln!(out, "methods: {}", methods.join("; "))?;
    }
    Ok(())
}

/// The concept a user's name resolves to; fails with the candidates when it is ambiguous.
fn resolve_concept_name(store: &GraphStore, name: &str) -> Result<lookup::Named> {
    resolve_with_note(store, name).map(|(named, _)| named)
}

/// Like [`resolve_concept_name`], with a note when a near miss was corrected.
fn resolve_with_note(store: &GraphStore, name: &str) -> Result<(lookup::Named, Option<String>)> {
    Ok(match lookup::resolve_concept(store, name)? {
        lookup::ConceptResolution::Found { concept, matched, corrected } => {
            let note = corrected.then(|| format!("(no concept is called {:?}; showing the closest, {:?})", name, matched));
            (concept, note)
        }
        lookup::ConceptResolution::Ambiguous(candidates) => bail!(
            "{:?} could mean {} concepts; ask for one of them:\n{}",
            name,
            candidates.len(),
            candidates.iter().map(|(c, label)| format!("  {}  (matched {label:?})  {}", c.label, c.iri)).collect::<Vec<_>>().join("\n")
        ),
        lookup::ConceptResolution::NotFound => {
            bail!("no concept matches {:?} (try a synonym or acronym; `papergraph query queries/concepts-by-paper-count.rq` lists them)", name)
        }
    })
}

fn repo(at: &Location<'_>, args: &RepoArgs) -> Result<()> {
    args.time.start("the repository lookup")?;
    let store = at.open()?;
    let Some(report) = lookup::repo_report(&store, &args.repo)? else {
        bail!("no repository {:?} in the graph (give owner/name for GitHub, or host/owner/name)", args.repo)
    };
    let mut out = io::stdout().lock();
    if args.format == LookupFormat::Json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(out, "{}  {}  ({})\n<{}>\n", report.name, report.url, report.host, report.iri)?;
    let shown: std::collections::BTreeSet<&str> = report.papers.iter().map(|p| p.iri.as_str()).collect();
    let more = if (shown.len() as u64) < report.paper_count { format!(" (the first {} listed)", shown.len()) } else { String::new() };
    writeln!(out, "cited by {} paper{}{more}:", report.paper_count, if report.paper_count == 1 { "" } else { "s" })?;
    for paper in &report.papers {
        writeln!(out, "  {}\n    {:?} at {}:{}", paper.title, paper.evidence, paper.listing, paper.line)?;
    }
    let concepts: Vec<String> = report.concepts.iter().map(|(label, n)| format!("{label} ({n})")).collect();
    writeln!(out, "concepts: {}", concepts.join(", "))?;
    Ok(())
}

/// `--timeout SECONDS` as a duration; `None` for 0 (no limit).
fn time_limit(seconds: f64) -> Result<Option<std::time::Duration>> {
    if !(seconds.is_finite() && seconds >= 0.0) {
        bail!("--timeout must be a number of seconds (0 for no limit), not {seconds}");
    }
    Ok((seconds > 0.0).then(|| std::time::Duration::from_secs_f64(seconds)))
}

fn serve(store_dir: &Path, args: &ServeArgs) -> Result<()> {
    let Some(timeout) = time_limit(args.timeout)? else { bail!("serve needs a --timeout above 0 seconds") };
    let options = serve::ServeOptions { bind: args.bind, timeout, max_results: args.max_results };
    serve::serve(store_dir, options, |address| {
        eprintln!("serving {} on http://{address}/ (SPARQL endpoint: http://{address}/sparql); Ctrl-C stops", store_dir.display());
    })?;
    Ok(())
}

fn parse_param(text: &str) -> Result<(String, String), String> {
    let (name, value) = text.split_once('=').ok_or_else(|| format!("{text:?} is not NAME=VALUE"))?;
    Ok((name.trim().to_owned(), value.to_owned()))
}

fn list_queries() -> Result<()> {
    let mut out = io::stdout().lock();
    for (name, text) in canned::CANNED {
        writeln!(out, "{name:<26} {}", canned::description(text))?;
        for param in canned::params(text).map_err(|e| anyhow::anyhow!("{name}: {e}"))? {
            writeln!(out, "{:<26}   --param {}=…  ({}) {}", "", param.name, param.kind.as_str(), param.help)?;
        }
    }
    Ok(())
}
