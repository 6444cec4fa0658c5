#!/usr/bin/env bash
# Write path: throughput against two references measured in the same run (the raw ceiling: decode +
# key load + verify alone on all cores; and a verify-only HTTP endpoint driven like the server), and
# latency at a fixed rate, each over ROUNDS rounds (default 3) on a fresh log; prints every round and
# the medians. Server and load generator are both native AOT, as in production.
#   ROUNDS=3 COUNT=20000 CLIENTS=2000 MIX=fulcio bash bench/write.sh
#
# FLAVOUR=aws: the aws flavour on the cloud rig (tests/cloud/rig.sh: a private MariaDB and s3rver on
# loopback, started and stopped here), one instance and then two instances sharing the database and
# bucket, each round also measuring the posix flavour as the reference, all at the same checkpoint
# interval (CHECKPOINT_INTERVAL, 1s: the aws flavour's least). Beside our server's CPU per entry,
# the database's and the object store's, from /proc over the load alone. CLIENTS defaults to 4000:
# every request waits for a checkpoint, so throughput is clients / latency (about 1 s here).
#   FLAVOUR=aws ROUNDS=3 bash bench/write.sh
# FLAVOUR=gcp: the gcp flavour on the emulator rig (Google's Cloud Spanner emulator, tests/gcp/emulator.sh,
# and s3rver reached as a GCS bucket through the XML API with HMAC keys), one instance and then two
# instances sharing the databases and bucket, beside posix and aws1 measured in the same round, all at
# CHECKPOINT_INTERVAL 1.2s (the gcp flavour's least). The emulator's CPU is that of its two processes,
# gateway_main and its child emulator_main. GCP_ARGS adds serve flags to the gcp instances.
#   FLAVOUR=gcp ROUNDS=3 bash bench/write.sh
# SETUPS=posix-witnessed (or "posix posix-witnessed" for the comparison): the posix flavour with two
# of our witnesses (the `witness` command, each its own process) in a policy that needs both, so every
# checkpoint waits for two add-checkpoint round trips.
# AWS_ARGS adds serve flags to the aws instances. PREBUILT=DIR takes rekor-server-posix,
# rekor-server-aws, rekor-server-gcp (those the setups need) and rekor-bench from DIR instead of
# publishing them (A/B runs of a change).
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${FLAVOUR:-posix}
case "$flavour" in
    posix) default_setups=posix default_interval=100ms ;;
    aws) default_setups="posix aws1 aws2" default_interval=1s ;;
    gcp) default_setups="posix aws1 gcp1 gcp2" default_interval=1.2s ;;
    *) echo "FLAVOUR must be posix, aws or gcp" >&2; exit 2 ;;
esac
rounds=${ROUNDS:-3}
count=${COUNT:-20000}
clients=${CLIENTS:-$([ "$flavour" = posix ] && echo 2000 || echo 4000)}
mix=${MIX:-fulcio}
interval=${CHECKPOINT_INTERVAL:-$default_interval}
# SETUPS picks some of them, e.g. "posix aws1" for a quicker A/B of a change.
setups=${SETUPS:-$default_setups}
for setup in $setups; do
    case "$setup" in posix | posix-witnessed | aws[12] | gcp[12]) ;; *) echo "unknown setup $setup (posix, posix-witnessed, aws1, aws2, gcp1, gcp2)" >&2; exit 2 ;; esac
done
# uses KIND: some setup is aws* or gcp* (KIND "aws" or "gcp").
uses() { [[ " $setups" == *" $1"* ]]; }
if uses gcp; then
    # shellcheck source=../tests/gcp/emulator.sh
    source tests/gcp/emulator.sh
    # Before minutes of publishing: the emulator's own message says what to install.
    _gcp_gateway > /dev/null || { echo "write.sh: the gcp setups need the Cloud Spanner emulator (see above)" >&2; exit 1; }
