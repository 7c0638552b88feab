//! SPARQL servers as the store (`--endpoint`): `papergraph serve`, and Virtuoso Open Source
//! (Debian's `virtuoso-opensource`, started on loopback with a throw-away database by
//! tests/servers/virtuoso.py) filled with `papergraph push` and finished with `papergraph
//! finalize`. Every lookup and canned query must answer as it does on the embedded store.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Output, Stdio};

use serde_json::Value;

use super::cli::{papergraph, stderr, stdout};
use super::listings_dir;
use super::serve::Server;

/// Lookups and queries compared between the embedded store and a server.
const LOOKUPS: &[&[&str]] = &[
    &["concept", "KV cache", "--format", "json"],
    &["concept", "mamba", "--format", "json"],
    &["concept", "SAM"],
    &["concept", "segment anything", "--format", "json"],
    &["paper", "SCBench", "--format", "json"],
    &["paper", "Vision Mamba", "--format", "json"],
    &["repo", "hustvl/Vim", "--format", "json"],
    &["repo", "https://github.com/ChaoningZhang/MobileSAM", "--format", "json"],
    &["analyze", "--format", "json"],
    &["export", "--format", "graphml", "--concept", "mamba", "--depth", "2"],
    &["path", "mamba", "KV cache"],
];

/// `papergraph ARGS` against the server, with credentials in the environment.
fn remote(server: &[String], credentials: Option<(&str, &str)>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_papergraph"));
    command.args(server).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).env_remove("PAPERGRAPH_ENDPOINT");
    if let Some((user, password)) = credentials {
        command.env("PAPERGRAPH_ENDPOINT_USER", user).env("PAPERGRAPH_ENDPOINT_PASSWORD", password);
    }
    command.output().unwrap()
}

/// Every canned query's arguments (parameters bound where one is needed).
fn canned_queries(store: &Path) -> Vec<Vec<String>> {
    let listed = stdout(&papergraph(store, &["queries"]));
    let mut queries: Vec<Vec<String>> = listed
        .lines()
        .filter(|l| !l.starts_with(' '))
        .filter_map(|l| l.split_whitespace().next())
        .map(|name| ["query", name, "--format", "tsv"].map(str::to_owned).to_vec())
        .collect();
    for query in &mut queries {
        if query[1] == "papers-on-two-concepts" {
            query.extend(["-p", "a=kv-cache", "-p", "b=large language model"].map(str::to_owned));
        }
    }
    queries.push(["query", "papers-by-concept", "-p", "concept=mamba", "--format", "tsv"].map(str::to_owned).to_vec());
    queries.push(["query", "evidence", "-p", "extractor=link-finder", "--format", "tsv"].map(str::to_owned).to_vec());
    queries
}

/// Rows of a TSV answer in a canonical order: servers may order ties differently, the order of
/// GROUP_CONCAT's values is left to them by SPARQL (`"b, a"` is read as `"a, b"`), and so is
/// the lexical form of a double (`"1"` and `"1.0"` are the same value).
fn canonical(answer: &str) -> Vec<String> {
    const DOUBLE: &str = "\"^^<http://www.w3.org/2001/XMLSchema#double>";
    let concat = |cell: &str| match (cell.strip_prefix('"'), cell.rfind('"')) {
        (Some(_), Some(end)) if cell.ends_with(DOUBLE) && cell[1..end].parse::<f64>().is_ok() => {
            format!("\"{}{DOUBLE}", cell[1..end].parse::<f64>().unwrap())
        }
        (Some(_), Some(end)) if cell[1..end].contains(", ") => {
            let mut parts: Vec<&str> = cell[1..end].split(", ").collect();
            parts.sort_unstable();
            format!("\"{}\"{}", parts.join(", "), &cell[end + 1..])
        }
        _ => cell.to_owned(),
    };
    let mut lines: Vec<String> = answer.lines().map(|line| line.split('\t').map(concat).collect::<Vec<_>>().join("\t")).collect();
    if lines.len() > 1 {
        lines[1..].sort_unstable();
    }
    lines
}

/// Asserts that every lookup and canned query answers on the server as on `store`.
fn assert_same_answers(store: &Path, server: &[String], credentials: Option<(&str, &str)>) {
    for args in LOOKUPS {
        let local = papergraph(store, args);
        assert!(local.status.success(), "{args:?}: {}", stderr(&local));
        let there = remote(server, credentials, args);
        assert!(there.status.success(), "{args:?} via {server:?}: {}", stderr(&there));
        assert!(stdout(&local) == stdout(&there), "{args:?} differs via {server:?}:\n--- local\n{}\n--- server\n{}", stdout(&local), stdout(&there));
    }
    for query in canned_queries(store) {
        let args: Vec<&str> = query.iter().map(String::as_str).collect();
        let local = papergraph(store, &args);
        assert!(local.status.success(), "{args:?}: {}", stderr(&local));
        let there = remote(server, credentials, &args);
        assert!(there.status.success(), "{args:?} via {server:?}: {}", stderr(&there));
        assert_eq!(canonical(&stdout(&local)), canonical(&stdout(&there)), "{args:?} via {server:?}");
    }
}

