//! Finds named things (taxonomy concepts, datasets) in paper text by their labels.
//!
//! Every label of every entry becomes a pattern of one Aho-Corasick automaton (a label trie),
//! walked anchored from each word start of text where case is folded and `-` / `_` read as
//! spaces (`KV-Cache` = `KV cache`); a word start none of the labels' first three bytes (two,
//! of two-byte labels) begin is skipped without touching the trie. Folding keeps byte offsets,
//! so a match is then checked against the original text:
//! - acronym words of a label (two or more capitals: `SAM`, `MoE`, the `KV` of `KV cache`) must
//!   match case-sensitively, since `sam` or `moe` in lower case are other words;
//! - the match must sit on word boundaries, and may carry a plural `s` / `es`;
//! - an all-capitals match of a label that is not itself in capitals is dropped
//!   (`MAMBA: Multi-level Aggregation...` is an acronym of something else, not Mamba).
//!
//! Overlapping matches resolve to the leftmost longest, so `KV cache compression` does not
//! also count as `KV cache`; entries sharing the very same span are all kept.
//!
//! Besides labels, an entry may have [`Form::Derived`] word forms (`quantized` for
//! quantization), matched as written at a lower confidence, and [`Form::OtherSense`] phrases
//! (`dataset distillation` for knowledge distillation) inside which its matches are dropped.

use aho_corasick::automaton::Automaton;
use aho_corasick::nfa::contiguous::NFA;
use aho_corasick::{Anchored, MatchKind};

use super::taxonomy::Taxonomy;
use crate::model::{Field, Paper};

/// One occurrence of an entry (a concept, a dataset) in a paper's text.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    /// Index of the entry in the list the matcher was built from.
    pub entry: usize,
    pub field: Field,
    /// Character (not byte) offsets into the field.
    pub start: usize,
    pub end: usize,
    /// The text as written in the source.
    pub text: String,
    pub confidence: f64,
}

/// Confidence of a match whose text equals a label exactly.
pub const CONFIDENCE_EXACT: f64 = 0.95;
/// Confidence of a match that differs from its label in case, hyphenation or plural.
pub const CONFIDENCE_VARIANT: f64 = 0.85;
/// Confidence of a match of a bare acronym label (acronyms are the most ambiguous labels).
pub const CONFIDENCE_ACRONYM: f64 = 0.8;
/// Confidence of a declared derived form (`quantized`, `distilling`): verbs are used more
/// loosely than a technique's name.
pub const CONFIDENCE_DERIVED: f64 = 0.75;
/// Confidence of a short form the text defines as a concept's label (`large language models
/// (LLMs)`).
pub const CONFIDENCE_ACRONYM_DEFINED: f64 = 0.9;

/// What a pattern's match says about its entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// A name of the entry, also matched in plural and with other case or hyphenation.
    Label,
    /// A verb, participle or adjective form (`quantized`), matched as written up to case and
    /// hyphenation, never with a plural ending.
    Derived,
    /// A phrase where a label of the entry means something else (`dataset distillation`):
    /// the entry's matches inside it are dropped.
    OtherSense,
}

struct Pattern {
    entry: usize,
    form: Form,
    label: String,
    /// Byte ranges of the label's acronym words, which must match case-sensitively.
    acronym_words: Vec<(usize, usize)>,
    /// The whole label is one acronym.
    is_acronym: bool,
    /// The label has lower-case letters, so an all-capitals match is someone's acronym.
    label_has_lowercase: bool,
}

/// Compiled matcher for one list of entries.
pub struct LabelMatcher {
    /// The label trie (an Aho-Corasick automaton searched anchored).
    automaton: NFA,
    /// Which folded text can start a match, checked before walking the trie (most words start
    /// none): hashed three-byte prefixes of the patterns, and first bytes of shorter ones.
    starts: PrefixFilter,
    patterns: Vec<Pattern>,
}

struct Candidate {
    entry: usize,
    form: Form,
    start: usize,
    end: usize,
    confidence: f64,
}

