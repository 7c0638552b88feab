//! The curated list of datasets and benchmarks (`data/datasets.ttl`): `schema:Dataset`s with a
//! `schema:name`, `schema:alternateName`s and keywords.

use std::collections::BTreeMap;

use oxigraph::model::{NamedNode, NamedOrBlankNode, Term, Triple};

use super::taxonomy::{parse_turtle, TaxonomyError};
use crate::rdf::vocab;

/// The dataset list shipped with papergraph.
pub const BUNDLED: &str = include_str!("../../data/datasets.ttl");

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dataset {
    pub iri: NamedNode,
    pub name: String,
    pub alternate_names: Vec<String>,
}

impl Dataset {
    pub fn labels(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str()).chain(self.alternate_names.iter().map(String::as_str))
    }
}

/// Datasets sorted by IRI, plus the triples they were read from.
#[derive(Debug, Clone, Default)]
pub struct Datasets {
    pub datasets: Vec<Dataset>,
    pub triples: Vec<Triple>,
}

impl Datasets {
    pub fn bundled() -> Self {
        Self::parse("data/datasets.ttl (bundled)", BUNDLED.as_bytes()).expect("the bundled dataset list is valid")
    }

    /// Parses Turtle; `source_name` names the input in errors.
    pub fn parse(source_name: &str, turtle: &[u8]) -> Result<Self, TaxonomyError> {
        let error = |line, message: String| TaxonomyError { source_name: source_name.to_owned(), line, message };
        let triples = parse_turtle(source_name, turtle)?;
        let mut by_iri: BTreeMap<NamedNode, Dataset> = BTreeMap::new();
        for t in &triples {
            if t.predicate == vocab::RDF_TYPE && t.object == Term::from(vocab::SCHEMA_DATASET) {
                if let NamedOrBlankNode::NamedNode(iri) = &t.subject {
                    by_iri.insert(iri.clone(), Dataset { iri: iri.clone(), name: String::new(), alternate_names: Vec::new() });
                }
            }
        }
        for t in &triples {
            let (NamedOrBlankNode::NamedNode(subject), Term::Literal(value)) = (&t.subject, &t.object) else { continue };
            let Some(dataset) = by_iri.get_mut(subject) else { continue };
            if t.predicate == vocab::SCHEMA_NAME {
                dataset.name = value.value().to_owned();
            } else if t.predicate == vocab::SCHEMA_ALTERNATE_NAME {
                dataset.alternate_names.push(value.value().to_owned());
            }
        }
        if let Some(unnamed) = by_iri.values().find(|d| d.name.is_empty()) {
            return Err(error(None, format!("dataset <{}> has no schema:name", unnamed.iri.as_str())));
        }
        for dataset in by_iri.values_mut() {
            dataset.alternate_names.sort();
        }
        Ok(Datasets { datasets: by_iri.into_values().collect(), triples })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_list_has_common_datasets_with_aliases() {
        let datasets = Datasets::bundled();
        assert!(datasets.datasets.len() >= 100);
        for name in ["ImageNet", "COCO", "ADE20K", "CIFAR-100", "CUB-200-2011", "Open Images"] {
            assert!(datasets.datasets.iter().any(|d| d.labels().any(|l| l == name)), "missing {name}");
        }
    }
}
