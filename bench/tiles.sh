#!/usr/bin/env bash
# Tile reads: the tile listener against nginx (packaging/nginx/rekor-posix.conf: sendfile on,
# 2 workers) on the same log, the same 8 KiB hash tile and the same full entry bundle, in
# alternating wrk rounds; prints each round, the medians and the listener/nginx ratios.
# Not a test: numbers depend on the machine and on what else runs on it. Method and figures
# are recorded in BENCHMARKS.md.
#
#   bench/tiles.sh [path/to/rekor-server-posix]      (default: publish one into a temp dir)
#
# Beside requests/s it prints the CPU time each server spent per request (user + system, from
# /proc): on a shared machine, where another process's load moves requests/s from run to run,
# that figure barely moves.
#
# Environment: ROUNDS (5), DURATION seconds per run (10), CONNECTIONS (64), THREADS of wrk (2),
# WORKERS of both servers (2), ENTRY_BYTES per entry (1000), PORT_BASE (3920), LISTENER_ARGS
# (extra serve flags, e.g. "--tiles-cache-size 0" to read every tile from disk).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${ROUNDS:-5} duration=${DURATION:-10} connections=${CONNECTIONS:-64} threads=${THREADS:-2}
workers=${WORKERS:-2} entry_bytes=${ENTRY_BYTES:-1000} base=${PORT_BASE:-3920}
command -v wrk >/dev/null || { echo "bench/tiles.sh needs wrk (apt-get install wrk)" >&2; exit 2; }
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { echo "bench/tiles.sh needs nginx (apt-get install nginx)" >&2; exit 2; }

work=$(mktemp -d /tmp/rekorposix-bench.XXXXXX)
serve_pid="" nginx_pid=""
cleanup() {
    [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
    [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

bin=${1:-}
if [ -z "$bin" ]; then
    echo "publishing rekor-server-posix ..."
    dotnet publish "$root/RekorPosix.csproj" -c Release -r linux-x64 -o "$work/out" > "$work/publish.log" 2>&1
    bin="$work/out/rekor-server-posix"
fi

# A log of 600 entries of ENTRY_BYTES each: full tiles and bundles 0 and 1, partials after them.
cd "$work"
"$bin" keygen --output key.pem --hostname bench.example/log > /dev/null
for i in $(seq 1 600); do printf 'entry %05d %0*d\n' "$i" $((entry_bytes - 12)) 0; done > entries.txt
"$bin" add --storage-dir log --signer-filepath key.pem --hostname bench.example/log --stdin-lines < entries.txt > /dev/null 2>&1

tiles=$((base + 2)) ngx=$((base + 3))
"$bin" serve --storage-dir log --signer-filepath key.pem --hostname bench.example/log --read-only \
    --http-port "$base" --grpc-port $((base + 1)) --tiles-port "$tiles" --tiles-workers "$workers" ${LISTENER_ARGS:-} > serve.log 2>&1 &
serve_pid=$!
for _ in $(seq 1 100); do curl -fs -o /dev/null "http://127.0.0.1:$tiles/checkpoint" && break; sleep 0.1; done
nginx_pid=$(bash "$root/tests/nginx-local.sh" "$work/nginx" log "$ngx" "$base" "$workers")

nginx_workers=$(pgrep -P "$nginx_pid" | tr '\n' ' ')
# CPU clock ticks (user + system) of every thread of the given processes.
ticks() { cat $(for p in "$@"; do echo /proc/"$p"/task/*/stat; done) | awk '{ t += $14 + $15 } END { print t }'; }
# One wrk run: prints "requests/s microseconds-of-CPU-per-request".
measure() {
    local url=$1; shift
    local before after out
    before=$(ticks "$@")
    out=$(wrk -t"$threads" -c"$connections" -d"${duration}s" "$url")
    after=$(ticks "$@")
    awk -v cpu=$(( (after - before) * 1000000 / $(getconf CLK_TCK) )) '/requests in/ { n = $1 } /^Requests\/sec:/ { r = $2 } END { printf "%s %.2f\n", r, cpu / n }' <<<"$out"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "machine: $(nproc) CPUs, $(uname -r); wrk -t$threads -c$connections -d${duration}s; $workers workers each; $rounds rounds"
for target in tile/0/000 tile/entries/000; do
    size=$(stat -c %s "log/$target")
    for port in "$tiles" "$ngx"; do
        curl -fs "http://127.0.0.1:$port/$target" | cmp -s - "log/$target" || { echo "port $port does not serve $target as on disk" >&2; exit 1; }
        wrk -t"$threads" -c"$connections" -d2s "http://127.0.0.1:$port/$target" > /dev/null # warm-up
    done
    : > "tiles.$size" ; : > "nginx.$size"
    for round in $(seq 1 "$rounds"); do
        # Alternate who goes first, so that drift in the machine's load hits both alike.
        if [ $((round % 2)) = 1 ]; then
            measure "http://127.0.0.1:$tiles/$target" "$serve_pid" >> "tiles.$size"
            measure "http://127.0.0.1:$ngx/$target" $nginx_workers >> "nginx.$size"
        else
            measure "http://127.0.0.1:$ngx/$target" $nginx_workers >> "nginx.$size"
            measure "http://127.0.0.1:$tiles/$target" "$serve_pid" >> "tiles.$size"
        fi
        read -r tr tc < <(tail -1 "tiles.$size"); read -r nr nc < <(tail -1 "nginx.$size")
        printf '%-18s round %d: listener %9.0f req/s %6.2f us/req   nginx %9.0f req/s %6.2f us/req\n' "$target" "$round" "$tr" "$tc" "$nr" "$nc"
    done
    t=$(cut -d' ' -f1 "tiles.$size" | median) n=$(cut -d' ' -f1 "nginx.$size" | median)
    tc=$(cut -d' ' -f2 "tiles.$size" | median) nc=$(cut -d' ' -f2 "nginx.$size" | median)
    printf '%-18s (%d bytes) medians: listener %.0f req/s, nginx %.0f req/s, ratio %.3f; CPU per request: listener %.2f us, nginx %.2f us\n' \
        "$target" "$size" "$t" "$n" "$(awk -v t="$t" -v n="$n" 'BEGIN { print t / n }')" "$tc" "$nc"
done