fi
work=$(mktemp -d /tmp/rekorposix-write.XXXXXX)
rig_started=0 emulator_started=0
cleanup() {
    kill $(jobs -p) 2>/dev/null || true
    wait 2>/dev/null || true
    if [ $emulator_started = 1 ]; then gcp_stop "$work/spanner" || true; fi
    if [ $rig_started = 1 ]; then rig_stop "$work/rig" || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

publish() {
    if [ -n "${PREBUILT:-}" ]; then
        mkdir -p "$work/out" "$work/bench"
        ln -s "$(realpath "$PREBUILT/rekor-server-posix")" "$work/out/rekor-server-posix"
        ln -s "$(realpath "$PREBUILT/rekor-bench")" "$work/bench/rekor-bench"
        ! uses aws || ln -s "$(realpath "$PREBUILT/rekor-server-aws")" "$work/out/rekor-server-aws"
        ! uses gcp || ln -s "$(realpath "$PREBUILT/rekor-server-gcp")" "$work/out/rekor-server-gcp"
        return
    fi
    dotnet publish RekorPosix.csproj -c Release -r linux-x64 -o "$work/out" > "$work/publish.log" 2>&1
    ! uses aws || dotnet publish RekorPosix.csproj -c Release -r linux-x64 -p:Backend=aws -o "$work/out" > "$work/publish-aws.log" 2>&1
    ! uses gcp || dotnet publish RekorPosix.csproj -c Release -r linux-x64 -p:Backend=gcp -o "$work/out" > "$work/publish-gcp.log" 2>&1
    dotnet publish bench/RekorPosix.Bench -c Release -r linux-x64 -p:PublishAot=true -o "$work/bench" > "$work/bench-build.log" 2>&1
}
publish
bin="$work/out/rekor-server-posix"
bench="$work/bench/rekor-bench"
vkey=$("$bin" keygen --output "$work/key.pem" --hostname bench.test | sed -n 's/^Verifier key: //p')

# The cloud rig: MariaDB only when an aws setup needs it; s3rver is the bucket of both cloud flavours.
if uses aws || uses gcp; then
    # shellcheck source=../tests/cloud/rig.sh
    source tests/cloud/rig.sh
    rig_install
    rig_started=1
    if uses aws; then rig_start "$work/rig" > /dev/null; else rig_start_s3_only "$work/rig" > /dev/null; fi
fi
if uses gcp; then
    emulator_started=1
    gcp_start "$work/spanner" > /dev/null
    # The bucket is s3rver's, reached as a GCS bucket's XML API with HMAC keys (there is no GCS emulator).
    export GCS_HMAC_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID GCS_HMAC_SECRET=$AWS_SECRET_ACCESS_KEY GCS_REGION=$AWS_REGION GCS_ENDPOINT_URL=$AWS_ENDPOINT_URL
fi

# wait_healthy PORT PID LOG: until the server answers; its log's end and exit if it stopped instead.
wait_healthy() {
    until curl -fs "http://127.0.0.1:$1/healthz" > /dev/null 2>&1; do
        kill -0 "$2" 2> /dev/null || { echo "write.sh: the server on port $1 stopped:" >&2; tail -n 20 "$3" >&2; exit 1; }
        sleep 0.05
    done
}

# Sets pids (space-separated) and urls (comma-separated) of the servers started.
# $1: more serve flags.
start_posix() {
    rm -rf "$work/log"
    # shellcheck disable=SC2086
    "$bin" serve --storage-dir "$work/log" --signer-filepath "$work/key.pem" --hostname bench.test \
        --http-port 4800 --grpc-port 4801 --http-metrics-port 4802 --tiles-port 4803 --checkpoint-interval "$interval" ${1:-} > "$work/serve.log" 2>&1 &
    pids=$!
    urls=http://127.0.0.1:4800
    wait_healthy 4800 $! "$work/serve.log"
}

# Two fresh witnesses on ports 4850 and 4851 (stopped with the server), and the posix server with
# a policy that needs both cosignatures.
start_posix_witnessed() {
    local i
    echo "$vkey" > "$work/witnessed-logs"
    : > "$work/policy"
    witness_pids=""
    for i in 0 1; do
        rm -rf "$work/witness-$i"
        # --print-vkey first: it makes the key the witness then loads.
        echo "witness w$i $("$bin" witness --key "$work/witness-$i.key" --name "w$i.bench.test" --print-vkey | tail -n 1) http://127.0.0.1:485$i" >> "$work/policy"
        "$bin" witness --listen 127.0.0.1:485$i --key "$work/witness-$i.key" --name "w$i.bench.test" \
            --logs "$work/witnessed-logs" --state-dir "$work/witness-$i" > "$work/witness-$i.log" 2>&1 &
        witness_pids="$witness_pids${witness_pids:+ }$!"
        until curl -s -o /dev/null "http://127.0.0.1:485$i/"; do sleep 0.05; done
    done
    printf 'group both all w0 w1\nquorum both\n' >> "$work/policy"
    start_posix "--witness-policy-path $work/policy"
}

# start_instances NAME N FIRST-PORT SERVE-FLAGS...: N instances of rekor-server-NAME on one log, on
# ports FIRST-PORT, +10, ... The first one creates the schema before the others start.
start_instances() {
    local name=$1 n=$2 first=$3 i port
    shift 3
    pids="" urls=""
    for ((i = 0; i < n; i++)); do
        port=$((first + 10 * i))
        "$work/out/rekor-server-$name" serve "$@" --signer-filepath "$work/key.pem" --hostname bench.test \
            --http-port $port --grpc-port $((port + 1)) --http-metrics-port $((port + 2)) --tiles-port $((port + 3)) \
            --checkpoint-interval "$interval" > "$work/serve-$name-$i.log" 2>&1 &
        pids="$pids${pids:+ }$!"
        urls="$urls${urls:+,}http://127.0.0.1:$port"
        wait_healthy $port $! "$work/serve-$name-$i.log"
    done
}

# An empty bucket: s3rver started again on an emptied directory.
empty_bucket() {
    rig_stop_s3
    rm -rf "$RIG_DIR/s3"
    rig_start_s3
}

# The gcp log's Spanner: the emulator restarted (tests/gcp/emulator.sh restart: same ports, the
# instance and both databases created again, empty). A restart rather than a drop of the databases:
# one emulator process slows down run after run (round 3's gcp1 took a quarter of round 1's entries/s
# on a reused process, its own CPU per entry doubled), which would make the figures depend on order.
fresh_spanner() {
    gcp_restart "$GCP_RIG_DIR" > /dev/null || { echo "write.sh: restarting the Spanner emulator failed" >&2; exit 1; }
}

# The Spanner transaction outcomes of the gcp instances (their metrics ports), summed, with the
# entries the run accepted: what the emulator's one-transaction-at-a-time rule costs.
spanner_outcomes() {
    local setup=$1 round=$2 n=${1#gcp} i outcome total accepted
    accepted=$(sed -nE 's/^accepted: ([0-9]+)\/.*/\1/p' "$work/$setup-throughput-$round.txt")
    for outcome in committed aborted abandoned; do
        total=0
        for ((i = 0; i < n; i++)); do
            total=$((total + $(curl -fs "http://127.0.0.1:$((4862 + 10 * i))/metrics" \
                | sed -nE "s/^rekor_posix_spanner_transactions_total\{outcome=\"$outcome\"\} ([0-9]+).*/\1/p" | head -n 1 | grep . || echo 0)))
        done
        printf '%s %s ' "$outcome" "$total"
    done > "$work/$setup-spanner-$round.txt"
    echo "accepted ${accepted:-0}" >> "$work/$setup-spanner-$round.txt"
    cat "$work/$setup-spanner-$round.txt"
}

# A fresh log for a cloud flavour: empty database(s) and an empty bucket (they are reset together,
# spec §8.6), then $1 instances: aws on ports 4820, 4830; gcp on 4860, 4870.
start_aws() {
    rig_mysql_root -e 'DROP DATABASE IF EXISTS sequencer; CREATE DATABASE sequencer'
    empty_bucket
    # shellcheck disable=SC2086
    start_instances aws "$1" 4820 --aws-bucket "$RIG_S3_BUCKET" --aws-mysql-dsn "$RIG_MYSQL_DSN" ${AWS_ARGS:-}
}

start_gcp() {
    fresh_spanner
    empty_bucket
    # shellcheck disable=SC2086
    start_instances gcp "$1" 4860 --gcp-bucket "$RIG_S3_BUCKET" --gcp-spanner "$GCP_RIG_SPANNER" ${GCP_ARGS:-}
}

start() {
    case "$1" in
        posix) start_posix ;;
        posix-witnessed) start_posix_witnessed ;;
        aws*) start_aws "${1#aws}" ;;
        gcp*) start_gcp "${1#gcp}" ;;
    esac
}

