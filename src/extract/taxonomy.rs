//! The SKOS concept taxonomy: loaded from Turtle, stored in the graph as written, and compiled
//! into a matcher by [`super::concepts`].

use std::collections::BTreeMap;
use std::path::Path;

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{NamedNode, Term, Triple};

use crate::rdf::vocab;

/// The taxonomy shipped with papergraph (`data/concepts.ttl`), used unless `--taxonomy` replaces it.
pub const BUNDLED: &str = include_str!("../../data/concepts.ttl");

/// One `skos:Concept`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Concept {
    pub iri: NamedNode,
    pub pref_label: String,
    pub alt_labels: Vec<String>,
    pub broader: Vec<NamedNode>,
    pub definition: Option<String>,
    /// Bare mentions are resolved to a narrower sense from context (`pg:needsSense true`).
    pub needs_sense: bool,
    /// Short acronym labels need no support from context (`pg:unambiguousAcronym true`: `GPU`).
    pub unambiguous_acronym: bool,
    /// Words of other fields where the concept's labels mean something else
    /// (`pg:otherSenseContext`: `power grid` for `transformer`), lower-cased.
    pub other_sense_context: Vec<String>,
    /// Phrases containing a label where it means something else (`pg:otherSensePhrase`:
    /// `dataset distillation` for knowledge distillation).
    pub other_sense_phrases: Vec<String>,
    /// Verb, participle and adjective forms that count as mentions (`pg:derivedForm`:
    /// `quantized` for quantization).
    pub derived_forms: Vec<String>,
}

impl Concept {
    /// The preferred label first, then the alternatives.
    pub fn labels(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.pref_label.as_str()).chain(self.alt_labels.iter().map(String::as_str))
    }
}

/// A set of concepts plus the triples they were read from.
#[derive(Debug, Clone, Default)]
pub struct Taxonomy {
    /// Sorted by IRI, so everything built from a taxonomy is deterministic.
    pub concepts: Vec<Concept>,
    pub triples: Vec<Triple>,
}

/// A taxonomy file that cannot be used, with the file and (for syntax errors) line and column.
#[derive(Debug, thiserror::Error)]
#[error("{source_name}{}: {message}", .line.map(|(l, c)| format!(":{l}:{c}")).unwrap_or_default())]
pub struct TaxonomyError {
    pub source_name: String,
    /// 1-based line and column.
    pub line: Option<(u64, u64)>,
    pub message: String,
}

impl Taxonomy {
    /// The bundled taxonomy.
    pub fn bundled() -> Self {
        Self::parse("data/concepts.ttl (bundled)", BUNDLED.as_bytes()).expect("the bundled taxonomy is valid")
    }

