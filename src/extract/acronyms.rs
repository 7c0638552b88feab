//! Acronym definitions, after Schwartz & Hearst (2003), "A simple algorithm for identifying
//! abbreviation definitions in biomedical text".
//!
//! Three forms are recognized:
//! - `long form (SF)`: `SLot Attention via SHepherding (SLASH)`, `Recognize Anything Plus Model~(RAM++)`;
//! - `SF (long form)`: `SAM (Segment Anything Model)`;
//! - a title `SF: long form ...`: `MAMBA: Multi-level Aggregation via Memory Bank for ...`.
//!
//! In each, the short form's letters must appear in order in the long form, its first letter
//! starting a word; the long form is cut to the shortest run of words that satisfies this.

use crate::model::Field;

/// One acronym definition found in a text field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acronym {
    pub short: String,
    pub long: String,
    pub field: Field,
    /// Character offsets of the whole definition (long form through short form).
    pub start: usize,
    pub end: usize,
}

impl Acronym {
    /// The definition as written in the field.
    pub fn text<'a>(&self, field_text: &'a str) -> &'a str {
        crate::model::chars_between(field_text, self.start, self.end)
    }

    /// Character offsets of the short form within the field.
    pub fn short_span(&self, field_text: &str) -> (usize, usize) {
        let definition = self.text(field_text);
        let offset = definition.find(&self.short).map_or(0, |b| definition[..b].chars().count());
        (self.start + offset, self.start + offset + self.short.chars().count())
    }
}

/// All acronym definitions in one text field.
pub fn find_acronyms(field: Field, text: &str) -> Vec<Acronym> {
    let mut found = Vec::new();
    if field == Field::Title {
        found.extend(title_definition(text));
    }
    let mut search_from = 0;
    while let Some(open) = text[search_from..].find('(').map(|i| i + search_from) {
        search_from = open + 1;
        let Some(close) = text[open..].find(')').map(|i| i + open) else { break };
        let inner = text[open + 1..close].trim();
        let before = text[..open].trim_end_matches(['~', ' ']);
        if let Some(acronym) = long_then_short(field, text, before, inner, close)
            .or_else(|| short_then_long(field, text, before, inner, close))
        {
            found.push(acronym);
        }
    }
    found.dedup_by(|b, a| a.short == b.short && a.long == b.long);
    found
}

/// `long form (SF)`.
fn long_then_short(field: Field, text: &str, before: &str, short: &str, close: usize) -> Option<Acronym> {
    if !is_short_form(short) {
        return None;
    }
    let letters = short.chars().filter(|c| c.is_alphanumeric()).count();
    let max_words = (letters + 5).min(letters * 2);
    let (window_start, _) = *last_word_spans(before, max_words).first()?;
    let long = best_long_form(short, &before[window_start..])?;
    let start = before.len() - long.len();
    Some(Acronym { short: short.to_owned(), long: long.to_owned(), field, start: chars(text, start), end: chars(text, close + 1) })
}

/// `SF (long form)`: the word before the parenthesis is the short form.
fn short_then_long(field: Field, text: &str, before: &str, inner: &str, close: usize) -> Option<Acronym> {
    let (offset, short) = *last_word_spans(before, 1).last()?;
    let short = short.trim_matches(|c: char| !c.is_alphanumeric() && c != '+');
    if !is_short_form(short) || inner.split_whitespace().count() < 2 {
        return None;
    }
    let long = best_long_form(short, inner)?;
    // The long form must be the whole parenthetical, not a tail of a longer remark.
    (long == inner).then(|| Acronym {
        short: short.to_owned(),
        long: long.to_owned(),
        field,
        start: chars(text, offset),
        end: chars(text, close + 1),
    })
}

/// A title `SF: long form`, where the long form is a prefix of the subtitle.
fn title_definition(title: &str) -> Option<Acronym> {
    let (short, rest) = title.split_once(": ")?;
    if !is_short_form(short) {
        return None;
    }
    let rest_offset = short.len() + 2;
    let letters = short.chars().filter(|c| c.is_alphanumeric()).count();
    // The long form starts the subtitle: try the shortest word prefixes first.
    let words = word_spans(rest);
    for n in 1..=words.len().min(letters * 2) {
        let (last_start, last) = words[n - 1];
        let candidate = &rest[..last_start + last.len()];
        if let Some(long) = best_long_form(short, candidate) {
            if long == candidate && initials_cover(short, long) {
                return Some(Acronym {
                    short: short.to_owned(),
                    long: long.to_owned(),
                    field: Field::Title,
                    start: 0,
                    end: chars(title, rest_offset + candidate.len()),
                });
            }
        }
    }
    None
}

/// Short forms: 2 to 10 characters, one word, starting alphanumeric, with a capital letter.
fn is_short_form(text: &str) -> bool {
    let count = text.chars().count();
    (2..=10).contains(&count)
        && !text.contains(char::is_whitespace)
        && text.chars().next().is_some_and(char::is_alphanumeric)
        && text.chars().any(|c| c.is_uppercase())
        && text.chars().filter(|c| c.is_alphabetic()).count() >= 2
}

