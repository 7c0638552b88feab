"""Load on `papergraph serve` from loopback: N concurrent clients, each sending a fixed number of
requests over one keep-alive connection, for each target; prints latency p50 / p99 and
requests per second as JSON lines.

    python3 benches/serve_bench.py --url http://127.0.0.1:7878 --clients 8 --requests 50
"""

import argparse
import http.client
import json
import statistics
import threading
import time
import urllib.parse

SPARQL = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
SELECT ?paper WHERE { ?paper schema:mentions <https://w3id.org/papergraph/concept/mamba> } LIMIT 20"""



def targets(paper):
    return {
        "concept lookup": "/api/concept?name=" + urllib.parse.quote("kv cache"),
        f"paper lookup ({paper})": "/api/paper?q=" + urllib.parse.quote(paper),
        "autocomplete": "/api/concepts?q=qua&limit=10",
        "sparql select": "/sparql?query=" + urllib.parse.quote(SPARQL),
    }


def client(host, port, path, count, latencies, failures):
    connection = http.client.HTTPConnection(host, port, timeout=120)
    for _ in range(count):
        started = time.perf_counter()
        connection.request("GET", path, headers={"Accept": "application/sparql-results+json, application/json"})
        response = connection.getresponse()
        response.read()
        latencies.append(time.perf_counter() - started)
        if response.status != 200:
            failures.append(response.status)
    connection.close()


def run(url, name, path, clients, requests):
    parsed = urllib.parse.urlparse(url)
    latencies, failures = [], []
    # One warm-up request: the first lookup of a store opens caches.
    client(parsed.hostname, parsed.port, path, 1, [], failures)
    threads = [threading.Thread(target=client, args=(parsed.hostname, parsed.port, path, requests, latencies, failures)) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    quantile = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
    return {
        "target": name,
        "clients": clients,
        "requests": len(latencies),
        "failures": len(failures),
        "p50_ms": round(quantile(0.50), 2),
        "p99_ms": round(quantile(0.99), 2),
        "mean_ms": round(statistics.mean(latencies) * 1000, 2),
        "requests_per_s": round(len(latencies) / elapsed, 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=50, help="requests per client")
    parser.add_argument("--label", default="", help="the store's name, added to every line")
    parser.add_argument("--paper", default="SCBench", help="what the paper lookup asks for (an arXiv id, a title)")
    parser.add_argument("--markdown", action="store_true", help="Markdown table rows instead of JSON lines")
    args = parser.parse_args()
    for name, path in targets(args.paper).items():
        r = run(args.url, name, path, args.clients, args.requests)
        r["store"] = args.label
        if args.markdown:
            row = [r["store"], name, f"{args.clients} × {args.requests}", r["p50_ms"], r["p99_ms"], r["requests_per_s"], r["failures"]]
            print("| " + " | ".join(map(str, row)) + " |", flush=True)
        else:
            print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
