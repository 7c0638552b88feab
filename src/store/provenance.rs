//! Reading stored provenance, whichever form a build wrote it in: `pg:occurrences` literals
//! (compact) or `pg:Evidence` records (full). Stores built with `--provenance none` have
//! neither, and a store appended to with different modes may have both.

use std::collections::{BTreeMap, HashMap, HashSet};

use oxigraph::model::{GraphNameRef, NamedNode, NamedNodeRef, NamedOrBlankNode, Term, Variable};

use super::{GraphStore, StoreError};
use crate::model::Field;
use crate::query::{plain_value, select};
use crate::rdf::occurrences::{self, Occurrence};
use crate::rdf::vocab::{
    DCTERMS_SOURCE, PG_CONFIDENCE, PG_END, PG_EVIDENCE, PG_FIELD, PG_LINE, PG_MATCHED_TEXT, PG_OBJECT, PG_OCCURRENCES, PG_PREDICATE, PG_START, PG_SUBJECT,
    PROV_WAS_DERIVED_FROM, PROV_WAS_GENERATED_BY, RDF_TYPE, SCHEMA_NAME,
};

/// Every stored occurrence of every fact about `paper`, in no particular order, without
/// duplicates.
pub fn occurrences_of(store: &GraphStore, paper: &NamedNode) -> Result<Vec<Occurrence>, StoreError> {
    let mut found = Vec::new();
    for quad in store.quads(Some(paper.as_ref().into()), Some(PG_OCCURRENCES), None, Some(GraphNameRef::DefaultGraph)) {
        let quad = quad?;
        found.extend(parse_literal(store, &quad.subject, &quad.object)?);
    }
    found.extend(match store.endpoint() {
        Some(_) => evidence_by_query(store, paper)?,
        None => evidence_by_index(store, paper)?,
    });
    let mut seen = Vec::with_capacity(found.len());
    found.retain(|o| {
        let fresh = !seen.contains(o);
        if fresh {
            seen.push(o.clone());
        }
        fresh
    });
    Ok(found)
}

/// Calls `count(paper, predicate, object, source, occurrences)` for every fact with stored
/// provenance: from a paper's literals where it has them, else from its evidence records.
pub fn for_each_count(store: &GraphStore, mut count: impl FnMut(&str, &str, &str, &str, u64)) -> Result<(), StoreError> {
    let mut counted: HashSet<String> = HashSet::new();
    for quad in store.quads(None, Some(PG_OCCURRENCES), None, Some(GraphNameRef::DefaultGraph)) {
        let quad = quad?;
        let NamedOrBlankNode::NamedNode(paper) = &quad.subject else { continue };
        let mut per_fact: BTreeMap<(String, String, String), u64> = BTreeMap::new();
        for o in parse_literal(store, &quad.subject, &quad.object)? {
            *per_fact.entry((o.predicate, o.object, o.source)).or_default() += 1;
        }
        for ((predicate, object, source), n) in per_fact {
            count(paper.as_str(), &predicate, &object, &source, n);
        }
        counted.insert(paper.as_str().to_owned());
    }
    let rows = records(
        store,
        "SELECT ?paper ?predicate ?object ?source (COUNT(?e) AS ?n) WHERE {
           ?e a pg:Evidence ; pg:subject ?paper ; pg:predicate ?predicate ; pg:object ?object ; prov:wasDerivedFrom/dcterms:source ?source
         } GROUP BY ?paper ?predicate ?object ?source",
        &[],
    )?;
    for row in rows {
        let value = |i: usize| plain_value(&row[i]);
        if !counted.contains(&value(0)) {
            count(&value(0), &value(1), &value(2), &value(3), value(4).parse().unwrap_or(1));
        }
    }
    Ok(())
}

/// The `pg:Evidence` records about `paper` (full provenance), by one query: on a server.
fn evidence_by_query(store: &GraphStore, paper: &NamedNode) -> Result<Vec<Occurrence>, StoreError> {
    let mut found = Vec::new();
    // Bound variables must be projected, hence ?paper last.
    const RECORDS: &str = "SELECT ?predicate ?object ?listing ?line ?field ?start ?end ?text ?extractor ?confidence ?paper WHERE {
        ?e pg:subject ?paper ; a pg:Evidence ; pg:predicate ?predicate ; pg:object ?object ;
           prov:wasDerivedFrom/dcterms:source ?listing ; pg:line ?line ;
           prov:wasGeneratedBy/schema:name ?extractor ; pg:confidence ?confidence .
        OPTIONAL { ?e pg:field ?field ; pg:start ?start ; pg:end ?end ; pg:matchedText ?text }
      }";
    for row in records(store, RECORDS, &[(Variable::new_unchecked("paper"), paper.clone().into())])? {
        let value = |i: usize| plain_value(&row[i]);
        let number = |i: usize| value(i).parse().unwrap_or_default();
        found.push(Occurrence {
            predicate: value(0),
            object: value(1),
            source: value(2),
            line: number(3),
            field: Field::named(&value(4)),
            start: number(5),
            end: number(6),
            text: value(7),
            extractor: value(8),
            confidence: value(9).parse().unwrap_or_default(),
        });
    }
    Ok(found)
}

