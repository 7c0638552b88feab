//! The methods, models, datasets and benchmarks a paper introduces.
//!
//! - a title `Name: subtitle` where the name is one word (`SCBench: ...`, `A-MEM: ...`);
//! - in a sentence where the authors propose, introduce, present, ... something:
//!   - an acronym defined there, unless its long form is a known concept (`large language
//!     models (LLMs)` is not new);
//!   - a one-word name in parentheses (`... bidirectional Mamba blocks (Vim)`);
//!   - `called X`, `named X`, `dubbed X`, `termed X`;
//!   - `we propose X, a ...` where X is a capitalized name, or `we present X` where X is a
//!     name with inner capitals or digits (`LLMCompiler`).

use std::sync::LazyLock;

use regex::Regex;

use super::labels::Prepared;
use super::Definition;
use crate::model::{Field, Paper};

/// One artifact the paper introduces.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub name: String,
    pub field: Field,
    /// Character offsets of the name in the field.
    pub start: usize,
    pub end: usize,
    pub confidence: f64,
}

/// The verbs of [`PROPOSAL_VERB`]: every match of it holds one of them, starting a word.
const VERBS: [&str; 12] =
    ["propose", "introduce", "present", "develop", "design", "build", "construct", "release", "curate", "create", "contribute", "offer"];
/// How many of [`VERBS`], from the first, [`PROPOSE_CAMEL`] knows ([`PROPOSE_NAME`] the first
/// three of them).
const NAMING_VERBS: usize = 5;
static PROPOSAL_VERB: LazyLock<Regex> = LazyLock::new(|| {
    let verbs = VERBS.join("|");
    Regex::new(&format!(r"(?i)\b(?:we|this (?:paper|work)|here we)\s+(?:\w+ly\s+)?(?:{verbs})s?\b|\bis (?:proposed|introduced)\b")).unwrap()
});
static CALLED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:called|named|dubbed|termed|coined)\s+([A-Z0-9][\w+\-.]*[\w+])").unwrap());
static PROPOSE_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i:\b(?:we|this (?:paper|work))\s+(?:propose|introduce|present)s?)\s+([A-Z0-9][\w+\-]*(?:\s[A-Z0-9][\w+\-]*)?),\s+(?:a|an|the)\b").unwrap()
});
static PROPOSE_CAMEL: LazyLock<Regex> = LazyLock::new(|| {
    let verbs = VERBS[..NAMING_VERBS].join("|");
    Regex::new(&format!(r"(?i:\b(?:we|this (?:paper|work))\s+(?:{verbs})s?)\s+([A-Z][a-z0-9]*[A-Z0-9][\w+\-]*)")).unwrap()
});
static PARENTHESIZED_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\(([A-Z][A-Za-z]*[A-Za-z0-9+\-]*)\)").unwrap());