impl LabelMatcher {
    /// Builds a matcher from `(entry index, label)` pairs.
    pub fn new<'a>(labels: impl IntoIterator<Item = (usize, &'a str)>) -> Self {
        Self::with_forms(labels.into_iter().map(|(entry, label)| (entry, label, Form::Label)))
    }

    /// Builds a matcher from `(entry index, text, form)` triples.
    pub fn with_forms<'a>(forms: impl IntoIterator<Item = (usize, &'a str, Form)>) -> Self {
        let mut patterns = Vec::new();
        for (entry, label, form) in forms {
            let label = label.split_whitespace().collect::<Vec<_>>().join(" ");
            if label.is_empty() {
                continue;
            }
            let acronym_words = acronym_words(&label);
            patterns.push(Pattern {
                entry,
                form,
                is_acronym: acronym_words == [(0, label.len())],
                acronym_words,
                label_has_lowercase: label.chars().any(char::is_lowercase),
                label,
            });
        }
        let folded: Vec<String> = patterns.iter().map(|p| fold(&p.label)).collect();
        let starts = PrefixFilter::new(&folded);
        let automaton = NFA::builder()
            .match_kind(MatchKind::Standard)
            .build(&folded)
            .expect("taxonomy labels compile into an automaton");
        LabelMatcher { automaton, starts, patterns }
    }

    /// A matcher for every label, derived form and other-sense phrase of every concept of a
    /// taxonomy.
    pub fn for_taxonomy(taxonomy: &Taxonomy) -> Self {
        Self::with_forms(taxonomy.concepts.iter().enumerate().flat_map(|(i, c)| {
            let labels = c.labels().map(move |l| (i, l, Form::Label));
            let derived = c.derived_forms.iter().map(move |l| (i, l.as_str(), Form::Derived));
            labels.chain(derived).chain(c.other_sense_phrases.iter().map(move |l| (i, l.as_str(), Form::OtherSense)))
        }))
    }

    /// All mentions in prepared text fields (a paper's title and abstract: [`Prepared::paper`]).
    pub fn find(&self, fields: &[Prepared<'_>]) -> Vec<Mention> {
        fields.iter().flat_map(|prepared| self.find_prepared(prepared)).collect()
    }

    /// Mentions in one text field.
    pub fn find_in(&self, field: Field, text: &str) -> Vec<Mention> {
        self.find_prepared(&Prepared::new(field, text))
    }

    fn find_prepared(&self, prepared: &Prepared<'_>) -> Vec<Mention> {
        let Prepared { field, text, ref folded, ref word_starts } = *prepared;
        let mut candidates: Vec<Candidate> = Vec::new();
        for &at in word_starts {
            if self.starts.may_start(&folded.as_bytes()[at..]) {
                self.walk_from(folded, at, |pattern, end| candidates.extend(self.check(&self.patterns[pattern], text, at, end)));
            }
        }
        let other_senses: Vec<(usize, usize, usize)> =
            candidates.iter().filter(|c| c.form == Form::OtherSense).map(|c| (c.entry, c.start, c.end)).collect();
        candidates.retain(|c| {
            c.form != Form::OtherSense
                && !other_senses.iter().any(|&(entry, start, end)| entry == c.entry && start <= c.start && c.end <= end)
        });

        candidates.sort_by(|a, b| {
            a.start.cmp(&b.start).then(b.end.cmp(&a.end)).then(a.entry.cmp(&b.entry)).then(b.confidence.total_cmp(&a.confidence))
        });
        candidates.dedup_by(|b, a| (a.start, a.end, a.entry) == (b.start, b.end, b.entry));
        // Most fields are ASCII: their byte offsets are character offsets.
        let ascii = text.is_ascii();
        let char_offset = |byte: usize| if ascii { byte } else { text[..byte].chars().count() };
        let mut mentions: Vec<Mention> = Vec::new();
        let mut taken = (0, 0);
        for c in candidates {
            if c.start < taken.1 && (c.start, c.end) != taken {
                continue;
            }
            taken = (c.start, c.end);
            mentions.push(Mention {
                entry: c.entry,
                field,
                start: char_offset(c.start),
                end: char_offset(c.end),
                text: text[c.start..c.end].to_owned(),
                confidence: c.confidence,
            });
        }
        mentions
    }

    /// Calls `found(pattern, end)` for every pattern that matches `folded` from byte `start`.
    fn walk_from(&self, folded: &str, start: usize, mut found: impl FnMut(usize, usize)) {
        let nfa = &self.automaton;
        let mut state = nfa.start_state(Anchored::Yes).expect("the label trie has an anchored start state");
        for (offset, &byte) in folded.as_bytes()[start..].iter().enumerate() {
            state = nfa.next_state(Anchored::Yes, state, byte);
            if nfa.is_dead(state) {
                return;
            }
            if !nfa.is_match(state) {
                continue;
            }
            let end = start + offset + 1;
            for i in 0..nfa.match_len(state) {
                let pattern = nfa.match_pattern(state, i);
                // A state also holds the labels that are suffixes of its path.
                if end - nfa.pattern_len(pattern) == start {
                    found(pattern.as_usize(), end);
                }
            }
        }
    }

    /// Validates one automaton match against the original text.
    fn check(&self, pattern: &Pattern, text: &str, start: usize, end: usize) -> Option<Candidate> {
        if !text.is_char_boundary(start) || !text.is_char_boundary(end) || !starts_word(text, start) {
            return None;
        }
        if pattern.acronym_words.iter().any(|&(a, b)| text[start + a..start + b] != pattern.label[a..b]) {
            return None;
        }
        let plural = if pattern.form == Form::Derived { 0 } else { plural_suffix_len(&text[end..], pattern.is_acronym) };
        let end = end + plural;
        if !ends_word(text, end) {
            return None;
        }
        let matched = &text[start..end];
        if pattern.label_has_lowercase && is_all_capitals(matched) {
            return None;
        }
        let confidence = if pattern.form == Form::Derived {
            CONFIDENCE_DERIVED
        } else if pattern.is_acronym {
            CONFIDENCE_ACRONYM
        } else if matched == pattern.label {
            CONFIDENCE_EXACT
        } else {
            CONFIDENCE_VARIANT
        };
        Some(Candidate { entry: pattern.entry, form: pattern.form, start, end, confidence })
    }
}

