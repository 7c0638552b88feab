//! Every IRI papergraph writes, defined once.
//!
//! Standard vocabularies are used where they fit (schema.org, Dublin Core terms, SKOS, PROV-O,
//! RDFS); the few terms they lack live in the papergraph namespace [`PG`]. ARCHITECTURE.md lists
//! them all with their meaning.

use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::NamedNodeRef;

/// Base of every resource IRI papergraph mints (papers, repositories, listings, evidence).
pub const ID_BASE: &str = "https://w3id.org/papergraph/id/";
/// The papergraph vocabulary namespace.
pub const PG: &str = "https://w3id.org/papergraph/vocab#";
/// The named graph of lookup statistics (see `store::statistics`), recomputed after each build.
pub const STATISTICS_GRAPH: &str = "https://w3id.org/papergraph/id/statistics";
/// Namespace of the bundled concept taxonomy.
pub const CONCEPT: &str = "https://w3id.org/papergraph/concept/";
/// Namespace of the bundled dataset list.
pub const DATASET: &str = "https://w3id.org/papergraph/dataset/";

pub const SCHEMA: &str = "https://schema.org/";
pub const DCTERMS: &str = "http://purl.org/dc/terms/";
pub const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";
pub const PROV: &str = "http://www.w3.org/ns/prov#";
pub const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
pub const RDFS: &str = "http://www.w3.org/2000/01/rdf-schema#";
pub const XSD: &str = "http://www.w3.org/2001/XMLSchema#";

/// Prefixes declared for every SPARQL query and used to shorten IRIs in table output.
pub const PREFIXES: [(&str, &str); 11] = [
    ("pg", PG),
    ("pgid", ID_BASE),
    ("concept", CONCEPT),
    ("dataset", DATASET),
    ("schema", SCHEMA),
    ("dcterms", DCTERMS),
    ("skos", SKOS),
    ("prov", PROV),
    ("rdf", RDF),
    ("rdfs", RDFS),
    ("xsd", XSD),
];

/// A serializer for `format`, declaring [`PREFIXES`] where the format has prefixes (Turtle,
/// TriG, N3, RDF/XML).
pub fn prefixed_serializer(format: RdfFormat) -> RdfSerializer {
    let mut serializer = RdfSerializer::from_format(format);
    if matches!(format, RdfFormat::Turtle | RdfFormat::TriG | RdfFormat::N3 | RdfFormat::RdfXml) {
        for (prefix, iri) in PREFIXES {
            serializer = serializer.with_prefix(prefix, iri).expect("vocabulary prefixes are valid IRIs");
        }
    }
    serializer
}

