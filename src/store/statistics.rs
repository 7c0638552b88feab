//! Lookup statistics, precomputed when a store is built or appended to, so that a concept
//! lookup reads a few quads instead of aggregating over every paper that mentions it.
//!
//! Two things are kept:
//! - [`PaperIndex`]: which concepts each paper mentions and how often, per source file (the
//!   input of the statistics), what a lookup shows of each paper (its titles, the listings
//!   that list it, the repositories it links), and the titles of papers stored without an
//!   arXiv id (which a later paper with one may merge). It is saved beside the store's data
//!   (`papergraph-papers.bin` in the store directory) so that `--append` updates it instead of
//!   rescanning the store, and so that neither the statistics nor the title-word index read
//!   the store for them: right after a bulk load, while RocksDB compacts, random reads of a
//!   million-paper store cost a minute.
//! - the statistics themselves, in the named graph `pgid:statistics` (replaced as a whole each
//!   time): per concept, `pg:paperCount` (papers mentioning it or a narrower concept),
//!   `pg:directPaperCount`, `pg:topPapers` (the most-mentioning papers, `rdf:JSON`) and
//!   `pg:cooccurrence` (`rdf:JSON`); per pair of concepts mentioned together by at least two
//!   papers, a `pg:ConceptPair` with two `pg:concept`s and `pg:papers`; per code repository,
//!   `pg:repositoryStatistics` ([`RepoStatistics`], `rdf:JSON`).

use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap};

use rustc_hash::FxHashMap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::Path;

use oxigraph::model::{GraphName, GraphNameRef, Literal, NamedNode, NamedNodeRef, Quad, Term};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};

use super::{GraphStore, StoreError};
use crate::rdf::iri;
use crate::rdf::vocab::*;

/// Papers kept per concept in `pg:topPapers`.
pub const TOP_PAPERS: usize = 200;
/// Methods kept per concept in `pg:conceptMethods`.
pub const CONCEPT_METHODS: usize = 100;
/// Citing papers kept per repository.
pub const REPO_PAPERS: usize = 100;
/// Concepts kept per repository.
pub const REPO_CONCEPTS: usize = 50;
/// Pairs of concepts need this many papers in common to get a `pg:ConceptPair`.
const MIN_PAIR_PAPERS: u32 = 2;
/// File name of the saved [`PaperIndex`] in the store directory.
pub(crate) const TABLE_FILE: &str = "papergraph-papers.bin";
/// Present while the index may lag behind the store (a build that has not finished).
pub(crate) const STALE_FILE: &str = "papergraph-papers.stale";
const MAGIC: &[u8; 8] = b"PGPAPR02";

/// How often one source mentions one concept in one paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Mentions {
    source: u32,
    concept: u32,
    count: u32,
}

/// What the index knows of one paper.
#[derive(Debug, Default)]
struct Entry {
    /// Which concepts it mentions, how often, per source.
    mentions: Vec<Mentions>,
    /// Its titles as written (`dcterms:title`; one, unless sources disagree).
    titles: Vec<Box<str>>,
    /// Sources (ids in [`PaperIndex::sources`]) whose listing lists it (`pg:listedIn`).
    listings: Vec<u32>,
    /// The repositories it links (`pg:hasCode`; ids in [`PaperIndex::repositories`]).
    repositories: Vec<u32>,
}

/// What a build keeps beside the store about its papers.
#[derive(Debug, Default)]
pub struct PaperIndex {
    concepts: Interner,
    sources: Interner,
    /// Repository IRIs.
    repositories: Interner,
    /// Per repository id, its names (`schema:name`: the `owner/name` each citing text wrote).
    repository_names: Vec<Vec<Box<str>>>,
    /// By paper IRI.
    papers: FxHashMap<Box<str>, Entry>,
    /// Normalized titles of papers stored without an arXiv id and not merged into one with.
    pub orphan_titles: BTreeSet<String>,
}

#[derive(Debug, Default)]
struct Interner {
    names: Vec<Box<str>>,
    ids: FxHashMap<Box<str>, u32>,
}

impl Interner {
    fn id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.into());
        self.ids.insert(name.into(), id);
        id
    }
}