    /// Reads a taxonomy file.
    pub fn load(path: &Path) -> Result<Self, TaxonomyError> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path)
            .map_err(|e| TaxonomyError { source_name: name.clone(), line: None, message: format!("cannot read: {e}") })?;
        Self::parse(&name, &bytes)
    }

    /// Parses Turtle; `source_name` names the input in errors.
    pub fn parse(source_name: &str, turtle: &[u8]) -> Result<Self, TaxonomyError> {
        let error = |line, message: String| TaxonomyError { source_name: source_name.to_owned(), line, message };
        let turtle = turtle.strip_prefix(b"\xef\xbb\xbf").unwrap_or(turtle); // a byte-order mark is no subject
        let triples = parse_turtle(source_name, turtle)?;

        let mut concepts: BTreeMap<NamedNode, Concept> = BTreeMap::new();
        for t in &triples {
            if t.predicate == vocab::RDF_TYPE && t.object == Term::from(vocab::SKOS_CONCEPT) {
                let oxigraph::model::NamedOrBlankNode::NamedNode(iri) = &t.subject else {
                    return Err(error(None, "a skos:Concept must have an IRI, not a blank node".into()));
                };
                concepts.entry(iri.clone()).or_insert_with(|| Concept {
                    iri: iri.clone(),
                    pref_label: String::new(),
                    alt_labels: Vec::new(),
                    broader: Vec::new(),
                    definition: None,
                    needs_sense: false,
                    unambiguous_acronym: false,
                    other_sense_context: Vec::new(),
                    other_sense_phrases: Vec::new(),
                    derived_forms: Vec::new(),
                });
            }
        }
        for t in &triples {
            let oxigraph::model::NamedOrBlankNode::NamedNode(subject) = &t.subject else { continue };
            let Some(concept) = concepts.get_mut(subject) else { continue };
            let literal = || match &t.object {
                Term::Literal(l) => Ok(l.value().to_owned()),
                other => Err(error(None, format!("<{}> {} must be a literal, found {other}", subject.as_str(), t.predicate))),
            };
            let is_true = || matches!(&t.object, Term::Literal(l) if l.value() == "true");
            if t.predicate == vocab::SKOS_PREF_LABEL {
                if !concept.pref_label.is_empty() {
                    return Err(error(None, format!("<{}> has more than one skos:prefLabel", subject.as_str())));
                }
                concept.pref_label = literal()?;
            } else if t.predicate == vocab::SKOS_ALT_LABEL {
                concept.alt_labels.push(literal()?);
            } else if t.predicate == vocab::SKOS_DEFINITION {
                concept.definition = Some(literal()?);
            } else if t.predicate == vocab::PG_OTHER_SENSE_CONTEXT {
                concept.other_sense_context.push(literal()?.to_lowercase());
            } else if t.predicate == vocab::PG_OTHER_SENSE_PHRASE {
                concept.other_sense_phrases.push(literal()?);
            } else if t.predicate == vocab::PG_DERIVED_FORM {
                concept.derived_forms.push(literal()?);
            } else if t.predicate == vocab::PG_NEEDS_SENSE {
                concept.needs_sense = is_true();
            } else if t.predicate == vocab::PG_UNAMBIGUOUS_ACRONYM {
                concept.unambiguous_acronym = is_true();
            } else if t.predicate == vocab::SKOS_BROADER {
                match &t.object {
                    Term::NamedNode(n) => concept.broader.push(n.clone()),
                    other => return Err(error(None, format!("<{}> skos:broader must be an IRI, found {other}", subject.as_str()))),
                }
            }
        }
        for concept in concepts.values_mut() {
            if concept.pref_label.trim().is_empty() {
                return Err(error(None, format!("concept <{}> has no skos:prefLabel", concept.iri.as_str())));
            }
            concept.alt_labels.sort();
            concept.alt_labels.dedup();
            concept.broader.sort();
        }
        for concept in concepts.values() {
            if let Some(missing) = concept.broader.iter().find(|b| !concepts.contains_key(*b)) {
                return Err(error(
                    None,
                    format!("concept <{}> has skos:broader <{}>, which is not defined", concept.iri.as_str(), missing.as_str()),
                ));
            }
        }
        if concepts.is_empty() {
            return Err(error(None, "no skos:Concept found".into()));
        }
        let taxonomy = Taxonomy { concepts: concepts.into_values().collect(), triples };
        taxonomy.check_hierarchy(source_name)?;
        Ok(taxonomy)
    }

    /// Checks `skos:broader` never leads from a concept back to itself; the error names the
    /// concepts of the first cycle found, in order (`source_name` names the input). [`parse`]
    /// checks each file; a cycle can also close across files, in a [`merge`]d taxonomy.
    ///
    /// [`parse`]: Taxonomy::parse
    /// [`merge`]: Taxonomy::merge
    pub fn check_hierarchy(&self, source_name: &str) -> Result<(), TaxonomyError> {
        #[derive(Clone, Copy, PartialEq)]
        enum State {
            New,
            OnPath,
            Done,
        }
        let index_of = |iri: &NamedNode| self.concepts.binary_search_by(|c| c.iri.cmp(iri)).ok();
        let mut state = vec![State::New; self.concepts.len()];
        for root in 0..self.concepts.len() {
            if state[root] != State::New {
                continue;
            }
            // Depth-first, without recursion: (concept, next broader to follow).
            let mut path: Vec<(usize, usize)> = vec![(root, 0)];
            state[root] = State::OnPath;
            while let Some((concept, next)) = path.last_mut() {
                let (concept, broader) = (*concept, self.concepts[*concept].broader.get(*next));
                *next += 1;
                let Some(parent) = broader.and_then(index_of) else {
                    if broader.is_none() {
                        state[concept] = State::Done;
                        path.pop();
                    }
                    continue;
                };
                match state[parent] {
                    State::New => {
                        state[parent] = State::OnPath;
                        path.push((parent, 0));
                    }
                    State::OnPath => {
                        let start = path.iter().position(|&(c, _)| c == parent).unwrap_or(0);
                        let name = |i: usize| format!("{} <{}>", self.concepts[i].pref_label, self.concepts[i].iri.as_str());
                        let cycle: Vec<String> = path[start..].iter().map(|&(c, _)| name(c)).chain([name(parent)]).collect();
                        return Err(TaxonomyError {
                            source_name: source_name.to_owned(),
                            line: None,
                            message: format!("skos:broader cycle: {} (a concept cannot be broader than itself)", cycle.join(" → ")),
                        });
                    }
                    State::Done => {}
                }
            }
        }
        Ok(())
    }

    /// Adds another taxonomy's concepts and triples (a user's file on top of the bundled one).
    /// A concept defined in both keeps this taxonomy's labels plus the other's.
    pub fn merge(mut self, other: Taxonomy) -> Self {
        let mut by_iri: BTreeMap<NamedNode, Concept> = self.concepts.into_iter().map(|c| (c.iri.clone(), c)).collect();
        for concept in other.concepts {
            match by_iri.get_mut(&concept.iri) {
                Some(existing) => {
                    existing.alt_labels.extend(concept.labels().filter(|l| *l != existing.pref_label).map(str::to_owned));
                    existing.alt_labels.sort();
                    existing.alt_labels.dedup();
                    existing.broader.extend(concept.broader);
                    existing.broader.sort();
                    existing.broader.dedup();
                    existing.definition = existing.definition.take().or(concept.definition);
                    existing.needs_sense |= concept.needs_sense;
                    existing.unambiguous_acronym |= concept.unambiguous_acronym;
                    existing.other_sense_context.extend(concept.other_sense_context);
                    existing.other_sense_phrases.extend(concept.other_sense_phrases);
                    existing.derived_forms.extend(concept.derived_forms);
                }
                None => {
                    by_iri.insert(concept.iri.clone(), concept);
                }
            }
        }
        self.concepts = by_iri.into_values().collect();
        self.triples.extend(other.triples);
        self
    }

    /// Finds a concept by IRI.
    pub fn get(&self, iri: &NamedNode) -> Option<&Concept> {
        self.concepts.binary_search_by(|c| c.iri.cmp(iri)).ok().map(|i| &self.concepts[i])
    }
}

