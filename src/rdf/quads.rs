//! [`Quads`]: a buffer of default-graph quads that keeps every term's text in one string.
//!
//! A `Quad` allocates each of its terms; a paper's three dozen quads repeat its IRI in most of
//! them and take their predicates from the vocabulary. Here a quad is three small term
//! descriptions: the text of a term is copied into the buffer's string (once for a subject that
//! repeats the previous quad's), and vocabulary IRIs are not copied at all. The bulk loader
//! (through [`QuadBatch`]) and the serializers read the quads back as [`QuadRef`]s.

use oxigraph::model::vocab::xsd;
use oxigraph::model::{BlankNodeRef, GraphNameRef, LiteralRef, NamedNodeRef, NamedOrBlankNodeRef, QuadRef, TermRef};
use oxigraph::store::QuadBatch;

/// Quads in the default graph, their terms' text in one string.
#[derive(Default)]
pub struct Quads {
    text: String,
    quads: Vec<[Term; 3]>,
    /// The subject of the last quad pushed, whose text the next quad may share.
    last_subject: Option<Term>,
}

/// Where a term's text is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Text {
    /// Not copied: a vocabulary IRI.
    Static(&'static str),
    /// `text[start..end]` of the buffer.
    At(u32, u32),
}

/// A term, its text (and a literal's datatype or language) in the buffer.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Term {
    Iri(Text),
    Blank(Text),
    Simple(Text),
    Typed(Text, Text),
    Tagged(Text, Text),
}

impl Quads {
    /// A buffer with room for `quads` quads and `text` bytes of their terms.
    pub fn with_capacity(quads: usize, text: usize) -> Self {
        Quads { text: String::with_capacity(text), quads: Vec::with_capacity(quads), last_subject: None }
    }

    pub fn len(&self) -> usize {
        self.quads.len()
    }

    pub fn is_empty(&self) -> bool {
        self.quads.is_empty()
    }

    /// Adds `subject predicate object`, the predicate (a vocabulary IRI) not copied.
    pub fn push<'a>(&mut self, subject: impl Into<NamedOrBlankNodeRef<'a>>, predicate: NamedNodeRef<'static>, object: impl Into<TermRef<'a>>) {
        let subject = self.subject(subject.into());
        let object = self.term(object.into());
        self.quads.push([subject, Term::Iri(Text::Static(predicate.as_str())), object]);
    }

    /// Adds a quad of the default graph, copying every term.
    pub fn push_quad(&mut self, quad: QuadRef<'_>) {
        debug_assert!(quad.graph_name.is_default_graph(), "Quads holds the default graph only");
        let subject = self.subject(quad.subject);
        let predicate = Term::Iri(self.copy(quad.predicate.as_str()));
        let object = self.term(quad.object);
        self.quads.push([subject, predicate, object]);
    }

    /// The quads, in the order they were pushed.
    pub fn iter(&self) -> impl Iterator<Item = QuadRef<'_>> + '_ {
        self.quads.iter().map(|[subject, predicate, object]| {
            let subject = match *subject {
                Term::Blank(id) => NamedOrBlankNodeRef::BlankNode(BlankNodeRef::new_unchecked(self.str(id))),
                Term::Iri(iri) => NamedOrBlankNodeRef::NamedNode(NamedNodeRef::new_unchecked(self.str(iri))),
                _ => unreachable!("subjects are IRIs or blank nodes"),
            };
            let Term::Iri(predicate) = *predicate else { unreachable!("predicates are IRIs") };
            QuadRef::new(subject, NamedNodeRef::new_unchecked(self.str(predicate)), self.term_ref(*object), GraphNameRef::DefaultGraph)
        })
    }

    fn subject(&mut self, subject: NamedOrBlankNodeRef<'_>) -> Term {
        let (text, blank) = match subject {
            NamedOrBlankNodeRef::NamedNode(node) => (node.as_str(), false),
            NamedOrBlankNodeRef::BlankNode(node) => (node.as_str(), true),
        };
        let term = match self.last_subject {
            Some(last @ (Term::Iri(at) | Term::Blank(at))) if matches!(last, Term::Blank(_)) == blank && self.str(at) == text => last,
            _ => {
                let at = self.copy(text);
                if blank {
                    Term::Blank(at)
                } else {
                    Term::Iri(at)
                }
            }
        };
        self.last_subject = Some(term);
        term
    }

    fn term(&mut self, term: TermRef<'_>) -> Term {
        match term {
            TermRef::NamedNode(node) => Term::Iri(self.copy(node.as_str())),
            TermRef::BlankNode(node) => Term::Blank(self.copy(node.as_str())),
            TermRef::Literal(literal) => {
                let value = self.copy(literal.value());
                if let Some(language) = literal.language() {
                    Term::Tagged(value, self.copy(language))
                } else if literal.datatype() == xsd::STRING {
                    Term::Simple(value)
                } else {
                    Term::Typed(value, self.copy(literal.datatype().as_str()))
                }
            }
        }
    }

    fn term_ref(&self, term: Term) -> TermRef<'_> {
        match term {
            Term::Iri(iri) => NamedNodeRef::new_unchecked(self.str(iri)).into(),
            Term::Blank(id) => BlankNodeRef::new_unchecked(self.str(id)).into(),
            Term::Simple(value) => LiteralRef::new_simple_literal(self.str(value)).into(),
            Term::Typed(value, datatype) => LiteralRef::new_typed_literal(self.str(value), NamedNodeRef::new_unchecked(self.str(datatype))).into(),
            Term::Tagged(value, language) => LiteralRef::new_language_tagged_literal_unchecked(self.str(value), self.str(language)).into(),
        }
    }

    fn copy(&mut self, text: &str) -> Text {
        let offset = |at: usize| u32::try_from(at).expect("a quad buffer holds less than 4 GiB of text");
        let start = offset(self.text.len());
        self.text.push_str(text);
        Text::At(start, offset(self.text.len()))
    }

    fn str(&self, text: Text) -> &str {
        match text {
            Text::Static(text) => text,
            Text::At(start, end) => &self.text[start as usize..end as usize],
        }
    }
}

