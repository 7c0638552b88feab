//! The bad-input corpus: every input in `tests/bad/` (and the big or unusual ones generated
//! here) is built on its own with the real binary, and must exit as `tests/bad/expected.tsv`
//! says, report what is wrong where, and keep the papers it says; then the store built from all
//! of them together must hold every good paper and export N-Triples, Turtle and GraphML that
//! rdflib, networkx and igraph read (through `tests/consumers/graph_check.py`).

use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::cli::{stderr, stdout};

/// A build or query taking longer is taken for a hang.
const TIMEOUT: Duration = Duration::from_secs(90);
const PAPERS: &str = "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a schema:ScholarlyArticle }";
/// The input taxonomy cases are built with.
const TAXONOMY_BASE: &str = "tests/fixtures/ingest/arxiv-snapshot.jsonl";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// One line of `tests/bad/expected.tsv`.
#[derive(Debug)]
struct Case {
    name: String,
    exit: i32,
    papers: u64,
    /// Substrings stderr must show, `{path}` standing for the input's path.
    messages: Vec<String>,
}

fn manifest() -> Vec<Case> {
    let text = std::fs::read_to_string(root().join("tests/bad/expected.tsv")).unwrap();
    let mut cases: Vec<Case> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let columns: Vec<&str> = line.split('\t').collect();
        let at = || format!("tests/bad/expected.tsv:{}", index + 1);
        assert!(columns.len() >= 5, "{}: case, exit, papers, what, messages...", at());
        assert!(!cases.iter().any(|c| c.name == columns[0]), "{}: {} twice", at(), columns[0]);
        cases.push(Case {
            name: columns[0].to_owned(),
            exit: columns[1].parse().unwrap_or_else(|_| panic!("{}: exit", at())),
            papers: columns[2].parse().unwrap_or_else(|_| panic!("{}: papers", at())),
            messages: columns[4..].iter().filter(|m| **m != "-").map(|m| m.to_string()).collect(),
        });
    }
    cases
}

/// Runs papergraph on `store`, killing it after [`TIMEOUT`].
fn run(store: &Path, args: &[&str]) -> Result<Output, String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_papergraph"))
        .arg("--store")
        .arg(store)
        .args(args)
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            pipe.read_to_end(&mut bytes).ok();
            bytes
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().ok();
            child.wait().ok();
            return Err(format!("papergraph {args:?} hung: killed after {TIMEOUT:?}"));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Ok(Output { status, stdout: out.join().unwrap(), stderr: err.join().unwrap() })
}

/// Papers in the store, 0 when there is none.
fn papers(store: &Path) -> Result<u64, String> {
    let out = run(store, &["query", "--format", "tsv", "-e", PAPERS])?;
    if !out.status.success() {
        return Ok(0);
    }
    stdout(&out).lines().nth(1).and_then(|n| n.trim().parse().ok()).ok_or_else(|| format!("count query answered {:?}", stdout(&out)))
}