impl PaperIndex {
    /// Records that `source` has `paper` mention each concept (IRI) so many times. Reading the
    /// same source again replaces its counts rather than adding to them.
    pub fn add<'a>(&mut self, paper: &str, source: &str, concepts: impl IntoIterator<Item = (&'a str, u32)>) {
        let source = self.sources.id(source);
        let found: Vec<Mentions> = concepts.into_iter().map(|(concept, count)| Mentions { source, concept: self.concepts.id(concept), count }).collect();
        let entry = self.entry(paper);
        for m in found {
            add_mention(&mut entry.mentions, m);
        }
    }

    /// Records what a lookup shows of `paper`: a title of it, the source whose listing lists
    /// it, repositories it links (IRI and name). Each is kept once.
    pub fn describe<'a>(&mut self, paper: &str, title: Option<&str>, listed_by: Option<&str>, repositories: impl IntoIterator<Item = (&'a str, &'a str)>) {
        let listing = listed_by.map(|source| self.sources.id(source));
        let repositories: Vec<u32> = repositories.into_iter().map(|(iri, name)| self.repository(iri, name)).collect();
        let entry = self.entry(paper);
        add_new(&mut entry.titles, title.map(Box::from));
        add_new(&mut entry.listings, listing);
        add_new(&mut entry.repositories, repositories);
    }

    /// The id of the repository `iri`, which has `name` among its names.
    fn repository(&mut self, iri: &str, name: &str) -> u32 {
        let id = self.repositories.id(iri);
        if self.repository_names.len() <= id as usize {
            self.repository_names.resize_with(id as usize + 1, Vec::new);
        }
        add_new(&mut self.repository_names[id as usize], (!name.is_empty()).then(|| Box::from(name)));
        id
    }

    /// The entry of `paper`, new if need be (its IRI is copied only then).
    fn entry(&mut self, paper: &str) -> &mut Entry {
        if !self.papers.contains_key(paper) {
            self.papers.insert(paper.into(), Entry::default());
        }
        self.papers.get_mut(paper).expect("just inserted")
    }

    /// Moves what is known of paper `from` onto paper `to` (papers merged by title).
    pub fn merge(&mut self, from: &str, to: &str) {
        let Some(moved) = self.papers.remove(from) else { return };
        let entry = self.entry(to);
        for m in moved.mentions {
            add_mention(&mut entry.mentions, m);
        }
        add_new(&mut entry.titles, moved.titles);
        add_new(&mut entry.listings, moved.listings);
        add_new(&mut entry.repositories, moved.repositories);
    }

    /// Titles of `paper` as written, in the order they were learnt.
    pub fn titles(&self, paper: &str) -> &[Box<str>] {
        self.papers.get(paper).map_or(&[], |entry| &entry.titles)
    }

    /// Fills in what a lookup shows of `top`: its least title, its listings (as `listings`
    /// shows each source's) and the names of its repositories, each sorted.
    fn show(&self, top: &mut TopPaper, listings: &HashMap<String, Vec<String>>) {
        let Some(entry) = self.papers.get(top.paper.as_str()) else { return };
        top.title = entry.titles.iter().min().map(|title| title.to_string()).unwrap_or_default();
        top.listings = entry.listings.iter().flat_map(|&source| listings.get(&*self.sources.names[source as usize]).into_iter().flatten().cloned()).collect();
        top.repositories = entry.repositories.iter().flat_map(|&repo| &self.repository_names[repo as usize]).map(|name| name.to_string()).collect();
        for shown in [&mut top.listings, &mut top.repositories] {
            shown.sort_unstable();
            shown.dedup();
        }
    }

    /// Per repository (IRI), the papers linking it, in IRI order.
    fn papers_by_repository(&self) -> BTreeMap<&str, BTreeSet<&str>> {
        let mut citing: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (paper, entry) in &self.papers {
            for &repo in &entry.repositories {
                citing.entry(&self.repositories.names[repo as usize]).or_default().insert(paper);
            }
        }
        citing
    }

    /// Every paper with the titles it has.
    pub fn papers_with_titles(&self) -> impl Iterator<Item = (&str, &[Box<str>])> {
        self.papers.iter().filter(|(_, entry)| !entry.titles.is_empty()).map(|(paper, entry)| (&**paper, &*entry.titles))
    }

    /// Number of papers known.
    pub fn len(&self) -> usize {
        self.papers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.papers.is_empty()
    }

    /// The index saved with `store`; rebuilt from the store's quads when there is none (a store
    /// loaded by other means) or when an append stopped before saving it.
    pub fn open(store: &GraphStore) -> Result<Self, StoreError> {
        let path = store.path.join(TABLE_FILE);
        if !store.path.join(STALE_FILE).exists() {
            match Self::read(&path) {
                Ok(index) => return Ok(index),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => eprintln!("warning: {}: {e}; recounting from the store", path.display()),
            }
        }
        Self::from_store(store)
    }

    /// When the index of the store in `dir` was last saved (the end of the last build or
    /// append); `None` while an append is under way or when none was saved.
    pub fn saved_at(dir: &Path) -> Option<std::time::SystemTime> {
        if dir.join(STALE_FILE).exists() {
            return None;
        }
        std::fs::metadata(dir.join(TABLE_FILE)).and_then(|m| m.modified()).ok()
    }

    /// Whether the statistics of the store in `dir` may be behind its data: an append is
    /// under way, or one was stopped between storing its papers and counting them.
    pub fn is_stale(dir: &Path) -> bool {
        dir.join(STALE_FILE).exists()
    }

    /// Marks the saved index as possibly behind the store until [`PaperIndex::save`].
    pub fn mark_stale(store: &GraphStore) -> Result<(), StoreError> {
        File::create(store.path.join(STALE_FILE)).map(drop).map_err(|source| StoreError::Replace { path: store.path.clone(), source })
    }

    /// Saves the index with `store` (atomically: a new file renamed over the old one).
    pub fn save(&self, store: &GraphStore) -> Result<(), StoreError> {
        let path = store.path.join(TABLE_FILE);
        let err = |source| StoreError::Replace { path: path.clone(), source };
        let partial = path.with_extension("partial");
        self.write(&partial).map_err(err)?;
        std::fs::rename(&partial, &path).map_err(err)?;
        match std::fs::remove_file(store.path.join(STALE_FILE)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(err(e)),
            _ => Ok(()),
        }
    }

    /// Rebuilds the index from the store itself: mentions from the stored provenance where
    /// there is some, else one per `schema:mentions` fact (a store built with `--provenance
    /// none`); titles, listings and repositories from the facts; papers without an arXiv id
    /// from their `pg:titleKey`.
    pub fn from_store(store: &GraphStore) -> Result<Self, StoreError> {
        let mut index = PaperIndex::default();
        super::provenance::for_each_count(store, |paper, predicate, object, source, n| {
            if predicate == SCHEMA_MENTIONS.as_str() {
                index.add(paper, source, [(object, n as u32)]);
            }
        })?;
        // Facts stored with provenance also have a provenance property; the others are found
        // by the store on its encoded terms, without decoding every mention (14 M strings at a
        // million papers).
        let unsourced = select(
            store,
            "SELECT ?paper ?concept WHERE { ?paper schema:mentions ?concept
               FILTER NOT EXISTS { ?paper ?via ?concept . ?via rdfs:subPropertyOf schema:mentions } }",
            "mentions without provenance",
        )?;
        for row in unsourced {
            let value = |i: usize| crate::query::plain_value(&row[i]);
            index.add(&value(0), "", [(value(1).as_str(), 1)]);
        }
        let titles = "SELECT ?paper ?title WHERE { ?paper a schema:ScholarlyArticle ; dcterms:title ?title }";
        for row in select(store, titles, "paper titles")? {
            let value = |i: usize| crate::query::plain_value(&row[i]);
            index.describe(&value(0), Some(&value(1)), None, None);
        }
        let listings = "SELECT ?paper ?source WHERE { ?paper pg:listedIn ?listing . ?listing a pg:Listing ; dcterms:source ?source }";
        for row in select(store, listings, "paper listings")? {
            let value = |i: usize| crate::query::plain_value(&row[i]);
            index.describe(&value(0), None, Some(&value(1)), None);
        }
        let links = "SELECT ?paper ?repo ?name WHERE { ?paper pg:hasCode ?repo OPTIONAL { ?repo schema:name ?name } }";
        for row in select(store, links, "paper repositories")? {
            let value = |i: usize| crate::query::plain_value(&row[i]);
            index.describe(&value(0), None, None, [(value(1).as_str(), value(2).as_str())]);
        }
        let orphans = select(store, "SELECT DISTINCT ?key WHERE { ?paper pg:titleKey ?key FILTER NOT EXISTS { ?paper dcterms:identifier ?id } }", "orphans")?;
        index.orphan_titles.extend(orphans.iter().map(|row| crate::query::plain_value(&row[0])));
        Ok(index)
    }

    fn write(&self, path: &Path) -> io::Result<()> {
        let mut out = BufWriter::new(File::create(path)?);
        out.write_all(MAGIC)?;
        for names in [&self.concepts.names, &self.sources.names, &self.repositories.names] {
            write_strs(&mut out, names)?;
        }
        for names in &self.repository_names {
            write_strs(&mut out, names)?;
        }
        write_strs(&mut out, &self.orphan_titles)?;
        write_u32(&mut out, self.papers.len() as u32)?;
        for (paper, entry) in &self.papers {
            write_str(&mut out, paper)?;
            write_u32(&mut out, entry.mentions.len() as u32)?;
            for m in &entry.mentions {
                for n in [m.source, m.concept, m.count] {
                    write_u32(&mut out, n)?;
                }
            }
            write_strs(&mut out, &entry.titles)?;
            for ids in [&entry.listings, &entry.repositories] {
                write_u32(&mut out, ids.len() as u32)?;
                for &id in ids {
                    write_u32(&mut out, id)?;
                }
            }
        }
        out.into_inner().map_err(io::IntoInnerError::into_error)?.sync_all()
    }

    fn read(path: &Path) -> io::Result<Self> {
        let mut input = BufReader::new(File::open(path)?);
        let mut magic = [0; 8];
        input.read_exact(&mut magic)?;
        if &magic != MAGIC {
            let what = if magic.starts_with(&MAGIC[..6]) { "a paper index in an older format" } else { "not a papergraph paper index" };
            return Err(io::Error::new(io::ErrorKind::InvalidData, what));
        }
        let mut index = PaperIndex::default();
        for interner in [&mut index.concepts, &mut index.sources, &mut index.repositories] {
            for name in read_strs::<Vec<String>, String>(&mut input)? {
                interner.id(&name);
            }
        }
        for _ in 0..index.repositories.names.len() {
            index.repository_names.push(read_strs(&mut input)?);
        }
        index.orphan_titles = read_strs(&mut input)?;
        let (concepts, sources, repositories) = (index.concepts.names.len() as u32, index.sources.names.len() as u32, index.repositories.names.len() as u32);
        let out_of_range = || io::Error::new(io::ErrorKind::InvalidData, "index out of range");
        let papers = read_u32(&mut input)? as usize;
        index.papers.reserve(papers);
        for _ in 0..papers {
            let paper = read_str(&mut input)?;
            let mut entry = Entry::default();
            let n = read_u32(&mut input)? as usize;
            entry.mentions.reserve(n.min(1 << 16));
            for _ in 0..n {
                let m = Mentions { source: read_u32(&mut input)?, concept: read_u32(&mut input)?, count: read_u32(&mut input)? };
                if m.source >= sources || m.concept >= concepts {
                    return Err(out_of_range());
                }
                entry.mentions.push(m);
            }
            entry.titles = read_strs(&mut input)?;
            for (ids, bound) in [(&mut entry.listings, sources), (&mut entry.repositories, repositories)] {
                for _ in 0..read_u32(&mut input)? {
                    let id = read_u32(&mut input)?;
                    if id >= bound {
                        return Err(out_of_range());
                    }
                    ids.push(id);
                }
            }
            index.papers.insert(paper.into(), entry);
        }
        Ok(index)
    }
}