fn bundled_store(dir: &Path) -> PathBuf {
    let store = dir.join("store");
    let built = papergraph(&store, &["build", listings_dir().to_str().unwrap()]);
    assert!(built.status.success(), "{}", stderr(&built));
    store
}

#[test]
fn lookups_through_papergraph_serve_answer_as_the_store_does() {
    let dir = tempfile::tempdir().unwrap();
    let store = bundled_store(dir.path());
    let server = Server::start(&store, &[]);
    let endpoint = vec!["--endpoint".to_owned(), format!("{}/sparql", server.url())];
    assert_same_answers(&store, &endpoint, None);

    // The server is read-only: push and finalize are refused with the server's reason.
    let finalize = remote(&endpoint, None, &["finalize", "--graph-store", &format!("{}/sparql", server.url())]);
    assert_eq!(finalize.status.code(), Some(1));
    assert!(stderr(&finalize).contains(&server.url()), "{}", stderr(&finalize));
    let build = remote(&endpoint, None, &["build"]);
    assert_eq!(build.status.code(), Some(1));
    assert!(stderr(&build).contains("papergraph push"), "{}", stderr(&build));
}

/// A test server run by a Python script (tests/servers/) that prints one line once it serves
/// and stops when its standard input closes, which dropping this does.
struct Harness {
    child: Child,
    stdin: Option<ChildStdin>,
    /// The line it printed.
    line: String,
}

impl Harness {
    fn start(script: &str, args: &[&OsStr]) -> Harness {
        let mut child = Command::new("python3")
            .arg(script)
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        Harness { stdin: child.stdin.take(), child, line: line.trim().to_owned() }
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        drop(self.stdin.take());
        self.child.wait().ok();
    }
}

/// A throw-away Virtuoso (tests/servers/virtuoso.py).
struct Virtuoso {
    _server: Harness,
    info: Value,
}

impl Virtuoso {
    fn start(dir: &Path) -> Virtuoso {
        let server = Harness::start("tests/servers/virtuoso.py", &["serve".as_ref(), "--dir".as_ref(), dir.as_os_str()]);
        let info: Value = serde_json::from_str(&server.line).unwrap_or_else(|e| panic!("virtuoso.py did not start Virtuoso ({e}): {:?}", server.line));
        Virtuoso { _server: server, info }
    }

    fn field(&self, name: &str) -> String {
        self.info[name].as_str().unwrap().to_owned()
    }

    /// The server arguments, with the facts in `graph`.
    fn server_args(&self, graph: &str) -> Vec<String> {
        ["--endpoint", &self.field("sparql"), "--update-endpoint", &self.field("update"), "--graph-store", &self.field("gsp"), "--graph", graph]
            .map(str::to_owned)
            .to_vec()
    }
}

#[test]
fn a_virtuoso_server_filled_by_push_answers_as_the_store_does() {
    let dir = tempfile::tempdir().unwrap();
    let store = bundled_store(dir.path());
    let virtuoso = Virtuoso::start(&dir.path().join("virtuoso"));
    let (user, password) = (virtuoso.field("user"), virtuoso.field("password"));
    let credentials = Some((user.as_str(), password.as_str()));

    // The finished store, pushed whole (statistics included) in small chunks.
    let pushed = virtuoso.server_args("https://example.org/papergraph/built");
    let mut push = pushed.clone();
    push.extend(["--store", store.to_str().unwrap(), "push", "--chunk", "2000", "-q"].map(str::to_owned));
    let push: Vec<&str> = push.iter().map(String::as_str).collect();
    let out = remote(&[], credentials, &push);
    assert!(out.status.success(), "{}", stderr(&out));
    let total = stdout(&papergraph(&store, &["query", "-e", "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }", "--format", "csv"]));
    let total: usize = total.lines().nth(1).unwrap().trim().parse().unwrap();
    assert!(stdout(&out).contains(&format!("pushed {total} quads")), "{}", stdout(&out));
    // Pushing again resumes past the chunks already there: nothing is sent.
    let again = remote(&[], credentials, &push);
    assert!(stdout(&again).contains(" 0 chunk(s) sent"), "{}", stdout(&again));
    // Without credentials the server refuses, and the message says so.
    let refused = remote(&[], None, &[&push[..push.len() - 4], &["push", "--state", dir.path().join("s.json").to_str().unwrap(), "-q"]].concat());
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("401"), "{}", stderr(&refused));

    assert_same_answers(&store, &pushed, None);

    // Extracted shards, pushed unfinished into another graph and finished on the server.
    let shards = dir.path().join("listings.nq.gz");
    let extract = papergraph(dir.path(), &["extract", listings_dir().to_str().unwrap(), "-o", shards.to_str().unwrap()]);
    assert!(extract.status.success(), "{}", stderr(&extract));
    let raw = virtuoso.server_args("https://example.org/papergraph/shards");
    let mut push = raw.clone();
    push.extend(["push", shards.to_str().unwrap(), "-q"].map(str::to_owned));
    let out = remote(&[], credentials, &push.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(out.status.success(), "{}", stderr(&out));
    let mut finalize = raw.clone();
    finalize.push("finalize".to_owned());
    let out = remote(&[], credentials, &finalize.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("136 distinct papers"), "{}", stdout(&out));
    assert_same_answers(&store, &raw, None);
}

