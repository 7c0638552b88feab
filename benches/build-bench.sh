#!/usr/bin/env bash
# Build and lookup benchmark: how fast `papergraph build` turns an arXiv-snapshot-shaped corpus
# into a store, against Oxigraph's own bulk loader and a plain Python script, and how fast
# lookups answer on that store.
#
#   bash benches/build-bench.sh [N ...]        (default: 10000 100000 1000000)
#
# For each N: the `cat` floor (reading the corpus from a warm page cache), extraction alone
# (`build --dry-run`), the full build into a fresh store (quads per paper, store size, peak RSS),
# Oxigraph's bulk loader (pyoxigraph) on the same quads (`export --format nquads`), the
# competitor script `benches/competitor.py` (regex + pyoxigraph) on the same corpus, and lookup
# latencies (`benches/lookup_bench.py`: p50 / p95 over 20 concepts, 20 papers by id, 20 by title
# words, 20 repositories, each a whole process on a warm cache). Prints Markdown tables on
# stdout; progress goes to stderr; raw results are appended to $BENCH_DIR/results.jsonl.
#
# Needs python3, GNU time and pyoxigraph (`pip install -r benches/requirements.txt`).
#
# Environment:
#   BENCH_DIR         corpora, stores, summaries, logs, results (default /tmp/papergraph-bench)
#   CARGO_TARGET_DIR  where the release binary is looked for / built (default ./target)
#   PAPERGRAPH_BIN    use this binary instead (no cargo build)
#   KEEP_STORES=1     keep $BENCH_DIR/store-N after the run
#   QUERIES=1         also time every canned query and `analyze` on each store
#   SKIP_COMPETITOR=1 skip the competitor script (about 1,000 papers/s: 17 min at 1M)
set -euo pipefail
export LC_ALL=C # decimal points, not commas, in EPOCHREALTIME and awk output

die() { echo "build-bench.sh: $*" >&2; exit 1; }
say() { echo "build-bench.sh: $*" >&2; }

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$HERE")

# --- arguments and tools ----------------------------------------------------------------------