/// Counts `m` in `mentions`: reading the same source again keeps the larger count.
fn add_mention(mentions: &mut Vec<Mentions>, m: Mentions) {
    match mentions.iter_mut().find(|e| e.source == m.source && e.concept == m.concept) {
        Some(e) => e.count = e.count.max(m.count),
        None => mentions.push(m),
    }
}

/// Adds those of `items` that `known` lacks.
fn add_new<T: PartialEq>(known: &mut Vec<T>, items: impl IntoIterator<Item = T>) {
    for item in items {
        if !known.contains(&item) {
            known.push(item);
        }
    }
}

fn write_u32(out: &mut impl Write, n: u32) -> io::Result<()> {
    out.write_all(&n.to_le_bytes())
}

fn write_str(out: &mut impl Write, s: &str) -> io::Result<()> {
    write_u32(out, s.len() as u32)?;
    out.write_all(s.as_bytes())
}

/// A count, then each string.
fn write_strs<'a, S: AsRef<str> + 'a, I>(out: &mut impl Write, strings: I) -> io::Result<()>
where
    I: IntoIterator<Item = &'a S>,
    I::IntoIter: ExactSizeIterator,
{
    let strings = strings.into_iter();
    write_u32(out, strings.len() as u32)?;
    for s in strings {
        write_str(out, s.as_ref())?;
    }
    Ok(())
}

