#!/usr/bin/env bash
# Search index: (a) the follower's catch-up on a large log: a log of COUNT (default 1,000,000)
# hashedrekord entries with Fulcio-style certificates (rekor-bench bulk-hashedrekord), then
# `search` from no index, which indexes every entry before it answers: entries/s, µs and index
# bytes per entry. (b) the write path with --search-index off and on, in turns in the same run
# (ROUNDS rounds of WRITES entries from CLIENTS clients, MIX as rekor-bench takes it).
#   COUNT=1000000 WRITES=20000 CLIENTS=2000 ROUNDS=3 bash bench/search-index.sh [WORKDIR]   (BIN=path skips publishing)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${COUNT:-1000000}
writes=${WRITES:-20000}
clients=${CLIENTS:-2000}
rounds=${ROUNDS:-3}
mix=${MIX:-fulcio}
work=${1:-$(mktemp -d /tmp/rekorposix-search.XXXXXX)}
mkdir -p "$work"
source bench/binaries.sh
bench_binaries search.test

echo "== (a) catch-up: a log of $count entries, searched from no index"
[ -f "$work/log/checkpoint" ] || $bench bulk-hashedrekord "$work/log" "$work/key.pem" search.test "$count" > /dev/null
rm -f "$work/log/.state/search.db"*
start=$(date +%s.%N)
# Entries whose index is 7 modulo 64 carry this identity (HashedRekordBodies).
/usr/bin/time -f "search: %e s wall, %U s user, %S s sys, max RSS %M KB" \
    "$bin" search --storage-dir "$work/log" --email user7@example.com > "$work/found.txt"
end=$(date +%s.%N)
bytes=$(cat "$work/log/.state/search.db"* | wc -c)
awk -v n="$count" -v from="$start" -v to="$end" -v b="$bytes" 'BEGIN {
    s = to - from
    printf "indexed %d entries in %.2f s: %.0f entries/s, %.1f us/entry, %.1f index bytes/entry (%d bytes)\n", n, s, n / s, s * 1e6 / n, b / n, b }'
echo "search: $(wc -l < "$work/found.txt") matches ($(( (count + 56) / 64 )) expected)"

echo "== (b) writes: --search-index off and on, $rounds rounds of $writes entries ($mix, $clients clients)"
# The verify-only endpoint is measured before each run too: the reference of the same moment.
$bench verify-endpoint 4830 > "$work/verify-endpoint.log" 2>&1 &
# wait_for WHAT COMMAND...: until the command succeeds, 30 s at most (a run must not hang CI).
wait_for() {
    local what=$1; shift
    for _ in $(seq 1 600); do "$@" && return 0; sleep 0.05; done
    echo "search-index.sh: $what did not come up within 30 s" >&2
    exit 1
}
answers_400() { [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -d '{}' "$1")" = 400 ]; }
wait_for "the verify-only endpoint" answers_400 http://127.0.0.1:4830/
vpid=$(pgrep -f "rekor-bench.dll verify-endpoint 4830" | head -1)
trap 'kill $vpid 2>/dev/null' EXIT
for round in $(seq 1 "$rounds"); do
    for side in off on; do
        rm -rf "$work/wlog"
        flag=$([ $side = on ] && echo --search-index || true)
        "$bin" serve --storage-dir "$work/wlog" --signer-filepath "$work/key.pem" --hostname search.test $flag \
            --http-port 4820 --grpc-port 4821 --http-metrics-port 4822 --tiles-port 4823 --checkpoint-interval 100ms > "$work/serve-$side.log" 2>&1 &
        pid=$!
        wait_for "serve (search index $side; $work/serve-$side.log)" curl -fs -o /dev/null http://127.0.0.1:4820/healthz
        $bench --url http://127.0.0.1:4820 --count "$writes" --concurrency "$clients" --mix "$mix" --no-ceiling --server-pid $pid \
            --reference-url http://127.0.0.1:4830 --reference-pid "$vpid" > "$work/$side-$round.txt"
        echo "round $round, search index $side: $(grep '^accepted' "$work/$side-$round.txt")"
        [ $side = on ] && echo "  search index lag at the end: $(curl -s http://127.0.0.1:4822/metrics | sed -n 's/^rekor_posix_search_index_lag //p')"
        kill -TERM $pid; wait $pid || true
    done
done
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
for side in off on; do
    echo "search index $side: median accepted $(grep -h '^accepted' "$work"/$side-*.txt | sed -E 's|.*= ([0-9]+) entries/s.*|\1|' | median) entries/s," \
        "$(grep -h '^accepted' "$work"/$side-*.txt | sed -E 's|.*= ([0-9.]+) x verify-only endpoint.*|\1|' | median) x the verify-only endpoint"
done