impl QuadBatch for Quads {
    fn len(&self) -> usize {
        self.quads.len()
    }

    fn quads(&self) -> Box<dyn Iterator<Item = QuadRef<'_>> + '_> {
        Box::new(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{BlankNode, GraphName, Literal, NamedNode, Quad};

    #[test]
    fn quads_read_back_as_pushed_whatever_their_terms() {
        let paper = NamedNode::new_unchecked("https://example.org/paper/1");
        let person = BlankNode::new_unchecked("b0");
        let title = NamedNodeRef::new_unchecked("http://purl.org/dc/terms/title");
        let made: Vec<Quad> = vec![
            Quad::new(paper.clone(), title, Literal::new_simple_literal("KV cache"), GraphName::DefaultGraph),
            Quad::new(paper.clone(), title, Literal::new_language_tagged_literal_unchecked("Cache KV", "fr"), GraphName::DefaultGraph),
            Quad::new(paper.clone(), title, Literal::from(0.95), GraphName::DefaultGraph),
            Quad::new(paper.clone(), title, person.clone(), GraphName::DefaultGraph),
            Quad::new(person.clone(), title, paper.clone(), GraphName::DefaultGraph),
            // The same text as the previous subject, but an IRI: not shared with the blank node.
            Quad::new(NamedNode::new_unchecked("b0"), title, Literal::from(3_u64), GraphName::DefaultGraph),
            Quad::new(paper.clone(), title, Literal::new_typed_literal("2024-03-13", xsd::DATE), GraphName::DefaultGraph),
        ];
        let mut quads = Quads::default();
        for (i, quad) in made.iter().enumerate() {
            if i % 2 == 0 {
                quads.push_quad(quad.as_ref());
            } else {
                quads.push(&quad.subject, title, &quad.object);
            }
        }
        assert_eq!(quads.len(), made.len());
        let read: Vec<Quad> = quads.iter().map(QuadRef::into_owned).collect();
        assert_eq!(read, made);
        // The paper's IRI is stored once for the first three quads (one subject), the title
        // predicate pushed by `push` never.
        assert_eq!(quads.text.matches("https://example.org/paper/1").count(), 3, "{}", quads.text);
    }
}