/// What [`write_strs`] wrote.
fn read_strs<C: FromIterator<T>, T: From<String>>(input: &mut impl Read) -> io::Result<C> {
    (0..read_u32(input)?).map(|_| read_str(input).map(T::from)).collect()
}

fn read_u32(input: &mut impl Read) -> io::Result<u32> {
    let mut bytes = [0; 4];
    input.read_exact(&mut bytes)?;
    Ok(u32::from_le_bytes(bytes))
}

fn read_str(input: &mut impl Read) -> io::Result<String> {
    let len = read_u32(input)? as usize;
    let mut bytes = Vec::new();
    input.take(len as u64).read_to_end(&mut bytes)?;
    if bytes.len() != len {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    String::from_utf8(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// The taxonomy's hierarchy as stored: for each concept, itself and everything above it.
struct Hierarchy {
    /// Concept IRI → concepts at or above it (transitively through `skos:broader`).
    at_or_above: HashMap<String, Vec<String>>,
}

impl Hierarchy {
    fn of(store: &GraphStore) -> Result<Self, StoreError> {
        let mut broader: HashMap<String, Vec<String>> = HashMap::new();
        for quad in store.quads(None, Some(RDF_TYPE), Some(SKOS_CONCEPT.into()), Some(GraphNameRef::DefaultGraph)) {
            broader.entry(node_iri(&quad?.subject.into())).or_default();
        }
        for quad in store.quads(None, Some(SKOS_BROADER), None, Some(GraphNameRef::DefaultGraph)) {
            let quad = quad?;
            broader.entry(node_iri(&quad.subject.into())).or_default().push(node_iri(&quad.object));
        }
        let at_or_above = broader
            .keys()
            .map(|concept| {
                let (mut seen, mut todo) = (vec![concept.clone()], vec![concept.clone()]);
                while let Some(next) = todo.pop() {
                    for up in broader.get(&next).into_iter().flatten() {
                        if !seen.contains(up) {
                            seen.push(up.clone());
                            todo.push(up.clone());
                        }
                    }
                }
                (concept.clone(), seen)
            })
            .collect();
        Ok(Hierarchy { at_or_above })
    }

    fn at_or_above<'a>(&'a self, concept: &'a str) -> Vec<&'a str> {
        match self.at_or_above.get(concept) {
            Some(up) => up.iter().map(String::as_str).collect(),
            None => vec![concept],
        }
    }
}

fn node_iri(term: &Term) -> String {
    match term {
        Term::NamedNode(node) => node.as_str().to_owned(),
        other => other.to_string(),
    }
}

/// A paper among a concept's most-mentioning ones, with what a lookup shows of it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TopPaper {
    pub paper: String,
    /// The smallest of its titles, when sources disagree.
    pub title: String,
    /// Mentions of the concept and narrower concepts.
    pub mentions: u64,
    /// The concepts (IRIs: this one or narrower) the paper mentions.
    pub via: Vec<String>,
    /// Listings it was read from, with their dates: `page.txt (Mar 13)`.
    pub listings: Vec<String>,
    /// Names of the repositories it links.
    pub repositories: Vec<String>,
}

/// What a concept lookup reads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConceptStatistics {
    pub paper_count: u64,
    pub direct_paper_count: u64,
    /// Most mentions first, then by IRI; at most [`TOP_PAPERS`].
    pub top_papers: Vec<TopPaper>,
    /// Concepts neither above nor below this one, with the papers mentioning both (this one
    /// counting through narrower concepts), most papers first.
    pub cooccurring: Vec<(String, u64)>,
    /// The first [`CONCEPT_METHODS`] methods about this concept or a narrower one, in their
    /// order; `None` in statistics written before papergraph counted them.
    pub methods: Option<Vec<ConceptMethod>>,
}

/// A method (`pg:Method`) whose `dcterms:subject` is a concept, as the concept's statistics
/// list it. Ordered as listed: by name, then IRI, then long name (none first).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct ConceptMethod {
    pub name: String,
    pub iri: String,
    pub long_name: Option<String>,
}

/// A paper citing a repository, with the text that cites it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CitingPaper {
    pub iri: String,
    pub title: String,
    /// The URL as written in the abstract.
    pub evidence: String,
    pub listing: String,
    pub line: u64,
}

