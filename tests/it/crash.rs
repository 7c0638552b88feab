//! Crash safety: builds killed with SIGKILL at moments spread over their run, and at the two
//! points of the swap (through `PAPERGRAPH_FAILPOINT`), leave the complete old store or the
//! complete new one; one writer at a time; a closed pipe ends an export quietly.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::cli::{papergraph, stderr, stdout};
use super::listings_dir;

const PAPERS: &str = "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a schema:ScholarlyArticle }";

fn listings() -> (PathBuf, PathBuf) {
    let mut files: Vec<PathBuf> = std::fs::read_dir(listings_dir()).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    (files[0].clone(), files[1].clone())
}

/// Papers in the store; fails the test when the store cannot be queried.
fn papers(store: &Path) -> u64 {
    let out = papergraph(store, &["query", "--format", "tsv", "-e", PAPERS]);
    assert!(out.status.success(), "the store must answer after a crash: {}", stderr(&out));
    stdout(&out).lines().nth(1).unwrap().trim().parse().unwrap()
}

/// Papers the concept lookup counts for the KV cache.
fn concept_papers(store: &Path) -> serde_json::Value {
    let out = papergraph(store, &["concept", "kv cache", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str::<serde_json::Value>(&stdout(&out)).unwrap()["paper_count"].clone()
}

fn build(store: &Path, args: &[&str]) {
    let out = papergraph(store, &[&["build", "--quiet"], args].concat());
    assert!(out.status.success(), "{}", stderr(&out));
}

/// Starts `papergraph build` and kills it (SIGKILL) after `after`; whether it had finished.
fn build_killed(store: &Path, args: &[&str], after: Duration) -> bool {
    let mut child = Command::new(env!("CARGO_BIN_EXE_papergraph"))
        .arg("--store")
        .arg(store)
        .args(["build", "--quiet"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(after);
    let finished = child.try_wait().unwrap().is_some();
    child.kill().unwrap_or(()); // SIGKILL on Unix
    child.wait().unwrap();
    finished
}

fn timed_build(store: &Path, args: &[&str]) -> Duration {
    let started = Instant::now();
    build(store, args);
    started.elapsed()
}

#[test]
fn builds_killed_at_any_moment_leave_the_old_store_or_the_new_one() {
    let (first, second) = listings();
    let (first, second) = (first.to_str().unwrap(), second.to_str().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");

    // The two states a crash may leave: the old store (first listing) or the new (both).
    let both = dir.path().join("both");
    // The fastest of three runs: kill times are fractions of it, and a run slowed by other work
    // on the machine would put most kills after the end (the builds killed are counted below).
    let full = (0..3).map(|_| timed_build(&both, &[first, second])).min().unwrap();
    let (new_count, old_count) = (papers(&both), {
        build(&store, &[first]);
        papers(&store)
    });
    assert!(new_count > old_count);

    let mut kills = 0;
    let mut outcomes = [0usize; 2];
    // Fresh builds replacing the old store, killed from the start to past their end.
    for i in 0..36u32 {
        let finished = build_killed(&store, &[first, second], full.mul_f64(f64::from(i) / 30.0));
        kills += usize::from(!finished);
        let count = papers(&store);
        assert!(count == old_count || count == new_count, "kill {i}: {count} papers, neither {old_count} nor {new_count}");
        assert!(!dir.path().join("store.old").exists(), "kill {i}: a store was left aside");
        outcomes[usize::from(count == new_count)] += 1;
        if count == new_count {
            build(&store, &[first]);
        }
    }
    // The next build cleans what a killed one left.
    build(&store, &[first]);
    assert!(!dir.path().join("store.building").exists());

    // Appends of the second listing, killed likewise.
    let old_kv_cache = concept_papers(&store);
    let appended = (0..3).map(|_| timed_build(&both, &["--append", second])).min().unwrap();
    let new_kv_cache = concept_papers(&both);
    for i in 0..15u32 {
        let finished = build_killed(&store, &["--append", second], appended.mul_f64(f64::from(i) / 12.0));
        kills += usize::from(!finished);
        let count = papers(&store);
        assert!(count == old_count || count == new_count, "append kill {i}: {count} papers, neither {old_count} nor {new_count}");
        outcomes[usize::from(count == new_count)] += 1;
        // Statistics left behind by the kill are said so, and appending again mends them.
        let lookup = papergraph(&store, &["concept", "kv cache", "--format", "json"]);
        assert!(lookup.status.success(), "{}", stderr(&lookup));
        let counted: serde_json::Value = serde_json::from_str(&stdout(&lookup)).unwrap();
        let expected = if count == new_count { &new_kv_cache } else { &old_kv_cache };
        if counted["paper_count"] != *expected {
            assert!(stderr(&lookup).contains("counted its papers"), "append kill {i}: stale statistics without a warning");
            build(&store, &["--append", second]);
            assert_eq!(concept_papers(&store), new_kv_cache, "append kill {i}: appending again mends the statistics");
        }
        if count == new_count {
            build(&store, &[first]);
        }
    }
    eprintln!("{kills} builds killed; the store answered after each: old {} times, new {}", outcomes[0], outcomes[1]);
    assert!(kills >= 25, "only {kills} builds were killed before they finished");
    assert!(outcomes[0] > 0 && outcomes[1] > 0, "kills left old {} / new {} stores: the kill times do not spread over the run", outcomes[0], outcomes[1]);

    // Inside the swap: right after the atomic exchange, and between the two renames of the
    // fallback (the old store is at DIR.old and the next command puts it back).
    for failpoint in ["after-exchange", "between-renames"] {
        let out = Command::new(env!("CARGO_BIN_EXE_papergraph"))
            .arg("--store")
            .arg(&store)
            .args(["build", "--quiet", first, second])
            .env("PAPERGRAPH_FAILPOINT", failpoint)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        assert!(!out.status.success(), "{failpoint}: the build must have crashed");
        let expected = if failpoint == "after-exchange" { new_count } else { old_count };
        let recovered = papergraph(&store, &["query", "--format", "tsv", "-e", PAPERS]);
        assert!(recovered.status.success(), "{failpoint}: {}", stderr(&recovered));
        assert_eq!(stdout(&recovered).lines().nth(1).unwrap().trim().parse::<u64>().unwrap(), expected, "{failpoint}");
        if failpoint == "between-renames" {
            assert!(stderr(&recovered).contains("put the store back"), "{}", stderr(&recovered));
        }
        build(&store, &[first]);
        assert!(!dir.path().join("store.building").exists() && !dir.path().join("store.old").exists());
    }
}

#[test]
fn a_second_build_is_refused_while_one_writes_and_queries_keep_answering() {
    let (first, second) = listings();
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    build(&store, &[first.to_str().unwrap()]);
    let before = papers(&store);
    // A build that reads slowly: a FIFO nobody writes to yet.
    let fifo = dir.path().join("slow.txt");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let mut running = Command::new(env!("CARGO_BIN_EXE_papergraph"))
        .arg("--store")
        .arg(&store)
        .args(["build", "--quiet", second.to_str().unwrap()])
        .arg(&fifo)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !dir.path().join("store.building").exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let second_build = papergraph(&store, &["build", first.to_str().unwrap()]);
    assert!(!second_build.status.success());
    let message = stderr(&second_build);
    assert!(message.contains("being written by another papergraph") && message.contains(&format!("pid {}", running.id())), "{message}");
    assert_eq!(papers(&store), before, "queries answer from the old store during a fresh build");
    std::fs::write(&fifo, "").unwrap(); // lets the running build finish (the empty file is skipped)
    let status = running.wait().unwrap();
    assert!(matches!(status.code(), Some(0 | 2)), "{status}");
}

#[test]
fn a_closed_pipe_ends_exports_and_queries_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    build(&store, &[listings_dir().to_str().unwrap()]);
    let commands: [&[&str]; 3] = [
        &["export", "--format", "nquads"],
        &["query", "--format", "csv", "-e", "SELECT * WHERE { ?s ?p ?o }"],
        &["paper", "SCBench", "--format", "json"],
    ];
    for args in commands {
        let mut child = Command::new(env!("CARGO_BIN_EXE_papergraph"))
            .arg("--store")
            .arg(&store)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Read one line, then close the pipe, as `| head -1` does.
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 64];
        std::io::Read::read(&mut stdout, &mut first).unwrap();
        drop(stdout);
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(out.stderr.is_empty(), "{args:?} says {}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn a_query_past_its_time_limit_stops_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    build(&store, &[listings_dir().to_str().unwrap()]);
    let started = Instant::now();
    let out = papergraph(&store, &["query", "--timeout", "1", "-e", "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("time limit"), "{}", stderr(&out));
    assert!(started.elapsed() < Duration::from_secs(30), "stopped after {:?}", started.elapsed());
}

#[test]
fn a_build_that_fills_the_disk_fails_clearly_and_keeps_the_old_store() {
    let mount = tempfile::tempdir().unwrap();
    let mounted = Command::new("mount").args(["-t", "tmpfs", "-o", "size=3m", "tmpfs"]).arg(mount.path()).stderr(Stdio::null()).status();
    if !matches!(mounted, Ok(status) if status.success()) {
        eprintln!("skipped: cannot mount a 3 MB tmpfs here (needs root with CAP_SYS_ADMIN)");
        return;
    }
    struct Unmount<'a>(&'a Path);
    impl Drop for Unmount<'_> {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(self.0).status();
        }
    }
    let _unmount = Unmount(mount.path());
    let (first, second) = listings();
    let store = mount.path().join("store");
    build(&store, &[first.to_str().unwrap()]);
    let before = papers(&store);
    let out = papergraph(&store, &["build", first.to_str().unwrap(), second.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let message = stderr(&out);
    assert!(message.contains("No space left on device") && message.contains("store.building"), "{message}");
    assert_eq!(message.matches("While appending").count(), 1, "each cause once: {message}");
    assert_eq!(papers(&store), before, "the old store is intact");
    assert!(!mount.path().join("store.building").exists(), "the failed build is cleaned up");
}
