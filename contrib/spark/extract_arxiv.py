#!/usr/bin/env python3
"""Extract papergraph's quads from an arXiv metadata snapshot with Apache Spark.

    spark-submit [--master URL] [--files /path/to/papergraph] contrib/spark/extract_arxiv.py \\
        --input SNAPSHOT --output DIR [--partitions N] [--papergraph PATH] [--gzip] \\
        [--provenance compact|full|none]

SNAPSHOT is the JSON-lines snapshot (`arxiv-metadata-oai-snapshot.json`, one paper a line; `.gz`
and `.bz2` work too), DIR a directory that must not exist yet. Each partition of the input is piped
through one `papergraph extract - --part-of <basename of SNAPSHOT> --first-line <its first line>`
process (stdin to stdout), and the N-Quads it prints are written with saveAsTextFile as
DIR/part-NNNNN (`.gz` with --gzip). `extract` is stateless per record and its IRIs are
deterministic, so the union of the shards is exactly the quads of one `papergraph extract SNAPSHOT`,
with the provenance line numbers of the whole file. Every shard also carries the taxonomy and
dataset descriptions (about 4,000 quads); the duplicates vanish when loading, RDF being a set.

Lines are numbered like zipWithIndex does (one counting pass over the input, then each partition
starts where the previous ones end), so partitions must be contiguous runs of the file: they are
the input splits of sc.textFile. --partitions N is the minimum number of splits of an uncompressed
(or .bz2) file; a .gz file cannot be split, so it is read once to count its lines, then cut into N
contiguous ranges by a sorting shuffle. Blank lines are lines: they are fed to papergraph too, but
a partition's leading blank lines are only counted (papergraph tells its input's format from the
first lines), and a partition of blank lines only starts no process.

The papergraph binary, in this order: --papergraph PATH (a path on the executors, or the name of a
file shipped with --files); the file `papergraph` shipped with `--files /path/to/papergraph`
(SparkFiles); `papergraph` on the executors' PATH. It must be built for the executors' OS and CPU
architecture (a Linux x86_64 or aarch64 build for a Linux cluster; a macOS build on the laptop that
submits will not run there). It is one executable linked only to glibc and libstdc++ (a build on
a glibc no newer than the executors' runs there): shipping it with --files is all the installation
a cluster needs. Each process is given RAYON_NUM_THREADS = the task's CPUs
(spark.task.cpus), so it uses the cores Spark granted it.

A bad record is skipped by papergraph (exit status 2): the task logs papergraph's warnings to the
executor's stderr and goes on; the driver prints how many were skipped. Exit status 1 (papergraph
failed) fails the task with papergraph's stderr, and Spark retries it or fails the job. One known
case: a partition whose first non-blank line is not JSON (a corrupt record) is taken by papergraph
for another input format and fails, where the whole file would only skip that record; run again
with another --partitions.

On a real cluster
-----------------
    # YARN (EMR, Dataproc, Hadoop): input and output on HDFS or S3
    spark-submit --master yarn --deploy-mode cluster \\
        --files s3://bucket/bin/papergraph-linux-x86_64 \\
        --num-executors 16 --executor-cores 4 --executor-memory 4g \\
        --conf spark.task.cpus=2 \\
        extract_arxiv.py --papergraph papergraph-linux-x86_64 \\
            --input s3://bucket/arxiv/arxiv-metadata-oai-snapshot.json \\
            --output s3://bucket/papergraph/quads-2024-06 --partitions 256 --gzip

    # Kubernetes: an image with Python 3 and the papergraph binary on its PATH (or --files from
    # a URL the driver can read); s3a:// needs hadoop-aws on the classpath
    spark-submit --master k8s://https://API-SERVER:6443 --deploy-mode cluster \\
        --conf spark.kubernetes.container.image=REGISTRY/spark-papergraph:latest \\
        --conf spark.executor.instances=8 \\
        local:///opt/papergraph/extract_arxiv.py --input s3a://bucket/arxiv/snapshot.json \\
            --output s3a://bucket/papergraph/quads --partitions 128 --gzip

    # Standalone
    spark-submit --master spark://HOST:7077 --files /opt/papergraph/bin/papergraph \\
        extract_arxiv.py --input hdfs:///data/arxiv/snapshot.json.bz2 \\
            --output hdfs:///data/papergraph/quads --partitions 64

The job needs nothing but PySpark on the driver and Python 3 on the executors (standard library
only). Memory stays flat: lines are streamed into papergraph's stdin from a thread while its stdout
is streamed out, so a partition is never held whole.

Loading the shards
------------------
Copy them to the machine that holds the store (`hdfs dfs -get`, `aws s3 cp --recursive`), then

    papergraph load --store STORE DIR/part-*          # bulk load + finalize; same store as `build`

or load them with a triple store's own bulk loader (they are plain N-Quads, default graph only)
into the store papergraph opens, and run `papergraph finalize --store STORE`, which merges papers by
title and computes the lookup statistics as `build` does.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

GZIP_CODEC = "org.apache.hadoop.io.compress.GzipCodec"
# `papergraph extract`'s summary line on stderr.
SUMMARY = re.compile(rb"extracted (\d+) quads from (\d+) paper records.*?skipped (\d+)")


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description="Extract papergraph N-Quads from an arXiv JSON-lines snapshot with Spark "
        "(one `papergraph extract` process per partition).")
    p.add_argument("--input", required=True,
                   help="the JSON-lines snapshot (any Hadoop path: file://, hdfs://, s3a://; .gz/.bz2 ok)")
    p.add_argument("--output", required=True, help="output directory for the shards (must not exist)")
    p.add_argument("--partitions", type=int, default=0,
                   help="number of partitions (a minimum for splittable input); default: Spark's")
    p.add_argument("--papergraph", default=None,
                   help="papergraph binary on the executors, or the name of a file shipped with --files "
                   "(default: the shipped file 'papergraph', else 'papergraph' on PATH)")
    p.add_argument("--gzip", action="store_true", help="gzip the shards (part-NNNNN.gz)")
    p.add_argument("--provenance", choices=("compact", "full", "none"), default="compact",
                   help="passed to papergraph extract (default: compact)")
    p.add_argument("--part-of", default=None,
                   help="file name the listing is named after (default: the input's basename, e.g. "
                   "arxiv-metadata-oai-snapshot.json; give the uncompressed name when the input is "
                   "a .gz copy of the file another run read plain)")
    return p.parse_args(argv)


def find_papergraph(wanted):
    """Runs on an executor: the papergraph executable to spawn."""
    from pyspark import SparkFiles

    candidates = []
    if wanted:
        candidates.append(wanted)
    name = os.path.basename(wanted) if wanted else "papergraph"
    try:
        candidates.append(SparkFiles.get(name))
    except Exception:  # no SparkFiles root: not in a Spark task
        pass
    for path in candidates:
        if path and os.path.isfile(path):
            if not os.access(path, os.X_OK):
                try:
                    os.chmod(path, 0o755)  # --files copies may lose the executable bit
                except OSError:
                    pass
            return path
    found = shutil.which(wanted or "papergraph")
    if found:
        return found
    raise RuntimeError(
        f"papergraph binary not found on executor {os.uname().nodename}: tried "
        f"{', '.join(c for c in candidates if c)} and PATH. Ship it with --files /path/to/papergraph "
        "or pass --papergraph PATH (built for the executors' OS and architecture)")


def extract_partition(lines, first_line, *, part_of, papergraph, provenance, partition, counters):
    """Pipes `lines` (bytes, without their newline) through `papergraph extract` and yields its
    output lines (bytes). The partition is streamed: a thread writes stdin while this generator
    reads stdout."""
    from pyspark import TaskContext

    exe = find_papergraph(papergraph)
    env = dict(os.environ)
    ctx = TaskContext.get()
    if "RAYON_NUM_THREADS" not in env:
        try:
            env["RAYON_NUM_THREADS"] = str(max(1, int(ctx.cpus()))) if ctx else "1"
        except Exception:
            env["RAYON_NUM_THREADS"] = "1"
    cmd = [exe, "extract", "-", "--part-of", part_of, "--first-line", str(first_line),
           "--provenance", provenance, "--format", "nquads"]
    # Not -q: the warnings name the skipped records' lines. stderr goes to a file: warnings can be
    # many, and a full pipe would stall papergraph.
    err = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, env=env,
                            bufsize=1 << 16)
    fed = [0]
    feed_error = []

    def feed():
        try:
            write = proc.stdin.write
            for line in lines:
                write(line)
                write(b"\n")
                fed[0] += 1
            proc.stdin.close()
        except BrokenPipeError:
            pass  # papergraph stopped reading: its exit status says why
        except BaseException as e:  # reading the partition failed
            feed_error.append(e)
            proc.kill()

    feeder = threading.Thread(target=feed, name=f"papergraph-feed-{partition}", daemon=True)
    feeder.start()
    finished = False
    try:
        for out in proc.stdout:
            yield out[:-1] if out.endswith(b"\n") else out
        finished = True
    finally:
        if not finished:  # the task was cancelled or the consumer stopped
            proc.kill()
        proc.stdout.close()
        feeder.join()
        status = proc.wait()
        err.seek(0)
        stderr = err.read()
        err.close()
    if feed_error:
        raise RuntimeError(f"partition {partition}: reading the input failed") from feed_error[0]
    where = (f"partition {partition} (lines {first_line}-{first_line + fed[0] - 1} of {part_of}, "
             f"{fed[0]} lines)")
    text = stderr.decode("utf-8", "replace").strip()
    if status not in (0, 2):
        raise RuntimeError(f"papergraph extract failed with exit status {status} on {where}: "
                           f"{' '.join(cmd)}\n{text}")
    m = SUMMARY.search(stderr)
    if m:
        counters["quads"].add(int(m.group(1)))
        counters["records"].add(int(m.group(2)))
        counters["skipped"].add(int(m.group(3)))
    counters["lines"].add(fed[0])
    if status == 2:
        shown = text.splitlines()
        if len(shown) > 41:
            shown = shown[:40] + [f"... ({len(shown) - 41} more warnings)", shown[-1]]
        print(f"extract_arxiv: {where}: papergraph skipped bad records:\n" + "\n".join(shown),
              file=sys.stderr, flush=True)


def main(argv=None):
    args = parse_args(argv)
    from pyspark import SparkConf, SparkContext

    started = time.time()
    conf = SparkConf().setAppName("papergraph-extract-arxiv")
    sc = SparkContext.getOrCreate(conf)
    sc.setLogLevel(os.environ.get("EXTRACT_ARXIV_LOG_LEVEL", "WARN"))
    spark_ready = time.time()

    part_of = args.part_of or os.path.basename(args.input.rstrip("/"))
    for ext in (".gz", ".bz2"):
        if args.part_of is None and part_of.endswith(ext):
            part_of = part_of[: -len(ext)]  # Hadoop decompresses: the lines are the file's
    # bytes, not str: lines reach papergraph exactly as they are in the file.
    rdd = sc.textFile(args.input, minPartitions=args.partitions or None, use_unicode=False)
    splits = rdd.getNumPartitions()

    if args.partitions and splits < args.partitions:
        # Too few splits (a .gz file is one): cut the numbered lines into contiguous ranges.
        n = args.partitions
        numbered = rdd.zipWithIndex().map(lambda li: (li[1], li[0]))
        total = numbered.count()
        per = max(1, -(-total // n))
        source = numbered.repartitionAndSortWithinPartitions(
            numPartitions=n, partitionFunc=lambda i: min(n - 1, i // per))
        numbered_input = True
    else:
        # The splits are contiguous and in file order: count each, as zipWithIndex does.
        counts = rdd.mapPartitions(lambda it: [sum(1 for _ in it)]).collect() if splits > 1 else [0]
        starts = [0]
        for c in counts[:-1]:
            starts.append(starts[-1] + c)
        source = rdd
        numbered_input = False

    counters = {k: sc.accumulator(0) for k in ("quads", "records", "skipped", "lines")}
    papergraph, provenance = args.papergraph, args.provenance

    def run(k, it):
        if numbered_input:  # (index, line) pairs, in order
            pairs = iter(it)
        else:  # lines, the first one numbered starts[k]
            pairs = enumerate(it, starts[k])
        # Leading blank lines are only counted: papergraph tells the format of its input from the
        # first lines it reads, and a part of nothing but blank lines would have "no papers".
        for index, line in pairs:
            if line.strip():
                break
            counters["lines"].add(1)
        else:
            return
        head = line

        def lines():
            yield head
            for _, rest in pairs:
                yield rest
        yield from extract_partition(lines(), index + 1, part_of=part_of, papergraph=papergraph,
                                     provenance=provenance, partition=k, counters=counters)

    quads = source.mapPartitionsWithIndex(run)
    codec = GZIP_CODEC if args.gzip else None
    quads.saveAsTextFile(args.output, compressionCodecClass=codec)
    done = time.time()
    summary = {
        "input": args.input,
        "output": args.output,
        "part_of": part_of,
        "partitions": quads.getNumPartitions(),
        "lines": counters["lines"].value,
        "records": counters["records"].value,
        "skipped": counters["skipped"].value,
        "quads_written": counters["quads"].value,
        "seconds_spark_startup": round(spark_ready - started, 2),
        "seconds_job": round(done - spark_ready, 2),
    }
    print("extract_arxiv: " + json.dumps(summary), flush=True)
    sc.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
