//! `papergraph serve` started on loopback and used by independent clients: the SPARQL 1.1
//! Protocol through SPARQLWrapper and rdflib (tests/consumers/sparql_client.py), the JSON API
//! and exports against the CLI's answers, the store swapped under a running server, and the
//! explorer page in headless Chromium (tests/browser/explorer_test.py).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use super::cli::{papergraph, stderr, stdout};
use super::listings_dir;

/// A running `papergraph serve`, stopped when dropped.
pub struct Server {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub address: String,
}

impl Server {
    /// Starts a server on a free loopback port and waits until it accepts connections.
    pub fn start(store: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_papergraph"))
            .arg("--store")
            .arg(store)
            .args(["serve", "--bind", "127.0.0.1:0"])
            .args(extra)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let first = lines.next().expect("serve says where it listens").unwrap();
        let address = first
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("unexpected first line from serve: {first}"))
            .to_owned();
        // Keep reading what the server says, so that it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Server { child, address }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// (status, body) of a GET, over a plain socket.
    pub fn get(&self, path_and_query: &str) -> (u16, Vec<u8>) {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
        write!(stream, "GET {path_and_query} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", self.address).unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        let split = response.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete HTTP response");
        let head = String::from_utf8_lossy(&response[..split]).to_string();
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        let body = response[split + 4..].to_vec();
        let chunked = head.to_ascii_lowercase().contains("transfer-encoding: chunked");
        (status, if chunked { dechunk(&body) } else { body })
    }

    /// The JSON a GET answers with `status`.
    pub fn get_json(&self, path_and_query: &str, status: u16) -> Value {
        let (got, body) = self.get(path_and_query);
        assert_eq!(got, status, "GET {path_and_query}: {}", String::from_utf8_lossy(&body));
        serde_json::from_slice(&body).unwrap()
    }

