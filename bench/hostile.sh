#!/usr/bin/env bash
# Hostile clients: starts serve on loopback, runs `rekor-bench hostile` (one check per attack:
# headers, smuggling shapes, body limits, slowloris and idle connections on the API, gRPC and tile ports,
# traversal, rapid reset, SETTINGS/PING/CONTINUATION floods, HPACK and gzip bombs, stream limits,
# metric labels), then checks the log with fsck and that serve exits 0 on SIGTERM.
#   bash bench/hostile.sh [path/to/rekor-server-posix]
# SHORT=1 is the CI form (the same attacks, small counts). PORT_BASE (default 3950) gives serve's
# four ports (HTTP, gRPC, metrics, tiles); WORK=dir keeps the outputs there (default: a new
# /tmp/rekorposix-hostile.*, printed); the attacks' table goes to $WORK/hostile-table.md.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
base=${PORT_BASE:-3950}
source "$root/bench/checks.sh"
bench_setup hostile hostile.test "${1:-}"
# 2,000 idle connections on each port: the server and the attacker each need that many descriptors.
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# A short server timeout and tile idle timeout, so that slowloris and idle connections are cut off
# in seconds; everything else is serve's defaults.
"$bin" serve --storage-dir "$work/log" --signer-filepath "$work/key.pem" --hostname hostile.test \
    --http-port "$base" --grpc-port $((base + 1)) --http-metrics-port $((base + 2)) --tiles-port $((base + 3)) \
    --checkpoint-interval 100ms --server-timeout 5s --tiles-idle-timeout 5s > "$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do
    curl -fs "http://127.0.0.1:$base/healthz" > /dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
done
check "serve starts" curl -fs -o /dev/null "http://127.0.0.1:$base/healthz" || { cat "$work/serve.log"; exit 1; }
# A log with entries in it, so that fsck at the end checks tiles the attacks ran beside.
$bench --url "http://127.0.0.1:$base" --count 20 --concurrency 4 --no-ceiling > "$work/writes.txt" 2>&1
check "20 entries written before the attacks" grep -q '^accepted: 20/20' "$work/writes.txt"

expected=20 # the attacks rekor-bench hostile runs (HostileHttp1, HostileHttp2)
started=$(date +%s)
$bench hostile --api-url "http://127.0.0.1:$base" --grpc-url "http://127.0.0.1:$((base + 1))" \
    --metrics-url "http://127.0.0.1:$((base + 2))" --tiles-url "http://127.0.0.1:$((base + 3))" \
    --server-pid "$server_pid" --server-log "$work/serve.log" --table "$work/hostile-table.md" \
    $([ "${SHORT:-0}" = 1 ] && echo --short) 2>&1 | tee "$work/hostile.txt"
hostile_rc=${PIPESTATUS[0]}
attacks=$(grep -cE '^(PASS|FAIL) ' "$work/hostile.txt")
passed=$((passed + $(grep -c '^PASS ' "$work/hostile.txt")))
failed=$((failed + $(grep -c '^FAIL ' "$work/hostile.txt")))
echo "hostile: $attacks attacks in $(($(date +%s) - started)) s"
# Every attack ran (a crash part-way would leave fewer lines), and the exit status agrees with them.
check "rekor-bench hostile ran all $expected attacks (rc $hostile_rc, $attacks checks)" \
    bash -c "[ '$attacks' = '$expected' ] && { [ '$hostile_rc' = 0 ] || { [ '$hostile_rc' = 1 ] && grep -q '^FAIL ' '$work/hostile.txt'; }; }"
check "the table has a row per attack" bash -c "[ -s '$work/hostile-table.md' ] && [ \$(grep -c '^| ' '$work/hostile-table.md') = $((attacks + 1)) ]"
kill -TERM "$server_pid"
wait "$server_pid"
rc=$?
server_pid=""
check "serve exits 0 on SIGTERM after the attacks (rc $rc)" test "$rc" = 0
# Kestrel logs some client-caused aborts at crit (throttled by ThrottlingLoggerProvider, and
# bounded per attack above); our own categories must never.
check "serve logged no unhandled exception and no crit line of its own" bash -c "[ -s '$work/serve.log' ] && ! grep -qE '^crit: RekorPosix|Unhandled exception' '$work/serve.log'"
"$bin" fsck --storage-dir "$work/log" --vkey "$vkey" > "$work/fsck.txt" 2>&1
fsck_rc=$?
size=$(sed -n 2p "$work/log/checkpoint" 2>/dev/null)
check "fsck passes on the log (rc $fsck_rc)" test "$fsck_rc" = 0
# No attack got anything appended: the log holds the 20 entries written before them, no more.
check "the log holds exactly the 20 entries written (size ${size:-none})" test "${size:-0}" = 20
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
