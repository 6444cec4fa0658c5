#!/usr/bin/env bash
# Scale: builds a large log (COUNT entries, default 10 million) through the real integration code,
# then measures what an operator cares about at that size, each against the same figure on an
# empty log where one exists. Prints a summary; numbers go to BENCHMARKS.md by hand.
#   COUNT=10000000 ENTRY_SIZE=500 bash bench/scale.sh [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
count=${COUNT:-10000000}
size=${ENTRY_SIZE:-500}
work=${1:-$(mktemp -d /tmp/rekorposix-scale.XXXXXX)}
mkdir -p "$work"
out="$work/out"
dotnet publish RekorPosix.csproj -c Release -r linux-x64 -o "$out" > "$work/publish.log" 2>&1
dotnet build bench/RekorPosix.Bench -c Release > "$work/bench-build.log" 2>&1
bin="$out/rekor-server-posix"
bench="dotnet $root/bench/RekorPosix.Bench/bin/Release/net10.0/rekor-bench.dll"
[ -f "$work/key.pem" ] || "$bin" keygen --output "$work/key.pem" --hostname scale.test > "$work/keygen.txt"
vkey=$(sed -n 's/^Verifier key: //p' "$work/keygen.txt")

if [ ! -f "$work/big/.state/treeState" ]; then
    echo "== building a log of $count entries of $size bytes"
    /usr/bin/time -f "build: %e s, max RSS %M KB" $bench bulk "$work/big" "$work/key.pem" scale.test "$count" "$size" 65536
fi

echo "== fsck"
/usr/bin/time -f "fsck: %e s, max RSS %M KB" "$bin" fsck --storage-dir "$work/big" --vkey "$vkey" 2>&1 | grep -v 'entries checked'

rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hwm() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
# serve DIR PORTBASE: starts a server; sets $pid and $ready (seconds until /healthz answered).
serve() {
    local dir=$1 base=$2
    local started; started=$(date +%s.%N)
    "$bin" serve --storage-dir "$dir" --signer-filepath "$work/key.pem" --hostname scale.test \
        --http-port "$base" --grpc-port $((base + 1)) --http-metrics-port $((base + 2)) \
        --checkpoint-interval 100ms > "$work/serve-$base.log" 2>&1 &
    pid=$!
    until curl -fs "http://127.0.0.1:$base/healthz" > /dev/null 2>&1; do sleep 0.02; done
    ready=$(echo "$(date +%s.%N) - $started" | bc)
}
lag() { curl -fs "http://127.0.0.1:$1/metrics" | awk '/^rekor_posix_antispam_follower_lag / {print $2}'; }

echo "== start-to-ready (3 starts each)"
for round in 1 2 3; do
    serve "$work/big" 4710; t_big=$ready; big_pid=$pid
    if [ "$round" = 1 ]; then
        # The first start of an adopted log builds the dedup index from every bundle.
        started=$(date +%s)
        while [ "$(lag 4712)" != "0" ]; do sleep 1; done
        echo "dedup index built from $count entries in $(( $(date +%s) - started )) s"
        echo "dedup index: $(stat -c %s "$work/big/.state/antispam.db") bytes (+ WAL $(stat -c %s "$work/big/.state/antispam.db-wal" 2>/dev/null || echo 0)) = $(( $(stat -c %s "$work/big/.state/antispam.db") / count )) bytes per entry"
    fi
    sleep 2
    echo "big log: ready in $t_big s, idle RSS $(rss $big_pid) KB"
    kill -TERM $big_pid; wait $big_pid || true
    rm -rf "$work/empty"
    serve "$work/empty" 4720; t_empty=$ready; empty_pid=$pid
    sleep 2
    echo "empty log: ready in $t_empty s, idle RSS $(rss $empty_pid) KB"
    kill -TERM $empty_pid; wait $empty_pid || true
done

echo "== write throughput, big vs empty log (alternating, 3 rounds)"
for round in 1 2 3; do
    for which in big empty; do
        dir="$work/$which"; base=4730
        [ "$which" = empty ] && { rm -rf "$work/empty"; base=4740; }
        serve "$dir" $base; p=$pid
        $bench --url "http://127.0.0.1:$base" --count 10000 --concurrency 800 --no-ceiling | grep accepted | sed "s/^/$which: /"
        echo "$which: peak RSS under load $(hwm $p) KB"
        kill -TERM $p; wait $p || true
    done
done

echo "== disk"
tiles=$(du -sb "$work/big/tile" | cut -f1)
payload=$(( count * size ))
echo "tile/ holds $tiles bytes for $payload bytes of entries: $(( (tiles - payload) / count )) bytes per entry beyond the entry itself"