    /// The single number a one-cell SELECT answers over the protocol.
    fn count(&self, sparql: &str) -> u64 {
        let answer = self.get_json(&format!("/sparql?query={}", encode(sparql)), 200);
        answer["results"]["bindings"][0]["n"]["value"].as_str().unwrap().parse().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = body.windows(2).position(|w| w == b"\r\n").unwrap();
        let size = usize::from_str_radix(std::str::from_utf8(&body[..line_end]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&body[line_end + 2..line_end + 2 + size]);
        body = &body[line_end + 2 + size + 2..];
    }
}

/// Percent-encodes a query-string value.
pub fn encode(value: &str) -> String {
    value.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

fn bundled_store(dir: &Path) -> PathBuf {
    let store = dir.join("store");
    let built = papergraph(&store, &["build", listings_dir().to_str().unwrap()]);
    assert!(built.status.success(), "{}", stderr(&built));
    store
}

fn cli_json(store: &Path, args: &[&str]) -> Value {
    let out = papergraph(store, args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

fn plain_rows(answer: &Value) -> Vec<Vec<String>> {
    let names: Vec<&str> = answer["head"]["vars"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    answer["results"]["bindings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| names.iter().map(|n| b[n]["value"].as_str().unwrap_or("").to_owned()).collect())
        .collect()
}

#[test]
fn sparql_protocol_clients_get_every_format_and_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let store = bundled_store(dir.path());
    let server = Server::start(&store, &["--timeout", "1"]);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("python3").arg(root.join("tests/consumers/sparql_client.py")).arg(server.url()).output().unwrap();
    assert!(out.status.success(), "sparql_client.py failed (.ci/run installs its requirements): {}", stderr(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();

    // The same rows as the CLI, in every results format and by every method.
    let expected = plain_rows(&cli_json(
        &store,
        &["query", "--format", "json", "-e", "SELECT ?concept ?label WHERE { ?concept a skos:Concept ; skos:prefLabel ?label } ORDER BY ?concept"],
    ));
    assert!(expected.len() > 200, "{} concepts", expected.len());
    for format in ["json", "xml", "csv", "tsv", "json_post_form", "json_post_direct"] {
        let rows: Vec<Vec<String>> = serde_json::from_value(report["select"][format].clone()).unwrap();
        assert_eq!(rows, expected, "SELECT as {format}");
    }
    assert_eq!(report["rdflib_store_rows"], expected.len());
    assert_eq!(report["ask"], serde_json::json!({ "json": true, "xml": true }));

    // CONSTRUCT: as many triples as the store has skos:broader links, in every RDF format.
    let broader = plain_rows(&cli_json(&store, &["query", "--format", "json", "-e", "SELECT (COUNT(*) AS ?n) WHERE { ?c skos:broader ?b }"]))[0][0]
        .parse::<u64>()
        .unwrap();
    assert!(broader > 100);
    for format in ["turtle", "rdfxml", "jsonld", "ntriples"] {
        assert_eq!(report["construct"][format], broader, "CONSTRUCT as {format}");
    }
    assert_eq!(report["construct"]["ntriples_content_type"], "application/n-triples");

    // Refusals and errors are answered, with their reasons.
    for update in ["update", "update_direct"] {
        assert_eq!(report[update]["status"], 403, "{}", report[update]);
        assert!(report[update]["message"].as_str().unwrap().contains("read-only"));
    }
    assert_eq!(report["syntax"]["status"], 400);
    let syntax = report["syntax"]["message"].as_str().unwrap();
    assert!(syntax.contains("1:"), "the syntax error gives its position: {syntax}");
    assert_eq!(report["not_acceptable"]["status"], 406);
    assert_eq!(report["timeout"]["status"], 503, "{}", report["timeout"]);
    assert!(report["timeout"]["message"].as_str().unwrap().contains("time limit"));
    assert!(report["timeout"]["seconds"].as_f64().unwrap() < 20.0, "{}", report["timeout"]);
    assert_eq!(report["after_timeout"], true, "the server answers after a timeout");

    let description = &report["service_description"];
    assert_eq!(description["status"], 200);
    assert_eq!(description["endpoints"], serde_json::json!([format!("{}/sparql", server.url())]));
    assert!(description["result_formats"].as_u64().unwrap() >= 8);
    assert_eq!(report["concurrent"], serde_json::json!({ "requests": 64, "ok": 64 }));

    // A result cap answers with an error, not a truncated result.
    let capped = Server::start(&store, &["--max-results", "10"]);
    let (status, body) = capped.get(&format!("/sparql?query={}", encode("SELECT ?s WHERE { ?s a skos:Concept }")));
    assert_eq!(status, 413);
    assert!(String::from_utf8_lossy(&body).contains("more than 10 results"));
}

#[test]
fn json_api_and_exports_answer_as_the_cli_does() {
    let dir = tempfile::tempdir().unwrap();
    let store = bundled_store(dir.path());
    let server = Server::start(&store, &[]);

    assert_eq!(server.get_json("/api/concept?name=kv%20cache", 200), cli_json(&store, &["concept", "kv cache", "--format", "json"]));
    assert_eq!(server.get_json("/api/paper?q=SCBench", 200), cli_json(&store, &["paper", "SCBench", "--format", "json"]));
    let paper = server.get_json("/api/paper?q=SCBench", 200);
    let abstract_text = paper["abstract"].as_str().unwrap();
    for evidence in paper["evidence"].as_array().unwrap().iter().filter(|e| e["field"] == "abstract") {
        let (start, end) = (evidence["start"].as_u64().unwrap() as usize, evidence["end"].as_u64().unwrap() as usize);
        let span: String = abstract_text.chars().skip(start).take(end - start).collect();
        assert_eq!(span, evidence["text"].as_str().unwrap(), "evidence spans index the abstract's characters");
    }
    let repo = cli_json(&store, &["query", "--format", "json", "-e", "SELECT ?u WHERE { ?r a schema:SoftwareSourceCode ; schema:codeRepository ?u } ORDER BY ?u LIMIT 1"]);
    let url = plain_rows(&repo)[0][0].clone();
    assert_eq!(server.get_json(&format!("/api/repo?name={}", encode(&url)), 200), cli_json(&store, &["repo", &url, "--format", "json"]));

    // A repository on another host than GitHub, by the `owner/name` concept reports name it with.
    assert_eq!(server.get_json("/api/repo?name=mindspore/models", 200)["host"], "gitee.com");

    // Not found, ambiguous and missing parameters are JSON errors with their reasons.
    assert!(server.get_json("/api/concept?name=zzzz%20nothing", 404)["error"].as_str().unwrap().contains("no concept"));
    let ambiguous = server.get_json("/api/paper?q=language", 409);
    assert!(ambiguous["candidates"].as_array().unwrap().len() > 1);
    assert!(server.get_json("/api/concept", 400)["error"].as_str().unwrap().contains("name"));

    // Autocomplete: typed text to concepts, prefix matches first.
    let suggestions = server.get_json("/api/concepts?q=kv%20ca&limit=5", 200);
    assert_eq!(suggestions[0]["label"], "KV cache", "{suggestions}");
    assert!(suggestions.as_array().unwrap().len() <= 5);
    assert_eq!(suggestions[0]["paper_count"], cli_json(&store, &["concept", "kv cache", "--format", "json"])["paper_count"]);

    // Canned queries: listed, and run with parameters bound as on the CLI.
    let queries = server.get_json("/api/queries", 200);
    assert_eq!(queries.as_array().unwrap().len(), 16);
    let by_concept = server.get_json("/api/queries/papers-by-concept?concept=mamba", 200);
    assert_eq!(by_concept, cli_json(&store, &["query", "papers-by-concept", "--param", "concept=mamba", "--format", "json"]));
    assert!(!plain_rows(&by_concept).is_empty());
    let (status, body) = server.get("/api/queries/papers-by-concept?nope=1");
    assert_eq!(status, 400, "{}", String::from_utf8_lossy(&body));

    // Exports: byte for byte what `papergraph export` writes.
    for (format, extra) in [("graphml", ""), ("gexf", ""), ("cytoscape", ""), ("dot", "&view=cooccurrence&min_weight=2")] {
        let (status, body) = server.get(&format!("/export?format={format}&concept=kv%20cache&depth=2{extra}"));
        assert_eq!(status, 200, "{format}: {}", String::from_utf8_lossy(&body));
        let mut args = vec!["export", "--format", format, "--concept", "kv cache", "--depth", "2"];
        if !extra.is_empty() {
            args.extend(["--view", "cooccurrence", "--min-weight", "2"]);
        }
        let cli = papergraph(&store, &args);
        assert!(cli.status.success(), "{}", stderr(&cli));
        assert_eq!(body, cli.stdout, "{format} export over HTTP differs from the CLI's");
    }
    let (status, body) = server.get("/export?format=nquads");
    assert_eq!(status, 200);
    assert_eq!(body, papergraph(&store, &["export", "--format", "nquads"]).stdout, "the N-Quads dump streams the whole store");
    let (status, body) = server.get("/export?format=graphml&kinds=paper,banana");
    assert_eq!(status, 400);
    assert!(String::from_utf8_lossy(&body).contains("banana"));
}

#[test]
fn the_server_follows_the_store_through_an_append_and_a_fresh_build() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let mut listings: Vec<PathBuf> = std::fs::read_dir(listings_dir()).unwrap().map(|e| e.unwrap().path()).collect();
    listings.sort();
    let [first, second] = listings.as_slice() else { panic!("two bundled listings expected") };
    let built = papergraph(&store, &["build", first.to_str().unwrap()]);
    assert!(built.status.success(), "{}", stderr(&built));
    let server = Server::start(&store, &[]);
    const PAPERS: &str = "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a schema:ScholarlyArticle }";
    let before = server.count(PAPERS);

    let appended = papergraph(&store, &["build", "--append", second.to_str().unwrap()]);
    assert!(appended.status.success(), "{}", stderr(&appended));
    let after_append = server.count(PAPERS);
    assert!(after_append > before, "the server sees the appended papers ({before} → {after_append})");
    assert_eq!(after_append, plain_rows(&cli_json(&store, &["query", "--format", "json", "-e", PAPERS]))[0][0].parse::<u64>().unwrap());

    let rebuilt = papergraph(&store, &["build", first.to_str().unwrap()]);
    assert!(rebuilt.status.success(), "{}", stderr(&rebuilt));
    assert_eq!(server.count(PAPERS), before, "the server serves the rebuilt store");
}

#[test]
fn the_explorer_works_in_headless_chromium() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let store = bundled_store(dir.path());
    let server = Server::start(&store, &[]);
    let screenshots = root.join("target/explorer-screenshots");
    std::fs::create_dir_all(&screenshots).unwrap();
    let out = Command::new("python3")
        .arg(root.join("tests/browser/explorer_test.py"))
        .args(["--url", &server.url(), "--screenshots", screenshots.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "explorer_test.py failed (.ci/run installs chromium, chromium-driver and selenium):\n{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    for view in ["concept", "paper", "graph", "sparql"] {
        let shot = screenshots.join(format!("{view}.png"));
        assert!(std::fs::metadata(&shot).map(|m| m.len() > 10_000).unwrap_or(false), "no screenshot {}", shot.display());
    }
}
