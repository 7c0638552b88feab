//! `export`, `analyze` and `path`: the graph projection, its analytics and its files.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args;
use petgraph::graph::NodeIndex;

use papergraph::export::render::Layout;
use papergraph::export::{neo4j, rdf, write_graph, ExportFormat, View};
use papergraph::graph::analytics::Metrics;
use papergraph::graph::path::shortest_path;
use papergraph::graph::report::analyze as analysis_of;
use papergraph::graph::{self, Filter, GraphView, KnowledgeGraph, NodeKind};
use papergraph::store::GraphStore;

use super::Location;

use super::{resolve_concept_name, LookupFormat};

/// Which graph to work on and how to cut it down.
#[derive(Args)]
pub struct GraphArgs {
    /// Node kinds to keep, comma-separated (paper, concept, method, repository, dataset, listing,
    /// author, category). `export` keeps all by default; `analyze` and `path` leave out listing,
    /// author and category nodes, which would tie everything together.
    #[arg(long, value_enum, value_delimiter = ',', value_name = "KINDS")]
    kinds: Vec<NodeKind>,
    /// Keep only the neighbourhood of this concept (name, alias, acronym or IRI).
    #[arg(long, value_name = "NAME")]
    concept: Option<String>,
    /// Hops from --concept to keep.
    #[arg(long, default_value_t = 1, requires = "concept")]
    depth: usize,
    /// Drop edges lighter than this (mentions count occurrences; co-occurrence counts papers),
    /// and nodes only such edges connected.
    #[arg(long, value_name = "W")]
    min_weight: Option<f64>,
    /// `knowledge`: papers and what they mention, link and propose. `cooccurrence`: concepts
    /// linked by the papers mentioning both, weighted by count and NPMI.
    #[arg(long, value_enum, default_value_t = GraphView::Knowledge)]
    view: GraphView,
}

/// Kinds `analyze` and `path` use unless told otherwise.
const ANALYSIS_KINDS: [NodeKind; 5] = [NodeKind::Paper, NodeKind::Concept, NodeKind::Method, NodeKind::Repository, NodeKind::Dataset];

#[derive(Args)]
pub struct ExportArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Graphml)]
    format: ExportFormat,
    /// Output file (standard output when absent or `-`); a directory for --format neo4j.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    graph: GraphArgs,
    /// Leave out the analytics attributes (pagerank, degree, component, community).
    #[arg(long)]
    no_analytics: bool,
    /// Graphviz layout program for --format svg|png.
    #[arg(long, value_enum, default_value_t = Layout::Sfdp)]
    layout: Layout,
}

#[derive(Args)]
pub struct AnalyzeArgs {
    #[command(flatten)]
    graph: GraphArgs,
    /// Entries per ranking.
    #[arg(long, default_value_t = 10)]
    top: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LookupFormat::Text)]
    format: LookupFormat,
}

#[derive(Args)]
pub struct PathArgs {
    /// Concept to start from (name, alias, acronym or IRI).
    from: String,
    /// Concept to reach.
    to: String,
    /// Node kinds the path may pass through, comma-separated.
    #[arg(long, value_enum, value_delimiter = ',', value_name = "KINDS", default_values_t = [NodeKind::Paper, NodeKind::Concept])]
    via: Vec<NodeKind>,
}

/// Projects the store and applies `args`; `default_kinds` applies when --kinds is absent.
fn select(store: &GraphStore, args: &GraphArgs, default_kinds: &[NodeKind]) -> Result<(KnowledgeGraph, bool)> {
    let around = match &args.concept {
        Some(name) => Some((resolve_concept_name(store, name)?.iri, args.depth)),
        None => None,
    };
    let kinds = if args.kinds.is_empty() { default_kinds.to_vec() } else { args.kinds.clone() };
    // The co-occurrence view is made of papers and the concepts they mention, whatever is kept.
    let read = match args.view {
        GraphView::Knowledge => kinds.clone(),
        GraphView::Cooccurrence => vec![NodeKind::Paper, NodeKind::Concept],
    };
    let graph = graph::select(&graph::project(store, &read)?, args.view, &Filter { kinds, around, min_weight: args.min_weight });
    if graph.node_count() == 0 {
        bail!("the selection is empty: loosen --kinds, --depth or --min-weight");
    }
    Ok((graph, args.view.is_directed()))
}

pub fn export(at: &Location<'_>, args: &ExportArgs) -> Result<()> {
    let store = at.open()?;
    if let Some(format) = args.format.rdf_format() {
        let filtered = !args.graph.kinds.is_empty() || args.graph.concept.is_some() || args.graph.min_weight.is_some();
        if filtered || args.graph.view != GraphView::Knowledge {
            bail!("--kinds, --concept, --min-weight and --view shape the graph formats; RDF formats dump the whole store");
        }
        rdf::write(&store, format, output(&args.output)?)?;
        return report_written(&args.output, &format!("{} quads", store.len()?));
    }
    let (graph, directed) = select(&store, &args.graph, &[])?;
    let metrics = (!args.no_analytics).then(|| Metrics::compute(&graph));
    let view = View::new(&graph, metrics.as_ref(), directed);
    let what = format!("{} nodes and {} edges", graph.node_count(), graph.edge_count());
    if args.format == ExportFormat::Neo4j {
        let Some(dir) = args.output.as_ref().filter(|p| p.as_os_str() != "-") else {
            bail!("--format neo4j writes two files: give a directory with -o DIR");
        };
        let [nodes, relationships] = neo4j::write(&view, dir).with_context(|| format!("cannot write CSV files in {}", dir.display()))?;
        eprintln!("wrote {what} to {} and {}", nodes.display(), relationships.display());
        eprintln!("load with: neo4j-admin database import full --nodes={} --relationships={} neo4j", nodes.display(), relationships.display());
        return Ok(());
    }
    write_graph(&view, args.format, args.layout, output(&args.output)?)?;
    report_written(&args.output, &what)
}

