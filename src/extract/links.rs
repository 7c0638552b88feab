//! Finds URLs in abstracts and normalizes the ones that point at code repositories.
//!
//! Abstracts come from LaTeX and PDF extraction, so URLs arrive with debris:
//! `https://github.com/a/b{https://github.com/a/b}`, `{\footnotesizeblue{https://github.com/a/b}}.`,
//! a trailing full stop or comma. A URL is cut at the first brace and stripped of trailing
//! punctuation; a repository is then reduced to host / owner / name, so every spelling of
//! one repository becomes one node.

use std::sync::LazyLock;

use regex::Regex;

use crate::model::{Field, Paper};

/// A code repository, normalized.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Repository {
    /// Lower-case host without `www.`: `github.com`, `gitee.com`, `huggingface.co`, ...
    pub host: String,
    /// Path segment naming the repository kind on hosts that have several (`datasets`,
    /// `spaces` on Hugging Face), else empty.
    pub section: String,
    /// Owner as written (GitLab owners may contain `/` for subgroups).
    pub owner: String,
    /// Repository name as written, without `.git`.
    pub name: String,
}

impl Repository {
    /// Case-folded `host/[section/]owner/name`: the identity of the repository.
    pub fn key(&self) -> String {
        let mut key = format!("{}/", self.host);
        if !self.section.is_empty() {
            key.push_str(&self.section);
            key.push('/');
        }
        key.push_str(&self.owner);
        key.push('/');
        key.push_str(&self.name);
        key.to_lowercase()
    }

    /// `owner/name`, as written.
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }

    /// Canonical `https://` URL.
    pub fn url(&self) -> String {
        let section = if self.section.is_empty() { String::new() } else { format!("{}/", self.section) };
        format!("https://{}/{section}{}/{}", self.host, self.owner, self.name)
    }
}

/// What a URL in an abstract points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    Repository(Repository),
    /// Any other page (project site, short link), as a cleaned `https://` URL.
    Page(String),
}

/// One URL found in a paper's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub target: LinkTarget,
    pub field: Field,
    /// Character offsets of the cleaned URL in the field.
    pub start: usize,
    pub end: usize,
    /// The cleaned URL as written.
    pub text: String,
}

/// A URL runs to the first character no IRI may hold: white space, `<>"\|^` and the backquote,
/// control characters, invisible formatting ones (zero-width spaces, bidirectional overrides).
/// Braces are cut later (LaTeX debris).
static URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:https?://|\bwww\.|\b(?:github\.com|gitlab\.com|gitee\.com|bitbucket\.org|codeberg\.org|huggingface\.co)/)[^\s<>\x22\\|^\x60\p{Cc}\p{Cf}]+",
    )
    .unwrap()
});

/// Hosts whose first two path segments name a repository.
const OWNER_NAME_HOSTS: [&str; 4] = ["github.com", "gitee.com", "bitbucket.org", "codeberg.org"];
/// First path segments on GitHub that are site pages, not owners.
const GITHUB_RESERVED: [&str; 12] =
    ["orgs", "features", "topics", "sponsors", "marketplace", "settings", "about", "site", "login", "explore", "collections", "apps"];

/// All URLs in a paper's title and abstract.
pub fn find_links(paper: &Paper) -> Vec<Link> {
    paper.fields().into_iter().flat_map(|(field, text)| find_links_in(field, text)).collect()
}

/// URLs in one text field.
pub fn find_links_in(field: Field, text: &str) -> Vec<Link> {
    if !may_hold_url(text) {
        return Vec::new();
    }
    URL.find_iter(text)
        .filter_map(|m| {
            let cleaned = clean_url(m.as_str());
            let target = classify(cleaned)?;
            let start = text[..m.start()].chars().count();
            Some(Link { target, field, start, end: start + cleaned.chars().count(), text: cleaned.to_owned() })
        })
        .collect()
}

/// Whether `text` has what every match of [`URL`] has: a `/`, or `www.` in some case. Most
/// abstracts have neither, and these are found faster than the expression runs.
fn may_hold_url(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr(b'/', bytes).is_some() || memchr::memchr_iter(b'.', bytes).any(|i| i >= 3 && bytes[i - 3..i].eq_ignore_ascii_case(b"www"))
}

/// Cuts LaTeX debris (anything from the first brace) and trailing punctuation.
fn clean_url(raw: &str) -> &str {
    let cut = raw.find(['{', '}']).map_or(raw, |i| &raw[..i]);
    cut.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '\'', '"', '*'])
}