if [[ $# -eq 0 ]]; then
    set -- 10000 100000 1000000
fi
for n in "$@"; do
    case $n in
        -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
    esac
    [[ $n =~ ^[1-9][0-9]*$ ]] || die "record counts must be positive integers, got '$n' (usage: bash benches/build-bench.sh [N ...])"
done

command -v python3 >/dev/null || die "python3 not found (apt-get install python3)"
python3 -c "import pyoxigraph" 2>/dev/null || die "pyoxigraph not found: python3 -m pip install -r $HERE/requirements.txt"
TIME=/usr/bin/time
[[ -x $TIME ]] || die "GNU time not found at $TIME: apt-get install time"
"$TIME" -f '%e %M' -o /dev/null true 2>/dev/null || die "$TIME is not GNU time (no -f/-o): apt-get install time"

abspath() { # an absolute path for $1, which need not exist yet
    case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac
}
BENCH_DIR=$(abspath "${BENCH_DIR:-/tmp/papergraph-bench}")
mkdir -p "$BENCH_DIR" || die "cannot create BENCH_DIR $BENCH_DIR"

# --- the binary -------------------------------------------------------------------------------

if [[ -n ${PAPERGRAPH_BIN:-} ]]; then
    BIN=$(abspath "$PAPERGRAPH_BIN")
    [[ -x $BIN ]] || die "PAPERGRAPH_BIN=$PAPERGRAPH_BIN is not an executable file"
else
    # Cargo reads a relative CARGO_TARGET_DIR from its working directory; we run it in $REPO
    # but resolve the variable from where the script was started, so both agree.
    export CARGO_TARGET_DIR
    CARGO_TARGET_DIR=$(abspath "${CARGO_TARGET_DIR:-$REPO/target}")
    BIN=$CARGO_TARGET_DIR/release/papergraph
    if [[ ! -x $BIN ]]; then
        command -v cargo >/dev/null || die "$BIN is missing and cargo is not installed (or set PAPERGRAPH_BIN)"
        say "building $BIN (cargo build --release)"
        (cd "$REPO" && cargo build --release >&2) || die "cargo build --release failed"
        [[ -x $BIN ]] || die "cargo build --release did not produce $BIN"
    elif [[ -n $(cd "$REPO" && find src Cargo.toml Cargo.lock -newer "$BIN" -print -quit 2>/dev/null) ]]; then
        say "warning: $BIN is older than the sources; run cargo build --release to measure the current code"
    fi
fi
help=$("$BIN" build --help 2>&1) || die "'$BIN build --help' failed: $help"
for flag in --dry-run --quiet --summary-json; do
    [[ $help == *"$flag"* ]] || die "$BIN does not know 'build $flag'; this benchmark needs a papergraph with it"
done

# --- helpers ----------------------------------------------------------------------------------

now() { echo "${EPOCHREALTIME:-$(date +%s.%N)}"; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; } # calc FORMAT EXPRESSION
json_field() { # json_field FILE KEY: a number from the summary JSON, or die
    python3 - "$1" "$2" <<'EOF' || die "$1: no numeric '$2' (papergraph --summary-json output)"
import json, sys
try:
    value = json.load(open(sys.argv[1]))[sys.argv[2]]
except (OSError, ValueError, KeyError, TypeError):
    sys.exit(1)
if not isinstance(value, (int, float)) or isinstance(value, bool):
    sys.exit(1)
print(value)
EOF
}

# run_timed NAME LOG CMD...: runs CMD under GNU time; sets SECONDS_TAKEN (wall clock, µs
# resolution) and RSS_MB (peak resident set). Exit status 2 ("stored the good records, skipped
# some") is accepted with a warning; any other failure stops the benchmark.
run_timed() {
    local name=$1 log=$2 timefile=$2.time rc=0 start end
    shift 2
    start=$(now)
    "$TIME" -f '%e %M' -o "$timefile" "$@" >"$log" 2>&1 || rc=$?
    end=$(now)
    if [[ $rc -ne 0 && $rc -ne 2 ]]; then
        echo "build-bench.sh: $name failed (exit $rc): $*" >&2
        tail -n 20 "$log" >&2
        exit 1
    fi
    [[ $rc -eq 2 ]] && say "warning: $name skipped some records (exit 2); see $log"
    # GNU time writes "Command exited with non-zero status N" before the format line.
    local kb
    kb=$(tail -n 1 "$timefile" | awk '{ print $2 }')
    [[ $kb =~ ^[0-9]+$ ]] || die "cannot read peak RSS from $timefile"
    SECONDS_TAKEN=$(calc '%.3f' "$end - $start")
    RSS_MB=$(calc '%.0f' "$kb / 1024")
}

GIT_REV=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
RUN_AT=$(date -u +%Y-%m-%dT%H:%M:%SZ)
CPUS=$(nproc 2>/dev/null || echo 0)
RESULTS=$BENCH_DIR/results.jsonl

say "binary $BIN, bench dir $BENCH_DIR, $CPUS CPUs, commit $GIT_REV"
rows=()
lookup_rows=()

for n in "$@"; do
    corpus=$BENCH_DIR/corpus-$n.jsonl
    store=$BENCH_DIR/store-$n
    summary=$BENCH_DIR/summary-$n.json

    # Corpus, generated once (corpus.py writes a temporary file and renames it when done).
    if [[ ! -s $corpus ]]; then
        say "generating $corpus"
        python3 "$HERE/corpus.py" --records "$n" --out "$corpus" || die "corpus generation failed"
    fi
    bytes=$(stat -c %s "$corpus")
    mb=$(calc '%.1f' "$bytes / 1e6")

    # Floor: reading the corpus from a warm page cache, best of 3.
    cat "$corpus" >/dev/null
    cat_s=
    for _ in 1 2 3; do
        start=$(now)
        cat "$corpus" >/dev/null
        end=$(now)
        t=$(calc '%.4f' "$end - $start")
        if [[ -z $cat_s ]] || awk "BEGIN { exit !($t < $cat_s) }"; then cat_s=$t; fi
    done
    cat_s=$(calc '%.4f' "($cat_s < 0.0001) ? 0.0001 : $cat_s")
    say "N=$n: cat ${cat_s}s for $mb MB"

    # Extraction alone: read, extract, make quads, store nothing. The --store points at a
    # scratch directory so a dry run can never touch the user's store.
    scratch=$BENCH_DIR/store-dry-$n
    rm -rf "$scratch"
    run_timed "dry run" "$BENCH_DIR/extract-$n.log" \
        "$BIN" --store "$scratch" build --dry-run --quiet "$corpus"
    ext_s=$SECONDS_TAKEN ext_rss=$RSS_MB
    rm -rf "$scratch"
    say "N=$n: extraction ${ext_s}s, peak RSS ${ext_rss} MB"

    # Full build into a fresh store.
    rm -rf "$store" "$summary"
    run_timed "build" "$BENCH_DIR/build-$n.log" \
        "$BIN" --store "$store" build --quiet --summary-json "$summary" "$corpus"
    build_s=$SECONDS_TAKEN build_rss=$RSS_MB
    [[ -s $summary ]] || die "build wrote no summary at $summary"
    papers=$(json_field "$summary" papers)
    records=$(json_field "$summary" records)
    quads=$(json_field "$summary" quads_written)
    skipped=$(json_field "$summary" skipped)
    store_mb=$(du -sm "$store" | cut -f1)
    stored=$("$BIN" --store "$store" query --format csv -e \
        'SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }' | tail -n 1 | tr -d '\r')
    [[ $stored =~ ^[0-9]+$ ]] || die "cannot count the quads in $store"
    per_paper=$(calc '%.1f' "$stored / $papers")
    say "N=$n: build ${build_s}s, $papers papers, $stored quads stored ($per_paper a paper), peak RSS ${build_rss} MB, store ${store_mb} MB"

    # Lookups on the fresh store, each a whole process.
    lookups=$BENCH_DIR/lookups-$n.json
    python3 "$HERE/lookup_bench.py" --bin "$BIN" --store "$store" --corpus "$corpus" \
        ${QUERIES:+--queries} >"$lookups" || die "lookup benchmark failed"
    lookup() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]][sys.argv[3]])" "$lookups" "$1" "$2"; }
    say "N=$n: lookups $(cat "$lookups")"

    # Oxigraph's own bulk loader on the same quads: the floor papergraph's loading works against.
    nquads=$BENCH_DIR/store-$n.nq
    "$BIN" --store "$store" export --format nquads -o "$nquads" >/dev/null 2>&1 || die "export --format nquads failed"
    bulk_store=$BENCH_DIR/bulk-$n
    rm -rf "$bulk_store"
    run_timed "oxigraph bulk load" "$BENCH_DIR/bulk-$n.log" python3 -c \
        'import sys, pyoxigraph; pyoxigraph.Store(sys.argv[1]).bulk_load(path=sys.argv[2], format=pyoxigraph.RdfFormat.N_QUADS)' \
        "$bulk_store" "$nquads"
    bulk_s=$SECONDS_TAKEN bulk_rss=$RSS_MB
    bulk_mb=$(du -sm "$bulk_store" | cut -f1)
    rm -rf "$bulk_store" "$nquads"
    say "N=$n: oxigraph bulk load ${bulk_s}s, peak RSS ${bulk_rss} MB, store ${bulk_mb} MB"

    # The script a user would write instead.
    comp_pps=n/a
    if [[ ${SKIP_COMPETITOR:-0} != 1 ]]; then
        comp_store=$BENCH_DIR/competitor-$n
        rm -rf "$comp_store"
        python3 "$HERE/competitor.py" --taxonomy "$REPO/data/concepts.ttl" --store "$comp_store" "$corpus" \
            >"$BENCH_DIR/competitor-$n.json" 2>"$BENCH_DIR/competitor-$n.log" || die "competitor.py failed; see $BENCH_DIR/competitor-$n.log"
        comp_pps=$(python3 -c "import json,sys; print(round(json.load(open(sys.argv[1]))['papers_per_s']))" "$BENCH_DIR/competitor-$n.json")
        rm -rf "$comp_store"
        say "N=$n: competitor $comp_pps papers/s"
    fi
    if [[ ${KEEP_STORES:-0} != 1 ]]; then rm -rf "$store"; fi

    # Rates. Extraction handles the same papers as the build, so both use the summary's count.
    cat_mbs=$(calc '%.1f' "$bytes / 1e6 / $cat_s")
    cat_rps=$(calc '%.0f' "$n / $cat_s")
    ext_pps=$(calc '%.0f' "$papers / $ext_s")
    ext_mbs=$(calc '%.1f' "$bytes / 1e6 / $ext_s")
    ratio=$(calc '%.3f' "$cat_s / $ext_s") # (MB/s extract) / (MB/s cat)
    build_pps=$(calc '%.0f' "$papers / $build_s")
    build_tps=$(calc '%.0f' "$quads / $build_s")
    bulk_ratio=$(calc '%.2f' "$build_s / $bulk_s")
    if [[ $comp_pps == n/a ]]; then comp_ratio=n/a; else comp_ratio=$(calc '%.1f' "$build_pps / $comp_pps"); fi

    printf '{"run_at":"%s","commit":"%s","cpus":%s,"binary":"%s","n":%s,"input_bytes":%s,' \
        "$RUN_AT" "$GIT_REV" "$CPUS" "$BIN" "$n" "$bytes" >>"$RESULTS"
    printf '"cat_s":%s,"cat_mb_s":%s,"cat_records_s":%s,' "$cat_s" "$cat_mbs" "$cat_rps" >>"$RESULTS"
    printf '"extract_s":%s,"extract_papers_s":%s,"extract_mb_s":%s,"extract_peak_rss_mb":%s,"extract_floor_ratio":%s,' \
        "$ext_s" "$ext_pps" "$ext_mbs" "$ext_rss" "$ratio" >>"$RESULTS"
    printf '"build_s":%s,"papers":%s,"records":%s,"skipped":%s,"quads_written":%s,"quads_stored":%s,"quads_per_paper":%s,"build_papers_s":%s,"build_triples_s":%s,"build_peak_rss_mb":%s,"store_mb":%s,' \
        "$build_s" "$papers" "$records" "$skipped" "$quads" "$stored" "$per_paper" "$build_pps" "$build_tps" "$build_rss" "$store_mb" >>"$RESULTS"
    printf '"bulk_load_s":%s,"bulk_load_peak_rss_mb":%s,"bulk_store_mb":%s,"build_bulk_ratio":%s,"competitor_papers_s":"%s","lookups":%s}\n' \
        "$bulk_s" "$bulk_rss" "$bulk_mb" "$bulk_ratio" "$comp_pps" "$(cat "$lookups")" >>"$RESULTS"

    rows+=("| $n | $mb | $cat_s | $ext_s | $ext_pps | $build_s | $build_pps | $bulk_s | $bulk_ratio | $comp_pps | $comp_ratio | $per_paper | $store_mb | $build_rss |")
    lookup_rows+=("| $n | $(lookup concept p50_ms) / $(lookup concept p95_ms) | $(lookup paper p50_ms) / $(lookup paper p95_ms) | $(lookup title p50_ms) / $(lookup title p95_ms) | $(lookup repo p50_ms) / $(lookup repo p95_ms) |")
done

echo "papergraph build benchmark — commit $GIT_REV, $CPUS CPUs, $RUN_AT"
echo
echo "| records | input MB | cat s | extract s | extract papers/s | build s | build papers/s | oxigraph bulk load s | build / bulk load | competitor papers/s | papergraph / competitor | quads / paper | store MB | build peak RSS MB |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
echo
echo "Lookup latency in ms, p50 / p95 over 20 different names, each a whole process (start-up included), warm cache:"
echo
echo "| records | concept NAME | paper ARXIV_ID | paper TITLE WORDS | repo OWNER/NAME |"
echo "|---:|---:|---:|---:|---:|"
printf '%s\n' "${lookup_rows[@]}"
say "raw results appended to $RESULTS"