/// A text field prepared once for every matcher that searches it: folded (see [`fold`]), with
/// the positions where a match may start.
pub struct Prepared<'t> {
    field: Field,
    text: &'t str,
    folded: String,
    /// Byte offsets of the characters that follow one that is not a letter or digit: a match
    /// must start a word, so the label trie is walked anchored from these only (a few bytes
    /// down the trie per word, instead of an unanchored walk over every byte of the text).
    word_starts: Vec<usize>,
}

impl<'t> Prepared<'t> {
    pub fn new(field: Field, text: &'t str) -> Self {
        let folded = fold(text);
        let word_starts = if text.is_ascii() {
            // The same positions, eight bytes at a time.
            ascii_word_starts(folded.as_bytes())
        } else {
            word_starts(text.len(), text.char_indices().map(|(at, c)| (at, c.is_alphanumeric())))
        };
        Prepared { field, text, folded, word_starts }
    }

    pub fn field(&self) -> Field {
        self.field
    }

    pub fn text(&self) -> &'t str {
        self.text
    }

    /// The text with ASCII letters in lower case and `-` / `_` as spaces, byte for byte.
    pub fn folded(&self) -> &str {
        &self.folded
    }

    /// Byte offsets where words start (after a character that is not a letter or digit).
    pub fn word_starts(&self) -> &[usize] {
        &self.word_starts
    }

    /// A paper's title and abstract.
    pub fn paper(paper: &'t Paper) -> [Self; 2] {
        paper.fields().map(|(field, text)| Prepared::new(field, text))
    }
}

/// The offsets of `(offset, is alphanumeric)` characters that follow one that is not
/// alphanumeric (or start the text).
fn word_starts(text_len: usize, characters: impl Iterator<Item = (usize, bool)>) -> Vec<usize> {
    let mut starts = Vec::with_capacity(text_len / 4);
    let mut previous_alphanumeric = false;
    for (at, alphanumeric) in characters {
        if !previous_alphanumeric {
            starts.push(at);
        }
        previous_alphanumeric = alphanumeric;
    }
    starts
}