/// Parses a cleaned URL; `None` when nothing usable is left.
pub fn classify(url: &str) -> Option<LinkTarget> {
    let without_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let without_query = without_scheme.split(['?', '#']).next().unwrap_or_default();
    let (host, path) = without_query.split_once('/').unwrap_or((without_query, ""));
    let host = host.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_owned();
    if !host.contains('.') || host.ends_with('.') {
        return None;
    }
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let repository = |section: &str, owner: &str, name: &str| {
        let name = name.strip_suffix(".git").unwrap_or(name);
        (!owner.is_empty() && !name.is_empty()).then(|| Repository {
            host: host.clone(),
            section: section.to_owned(),
            owner: owner.to_owned(),
            name: name.to_owned(),
        })
    };
    let repo = match (host.as_str(), segments.as_slice()) {
        ("github.com", [owner, ..]) if GITHUB_RESERVED.contains(&owner.to_ascii_lowercase().as_str()) => None,
        (h, [owner, name, ..]) if OWNER_NAME_HOSTS.contains(&h) => repository("", owner, name),
        ("gitlab.com", segments) => {
            let end = segments.iter().position(|s| matches!(*s, "-" | "tree" | "blob")).unwrap_or(segments.len());
            match &segments[..end] {
                [owner @ .., name] if !owner.is_empty() => repository("", &owner.join("/"), name),
                _ => None,
            }
        }
        ("huggingface.co", [section @ ("datasets" | "spaces"), owner, name, ..]) => repository(section, owner, name),
        ("huggingface.co", [first, owner, name, ..]) if *first == "models" => repository("", owner, name),
        ("huggingface.co", [owner, name, ..]) => repository("", owner, name),
        _ => None,
    };
    Some(match repo {
        Some(repo) => LinkTarget::Repository(repo),
        None => {
            let path = path.trim_end_matches('/');
            LinkTarget::Page(if path.is_empty() { format!("https://{host}") } else { format!("https://{host}/{path}") })
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo_keys(text: &str) -> Vec<String> {
        find_links_in(Field::Abstract, text)
            .into_iter()
            .filter_map(|l| match l.target {
                LinkTarget::Repository(r) => Some(r.key()),
                LinkTarget::Page(_) => None,
            })
            .collect()
    }

    #[test]
    fn strips_latex_debris_and_punctuation() {
        assert_eq!(
            repo_keys("at https://github.com/skyhehe123/ScatterFormer{https://github.com/skyhehe123/ScatterFormer}. Also"),
            ["github.com/skyhehe123/scatterformer"]
        );
        assert_eq!(repo_keys("at: {\\footnotesizeblue{https://github.com/microsoft/SPTAG}}."), ["github.com/microsoft/sptag"]);
        assert_eq!(
            repo_keys("Project https://github.com/ChaoningZhang/MobileSAM{red{https://github.com/ChaoningZhang/MobileSAM}}. abstract"),
            ["github.com/chaoningzhang/mobilesam"]
        );
        assert_eq!(repo_keys("code: github.com/WujiangXu/AgenticMemory, and more"), ["github.com/wujiangxu/agenticmemory"]);
    }

    #[test]
    fn normalizes_hosts_and_paths() {
        assert_eq!(
            repo_keys("https://gitee.com/mindspore/models/tree/master/research/cv/TinySAM. and https://www.github.com/A/b.git"),
            ["gitee.com/mindspore/models", "github.com/a/b"]
        );
        assert_eq!(repo_keys("https://gitlab.com/grp/sub/proj/-/tree/main"), ["gitlab.com/grp/sub/proj"]);
        assert_eq!(
            repo_keys("https://huggingface.co/datasets/Yinxuan/OCTScenes. and https://huggingface.co/OpenGVLab/HoVLE."),
            ["huggingface.co/datasets/yinxuan/octscenes", "huggingface.co/opengvlab/hovle"]
        );
    }

    #[test]
    fn other_urls_are_pages() {
        let links = find_links_in(Field::Abstract, "See https://aka.ms/SCBench. and www.powerinfer.ai/v2. or https://sam2act.github.io/ and https://github.com/topics/llm");
        let pages: Vec<_> = links
            .iter()
            .map(|l| match &l.target {
                LinkTarget::Page(url) => url.as_str(),
                LinkTarget::Repository(_) => "repo",
            })
            .collect();
        assert_eq!(pages, ["https://aka.ms/SCBench", "https://powerinfer.ai/v2", "https://sam2act.github.io", "https://github.com/topics/llm"]);
        // No `/` in the text: `www.` in any case still starts a URL.
        let texts = |text| find_links_in(Field::Abstract, text).into_iter().map(|l| l.text).collect::<Vec<_>>();
        assert_eq!(texts("Demo at WwW.Example.org. Try it"), ["WwW.Example.org"]);
        assert!(texts("Version 2.0 of the model, e.g. faster.").is_empty());
    }

    #[test]
    fn urls_end_where_an_iri_could_not_go_on() {
        let links = find_links_in(Field::Abstract, "a https://github.com/foo/bar|baz b https://x.org/p\u{1}q c http://ex\u{200b}ample.org/ d https://example.org/\u{202e}evil e https://y.org/a^b`c");
        let texts: Vec<&str> = links.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["https://github.com/foo/bar", "https://x.org/p", "https://example.org/", "https://y.org/a"]);
        for link in &links {
            if let LinkTarget::Page(url) = &link.target {
                assert!(oxigraph::model::NamedNode::new(url).is_ok(), "{url}");
            }
        }
    }

    #[test]
    fn spans_point_at_the_cleaned_url() {
        let text = "Code: https://github.com/hustvl/Vim.";
        let link = &find_links_in(Field::Abstract, text)[0];
        assert_eq!(&text[link.start..link.end], "https://github.com/hustvl/Vim");
    }
}