/// Artifacts the paper introduces, most confident first, one per name. `fields` are the paper's
/// [`Prepared`] title and abstract.
pub fn find_proposals(paper: &Paper, fields: &[Prepared<'_>], definitions: &[Definition]) -> Vec<Proposal> {
    let mut found = Vec::new();
    if let Some(name) = title_name(&paper.title) {
        found.push(Proposal { name: name.to_owned(), field: Field::Title, start: 0, end: name.chars().count(), confidence: 0.9 });
    }
    for prepared in fields {
        let (field, text) = (prepared.field(), prepared.text());
        // A sentence without a word starting with a verb (any case) is not searched with
        // [`PROPOSAL_VERB`], whose case-insensitive prefixes (`we`, `is`, ...) occur everywhere.
        let verbs = verbs_at_word_starts(prepared);
        if verbs.is_empty() {
            continue;
        }
        let ascii = text.is_ascii();
        for (start, sentence) in sentences(text) {
            // A proposal phrase has no `.`, `!` or `?`, so it lies within one sentence.
            let in_sentence = |at: usize| at >= start && at < start + sentence.len();
            if !verbs.iter().any(|&(at, _)| in_sentence(at)) || !PROPOSAL_VERB.is_match(sentence) {
                continue;
            }
            // Character offset of a byte of the sentence (the same in ASCII text).
            let at = |byte: usize| if ascii { start + byte } else { text[..start + byte].chars().count() };
            let sentence_chars = (at(0), at(sentence.len()));
            for d in definitions.iter().filter(|d| d.acronym.field == field && d.known_concept.is_none()) {
                if d.acronym.start >= sentence_chars.0 && d.acronym.end <= sentence_chars.1 {
                    let (start, end) = d.acronym.short_span(text);
                    found.push(Proposal { name: d.acronym.short.clone(), field, start, end, confidence: 0.85 });
                }
            }
            // Both need a naming verb followed by a capital or a digit: most sentences have none.
            let names_after_verb =
                verbs.iter().any(|&(at, verb)| in_sentence(at) && verb < NAMING_VERBS && capital_follows(text, at + VERBS[verb].len()));
            let (propose_name, propose_camel) = match names_after_verb {
                true => (Some(PROPOSE_NAME.captures_iter(sentence)), Some(PROPOSE_CAMEL.captures_iter(sentence))),
                false => (None, None),
            };
            let named = CALLED.captures_iter(sentence).chain(propose_name.into_iter().flatten()).chain(propose_camel.into_iter().flatten());
            let parenthesized = PARENTHESIZED_NAME
                .captures_iter(sentence)
                .filter(|c| !definitions.iter().any(|d| d.acronym.short == c[1] && d.known_concept.is_some()));
            for captures in named.chain(parenthesized) {
                let name = captures.get(1).unwrap();
                if is_plural_acronym(name.as_str()) {
                    continue;
                }
                found.push(Proposal { name: name.as_str().to_owned(), field, start: at(name.start()), end: at(name.end()), confidence: 0.8 });
            }
        }
    }
    found.sort_by(|a, b| b.confidence.total_cmp(&a.confidence).then(a.field.cmp(&b.field)).then(a.start.cmp(&b.start)));
    let mut seen = Vec::new();
    found.retain(|p| {
        let key = p.name.to_lowercase();
        let new = !seen.contains(&key);
        seen.push(key);
        new
    });
    found
}

/// `(byte offset, index in [`VERBS`])` of the words of a prepared field that start with a verb.
fn verbs_at_word_starts(prepared: &Prepared<'_>) -> Vec<(usize, usize)> {
    let folded = prepared.folded().as_bytes();
    prepared
        .word_starts()
        .iter()
        .filter_map(|&at| {
            let first = folded[at];
            VERBS.iter().position(|verb| verb.as_bytes()[0] == first && folded[at..].starts_with(verb.as_bytes())).map(|verb| (at, verb))
        })
        .collect()
}

/// Whether `text` from byte `at` (after a verb) holds an optional `s`, white space, then an
/// ASCII capital or digit, as a name after [`PROPOSE_NAME`]'s and [`PROPOSE_CAMEL`]'s verbs
/// must begin.
fn capital_follows(text: &str, at: usize) -> bool {
    let rest = text.get(at..).unwrap_or_default();
    let rest = rest.strip_prefix(['s', 'S']).unwrap_or(rest);
    let name = rest.trim_start();
    name.len() < rest.len() && name.starts_with(|c: char| c.is_ascii_uppercase() || c.is_ascii_digit())
}

fn title_name(title: &str) -> Option<&str> {
    let (name, _) = title.split_once(": ")?;
    (!name.contains(char::is_whitespace) && name.chars().next().is_some_and(|c| c.is_uppercase() || c.is_ascii_digit()))
        .then_some(name)
}

/// `LLMs`, `MLLMs`: the plural of an acronym names a class of things, not a new one.
fn is_plural_acronym(name: &str) -> bool {
    name.strip_suffix('s').is_some_and(|stem| stem.len() >= 2 && stem.chars().all(|c| c.is_ascii_uppercase()))
}

/// Sentences with their byte offsets: split after `.`, `!` or `?` followed by a space.
fn sentences(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in memchr::memchr3_iter(b'.', b'!', b'?', text.as_bytes()) {
        if text.as_bytes().get(i + 1) == Some(&b' ') {
            out.push((start, &text[start..=i]));
            start = i + 2;
        }
    }
    if start < text.len() {
        out.push((start, &text[start..]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::acronyms::find_acronyms;
    use crate::model::test_paper;

    fn names(title: &str, abstract_text: &str) -> Vec<String> {
        let paper = test_paper(title, abstract_text);
        let definitions: Vec<Definition> = paper
            .fields()
            .into_iter()
            .flat_map(|(f, t)| find_acronyms(f, t))
            .map(|acronym| Definition { acronym, concepts: Vec::new(), known_concept: None })
            .collect();
        find_proposals(&paper, &Prepared::paper(&paper), &definitions).into_iter().map(|p| p.name).collect()
    }

    #[test]
    fn finds_title_names_and_proposed_acronyms() {
        assert_eq!(
            names("Shepherding Slots to Objects", "Slots drift. We introduce a novel OCL framework for single-view images, SLot Attention via SHepherding (SLASH), which works."),
            ["SLASH"]
        );
        assert_eq!(names("SCBench: A KV Cache-Centric Analysis", "We present a benchmark."), ["SCBench"]);
        assert_eq!(names("Mamba or RWKV: Exploring Things", "Results vary."), Vec::<String>::new());
        assert_eq!(names("Vision Mamba: Efficient", "We propose a new backbone with bidirectional Mamba blocks (Vim), which"), ["Vim"]);
        assert_eq!(names("Parallel calls", "We present LLMCompiler, which executes functions in parallel for LLMs."), ["LLMCompiler"]);
        assert_eq!(names("Efficient tracking", "In this work, we propose a tracker dubbed SAMURAI. It is fast."), ["SAMURAI"]);
        assert_eq!(names("Hierarchical Memory", "We propose HMT, a framework for long context."), ["HMT"]);
        // Verbs in any case, with an `s`, the name after more than one space.
        assert_eq!(names("Parallel calls", "This paper PRESENTS\t LLMCompiler, a compiler."), ["LLMCompiler"]);
        assert!(names("Parallel calls", "We represent LLMCompiler, a compiler.").is_empty());
    }

    #[test]
    fn definitions_outside_proposal_sentences_are_not_proposals() {
        assert!(names("A study", "The Segment Anything Model (SAM) is popular. We study its failure modes.").is_empty());
    }
}