/// The `pg:Evidence` records about `paper`, read by index on the embedded store: the records
/// naming it, then each record's properties in one read. (The query above, with the paper
/// bound, let the optimizer start from every record of the store: about 2 s a paper on 10 k
/// papers.)
fn evidence_by_index(store: &GraphStore, paper: &NamedNode) -> Result<Vec<Occurrence>, StoreError> {
    let default = Some(GraphNameRef::DefaultGraph);
    // A paper's records share a few listings and extractors: each one's name is read once.
    let mut names: HashMap<Term, Option<Term>> = HashMap::new();
    let mut name_of = |node: Option<&Term>, via: NamedNodeRef<'_>| -> Result<Option<String>, StoreError> {
        let Some(node) = node else { return Ok(None) };
        if !names.contains_key(node) {
            let name = match NamedOrBlankNode::try_from(node.clone()) {
                Ok(subject) => store.quads(Some(subject.as_ref()), Some(via), None, default).next().transpose()?.map(|q| q.object),
                Err(_) => None,
            };
            names.insert(node.clone(), name);
        }
        Ok(names[node].as_ref().map(|name| plain_value(&Some(name.clone()))))
    };
    let mut found = Vec::new();
    for quad in store.quads(None, Some(PG_SUBJECT), Some(paper.as_ref().into()), default) {
        let record = quad?.subject;
        let (mut is_evidence, mut properties) = (false, HashMap::new());
        for quad in store.quads(Some(record.as_ref()), None, None, default) {
            let quad = quad?;
            is_evidence |= quad.predicate.as_ref() == RDF_TYPE && quad.object == PG_EVIDENCE.into();
            properties.entry(quad.predicate).or_insert(quad.object);
        }
        let get = |predicate: NamedNodeRef<'_>| properties.get(&predicate.into_owned());
        let value = |predicate: NamedNodeRef<'_>| get(predicate).map(|term| plain_value(&Some(term.clone())));
        let (Some(predicate), Some(object), Some(source), Some(line), Some(extractor), Some(confidence)) = (
            value(PG_PREDICATE),
            value(PG_OBJECT),
            name_of(get(PROV_WAS_DERIVED_FROM), DCTERMS_SOURCE)?,
            value(PG_LINE),
            name_of(get(PROV_WAS_GENERATED_BY), SCHEMA_NAME)?,
            value(PG_CONFIDENCE),
        ) else {
            continue;
        };
        if !is_evidence {
            continue;
        }
        // The span is all there or not at all (an OPTIONAL group in the query).
        let (field, start, end, text) = match (value(PG_FIELD), value(PG_START), value(PG_END), value(PG_MATCHED_TEXT)) {
            (Some(field), Some(start), Some(end), Some(text)) => (field, start, end, text),
            _ => Default::default(),
        };
        found.push(Occurrence {
            predicate,
            object,
            source,
            line: line.parse().unwrap_or_default(),
            field: Field::named(&field),
            start: start.parse().unwrap_or_default(),
            end: end.parse().unwrap_or_default(),
            text,
            extractor,
            confidence: confidence.parse().unwrap_or_default(),
        });
    }
    Ok(found)
}

fn parse_literal(store: &GraphStore, paper: &NamedOrBlankNode, literal: &Term) -> Result<Vec<Occurrence>, StoreError> {
    let Term::Literal(literal) = literal else { return Ok(Vec::new()) };
    occurrences::parse(literal.value())
        .map_err(|e| StoreError::Statistics { path: store.path.clone(), message: format!("malformed pg:occurrences of {paper}: {e}") })
}

fn records(store: &GraphStore, sparql: &str, bindings: &[(Variable, Term)]) -> Result<Vec<Vec<Option<Term>>>, StoreError> {
    select(store, sparql, "provenance", bindings).map_err(|e| StoreError::Statistics { path: store.path.clone(), message: e.to_string() })
}