/// Parses Turtle into triples; a syntax error carries the file, line and column.
pub fn parse_turtle(source_name: &str, turtle: &[u8]) -> Result<Vec<Triple>, TaxonomyError> {
    RdfParser::from_format(RdfFormat::Turtle)
        .for_slice(turtle)
        .map(|quad| {
            quad.map(Triple::from).map_err(|e| TaxonomyError {
                source_name: source_name.to_owned(),
                line: e.location().map(|l| (l.start.line + 1, l.start.column + 1)),
                message: e.to_string(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PREFIXES: &str = "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n@prefix c: <https://example.org/c/> .\n";

    #[test]
    fn bundled_taxonomy_loads_with_required_concepts() {
        let taxonomy = Taxonomy::bundled();
        for label in ["memory", "KV cache", "Mamba", "Segment Anything", "large language model", "attention",
            "mixture of experts", "object-centric learning", "continual learning", "quantization"] {
            assert!(
                taxonomy.concepts.iter().any(|c| c.labels().any(|l| l.eq_ignore_ascii_case(label))),
                "bundled taxonomy lacks {label}"
            );
        }
        assert!(taxonomy.concepts.iter().all(|c| c.definition.is_some()), "every bundled concept has a definition");
    }

    #[test]
    fn syntax_error_names_file_line_and_column() {
        let ttl = format!("{PREFIXES}c:a a skos:Concept ;\n  skos:prefLabel \"A\" \n c:b a skos:Concept .\n");
        let err = Taxonomy::parse("mine.ttl", ttl.as_bytes()).unwrap_err();
        assert_eq!(err.line.map(|(l, _)| l), Some(5), "{err}");
        assert!(err.to_string().starts_with("mine.ttl:5:"), "{err}");
    }

    #[test]
    fn a_byte_order_mark_and_crlf_line_ends_are_fine() {
        let ttl = format!("\u{feff}{PREFIXES}c:a a skos:Concept ;\r\n  skos:prefLabel \"A\" .\r\n").replace('\n', "\r\n");
        assert_eq!(Taxonomy::parse("bom.ttl", ttl.as_bytes()).unwrap().concepts[0].pref_label, "A");
    }

    #[test]
    fn undefined_broader_and_missing_label_are_errors() {
        let ttl = format!("{PREFIXES}c:a a skos:Concept ; skos:prefLabel \"A\" ; skos:broader c:nowhere .\n");
        let err = Taxonomy::parse("mine.ttl", ttl.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("<https://example.org/c/nowhere>, which is not defined"), "{err}");

        let ttl = format!("{PREFIXES}c:a a skos:Concept ; skos:altLabel \"A\" .\n");
        let err = Taxonomy::parse("mine.ttl", ttl.as_bytes()).unwrap_err();
        assert_eq!(err.to_string(), "mine.ttl: concept <https://example.org/c/a> has no skos:prefLabel");
    }

    #[test]
    fn broader_cycles_are_errors_naming_the_concepts() {
        let ttl = format!(
            "{PREFIXES}c:a a skos:Concept ; skos:prefLabel \"Alpha\" ; skos:broader c:b .\n\
             c:b a skos:Concept ; skos:prefLabel \"Beta\" ; skos:broader c:c .\n\
             c:c a skos:Concept ; skos:prefLabel \"Gamma\" ; skos:broader c:a .\n\
             c:d a skos:Concept ; skos:prefLabel \"Delta\" ; skos:broader c:a .\n"
        );
        let err = Taxonomy::parse("mine.ttl", ttl.as_bytes()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "mine.ttl: skos:broader cycle: Alpha <https://example.org/c/a> → Beta <https://example.org/c/b> → \
             Gamma <https://example.org/c/c> → Alpha <https://example.org/c/a> (a concept cannot be broader than itself)"
        );
        let ttl = format!("{PREFIXES}c:a a skos:Concept ; skos:prefLabel \"Alpha\" ; skos:broader c:a .\n");
        let err = Taxonomy::parse("self.ttl", ttl.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("cycle: Alpha <https://example.org/c/a> → Alpha <https://example.org/c/a>"), "{err}");

        // A diamond is no cycle; a cycle closing across files is found in the merged taxonomy.
        let ttl = format!(
            "{PREFIXES}c:top a skos:Concept ; skos:prefLabel \"Top\" .\n\
             c:l a skos:Concept ; skos:prefLabel \"L\" ; skos:broader c:top .\n\
             c:r a skos:Concept ; skos:prefLabel \"R\" ; skos:broader c:top .\n\
             c:low a skos:Concept ; skos:prefLabel \"Low\" ; skos:broader c:l, c:r .\n"
        );
        let first = Taxonomy::parse("diamond.ttl", ttl.as_bytes()).unwrap();
        let ttl = format!("{PREFIXES}c:top a skos:Concept ; skos:prefLabel \"Top\" ; skos:broader c:low .\nc:low a skos:Concept ; skos:prefLabel \"Low\" .\n");
        let merged = first.merge(Taxonomy::parse("up.ttl", ttl.as_bytes()).unwrap());
        assert!(merged.check_hierarchy("merged").unwrap_err().to_string().contains("skos:broader cycle"));
        assert!(Taxonomy::bundled().check_hierarchy("bundled").is_ok());
    }

    #[test]
    fn merge_adds_user_concepts_and_labels() {
        let user = format!("{PREFIXES}c:x a skos:Concept ; skos:prefLabel \"Xformer\" .\n");
        let merged = Taxonomy::bundled().merge(Taxonomy::parse("user.ttl", user.as_bytes()).unwrap());
        let x = merged.get(&NamedNode::new("https://example.org/c/x").unwrap()).unwrap();
        assert_eq!(x.pref_label, "Xformer");
        assert!(merged.concepts.len() > 10);
    }
}
