#!/usr/bin/env python3
"""Checks that contrib/spark/extract_arxiv.py's shards make the graph one `papergraph build` makes.

    python3 tests/spark/check_spark_extract.py --papergraph BIN --records 10000 --workdir DIR
        [--partitions 4] [--keep]

1. Generates a deterministic corpus: `python3 benches/corpus.py --records N --out DIR/corpus.jsonl`.
2. Runs the Spark job with the pip package's spark-submit in local[2] (small driver memory, no UI,
   loopback only), shipping the binary with --files as a cluster job would, into >= 4 partitions.
3. (a) The distinct quads of all the shards are the distinct lines of one single-process
   `papergraph extract DIR/corpus.jsonl`.
   (b) `papergraph load` of the shards into one store and `papergraph build` of the corpus into
   another give the same sorted `export --format nquads` dump, and the same answers to every
   canned query that runs without parameters (all of whose parameters may stay unbound).
4. Prints one JSON line (counts; seconds, records/s and MB/s of the Spark job and of the single
   extract) and exits 0, or prints what differs and exits 1.

Needs Java 17+ (JAVA_HOME, `java` on PATH, or /usr/lib/jvm/*) and PySpark
(tests/spark/requirements.txt). About 1 minute for 10,000 records on 2 cores, about 25 s of it
Spark's.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
JOB = REPO / "contrib" / "spark" / "extract_arxiv.py"
CORPUS = REPO / "benches" / "corpus.py"
SORT_ENV = dict(os.environ, LC_ALL="C")


class CheckFailed(Exception):
    pass


def run(cmd, *, timeout=600, env=None, what=None, ok=(0,), stdout=subprocess.PIPE):
    """Runs cmd; raises CheckFailed with its stderr unless its exit status is in ok."""
    try:
        p = subprocess.run([str(c) for c in cmd], stdin=subprocess.DEVNULL, stdout=stdout,
                           stderr=subprocess.PIPE, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise CheckFailed(f"{what or cmd[0]}: timed out after {timeout} s: {' '.join(map(str, cmd))}")
    if p.returncode not in ok:
        err = p.stderr.decode("utf-8", "replace").strip()
        raise CheckFailed(f"{what or cmd[0]} exited with {p.returncode}: {' '.join(map(str, cmd))}\n"
                          f"{tail(err)}")
    return p


def tail(text, n=40):
    lines = text.splitlines()
    return "\n".join(lines[-n:])


def find_java_home():
    """JAVA_HOME for spark-submit, or None when `java` on PATH will do."""
    home = os.environ.get("JAVA_HOME")
    if home and os.path.exists(os.path.join(home, "bin", "java")):
        return home
    if shutil.which("java"):
        return None
    for candidate in sorted(glob.glob("/usr/lib/jvm/*/bin/java"), reverse=True):
        return str(Path(candidate).parent.parent)
    raise CheckFailed("Java is missing: install a Java 17+ runtime (Debian: openjdk-17-jre-headless) "
                      "or set JAVA_HOME")


def find_spark_submit():
    try:
        import pyspark
    except ImportError:
        raise CheckFailed("PySpark is missing: python3 -m pip install -r tests/spark/requirements.txt")
    script = Path(pyspark.__file__).parent / "bin" / "spark-submit"
    if not script.exists():
        raise CheckFailed(f"{script} is missing: the pyspark package looks incomplete")
    return script, pyspark.__version__


def sort_unique(files, out):
    """Distinct lines of files (gzip ones too) into out, byte order; returns the count."""
    with open(out, "wb") as f:
        cat = subprocess.Popen(["zcat", "-f", "--", *map(str, files)], stdout=subprocess.PIPE)
        srt = subprocess.run(["sort", "-u", "-S", "256M"], stdin=cat.stdout, stdout=f,
                             stderr=subprocess.PIPE, env=SORT_ENV)
        cat.stdout.close()
        if cat.wait() != 0 or srt.returncode != 0:
            raise CheckFailed(f"sorting {files[:3]}...: {srt.stderr.decode(errors='replace')}")
    return count_lines(out)


def count_lines(path):
    n = 0
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            n += block.count(b"\n")
    return n


def compare_sorted(a, b, what):
    """Two sorted files: raises CheckFailed with a sample of the differences unless equal."""
    p = subprocess.run(["comm", "-3", str(a), str(b)], stdout=subprocess.PIPE, env=SORT_ENV)
    if p.stdout:
        lines = p.stdout.decode("utf-8", "replace").splitlines()
        only_a = [l for l in lines if not l.startswith("\t")]
        only_b = [l[1:] for l in lines if l.startswith("\t")]
        sample = "\n".join(["  only in " + Path(a).name + ": " + l[:300] for l in only_a[:5]] +
                           ["  only in " + Path(b).name + ": " + l[:300] for l in only_b[:5]])
        raise CheckFailed(f"{what}: {len(only_a)} lines only in {a}, {len(only_b)} only in {b}:\n{sample}")


def parameterless_queries(pg):
    """Canned queries that run with no --param: none declared, or all may stay unbound."""
    out = run([pg, "queries"], what="papergraph queries").stdout.decode()
    queries, current = {}, None
    for line in out.splitlines():
        if line and not line[0].isspace():
            current = line.split()[0]
            queries[current] = True
        elif current and line.strip().startswith("--param"):
            if "unbound" not in line:
                queries[current] = False
    return [name for name, runnable in queries.items() if runnable]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--papergraph", required=True, help="the papergraph binary")
    ap.add_argument("--records", type=int, default=10000)
    ap.add_argument("--workdir", required=True, help="scratch directory (made; its old files replaced)")
    ap.add_argument("--partitions", type=int, default=4, help="Spark partitions (>= 4 wanted)")
    ap.add_argument("--driver-memory", default="512m")
    ap.add_argument("--keep", action="store_true", help="keep the stores, shards and dumps")
    ap.add_argument("--queries", action="store_true",
                    help="also compare every parameterless canned query on both stores (implied by equal dumps; slow)")
    args = ap.parse_args()

    started = time.time()
    work = Path(args.workdir).resolve()
    work.mkdir(parents=True, exist_ok=True)
    pg_given = Path(args.papergraph).resolve()
    if not (pg_given.is_file() and os.access(pg_given, os.X_OK)):
        raise CheckFailed(f"--papergraph {args.papergraph}: not an executable file")
    # A private copy named `papergraph`: the binary may be rebuilt meanwhile, and it is shipped
    # to the executors with --files as on a cluster (the job finds it with SparkFiles.get).
    bindir = work / "bin"
    bindir.mkdir(exist_ok=True)
    pg = bindir / "papergraph"
    shutil.copy2(pg_given, pg)

    java_home = find_java_home()
    spark_submit, pyspark_version = find_spark_submit()

    # 1. The corpus.
    corpus = work / "corpus.jsonl"
    run([sys.executable, CORPUS, "--records", args.records, "--out", corpus], what="benches/corpus.py")
    corpus_bytes = corpus.stat().st_size
    corpus_lines = count_lines(corpus)

    # 2. The Spark job, local[2], loopback only.
    shards_dir = work / "shards"
    shutil.rmtree(shards_dir, ignore_errors=True)
    spark_tmp = work / "spark-tmp"
    shutil.rmtree(spark_tmp, ignore_errors=True)
    spark_tmp.mkdir()
    env = dict(os.environ, SPARK_LOCAL_IP="127.0.0.1", PYSPARK_PYTHON=sys.executable,
               PYSPARK_DRIVER_PYTHON=sys.executable, SPARK_LOCAL_DIRS=str(spark_tmp))
    env.pop("SPARK_HOME", None)  # the pip package's own Spark, whatever else is installed
    if java_home:
        env["JAVA_HOME"] = java_home
    cmd = [spark_submit, "--master", "local[2]", "--driver-memory", args.driver_memory,
           "--conf", "spark.ui.enabled=false",
           "--conf", "spark.driver.host=127.0.0.1",
           "--conf", "spark.driver.bindAddress=127.0.0.1",
           "--conf", f"spark.local.dir={spark_tmp}",
           "--files", pg,
           JOB, "--input", corpus, "--output", shards_dir, "--partitions", args.partitions]
    t = time.time()
    p = run(cmd, env=env, what="the Spark job (spark-submit)", timeout=900, ok=range(256))
    spark_seconds = time.time() - t
    (work / "spark.log").write_bytes(p.stderr)
    if p.returncode:
        # Spark's log is long: show papergraph's own messages and the first error, then the tail.
        log = p.stderr.decode("utf-8", "replace").splitlines()
        ours = [l for l in log if l.startswith(("RuntimeError", "warning:", "error:", "extract_arxiv:"))]
        spark = [l for l in log if "Exception:" in l and not l.startswith("\t")]
        picked = list(dict.fromkeys(ours + spark))[:20] or log[-20:]
        raise CheckFailed(f"the Spark job exited with {p.returncode}: {picked[0]}\n" + "\n".join(picked[1:])
                          + f"\n(whole log: {work / 'spark.log'})")
    job = {}
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("extract_arxiv: "):
            job = json.loads(line[len("extract_arxiv: "):])
    shards = sorted(shards_dir.glob("part-*"))
    if not (shards_dir / "_SUCCESS").exists() or not shards:
        raise CheckFailed(f"the Spark job wrote no shards in {shards_dir}")
    if len(shards) < min(4, args.partitions):
        raise CheckFailed(f"the Spark job wrote {len(shards)} shards, wanted >= {args.partitions}")
    if job.get("lines") != corpus_lines:
        raise CheckFailed(f"the Spark job fed {job.get('lines')} lines to papergraph, the corpus has "
                          f"{corpus_lines}")

    # Single-process extract of the whole file.
    single = work / "single.nq"
    t = time.time()
    run([pg, "extract", corpus, "-o", single, "-q"], what="papergraph extract")
    single_seconds = time.time() - t

    # (a) Same distinct quads.
    shard_lines = sum(count_lines(s) for s in shards)
    shards_sorted, single_sorted = work / "shards.sorted.nq", work / "single.sorted.nq"
    shard_quads = sort_unique(shards, shards_sorted)
    single_lines = count_lines(single)
    single_quads = sort_unique([single], single_sorted)
    compare_sorted(shards_sorted, single_sorted, "(a) distinct quads of the shards vs single extract")

    # (b) load of the shards == build of the corpus.
    store_load, store_build = work / "store-load", work / "store-build"
    for store in (store_load, store_build):
        shutil.rmtree(store, ignore_errors=True)
    t = time.time()
    run([pg, "load", "--store", store_load, *shards], what="papergraph load")
    load_seconds = time.time() - t
    t = time.time()
    run([pg, "build", "--store", store_build, corpus, "-q"], what="papergraph build")
    build_seconds = time.time() - t
    dumps = []
    for store in (store_load, store_build):
        raw, srt = work / f"{store.name}.nq", work / f"{store.name}.sorted.nq"
        with open(raw, "wb") as f:
            run([pg, "export", "--store", store, "--format", "nquads"], what="papergraph export", stdout=f)
        with open(raw, "rb") as f_in, open(srt, "wb") as f_out:
            s = subprocess.run(["sort", "-S", "256M"], stdin=f_in, stdout=f_out, env=SORT_ENV)
        if s.returncode:
            raise CheckFailed(f"sorting {raw} failed")
        raw.unlink()
        dumps.append(srt)
    compare_sorted(dumps[0], dumps[1], "(b) export --format nquads of load(shards) vs build(corpus)")
    store_quads = count_lines(dumps[0])

    queries = parameterless_queries(pg) if args.queries else []
    if args.queries and not queries:
        raise CheckFailed("papergraph queries listed no canned query without parameters")
    order_differs = []
    rows = {}

    def answer(job):
        name, store = job
        # --timeout 0: some canned queries take most of a minute on 10,000 papers on a busy machine.
        return run([pg, "query", "--store", store, "--format", "tsv", "--timeout", "0", name],
                   what=f"papergraph query {name}").stdout

    t = time.time()
    jobs = [(name, store) for name in queries for store in (store_load, store_build)]
    # Two at a time: the two stores' answers to one query are computed side by side.
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(answer, jobs))
    query_seconds = time.time() - t
    for i, name in enumerate(queries):
        answers = results[2 * i: 2 * i + 2]
        if answers[0] != answers[1]:
            if sorted(answers[0].splitlines()) != sorted(answers[1].splitlines()):
                a, b = answers[0].decode(errors="replace"), answers[1].decode(errors="replace")
                raise CheckFailed(f"(b) query {name} answers differ:\n--- load(shards):\n{tail(a, 10)}\n"
                                  f"--- build(corpus):\n{tail(b, 10)}")
            order_differs.append(name)  # same rows, ties in another order
        rows[name] = max(0, answers[0].count(b"\n") - 1)

    mb = corpus_bytes / 1e6
    summary = {
        "ok": True,
        "pyspark": pyspark_version,
        "records": args.records,
        "corpus_lines": corpus_lines,
        "corpus_mb": round(mb, 2),
        "partitions": len(shards),
        "shard_lines": shard_lines,
        "shard_distinct_quads": shard_quads,
        "single_extract_lines": single_lines,
        "single_extract_distinct_quads": single_quads,
        "store_quads": store_quads,
        "queries_compared": len(queries),
        "query_rows": rows,
        "queries_same_rows_other_order": order_differs,
        "spark": {
            "seconds": round(spark_seconds, 2),
            "seconds_without_startup": job.get("seconds_job"),
            "records_per_s": round(args.records / spark_seconds),
            "mb_per_s": round(mb / spark_seconds, 2),
            "skipped": job.get("skipped"),
        },
        "single_extract": {
            "seconds": round(single_seconds, 2),
            "records_per_s": round(args.records / single_seconds),
            "mb_per_s": round(mb / single_seconds, 2),
        },
        "load_seconds": round(load_seconds, 2),
        "build_seconds": round(build_seconds, 2),
        "query_seconds": round(query_seconds, 2),
        "total_seconds": round(time.time() - started, 1),
    }
    if not args.keep:
        locks = [store.with_name(store.name + ".lock") for store in (store_load, store_build)]
        for path in (shards_dir, spark_tmp, store_load, store_build, *locks, single, shards_sorted,
                     single_sorted, *dumps):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            elif path.exists():
                path.unlink()
    print(json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except CheckFailed as e:
        print(f"check_spark_extract: FAILED: {e}", file=sys.stderr, flush=True)
        print(json.dumps({"ok": False, "error": str(e).splitlines()[0]}), flush=True)
        sys.exit(1)