/// What a repository lookup reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RepoStatistics {
    /// Papers citing the repository.
    pub paper_count: u64,
    /// The first [`REPO_PAPERS`] of them by IRI, with the text citing the repository, sorted
    /// by title.
    pub papers: Vec<CitingPaper>,
    /// Preferred labels of the concepts the citing papers mention, with how many of them do:
    /// most papers first, then by label; at most [`REPO_CONCEPTS`].
    pub concepts: Vec<(String, u64)>,
}

#[derive(Default)]
struct Tally {
    papers: u64,
    direct: u64,
    /// Min-heap (by mentions, then reversed IRI order) of the best papers so far.
    top: BinaryHeap<std::cmp::Reverse<(u64, std::cmp::Reverse<Box<str>>, Vec<u32>)>>,
    cooccurring: FxHashMap<u32, u64>,
}

impl Tally {
    /// Keeps `paper` among the [`TOP_PAPERS`] best if it ranks there; copies it only then.
    fn offer(&mut self, mentions: u64, paper: &str, via: &mut Vec<u32>) {
        if self.top.len() >= TOP_PAPERS {
            let std::cmp::Reverse((least, std::cmp::Reverse(last), _)) = self.top.peek().expect("a full heap");
            // Ranked by mentions, then by IRI (the smaller first).
            if (mentions, std::cmp::Reverse(paper)) <= (*least, std::cmp::Reverse(&**last)) {
                return;
            }
            self.top.pop();
        }
        self.top.push(std::cmp::Reverse((mentions, std::cmp::Reverse(paper.into()), std::mem::take(via))));
    }
}

/// Recomputes every statistic from `index` and the stored hierarchy, and replaces the
/// statistics graph of `store` with them.
pub fn update(store: &GraphStore, index: &PaperIndex) -> Result<(), StoreError> {
    let hierarchy = Hierarchy::of(store)?;
    // Ids: the index's concepts first (its entries keep their ids), then those only the
    // hierarchy knows, which papers can mention through narrower concepts.
    let mut concepts = Interner { names: index.concepts.names.clone(), ids: index.concepts.ids.clone() };
    for concept in hierarchy.at_or_above.values().flatten() {
        concepts.id(concept);
    }
    let names = &concepts.names;
    // Per concept id: the ids at or above it.
    let up: Vec<Vec<u32>> = names.iter().map(|c| hierarchy.at_or_above(c).into_iter().map(|a| concepts.ids[a]).collect()).collect();
    let mut tallies: FxHashMap<u32, Tally> = FxHashMap::default();
    let mut pairs: FxHashMap<(u32, u32), u32> = FxHashMap::default();
    // Per paper, reused: mentions per concept it names, then per concept at or above those.
    let mut direct: BTreeMap<u32, u64> = BTreeMap::new();
    let mut through: BTreeMap<u32, (u64, Vec<u32>)> = BTreeMap::new();
    for (paper, entry) in &index.papers {
        direct.clear();
        through.clear();
        for m in &entry.mentions {
            *direct.entry(m.concept).or_default() += u64::from(m.count);
        }
        for (&concept, &count) in &direct {
            for &above in &up[concept as usize] {
                let entry = through.entry(above).or_default();
                entry.0 += count;
                entry.1.push(concept);
            }
        }
        for (&concept, (mentions, via)) in &mut through {
            let tally = tallies.entry(concept).or_default();
            tally.papers += 1;
            tally.direct += u64::from(direct.contains_key(&concept));
            for &other in direct.keys() {
                if !up[other as usize].contains(&concept) && !up[concept as usize].contains(&other) {
                    *tally.cooccurring.entry(other).or_default() += 1;
                }
            }
            tally.offer(*mentions, paper, via);
        }
        let ids: Vec<u32> = direct.keys().copied().collect();
        for (i, &a) in ids.iter().enumerate() {
            for &b in &ids[i + 1..] {
                *pairs.entry((a, b)).or_default() += 1;
            }
        }
    }

    let graph = GraphName::from(NamedNode::new_unchecked(STATISTICS_GRAPH));
    let mut quads = Vec::new();
    let mut add = |s: NamedNodeRef<'_>, p: NamedNodeRef<'_>, o: Term| quads.push(Quad::new(s, p, o, graph.clone()));
    let mut per_concept: Vec<(u32, ConceptStatistics)> = Vec::new();
    for (id, tally) in tallies {
        let stats = ConceptStatistics {
            paper_count: tally.papers,
            direct_paper_count: tally.direct,
            top_papers: {
                let mut top: Vec<_> = tally.top.into_iter().map(|std::cmp::Reverse(t)| t).collect();
                top.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| (a.1).0.cmp(&(b.1).0)));
                top.into_iter()
                    .map(|(mentions, std::cmp::Reverse(paper), via)| {
                        // By IRI, not by id: ids depend on the order the index learnt the concepts.
                        let mut via: Vec<String> = via.iter().map(|&c| names[c as usize].to_string()).collect();
                        via.sort_unstable();
                        TopPaper { paper: paper.into(), mentions, via, ..TopPaper::default() }
                    })
                    .collect()
            },
            cooccurring: {
                let mut co: Vec<(String, u64)> = tally.cooccurring.into_iter().map(|(c, n)| (names[c as usize].to_string(), n)).collect();
                co.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                co
            },
            methods: None,
        };
        per_concept.push((id, stats));
    }
    let listings = listing_names(store)?;
    for (id, mut stats) in per_concept {
        for top in &mut stats.top_papers {
            index.show(top, &listings);
        }
        let concept = NamedNode::new_unchecked(names[id as usize].to_string());
        add(concept.as_ref(), PG_PAPER_COUNT, Literal::from(stats.paper_count as i64).into());
        add(concept.as_ref(), PG_DIRECT_PAPER_COUNT, Literal::from(stats.direct_paper_count as i64).into());
        add(concept.as_ref(), PG_TOP_PAPERS, json_literal(&stats.top_papers));
        add(concept.as_ref(), PG_COOCCURRENCE, json_literal(&stats.cooccurring));
    }
    let mut methods = concept_methods(store, &hierarchy)?;
    for concept in hierarchy.at_or_above.keys() {
        let listed = methods.remove(concept.as_str()).unwrap_or_default();
        add(NamedNode::new_unchecked(concept.as_str()).as_ref(), PG_CONCEPT_METHODS, json_literal(&listed));
    }
    let labels = labels_from_query(store)?;
    for (repo, stats) in repository_statistics(store, index, &labels)? {
        add(repo.as_ref(), PG_REPOSITORY_STATISTICS, json_literal(&stats));
    }
    add(NamedNode::new_unchecked(STATISTICS_GRAPH).as_ref(), PG_CONCEPT_LABELS, json_literal(&labels));
    for ((a, b), papers) in pairs {
        if papers < MIN_PAIR_PAPERS {
            continue;
        }
        let (a, b) = (names[a as usize].as_ref(), names[b as usize].as_ref());
        let (a, b) = if a < b { (a, b) } else { (b, a) };
        let pair = iri::concept_pair(a, b);
        add(pair.as_ref(), RDF_TYPE, PG_CONCEPT_PAIR.into());
        add(pair.as_ref(), PG_CONCEPT, NamedNode::new_unchecked(a).into());
        add(pair.as_ref(), PG_CONCEPT, NamedNode::new_unchecked(b).into());
        add(pair.as_ref(), PG_PAPERS, Literal::from(i64::from(papers)).into());
    }
    // Cleared, then bulk-loaded: a transaction would read the store before each write, which
    // is slow right after a bulk load. In between, the index is still marked stale (see
    // `PaperIndex::mark_stale`), so an interrupted update is redone by the next build.
    store.replace_graph(&NamedNode::new_unchecked(STATISTICS_GRAPH), quads)
}

