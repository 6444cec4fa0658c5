#!/usr/bin/env bash
# Write path: throughput against the ceiling measured in the same run, and latency at a fixed
# rate, each over ROUNDS rounds (default 3) on a fresh log; prints every round and the medians.
#   ROUNDS=3 COUNT=10000 MIX=fulcio bash bench/write.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
rounds=${ROUNDS:-3}
count=${COUNT:-10000}
mix=${MIX:-fulcio}
work=$(mktemp -d /tmp/rekorposix-write.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
dotnet publish RekorPosix.csproj -c Release -r linux-x64 -o "$work/out" > "$work/publish.log" 2>&1
dotnet build bench/RekorPosix.Bench -c Release > "$work/bench-build.log" 2>&1
bin="$work/out/rekor-server-posix"
bench="dotnet $root/bench/RekorPosix.Bench/bin/Release/net10.0/rekor-bench.dll"
"$bin" keygen --output "$work/key.pem" --hostname bench.test > /dev/null

start() {
    rm -rf "$work/log"
    "$bin" serve --storage-dir "$work/log" --signer-filepath "$work/key.pem" --hostname bench.test \
        --http-port 4800 --grpc-port 4801 --http-metrics-port 4802 --checkpoint-interval 100ms > "$work/serve.log" 2>&1 &
    pid=$!
    until curl -fs http://127.0.0.1:4800/healthz > /dev/null 2>&1; do sleep 0.05; done
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

for round in $(seq 1 "$rounds"); do
    start
    $bench --url http://127.0.0.1:4800 --count "$count" --concurrency 800 --mix "$mix" | tee "$work/throughput-$round.txt"
    kill -TERM $pid; wait $pid || true
    start
    $bench --url http://127.0.0.1:4800 --count 5000 --rate 500 --no-ceiling --mix "$mix" | tee "$work/latency-$round.txt"
    kill -TERM $pid; wait $pid || true
done
echo "== medians of $rounds rounds ($mix)"
echo "accepted entries/s: $(grep -h '^accepted' "$work"/throughput-*.txt | sed -E 's/.*= ([0-9]+) entries\/s.*/\1/' | median)"
echo "ratio to ceiling:   $(grep -h '^accepted' "$work"/throughput-*.txt | sed -E 's/.*= ([0-9.]+) x ceiling.*/\1/' | median)"
echo "latency at 500/s:   p50 $(grep -h '^latency' "$work"/latency-*.txt | sed -E 's/.*p50 ([0-9]+).*/\1/' | median) ms, p99 $(grep -h '^latency' "$work"/latency-*.txt | sed -E 's/.*p99 ([0-9]+).*/\1/' | median) ms"
