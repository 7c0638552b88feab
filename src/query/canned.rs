//! Canned queries (`queries/*.rq`, compiled in) and their declared parameters.
//!
//! A canned query starts with comment lines: the first says what it answers; lines
//! `# @param NAME KIND help` declare parameters, where KIND is `concept` (a name, alias or IRI,
//! resolved like `papergraph concept`), `iri` or `string`. Parameters are bound as RDF terms,
//! never spliced into the query text; an unbound parameter matches everything. Oxigraph binds
//! them on the query's solutions, so a parameter must be projected and used in triple patterns
//! (a FILTER or HAVING does not see it).

use oxigraph::model::{Literal, NamedNode, Term, Variable};

use crate::lookup::{self, ConceptResolution};
use crate::store::GraphStore;

/// Every canned query: (name, text).
pub const CANNED: [(&str, &str); 16] = [
    ("acronyms", include_str!("../../queries/acronyms.rq")),
    ("concept-cooccurrence", include_str!("../../queries/concept-cooccurrence.rq")),
    ("concepts-by-paper-count", include_str!("../../queries/concepts-by-paper-count.rq")),
    ("count-papers", include_str!("../../queries/count-papers.rq")),
    ("count-repositories", include_str!("../../queries/count-repositories.rq")),
    ("datasets-by-usage", include_str!("../../queries/datasets-by-usage.rq")),
    ("evidence", include_str!("../../queries/evidence.rq")),
    ("kv-cache-papers", include_str!("../../queries/kv-cache-papers.rq")),
    ("methods-by-concept", include_str!("../../queries/methods-by-concept.rq")),
    ("papers-by-concept", include_str!("../../queries/papers-by-concept.rq")),
    ("papers-on-two-concepts", include_str!("../../queries/papers-on-two-concepts.rq")),
    ("papers-per-listing", include_str!("../../queries/papers-per-listing.rq")),
    ("papers-with-code", include_str!("../../queries/papers-with-code.rq")),
    ("papers-without-code", include_str!("../../queries/papers-without-code.rq")),
    ("repositories", include_str!("../../queries/repositories.rq")),
    ("repositories-by-concept", include_str!("../../queries/repositories-by-concept.rq")),
];

/// Finds a canned query by name (with or without `.rq`).
pub fn canned(name: &str) -> Option<&'static str> {
    let name = name.strip_suffix(".rq").unwrap_or(name);
    CANNED.iter().find(|(n, _)| *n == name).map(|(_, text)| *text)
}

/// The first comment line of a query: what it answers.
pub fn description(query: &str) -> &str {
    query.lines().next().and_then(|l| l.strip_prefix('#')).map_or("", str::trim)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    Concept,
    Iri,
    String,
}

impl ParamKind {
    /// The kind as written in `# @param` lines.
    pub fn as_str(self) -> &'static str {
        match self {
            ParamKind::Concept => "concept",
            ParamKind::Iri => "iri",
            ParamKind::String => "string",
        }
    }
}

/// A declared parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub name: String,
    pub kind: ParamKind,
    pub help: String,
}

/// The parameters a query declares, or an error naming a malformed declaration.
pub fn params(query: &str) -> Result<Vec<Param>, String> {
    let mut params = Vec::new();
    for (number, line) in query.lines().enumerate() {
        let Some(rest) = line.trim_start().strip_prefix('#').map(str::trim).and_then(|l| l.strip_prefix("@param")) else { continue };
        let mut words = rest.split_whitespace();
        let (Some(name), Some(kind)) = (words.next(), words.next()) else {
            return Err(format!("line {}: `# @param NAME KIND help` expected", number + 1));
        };
        let kind = match kind {
            "concept" => ParamKind::Concept,
            "iri" => ParamKind::Iri,
            "string" => ParamKind::String,
            other => return Err(format!("line {}: unknown parameter kind {other:?} (concept, iri, string)", number + 1)),
        };
        params.push(Param { name: name.to_owned(), kind, help: words.collect::<Vec<_>>().join(" ") });
    }
    Ok(params)
}

/// Turns `NAME=VALUE` arguments into bindings of the query's declared parameters.
pub fn bind(store: &GraphStore, query: &str, given: &[(String, String)]) -> Result<Vec<(Variable, Term)>, String> {
    let declared = params(query)?;
    given
        .iter()
        .map(|(name, value)| {
            let Some(param) = declared.iter().find(|p| &p.name == name) else {
                let names: Vec<&str> = declared.iter().map(|p| p.name.as_str()).collect();
                return Err(format!(
                    "the query has no parameter {name:?} ({})",
                    if names.is_empty() { "it takes none".to_owned() } else { format!("it takes: {}", names.join(", ")) }
                ));
            };
            let term: Term = match param.kind {
                ParamKind::String => Literal::new_simple_literal(value).into(),
                ParamKind::Iri => NamedNode::new(value.trim_matches(['<', '>'])).map_err(|e| format!("parameter {name}: {value:?} is not an IRI: {e}"))?.into(),
                ParamKind::Concept => match lookup::resolve_concept(store, value).map_err(|e| e.to_string())? {
                    ConceptResolution::Found { concept, .. } => NamedNode::new_unchecked(concept.iri).into(),
                    ConceptResolution::Ambiguous(c) => {
                        let labels: Vec<&str> = c.iter().map(|(n, _)| n.label.as_str()).collect();
                        return Err(format!("parameter {name}: {value:?} could mean {}", labels.join(", ")));
                    }
                    ConceptResolution::NotFound => return Err(format!("parameter {name}: no concept matches {value:?}")),
                },
            };
            Ok((Variable::new_unchecked(name.clone()), term))
        })
        .collect()
}
