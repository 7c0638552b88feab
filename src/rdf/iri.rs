//! Deterministic IRIs: the same input always yields the same IRI, so rebuilding or merging
//! stores gives the same graph.

use std::cell::RefCell;
use std::thread::LocalKey;

use oxigraph::model::NamedNode;
use rustc_hash::FxHashMap;
use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

use super::vocab::ID_BASE;
use crate::extract::Repository;
use crate::model::Paper;

/// Title normalized for identity: Unicode-compatibility-folded, lower case, words of letters and
/// digits separated by single spaces (punctuation separates words; combining marks vanish). Two
/// titles that differ only in case, punctuation or spacing are one paper.
pub fn normalize_title(title: &str) -> String {
    if title.is_ascii() {
        // The same result, without the Unicode machinery most titles do not need.
        let mut words = String::with_capacity(title.len());
        for word in title.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
            if !words.is_empty() {
                words.push(' ');
            }
            words.extend(word.chars().map(|c| c.to_ascii_lowercase()));
        }
        return words;
    }
    let folded: String = title
        .nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .to_lowercase();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `paper/arxiv-<id>` when the arXiv id is known, else `paper/<slug>-<hash>` of the normalized title.
pub fn paper(paper: &Paper) -> NamedNode {
    paper_by(paper.arxiv_id.as_deref(), &paper.title)
}

/// A paper's IRI from its arXiv id, else its title (see [`paper`]).
pub fn paper_by(arxiv_id: Option<&str>, title: &str) -> NamedNode {
    match arxiv_id {
        Some(id) if !id.contains('/') => mint(&["paper/arxiv-", id]),
        Some(id) => mint(&["paper/arxiv-", &id.replace('/', "_")]),
        None => {
            let key = normalize_title(title);
            let slug: String = key
                .split(' ')
                .filter(|w| w.is_ascii())
                .take(8)
                .collect::<Vec<_>>()
                .join("-")
                .chars()
                .take(60)
                .collect();
            mint(&["paper/", slug.trim_end_matches('-'), "-", &hash(&[&key])[..10]])
        }
    }
}

pub fn repository(repo: &Repository) -> NamedNode {
    mint(&["repo/", &percent_encode(&repo.key())])
}

/// A named method, model, dataset or benchmark a paper defines or proposes: keyed by its short
/// name and, when known, its long form, so two papers naming different things alike stay apart
/// only when their long forms differ.
pub fn method(short: &str, long: Option<&str>) -> NamedNode {
    let key = [normalize_title(short), long.map(normalize_title).unwrap_or_default()];
    let slug = dashed(&key[0], 40);
    mint(&["method/", if slug.is_empty() { "x" } else { &slug }, "-", &hash(&[&key[0], &key[1]])[..8]])
}

/// An author, keyed by the normalized name (`A. Smith` and `a smith` are one person; two
/// people sharing a name are one node: sources give no author identifiers).
pub fn person(name: &str) -> NamedNode {
    thread_local! {
        /// Authors recur across papers; minting hashes their names.
        static MINTED: MintedCache = RefCell::new(FxHashMap::default());
    }
    minted_once(&MINTED, name, || {
        let key = normalize_title(name);
        mint(&["person/", &dashed(&key, 40), "-", &hash(&[&key])[..8]])
    })
}

/// A thread's IRIs by the text they were minted from.
type MintedCache = RefCell<FxHashMap<String, NamedNode>>;

/// The IRI `cache` holds for `text`, minted (and kept) if it holds none.
fn minted_once(cache: &'static LocalKey<MintedCache>, text: &str, mint: impl FnOnce() -> NamedNode) -> NamedNode {
    cache.with_borrow_mut(|minted| {
        if let Some(iri) = minted.get(text) {
            return iri.clone();
        }
        if minted.len() >= MINTED_CACHE_ENTRIES {
            minted.clear();
        }
        let iri = mint();
        minted.insert(text.to_owned(), iri.clone());
        iri
    })
}

/// The first `max_chars` characters of a normalized key, spaces as dashes.
fn dashed(key: &str, max_chars: usize) -> String {
    key.chars().take(max_chars).map(|c| if c == ' ' { '-' } else { c }).collect()
}

/// Entries each thread's cache of minted IRIs holds before starting over.
const MINTED_CACHE_ENTRIES: usize = 100_000;