stop() {
    local pid
    for pid in $pids; do kill -TERM "$pid"; done
    for pid in $pids; do wait "$pid" || true; done
    for pid in ${witness_pids:-}; do kill -TERM "$pid"; wait "$pid" || true; done
    witness_pids=""
}

# The database's and object store's CPU, when there are any.
watched() {
    local pid i=0
    case "$1" in
        posix) ;;
        posix-witnessed) for pid in $witness_pids; do echo "--watch witness$i=$pid"; i=$((i + 1)); done ;;
        aws*) echo "--watch mariadb=$(cat "$RIG_DIR/mysql.rigpid") --watch s3rver=$(cat "$RIG_DIR/s3.rigpid")" ;;
        gcp*) echo "--watch s3rver=$(cat "$RIG_DIR/s3.rigpid") --watch gateway_main=$(cat "$GCP_RIG_DIR/gateway.pid") --watch emulator_main=$(cat "$GCP_RIG_DIR/emulator_main.pid")" ;;
    esac
}

# per_thousand SETUP OUTCOME: the median over the rounds of that outcome's transactions per 1000 accepted entries.
per_thousand() { awk -v o="$2" '{for (i = 1; i < NF; i += 2) v[$i] = $(i + 1); if (v["accepted"] > 0) print int(1000 * v[o] / v["accepted"] + 0.5)}' "$work"/$1-spanner-*.txt | median; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
# field SETUP KIND LINE-REGEX VALUE-REGEX: the median over the rounds of one printed figure.
field() { grep -h "$3" "$work"/$1-$2-*.txt | sed -E "s|.*$4.*|\1|" | median; }
# per_round SETUP KIND LINE-REGEX VALUE-REGEX: the figure of each round, in round order.
per_round() {
    local round
    for round in $(seq 1 "$rounds"); do grep -h "$3" "$work/$1-$2-$round.txt" | sed -E "s|.*$4.*|\1|"; done
}
# ratio SETUP LINE-REGEX VALUE-REGEX: the median over the rounds of SETUP's figure / posix's figure
# of the same round, so that the machine's load in that round falls on both alike.
ratio() {
    paste <(per_round "$1" throughput "$2" "$3") <(per_round posix throughput "$2" "$3") | awk '{printf "%.2f\n", $1 / $2}' | median
}

# emulator_cpu SETUP: the median over the rounds of the Spanner emulator's CPU per entry, its two
# processes summed in each round.
emulator_cpu() {
    paste <(per_round "$1" throughput '^cpu us/entry of others' 'gateway_main ([0-9]+)') \
        <(per_round "$1" throughput '^cpu us/entry of others' 'emulator_main ([0-9]+)') | awk '{print $1 + $2}' | median
}

# refused SETUP: requests of all of SETUP's runs that got no 201.
refused() { cat "$work/$1"-*.txt | sed -nE 's|^accepted: ([0-9]+)/([0-9]+) .*|\1 \2|p' | awk '{n += $2 - $1} END {print n + 0}'; }

"$bench" verify-endpoint 4810 > /dev/null 2>&1 &
vpid=$!
until [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -d '{}' http://127.0.0.1:4810/)" = 400 ]; do sleep 0.05; done
for round in $(seq 1 "$rounds"); do
    for setup in $setups; do
        echo "== round $round: $setup"
        start "$setup"
        # rekor-bench exits 1 when an entry was refused: the statuses line says so, and the run goes on.
        # shellcheck disable=SC2046
        "$bench" --url "$urls" --count "$count" --concurrency "$clients" --mix "$mix" --server-pid "${pids// /,}" $(watched "$setup") \
            --reference-url http://127.0.0.1:4810 --reference-pid $vpid | tee "$work/$setup-throughput-$round.txt" || true
        case "$setup" in gcp*) spanner_outcomes "$setup" "$round" ;; esac
        stop
        start "$setup"
        # Open loop: enough clients that requests waiting a checkpoint interval never hold the next ones back.
        "$bench" --url "$urls" --count 5000 --rate 500 --concurrency "$([ "$flavour" = posix ] && echo 256 || echo "$clients")" \
            --no-ceiling --mix "$mix" | tee "$work/$setup-latency-$round.txt" || true
        stop
    done
done
for setup in $setups; do
    echo "== $setup: medians of $rounds rounds ($mix, $count entries, $clients clients, checkpoint interval $interval)"
    echo "accepted entries/s:        $(field "$setup" throughput '^accepted' '= ([0-9]+) entries/s')  (refused or unanswered in all runs: $(refused "$setup"))"
    echo "ratio to the ceiling:      $(field "$setup" throughput '^accepted' '= ([0-9.]+) x ceiling')"
    echo "ratio to verify-only HTTP: $(field "$setup" throughput '^accepted' '= ([0-9.]+) x verify-only')"
    echo "cpu ratio (ceiling cpu / server + client cpu): $(field "$setup" throughput '^cpu ratio' 'ratio: ([0-9.]+) ')"
    echo "cpu us/entry: server $(field "$setup" throughput '^cpu us/entry:' 'server ([0-9]+) ')  client $(field "$setup" throughput '^cpu us/entry:' 'client ([0-9]+) ')  ceiling $(field "$setup" throughput '^cpu us/entry:' 'ceiling ([0-9]+) ')  verify-only endpoint $(field "$setup" throughput '^verify-only' 'endpoint ([0-9]+)')"
    if [ "$setup" = posix-witnessed ]; then
        echo "cpu us/entry of witnesses: $(field "$setup" throughput '^cpu us/entry of others' 'witness0 ([0-9]+)') and $(field "$setup" throughput '^cpu us/entry of others' 'witness1 ([0-9]+)')"
        echo "to posix (same round):     entries/s $(ratio "$setup" '^accepted' '= ([0-9]+) entries/s')"
    elif [ "$setup" != posix ]; then
        case "$setup" in
            aws*) echo "cpu us/entry of others:    mariadb $(field "$setup" throughput '^cpu us/entry of others' 'mariadb ([0-9]+)')  s3rver $(field "$setup" throughput '^cpu us/entry of others' 's3rver ([0-9]+)')" ;;
            gcp*) echo "cpu us/entry of others:    spanner emulator $(emulator_cpu "$setup") (gateway_main $(field "$setup" throughput '^cpu us/entry of others' 'gateway_main ([0-9]+)') + emulator_main $(field "$setup" throughput '^cpu us/entry of others' 'emulator_main ([0-9]+)'))  s3rver $(field "$setup" throughput '^cpu us/entry of others' 's3rver ([0-9]+)')" ;;
        esac
        echo "to posix (same round):     entries/s $(ratio "$setup" '^accepted' '= ([0-9]+) entries/s')  server cpu/entry $(ratio "$setup" '^cpu us/entry:' 'server ([0-9]+) ')"
        case "$setup" in
            gcp*) echo "spanner transactions per 1000 entries (throughput run): committed $(per_thousand "$setup" committed)  aborted $(per_thousand "$setup" aborted)  abandoned $(per_thousand "$setup" abandoned)" ;;
        esac
    fi
    echo "latency at 500/s:          p50 $(field "$setup" latency '^latency' 'p50 ([0-9]+) ') ms, p99 $(field "$setup" latency '^latency' 'p99 ([0-9]+) ') ms"
done