/// [`word_starts`] of folded ASCII text (letters in lower case), eight bytes at a time: a
/// mask of the alphanumeric bytes of each eight, then the bytes that follow a zero bit.
fn ascii_word_starts(folded: &[u8]) -> Vec<usize> {
    use crate::swar::{at_least, below, load, to_bits};
    let mut starts = Vec::with_capacity(folded.len() / 4);
    let mut previous_alphanumeric = 0u64;
    let rest = folded.len() % 8;
    for block in (0..folded.len() - rest).step_by(8) {
        let x = load(folded, block);
        let alphanumeric = to_bits((at_least(x, b'0') & below(x, b'9' + 1)) | (at_least(x, b'a') & below(x, b'z' + 1)));
        let mut follows_other = !(alphanumeric << 1 | previous_alphanumeric) & 0xff;
        while follows_other != 0 {
            starts.push(block + follows_other.trailing_zeros() as usize);
            follows_other &= follows_other - 1;
        }
        previous_alphanumeric = alphanumeric >> 7;
    }
    let mut previous = previous_alphanumeric == 1;
    for at in folded.len() - rest..folded.len() {
        if !previous {
            starts.push(at);
        }
        previous = folded[at].is_ascii_alphanumeric();
    }
    starts
}

/// A set of text prefixes, with false positives but no false negatives: 2^16 bits indexed by a
/// hash of a pattern's first three bytes (small enough to stay in the fastest cache), the
/// first two bytes of two-byte patterns (`rl`, `qa`: the first byte alone would let every word
/// starting with `r` or `q` through) and the first byte of one-byte ones.
struct PrefixFilter {
    three: BitSet,
    two: BitSet,
    one: [bool; 256],
}

/// 2^16 bits.
struct BitSet(Box<[u64]>);

impl BitSet {
    fn new() -> Self {
        BitSet(vec![0; (1 << 16) / 64].into_boxed_slice())
    }

    fn insert(&mut self, bit: usize) {
        self.0[bit / 64] |= 1 << (bit % 64);
    }

    fn contains(&self, bit: usize) -> bool {
        self.0[bit / 64] & (1 << (bit % 64)) != 0
    }
}

impl PrefixFilter {
    fn new(patterns: &[String]) -> Self {
        let mut filter = PrefixFilter { three: BitSet::new(), two: BitSet::new(), one: [false; 256] };
        for pattern in patterns {
            match pattern.as_bytes() {
                [a, b, c, ..] => filter.three.insert(Self::hash(*a, *b, *c)),
                [a, b] => filter.two.insert(Self::pair(*a, *b)),
                [a] => filter.one[usize::from(*a)] = true,
                [] => {}
            }
        }
        filter
    }

    fn pair(a: u8, b: u8) -> usize {
        usize::from(a) << 8 | usize::from(b)
    }

    fn hash(a: u8, b: u8, c: u8) -> usize {
        let packed = u32::from(a) | u32::from(b) << 8 | u32::from(c) << 16;
        (packed.wrapping_mul(0x9E37_79B1) >> 16) as usize
    }

    /// Whether some pattern may match at the start of `text`.
    fn may_start(&self, text: &[u8]) -> bool {
        match text {
            [a, b, c, ..] => {
                self.three.contains(Self::hash(*a, *b, *c)) || self.two.contains(Self::pair(*a, *b)) || self.one[usize::from(*a)]
            }
            _ => true,
        }
    }
}

/// Byte ranges of the words (split on space and hyphen) with two or more capital letters.
fn acronym_words(label: &str) -> Vec<(usize, usize)> {
    let mut words = Vec::new();
    let mut start = 0;
    for (i, c) in label.char_indices().chain(std::iter::once((label.len(), ' '))) {
        if c == ' ' || c == '-' {
            let word = &label[start..i];
            if word.chars().filter(|c| c.is_uppercase()).count() >= 2 {
                words.push((start, i));
            }
            start = i + c.len_utf8();
        }
    }
    words
}

/// Lower-cases ASCII and reads `-` and `_` as spaces, keeping every byte offset.
fn fold(text: &str) -> String {
    // Arithmetic rather than a `match`, so that the loop compiles to vector instructions.
    let folded = text
        .bytes()
        .map(|b| {
            let lower = b | u8::from(b.wrapping_sub(b'A') < 26) << 5;
            if lower == b'-' || lower == b'_' {
                b' '
            } else {
                lower
            }
        })
        .collect();
    String::from_utf8(folded).expect("replacing ASCII bytes by ASCII bytes keeps UTF-8 valid")
}

fn starts_word(text: &str, at: usize) -> bool {
    text[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric())
}

fn ends_word(text: &str, at: usize) -> bool {
    text[at..].chars().next().is_none_or(|c| !c.is_alphanumeric())
}

