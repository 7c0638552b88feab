//! Scaling out: shards extracted separately (`papergraph extract`), loaded and finalized
//! (`papergraph load`, `papergraph finalize`), give the graph one `papergraph build` gives.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::cli::{papergraph, stderr, stdout};
use crate::listings_dir;

/// A deterministic arXiv-shaped corpus of `records` JSON lines (benches/corpus.py).
pub(crate) fn corpus(dir: &Path, records: usize) -> PathBuf {
    let out = dir.join("corpus.jsonl");
    let made = Command::new("python3")
        .args(["benches/corpus.py", "--records", &records.to_string(), "--seed", "7", "--out"])
        .arg(&out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    out
}

fn sorted_dump(store: &Path) -> Vec<String> {
    let dump = papergraph(store, &["export", "--format", "nquads"]);
    assert!(dump.status.success(), "{}", stderr(&dump));
    let mut lines: Vec<String> = stdout(&dump).lines().map(str::to_owned).collect();
    lines.sort_unstable();
    lines
}

/// Every canned query's answer (TSV), by name; parameters bound where a query needs them.
fn canned_answers(store: &Path) -> Vec<(String, String)> {
    let listed = papergraph(store, &["queries"]);
    let names: Vec<String> = stdout(&listed).lines().filter(|l| !l.starts_with(' ')).filter_map(|l| l.split_whitespace().next()).map(str::to_owned).collect();
    assert!(names.len() >= 15, "{names:?}");
    names
        .into_iter()
        .map(|name| {
            let mut args = vec!["query", name.as_str(), "--format", "tsv"];
            if name == "papers-on-two-concepts" {
                args.extend(["-p", "a=kv-cache", "-p", "b=large language model"]);
            }
            let answer = papergraph(store, &args);
            assert!(answer.status.success(), "{name}: {}", stderr(&answer));
            (name, stdout(&answer))
        })
        .collect()
}

#[test]
fn shards_extracted_apart_union_into_the_graph_of_one_build() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = corpus(dir.path(), 800);
    let text = std::fs::read_to_string(&corpus).unwrap();
    let lines: Vec<&str> = text.split_inclusive('\n').collect();

    // Four parts of the JSON lines, extracted apart: three from files, one from standard input.
    let mut shards = Vec::new();
    for (i, part) in lines.chunks(lines.len().div_ceil(4)).enumerate() {
        let first_line = (i * lines.len().div_ceil(4) + 1).to_string();
        let shard = dir.path().join(format!("shard-{i}.nq"));
        let mut extract = Command::new(env!("CARGO_BIN_EXE_papergraph"));
        extract.args(["extract", "--part-of", "corpus.jsonl", "--first-line", &first_line, "-o"]).arg(&shard);
        if i == 1 {
            let mut child = extract.arg("-").stdin(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
            child.stdin.take().unwrap().write_all(part.concat().as_bytes()).unwrap();
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        } else {
            let file = dir.path().join(format!("part-{i}.jsonl"));
            std::fs::write(&file, part.concat()).unwrap();
            let out = extract.arg(&file).output().unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        }
        shards.push(shard);
    }
    // The listing pages as a fifth shard, gzipped; their papers have no arXiv id.
    let pages = dir.path().join("pages.nq.gz");
    let out = papergraph(dir.path(), &["extract", listings_dir().to_str().unwrap(), "-o", pages.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).starts_with("extracted "), "{}", stderr(&out));
    shards.push(pages);

    let loaded_store = dir.path().join("loaded");
    let mut load = vec!["load".to_owned()];
    load.extend(shards.iter().rev().map(|s| s.display().to_string()));
    let load: Vec<&str> = load.iter().map(String::as_str).collect();
    let loaded = papergraph(&loaded_store, &load);
    assert!(loaded.status.success(), "{}", stderr(&loaded));
    assert!(stdout(&loaded).contains("loaded "), "{}", stdout(&loaded));

    let built_store = dir.path().join("built");
    let built = papergraph(&built_store, &["build", corpus.to_str().unwrap(), listings_dir().to_str().unwrap()]);
    assert!(built.status.success(), "{}", stderr(&built));

    let (from_shards, from_build) = (sorted_dump(&loaded_store), sorted_dump(&built_store));
    assert!(from_build.len() > 20_000, "{}", from_build.len());
    assert_eq!(from_shards.len(), from_build.len());
    assert!(from_shards == from_build, "the shards' graph differs from the build's");
    // The title-word index: the build's comes from what it read, finalize's from the store.
    let title_index = |store: &Path| std::fs::read(store.join("papergraph-titles.bin")).unwrap();
    assert!(title_index(&loaded_store) == title_index(&built_store), "the title indexes differ");
    assert_eq!(canned_answers(&loaded_store), canned_answers(&built_store));
    let concept = |store: &Path| stdout(&papergraph(store, &["concept", "KV cache", "--format", "json"]));
    assert_eq!(concept(&loaded_store), concept(&built_store));

    // Finalizing again changes nothing.
    let again = papergraph(&loaded_store, &["finalize"]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(sorted_dump(&loaded_store) == from_build);
}

#[test]
fn load_skips_bad_lines_with_their_position_and_keeps_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.nq");
    let out = papergraph(dir.path(), &["extract", listings_dir().to_str().unwrap(), "-o", good.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&good).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(3, "<https://example.org/a> <https://example.org/b> \"unterminated .");
    let bad = dir.path().join("bad.nq");
    std::fs::write(&bad, lines.join("\n") + "\n").unwrap();

    let store = dir.path().join("store");
    let loaded = papergraph(&store, &["load", bad.to_str().unwrap()]);
    assert_eq!(loaded.status.code(), Some(2), "{}", stderr(&loaded));
    assert!(stderr(&loaded).contains(&format!("{}:4:", bad.display())), "{}", stderr(&loaded));
    let count = papergraph(&store, &["query", "count-papers", "--format", "csv"]);
    assert_eq!(stdout(&count), "papers\r\n136\r\n");

    // Under --strict the bad line stops the load and the store is left as it was.
    let strict = papergraph(&store, &["load", "--strict", good.to_str().unwrap(), bad.to_str().unwrap()]);
    assert_eq!(strict.status.code(), Some(1));
    assert!(stderr(&strict).contains("bad.nq:4:"), "{}", stderr(&strict));
    assert_eq!(stdout(&papergraph(&store, &["query", "count-papers", "--format", "csv"])), "papers\r\n136\r\n");

    let missing = papergraph(&dir.path().join("none"), &["finalize"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("none"), "{}", stderr(&missing));
}

#[test]
fn a_part_is_read_as_json_lines_and_named_after_the_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = corpus(dir.path(), 30);
    let lines: Vec<String> = std::fs::read_to_string(&corpus).unwrap().lines().map(str::to_owned).collect();
    let extract = |input: String, first_line: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_papergraph"))
            .args(["extract", "--part-of", "snapshot.json", "--first-line", first_line])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    // A part whose first line is broken is still JSON lines: the rest is extracted, the bad
    // line is reported with its number in the whole file.
    let part = format!("not json at all\n{}\n", lines[20..].join("\n"));
    let out = extract(part, "20");
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let warnings = String::from_utf8_lossy(&out.stderr);
    assert!(warnings.contains("snapshot.json:20:"), "{warnings}");
    let quads = String::from_utf8_lossy(&out.stdout);
    // Occurrences are `[confidence, line, field, ...]` in the N-Quads-escaped JSON literal.
    assert!(quads.contains(",21,\\\"title\\\""), "occurrences carry the whole file's line numbers");
    // A part of blank lines holds nothing, which is no failure.
    let out = extract("\n\n\n".into(), "5");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

/// The PySpark job (contrib/spark/) in `local[2]` on a 10,000-record corpus: its shards hold
/// the quads of one `papergraph extract`, and loaded they give `papergraph build`'s store
/// (tests/spark/check_spark_extract.py; needs pyspark and Java, which `./x test` installs).
#[test]
fn the_spark_job_shards_union_into_the_graph_of_one_build() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new("python3")
        .args(["tests/spark/check_spark_extract.py", "--papergraph", env!("CARGO_BIN_EXE_papergraph"), "--records", "10000", "--workdir"])
        .arg(dir.path())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{report}\n{}", String::from_utf8_lossy(&out.stderr));
    let summary: serde_json::Value = serde_json::from_str(report.lines().last().unwrap()).unwrap();
    assert_eq!(summary["ok"], true);
    assert!(summary["partitions"].as_u64().unwrap() >= 4, "{summary}");
    assert_eq!(summary["shard_distinct_quads"], summary["single_extract_distinct_quads"], "{summary}");
    assert!(summary["store_quads"].as_u64().unwrap() > 300_000, "{summary}");
}
