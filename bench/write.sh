#!/usr/bin/env bash
# Write path: throughput against two references measured in the same run (the raw ceiling: decode +
# key load + verify alone on all cores; and a verify-only HTTP endpoint driven like the server), and
# latency at a fixed rate, each over ROUNDS rounds (default 3) on a fresh log; prints every round and
# the medians. Server and load generator are both native AOT, as in production.
#   ROUNDS=3 COUNT=20000 CLIENTS=2000 MIX=fulcio bash bench/write.sh
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
count=${COUNT:-20000}
clients=${CLIENTS:-2000}
mix=${MIX:-fulcio}
work=$(mktemp -d /tmp/rekorposix-write.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
dotnet publish RekorPosix.csproj -c Release -r linux-x64 -o "$work/out" > "$work/publish.log" 2>&1
dotnet publish bench/RekorPosix.Bench -c Release -r linux-x64 -p:PublishAot=true -o "$work/bench" > "$work/bench-build.log" 2>&1
bin="$work/out/rekor-server-posix"
bench="$work/bench/rekor-bench"
"$bin" keygen --output "$work/key.pem" --hostname bench.test > /dev/null

start() {
    rm -rf "$work/log"
    "$bin" serve --storage-dir "$work/log" --signer-filepath "$work/key.pem" --hostname bench.test \
        --http-port 4800 --grpc-port 4801 --http-metrics-port 4802 --tiles-port 4803 --checkpoint-interval 100ms > "$work/serve.log" 2>&1 &
    pid=$!
    until curl -fs http://127.0.0.1:4800/healthz > /dev/null 2>&1; do sleep 0.05; done
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
field() { grep -h "$1" "$work"/$2-*.txt | sed -E "s|.*$3.*|\1|" | median; }

"$bench" verify-endpoint 4810 > /dev/null 2>&1 &
vpid=$!
until [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -d '{}' http://127.0.0.1:4810/)" = 400 ]; do sleep 0.05; done
for round in $(seq 1 "$rounds"); do
    echo "== round $round"
    start
    "$bench" --url http://127.0.0.1:4800 --count "$count" --concurrency "$clients" --mix "$mix" --server-pid $pid \
        --reference-url http://127.0.0.1:4810 --reference-pid $vpid | tee "$work/throughput-$round.txt"
    kill -TERM $pid; wait $pid || true
    start
    "$bench" --url http://127.0.0.1:4800 --count 5000 --rate 500 --no-ceiling --mix "$mix" | tee "$work/latency-$round.txt"
    kill -TERM $pid; wait $pid || true
done
echo "== medians of $rounds rounds ($mix, $count entries, $clients clients)"
echo "accepted entries/s:        $(field '^accepted' throughput '= ([0-9]+) entries/s')"
echo "ratio to the ceiling:      $(field '^accepted' throughput '= ([0-9.]+) x ceiling')"
echo "ratio to verify-only HTTP: $(field '^accepted' throughput '= ([0-9.]+) x verify-only')"
echo "cpu ratio (ceiling cpu / server + client cpu): $(field '^cpu ratio' throughput 'ratio: ([0-9.]+) ')"
echo "cpu us/entry: server $(field '^cpu us' throughput 'server ([0-9]+) ')  client $(field '^cpu us' throughput 'client ([0-9]+) ')  ceiling $(field '^cpu us' throughput 'ceiling ([0-9]+) ')  verify-only endpoint $(field '^verify-only' throughput 'endpoint ([0-9]+)')"
echo "latency at 500/s:          p50 $(field '^latency' latency 'p50 ([0-9]+) ') ms, p99 $(field '^latency' latency 'p99 ([0-9]+) ') ms"