/// Per concept of the hierarchy (IRI), the first [`CONCEPT_METHODS`] methods whose subject is
/// the concept or a narrower one, in one pass over every method (a concept lookup that joined
/// them through `skos:broader*` took 15 s on a store of 50 k methods about one concept).
fn concept_methods(store: &GraphStore, hierarchy: &Hierarchy) -> Result<HashMap<String, Vec<ConceptMethod>>, StoreError> {
    let query = format!(
        "SELECT ?m ?name ?long ?c WHERE {{ ?m a <{PG_METHOD}> ; <{DCTERMS_SUBJECT}> ?c ; <{SCHEMA_NAME}> ?name OPTIONAL {{ ?m <{SCHEMA_ALTERNATE_NAME}> ?long }} }}",
        PG_METHOD = PG_METHOD.as_str(),
        DCTERMS_SUBJECT = DCTERMS_SUBJECT.as_str(),
        SCHEMA_NAME = SCHEMA_NAME.as_str(),
        SCHEMA_ALTERNATE_NAME = SCHEMA_ALTERNATE_NAME.as_str(),
    );
    let error = |message: String| StoreError::Statistics { path: store.path.clone(), message: format!("methods of concepts: {message}") };
    // Rows `[?m, ?name, ?long, ?c]`: streamed from the embedded store, read whole from a server.
    let rows: Box<dyn Iterator<Item = Result<Vec<Option<Term>>, StoreError>>> = if store.endpoint().is_some() {
        Box::new(select(store, &query, "methods of concepts")?.into_iter().map(Ok))
    } else {
        let results = SparqlEvaluator::new()
            .parse_query(&query)
            .map_err(|e| error(e.to_string()))?
            .on_store(store.local("counting methods")?)
            .execute()
            .map_err(|e| error(e.to_string()))?;
        let QueryResults::Solutions(solutions) = results else { return Err(error("not a SELECT".into())) };
        Box::new(solutions.map(|solution| {
            let solution = solution.map_err(|e| error(e.to_string()))?;
            Ok(["m", "name", "long", "c"].iter().map(|v| solution.get(*v).cloned()).collect())
        }))
    };
    // Per concept, a max-heap of the least methods so far: its top is the one to drop next.
    let mut least: HashMap<&str, BinaryHeap<ConceptMethod>> = HashMap::new();
    for row in rows {
        let row = row?;
        let text = |i: usize| row[i].as_ref().map(|_| crate::query::plain_value(&row[i]));
        let (Some(iri), Some(name), Some(Term::NamedNode(subject))) = (text(0), text(1), &row[3]) else { continue };
        // Only concepts of the hierarchy get a list (see `update`).
        let Some(above) = hierarchy.at_or_above.get(subject.as_str()) else { continue };
        let method = ConceptMethod { name, iri, long_name: text(2) };
        for concept in above {
            let heap = least.entry(concept.as_str()).or_default();
            let full = heap.len() >= CONCEPT_METHODS;
            if (full && heap.peek().is_some_and(|last| *last <= method)) || heap.iter().any(|m| *m == method) {
                continue;
            }
            heap.push(method.clone());
            if full {
                heap.pop();
            }
        }
    }
    Ok(least.into_iter().map(|(concept, heap)| (concept.to_owned(), heap.into_sorted_vec())).collect())
}

