#!/usr/bin/env bash
# Monitor catch-up: builds a log of COUNT (default 1,000,000) hashedrekord entries with Fulcio-style
# certificates through the POSIX driver's integration (rekor-bench bulk-hashedrekord), then times
# `monitor --once` over all of it from no state file: every entry read, hashed, parsed and matched,
# every hash tile compared, the root checked. Then a run with nothing new, and the same catch-up
# over HTTP from serve's tile listener. Prints entries/s; numbers go to BENCHMARKS.md by hand.
#   COUNT=1000000 bash bench/monitor.sh [WORKDIR]      (BIN=path skips publishing the binary)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${COUNT:-1000000}
work=${1:-$(mktemp -d /tmp/rekorposix-monitor.XXXXXX)}
mkdir -p "$work"
source bench/binaries.sh
bench_binaries monitor.test
vkey=$(sed -n 's/^Verifier key: //p' "$work/keygen.txt")

if [ ! -f "$work/log/checkpoint" ]; then
    echo "== building a log of $count hashedrekord entries"
    /usr/bin/time -f "build: %e s, max RSS %M KB" $bench bulk-hashedrekord "$work/log" "$work/key.pem" monitor.test "$count"
fi
echo "log: $(du -sb "$work/log/tile" | cut -f1) bytes of bundles and tiles"
# Entries whose index is 7 modulo 64 carry this identity (HashedRekordBodies).
echo "san user7@example.com issuer https://accounts.example.com" > "$work/watch"
expected=$(( (count + 56) / 64 ))

# once NAME SOURCE-FLAGS...: one monitor --once run from no state, its summary and resources.
once() {
    local name=$1
    shift
    rm -f "$work/state"
    /usr/bin/time -f "$name: %e s wall, %U s user, %S s sys, max RSS %M KB" \
        "$bin" monitor "$@" --vkey "$vkey" --state "$work/state" --watch "$work/watch" --once > "$work/$name.jsonl" 2> "$work/$name.err" || {
        cat "$work/$name.err"
        exit 1
    }
    grep -v '^monitor: checked' "$work/$name.err"
    echo "$name: $(wc -l < "$work/$name.jsonl") matches reported ($expected expected)"
}

echo "== monitor --once --storage-dir, from size 0"
once directory --storage-dir "$work/log"
echo "== again from its state: nothing new"
/usr/bin/time -f "unchanged: %e s wall, max RSS %M KB" "$bin" monitor --storage-dir "$work/log" --vkey "$vkey" --state "$work/state" --once

echo "== monitor --once --url (serve --read-only, its tile listener), from size 0"
base=4810
"$bin" serve --storage-dir "$work/log" --signer-filepath "$work/key.pem" --hostname monitor.test --read-only \
    --http-port $base --grpc-port $((base + 1)) --http-metrics-port $((base + 2)) --tiles-port $((base + 3)) > "$work/serve.log" 2>&1 &
serve_pid=$!
trap 'kill -TERM $serve_pid 2> /dev/null || true' EXIT
until curl -fs "http://127.0.0.1:$base/healthz" > /dev/null 2>&1; do sleep 0.05; done
once http --url "http://127.0.0.1:$((base + 3))"
