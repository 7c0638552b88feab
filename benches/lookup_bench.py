#!/usr/bin/env python3
"""Lookup latency on a built store, as a user sees it: each lookup is a whole `papergraph`
process (start-up included), run against a warm page cache.

    python3 benches/lookup_bench.py --bin BIN --store DIR --corpus CORPUS.jsonl [--count 20]
        [--queries] [--timeout 600]

Times `concept NAME`, `paper ARXIV_ID`, `paper TITLE WORDS` and `repo OWNER/NAME` for `--count`
different names each (concepts from the bundled taxonomy, arXiv ids spread over the corpus, the
two longest words of titles spread over the corpus, repositories from the store), each once
untimed to warm the cache and then timed. With `--queries`, also times every
canned query (`papergraph query NAME`, output discarded) and `papergraph analyze`, once each.
Prints one JSON object: {"concept": {"p50_ms", "p95_ms", "max_ms", "n"}, "paper": ..., "title": ...,
"repo": ...,
"queries": {NAME: seconds}, "analyze_s": seconds}. A lookup that fails stops the run.
"""

import argparse
import json
import re
import statistics
import subprocess
import sys
import time

# Concepts spread over the taxonomy: headline ones, umbrellas with many narrower concepts, rare ones.
CONCEPTS = [
    "KV cache", "Mamba", "Segment Anything", "mixture of experts", "quantization",
    "large language model", "attention", "diffusion model", "memory", "retrieval-augmented generation",
    "speculative decoding", "knowledge distillation", "vision transformer", "reinforcement learning",
    "object detection", "long context", "state space model", "code generation", "LoRA", "pruning",
    "3D Gaussian splatting", "image segmentation", "transformer", "agent", "benchmark",
]


def run(cmd, timeout):
    started = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout)
    elapsed = time.perf_counter() - started
    # Title words shared by many papers (the corpus recombines 136 titles) answer with the
    # candidates and status 1: an answer all the same.
    ambiguous = done.returncode == 1 and b"papers match" in done.stderr
    if done.returncode != 0 and not ambiguous:
        sys.exit(f"lookup_bench.py: {' '.join(cmd)} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return elapsed


def spread(corpus, count):
    """`count` records spread evenly over the corpus (it is read twice, line by line)."""
    with open(corpus, "rb") as f:
        lines = sum(1 for _ in f)
    step = max(1, lines // count)
    wanted = {i * step for i in range(count)}
    with open(corpus, "rb") as f:
        return [json.loads(line) for i, line in enumerate(f) if i in wanted]


def title_words(record):
    """The two longest words of a record's title, as a user would type them."""
    words = re.findall(r"[A-Za-z0-9]+", record["title"])
    longest = sorted(words, key=lambda w: (-len(w), w))[:2]
    return " ".join(w for w in words if w in longest)


def repositories(binary, store, count):
    out = subprocess.run(
        [binary, "--store", store, "query", "--format", "csv", "-e",
         f"SELECT DISTINCT ?n WHERE {{ ?r a schema:SoftwareSourceCode ; schema:name ?n ; schema:provider \"github.com\" }} LIMIT {count}"],
        capture_output=True, text=True, check=True).stdout
    return [line.strip() for line in out.splitlines()[1:] if line.strip()]


def latencies(binary, store, command, names, timeout):
    times = []
    for name in names:
        cmd = [binary, "--store", store, command, name]
        run(cmd, timeout)  # warm
        times.append(run(cmd, timeout))
    ms = sorted(t * 1000 for t in times)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return {"p50_ms": round(statistics.median(ms), 1), "p95_ms": round(p95, 1), "max_ms": round(ms[-1], 1), "n": len(ms)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", required=True)
    parser.add_argument("--store", required=True)
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--queries", action="store_true", help="also time every canned query and analyze")
    parser.add_argument("--timeout", type=float, default=600, help="seconds before a command counts as failed")
    args = parser.parse_args()

    records = spread(args.corpus, args.count)
    result = {
        "concept": latencies(args.bin, args.store, "concept", CONCEPTS[: args.count], args.timeout),
        "paper": latencies(args.bin, args.store, "paper", [r["id"] for r in records], args.timeout),
        "title": latencies(args.bin, args.store, "paper", [title_words(r) for r in records], args.timeout),
        "repo": latencies(args.bin, args.store, "repo", repositories(args.bin, args.store, args.count), args.timeout),
    }
    if args.queries:
        listing = subprocess.run([args.bin, "queries"], capture_output=True, text=True, check=True).stdout
        names = [line.split()[0] for line in listing.splitlines() if line and not line[0].isspace()]
        result["queries"] = {name: round(run([args.bin, "--store", args.store, "query", name], args.timeout), 2) for name in names}
        result["analyze_s"] = round(run([args.bin, "--store", args.store, "analyze"], args.timeout), 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
