#!/usr/bin/env bash
# Write path A/B: the server built from two git revisions, measured in the same run on the same
# machine, round by round in turn (A, B, A, B, ...), each against the verify-only HTTP endpoint
# as reference. For a change's before/after figures on a shared, noisy machine.
#   ROUNDS=3 COUNT=20000 CLIENTS=2000 MIX=fulcio bash bench/write-ab.sh main HEAD
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# = 2 ] || { echo "usage: bench/write-ab.sh REV_A REV_B" >&2; exit 2; }
rounds=${ROUNDS:-3}
count=${COUNT:-20000}
clients=${CLIENTS:-2000}
mix=${MIX:-fulcio}
work=$(mktemp -d /tmp/rekorposix-ab.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; git worktree remove --force "$work/src-a" 2>/dev/null; git worktree remove --force "$work/src-b" 2>/dev/null; rm -rf "$work"' EXIT
for side in a b; do
    rev=$([ $side = a ] && echo "$1" || echo "$2")
    git worktree add -q --detach "$work/src-$side" "$rev"
    dotnet publish "$work/src-$side/RekorPosix.csproj" -c Release -r linux-x64 -o "$work/out-$side" > "$work/publish-$side.log" 2>&1
    echo "$side = $rev ($(git rev-parse --short "$rev")): $(stat -c %s "$work/out-$side/rekor-server-posix") bytes"
done
dotnet publish bench/RekorPosix.Bench -c Release -r linux-x64 -p:PublishAot=true -o "$work/bench" > "$work/bench-build.log" 2>&1
bench="$work/bench/rekor-bench"
"$work/out-a/rekor-server-posix" keygen --output "$work/key.pem" --hostname bench.test > /dev/null

"$bench" verify-endpoint 4810 > /dev/null 2>&1 &
until [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -d '{}' http://127.0.0.1:4810/)" = 400 ]; do sleep 0.05; done
vpid=$(pgrep -f "rekor-bench verify-endpoint 4810" | head -1)
for round in $(seq 1 "$rounds"); do
    for side in a b; do
        rm -rf "$work/log"
        "$work/out-$side/rekor-server-posix" serve --storage-dir "$work/log" --signer-filepath "$work/key.pem" --hostname bench.test \
            --http-port 4800 --grpc-port 4801 --http-metrics-port 4802 --tiles-port 4803 --checkpoint-interval 100ms > "$work/serve-$side.log" 2>&1 &
        pid=$!
        until curl -fs http://127.0.0.1:4800/healthz > /dev/null 2>&1; do sleep 0.05; done
        echo "== round $round, $side"
        "$bench" --url http://127.0.0.1:4800 --count "$count" --concurrency "$clients" --mix "$mix" --server-pid $pid \
            --reference-url http://127.0.0.1:4810 --reference-pid "$vpid" | tee "$work/$side-$round.txt"
        kill -TERM $pid; wait $pid || true
    done
done
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
field() { grep -h "$1" "$work"/$2-*.txt | sed -E "s|.*$3.*|\1|" | median; }
for side in a b; do
    echo "== $side: medians of $rounds rounds ($mix, $count entries, $clients clients)"
    echo "accepted entries/s:        $(field '^accepted' $side '= ([0-9]+) entries/s')"
    echo "ratio to verify-only HTTP: $(field '^accepted' $side '= ([0-9.]+) x verify-only')"
    echo "ratio to the ceiling:      $(field '^accepted' $side '= ([0-9.]+) x ceiling')"
    echo "cpu us/entry: server $(field '^cpu us' $side 'server ([0-9]+) ')  verify-only endpoint $(field '^verify-only' $side 'endpoint ([0-9]+)')"
done