/// A Graph Store Protocol endpoint that fails on purpose (tests/servers/flaky_gsp.py).
struct FlakyStore {
    _server: Harness,
    url: String,
}

impl FlakyStore {
    fn start(args: &[&str]) -> FlakyStore {
        let args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
        let server = Harness::start("tests/servers/flaky_gsp.py", &args);
        FlakyStore { url: server.line.clone(), _server: server }
    }

    fn stats(&self) -> Value {
        let stats = self.url.replace("/store", "/stats");
        let out = Command::new("python3").args(["-c", "import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())", &stats]).output().unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

#[test]
fn push_retries_transient_errors_and_resumes_after_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let quads = dir.path().join("listings.nq");
    let out = papergraph(dir.path(), &["extract", listings_dir().to_str().unwrap(), "-o", quads.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let distinct: std::collections::BTreeSet<String> = std::fs::read_to_string(&quads).unwrap().lines().map(str::to_owned).collect();
    let push = |store: &FlakyStore| {
        let args = ["--endpoint", &store.url, "--graph-store", &store.url, "--graph", "https://example.org/g", "push", quads.to_str().unwrap(), "--chunk", "1000", "-q"];
        remote(&[], None, &args)
    };

    // Every third request is answered 503: each is sent again, and everything arrives.
    let busy = FlakyStore::start(&["--busy-every", "3"]);
    let out = push(&busy);
    assert!(out.status.success(), "{}", stderr(&out));
    let stats = busy.stats();
    assert!(stats["busy"].as_u64().unwrap() >= 3, "{stats}");
    assert!(stdout(&out).contains(&format!("{} retried", stats["busy"])), "{}", stdout(&out));
    assert_eq!(stats["triples"]["https://example.org/g"].as_u64().unwrap() as usize, distinct.len(), "{stats}");

    // A server that refuses after 5 chunks stops the push, which says how far it got; run
    // again against a healthy server at the same address, it sends only the rest.
    let state = dir.path().join("state.json");
    let refusing = FlakyStore::start(&["--refuse-after", "5"]);
    let args = |url: &str| -> Vec<String> {
        ["--endpoint", url, "--graph-store", url, "--graph", "https://example.org/g", "push", quads.to_str().unwrap(), "--chunk", "1000", "--state", state.to_str().unwrap(), "-q"]
            .map(str::to_owned)
            .to_vec()
    };
    let run = |url: &str| remote(&[], None, &args(url).iter().map(String::as_str).collect::<Vec<_>>());
    let failed = run(&refusing.url);
    assert_eq!(failed.status.code(), Some(1));
    assert!(stderr(&failed).contains("400") && stderr(&failed).contains("5 chunk(s) are on the server"), "{}", stderr(&failed));
    let saved: Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    assert_eq!(saved["chunks_done"], 5, "{saved}");
    // The same address, now healthy: the state's identity names the Graph Store URL.
    let saved_text = std::fs::read_to_string(&state).unwrap();
    let healthy = FlakyStore::start(&[]);
    std::fs::write(&state, saved_text.replace(&refusing.url, &healthy.url)).unwrap();
    let resumed = run(&healthy.url);
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    assert!(stdout(&resumed).contains("5 already there from an earlier push"), "{}", stdout(&resumed));
    let total_chunks = busy.stats()["stored"].as_u64().unwrap();
    assert_eq!(healthy.stats()["stored"].as_u64().unwrap(), total_chunks - 5);
}

/// A server that answers 401 before reading a big body and closes the connection (Virtuoso
/// does): the push reads the challenge with an empty request and sends the body again with the
/// credentials.
#[test]
fn push_authenticates_when_the_server_refuses_before_reading_the_body() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = super::scale_out::corpus(dir.path(), 3000);
    let quads = dir.path().join("corpus.nq");
    let out = papergraph(dir.path(), &["extract", corpus.to_str().unwrap(), "-o", quads.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let size = std::fs::metadata(&quads).unwrap().len();
    assert!(size > 16 << 20, "the body ({size} bytes) must outgrow the socket buffers");
    let distinct: std::collections::BTreeSet<String> = std::fs::read_to_string(&quads).unwrap().lines().map(str::to_owned).collect();
    let store = FlakyStore::start(&["--require-basic", "papergraph:secret"]);
    let args = ["--endpoint", &store.url, "--graph-store", &store.url, "--graph", "https://example.org/g", "push", quads.to_str().unwrap(), "--chunk", "1000000", "-q"];
    let out = remote(&[], Some(("papergraph", "secret")), &args);
    assert!(out.status.success(), "{}", stderr(&out));
    let stats = store.stats();
    // Refused twice: the request with the body, then the empty one, whose challenge is answered.
    assert_eq!(stats["challenged"], 2, "{stats}");
    assert_eq!(stats["triples"]["https://example.org/g"].as_u64().unwrap() as usize, distinct.len(), "{stats}");
}