/// Schwartz & Hearst's matching: walk the short form backwards, finding each of its letters in
/// the long form right to left; the first letter must start a word. Returns the shortest
/// suffix of `candidate` (on a word boundary) that contains the match.
fn best_long_form<'a>(short: &str, candidate: &'a str) -> Option<&'a str> {
    let short: Vec<char> = short.chars().map(|c| c.to_ascii_lowercase()).collect();
    let long: Vec<char> = candidate.chars().collect();
    let mut s = short.len() as isize - 1;
    let mut l = long.len() as isize - 1;
    while s >= 0 {
        let c = short[s as usize];
        if !c.is_alphanumeric() {
            s -= 1;
            continue;
        }
        while l >= 0
            && (long[l as usize].to_ascii_lowercase() != c
                || (s == 0 && l > 0 && long[l as usize - 1].is_alphanumeric()))
        {
            l -= 1;
        }
        if l < 0 {
            return None;
        }
        l -= 1;
        s -= 1;
    }
    let start_char = long[..(l + 1) as usize].iter().rposition(|c| *c == ' ').map_or(0, |i| i + 1);
    let start_byte: usize = long[..start_char].iter().map(|c| c.len_utf8()).sum();
    let found = candidate[start_byte..].trim();
    // A long form is longer than its short form and does not merely repeat it.
    (found.chars().count() > short.len() && found.contains(' ')).then_some(found)
}

/// For `SF: long form` titles, where nothing else anchors the definition: at least half of the
/// short form's capitals must be, in order, initials of the long form's words or hyphenated parts.
fn initials_cover(short: &str, long: &str) -> bool {
    let initials: Vec<char> =
        long.split([' ', '-']).filter_map(|w| w.chars().next()).map(|c| c.to_ascii_uppercase()).collect();
    let capitals: Vec<char> = short.chars().filter(|c| c.is_ascii_uppercase()).collect();
    let mut next = 0;
    let matched = capitals
        .iter()
        .filter(|c| match initials[next..].iter().position(|i| i == *c) {
            Some(i) => {
                next += i + 1;
                true
            }
            None => false,
        })
        .count();
    !capitals.is_empty() && matched * 2 >= capitals.len()
}

/// Words (split on white space) with their byte offsets.
fn word_spans(text: &str) -> Vec<(usize, &str)> {
    last_word_spans(text, usize::MAX)
}

/// The last `n` words of `text` with their byte offsets, in order, read from the end: a
/// definition looks back only a few words from each parenthesis.
fn last_word_spans(text: &str, n: usize) -> Vec<(usize, &str)> {
    let mut spans = Vec::new();
    let mut end = None;
    for (i, c) in text.char_indices().rev() {
        if spans.len() == n {
            break;
        }
        let after = i + c.len_utf8();
        match (c.is_whitespace(), end) {
            (true, Some(e)) => {
                spans.push((after, &text[after..e]));
                end = None;
            }
            (false, None) => end = Some(after),
            _ => {}
        }
    }
    if let (Some(e), true) = (end, spans.len() < n) {
        spans.push((0, &text[..e]));
    }
    spans.reverse();
    spans
}

fn chars(text: &str, byte: usize) -> usize {
    text[..byte].chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_the_last_words_have_their_byte_offsets() {
        assert_eq!(word_spans("  one two\tthree  "), [(2, "one"), (6, "two"), (10, "three")]);
        assert_eq!(word_spans("a\u{a0}b  ünïcode"), [(0, "a"), (3, "b"), (6, "ünïcode")]);
        assert!(word_spans(" ").is_empty());
        for text in ["", "one", "  one two\tthree  ", "Large Language Models ", "a\u{a0}b  ünïcode wörds here", " x"] {
            let all = word_spans(text);
            for n in 0..6 {
                assert_eq!(last_word_spans(text, n), all[all.len().saturating_sub(n)..], "{text:?} {n}");
            }
        }
    }

    fn pairs(field: Field, text: &str) -> Vec<(String, String)> {
        find_acronyms(field, text).into_iter().map(|a| (a.short, a.long)).collect()
    }

    #[test]
    fn long_form_then_short_form() {
        assert_eq!(
            pairs(Field::Abstract, "we propose SLot Attention via SHepherding (SLASH), which adds"),
            [("SLASH".into(), "SLot Attention via SHepherding".into())]
        );
        assert_eq!(
            pairs(Field::Abstract, "We present the Recognize Anything Plus Model~(RAM++), a model"),
            [("RAM++".into(), "Recognize Anything Plus Model".into())]
        );
        assert_eq!(
            pairs(Field::Abstract, "propose a new generic vision backbone with bidirectional Mamba blocks (Vim), which"),
            [("Vim".into(), "vision backbone with bidirectional Mamba blocks".into())]
        );
        assert_eq!(pairs(Field::Abstract, "we propose Vision Mamba (Vim) for"), [("Vim".into(), "Vision Mamba".into())]);
    }

    #[test]
    fn short_form_then_long_form_and_titles() {
        assert_eq!(
            pairs(Field::Abstract, "The SAM (Segment Anything Model) has"),
            [("SAM".into(), "Segment Anything Model".into())]
        );
        assert_eq!(
            pairs(Field::Title, "MAMBA: Multi-level Aggregation via Memory Bank for Video Object Detection"),
            [("MAMBA".into(), "Multi-level Aggregation via Memory Bank".into())]
        );
        let title = "A-MEM: Agentic Memory for LLM Agents";
        let found = find_acronyms(Field::Title, title);
        assert_eq!(found.iter().map(|a| (a.short.as_str(), a.long.as_str())).collect::<Vec<_>>(), [("A-MEM", "Agentic Memory")]);
        assert_eq!(found[0].text(title), "A-MEM: Agentic Memory");
    }

    #[test]
    fn ignores_parentheticals_that_are_not_definitions() {
        assert!(pairs(Field::Abstract, "results (see Table 2) and accuracy (e.g., 5%) on COCO (2017)").is_empty());
        assert!(pairs(Field::Title, "Scaling Laws: What We Learned").is_empty());
        assert!(pairs(Field::Abstract, "fast networks (InfiniBand or RoCE) and a Test (Model-SAT)").is_empty());
        assert_eq!(
            pairs(Field::Abstract, "we propose SEED (Self rEwarding mEmorability Modeling), a"),
            [("SEED".into(), "Self rEwarding mEmorability Modeling".into())]
        );
    }
}