/// An arXiv category (`cs.LG`).
pub fn category(code: &str) -> NamedNode {
    thread_local! {
        /// A few hundred categories, on every paper.
        static MINTED: MintedCache = RefCell::new(FxHashMap::default());
    }
    minted_once(&MINTED, code, || mint(&["category/", &percent_encode(code)]))
}

pub fn listing(name: &str) -> NamedNode {
    thread_local! {
        /// The listing last minted: every paper of a file names it.
        static LAST: RefCell<Option<(String, NamedNode)>> = const { RefCell::new(None) };
    }
    LAST.with_borrow_mut(|last| match last {
        Some((cached, iri)) if cached == name => iri.clone(),
        _ => {
            let iri = mint(&["listing/", &percent_encode(name)]);
            *last = Some((name.to_owned(), iri.clone()));
            iri
        }
    })
}

pub fn extractor(name: &str) -> NamedNode {
    mint(&["extractor/", name])
}

/// The provenance property of the facts of `predicate` that one extractor found in one listing
/// with one confidence: `provenance/<listing file name>/<extractor>/<confidence>/<predicate's
/// local name>` (`.../concept-matcher/0.95/mentions`).
pub fn provenance_property(listing: &str, extractor: &'static str, confidence: f64, predicate: &'static str) -> NamedNode {
    /// The listing whose properties are cached, and its properties by extractor, confidence
    /// and predicate.
    type Minted = (String, FxHashMap<(&'static str, u64, &'static str), NamedNode>);
    thread_local! {
        /// A build uses a few dozen of them, millions of times: looked up without allocating.
        static MINTED: RefCell<Minted> = RefCell::new((String::new(), FxHashMap::default()));
    }
    MINTED.with_borrow_mut(|(cached_listing, minted)| {
        if cached_listing != listing {
            listing.clone_into(cached_listing);
            minted.clear();
        }
        minted
            .entry((extractor, confidence.to_bits(), predicate))
            .or_insert_with(|| {
                let local = predicate.rsplit(['#', '/']).next().unwrap_or(predicate);
                let listing = percent_encode(listing).replace('/', "%2F");
                mint(&["provenance/", &listing, "/", extractor, "/", &confidence.to_string(), "/", &percent_encode(local)])
            })
            .clone()
    })
}

/// A pair of concepts (statistics): `concept-pair/<hash of both IRIs, in order>`.
pub fn concept_pair(a: &str, b: &str) -> NamedNode {
    mint(&["concept-pair/", &hash(&[a, b])[..16]])
}

/// One evidence record, identified by everything that makes it distinct.
pub fn evidence(parts: &[&str]) -> NamedNode {
    mint(&["evidence/", &hash(parts)[..20]])
}

/// The IRI of the path made of `parts` under [`ID_BASE`].
fn mint(parts: &[&str]) -> NamedNode {
    let mut iri = String::with_capacity(ID_BASE.len() + parts.iter().map(|p| p.len()).sum::<usize>());
    iri.push_str(ID_BASE);
    for part in parts {
        iri.push_str(part);
    }
    // Paths of ASCII letters, digits and `-._~/%` (most of them) need no validation.
    if iri[ID_BASE.len()..].bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~/%".contains(&b)) {
        NamedNode::new_unchecked(iri)
    } else {
        NamedNode::new(iri).expect("minted IRIs are valid")
    }
}

fn hash(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    let mut hex = String::with_capacity(64);
    for byte in hasher.finalize() {
        hex.push(char::from_digit(u32::from(byte >> 4), 16).expect("a nibble is a hex digit"));
        hex.push(char::from_digit(u32::from(byte & 0xf), 16).expect("a nibble is a hex digit"));
    }
    hex
}

fn percent_encode(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.extend(['%', char::from(HEX[usize::from(b >> 4)]), char::from(HEX[usize::from(b & 0xf)])]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_differing_in_case_and_punctuation_share_a_key() {
        assert_eq!(normalize_title("A-MEM: Agentic  Memory for LLM Agents"), normalize_title("A MEM agentic memory for llm agents"));
        assert_eq!(normalize_title("Café—Net"), "cafe net");
    }

    #[test]
    fn repository_iris_ignore_case() {
        let repo = |owner: &str| Repository { host: "github.com".into(), section: String::new(), owner: owner.into(), name: "Vim".into() };
        assert_eq!(repository(&repo("hustvl")), repository(&repo("HUSTVL")));
        assert_eq!(repository(&repo("hustvl")).as_str(), "https://w3id.org/papergraph/id/repo/github.com/hustvl/vim");
    }
}