fn output(path: &Option<PathBuf>) -> Result<BufWriter<Box<dyn Write>>> {
    let out: Box<dyn Write> = match path {
        Some(path) if path.as_os_str() != "-" => {
            Box::new(File::create(path).with_context(|| format!("cannot create {}", path.display()))?)
        }
        _ => Box::new(io::stdout().lock()),
    };
    Ok(BufWriter::new(out))
}

fn report_written(path: &Option<PathBuf>, what: &str) -> Result<()> {
    if let Some(path) = path.as_ref().filter(|p| p.as_os_str() != "-") {
        eprintln!("wrote {what} to {}", path.display());
    }
    Ok(())
}

pub fn analyze(at: &Location<'_>, args: &AnalyzeArgs) -> Result<()> {
    let store = at.open()?;
    let (graph, _) = select(&store, &args.graph, &ANALYSIS_KINDS)?;
    let metrics = Metrics::compute(&graph);
    let analysis = analysis_of(&graph, &metrics, args.top);
    let mut out = io::stdout().lock();
    if args.format == LookupFormat::Json {
        serde_json::to_writer_pretty(&mut out, &analysis)?;
        writeln!(out)?;
        return Ok(());
    }
    let kinds: Vec<String> = analysis.kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
    writeln!(out, "{} nodes ({}), {} edges", analysis.nodes, kinds.join(", "), analysis.edges)?;
    writeln!(out, "{} connected components; the largest has {} nodes", analysis.components, analysis.largest_component)?;
    let section = |out: &mut io::StdoutLock, title: &str, rows: &[papergraph::graph::report::Ranked], integer: bool| -> io::Result<()> {
        writeln!(out, "\n{title}")?;
        for (i, r) in rows.iter().enumerate() {
            let score = if integer { format!("{:>6}", r.score) } else { format!("{:.4}", r.score) };
            writeln!(out, "  {:>2}. {score}  {:<10} {}", i + 1, r.kind, papergraph::query::truncate(&r.label, 90))?;
        }
        Ok(())
    };
    section(&mut out, "concepts by PageRank", &analysis.top_concepts, false)?;
    section(&mut out, "all nodes by PageRank", &analysis.top_pagerank, false)?;
    section(&mut out, "most connected (degree)", &analysis.top_degree, true)?;
    writeln!(out, "\n{} communities of 2+ nodes (Louvain, modularity {:.3})", analysis.communities.len(), analysis.modularity)?;
    for c in &analysis.communities {
        let kinds: Vec<String> = c.kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
        writeln!(out, "  #{:<3} {} nodes ({})", c.id, c.size, kinds.join(", "))?;
        if !c.top_concepts.is_empty() {
            writeln!(out, "        concepts: {}", c.top_concepts.join(", "))?;
        }
        if let Some(paper) = c.top_papers.first() {
            writeln!(out, "        e.g. {}", papergraph::query::truncate(paper, 90))?;
        }
    }
    writeln!(out, "\nconcept pairs by papers in common")?;
    for p in &analysis.top_pairs_by_count {
        writeln!(out, "  {:>3}  npmi {:+.2}  {} + {}", p.papers, p.npmi, p.a, p.b)?;
    }
    writeln!(out, "\nconcept pairs by NPMI (in {}+ papers)", papergraph::graph::report::MIN_PAIR_PAPERS)?;
    for p in &analysis.top_pairs_by_npmi {
        writeln!(out, "  {:>3}  npmi {:+.2}  {} + {}", p.papers, p.npmi, p.a, p.b)?;
    }
    Ok(())
}

pub fn path(at: &Location<'_>, args: &PathArgs) -> Result<()> {
    let store = at.open()?;
    let (from, to) = (resolve_concept_name(&store, &args.from)?, resolve_concept_name(&store, &args.to)?);
    let graph = graph::filter(&graph::project(&store, &args.via)?, &Filter { kinds: args.via.clone(), ..Filter::default() });
    let find = |iri: &str| graph.node_indices().find(|&n| graph[n].iri == iri);
    let (Some(start), Some(end)) = (find(&from.iri), find(&to.iri)) else {
        bail!("--via must include concept");
    };
    let Some(steps) = shortest_path(&graph, start, end) else {
        bail!("no path from {} to {} through {}", from.label, to.label, kinds_list(&args.via));
    };
    let mut out = io::stdout().lock();
    writeln!(out, "{} → {}: {} hops through {}", from.label, to.label, steps.len(), kinds_list(&args.via))?;
    writeln!(out, "  {:<8} {}", graph[start].kind.as_str(), graph[start].label)?;
    for step in steps {
        let kind = graph[step.edge].kind.as_str();
        let arrow = if step.forward { format!("─{kind}→") } else { format!("←{kind}─") };
        let node: NodeIndex = step.to;
        writeln!(out, "    {arrow}")?;
        writeln!(out, "  {:<8} {}", graph[node].kind.as_str(), graph[node].label)?;
    }
    Ok(())
}

fn kinds_list(kinds: &[NodeKind]) -> String {
    kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
}
