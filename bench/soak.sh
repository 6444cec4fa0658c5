#!/usr/bin/env bash
# Soak: measures the write capacity, then drives SOAK_SHARE percent of it (default 80) for
# SOAK_SECONDS (default 1800) while readers fetch tiles, printing a sample line every 10 s (server
# RSS, open descriptors, threads); then reports the RSS percentiles and checks that RSS does not
# keep growing after the warm-up (bench/rss_trend.py), stops the server, checks the whole log with
# fsck and that its size is the number of accepted entries. Ends with "N passed, M failed".
#   SOAK_SECONDS=1800 bash bench/soak.sh [path/to/rekor-server-posix]
# CAPACITY=n (entries/s) skips the measurement; PORT_BASE (default 4900) gives the soak server's
# four ports (HTTP, gRPC, metrics, tiles), the capacity run takes PORT_BASE+10..13; WORK=dir keeps
# the outputs there (default: a new /tmp/rekorposix-soak.*, printed); KEEP_LOG=1 keeps the log;
# SERVE_ARGS and SOAK_ARGS add flags to the soak's `serve` and `rekor-bench soak`.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
seconds=${SOAK_SECONDS:-1800}
share=${SOAK_SHARE:-80}
# Every write is answered only once a checkpoint covers it (Rekor v2 returns the inclusion proof),
# so the interval is most of a client's latency: an operator of a signing log picks about a second
# (10 s, the default, makes every signature wait 5-10 s; 100 ms, write.sh's, signs ten checkpoints
# a second for witnesses and mirrors to chase).
interval=${CHECKPOINT_INTERVAL:-1s}
base=${PORT_BASE:-4900}
source "$root/bench/checks.sh"
bench_setup soak soak.test "${1:-}"

start_server() { # STORAGE_DIR FIRST_PORT LOGFILE: starts serve, sets server_pid, waits for /healthz
    "$bin" serve --storage-dir "$1" --signer-filepath "$work/key.pem" --hostname soak.test \
        --http-port "$2" --grpc-port $(($2 + 1)) --http-metrics-port $(($2 + 2)) --tiles-port $(($2 + 3)) \
        --checkpoint-interval "$interval" ${SERVE_ARGS:-} > "$3" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 300); do
        curl -fs "http://127.0.0.1:$2/healthz" > /dev/null 2>&1 && return 0
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "soak: serve did not start:"; cat "$3"
    return 1
}
stop_server() { kill -TERM "$server_pid"; wait "$server_pid"; local rc=$?; server_pid=""; return $rc; }

# ---- capacity: a throughput run on a throwaway log, with the soak's settings -----------------
capacity=${CAPACITY:-}
if [ -z "$capacity" ]; then
    start_server "$work/capacity-log" $((base + 10)) "$work/capacity-serve.log" || exit 1
    # Enough clients to keep the server busy although each waits about a checkpoint interval.
    $bench --url "http://127.0.0.1:$((base + 10))" --count "${CAPACITY_COUNT:-30000}" --concurrency "${CAPACITY_CONCURRENCY:-4000}" \
        --no-ceiling --server-pid "$server_pid" | tee "$work/capacity.txt"
    stop_server
    rm -rf "$work/capacity-log"
    capacity=$(sed -nE 's/^accepted: .* = ([0-9]+) entries\/s.*/\1/p' "$work/capacity.txt")
    [ -n "$capacity" ] || { echo "soak: no capacity measured"; exit 1; }
fi
rate=$((capacity * share / 100))
echo "soak: capacity $capacity entries/s, soaking at $share% = $rate/s for $seconds s, checkpoint interval $interval"

# ---- the soak --------------------------------------------------------------------------------
start_server "$work/log" "$base" "$work/serve.log" || exit 1
$bench soak --url "http://127.0.0.1:$base" --tiles-url "http://127.0.0.1:$((base + 3))" --rate "$rate" --duration "$seconds" \
    --server-pid "$server_pid" ${SOAK_ARGS:-} 2>&1 | tee "$work/soak.txt"
soak_rc=${PIPESTATUS[0]}
check "soak: every write answered 201 and every tile read succeeded" test "$soak_rc" = 0
# The server's RSS over the samples (start/p50/p90/max/end) and whether it keeps growing after the
# warm-up: least squares over the samples after the first 10 minutes (the first third of a soak
# under 30 minutes). The rule, its limit and why are in bench/rss_trend.py; its self-test holds the
# rule to synthetic series (flat with noise, GC sawtooth, rise then level off: pass; leaks: fail).
python3 "$root/bench/rss_trend.py" "$work/soak.txt" > "$work/rss.txt"
rss_rc=$?
cat "$work/rss.txt"
check "RSS does not keep growing ($(sed -n 's/^rss check: //p' "$work/rss.txt"))" test "$rss_rc" = 0
check "RSS trend rule passes its self-test (flat with noise, GC sawtooth, levelling off: not growing; steady leaks: growing)" \
    python3 "$root/bench/rss_trend.py" --self-test
result=$(grep '^result ' "$work/soak.txt")
field() { sed -nE "s/.* $1=(-?[0-9]+).*/\1/p" <<<"$result"; }
fds_start=$(field fds_start)
fds_end=$(field fds_end)
sockets() { grep '^server fds by kind:' "$work/soak.txt" | sed 's/; end /\n/' | sed -n "$1p" | grep -oE 'socket [0-9]+' | cut -d' ' -f2; }
sockets_start=$(sockets 1)
sockets_end=$(sockets 2)
# Once the clients have gone the server must hold no connection, and its descriptors must come
# back near their start: beside the listeners it keeps what the dedup index pools (up to 16 idle
# SQLite readers, each holding the database and its WAL), so the slack is 40.
check "server holds no connection after the clients left (sockets start ${sockets_start:-?}, end ${sockets_end:-?})" \
    test -n "$sockets_end" -a "$sockets_end" = "$sockets_start"
check "server descriptors back near their start (start $fds_start, end $fds_end)" \
    test -n "$fds_end" -a "${fds_end:--1}" -ge 0 -a "${fds_end:-0}" -le $((${fds_start:-0} + 40))
stop_server
check "serve exits 0 on SIGTERM after the soak" test $? = 0
# serve.log holds at least the start-up lines: an empty or missing one would prove nothing.
check "serve logged no warning or error" bash -c "[ -s '$work/serve.log' ] && ! grep -qE '^(warn|fail|crit):|Unhandled exception' '$work/serve.log'"
"$bin" fsck --storage-dir "$work/log" --vkey "$vkey" > "$work/fsck.txt" 2> "$work/fsck.err"
fsck_rc=$?
cat "$work/fsck.txt"; grep -v 'entries checked' "$work/fsck.err"
check "fsck passes on the whole log" test "$fsck_rc" = 0
size=$(sed -n 2p "$work/log/checkpoint")
accepted=$(field accepted)
check "log size ($size) = accepted entries ($accepted), more than none" test -n "$accepted" -a "${accepted:-0}" -gt 0 -a "$size" = "$accepted"
echo "soak: log on disk $(du -sh "$work/log" | cut -f1)"
[ "${KEEP_LOG:-0}" = 1 ] || rm -rf "$work/log"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