macro_rules! terms {
    ($($(#[$doc:meta])* $name:ident = $iri:expr;)*) => {
        $($(#[$doc])* pub const $name: NamedNodeRef<'static> = NamedNodeRef::new_unchecked($iri);)*
    };
}

terms! {
    /// `rdf:type`.
    RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";

    /// Class of papers.
    SCHEMA_SCHOLARLY_ARTICLE = "https://schema.org/ScholarlyArticle";
    /// Class of code repositories.
    SCHEMA_SOFTWARE_SOURCE_CODE = "https://schema.org/SoftwareSourceCode";
    /// Paper → concept: the paper's title or abstract mentions the concept.
    SCHEMA_MENTIONS = "https://schema.org/mentions";
    /// Repository → its canonical URL.
    SCHEMA_CODE_REPOSITORY = "https://schema.org/codeRepository";
    /// Name of a repository (`owner/name`), dataset, method (its short name) or extractor.
    SCHEMA_NAME = "https://schema.org/name";
    /// Other names of a dataset; the long form of a method's acronym.
    SCHEMA_ALTERNATE_NAME = "https://schema.org/alternateName";
    /// Class of datasets and benchmarks.
    SCHEMA_DATASET = "https://schema.org/Dataset";
    /// Hosting service of a repository (`github.com`, ...).
    SCHEMA_PROVIDER = "https://schema.org/provider";

    /// Paper title.
    DCTERMS_TITLE = "http://purl.org/dc/terms/title";
    /// Paper abstract.
    DCTERMS_ABSTRACT = "http://purl.org/dc/terms/abstract";
    /// arXiv identifier of a paper.
    DCTERMS_IDENTIFIER = "http://purl.org/dc/terms/identifier";
    /// Date printed on a listing page (as written, e.g. `Mar 13`: pages carry no year), or a
    /// paper's date from its source (`xsd:date`: arXiv's last update, Atom `published`, PwC `date`).
    DCTERMS_DATE = "http://purl.org/dc/terms/date";
    /// File name a listing was read from.
    DCTERMS_SOURCE = "http://purl.org/dc/terms/source";

    /// SKOS concept class and properties (the taxonomy is stored as written).
    SKOS_CONCEPT = "http://www.w3.org/2004/02/skos/core#Concept";
    SKOS_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel";
    SKOS_ALT_LABEL = "http://www.w3.org/2004/02/skos/core#altLabel";
    SKOS_BROADER = "http://www.w3.org/2004/02/skos/core#broader";
    SKOS_DEFINITION = "http://www.w3.org/2004/02/skos/core#definition";

    /// A web page linked from an abstract that is not a code repository (project page, short link).
    RDFS_SEE_ALSO = "http://www.w3.org/2000/01/rdf-schema#seeAlso";

    /// Evidence → the listing it was read from.
    PROV_WAS_DERIVED_FROM = "http://www.w3.org/ns/prov#wasDerivedFrom";
    /// Evidence → the extractor that produced it.
    PROV_WAS_GENERATED_BY = "http://www.w3.org/ns/prov#wasGeneratedBy";
    /// Class of extractors.
    PROV_SOFTWARE_AGENT = "http://www.w3.org/ns/prov#SoftwareAgent";

    /// Method → concept its long name mentions.
    DCTERMS_SUBJECT = "http://purl.org/dc/terms/subject";

    /// Class of named methods, models, datasets or benchmarks that papers define or propose.
    PG_METHOD = "https://w3id.org/papergraph/vocab#Method";
    /// Paper → method whose acronym it defines (`Long Form (LF)`).
    PG_DEFINES = "https://w3id.org/papergraph/vocab#defines";
    /// Paper → method, model, dataset or benchmark it introduces.
    PG_PROPOSES = "https://w3id.org/papergraph/vocab#proposes";
    /// Paper → dataset or benchmark its text names.
    PG_EVALUATED_ON = "https://w3id.org/papergraph/vocab#evaluatedOn";

    /// Concept → `true` when its bare label must be resolved to a narrower sense by context.
    PG_NEEDS_SENSE = "https://w3id.org/papergraph/vocab#needsSense";
    /// Concept → `true` when its short acronym labels (`GPU`) mean only this concept, so they
    /// count without support from the paper's other concepts.
    PG_UNAMBIGUOUS_ACRONYM = "https://w3id.org/papergraph/vocab#unambiguousAcronym";
    /// Concept → words of other fields where its labels mean something else.
    PG_OTHER_SENSE_CONTEXT = "https://w3id.org/papergraph/vocab#otherSenseContext";
    /// Concept → a phrase containing one of its labels that means something else (`dataset
    /// distillation` for knowledge distillation): a match inside it is not the concept.
    PG_OTHER_SENSE_PHRASE = "https://w3id.org/papergraph/vocab#otherSensePhrase";
    /// Concept → a verb, participle or adjective form of its label (`quantized`) that counts as
    /// a mention of it.
    PG_DERIVED_FORM = "https://w3id.org/papergraph/vocab#derivedForm";

    /// Paper → its normalized title (see `iri::normalize_title`): papers read without an arXiv
    /// id merge on it with the paper that has one.
    PG_TITLE_KEY = "https://w3id.org/papergraph/vocab#titleKey";
    /// Paper → author (`schema:Person` with a `schema:name`).
    SCHEMA_AUTHOR = "https://schema.org/author";
    /// Class of authors.
    SCHEMA_PERSON = "https://schema.org/Person";
    /// Paper → arXiv category (`pg:Category` with a `schema:name` like `cs.LG`).
    PG_CATEGORY = "https://w3id.org/papergraph/vocab#category";
    /// Class of arXiv categories.
    PG_CATEGORY_CLASS = "https://w3id.org/papergraph/vocab#Category";

    /// Class of listing pages.
    PG_LISTING = "https://w3id.org/papergraph/vocab#Listing";
    /// Paper → listing page it appeared on (once per page).
    PG_LISTED_IN = "https://w3id.org/papergraph/vocab#listedIn";
    /// Paper → code repository its abstract links to.
    PG_HAS_CODE = "https://w3id.org/papergraph/vocab#hasCode";
    /// Class of provenance properties: sub-properties of a fact's predicate (`schema:mentions`)
    /// that say which listing (`prov:wasDerivedFrom`), extractor (`prov:wasGeneratedBy`) and
    /// confidence (`pg:confidence`) the facts stated with them come from.
    PG_PROVENANCE_PROPERTY = "https://w3id.org/papergraph/vocab#ProvenanceProperty";
    /// `rdfs:subPropertyOf`.
    RDFS_SUB_PROPERTY_OF = "http://www.w3.org/2000/01/rdf-schema#subPropertyOf";
    /// Paper → every occurrence of every fact one source gave it, as one `rdf:JSON` literal
    /// (compact provenance; the format is in `rdf::occurrences`).
    PG_OCCURRENCES = "https://w3id.org/papergraph/vocab#occurrences";
    /// Datatype of JSON literals (RDF 1.2).
    RDF_JSON = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON";
    /// Concept → papers mentioning it or a narrower concept (statistics graph).
    PG_PAPER_COUNT = "https://w3id.org/papergraph/vocab#paperCount";
    /// Concept → papers mentioning it itself (statistics graph).
    PG_DIRECT_PAPER_COUNT = "https://w3id.org/papergraph/vocab#directPaperCount";
    /// Concept → its most-mentioning papers, `rdf:JSON` `[{paper, mentions, via[]}]` (statistics graph).
    PG_TOP_PAPERS = "https://w3id.org/papergraph/vocab#topPapers";
    /// Concept → co-occurring concepts, `rdf:JSON` `[[concept, papers]]` (statistics graph).
    PG_COOCCURRENCE = "https://w3id.org/papergraph/vocab#cooccurrence";
    /// Concept → the first methods by name about it or a narrower concept, `rdf:JSON`
    /// `[{name, iri, long_name}]` (statistics graph; every concept has one, maybe `[]`).
    PG_CONCEPT_METHODS = "https://w3id.org/papergraph/vocab#conceptMethods";
    /// Repository → what its lookup shows (`rdf:JSON`): how many papers cite it, the first of
    /// them by IRI, and the concepts they mention with how many of them do.
    PG_REPOSITORY_STATISTICS = "https://w3id.org/papergraph/vocab#repositoryStatistics";
    /// The statistics graph → every label of every concept, `rdf:JSON` `[[concept, prefLabel,
    /// label]]`, so that resolving a name reads one value.
    PG_CONCEPT_LABELS = "https://w3id.org/papergraph/vocab#conceptLabels";
    /// Class of pairs of concepts mentioned together (statistics graph).
    PG_CONCEPT_PAIR = "https://w3id.org/papergraph/vocab#ConceptPair";
    /// Concept pair → one of its two concepts.
    PG_CONCEPT = "https://w3id.org/papergraph/vocab#concept";
    /// Concept pair → papers mentioning both.
    PG_PAPERS = "https://w3id.org/papergraph/vocab#papers";
    /// Class of evidence records (full provenance): one per extracted fact occurrence.
    PG_EVIDENCE = "https://w3id.org/papergraph/vocab#Evidence";
    /// Evidence → the subject of the fact it supports (a paper).
    PG_SUBJECT = "https://w3id.org/papergraph/vocab#subject";
    /// Evidence → the predicate of the fact it supports.
    PG_PREDICATE = "https://w3id.org/papergraph/vocab#predicate";
    /// Evidence → the object of the fact it supports.
    PG_OBJECT = "https://w3id.org/papergraph/vocab#object";
    /// Evidence → which field of the paper held the text: `title` or `abstract`.
    PG_FIELD = "https://w3id.org/papergraph/vocab#field";
    /// Evidence → first character (Unicode scalar, 0-based) of the matched text in the field.
    PG_START = "https://w3id.org/papergraph/vocab#start";
    /// Evidence → one past the last character of the matched text.
    PG_END = "https://w3id.org/papergraph/vocab#end";
    /// Evidence → the matched text as it appears in the source.
    PG_MATCHED_TEXT = "https://w3id.org/papergraph/vocab#matchedText";
    /// Evidence → line of the listing file holding the field.
    PG_LINE = "https://w3id.org/papergraph/vocab#line";
    /// Evidence → confidence in [0, 1] (see `extract` for how it is set).
    PG_CONFIDENCE = "https://w3id.org/papergraph/vocab#confidence";
}