/// Per repository (`pg:hasCode` object), its citing papers and their concepts, from the index;
/// the citing texts of the papers shown from their stored provenance.
fn repository_statistics(store: &GraphStore, index: &PaperIndex, labels: &ConceptLabels) -> Result<Vec<(NamedNode, RepoStatistics)>, StoreError> {
    let citing = index.papers_by_repository();
    let preferred: HashMap<&str, &str> = labels.iter().map(|(concept, pref, _)| (concept.as_str(), pref.as_str())).collect();
    let mut all = Vec::with_capacity(citing.len());
    for (repo, papers) in citing {
        let repo = NamedNode::new_unchecked(repo);
        let mut concepts: HashMap<&str, u64> = HashMap::new();
        for paper in &papers {
            let mentioned: BTreeSet<&str> = index
                .papers
                .get(*paper)
                .into_iter()
                .flat_map(|entry| &entry.mentions)
                .filter_map(|m| preferred.get(&*index.concepts.names[m.concept as usize]).copied())
                .collect();
            for label in mentioned {
                *concepts.entry(label).or_default() += 1;
            }
        }
        let mut concepts: Vec<(String, u64)> = concepts.into_iter().map(|(label, n)| (label.to_owned(), n)).collect();
        concepts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        concepts.truncate(REPO_CONCEPTS);
        let shown = papers.iter().take(REPO_PAPERS).copied();
        let stats = RepoStatistics { paper_count: papers.len() as u64, papers: citing_papers(store, &repo, shown, index)?, concepts };
        all.push((repo, stats));
    }
    Ok(all)
}

/// `papers` under each of their titles (in `index`) with the text by which each cites `repo`,
/// sorted by title.
fn citing_papers<'a>(store: &GraphStore, repo: &NamedNode, papers: impl Iterator<Item = &'a str>, index: &PaperIndex) -> Result<Vec<CitingPaper>, StoreError> {
    let mut found = Vec::new();
    for paper in papers {
        let titles = index.titles(paper);
        let (false, Ok(node)) = (titles.is_empty(), NamedNode::new(paper)) else { continue };
        let mut cited: Vec<(String, String, u64)> = super::provenance::occurrences_of(store, &node)?
            .into_iter()
            .filter(|o| o.predicate == PG_HAS_CODE.as_str() && o.object == repo.as_str())
            .map(|o| (o.text, o.source, o.line as u64))
            .collect();
        cited.sort();
        cited.dedup();
        for title in titles {
            found.extend(cited.iter().map(|(evidence, listing, line)| CitingPaper {
                iri: paper.to_owned(),
                title: title.to_string(),
                evidence: evidence.clone(),
                listing: listing.clone(),
                line: *line,
            }));
        }
    }
    found.sort_by(|a, b| (&a.title, &a.listing, &a.iri, a.line, &a.evidence).cmp(&(&b.title, &b.listing, &b.iri, b.line, &b.evidence)));
    Ok(found)
}

/// Per source name, how its listing shows in a lookup: `name (date)`, or the bare name where
/// the listing has no date (one entry per date the listing was stored with).
fn listing_names(store: &GraphStore) -> Result<HashMap<String, Vec<String>>, StoreError> {
    const LISTINGS: &str = "SELECT ?name ?date WHERE { ?listing a pg:Listing ; dcterms:source ?name OPTIONAL { ?listing dcterms:date ?date } }";
    let mut shown: HashMap<String, Vec<String>> = HashMap::new();
    for row in select(store, LISTINGS, "listings")? {
        let name = crate::query::plain_value(&row[0]);
        let label = match &row[1] {
            Some(_) => format!("{name} ({})", crate::query::plain_value(&row[1])),
            None => name.clone(),
        };
        shown.entry(name).or_default().push(label);
    }
    Ok(shown)
}

/// Every label of every concept: `(concept IRI, preferred label, label)`, the preferred label
/// among them, by concept and label.
pub type ConceptLabels = Vec<(String, String, String)>;

fn labels_from_query(store: &GraphStore) -> Result<ConceptLabels, StoreError> {
    const LABELS: &str = "SELECT ?c ?pref ?l WHERE { ?c a skos:Concept ; skos:prefLabel ?pref .
        { ?c skos:prefLabel ?l } UNION { ?c skos:altLabel ?l } } ORDER BY ?c ?l";
    let rows = select(store, LABELS, "concept labels")?;
    Ok(rows.iter().map(|row| (crate::query::plain_value(&row[0]), crate::query::plain_value(&row[1]), crate::query::plain_value(&row[2]))).collect())
}

/// The concept labels (see [`ConceptLabels`]): one read of the statistics, or a query of the
/// taxonomy when the store has no statistics.
pub fn concept_labels(store: &GraphStore) -> Result<ConceptLabels, StoreError> {
    let graph = NamedNode::new_unchecked(STATISTICS_GRAPH);
    let node = NamedNode::new_unchecked(STATISTICS_GRAPH);
    if let Some(quad) = store.first_quad(Some(node.as_ref().into()), Some(PG_CONCEPT_LABELS), None, Some(graph.as_ref().into()))? {
        if let Term::Literal(json) = &quad.object {
            return serde_json::from_str(json.value()).map_err(|e| StoreError::Statistics { path: store.path.clone(), message: format!("pg:conceptLabels: {e}") });
        }
    }
    labels_from_query(store)
}

/// Rows of a SELECT the statistics run on `store`; `source_name` names the query in errors.
fn select(store: &GraphStore, sparql: &str, source_name: &str) -> Result<Vec<Vec<Option<Term>>>, StoreError> {
    crate::query::select(store, sparql, source_name, &[]).map_err(|e| StoreError::Statistics { path: store.path.clone(), message: e.to_string() })
}

