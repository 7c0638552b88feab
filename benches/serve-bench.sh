#!/usr/bin/env bash
# Load benchmark of `papergraph serve` on loopback: for each store, starts the server, runs
# benches/serve_bench.py (N concurrent clients × a fixed number of requests each, for a concept
# lookup, a paper lookup, autocomplete and a SPARQL SELECT) and prints p50 / p99 latency and
# requests/s as a Markdown table.
#
#   bash benches/serve-bench.sh [STORE_DIR ...]     (default: a store of the bundled listings)
#
# Stores of 10 k / 100 k / 1 M arXiv-shaped papers come from `KEEP_STORES=1 bash
# benches/build-bench.sh N` ($BENCH_DIR/store-N).
#
# Environment:
#   CLIENTS (8), REQUESTS (50 per client), PORT (7979)
#   CARGO_TARGET_DIR / PAPERGRAPH_BIN as for build-bench.sh
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$HERE")
CLIENTS=${CLIENTS:-8}
REQUESTS=${REQUESTS:-50}
PORT=${PORT:-7979}

if [[ -z ${PAPERGRAPH_BIN:-} ]]; then
    (cd "$REPO" && cargo build --release --locked >&2)
    PAPERGRAPH_BIN="${CARGO_TARGET_DIR:-$REPO/target}/release/papergraph"
fi

work=$(mktemp -d)
server=
cleanup() {
    [[ -n $server ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

if [[ $# -eq 0 ]]; then
    echo "serve-bench.sh: building a store of the bundled listings" >&2
    (cd "$REPO" && "$PAPERGRAPH_BIN" --store "$work/bundled" build >&2)
    set -- "$work/bundled"
fi

echo "| store | target | clients × requests | p50 ms | p99 ms | requests/s | failures |"
echo "|---|---|---|---:|---:|---:|---:|"
for store in "$@"; do
    "$PAPERGRAPH_BIN" --store "$store" serve --bind "127.0.0.1:$PORT" 2>"$work/serve.log" &
    server=$!
    for _ in $(seq 100); do
        grep -q "serving" "$work/serve.log" 2>/dev/null && break
        sleep 0.1
    done
    grep -q "serving" "$work/serve.log" || { cat "$work/serve.log" >&2; exit 1; }
    # The paper lookup asks for an arXiv id where the store has them (a title otherwise).
    paper=$("$PAPERGRAPH_BIN" --store "$store" query --format tsv -e 'SELECT ?id WHERE { ?p dcterms:identifier ?id } LIMIT 1' | sed -n '2s/^"\(.*\)"$/\1/p')
    python3 "$HERE/serve_bench.py" --paper "${paper:-SCBench}" --url "http://127.0.0.1:$PORT" --clients "$CLIENTS" --requests "$REQUESTS" --label "$(basename "$store")" --markdown
    kill "$server"
    wait "$server" 2>/dev/null || true
    server=
done
