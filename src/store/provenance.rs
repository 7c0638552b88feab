//! Reading stored provenance, whichever form a build wrote it in: `pg:occurrences` literals
//! (compact) or `pg:Evidence` records (full). Stores built with `--provenance none` have
//! neither, and a store appended to with different modes may have both.

use std::collections::{BTreeMap, HashSet};

use oxigraph::model::{GraphNameRef, NamedNode, NamedOrBlankNode, Term, Variable};

use super::{GraphStore, StoreError};
use crate::model::Field;
use crate::query::{plain_value, select};
use crate::rdf::occurrences::{self, Occurrence};
use crate::rdf::vocab::PG_OCCURRENCES;

/// Every stored occurrence of every fact about `paper`, in no particular order, without
/// duplicates.
pub fn occurrences_of(store: &GraphStore, paper: &NamedNode) -> Result<Vec<Occurrence>, StoreError> {
    let mut found = Vec::new();
    for quad in store.quads(Some(paper.as_ref().into()), Some(PG_OCCURRENCES), None, Some(GraphNameRef::DefaultGraph)) {
        let quad = quad?;
        found.extend(parse_literal(store, &quad.subject, &quad.object)?);
    }
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

fn parse_literal(store: &GraphStore, paper: &NamedOrBlankNode, literal: &Term) -> Result<Vec<Occurrence>, StoreError> {
    let Term::Literal(literal) = literal else { return Ok(Vec::new()) };
    occurrences::parse(literal.value())
        .map_err(|e| StoreError::Statistics { path: store.path.clone(), message: format!("malformed pg:occurrences of {paper}: {e}") })
}

fn records(store: &GraphStore, sparql: &str, bindings: &[(Variable, Term)]) -> Result<Vec<Vec<Option<Term>>>, StoreError> {
    select(store, sparql, "provenance", bindings).map_err(|e| StoreError::Statistics { path: store.path.clone(), message: e.to_string() })
}