/// Whether `line` holds `pattern`, in which `*` stands for any text.
fn matches(line: &str, pattern: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(start) = line.find(first) else { return false };
    let mut rest = &line[start + first.len()..];
    for part in parts {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// Builds one case into its own store and returns what is wrong with the outcome.
fn check(case: &Case, input: &str, store: &Path) -> Vec<String> {
    let args: Vec<&str> = match case.name.ends_with(".ttl") {
        true => vec!["build", "--taxonomy", input, TAXONOMY_BASE],
        false => vec!["build", input],
    };
    let out = match run(store, &args) {
        Ok(out) => out,
        Err(hung) => return vec![hung],
    };
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let mut wrong = Vec::new();
    if err.contains("panicked") || out.status.code().is_none() {
        wrong.push(format!("crashed ({})", out.status));
    }
    if out.status.code() != Some(case.exit) {
        wrong.push(format!("exit {:?}, expected {}", out.status.code(), case.exit));
    }
    let expected: Vec<String> = case.messages.iter().map(|m| m.replace("{path}", input)).collect();
    for message in &expected {
        if !err.lines().any(|line| matches(line, message)) {
            wrong.push(format!("no message {message:?}"));
        }
    }
    for line in err.lines().filter(|l| l.starts_with("warning: skipped ")) {
        if !expected.iter().any(|m| matches(line, m)) {
            wrong.push(format!("unexpected {line:?}"));
        }
    }
    if case.exit == 1 && !err.lines().any(|l| l.starts_with("error: ")) {
        wrong.push("exit 1 without an `error:` line".into());
    }
    match papers(store) {
        Ok(n) if n == case.papers => {}
        Ok(n) => wrong.push(format!("{n} papers in the store, expected {}", case.papers)),
        Err(e) => wrong.push(e),
    }
    if !wrong.is_empty() {
        wrong.push(format!("stderr was:\n{err}"));
    }
    wrong
}

#[test]
fn every_bad_input_is_reported_and_every_good_record_kept() {
    let started = Instant::now();
    let cases = manifest();
    assert!(cases.len() >= 60, "only {} cases", cases.len());
    let dir = tempfile::tempdir().unwrap();
    let generated = dir.path().join("generated");
    std::fs::create_dir(&generated).unwrap();
    let mut skipped = Vec::new();
    for case in cases.iter().filter(|c| c.name.starts_with('@')) {
        if let Some(reason) = generate(&case.name[1..], &generated) {
            eprintln!("bad_input: skipping {}: {reason}", case.name);
            skipped.push(case.name.as_str());
        }
    }
    // Every file and directory of tests/bad is a case.
    for entry in std::fs::read_dir(root().join("tests/bad")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let known = matches!(name.as_str(), "expected.tsv" | ".gitattributes") || cases.iter().any(|c| c.name == name);
        assert!(known, "tests/bad/{name} is in no case of expected.tsv");
    }
    let input_of = |case: &Case| match case.name.strip_prefix('@') {
        Some(name) => generated.join(name).to_str().unwrap().to_owned(),
        None => format!("tests/bad/{}", case.name),
    };

    let runnable: Vec<&Case> = cases.iter().filter(|c| !skipped.contains(&c.name.as_str())).collect();
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(2, 4);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let Some(case) = runnable.get(next.fetch_add(1, Ordering::Relaxed)) else { break };
                let store = dir.path().join(format!("store-{}", case.name.replace(['@', '/'], "_")));
                let wrong = check(case, &input_of(case), &store);
                std::fs::remove_dir_all(&store).ok();
                if !wrong.is_empty() {
                    failures.lock().unwrap().push(format!("{}: {}", case.name, wrong.join("\n    ")));
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), runnable.len(), failures.join("\n\n"));
    eprintln!("bad_input: {} cases built one by one in {:.1} s", runnable.len(), started.elapsed().as_secs_f64());

    // All of them at once: every good paper kept, a store every consumer reads.
    let inputs: Vec<&Case> = runnable.iter().copied().filter(|c| !c.name.ends_with(".ttl")).collect();
    let expected_papers: u64 = inputs.iter().map(|c| c.papers).sum();
    let store = dir.path().join("union");
    let mut args = vec!["build".to_owned(), "tests/bad".to_owned()];
    args.extend(inputs.iter().filter(|c| c.name.starts_with('@')).map(|c| input_of(c)));
    let built = run(&store, &args.iter().map(String::as_str).collect::<Vec<_>>()).unwrap();
    assert_eq!(built.status.code(), Some(2), "{}", stderr(&built));
    assert!(!stderr(&built).contains("panicked"), "{}", stderr(&built));
    assert_eq!(papers(&store).unwrap(), expected_papers, "the store of every input holds every good paper of each");
    union_exports_are_valid(&store, dir.path(), expected_papers);
    eprintln!("bad_input: done in {:.1} s", started.elapsed().as_secs_f64());
}

/// Exports the store as N-Triples, Turtle and GraphML and has rdflib, networkx and igraph read
/// them; the RDF must hold only valid IRIs, and nothing an XML entity could have brought in.
fn union_exports_are_valid(store: &Path, dir: &Path, papers: u64) {
    let triples = {
        let out = run(store, &["query", "--format", "tsv", "-e", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"]).unwrap();
        stdout(&out).lines().nth(1).unwrap().trim().parse::<u64>().unwrap()
    };
    for (format, checker) in [("ntriples", "nt"), ("turtle", "turtle")] {
        let file = dir.join(format!("union.{format}"));
        let out = run(store, &["export", "--format", format, "-o", file.to_str().unwrap()]).unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let report = graph_check(&["rdf", file.to_str().unwrap(), "--format", checker, "--check-iris"]);
        assert_eq!(report["triples"], triples, "{format}: {report}");
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(!text.contains("root:x:0:0") && !text.contains("lollollol"), "{format}: an entity was expanded");
    }
    let graphml = dir.join("union.graphml");
    let out = run(store, &["export", "--format", "graphml", "-o", graphml.to_str().unwrap()]).unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let report = graph_check(&["graphml", graphml.to_str().unwrap()]);
    assert_eq!(report["kinds"]["paper"], papers, "{report}");
}

fn graph_check(args: &[&str]) -> Value {
    let out = Command::new("python3").arg(root().join("tests/consumers/graph_check.py")).args(args).current_dir(root()).output().unwrap();
    assert!(out.status.success(), "graph_check.py {args:?} failed (.ci/run installs its requirements): {}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

/// Good papers for generated inputs: the bundled listings' papers, retitled so that they are
/// no paper of `tests/bad/` (whose papers are those of the listings and their extended
/// versions).
struct Good {
    papers: Vec<(String, String)>,
    next: usize,
}

impl Good {
    fn new() -> Self {
        let mut files: Vec<_> = std::fs::read_dir(super::listings_dir()).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        let mut papers: Vec<(String, String)> = Vec::new();
        for file in files {
            for paper in papergraph::ingest::parse_listing(&file, &std::fs::read(&file).unwrap()).papers {
                let title = format!("{} (Revised Version)", paper.title);
                if !papers.iter().any(|(t, _)| *t == title) {
                    papers.push((title, paper.abstract_text));
                }
            }
        }
        Good { papers, next: 0 }
    }

    /// The next paper's title and abstract, and an arXiv id of its own.
    fn next(&mut self) -> (String, String, String) {
        let (title, abstract_text) = self.papers[self.next].clone();
        self.next += 1;
        (title, abstract_text, format!("2502.{:05}", 20000 + self.next))
    }

    /// The next paper as an arXiv JSON line.
    fn jsonl(&mut self) -> String {
        let (title, abstract_text, id) = self.next();
        serde_json::json!({"id": id, "title": title, "abstract": abstract_text, "categories": "cs.LG"}).to_string()
    }

    /// The next paper as a Papers-with-Code array element.
    fn pwc(&mut self) -> String {
        let (title, abstract_text, id) = self.next();
        serde_json::json!({"arxiv_id": id, "title": title, "abstract": abstract_text, "authors": ["A. Author"]}).to_string()
    }

    /// The next paper as an Atom entry; `extra` goes inside it.
    fn atom(&mut self, extra: &str) -> String {
        let (title, abstract_text, id) = self.next();
        atom_entry(&id, &xml_escape(&title), &xml_escape(&abstract_text), extra)
    }

    /// The next paper as a listing page entry.
    fn listing(&mut self) -> String {
        let (title, abstract_text, _) = self.next();
        format!("{title}\n\n{abstract_text}\n\n")
    }
}

fn atom_entry(id: &str, title: &str, summary: &str, extra: &str) -> String {
    format!("<entry>\n<id>http://arxiv.org/abs/{id}v1</id>\n<title>{title}</title>\n<summary>{summary}</summary>\n{extra}</entry>\n")
}

fn atom_feed(entries: &[String]) -> String {
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n{}</feed>\n", entries.concat())
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;")
}

/// Text of exactly `chars` ASCII characters made of `sentence` repeated, words apart.
fn long_text(sentence: &str, chars: usize) -> String {
    let mut text = String::with_capacity(chars + sentence.len());
    while text.len() < chars {
        text.push_str(sentence);
        text.push(' ');
    }
    text.truncate(chars);
    while text.ends_with(' ') {
        text.pop();
        text.push('x');
    }
    text
}

/// Writes the input of the generated case `name` under `dir`; a reason when the case cannot be
/// run here.
fn generate(name: &str, dir: &Path) -> Option<String> {
    // Each case has its own papers: offset by the case's place in this list.
    const CASES: [&str; 16] = [
        "huge-line.jsonl", "huge-paragraph.txt", "huge-title.jsonl", "huge-title.json", "huge-title.atom", "huge-element.json",
        "deep-nesting.jsonl", "deep-nesting.json", "deep-nesting.atom", "symlink-loop", "dangling-symlink", "chmod-000",
        "io-error", "dir-named-like-a-file.jsonl", "empty-dir", "many-problems.jsonl",
    ];
    let index = CASES.iter().position(|c| *c == name).unwrap_or_else(|| panic!("no generator for @{name}"));
    let mut good = Good::new();
    good.next = index * 4;
    let path = dir.join(name);
    let write = |path: &Path, text: &str| std::fs::write(path, text).unwrap();
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    match name {
        // One line of 50 MB between good records: skipped without being held in memory.
        "huge-line.jsonl" => {
            let huge = serde_json::json!({"id": "2502.29999", "title": "Huge", "abstract": long_text(ABSTRACT_SENTENCE, 50_000_000)});
            write(&path, &format!("{}\n{huge}\n{}\n", good.jsonl(), good.jsonl()));
        }
        // A listing page with a 50 MB abstract paragraph.
        "huge-paragraph.txt" => {
            let (title, _, _) = good.next();
            let page = format!("Mar 14\n\n{}{title}\n\n{}\n\n{}", good.listing(), long_text(ABSTRACT_SENTENCE, 50_000_000), good.listing());
            write(&path, &page);
        }
        "huge-title.jsonl" => {
            let huge = serde_json::json!({"id": "2502.29998", "title": long_text(TITLE_WORDS, 100_000), "abstract": ABSTRACT_SENTENCE});
            write(&path, &format!("{}\n{huge}\n", good.jsonl()));
        }
        "huge-title.json" => {
            let huge = serde_json::json!({"arxiv_id": "2502.29997", "title": long_text(TITLE_WORDS, 100_000), "abstract": ABSTRACT_SENTENCE});
            write(&path, &format!("[{},\n{huge}]\n", good.pwc()));
        }
        "huge-title.atom" => {
            let huge = atom_entry("2502.29996", &long_text(TITLE_WORDS, 100_000), ABSTRACT_SENTENCE, "");
            write(&path, &atom_feed(&[good.atom(""), huge]));
        }
        // A Papers-with-Code element of 6 MB: skipped unread, its neighbours kept.
        "huge-element.json" => {
            let huge = serde_json::json!({"arxiv_id": "2502.29995", "title": "Huge", "abstract": long_text(ABSTRACT_SENTENCE, 6_000_000)});
            write(&path, &format!("[{},\n{huge},\n{}]\n", good.pwc(), good.pwc()));
        }
        // 100,000 nested arrays: in a field nobody reads (fine), as a record, as a title.
        "deep-nesting.jsonl" => {
            let ignored = good.jsonl().replacen('{', &format!("{{\"extra\": {deep}, "), 1);
            let title = format!("{{\"id\": \"2502.29994\", \"title\": {deep}, \"abstract\": \"x\"}}");
            write(&path, &format!("{}\n{ignored}\n{deep}\n{title}\n", good.jsonl()));
        }
        "deep-nesting.json" => write(&path, &format!("[{},\n{deep},\n{}]\n", good.pwc(), good.pwc())),
        "deep-nesting.atom" => {
            let nested = format!("<comment>{}deep{}</comment>\n", "<x>".repeat(100_000), "</x>".repeat(100_000));
            write(&path, &atom_feed(&[good.atom(&nested), good.atom("")]));
        }
        // Symbolic links back to the directory itself and to a parent: each read once.
        "symlink-loop" => {
            std::fs::create_dir_all(path.join("sub")).unwrap();
            write(&path.join("papers.jsonl"), &format!("{}\n{}\n", good.jsonl(), good.jsonl()));
            write(&path.join("sub/page.txt"), &format!("Mar 15\n\n{}", good.listing()));
            std::os::unix::fs::symlink(".", path.join("again")).unwrap();
            std::os::unix::fs::symlink("..", path.join("sub/up")).unwrap();
        }
        "dangling-symlink" => {
            std::fs::create_dir(&path).unwrap();
            write(&path.join("papers.jsonl"), &format!("{}\n{}\n", good.jsonl(), good.jsonl()));
            std::os::unix::fs::symlink("moved-away.jsonl", path.join("missing.jsonl")).unwrap();
        }
        "chmod-000" => {
            use std::os::unix::fs::PermissionsExt;
            std::fs::create_dir(&path).unwrap();
            write(&path.join("papers.jsonl"), &format!("{}\n{}\n", good.jsonl(), good.jsonl()));
            let locked = path.join("locked.jsonl");
            write(&locked, &format!("{}\n", good.jsonl()));
            std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
            if std::fs::read(&locked).is_ok() {
                std::fs::remove_dir_all(&path).ok();
                return Some("a file of mode 000 is readable here (running as root); @dangling-symlink and @io-error cover unreadable files".into());
            }
        }
        // A file whose reading fails: /proc/self/mem cannot be read at offset 0.
        "io-error" => {
            if !Path::new("/proc/self/mem").exists() {
                return Some("no /proc/self/mem here".into());
            }
            std::fs::create_dir(&path).unwrap();
            write(&path.join("papers.jsonl"), &format!("{}\n{}\n", good.jsonl(), good.jsonl()));
            std::os::unix::fs::symlink("/proc/self/mem", path.join("memory.jsonl")).unwrap();
        }
        "dir-named-like-a-file.jsonl" => std::fs::create_dir(&path).unwrap(),
        "empty-dir" => std::fs::create_dir(&path).unwrap(),
        // More bad records than a build lists: the rest are counted.
        "many-problems.jsonl" => {
            let mut text = format!("{}\n", good.jsonl());
            for i in 0..1500 {
                text.push_str(&format!("{{\"id\": \"2502.{:05}\", \"title\": \"No abstract {i}\"}}\n", 30000 + i));
            }
            text.push_str(&format!("{}\n", good.jsonl()));
            write(&path, &text);
        }
        _ => unreachable!(),
    }
    None
}

const ABSTRACT_SENTENCE: &str = "We compress the KV cache of large language models by four times while keeping accuracy on long-context benchmarks.";
const TITLE_WORDS: &str = "Efficient Long-Context Attention with KV Cache Compression";