fn plural_suffix_len(rest: &str, case_sensitive: bool) -> usize {
    ["es", "s"]
        .into_iter()
        .find(|suffix| {
            let written = rest.get(..suffix.len());
            let matches = if case_sensitive { written == Some(suffix) } else { written.is_some_and(|w| w.eq_ignore_ascii_case(suffix)) };
            matches && ends_word(rest, suffix.len())
        })
        .map_or(0, str::len)
}

fn is_all_capitals(text: &str) -> bool {
    let letters = text.chars().filter(|c| c.is_alphabetic());
    letters.clone().count() >= 2 && letters.clone().all(char::is_uppercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_starts_and_folding_eight_bytes_at_a_time_agree_with_byte_by_byte() {
        // Bytes on both sides of the alphanumeric ranges, in every position of a block.
        for text in crate::model::test_texts(b"/09:@AZ[`az{-_ .\t\x7f", 70, 20) {
            let folded = fold(&text);
            let expected: String = text.to_ascii_lowercase().chars().map(|c| if c == '-' || c == '_' { ' ' } else { c }).collect();
            assert_eq!(folded, expected, "{text:?}");
            let bytewise = word_starts(text.len(), text.bytes().map(|b| b.is_ascii_alphanumeric()).enumerate());
            assert_eq!(ascii_word_starts(folded.as_bytes()), bytewise, "{text:?}");
        }
        assert_eq!(fold("KV-Cache_é Ä"), "kv cache é Ä");
    }

    fn taxonomy() -> Taxonomy {
        let ttl = r#"@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
            @prefix c: <https://example.org/c/> .
            c:kv a skos:Concept ; skos:prefLabel "KV cache" ; skos:altLabel "key-value cache" .
            c:kvc a skos:Concept ; skos:prefLabel "KV cache compression" ; skos:broader c:kv .
            c:mamba a skos:Concept ; skos:prefLabel "Mamba" .
            c:sam a skos:Concept ; skos:prefLabel "Segment Anything" ; skos:altLabel "SAM" .
            c:llm a skos:Concept ; skos:prefLabel "large language model" ; skos:altLabel "LLM" ."#;
        Taxonomy::parse("t.ttl", ttl.as_bytes()).unwrap()
    }

    fn found(text: &str) -> Vec<(String, String)> {
        let taxonomy = taxonomy();
        LabelMatcher::for_taxonomy(&taxonomy)
            .find_in(Field::Abstract, text)
            .into_iter()
            .map(|m| (taxonomy.concepts[m.entry].pref_label.clone(), m.text))
            .collect()
    }

    #[test]
    fn matches_variants_plurals_and_hyphens() {
        assert_eq!(
            found("Key-Value caches and the KV-cache of LLMs; large language models."),
            [
                ("KV cache".into(), "Key-Value caches".into()),
                ("KV cache".into(), "KV-cache".into()),
                ("large language model".into(), "LLMs".into()),
                ("large language model".into(), "large language models".into()),
            ]
        );
    }

    #[test]
    fn acronyms_are_case_sensitive_and_need_word_boundaries() {
        assert!(found("the sam method; a SAMPLE; same; kv cache").is_empty());
        assert_eq!(found("We adapt SAM to video."), [("Segment Anything".into(), "SAM".into())]);
        // Only the acronym word is case-sensitive: title case elsewhere in the label is fine.
        assert_eq!(found("SCBench: A KV Cache-Centric Analysis"), [("KV cache".into(), "KV Cache".into())]);
    }

    #[test]
    fn longest_match_wins_and_all_caps_acronyms_are_not_labels() {
        assert_eq!(found("KV cache compression"), [("KV cache compression".into(), "KV cache compression".into())]);
        assert!(found("MAMBA: Multi-level Aggregation via Memory Bank").is_empty());
        assert_eq!(found("a mamba-based model"), [("Mamba".into(), "mamba".into())]);
    }

    #[test]
    fn spans_are_character_offsets() {
        let taxonomy = taxonomy();
        let m = &LabelMatcher::for_taxonomy(&taxonomy).find_in(Field::Title, "Ünïcode Mamba")[0];
        assert_eq!((m.start, m.end, m.text.as_str()), (8, 13, "Mamba"));
        assert_eq!(m.confidence, CONFIDENCE_EXACT);
    }
}