fn json_literal(value: &impl serde::Serialize) -> Term {
    Literal::new_typed_literal(serde_json::to_string(value).expect("statistics serialize"), RDF_JSON).into()
}

/// Papers mentioning `concept` or a narrower one (0 when none does, or the store has no
/// statistics): one read, without the rest of [`concept_statistics`].
pub fn paper_count(store: &GraphStore, concept: &str) -> Result<u64, StoreError> {
    let Ok(node) = NamedNode::new(concept) else { return Ok(0) };
    let graph = NamedNode::new_unchecked(STATISTICS_GRAPH);
    let first = store.first_quad(Some(node.as_ref().into()), Some(PG_PAPER_COUNT), None, Some(graph.as_ref().into()))?;
    Ok(match first.map(|quad| quad.object) {
        Some(Term::Literal(count)) => count.value().parse().unwrap_or_default(),
        _ => 0,
    })
}

/// The statistics of `concept`; `None` when no paper mentions it (or the store has none).
pub fn concept_statistics(store: &GraphStore, concept: &str) -> Result<Option<ConceptStatistics>, StoreError> {
    let Ok(node) = NamedNode::new(concept) else { return Ok(None) };
    let graph = NamedNode::new_unchecked(STATISTICS_GRAPH);
    let mut stats = ConceptStatistics::default();
    let mut found = false;
    for quad in store.quads(Some(node.as_ref().into()), None, None, Some(graph.as_ref().into())) {
        let quad = quad?;
        let Term::Literal(value) = &quad.object else { continue };
        let bad = |e: serde_json::Error| StoreError::Statistics { path: store.path.clone(), message: format!("{} of {concept}: {e}", quad.predicate) };
        found = true;
        match quad.predicate.as_ref() {
            p if p == PG_PAPER_COUNT => stats.paper_count = value.value().parse().unwrap_or_default(),
            p if p == PG_DIRECT_PAPER_COUNT => stats.direct_paper_count = value.value().parse().unwrap_or_default(),
            p if p == PG_TOP_PAPERS => stats.top_papers = serde_json::from_str(value.value()).map_err(bad)?,
            p if p == PG_COOCCURRENCE => stats.cooccurring = serde_json::from_str(value.value()).map_err(bad)?,
            p if p == PG_CONCEPT_METHODS => stats.methods = Some(serde_json::from_str(value.value()).map_err(bad)?),
            _ => {}
        }
    }
    Ok(found.then_some(stats))
}

/// The statistics of a repository (IRI); `None` when the store has none for it.
pub fn repo_statistics(store: &GraphStore, repo: &str) -> Result<Option<RepoStatistics>, StoreError> {
    let Ok(node) = NamedNode::new(repo) else { return Ok(None) };
    let graph = NamedNode::new_unchecked(STATISTICS_GRAPH);
    let Some(quad) = store.first_quad(Some(node.as_ref().into()), Some(PG_REPOSITORY_STATISTICS), None, Some(graph.as_ref().into()))? else {
        return Ok(None);
    };
    let Term::Literal(value) = &quad.object else { return Ok(None) };
    serde_json::from_str(value.value())
        .map(Some)
        .map_err(|e| StoreError::Statistics { path: store.path.clone(), message: format!("{} of {repo}: {e}", quad.predicate) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_keeps_what_lookups_show_through_merges_and_a_save() {
        let mut index = PaperIndex::default();
        index.describe("p:vim", Some("Vision Mamba"), Some("page.txt"), [("r:vim", "hustvl/Vim")]);
        // Another source writes the repository's name in another case: one repository, two names.
        index.describe("p:other", Some("Other"), Some("feed.json"), [("r:vim", "hustvl/vim")]);
        index.describe("p:orphan", Some("Vision Mamba!"), Some("feed.json"), [("r:zoo", "a/zoo")]);
        index.add("p:vim", "page.txt", [("c:mamba", 2)]);
        index.merge("p:orphan", "p:vim");

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(TABLE_FILE);
        index.write(&path).unwrap();
        let read = PaperIndex::read(&path).unwrap();
        for index in [&index, &read] {
            let mut top = TopPaper { paper: "p:vim".into(), ..TopPaper::default() };
            let listings = HashMap::from([("page.txt".to_owned(), vec!["page.txt (Mar 13)".to_owned()]), ("feed.json".to_owned(), vec!["feed.json".to_owned()])]);
            index.show(&mut top, &listings);
            assert_eq!(top.title, "Vision Mamba");
            assert_eq!(top.listings, ["feed.json", "page.txt (Mar 13)"]);
            assert_eq!(top.repositories, ["a/zoo", "hustvl/Vim", "hustvl/vim"]);
            let citing = index.papers_by_repository();
            assert_eq!(citing.keys().copied().collect::<Vec<_>>(), ["r:vim", "r:zoo"]);
            assert_eq!(citing["r:vim"].iter().copied().collect::<Vec<_>>(), ["p:other", "p:vim"]);
            assert!(index.papers.get("p:orphan").is_none());
            assert_eq!(index.titles("p:vim"), [Box::from("Vision Mamba"), Box::from("Vision Mamba!")]);
        }
        // An index saved by an older papergraph is recounted from the store, with this reason.
        std::fs::write(&path, b"PGPAPR01 without titles").unwrap();
        assert_eq!(PaperIndex::read(&path).err().unwrap().to_string(), "a paper index in an older format");
    }
}
